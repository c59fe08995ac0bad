"""Instant answers: the published procedures, pages and glossary entries that best answer a migrant's
question, each with the sentence that matched, before the question goes to a person.

A question is not a search: it is a sentence or two ("where do I get health insurance for my children?")
whose small words occur everywhere. So it is matched in three steps, on the search index as it is (no
index of its own, nothing stored):

1. Its words are weighed by how rare they are in the city's published content in the reader's language:
   the rarest come first (a word no item has may still be a typo the index forgives). The language's
   small words ("how", "do", "my": the stop words of the `stopwords` package) and words most items have
   are left out whenever another one remains: a city that has published a dozen pages has too few for
   rarity alone to tell "from" apart from "deposit". At most the search's own number of words is kept.
2. The search's own ranking (`ranking.py`) ranks pages, procedures and glossary entries for those
   words, in the reader's language and the city's own as search does (a migrant may know the local term
   for what they ask about); an item tagged with the migrant's topic (or a topic under it) counts more.
   Weak matches (far below the best) are dropped: an instant answer that does not answer wastes the
   migrant's time.
3. Each answer gets its passage: the sentence, in the language shown (else the one it matched in), that
   holds the rarest of the question's words, with the words to mark.

The question is used for this request only: it is not stored, logged or put on a topic; the usage event
says how many answers were shown, in which language and topic. Staff ask too (the back office suggests
links to a counsellor answering a question): they are answered alike, but not counted as migrants.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

import stopwords
from fastapi import APIRouter, Query
from witaj.content.access import is_staff
from witaj.content.cache import CachedItem, CityContent
from witaj.content.deps import ServicesDep
from witaj.content.localize import summary
from witaj.content.ranking import MAX_QUERY_WORDS, rank
from witaj.content.reader_language import AcceptLanguage, Lang, choose
from witaj.content.schemas import AnswerPublic, InstantAnswersPublic, PassagePublic, extend
from witaj.content.search_index import SearchIndex, flat_texts
from witaj.content.stemming import normalise, stem, words
from witaj.shared.auth import MaybePrincipal
from witaj.shared.envelope import wrap
from witaj.shared.errors import BadRequest
from witaj.shared.events import ContentKind, Feature, InstantAnswersShown
from witaj.shared.events.cities import TOPIC_ID
from witaj.shared.runtime import Runtime
from witaj.shared.topics import USAGE
from witaj.shared.web import SessionId, session_of

KINDS = {
    ContentKind.PAGE: Feature.CONTENT,
    ContentKind.PROCESS: Feature.PROCEDURES,
    ContentKind.GLOSSARY_TERM: Feature.GLOSSARY,
}
"""What answers a question, each with the city's switch that shows it to readers; the directory and good
practices are found by search."""
MAX_QUESTION_CHARS = 500
"""Of a question, what is matched: its first sentences carry what it is about (and a URL stays short)."""
COMMON_SHARE = 0.5
"""A word found in more than this share of the items says nothing about which one answers."""
RELATIVE_FLOOR = 0.35
"""An answer scores at least this share of the best one, or it is not shown."""
TOPIC_BOOST = 1.5
CANDIDATES = 50
"""Answers ranked before the migrant's topic reorders them (only the best are scored exactly)."""
MAX_ANSWERS = 10
PASSAGE_CHARS = 320
_SENTENCE_END = re.compile(r"(?<=[.!?;:\u061f\u06d4])\s+|(?<=[\u3002\uff01\uff1f])|\n+")
"""Where a sentence ends: after its stop and a space, or (Chinese and Japanese) right after it."""
_MARKDOWN = re.compile(
    r"!?\[([^\]]*)\]\([^)]*\)|\*\*|__|`|^\s{0,3}(?:#{1,6}|[-*+>]|\d+[.)])\s+", re.MULTILINE
)


STOPWORD_LISTS = {"prs": "fa"}
"""Languages whose small words are another's: Dari is written like Persian."""


@cache
def small_words(language: str) -> frozenset[str]:
    """The language's stop words as the index normalises words; empty where no list is known."""
    listed = stopwords.safe_get_stopwords(STOPWORD_LISTS.get(language, language))
    return frozenset(normalise(word) for word in listed if word.strip())


@dataclass(frozen=True)
class Weighed:
    """One word of the question: as written, its index term in the language, and how rare it is."""

    word: str
    term: str
    idf: float
    known: bool


