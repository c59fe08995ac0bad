"""The stats database: rollup counters written effectively once, and the reads the API makes of them.

Kafka delivers at least once and this broker cannot run transactions, so exactly-once comes from
MongoDB: each batch's increments and the last offset applied per topic partition commit in one
transaction. A batch re-delivered after a crash or a `kill -9` finds its offsets already recorded and
only its unseen records are counted; nothing counts twice and, because offsets are committed to Kafka
only after the transaction, nothing is lost. Concurrent owners of a partition (during a rebalance)
conflict on the offset marker document, and the loser's transaction retries against the new marker.

Offsets only cover what the consumer reads twice. Producers may also *send* an event twice under the
same id: an outbox relay killed between publishing and marking publishes again, and so does a notify
fan-out resuming a batch after a crash. Such a copy has a new offset, so records marked `by_id` (every
topic but the fire-and-forget usage signals, which are sent once and are too many to remember) also
leave their event id in `applied_events` in the same transaction, and a known id is not counted again.

Counts are stored a table to a document (`rollup_tables`): a metric by one dimension in one window, its
values as the fields of `counts`. A batch is then one upsert per table it touches (tens) rather than one
per value (hundreds), and those upserts, not the events, are what a batch costs the database: per value,
a busy second held the database 100-345 ms, long enough to stall every other service's requests behind
it (docs/benchmarks.md). A table's document holds one number per value seen in its window: a day of a
city's items is a few thousand fields at most, far from MongoDB's 16 MB.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pymongo import ASCENDING, AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError
from witaj.shared.cities import stored_config
from witaj.shared.envelope import Envelope
from witaj.shared.mongo import Document, Session, ensure_expiry, in_transaction
from witaj.stats import places, questions
from witaj.stats.indicator_audit import family
from witaj.stats.indicators import dataset_documents
from witaj.stats.metrics import PEOPLE_METRICS, Counter, Effects, TallyKey
from witaj.stats.windows import Granularity, window_start

ALL_WINDOWS = (Granularity.MINUTE, Granularity.HOUR, Granularity.DAY)
COARSE_WINDOWS = (Granularity.HOUR, Granularity.DAY)
APPLIED_RETENTION = timedelta(days=7)
"""How long an applied event id is remembered: far longer than a relay or a fan-out takes to resend."""
WIDE_DIMENSIONS = frozenset({"item", "event", "organisation"})
"""Dimensions with thousands of values: counted per hour and day only, as a minute of one item is noise
and its writes would dominate each batch."""


def windows_for(metric: str, dimension: str) -> tuple[Granularity, ...]:
    if metric in PEOPLE_METRICS:
        return (Granularity.DAY,)
    return COARSE_WINDOWS if dimension in WIDE_DIMENSIONS else ALL_WINDOWS


class Record(NamedTuple):
    """One consumed message as the processor read it. A tuple, as a batch holds tens of thousands."""

    topic: str
    partition: int
    offset: int
    tally: TallyKey | None
    """What it counts, worked out when it was read; None when it counts nothing or did not decode."""
    envelope: Envelope[Any] | None = None
    """The event, kept only where it is needed after reading: events counted once per id (`by_id`) and
    events with effects beyond counters (`Counter.note`). Page views, the bulk, are kept as tallies."""
    by_id: bool = False
    """Its producer may send it again under the same id: count it once per id, not once per offset."""


@dataclass(frozen=True)
class GroupKey:
    """One table of a stat stream: a metric by one dimension in one window."""

    city: str
    metric: str
    dimension: str
    granularity: str
    start: datetime

    @property
    def id(self) -> str:
        """Id of the table's document."""
        return f"{self.city}|{self.metric}|{self.dimension}|{self.granularity}|{self.start.isoformat()}"


@dataclass
class Applied:
    counted: int
    changed: dict[GroupKey, set[str]]
    """The tables a batch changed, and which of their values."""
    datasets: list[Envelope[Any]]


def marker(topic: str, partition: int) -> str:
    """Id of the document holding the last offset applied from one topic partition."""
    return f"{topic}:{partition}"


_ESCAPED = re.compile(r"%(25|2E|24|00)")


def field_name(value: str) -> str:
    """A value as a field of a table's `counts`. MongoDB reads `.` in a field as a path, `$` as an
    operator and an empty name not at all, so those (and `%`, the escape itself) are escaped."""
    escaped = value.replace("%", "%25").replace(".", "%2E").replace("$", "%24").replace("\0", "%00")
    return escaped or "%"


