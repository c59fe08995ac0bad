"""Indicator figures are published once audited, and then as audited for good.

A dataset reaches the processor whole (`stats.indicator_datasets`) and is stored with no cell decided.
Then the audit (`witaj.stats.indicator_audit`) takes every dataset of the city about the same population,
those decided before as they were published, and decides the new ones; only then does any output show
them: the API, its downloads and open data read the stored decisions, and the stat stream sends them
once. So every output shows the same cells and hides the same ones.

Two audits of one population must not decide on different grounds: each runs on what it read, and
stores its decisions only if nothing of that population was stored meanwhile (a version the batches
move in the same transaction as their datasets); otherwise the next round audits it afresh.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pymongo import UpdateOne
from witaj.shared.errors import ApiError, NotFound
from witaj.shared.events import IndicatorCell
from witaj.shared.mongo import Session, in_transaction
from witaj.stats.indicator_audit import Dataset, decide
from witaj.stats.indicators import published_cells
from witaj.stats.rollups import RollupStore


async def audit_due(store: RollupStore, platform: int, serves: Callable[[str], bool]) -> int:
    """Decide every dataset not decided yet (of served cities), each city's with its threshold (the
    `platform`'s, or the city's own where it raises it); returns how many were decided."""
    due = {
        (d["city"], d["family"])
        async for d in store.indicator_datasets.find({"audited": False}, {"city": 1, "family": 1})
        if serves(d["city"])
    }
    done = 0
    for city, family in sorted(due):
        done += await _audit(store, city, family, await store.threshold(city, platform))
    return done


async def _audit(store: RollupStore, city: str, family: str, threshold: int) -> int:
    marker = f"{city}|{family}"
    found = await store.indicator_families.find_one({"_id": marker})
    version = found["version"] if found else 0
    docs = [d async for d in store.indicator_datasets.find({"city": city, "family": family}).sort("_id")]
    rows: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    query = {"city": city, "indicator": {"$in": sorted({d["indicator"] for d in docs})}}
    async for row in store.indicators.find(query).sort("_id"):
        rows[(row["indicator"], row["period"], row["dataset_id"])].append(row)
    datasets = [
        Dataset(d["indicator"], d["period"], rows[(d["indicator"], d["period"], d["dataset_id"])])
        for d in docs
    ]
    decisions = await asyncio.to_thread(decide, datasets, threshold)

    async def store_decisions(session: Session) -> int:
        moved = await store.indicator_families.update_one(
            {"_id": marker, "version": version}, {"$inc": {"version": 1}}, session=session
        )
        if moved.matched_count == 0:
            return 0  # a dataset of this population came meanwhile: the next round decides afresh
        decided = 0
        for doc, dataset, shown in zip(docs, datasets, decisions, strict=True):
            if doc["audited"]:
                continue
            ops = [
                UpdateOne({"_id": r["_id"]}, {"$set": {"shown": s}})
                for r, s in zip(dataset.rows, shown, strict=True)
            ]
            if ops:
                await store.indicators.bulk_write(ops, ordered=False, session=session)
            await store.indicator_datasets.update_one(
                {"_id": doc["_id"], "dataset_id": doc["dataset_id"]},
                {"$set": {"audited": True}},
                session=session,
            )
            decided += 1
        return decided

    return await in_transaction(store.client, store_decisions)


async def figures(store: RollupStore, city: str, code: str, period: str) -> list[IndicatorCell]:
    """A dataset's cells as published; 404 when there is none, or none decided yet."""
    rows = [d async for d in store.indicators.find({"city": city, "indicator": code, "period": period})]
    if not rows:
        raise NotFound(f"Figures of {code!r} for {period} in {city!r}")
    if any(r.get("shown") is None for r in rows):
        raise ApiError(
            404,
            "not_audited",
            f"Figures of {code!r} for {period} in {city!r} are being checked for small groups of people; "
            "they are published in a moment",
        )
    return published_cells(rows)
