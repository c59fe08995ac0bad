"""Stat streams: after each batch commits, the changed tables go out on `stats.rollups`.

Messages carry absolute, privacy-safe counts (see `witaj.shared.events.stats`). A people-derived table
is always sent whole, total included, so complementary suppression is applied to exactly what a
subscriber can see together; usage tables send only their changed cells. If the processor dies between
its commit and this publication the next change of the same table carries the current absolute
figures, so subscribers converge without counting anything twice.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from witaj.shared.envelope import Envelope, registry, wrap
from witaj.shared.events import Cell, IndicatorUpdated, RollupUpdated
from witaj.shared.kafka import EventPublisher
from witaj.shared.topics import STATS_INDICATORS, STATS_ROLLUPS
from witaj.stats.indicators import CATALOGUE, suppress_cells
from witaj.stats.metrics import PEOPLE_METRICS
from witaj.stats.privacy import TOTAL, suppress_table
from witaj.stats.rollups import Applied, GroupKey, RollupStore

SOURCE = "witaj/stats"


async def people_table(store: RollupStore, group: GroupKey, threshold: int) -> list[Cell]:
    """A people-derived table with its total, suppressed; the same cells the API and exports show."""
    docs = await store.cells(
        group.city, group.metric, group.dimension, group.granularity, group.start, group.start
    )
    totals = await store.cells(group.city, group.metric, "total", group.granularity, group.start, group.start)
    total = totals[0]["count"] if totals else 0
    if group.dimension == "total":
        figures, total_figure = suppress_table({}, total, threshold)
    else:
        figures, total_figure = suppress_table({d["value"]: d["count"] for d in docs}, total, threshold)
    out = [Cell(value=f.value, count=f.count, suppressed=f.suppressed) for f in figures]
    assert total_figure is not None
    return [Cell(value=TOTAL, count=total_figure.count, suppressed=total_figure.suppressed), *out]


async def rollup_events(
    store: RollupStore, applied: Applied, threshold: int, *, minutes: bool
) -> list[Envelope[RollupUpdated]]:
    events: list[Envelope[RollupUpdated]] = []
    changed: dict[GroupKey, list[Cell]] = defaultdict(list)
    for doc in await store.changed(applied, minutes=minutes):
        if doc["metric"] in PEOPLE_METRICS:
            continue
        key = GroupKey(doc["city"], doc["metric"], doc["dimension"], doc["granularity"], doc["start"])
        changed[key].append(Cell(value=doc["value"], count=doc["count"]))
    for group in applied.groups:
        if group.metric in PEOPLE_METRICS:
            changed[group] = await people_table(store, group, threshold)
    for group, cells in changed.items():
        data = RollupUpdated(
            metric=group.metric,
            dimension=group.dimension,
            granularity=group.granularity,
            window_start=group.start,
            people=group.metric in PEOPLE_METRICS,
            cells=cells,
        )
        events.append(wrap(data, source=SOURCE, city=group.city, subject=f"{group.metric}.{group.dimension}"))
    return events


def indicator_event(dataset: Envelope[Any], threshold: int) -> Envelope[IndicatorUpdated]:
    data = dataset.data
    rows = [row.model_dump() for row in data.rows]
    indicator = CATALOGUE[data.indicator]
    payload = IndicatorUpdated(
        dataset_id=data.dataset_id,
        indicator=data.indicator,
        unit=indicator.unit,
        period=data.period,
        cells=suppress_cells(rows, threshold),
    )
    return wrap(payload, source=SOURCE, city=dataset.city, subject=f"{data.indicator}.{data.period}")


async def publish(
    publisher: EventPublisher, store: RollupStore, applied: Applied, threshold: int, *, minutes: bool
) -> int:
    """Send the batch's stat-stream messages, keyed by city; returns how many went out."""
    events: list[Envelope[Any]] = list(await rollup_events(store, applied, threshold, minutes=minutes))
    messages = [(STATS_ROLLUPS, registry.encode(e), e.city.encode()) for e in events]
    for dataset in applied.datasets:
        event = indicator_event(dataset, threshold)
        messages.append((STATS_INDICATORS, registry.encode(event), event.city.encode()))
    if messages:
        await publisher.send_many(messages)
    return len(messages)
