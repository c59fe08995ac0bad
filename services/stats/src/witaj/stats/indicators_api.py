"""Routes for integration indicators (catalogue, uploads, figures, comparison) and a city's open data."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from witaj.shared.auth import CurrentPrincipal, MaybePrincipal, Principal, Role
from witaj.shared.envelope import wrap
from witaj.shared.errors import ERROR_RESPONSES, ApiError, ErrorResponse, Forbidden, NotFound
from witaj.shared.events import IndicatorCell, IndicatorDatasetSubmitted
from witaj.shared.topics import STATS_INDICATOR_DATASETS
from witaj.stats import dashboards, datasets, exports, indicator_release
from witaj.stats.access import reader
from witaj.stats.deps import OpenDataOn, ServicesDep, Settings, StatsOn, Store
from witaj.stats.indicators import CATALOGUE, Indicator
from witaj.stats.rollups import RollupStore
from witaj.stats.schemas import DatasetAccepted, Format, OpenDataPolicy, SeriesPublic
from witaj.stats.windows import Granularity

router = APIRouter(responses=ERROR_RESPONSES)
Period = Annotated[str, Query(description="'YYYY', 'YYYY-Qn' or 'YYYY-MM'", max_length=7)]


@router.get("/indicators", tags=["indicators"], summary="The indicator catalogue")
async def catalogue() -> list[Indicator]:
    return list(CATALOGUE.values())


@router.get("/indicators/{code}", tags=["indicators"], summary="One indicator's definition")
async def indicator(code: str) -> Indicator:
    if code not in CATALOGUE:
        raise NotFound(f"Indicator {code!r}")
    return CATALOGUE[code]


@router.post(
    "/cities/{city}/indicators/{code}/datasets",
    dependencies=[StatsOn],
    status_code=202,
    tags=["indicators"],
    summary="Submit a dataset (CSV or JSON) for one indicator and period",
    responses={415: {"model": ErrorResponse, "description": "The body is neither CSV nor JSON"}},
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            }
        }
    },
)
async def upload(
    city: str, code: str, period: Period, request: Request, principal: CurrentPrincipal, services: ServicesDep
) -> DatasetAccepted:
    """CSV columns: sex, age_group, citizenship (empty = total), value, numerator and denominator (the
    people the figure rests on: both for a share, the denominator only for a median). Every row is
    checked, and the counts must add up across groups; any problem rejects the whole dataset with a
    per-row report (422). A valid dataset replaces the city's earlier figures for this indicator and
    period once the processor has it, and is published once audited for small groups of people."""
    if not principal.has(Role.ANALYST, Role.CITY_ADMIN, Role.PLATFORM_ADMIN) or not principal.in_city(city):
        raise Forbidden(f"Only analysts and administrators of {city!r} may submit its datasets")
    settings = services.settings
    body = await request.body()
    if len(body) > settings.upload.max_bytes:
        raise ApiError(413, "payload_too_large", f"Datasets are limited to {settings.upload.max_bytes} bytes")
    rows = datasets.parse(body, request.headers.get("content-type", ""))
    valid = datasets.validate(code, period, rows, settings.upload.max_rows)
    await asyncio.to_thread(datasets.check_sums, code, period, valid)
    dataset_id = uuid.uuid4().hex
    data = IndicatorDatasetSubmitted(dataset_id=dataset_id, indicator=code, period=period, rows=valid)
    envelope = wrap(data, source="witaj/stats", city=city, subject=f"{code}.{period}")
    await services.runtime.publisher.publish(STATS_INDICATOR_DATASETS, envelope, key=city.encode())
    return DatasetAccepted(dataset_id=dataset_id, indicator=code, period=period, rows=len(valid))


@router.get(
    "/cities/{city}/indicators",
    tags=["indicators"],
    summary="Which indicators and periods a city has figures for",
    dependencies=[StatsOn],
)
async def city_indicators(city: str, principal: CurrentPrincipal, store: Store) -> dict[str, list[str]]:
    """Indicator codes with the periods the city has published figures for, oldest first: what a page can
    ask `/cities/{city}/indicators/{code}` for, and the periods of a figure over time."""
    reader(principal, city)
    return await periods_of(store, city)


async def periods_of(store: RollupStore, city: str, codes: list[str] | None = None) -> dict[str, list[str]]:
    """Periods audited (figures not audited yet are not published)."""
    match: dict[str, object] = {"city": city, "shown": {"$ne": None}}
    if codes is not None:
        match["indicator"] = {"$in": codes}
    pipeline = [{"$match": match}, {"$group": {"_id": {"indicator": "$indicator", "period": "$period"}}}]
    found: dict[str, list[str]] = {}
    async for doc in await store.indicators.aggregate(pipeline):
        found.setdefault(doc["_id"]["indicator"], []).append(doc["_id"]["period"])
    return {code: sorted(periods) for code, periods in sorted(found.items()) if code in CATALOGUE}


async def _indicator_response(
    store: RollupStore, city: str, code: str, period: str, format: Format
) -> Response | list[IndicatorCell]:
    if code not in CATALOGUE:
        raise NotFound(f"Indicator {code!r}")
    cells = await indicator_release.figures(store, city, code, period)
    if format is Format.CSV:
        return exports.indicator_csv(city, code, period, cells)
    if format is Format.JSONSTAT:
        return exports.indicator_jsonstat(city, code, period, CATALOGUE[code].unit, cells)
    return cells


@router.get(
    "/cities/{city}/indicators/{code}",
    tags=["indicators"],
    summary="A city's figures",
    dependencies=[StatsOn],
)
async def city_indicator(
    city: str,
    code: str,
    period: Period,
    principal: CurrentPrincipal,
    store: Store,
    format: Format = Format.JSON,
) -> list[IndicatorCell]:
    reader(principal, city)
    return await _indicator_response(store, city, code, period, format)  # type: ignore[return-value]


@router.get("/indicators/{code}/compare", tags=["indicators"], summary="Compare cities for one period")
async def compare(
    code: str,
    period: Period,
    principal: MaybePrincipal,
    store: Store,
    cities: Annotated[list[str], Query(min_length=1, max_length=30)],
) -> dict[str, list[IndicatorCell]]:
    """Cities that publish this indicator as open data, plus the caller's own city."""
    out: dict[str, list[IndicatorCell]] = {}
    for city in cities:
        policy = await open_policy(store, city)
        if code in policy.indicators or (principal is not None and _reads(principal, city)):
            try:
                out[city] = await indicator_release.figures(store, city, code, period)
            except ApiError:
                continue
    return out


