"""Counts are stored a table to a document (`witaj.stats.rollups`): a batch costs the database one
upsert per table it touches, not one per value, and counts kept the earlier way are moved over once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from witaj.shared.envelope import Envelope, wrap
from witaj.shared.events import ContentKind, PageViewed
from witaj.stats.rollups import RollupStore

NOON = datetime(2031, 3, 2, 12, 0, tzinfo=UTC)
DAY = datetime(2031, 3, 2, tzinfo=UTC)
LANGUAGES = ["uk", "pl", "en", "ru", "ar"]


def view(item: str, language: str, organisation: str | None = None) -> Envelope[Any]:
    data = PageViewed(
        kind=ContentKind.PAGE, item_id=item, language=language, topics=["housing"], organisation=organisation
    )
    return wrap(data, source="witaj/test", city="lublin", subject="s", time=NOON)


async def test_a_batch_writes_one_document_per_table_it_touches(feed, store: RollupStore) -> None:
    await feed([view(f"item-{i % 40}", LANGUAGES[i % 5]) for i in range(400)])

    tables = [d async for d in store.tables.find({"city": "lublin", "metric": "page_views"})]
    shape = sorted((d["dimension"], d["granularity"]) for d in tables)
    narrow = [(dimension, grain) for dimension in ("total", "topic", "language", "kind") for grain in ("minute", "hour", "day")]  # fmt: skip
    assert shape == sorted([*narrow, ("item", "hour"), ("item", "day")]), "one document per table"
    items = await store.cells("lublin", "page_views", "item", "day", DAY, DAY)
    assert {c["value"]: c["count"] for c in items} == {f"item-{i}": 10 for i in range(40)}
    languages = await store.cells("lublin", "page_views", "language", "minute", NOON, NOON)
    assert {c["value"]: c["count"] for c in languages} == dict.fromkeys(LANGUAGES, 80)
    assert {c["start"] for c in languages} == {NOON}
    assert await store.counted("page_views", city="lublin") == 400


async def test_values_mongodb_would_read_as_paths_or_operators_are_counted_as_themselves(
    feed, store: RollupStore
) -> None:
    await feed([view("guide.v2", "uk", "$set"), view("guide.v2", "uk", "$set"), view("guide", "uk")])
    items = await store.cells("lublin", "page_views", "item", "day", DAY, DAY)
    assert {c["value"]: c["count"] for c in items} == {"guide.v2": 2, "guide": 1}
    assert await store.counted("page_views", "organisation", "$set") == 2


async def test_counts_kept_a_value_to_a_document_are_moved_into_tables_once(store: RollupStore) -> None:
    """What a processor of the earlier layout counted: folded in by the next start, by two replicas
    starting at once too, each count once, on top of what the new layout already counted."""
    old = [
        {
            "_id": f"lublin|page_views|item|item-{i}|day|{DAY.isoformat()}",
            "city": "lublin",
            "metric": "page_views",
            "dimension": "item",
            "value": f"item-{i}",
            "granularity": "day",
            "start": DAY,
            "count": i + 1,
        }
        for i in range(450)
    ]
    await store.cell_rollups.insert_many(old)
    await store.tables.insert_one(
        {
            "_id": f"lublin|page_views|item|day|{DAY.isoformat()}",
            "city": "lublin",
            "metric": "page_views",
            "dimension": "item",
            "granularity": "day",
            "start": DAY,
            "counts": {"item-0": 5},
        }
    )

    moved = await asyncio.gather(store.fold_cell_rollups(chunk=40), store.fold_cell_rollups(chunk=40))

    assert sum(moved) == 450
    assert await store.cell_rollups.count_documents({}) == 0
    items = await store.cells("lublin", "page_views", "item", "day", DAY, DAY)
    assert {c["value"]: c["count"] for c in items} == {
        f"item-{i}": i + 1 + (5 if i == 0 else 0) for i in range(450)
    }
