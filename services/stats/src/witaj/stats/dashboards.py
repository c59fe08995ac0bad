"""Dashboard reads: rollups turned into series, breakdowns and top lists, privacy applied on the way out.

People-derived metrics are answered only for single day windows, so no two answers differ by a small
group (a range of days minus one day would reveal that day's small count); their tables always go
through complementary suppression with their total.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from witaj.shared.errors import ApiError, BadRequest
from witaj.stats.metrics import DIMENSIONS, METRICS, PEOPLE_METRICS
from witaj.stats.privacy import TOTAL, suppress_series, suppress_table
from witaj.stats.rollups import RollupStore
from witaj.stats.schemas import (
    BreakdownPublic,
    CellPublic,
    Delivery,
    FillRate,
    LanguageDemand,
    Point,
    QueryGap,
    SeriesPublic,
)
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
    threshold: int,
) -> SeriesPublic:
    people = check_metric(metric, dimension, granularity)
    starts = windows(start, end, granularity)
    if not starts or len(starts) > MAX_POINTS:
        raise BadRequest(f"Ask for 1 to {MAX_POINTS} windows; check start and end", code="bad_range")
    docs = await store.cells(city, metric, dimension, granularity.value, starts[0], starts[-1])
    found = {d["start"]: d["count"] for d in docs if d["value"] == value}
    counts = [found.get(s, 0) for s in starts]
    shown = suppress_series(counts, threshold) if people else counts
    points = [Point(start=s, count=c, suppressed=c is None) for s, c in zip(starts, shown, strict=True)]
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
    threshold: int,
) -> BreakdownPublic:
    people = check_metric(metric, dimension, granularity)
    first = window_start(start, granularity)
    last = window_start(end or start, granularity)
    if last < first or len(windows(first, last, granularity)) > MAX_POINTS:
        raise BadRequest("end must not be before start, nor too far from it", code="bad_range")
    if people and last != first:
        raise BadRequest("Counts of people are given for one day at a time", code="people_metric_one_day")
    cells: dict[str, int] = defaultdict(int)
    for doc in await store.cells(city, metric, dimension, granularity.value, first, last):
        cells[doc["value"]] += doc["count"]
    total = sum(d["count"] for d in await store.cells(city, metric, "total", granularity.value, first, last))
    if dimension == "total":
        cells = {}
    if people:
        figures, total_figure = suppress_table(dict(cells), total, threshold)
        assert total_figure is not None
        shown = [CellPublic(value=f.value, count=f.count, suppressed=f.suppressed) for f in figures]
        total_cell = CellPublic(value=TOTAL, count=total_figure.count, suppressed=total_figure.suppressed)
    else:
        shown = [CellPublic(value=v, count=c) for v, c in cells.items()]
        total_cell = CellPublic(value=TOTAL, count=total)
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


async def information_gaps(
    store: RollupStore, city: str, language: str | None, start: datetime, end: datetime, k: int, limit: int
) -> list[QueryGap]:
    """Zero-result searches asked by at least `k` distinct sessions: what the city should write about."""
    query: dict[str, object] = {
        "city": city,
        "day": {"$gte": window_start(start, Granularity.DAY), "$lte": end},
    }
    if language:
        query["language"] = language
    searches: dict[tuple[str, str], int] = defaultdict(int)
    sessions: dict[tuple[str, str], set[str]] = defaultdict(set)
    async for doc in store.queries.find(query):
        key = (doc["language"], doc["query"])
        searches[key] += doc["count"]
        sessions[key].update(doc.get("sessions", []))
    shown = [
        QueryGap(query=q, language=lang, searches=searches[(lang, q)], sessions=f">={k}")
        for (lang, q), s in sessions.items()
        if len(s) >= k
    ]
    shown.sort(key=lambda g: (-g.searches, g.language, g.query))
    return shown[:limit]


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


async def fill_rates(store: RollupStore, city: str, threshold: int, limit: int) -> list[FillRate]:
    """Confirmed places over capacity, all time; a small number of people hides the rate too."""
    confirmed: dict[str, int] = defaultdict(int)
    async for doc in store.rollups.find({"city": city, "metric": "confirmed", "dimension": "event"}):
        confirmed[doc["value"]] += doc["count"]
    facts = {d["event"]: d async for d in store.agenda.find({"city": city})}
    out = []
    for event in sorted(set(confirmed) | set(facts)):
        count = confirmed.get(event, 0)
        capacity = facts.get(event, {}).get("capacity")
        hidden = 0 < count < threshold
        rate = None if hidden or not capacity else round(count / capacity, 4)
        out.append(
            FillRate(
                event=event,
                organisation=facts.get(event, {}).get("organisation"),
                capacity=capacity,
                confirmed=None if hidden else count,
                fill_rate=rate,
                suppressed=hidden,
            )
        )
    out.sort(key=lambda f: (f.fill_rate is None, -(f.fill_rate or 0), f.event))
    return out[:limit]


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
