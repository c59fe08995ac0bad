"""Routes of the stats API: dashboards for analysts, dataset uploads, exports, live updates, open data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import ERROR_RESPONSES
from witaj.stats import dashboards, exports, gaps
from witaj.stats.access import GAP_READERS, reader
from witaj.stats.deps import ServicesDep, Settings, StatsOn, Store
from witaj.stats.schemas import (
    BreakdownPublic,
    Delivery,
    FillRate,
    Format,
    LanguageDemand,
    QueryGap,
    SeriesPublic,
)
from witaj.stats.windows import Granularity

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[StatsOn])
Start = Annotated[datetime | None, Query(description="Window start (UTC); defaults to 24 hours ago")]
End = Annotated[datetime | None, Query(description="Last window (UTC); defaults to now")]
Limit = Annotated[int, Query(ge=1, le=100)]


def span(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = end or datetime.now(UTC)
    return start or end - timedelta(hours=24), end


@router.get("/cities/{city}/series", tags=["dashboards"], summary="Time series of one metric")
async def get_series(
    city: str,
    metric: str,
    principal: CurrentPrincipal,
    store: Store,
    settings: Settings,
    start: Start = None,
    end: End = None,
    granularity: Granularity = Granularity.HOUR,
    dimension: str = "total",
    value: str = "",
    format: Format = Format.JSON,
) -> SeriesPublic:
    reader(principal, city)
    first, last = span(start, end)
    result = await dashboards.series(
        store, city, metric, granularity, first, last, dimension, value, settings.privacy
    )
    return _as(format, result, exports.series_csv, exports.series_jsonstat)  # type: ignore[return-value]


@router.get("/cities/{city}/breakdown", tags=["dashboards"], summary="One metric split by a dimension")
async def get_breakdown(
    city: str,
    metric: str,
    dimension: str,
    principal: CurrentPrincipal,
    store: Store,
    settings: Settings,
    start: Start = None,
    end: End = None,
    granularity: Granularity = Granularity.DAY,
    format: Format = Format.JSON,
) -> BreakdownPublic:
    reader(principal, city)
    first = start or datetime.now(UTC)
    result = await dashboards.breakdown(
        store, city, metric, dimension, granularity, first, end, settings.privacy
    )
    return _as(format, result, exports.breakdown_csv, exports.breakdown_jsonstat)  # type: ignore[return-value]


def _as(format: Format, result, to_csv, to_jsonstat):  # type: ignore[no-untyped-def]
    if format is Format.CSV:
        return to_csv(result)
    if format is Format.JSONSTAT:
        return to_jsonstat(result)
    return result


@router.get("/cities/{city}/top", tags=["dashboards"], summary="Top N, e.g. the most viewed items")
async def get_top(
    city: str,
    principal: CurrentPrincipal,
    store: Store,
    settings: Settings,
    metric: str = "page_views",
    dimension: str = "item",
    start: Start = None,
    end: End = None,
    limit: Limit = 10,
) -> BreakdownPublic:
    reader(principal, city)
    first, last = span(start, end)
    result = await dashboards.breakdown(
        store, city, metric, dimension, Granularity.DAY, first, last, settings.privacy
    )
    return result.model_copy(update={"cells": result.cells[:limit]})


@router.get("/cities/{city}/information-gaps", tags=["dashboards"], summary="Top zero-result searches")
async def get_gaps(
    city: str,
    principal: CurrentPrincipal,
    store: Store,
    settings: Settings,
    language: str | None = None,
    start: Annotated[
        datetime | None,
        Query(description="In the first week (UTC, weeks from Monday); defaults to 4 weeks ago"),
    ] = None,
    end: Annotated[datetime | None, Query(description="In the last week; defaults to now")] = None,
    limit: Limit = 20,
) -> list[QueryGap]:
    """Queries that found nothing, per language, most searched first, over the whole calendar weeks from
    the one holding `start` to the one holding `end`. Weeks are published once settled
    (`privacy.release_after_hours` after they end; those not yet settled count nothing) and never
    change; in each, a query counts only if enough distinct sessions asked it that week
    (`privacy.query_min_sessions`). So no two answers differ by fewer searches than that: nobody's own
    search can be read here, nor worked out."""
    reader(principal, city, GAP_READERS)
    last = end or datetime.now(UTC)
    first = start or last - 4 * gaps.WEEK
    return await gaps.information_gaps(store, city, language, first, last, settings.privacy, limit)


@router.get("/cities/{city}/language-demand", tags=["dashboards"], summary="Demand for missing translations")
async def get_language_demand(
    city: str, principal: CurrentPrincipal, store: Store, start: Start = None, end: End = None
) -> list[LanguageDemand]:
    reader(principal, city, GAP_READERS)
    return await dashboards.language_demand(store, city, *span(start, end))


@router.get("/cities/{city}/fill-rates", tags=["dashboards"], summary="Fill rates per occurrence")
async def get_fill_rates(
    city: str,
    principal: CurrentPrincipal,
    store: Store,
    settings: Settings,
    start: Annotated[datetime | None, Query(description="First day (UTC); defaults to 30 days ago")] = None,
    end: Annotated[datetime | None, Query(description="Last day (UTC); defaults to today")] = None,
    limit: Limit = 20,
) -> list[FillRate]:
    """Occurrences of the released days in the range, fullest first: confirmed places over capacity.
    Counts of people are released per day once the day has settled (`privacy.release_after_hours`)."""
    reader(principal, city)
    last = end or datetime.now(UTC)
    first = start or last - timedelta(days=30)
    return await dashboards.fill_rates(store, city, first, last, settings.privacy, limit)


@router.get("/cities/{city}/deliveries", tags=["dashboards"], summary="Notification delivery success")
async def get_deliveries(
    city: str, principal: CurrentPrincipal, store: Store, start: Start = None, end: End = None
) -> list[Delivery]:
    reader(principal, city)
    return await dashboards.deliveries(store, city, *span(start, end))


@router.get(
    "/cities/{city}/live",
    tags=["dashboards"],
    summary="Live updates (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live(
    city: str,
    services: ServicesDep,
    principal: CurrentPrincipal,
    metric: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=100_000, description="Close after this many updates")] = None,
) -> StreamingResponse:
    """Each `stats.rollup_updated` message of the city as an SSE event; the same schema as the stream."""
    reader(principal, city)
    return StreamingResponse(
        services.live.stream(city, metric=metric, limit=limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
