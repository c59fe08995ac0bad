"""Public, anonymous reading: items, listings, the directory near a reader, practices across cities.

Everything is answered from the in-process cache. Each read says which language was served, whether it is
a fallback and whether the script is right-to-left, and honours If-None-Match. A usage event goes out
without waiting (fire and forget), carrying at most a pseudonymous session id.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from witaj.content.cache import CachedItem
from witaj.content.deps import Services, ServicesDep, services_in
from witaj.content.kinds import PATHS, PracticeCategory
from witaj.content.localize import response_bytes, summary
from witaj.content.reader_language import ACCEPT_LANGUAGE, LANG, AcceptLanguage, Lang, choose
from witaj.content.schemas import ItemPublic, SummaryPublic
from witaj.shared.cities import FEATURE_OF_KIND
from witaj.shared.envelope import wrap
from witaj.shared.errors import BadRequest, NotFound
from witaj.shared.events import ContentKind, Feature, PageViewed
from witaj.shared.languages import LanguageChoice
from witaj.shared.runtime import Runtime
from witaj.shared.topics import USAGE
from witaj.shared.web import SESSION, OptionalParam, Page, Pagination, read_optional, session_of

router = APIRouter(tags=["reading"])
IF_NONE_MATCH = OptionalParam("if-none-match", "header", 200)
MAX_IDS = 50
"""Most items a listing can be asked for by id at once (a procedure's offices, a page's related items)."""
ITEM_PARAMS = (LANG, ACCEPT_LANGUAGE, IF_NONE_MATCH, SESSION)
"""What a single item's read takes besides its path, read by `read_item` itself: it is the busiest route."""


def _kind(kind_path: str) -> ContentKind:
    kind = PATHS.get(kind_path)
    if kind is None:
        raise NotFound(f"The kind of content '{kind_path}'", details={"kinds": sorted(PATHS)})
    return kind


@router.get(
    "/cities/{city}/{kind_path:kind}/{item_id}",
    summary="One published item in the reader's best language",
    response_model=ItemPublic,
    response_model_exclude_unset=True,
    openapi_extra={"parameters": [param.openapi() for param in ITEM_PARAMS]},
)
async def read_item(city: str, kind_path: str, item_id: str, request: Request) -> Response:
    lang, accept_language, if_none_match, session = read_optional(request, *ITEM_PARAMS)
    held = services_in(request)  # as its parameters: read here, the busiest route has no dependencies
    runtime = held.runtime
    kind = _kind(kind_path)
    runtime.cities.require_feature(city, FEATURE_OF_KIND[kind])
    content = await held.published.city(city)
    item = content.items.get(item_id)
    if item is None or item.kind is not kind:
        raise NotFound(f"The {kind.value.replace('_', ' ')} '{item_id}' in '{city}'")
    choice = choose(runtime, city, item.languages, lang, accept_language)
    body, etag = response_bytes(item, content, choice)
    headers = {"ETag": etag, "Content-Language": choice.language, "Vary": "Accept-Language"}
    _viewed(runtime, item, choice, session_of(session))
    if if_none_match is not None and etag in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


@router.get(
    "/cities/{city}/{kind_path:kind}",
    summary="Published items of one kind, in the reader's language",
    response_model_exclude_unset=True,
)
async def list_items(
    city: str,
    kind_path: str,
    services: ServicesDep,
    page: Pagination,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
    topic: Annotated[str | None, Query(max_length=48)] = None,
    user_type: Annotated[str | None, Query(max_length=48)] = None,
    language_spoken: Annotated[str | None, Query(max_length=3, description="Organisations only")] = None,
    near: Annotated[str | None, Query(max_length=60, description="'lat,lon': organisations only")] = None,
    radius_km: Annotated[float, Query(gt=0, le=200)] = 5.0,
    item_id: Annotated[
        list[str] | None,
        Query(alias="id", max_length=MAX_IDS, description="Only these items (repeat the parameter)"),
    ] = None,
) -> Page[SummaryPublic]:
    runtime = services.runtime
    kind = _kind(kind_path)
    config = runtime.cities.require_feature(city, FEATURE_OF_KIND[kind])
    content = await services.published.city(city)
    items = sorted(
        content.of_kind(kind), key=lambda i: str(i.texts(i.translations.source_language).get("title", ""))
    )
    items = [i for i in items if _matches(i, topic, user_type, language_spoken)]
    if item_id is not None:
        wanted = set(item_id)
        items = [i for i in items if i.id in wanted]
    distances: dict[str, float] = {}
    if near is not None:
        if kind is not ContentKind.ORGANISATION:
            raise BadRequest("'near' works for organisations only", code="near_not_supported")
        distances = await _within(services, city, _point(near), radius_km)
        items = sorted((i for i in items if i.id in distances), key=lambda i: distances[i.id])
    choice = choose(runtime, city, config.languages, lang, accept_language)
    rows = []
    for item in items[page.offset : page.offset + page.limit]:
        language = choose(runtime, city, item.languages, choice.language, accept_language).language
        row = summary(item, language)
        if item.id in distances:
            row = row.model_copy(update={"distance_km": round(distances[item.id], 3)})
        rows.append(row)
    return Page[SummaryPublic].of(rows, len(items), page)