def weigh(index: SearchIndex, city: str, language: str, question: str) -> list[Weighed]:
    """The question's words, most telling first, without the ones that occur nearly everywhere (as long
    as a rarer one remains). Reads how many items have each term from the index's postings; the index
    itself stays as search uses it."""
    lang_index = index.cities[city].languages.get(language)
    if lang_index is None or not lang_index.lengths:
        return []
    total = len(lang_index.lengths)
    found: dict[str, Weighed] = {}
    counts: dict[str, int] = {}
    for _, _, word in words(question):
        for term in stem(word, language):
            if term not in found:
                counts[term] = len(lang_index.postings.get(term) or ())
                idf = math.log(1 + (total - counts[term] + 0.5) / (counts[term] + 0.5))
                found[term] = Weighed(word, term, idf, counts[term] > 0)
    small = small_words(language)
    telling = [w for w in found.values() if w.word not in small]
    common = [w for w in telling if counts[w.term] > total * COMMON_SHARE]
    rare = sorted((w for w in telling if w.known and w not in common), key=lambda w: (-w.idf, w.term))
    unknown = [w for w in telling if not w.known]  # a typo, perhaps, that the index forgives
    if not rare:  # a city with few pages (or whose every page names it): what the items have will do
        rare = sorted(common, key=lambda w: (-w.idf, w.term))
    return (rare + unknown)[:MAX_QUERY_WORDS]


def ranked(
    index: SearchIndex,
    content: CityContent,
    city: str,
    languages: list[str],
    wanted: list[Weighed],
    topics: set[str],
    limit: int,
    kinds: set[ContentKind],
) -> list[tuple[str, float]]:
    """The strong answers for the question's telling words in `languages` (the reader's first), best
    first, the migrant's topic counting more; an answer scores at least `RELATIVE_FLOOR` of the best."""
    question = " ".join(w.word for w in wanted)
    found, _ = rank(index.cities[city], languages, question, kinds, CANDIDATES if topics else limit)
    hits = [(hit.item_id, hit.score) for hit in found]
    if not hits:
        return []
    floor = hits[0][1] * RELATIVE_FLOOR
    if topics:
        # Only hits a boost could lift over the floor are looked at: a question can match thousands.
        candidates = [(i, s) for i, s in hits if s * TOPIC_BOOST >= floor]
        hits = [(i, s * TOPIC_BOOST if topics & _topics(content, i) else s) for i, s in candidates]
        hits.sort(key=lambda pair: (-pair[1], pair[0]))
        floor = hits[0][1] * RELATIVE_FLOOR
    return [(item_id, score) for item_id, score in hits if score >= floor][:limit]


def _topics(content: CityContent, item_id: str) -> set[str]:
    item = content.items.get(item_id)
    return set(item.doc["content"].get("topics", [])) if item is not None else set()


def sentences(text: str) -> Iterable[str]:
    """The sentences of a text as a reader sees them (Markdown marks taken out)."""
    plain = _MARKDOWN.sub(lambda m: m.group(1) or "", text)
    for part in _SENTENCE_END.split(plain):
        part = part.strip()
        if part:
            yield part


def passage(item: CachedItem, language: str, wanted: list[Weighed]) -> PassagePublic | None:
    """The sentence that holds the rarest of the question's words, cut to `PASSAGE_CHARS` around its
    first match, with the spans to mark. The item's title is only a passage when nothing else matched:
    the reader sees the title anyway."""
    weights: dict[str, float] = {}
    for w in wanted:
        for term in stem(w.word, language):
            weights.setdefault(term, max(w.idf, 0.1))
    texts = flat_texts(item, language)
    for fields in ([p for p in texts if p != "title"], [p for p in texts if p == "title"]):
        best: tuple[float, int, str, str, list[tuple[int, int]]] | None = None
        for order, path in enumerate(fields):
            for sentence in _sentences_of(item, language, path, texts[path]):
                spans, matched = _matches(sentence, language, weights)
                score = sum(weights[t] for t in matched)
                if spans and (best is None or (score, -order) > best[:2]):
                    best = (score, -order, path, sentence, spans)
        if best is not None:
            return _cut(best[2], language, best[3], best[4])
    return None


def _matches(
    sentence: str, language: str, weights: dict[str, float]
) -> tuple[list[tuple[int, int]], set[str]]:
    spans: list[tuple[int, int]] = []
    matched: set[str] = set()
    for start, end, word in words(sentence):
        terms = [t for t in stem(word, language) if t in weights]
        if terms:
            spans.append((start, end))
            matched.update(terms)
    return spans, matched


