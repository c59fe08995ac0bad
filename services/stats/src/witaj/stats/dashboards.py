"""Dashboard reads: rollups turned into series, breakdowns and top lists.

Usage counts are read live from the rollups. Counts of people are read only from day releases
(`witaj.stats.releases`, why: `witaj.stats.privacy`): one day at a time, exactly as released, so every
answer, download and stream message shows the same figures and hides the same ones; a day not settled
yet has none.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from witaj.shared.errors import ApiError, BadRequest
from witaj.shared.mongo import Document
from witaj.stats import releases
from witaj.stats.metrics import DIMENSIONS, METRICS, PEOPLE_METRICS
from witaj.stats.privacy import TOTAL
from witaj.stats.rollups import RollupStore
from witaj.stats.schemas import (
    BreakdownPublic,
    CellPublic,
    Delivery,
    FillRate,
    LanguageDemand,
    Point,
    SeriesPublic,
)
from witaj.stats.settings import PrivacySettings
from witaj.stats.windows import MAX_POINTS, Granularity, window_start, windows


def check_metric(metric: str, dimension: str, granularity: Granularity) -> bool:
    if metric not in METRICS:
        raise ApiError(404, "unknown_metric", f"No metric {metric!r}", {"metrics": sorted(METRICS)})
    if dimension not in DIMENSIONS:
        raise BadRequest(
            f"No dimension {dimension!r}", {"dimensions": sorted(DIMENSIONS)}, "unknown_dimension"
        )
    people = metric in PEOPLE_METRICS
    if people and granularity is not Granularity.DAY:
        raise BadRequest("Counts of people are kept per day only", code="people_metric_needs_days")
    return people


async def series(
    store: RollupStore,
    city: str,
    metric: str,
    granularity: Granularity,
    start: datetime,
    end: datetime,
    dimension: str,
    value: str,
    privacy: PrivacySettings,
) -> SeriesPublic:
    people = check_metric(metric, dimension, granularity)
    starts = windows(start, end, granularity)
    if not starts or len(starts) > MAX_POINTS:
        raise BadRequest(f"Ask for 1 to {MAX_POINTS} windows; check start and end", code="bad_range")
    if people:
        found = await _released(store, city, starts, privacy)
        points = [
            Point(start=s, count=None, pending=True) if s not in found else _point(s, found[s], metric, dimension, value)
            for s in starts
        ]  # fmt: skip
    else:
        docs = await store.cells(city, metric, dimension, granularity.value, starts[0], starts[-1])
        counts = {d["start"]: d["count"] for d in docs if d["value"] == value}
        points = [Point(start=s, count=counts.get(s, 0)) for s in starts]
    return SeriesPublic(
        city=city,
        metric=metric,
        dimension=dimension,
        value=value,
        granularity=granularity.value,
        people=people,
        points=points,
    )


async def breakdown(
    store: RollupStore,
    city: str,
    metric: str,
    dimension: str,
    granularity: Granularity,
    start: datetime,
    end: datetime | None,
    privacy: PrivacySettings,
) -> BreakdownPublic:
    people = check_metric(metric, dimension, granularity)
    first = window_start(start, granularity)
    last = window_start(end or start, granularity)
    if last < first or len(windows(first, last, granularity)) > MAX_POINTS:
        raise BadRequest("end must not be before start, nor too far from it", code="bad_range")
    if people:
        if last != first:
            raise BadRequest("Counts of people are given for one day at a time", code="people_metric_one_day")
        release = (await _released(store, city, [first], privacy)).get(first)
        if release is None:
            raise not_released(first, privacy)
        total_cell = _cell(release, metric, "total", TOTAL)
        shown = [
            CellPublic(value=c["value"], count=c["count"], suppressed=c["count"] is None)
            for c in release["cells"]
            if c["metric"] == metric and c["dimension"] == dimension != "total"
        ]
    else:
        cells: dict[str, int] = defaultdict(int)
        if dimension != "total":
            for doc in await store.cells(city, metric, dimension, granularity.value, first, last):
                cells[doc["value"]] += doc["count"]
        docs = await store.cells(city, metric, "total", granularity.value, first, last)
        shown = [CellPublic(value=v, count=c) for v, c in cells.items()]
        total_cell = CellPublic(value=TOTAL, count=sum(d["count"] for d in docs))
    shown.sort(key=lambda c: (c.count is None, -(c.count or 0), c.value))
    return BreakdownPublic(
        city=city,
        metric=metric,
        dimension=dimension,
        granularity=granularity.value,
        start=first,
        end=last,
        people=people,
        total=total_cell,
        cells=shown,
    )


async def language_demand(
    store: RollupStore, city: str, start: datetime, end: datetime
) -> list[LanguageDemand]:
    first, last = window_start(start, Granularity.DAY), window_start(end, Granularity.DAY)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for metric in ("views_untranslated", "views_outdated"):
        for doc in await store.cells(city, metric, "language", "day", first, last):
            sums[doc["value"]][metric] += doc["count"]
    out = [
        LanguageDemand(
            language=lang,
            views_untranslated=m["views_untranslated"],
            views_outdated=m["views_outdated"],
            total=m["views_untranslated"] + m["views_outdated"],
        )
        for lang, m in sums.items()
    ]
    return sorted(out, key=lambda d: (-d.total, d.language))


async def fill_rates(
    store: RollupStore, city: str, start: datetime, end: datetime, privacy: PrivacySettings, limit: int
) -> list[FillRate]:
    """Confirmed places over capacity per occurrence, for the released days from `start` to `end`;
    an occurrence's confirmed count is suppressed like every other count of people, and its rate with it."""
    days = windows(start, end, Granularity.DAY)
    if not days or len(days) > MAX_POINTS:
        raise BadRequest(f"Ask for 1 to {MAX_POINTS} days; check start and end", code="bad_range")
    out = []
    for day, release in sorted((await _released(store, city, days, privacy)).items()):
        for o in release["occurrences"]:
            confirmed, capacity = o["confirmed"], o["capacity"]
            out.append(
                FillRate(
                    event=o["event"],
                    organisation=o["organisation"],
                    occurrence=o["occurrence"],
                    day=day,
                    capacity=capacity,
                    confirmed=confirmed,
                    fill_rate=round(confirmed / capacity, 4) if confirmed is not None and capacity else None,
                    suppressed=confirmed is None,
                )
            )
    out.sort(key=lambda f: (f.fill_rate is None, -(f.fill_rate or 0), f.day, f.event, f.occurrence or f.day))
    return out[:limit]


