"""One search across pages, processes, glossary, organisations and practices of a city, in one language.

An inverted index per city and language lives beside the published-content cache and follows it item by
item, so searching never queries the database (and works the same on MongoDB and the embedded one, which
has no `$text`). Ranking is BM25 over field-weighted term counts (a title match outweighs a body match),
with a bonus for matching every query term; highlights give the reader's own words back with offsets.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from witaj.content.cache import CachedItem, PublishedCache
from witaj.content.kinds import MODELS, texts_of
from witaj.content.localize import summary
from witaj.content.reading import AcceptLanguage, Lang, choose
from witaj.content.stemming import normalise, stem, terms, words
from witaj.shared.cities import FEATURE_OF_KIND, require_feature
from witaj.shared.envelope import wrap
from witaj.shared.errors import BadRequest
from witaj.shared.events import ContentKind, SearchPerformed
from witaj.shared.events.usage import MAX_QUERY_CHARS
from witaj.shared.redaction import redact
from witaj.shared.runtime import Runtime
from witaj.shared.topics import USAGE
from witaj.shared.web import Page, Pagination, SessionId, session_of

FIELD_WEIGHTS = {"title": 3.0, "synonyms": 2.5, "definition": 2.0, "summary": 1.5}
K1, B = 1.2, 0.75
SNIPPET_CHARS = 160
MAX_QUERY_TERMS = 12


def flat_texts(item: CachedItem, language: str) -> dict[str, str]:
    key = ("flat", language)
    if key not in item.memo:
        item.memo[key] = texts_of(MODELS[item.kind].model_validate(item.texts(language)))
    return item.memo[key]  # type: ignore[no-any-return]


@dataclass
class LanguageIndex:
    postings: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    lengths: dict[str, float] = field(default_factory=dict)
    total_length: float = 0.0

    def add(self, item_id: str, counts: dict[str, float]) -> None:
        self.remove(item_id, counts)
        for term, weight in counts.items():
            self.postings[term][item_id] = weight
        length = sum(counts.values())
        self.lengths[item_id] = length
        self.total_length += length

    def remove(self, item_id: str, counts: dict[str, float]) -> None:
        if item_id not in self.lengths:
            return
        for term in counts:
            self.postings.get(term, {}).pop(item_id, None)
        self.total_length -= self.lengths.pop(item_id)


@dataclass
class CityIndex:
    languages: dict[str, LanguageIndex] = field(default_factory=lambda: defaultdict(LanguageIndex))
    indexed: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # item -> lang -> counts
    kinds: dict[str, ContentKind] = field(default_factory=dict)


class SearchIndex:
    """Follows the cache (register `on_change` as its listener) and answers ranked queries."""

    def __init__(self) -> None:
        self.cities: dict[str, CityIndex] = defaultdict(CityIndex)

    def on_change(self, city: str, item: CachedItem | None, item_id: str) -> None:
        index = self.cities[city]
        for language, counts in index.indexed.pop(item_id, {}).items():
            index.languages[language].remove(item_id, counts)
        index.kinds.pop(item_id, None)
        if item is None:
            return
        index.kinds[item_id] = item.kind
        index.indexed[item_id] = {}
        for language in item.languages:
            counts: Counter[str] = Counter()
            for path, text in flat_texts(item, language).items():
                weight = FIELD_WEIGHTS.get(path.split(".")[0], 1.0)
                for term in terms(text, language):
                    counts[term] += weight
            index.indexed[item_id][language] = dict(counts)
            index.languages[language].add(item_id, dict(counts))

    def search(
        self, city: str, language: str, query: str, kinds: set[ContentKind]
    ) -> list[tuple[str, float]]:
        index = self.cities[city]
        lang_index = index.languages.get(language)
        wanted = list(dict.fromkeys(terms(query, language)))[:MAX_QUERY_TERMS]
        if lang_index is None or not wanted or not lang_index.lengths:
            return []
        count = len(lang_index.lengths)
        average = lang_index.total_length / count or 1.0
        scores: dict[str, float] = defaultdict(float)
        matched: dict[str, int] = defaultdict(int)
        for term in wanted:
            posting = lang_index.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (count - len(posting) + 0.5) / (len(posting) + 0.5))
            for item_id, tf in posting.items():
                norm = K1 * (1 - B + B * lang_index.lengths[item_id] / average)
                scores[item_id] += idf * tf * (K1 + 1) / (tf + norm)
                matched[item_id] += 1
        ranked = [
            (item_id, score * (1 + matched[item_id] / len(wanted)))
            for item_id, score in scores.items()
            if not kinds or index.kinds.get(item_id) in kinds
        ]
        ranked.sort(key=lambda pair: (-pair[1], pair[0]))
        return ranked


def highlights(item: CachedItem, language: str, query: str) -> list[dict[str, Any]]:
    """Up to three fields where query terms occur: a snippet and the spans to mark in it."""
    wanted = set(terms(query, language))
    found = []
    for path, text in flat_texts(item, language).items():
        spans = [(s, e) for s, e, word in words(text) if wanted.intersection(stem(word, language))]
        if not spans:
            continue
        start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
        end = min(len(text), start + SNIPPET_CHARS)
        inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
        found.append({"field": path, "snippet": text[start:end], "offset": start, "spans": inside})
        if len(found) == 3:
            break
    return found


router = APIRouter(tags=["search"])


@router.get("/cities/{city}/search", summary="Search every kind of published content of a city")
async def search(
    city: str,
    request: Request,
    page: Pagination,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    kind: Annotated[list[ContentKind] | None, Query(max_length=5)] = None,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
    x_session_id: SessionId = None,
) -> Page[dict[str, Any]]:
    runtime: Runtime = request.app.state.runtime
    config = runtime.cities.require(city)
    if not any(True for _ in words(q)):
        raise BadRequest("The query has no words to look for", code="empty_query")
    cache: PublishedCache = request.app.state.published
    content = await cache.city(city)
    language = choose(runtime, city, config.languages, lang, accept_language).language
    index: SearchIndex = request.app.state.search_index
    for wanted in kind or []:
        require_feature(config, FEATURE_OF_KIND[wanted])
    shown = set(kind or []) or {k for k, feature in FEATURE_OF_KIND.items() if config.has(feature)}
    ranked = index.search(city, language, q, shown) if shown else []
    rows = []
    for item_id, score in ranked[page.offset : page.offset + page.limit]:
        item = content.items.get(item_id)
        if item is not None:
            rows.append(
                {
                    **summary(item, language),
                    "score": round(score, 4),
                    "highlights": highlights(item, language, q),
                }
            )
    event = SearchPerformed(
        query=redact(" ".join(normalise(q).split()))[:MAX_QUERY_CHARS],  # no e-mail, phone, ID
        language=language,
        result_count=len(ranked),
        kinds=list(kind or []),
        session=session_of(x_session_id),
    )
    runtime.publisher.fire_and_forget(
        USAGE, wrap(event, source="witaj/content", city=city, subject=city), key=city.encode()
    )
    return Page.of(rows, len(ranked), page)