@router.get(
    "/practices",
    summary="Good practices of every city, to learn from each other",
    response_model_exclude_unset=True,
)
async def practices_everywhere(
    services: ServicesDep,
    page: Pagination,
    category: PracticeCategory | None = None,
    lang: Lang = None,
) -> Page[SummaryPublic]:
    runtime = services.runtime
    rows = []
    for config in runtime.cities.all():
        if not config.has(Feature.PRACTICES):
            continue
        content = await services.published.city(config.id)
        for item in content.of_kind(ContentKind.PRACTICE):
            if category is None or item.doc["content"].get("category") == category.value:
                language = choose(runtime, config.id, item.languages, lang, None).language
                shown = {"category": item.doc["content"].get("category")}
                rows.append(summary(item, language).model_copy(update=shown))
    rows.sort(key=lambda r: (r.city, r.title))
    return Page[SummaryPublic].of(rows[page.offset : page.offset + page.limit], len(rows), page)


def _matches(item: CachedItem, topic: str | None, user_type: str | None, spoken: str | None) -> bool:
    content = item.doc["content"]
    return (
        (topic is None or topic in content.get("topics", []))
        and (user_type is None or user_type in content.get("user_types", []))
        and (spoken is None or spoken in content.get("languages_spoken", []))
    )


def _point(near: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in near.split(","))
    except ValueError:
        raise BadRequest(
            "'near' must be 'latitude,longitude', e.g. '51.2465,22.5684'", code="bad_near"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat + lon):
        raise BadRequest("'near' is outside the globe", code="bad_near")
    return lat, lon


async def _within(
    services: Services, city: str, point: tuple[float, float], radius_km: float
) -> dict[str, float]:
    """Published organisations within the radius, by the database's geo index; distance in km."""
    lat, lon = point
    store = services.items
    cursor = store.items.find(
        {
            "city": city,
            "status": "published",
            "geo": {
                "$nearSphere": {
                    "$geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "$maxDistance": radius_km * 1000,
                }
            },
        },
        {"geo": 1},
        limit=500,
    )
    found = {}
    async for doc in cursor:
        g_lon, g_lat = doc["geo"]["coordinates"]
        found[doc["_id"]] = haversine_km(lat, lon, g_lat, g_lon)
    return found


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _viewed(runtime: Runtime, item: CachedItem, choice: LanguageChoice, session: str | None) -> None:
    """Announce a view. The payload depends only on the item and the language choice besides the session,
    so it is built once per item and choice and shared (events are frozen); a session gets a copy, its
    value already checked by `session_of`. Each view still has its own envelope, id and time."""
    key = ("viewed", choice)
    event = item.memo.get(key)
    if event is None:
        event = item.memo[key] = PageViewed(
            kind=item.kind,
            item_id=item.id,
            language=choice.language,
            requested_language=choice.requested,
            fallback=choice.fallback,
            topics=list(item.doc["content"].get("topics", [])),
            organisation=item.doc.get("organisation"),
        )
    if session is not None:
        event = event.model_copy(update={"session": session})
    envelope = wrap(event, source="witaj/content", city=item.doc["city"], subject=item.id)
    runtime.publisher.fire_and_forget(USAGE, envelope, key=item.doc["city"].encode())