async def _released(
    store: RollupStore, city: str, days: list[datetime], privacy: PrivacySettings
) -> dict[datetime, Document]:
    return await releases.released(store, city, days, privacy.threshold, privacy.release_delay)


def _cell(release: Document, metric: str, dimension: str, value: str) -> CellPublic:
    """A released figure; one the release does not list is zero (nobody, nothing to hide)."""
    for c in release["cells"]:
        if c["metric"] == metric and c["dimension"] == dimension and c["value"] == value:
            return CellPublic(value=value, count=c["count"], suppressed=c["count"] is None)
    return CellPublic(value=value, count=0)


def _point(start: datetime, release: Document, metric: str, dimension: str, value: str) -> Point:
    cell = _cell(release, metric, dimension, value)
    return Point(start=start, count=cell.count, suppressed=cell.suppressed)


def not_released(day: datetime, privacy: PrivacySettings) -> ApiError:
    at = releases.settles(day, privacy.release_delay)
    return ApiError(
        409,
        "not_released",
        f"Counts of people for {day.date().isoformat()} are released once the day has settled, "
        f"from {at.isoformat()}",
        {"released_from": at.isoformat()},
    )


async def deliveries(store: RollupStore, city: str, start: datetime, end: datetime) -> list[Delivery]:
    first, last = window_start(start, Granularity.DAY), window_start(end, Granularity.DAY)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for outcome in ("delivered", "failed", "opened"):
        for doc in await store.cells(city, f"notifications_{outcome}", "channel", "day", first, last):
            sums[doc["value"]][outcome] += doc["count"]
    out = []
    for channel, m in sorted(sums.items()):
        attempted = m["delivered"] + m["failed"]
        out.append(
            Delivery(
                channel=channel,
                delivered=m["delivered"],
                failed=m["failed"],
                opened=m["opened"],
                success_rate=round(m["delivered"] / attempted, 4) if attempted else None,
            )
        )
    return out