def _cut(path: str, language: str, sentence: str, spans: list[tuple[int, int]]) -> PassagePublic:
    start = 0
    if len(sentence) > PASSAGE_CHARS:
        start = max(0, min(spans[0][0] - PASSAGE_CHARS // 4, len(sentence) - PASSAGE_CHARS))
        start = _word_start(sentence, start)
    text = sentence[start : start + PASSAGE_CHARS]
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= start + len(text)]
    return PassagePublic(field=path, language=language, text=text, spans=inside)


def _word_start(text: str, at: int) -> int:
    """`at`, moved forward to the start of a word, so a passage never begins mid-word."""
    while 0 < at < len(text) and text[at - 1].isalnum():
        at += 1
    return at


def _sentences_of(item: CachedItem, language: str, path: str, text: str) -> list[str]:
    """Memoised with the item (dropped when it changes): the same answers come up again and again."""
    key = ("sentences", language, path)
    if key not in item.memo:
        item.memo[key] = list(sentences(text))
    return item.memo[key]  # type: ignore[no-any-return]


def answers(
    index: SearchIndex,
    content: CityContent,
    city: str,
    languages: list[str],
    question: str,
    *,
    topics: set[str],
    limit: int,
    show_in: Any,
    kinds: set[ContentKind],
) -> list[AnswerPublic]:
    """The instant answers to a question asked in `languages[0]` (the city's own language follows):
    summary rows with a score and a passage. `show_in(item)` picks the language an item is shown in (the
    reader's, or the city's fallback)."""
    wanted = weigh(index, city, languages[0], question)
    if not wanted or not kinds:
        return []
    rows = []
    for item_id, score in ranked(index, content, city, languages, wanted, topics, limit, kinds):
        item = content.items.get(item_id)
        if item is None:
            continue
        shown = show_in(item)
        found = (passage(item, code, wanted) for code in dict.fromkeys([shown, *languages]))
        best = next(filter(None, found), None)
        rows.append(extend(summary(item, shown), AnswerPublic, score=round(score, 4), passage=best))
    return rows


router = APIRouter(tags=["search"])


@router.get(
    "/cities/{city}/answers",
    summary="Instant answers to a migrant's question: published content that answers it, with the passage",
    response_model_exclude_unset=True,
)
async def instant_answers(
    city: str,
    services: ServicesDep,
    principal: MaybePrincipal,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUESTION_CHARS,
            description="The question in the migrant's words (only its first "
            f"{MAX_QUESTION_CHARS} characters are matched; it is not stored)",
        ),
    ],
    topic: Annotated[str | None, Query(pattern=TOPIC_ID, description="The topic the migrant chose")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ANSWERS)] = 3,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
    x_session_id: SessionId = None,
) -> InstantAnswersPublic:
    """Pages, procedures and glossary entries that answer the question, best first, each shown in the
    reader's language (or the city's fallback) with the sentence that matched and the words to mark.
    An empty list means nothing published answers it: the question is for a person. Staff (a counsellor
    finding links for an answer) get the same answers, but only a reader's question is counted."""
    runtime = services.runtime
    config = runtime.cities.require(city)
    if not any(True for _ in words(q)):
        raise BadRequest("The question has no words to look for", code="empty_question")
    if topic is not None:
        runtime.cities.check_topics(city, [topic])
    cache = services.published
    content = await cache.city(city)
    choice = choose(runtime, city, config.languages, lang, accept_language)
    index = services.search_index
    topics = _below(runtime, city, topic)
    rows = answers(
        index,
        content,
        city,
        list(dict.fromkeys([choice.language, config.default_language])),
        q,
        topics=topics,
        limit=limit,
        show_in=lambda item: choose(runtime, city, item.languages, choice.language, accept_language).language,
        kinds={kind for kind, feature in KINDS.items() if config.has(feature)},
    )
    if not is_staff(principal):
        event = InstantAnswersShown(
            language=choice.language, topic=topic, result_count=len(rows), session=session_of(x_session_id)
        )
        runtime.publisher.fire_and_forget(
            USAGE, wrap(event, source="witaj/content", city=city, subject=city), key=city.encode()
        )
    return InstantAnswersPublic(language=choice.language, rtl=choice.rtl, topic=topic, answers=rows)


def _below(runtime: Runtime, city: str, topic: str | None) -> set[str]:
    """The topic and every topic under it: an item on 'health-insurance' answers a 'health' question."""
    if topic is None:
        return set()
    tree = runtime.cities.topics(city) or {topic}
    return {t for t in tree if topic in runtime.cities.with_ancestors(city, [t])}