def value_of(field: str) -> str:
    """The value a `field_name` stands for."""
    return "" if field == "%" else _ESCAPED.sub(lambda m: chr(int(m[1], 16)), field)


def table_cells(doc: Document) -> list[Document]:
    """A table's document as one document per value: what the reads hand on."""
    base = {k: doc[k] for k in ("city", "metric", "dimension", "granularity", "start")}
    return [{**base, "value": value_of(f), "count": n} for f, n in doc.get("counts", {}).items()]


class RollupStore:
    def __init__(self, client: AsyncMongoClient[Document], db: AsyncDatabase[Document]) -> None:
        self.client = client
        self.db = db
        self.tables = db["rollup_tables"]
        self.cell_rollups = db["rollups"]
        """Where counts were kept a value to a document before tables (`fold_cell_rollups`)."""
        self.offsets = db["offsets"]
        self.applied = db["applied_events"]
        self.queries = db["zero_queries"]
        self.gap_releases = db["gap_releases"]
        self.agenda = db["agenda"]
        self.people = db["people"]
        self.questions = db["questions"]
        self.releases = db["releases"]
        self.translations = db["translations"]
        self.indicators = db["indicator_values"]
        self.indicator_datasets = db["indicator_datasets"]
        self.indicator_families = db["indicator_families"]

    async def ensure_indexes(self, query_retention: timedelta) -> None:
        """`query_retention`: how long the text of a zero-result query is kept after its day."""
        await self.tables.create_index(
            [
                ("city", ASCENDING),
                ("metric", ASCENDING),
                ("dimension", ASCENDING),
                ("granularity", ASCENDING),
                ("start", ASCENDING),
            ],
            name="rollup_lookup",
        )
        await self.fold_cell_rollups()
        await self.queries.create_index([("city", ASCENDING), ("language", ASCENDING), ("day", ASCENDING)])
        await ensure_expiry(self.queries, "day", query_retention + timedelta(days=1))
        await self.queries.create_index([("released", ASCENDING), ("day", ASCENDING)], name="queries_due")
        await ensure_expiry(self.gap_releases, "week", query_retention)
        await self.people.create_index([("city", ASCENDING), ("day", ASCENDING)], name="people_day")
        await self.people.create_index([("released", ASCENDING), ("day", ASCENDING)], name="people_due")
        await self.questions.create_index([("city", ASCENDING), ("day", ASCENDING)], name="questions_day")
        await self.questions.create_index([("released", ASCENDING), ("day", ASCENDING)], name="questions_due")
        await self.releases.create_index([("city", ASCENDING), ("day", ASCENDING)], name="release_day")
        await self.releases.create_index([("published", ASCENDING)], name="release_published")
        await self.indicators.create_index(
            [("indicator", ASCENDING), ("city", ASCENDING), ("period", ASCENDING)]
        )
        await self.indicator_datasets.create_index([("audited", ASCENDING)], name="dataset_audited")
        await self.indicator_datasets.create_index([("published", ASCENDING)], name="dataset_published")
        await self.applied.create_index(
            "at", expireAfterSeconds=int(APPLIED_RETENTION.total_seconds()), name="applied_ttl"
        )

    async def fold_cell_rollups(self, chunk: int = 500) -> int:
        """Move counts kept a value to a document (before tables) into their tables; returns how many.

        Each chunk is added to its tables and deleted in one transaction, so a crash or a second replica
        doing the same at once counts nothing twice: the replica whose transaction conflicts retries on
        what is left."""
        moved = 0
        while True:

            async def fold(session: Session) -> int:
                docs = [d async for d in self.cell_rollups.find({}, session=session).limit(chunk)]
                tables: dict[GroupKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
                for d in docs:
                    key = GroupKey(d["city"], d["metric"], d["dimension"], d["granularity"], d["start"])
                    tables[key][f"counts.{field_name(d['value'])}"] += int(d["count"])
                if docs:
                    await self.tables.bulk_write(
                        [_table_update(key, counts) for key, counts in tables.items()],
                        ordered=False,
                        session=session,
                    )
                    await self.cell_rollups.delete_many(
                        {"_id": {"$in": [d["_id"] for d in docs]}}, session=session
                    )
                return len(docs)

            folded = await in_transaction(self.client, fold)
            if not folded:
                return moved
            moved += folded

    async def threshold(self, city: str, platform: int) -> int:
        """The smallest count of people the city's figures show: the platform's, or the city's own where
        its configuration (kept in this database by the API's runtime) raises it."""
        config = await stored_config(self.db, city)
        return max(platform, config.privacy_threshold or 0) if config else platform

    async def once(self, collection: AsyncCollection[Document], docs: list[Document]) -> None:
        """Store documents made once for good under their ids (releases): where another process stored
        one first, the first stays, since it may have been read already."""
        try:
            await collection.insert_many(docs, ordered=False)
        except BulkWriteError:
            pass

    async def markers(self, ids: set[str]) -> dict[str, int]:
        return {d["_id"]: d["offset"] async for d in self.offsets.find({"_id": {"$in": sorted(ids)}})}

    async def load_translations(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {
            (d["city"], d["item"], d["language"]): {"state": d["state"], "outdated": d["outdated"]}
            async for d in self.translations.find({})
        }

    async def apply(self, records: list[Record], counter: Counter) -> Applied:
        """Count the batch's records not counted before, and move the offset markers, atomically."""
        markers = {p: marker(*p) for p in {(r.topic, r.partition) for r in records}}
        # A partition's records come in offset order, so its first record here is its earliest.
        earliest = {(r.topic, r.partition): r.offset for r in reversed(records)}

        async def work(session: Session) -> Applied:
            ids = sorted(markers.values())
            seen = {
                d["_id"]: d["offset"] async for d in self.offsets.find({"_id": {"$in": ids}}, session=session)
            }
            floor = {p: seen.get(m, -1) for p, m in markers.items()}
            # Usually all of a batch is new (a replay after a crash or a rebalance is the exception),
            # which saves a test per record.
            if all(offset > floor[p] for p, offset in earliest.items()):
                fresh = records
            else:
                fresh = [r for r in records if r.offset > floor[(r.topic, r.partition)]]
            first = await self._first_sightings(fresh, session)
            effects = Effects()
            tallies = effects.tallies
            for _, _, _, tally, envelope, by_id in fresh:
                if envelope is None:  # the bulk: page views and the like, counted by offset alone
                    if tally is not None and not by_id:
                        tallies.append(tally)
                    continue
                if by_id:
                    if str(envelope.id) not in first:
                        continue  # sent again by its producer: counted already
                    first.discard(str(envelope.id))  # a second copy later in this batch
                if tally is not None:
                    tallies.append(tally)
                counter.note(envelope, effects)
            applied = await self._write(effects, session)
            applied.counted = len(fresh)
            # In offset order, so each partition's last record here is its latest.
            latest = {markers[(r.topic, r.partition)]: r.offset for r in fresh}
            if latest:
                await self.offsets.bulk_write(
                    [UpdateOne({"_id": m}, {"$set": {"offset": o}}, upsert=True) for m, o in latest.items()],
                    ordered=False,
                    session=session,
                )
            return applied

        return await in_transaction(self.client, work)

    async def _first_sightings(self, records: list[Record], session: Session) -> set[str]:
        """Remember the ids of `by_id` records; those not remembered before (to be counted now).

        One upsert per id tells new from known in a single round trip, and two processors applying the
        same id at once conflict on its document, so one of their transactions retries and skips it.
        """
        ids = list(dict.fromkeys(str(r.envelope.id) for r in records if r.by_id and r.envelope is not None))
        if not ids:
            return set()
        now = datetime.now(UTC)
        result = await self.applied.bulk_write(
            [UpdateOne({"_id": i}, {"$setOnInsert": {"at": now}}, upsert=True) for i in ids],
            ordered=False,
            session=session,
        )
        return {str(i) for i in (result.upserted_ids or {}).values()}

    async def _write(self, effects: Effects, session: Session) -> Applied:
        tables: dict[GroupKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        changed: dict[GroupKey, set[str]] = defaultdict(set)
        for (city, minute, metric, dimension, value), amount in effects.counts().items():
            for grain in windows_for(metric, dimension):
                key = GroupKey(city, metric, dimension, grain.value, window_start(minute, grain))
                tables[key][f"counts.{field_name(value)}"] += amount
                changed[key].add(value)
        if tables:
            ops = [_table_update(key, counts) for key, counts in tables.items()]
            await self.tables.bulk_write(ops, ordered=False, session=session)
        await self._write_queries(effects, session)
        await self._write_state(effects, session)
        await places.write(self.people, self.agenda, effects.places, session)
        await questions.write(self.questions, effects.questions, session)
        for dataset in effects.datasets:
            await self._write_dataset(dataset, session)
        return Applied(0, dict(changed), list(effects.datasets))

    async def _write_dataset(self, dataset: Envelope[Any], session: Session) -> None:
        """Replace the city's figures of an indicator and period, to be audited before anything of them is
        published; the population they count changes, so an audit of it under way starts again."""
        data = dataset.data
        population = family(data.indicator)
        where = {"city": dataset.city, "indicator": data.indicator, "period": data.period}
        await self.indicators.delete_many(where, session=session)
        await self.indicators.insert_many(dataset_documents(dataset), session=session)
        await self.indicator_datasets.replace_one(
            {"_id": f"{dataset.city}|{data.indicator}|{data.period}"},
            {
                **where,
                "family": population,
                "dataset_id": data.dataset_id,
                "audited": False,
                "published": False,
            },
            upsert=True,
            session=session,
        )
        await self.indicator_families.update_one(
            {"_id": f"{dataset.city}|{population}"}, {"$inc": {"version": 1}}, upsert=True, session=session
        )

    async def _write_queries(self, effects: Effects, session: Session) -> None:
        merged: dict[str, tuple[dict[str, Any], int, set[str]]] = {}
        for envelope, language, query, session_hash in effects.queries:
            day = window_start(envelope.time, Granularity.DAY)
            key = f"{envelope.city}|{language}|{day.date().isoformat()}|{query}"
            base, count, hashes = merged.get(key) or (
                {"city": envelope.city, "language": language, "day": day, "query": query},
                0,
                set(),
            )
            merged[key] = (base, count + 1, hashes | ({session_hash} if session_hash else set()))
        ops = [
            UpdateOne(
                {"_id": key},
                {"$inc": {"count": n}, "$addToSet": {"sessions": {"$each": sorted(h)}}, "$setOnInsert": base},
                upsert=True,
            )
            for key, (base, n, h) in merged.items()
        ]
        if ops:
            await self.queries.bulk_write(ops, ordered=False, session=session)

    async def _write_state(self, effects: Effects, session: Session) -> None:
        ops = []
        for (city, event), facts in effects.capacities.items():
            change: dict[str, Any] = {"$set": {"city": city, "event": event, **facts}}
            start = change["$set"].pop("start")
            if start is not None:
                change["$min"] = {"start": start}  # a course's first start, not its next one
            ops.append(UpdateOne({"_id": f"{city}|{event}"}, change, upsert=True))
        if ops:
            await self.agenda.bulk_write(ops, ordered=False, session=session)
        ops = [
            UpdateOne(
                {"_id": f"{city}|{item}|{language}"},
                {"$set": {"city": city, "item": item, "language": language, **state}},
                upsert=True,
            )
            for (city, item, language), state in effects.translations.items()
        ]
        if ops:
            await self.translations.bulk_write(ops, ordered=False, session=session)

    # ------------------------------------------------------------------------------------------ reads

    async def cells(
        self, city: str, metric: str, dimension: str, granularity: str, start: datetime, end: datetime
    ) -> list[Document]:
        """Every count of a metric by a dimension in the windows from `start` to `end`, one document per
        value and window (`value`, `count`, `start`, ...)."""
        query = {
            "city": city,
            "metric": metric,
            "dimension": dimension,
            "granularity": granularity,
            "start": {"$gte": start, "$lte": end},
        }
        return [cell async for doc in self.tables.find(query) for cell in table_cells(doc)]

    async def counted(
        self,
        metric: str,
        dimension: str = "total",
        value: str = "",
        granularity: str = "day",
        city: str | None = None,
    ) -> int:
        """A value's count summed over every window of a granularity (in one city, or all): for checks."""
        query: dict[str, Any] = {"metric": metric, "dimension": dimension, "granularity": granularity}
        if city is not None:
            query["city"] = city
        name = field_name(value)
        return sum([int(d.get("counts", {}).get(name, 0)) async for d in self.tables.find(query)])

    async def changed(self, applied: Applied, *, minutes: bool) -> dict[GroupKey, dict[str, int]]:
        """The counts a batch changed, as they stand now: per table, its changed values only."""
        keys = {k.id: k for k in applied.changed if minutes or k.granularity != "minute"}
        out: dict[GroupKey, dict[str, int]] = {}
        if not keys:
            return out  # a batch that counted nothing (dead letters only, say): no round trip
        async for doc in self.tables.find({"_id": {"$in": sorted(keys)}}):
            key = keys[doc["_id"]]
            counts = doc.get("counts", {})
            out[key] = {v: int(counts.get(field_name(v), 0)) for v in sorted(applied.changed[key])}
        return out


def _table_update(key: GroupKey, counts: dict[str, int]) -> UpdateOne:
    """Add `counts` (`counts.<field>` to amount) to a table's document, made on its first count."""
    return UpdateOne({"_id": key.id}, {"$inc": counts, "$setOnInsert": asdict(key)}, upsert=True)
