"""One search across pages, processes, glossary, organisations and practices of a city (the index and its
ranking are in `search_index.py`).

The reader's language and the city's own are searched together; each result is shown in the reader's best
language, says which languages its match was in (`matched_languages`, the reader's first), and gives its
highlights in the language they were found in, so a Ukrainian reader who typed "karta pobytu" sees the
procedure in Ukrainian with the Polish words that matched marked as Polish.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from witaj.content.cache import CachedItem, PublishedCache
from witaj.content.localize import summary
from witaj.content.reading import AcceptLanguage, Lang, choose
from witaj.content.search_index import Hit, SearchIndex, flat_texts
from witaj.content.stemming import normalise, tokens, words
from witaj.shared.cities import FEATURE_OF_KIND, require_feature
from witaj.shared.envelope import wrap
from witaj.shared.errors import BadRequest
from witaj.shared.events import ContentKind, SearchPerformed
from witaj.shared.events.usage import MAX_QUERY_CHARS
from witaj.shared.redaction import redact
from witaj.shared.runtime import Runtime
from witaj.shared.topics import USAGE
from witaj.shared.web import Page, Pagination, SessionId, session_of

SNIPPET_CHARS = 160
MAX_HIGHLIGHTS = 3


def highlights(item: CachedItem, hit: Hit, languages: list[str]) -> list[dict[str, Any]]:
    """Up to three fields where the query matched, in the languages it matched in (the reader's first):
    a snippet and the spans to mark in it."""
    found: list[dict[str, Any]] = []
    for language in languages:
        wanted = hit.matched.get(language)
        if not wanted:
            continue
        for path, text in flat_texts(item, language).items():
            spans = [(s, e) for s, e, term in tokens(text, language) if term in wanted]
            if not spans:
                continue
            start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
            end = min(len(text), start + SNIPPET_CHARS)
            inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
            found.append(
                {
                    "field": path,
                    "language": language,
                    "snippet": text[start:end],
                    "offset": start,
                    "spans": inside,
                }
            )
            if len(found) == MAX_HIGHLIGHTS:
                return found
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
    languages = list(dict.fromkeys([language, config.default_language]))
    index: SearchIndex = request.app.state.search_index
    for wanted in kind or []:
        require_feature(config, FEATURE_OF_KIND[wanted])
    kinds = set(kind or []) or {k for k, feature in FEATURE_OF_KIND.items() if config.has(feature)}
    ranked = index.search(city, languages, q, kinds) if kinds else []
    rows = []
    for hit in ranked[page.offset : page.offset + page.limit]:
        item = content.items.get(hit.item_id)
        if item is not None:
            shown = choose(runtime, city, item.languages, language, accept_language).language
            rows.append(
                {
                    **summary(item, shown),
                    "score": round(hit.score, 4),
                    "matched_languages": [code for code in languages if code in hit.matched],
                    "highlights": highlights(item, hit, languages),
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
