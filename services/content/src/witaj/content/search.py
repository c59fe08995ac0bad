"""One search across pages, processes, glossary, organisations and practices of a city (the index is in
`search_index.py`, its ranking in `ranking.py`).

The reader's language and the city's own are searched together; each result is shown in the reader's best
language, says which languages its match was in (`matched_languages`, the reader's first), and gives its
highlights in the language they were found in, so a Ukrainian reader who typed "karta pobytu" sees the
procedure in Ukrainian with the Polish words that matched marked as Polish.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Query
from witaj.content.cache import CachedItem
from witaj.content.deps import ServicesDep
from witaj.content.localize import summary
from witaj.content.ranking import Hit, rank
from witaj.content.reader_language import AcceptLanguage, Lang, choose
from witaj.content.schemas import HighlightPublic, SearchHitPublic, extend
from witaj.content.search_index import CityIndex, flat_texts
from witaj.content.stemming import is_cjk, normalise, tokens, words
from witaj.shared.cities import FEATURE_OF_KIND, require_feature
from witaj.shared.envelope import wrap
from witaj.shared.errors import BadRequest
from witaj.shared.events import ContentKind, SearchPerformed
from witaj.shared.events.usage import MAX_QUERY_CHARS
from witaj.shared.redaction import redact
from witaj.shared.topics import USAGE
from witaj.shared.web import Page, Pagination, SessionId, session_of

SNIPPET_CHARS = 160
_FOLDED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
"""Arabic marks, which the index folds away (see `stemming.normalise`)."""
_ZWNJ = "\u200c"
MAX_HIGHLIGHTS = 3


def highlights(item: CachedItem, hit: Hit, needles: dict[str, frozenset[str]]) -> list[HighlightPublic]:
    """Up to three fields where the query matched, in the languages it matched in (the reader's first):
    a snippet and the spans to mark in it. `needles` are the matched words as written, per language."""
    found: list[HighlightPublic] = []
    for language, words_written in needles.items():
        wanted = hit.matched.get(language)
        if not wanted:
            continue
        for path, text in flat_texts(item, language).items():
            window = _window(text, language, wanted, words_written)
            if window is None:
                continue
            start, spans = window
            found.append(
                HighlightPublic(field=path, language=language, snippet=text[start : start + SNIPPET_CHARS],
                                offset=start, spans=spans)
            )  # fmt: skip
            if len(found) == MAX_HIGHLIGHTS:
                return found
    return found


def needles_of(hits: list[Hit], languages: list[str], index: CityIndex) -> dict[str, frozenset[str]]:
    """Per language, every word as written that one of the hits matched by (the reader's language first)."""
    needles = {}
    for language in languages:
        terms = {term for hit in hits for term in hit.matched.get(language, ())}
        written = index.languages[language].written
        needles[language] = frozenset(form for term in terms for form in written.get(term) or (term,))
    return needles


def _window(
    text: str, language: str, wanted: set[str], needles: frozenset[str]
) -> tuple[int, list[tuple[int, int]]] | None:
    """Where the snippet of `text` starts and the spans of the wanted terms in it, or None. A field that
    holds none of the words the terms were made from is passed over at once, and a match is looked for
    by one regular expression; only text that folding shortens (Arabic diacritics, a Persian zero-width
    non-joiner) is read word by word."""
    lowered = text.lower()
    if not _FOLDED.search(text) and len(lowered) == len(text):
        joined = lowered.replace(_ZWNJ, "") if _ZWNJ in lowered else lowered
        if not any(needle in joined for needle in needles):
            return None
        pattern = _pattern(needles)
        first = pattern.search(lowered)
        if first is None:
            return None
        start = max(0, first.start() - SNIPPET_CHARS // 3)
        end = min(len(text), start + SNIPPET_CHARS)
        return start, [
            (m.start() - start, m.end() - start) for m in pattern.finditer(lowered, first.start(), end)
        ]
    spans = [(s, e) for s, e, term in tokens(text, language) if term in wanted]
    if not spans:
        return None
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    return start, [(s - start, e - start) for s, e in spans if s >= start and e <= end]


@lru_cache(maxsize=1024)
def _pattern(needles: frozenset[str]) -> re.Pattern[str]:
    """Any of the words, whole (a Chinese or Japanese pair anywhere: those runs have no spaces), a
    Persian or Urdu word also where a zero-width non-joiner sits inside it as written."""

    def written(needle: str) -> str:
        if any("\u0600" <= c <= "\u06ff" for c in needle):
            return f"{_ZWNJ}?".join(re.escape(c) for c in needle)
        return re.escape(needle)

    ordered = sorted(needles, key=len, reverse=True)
    cjk = [re.escape(n) for n in ordered if any(is_cjk(c) for c in n)]
    whole = [written(n) for n in ordered if not any(is_cjk(c) for c in n)]
    parts = [rf"(?<![\w\u200c])(?:{'|'.join(whole)})(?![\w\u200c])"] if whole else []
    return re.compile("|".join(parts + cjk))


router = APIRouter(tags=["search"])


@router.get(
    "/cities/{city}/search",
    summary="Search every kind of published content of a city",
    response_model_exclude_unset=True,
)
async def search(
    city: str,
    services: ServicesDep,
    page: Pagination,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    kind: Annotated[list[ContentKind] | None, Query(max_length=5)] = None,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
    x_session_id: SessionId = None,
) -> Page[SearchHitPublic]:
    runtime = services.runtime
    config = runtime.cities.require(city)
    if not any(True for _ in words(q)):
        raise BadRequest("The query has no words to look for", code="empty_query")
    cache = services.published
    content = await cache.city(city)
    language = choose(runtime, city, config.languages, lang, accept_language).language
    languages = list(dict.fromkeys([language, config.default_language]))
    index = services.search_index
    for wanted in kind or []:
        require_feature(config, FEATURE_OF_KIND[wanted])
    kinds = set(kind or []) or {k for k, feature in FEATURE_OF_KIND.items() if config.has(feature)}
    shown_hits, total = (
        rank(index.cities[city], languages, q, kinds, page.offset + page.limit) if kinds else ([], 0)
    )
    rows = []
    shown_hits = shown_hits[page.offset :]
    needles = needles_of(shown_hits, languages, index.cities[city])
    shown_in: dict[tuple[str, ...], str] = {}  # items offered in the same languages are shown in the same
    for hit in shown_hits:
        item = content.items.get(hit.item_id)
        if item is not None:
            offered = tuple(item.languages)
            if offered not in shown_in:
                shown_in[offered] = choose(runtime, city, item.languages, language, accept_language).language
            rows.append(
                extend(
                    summary(item, shown_in[offered]),
                    SearchHitPublic,
                    score=round(hit.score, 4),
                    matched_languages=[code for code in languages if code in hit.matched],
                    highlights=highlights(item, hit, needles),
                )
            )
    event = SearchPerformed(
        query=redact(" ".join(normalise(q).split()))[:MAX_QUERY_CHARS],  # no e-mail, phone, ID
        language=language,
        result_count=total,
        kinds=list(kind or []),
        session=session_of(x_session_id),
    )
    runtime.publisher.fire_and_forget(
        USAGE, wrap(event, source="witaj/content", city=city, subject=city), key=city.encode()
    )
    return Page[SearchHitPublic].of(rows, total, page)
