"""Stat streams: after each batch commits, the changed usage tables go out on `stats.rollups`; counts of
people go out once per day release, and indicator figures on `stats.indicators` once audited.

Messages carry absolute counts (see `witaj.shared.events.stats`). Usage tables send only their changed
cells; if the processor dies between its commit and this publication the next change of the same table
carries the current absolute figures, so subscribers converge without counting anything twice. Tables
of people never follow batches (each new version would tell how many people came since the last): they
are sent whole, total included, exactly as their day's release holds them (`witaj.stats.releases`), and
a release sent twice is the same release. An indicator dataset goes out as its audit decided it
(`witaj.stats.indicator_release`), exactly as the API shows it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from witaj.shared.envelope import Envelope, registry, wrap
from witaj.shared.events import Cell, IndicatorUpdated, RollupUpdated
from witaj.shared.kafka import EventPublisher
from witaj.shared.mongo import Document
from witaj.shared.topics import STATS_INDICATORS, STATS_ROLLUPS
from witaj.stats.indicators import CATALOGUE, published_cells
from witaj.stats.metrics import PEOPLE_METRICS
from witaj.stats.rollups import Applied, GroupKey, RollupStore

SOURCE = "witaj/stats"


async def rollup_events(
    store: RollupStore, applied: Applied, *, minutes: bool
) -> list[Envelope[RollupUpdated]]:
    """The usage tables a batch changed, their changed cells only."""
    return [
        _rollup(group, [Cell(value=v, count=n) for v, n in counts.items()], people=False)
        for group, counts in (await store.changed(applied, minutes=minutes)).items()
        if group.metric not in PEOPLE_METRICS  # published only in releases
    ]


def release_events(release: Document) -> list[Envelope[RollupUpdated]]:
    """A day release as stream messages: each metric by each dimension, whole, with its total first."""
    tables: dict[tuple[str, str], list[Cell]] = defaultdict(list)
    for cell in release["cells"]:
        count = cell["count"]
        tables[(cell["metric"], cell["dimension"])].append(
            Cell(value=cell["value"], count=count, suppressed=count is None)
        )
    out = []
    for (metric, dimension), cells in tables.items():
        if dimension != "total":
            cells = tables[(metric, "total")] + cells
        group = GroupKey(release["city"], metric, dimension, "day", release["day"])
        out.append(_rollup(group, cells, people=True))
    return out


def _rollup(group: GroupKey, cells: list[Cell], *, people: bool) -> Envelope[RollupUpdated]:
    data = RollupUpdated(
        metric=group.metric,
        dimension=group.dimension,
        granularity=group.granularity,
        window_start=group.start,
        people=people,
        cells=cells,
    )
    return wrap(data, source=SOURCE, city=group.city, subject=f"{group.metric}.{group.dimension}")


def indicator_event(dataset: Document, rows: list[Document]) -> Envelope[IndicatorUpdated]:
    """A dataset's cells as audited (the same the API shows)."""
    payload = IndicatorUpdated(
        dataset_id=dataset["dataset_id"],
        indicator=dataset["indicator"],
        unit=CATALOGUE[dataset["indicator"]].unit,
        period=dataset["period"],
        cells=published_cells(rows),
    )
    subject = f"{dataset['indicator']}.{dataset['period']}"
    return wrap(payload, source=SOURCE, city=dataset["city"], subject=subject)


async def publish(publisher: EventPublisher, store: RollupStore, applied: Applied, *, minutes: bool) -> int:
    """Send the batch's usage tables, keyed by city; returns how many went out."""
    events: list[Envelope[Any]] = list(await rollup_events(store, applied, minutes=minutes))
    messages = [(STATS_ROLLUPS, registry.encode(e), e.city.encode()) for e in events]
    if messages:
        await publisher.send_many(messages)
    return len(messages)


async def publish_releases(publisher: EventPublisher, store: RollupStore, serves: Any) -> int:
    """Send the releases not sent yet (those of served cities); returns how many went out."""
    sent = 0
    async for release in store.releases.find({"published": False}):
        if not serves(release["city"]):
            continue
        events = release_events(release)
        await publisher.send_many([(STATS_ROLLUPS, registry.encode(e), e.city.encode()) for e in events])
        await store.releases.update_one({"_id": release["_id"]}, {"$set": {"published": True}})
        sent += 1
    return sent


async def publish_indicators(publisher: EventPublisher, store: RollupStore, serves: Any) -> int:
    """Send the audited datasets not sent yet (of served cities); returns how many went out."""
    sent = 0
    async for dataset in store.indicator_datasets.find({"audited": True, "published": False}):
        if not serves(dataset["city"]):
            continue
        where = {k: dataset[k] for k in ("city", "indicator", "period", "dataset_id")}
        event = indicator_event(dataset, [r async for r in store.indicators.find(where)])
        await publisher.send_many([(STATS_INDICATORS, registry.encode(event), event.city.encode())])
        await store.indicator_datasets.update_one(
            {"_id": dataset["_id"], "dataset_id": dataset["dataset_id"]}, {"$set": {"published": True}}
        )
        sent += 1
    return sent