def _reads(principal: Principal, city: str) -> bool:
    return principal.has(Role.ANALYST, Role.CITY_ADMIN, Role.PLATFORM_ADMIN) and principal.in_city(city)


# ---------------------------------------------------------------------------------------------- open data


async def open_policy(store: RollupStore, city: str) -> OpenDataPolicy:
    doc = await store.db["open_data"].find_one({"_id": city})
    return OpenDataPolicy(metrics=doc["metrics"], indicators=doc["indicators"]) if doc else OpenDataPolicy()


@router.put("/cities/{city}/open-data", tags=["open data"], summary="Choose what the city publishes")
async def set_open_data(
    city: str, policy: OpenDataPolicy, principal: CurrentPrincipal, store: Store
) -> OpenDataPolicy:
    if not principal.may_administer_city(city):
        raise Forbidden(f"Only administrators of {city!r} decide what it publishes")
    unknown = sorted(set(policy.indicators) - set(CATALOGUE)) + sorted(
        set(policy.metrics) - dashboards.METRICS
    )
    if unknown:
        raise ApiError(422, "unknown_names", "Unknown metrics or indicators", {"unknown": unknown})
    await store.db["open_data"].replace_one(
        {"_id": city},
        {"metrics": sorted(set(policy.metrics)), "indicators": sorted(set(policy.indicators))},
        upsert=True,
    )
    return await open_policy(store, city)


@router.get(
    "/open/cities/{city}", tags=["open data"], summary="What a city publishes", dependencies=[OpenDataOn]
)
async def get_open_data(city: str, store: Store) -> OpenDataPolicy:
    return await open_policy(store, city)


@router.get(
    "/open/cities/{city}/series",
    tags=["open data"],
    summary="Public daily series of a metric",
    dependencies=[OpenDataOn],
)
async def open_series(
    city: str,
    metric: str,
    store: Store,
    settings: Settings,
    start: datetime | None = None,
    end: datetime | None = None,
    format: Format = Format.JSON,
) -> SeriesPublic:
    if metric not in (await open_policy(store, city)).metrics:
        raise NotFound(f"Open data {metric!r} of {city!r}")
    last = end or datetime.now(UTC)
    first = start or last - timedelta(days=30)
    result = await dashboards.series(
        store, city, metric, Granularity.DAY, first, last, "total", "", settings.privacy
    )
    if format is Format.CSV:
        return exports.series_csv(result)  # type: ignore[return-value]
    if format is Format.JSONSTAT:
        return exports.series_jsonstat(result)  # type: ignore[return-value]
    return result


@router.get(
    "/open/cities/{city}/indicators",
    tags=["open data"],
    summary="The open indicators of a city, with periods",
    dependencies=[OpenDataOn],
)
async def open_indicators(city: str, store: Store) -> dict[str, list[str]]:
    return await periods_of(store, city, (await open_policy(store, city)).indicators)


@router.get(
    "/open/cities/{city}/indicators/{code}",
    tags=["open data"],
    summary="Public indicator figures",
    dependencies=[OpenDataOn],
)
async def open_indicator(
    city: str, code: str, period: Period, store: Store, format: Format = Format.JSON
) -> list[IndicatorCell]:
    if code not in (await open_policy(store, city)).indicators:
        raise NotFound(f"Open data {code!r} of {city!r}")
    return await _indicator_response(store, city, code, period, format)  # type: ignore[return-value]
