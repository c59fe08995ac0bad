"""Transactional outbox: a change and its events commit in one MongoDB transaction; a relay publishes.

Writing to the database and then to Kafka can fail in between and lose the event; writing to Kafka first
can announce a change that never happened. Instead a service writes its events into its own `outbox`
collection inside the transaction that makes the change, and `OutboxRelay` publishes pending events in
order and marks them. If the process dies before publishing, the events are still pending after restart;
if it dies after publishing but before marking, they are published again, and idempotent consumers
(`witaj.shared.inbox`) apply them once.

Order. Each event gets the next number of its aggregate (its topic and key, hence its partition) from a
counter document written in the same transaction, so two transactions on one aggregate conflict on the
counter and one retries after the other committed: the numbers follow commit order, with no gaps (a
number taken by a transaction that aborted is taken back with it). A number made at write time by the
writer (a timestamp, an ObjectId) could not do this: the later writer may commit first, and two
replicas' ids do not even compare by time. The relay reads pending events from one snapshot, lowest
numbers first, so whenever a batch holds an event, it also holds every earlier event of its aggregate
still pending; the others were published before the snapshot.

The guarantee, precisely: every committed event is published at least once, and per aggregate the
first copy of each event reaches Kafka after the first copy of every event committed before it. Extra
copies carry the same event id and arrive only after their first copy, so consumers with an inbox apply
each event once and in commit order. Extra copies are rare: a relay publishes only while it holds the
lease, checked with its epoch just before each batch is sent, and a relay that finds it lost the lease
stops at once; only a batch that was in flight when its relay lost the lease (paused past the lease,
or killed before marking it) is sent twice. Kafka itself cannot refuse the sends of a deposed relay
without broker transactions, so that window stays; the order above holds regardless of leases.

Cost. The outbox is written by every change, so it is kept to as few writes as ordering allows: the
events one transaction stages for one aggregate share one document (a *bundle*, numbered by its first
event; a registration batch of a hundred is one outbox write, not a hundred), and published bundles are
removed by the relay once `retention` has passed, through the index it reads pending bundles by, rather
than by an expiry index of their own that every write would also have to update. The lease is written
only once a quarter of it has gone by since the last renewal (by the relay's own clock, read before
that renewal was sent): until then no other relay can have taken it, since it was still three quarters
from expiring, and a relay woken by every write would otherwise write its lease twice per write.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pymongo import ASCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError
from witaj.shared.envelope import Envelope, registry
from witaj.shared.kafka import EventPublisher
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session, drop_indexes, in_transaction
from witaj.shared.worker import Worker

log = get_logger(__name__)
T = TypeVar("T")

PUBLISH_ORDER = [("aggregate_seq", ASCENDING), ("seq", ASCENDING)]
"""Pending events, lowest aggregate numbers first (`seq`, a write-time id, orders only events staged
before aggregate numbers existed, which have none and so come first)."""

READ_AHEAD = 50
"""Outbox documents the relay reads per round trip while filling a batch."""

BUNDLE_EVENTS = 200
BUNDLE_BYTES = 4_000_000
"""At most this many events, or encoded bytes, share one outbox document (a document holds 16 MB)."""


def encoded_events(doc: Document) -> list[bytes]:
    """The encoded events of an outbox document, in order (a bundle's, or the single one of a document
    written before bundles)."""
    return [bytes(value) for value in doc["values"]] if "values" in doc else [bytes(doc["value"])]


def _bundles(envelopes: list[Envelope[Any]]) -> list[list[tuple[Envelope[Any], bytes]]]:
    """Consecutive runs of encoded events, each within `BUNDLE_EVENTS` and `BUNDLE_BYTES`."""
    bundles: list[list[tuple[Envelope[Any], bytes]]] = []
    size = 0
    for envelope in envelopes:
        value = registry.encode(envelope)
        if not bundles or len(bundles[-1]) >= BUNDLE_EVENTS or size + len(value) > BUNDLE_BYTES:
            bundles.append([])
            size = 0
        bundles[-1].append((envelope, value))
        size += len(value)
    return bundles


class Outbox:
    """The write side: add events inside the caller's transaction."""

    def __init__(
        self,
        client: AsyncMongoClient[Document],
        db: AsyncDatabase[Document],
        *,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self.client = client
        self.collection = db["outbox"]
        self.leases = db["outbox_lease"]
        self.sequences = db["outbox_sequences"]
        """One counter per aggregate (topic and key): the number of its last event."""
        self.retention = retention
        self.wakers: list[Callable[[], None]] = []
        """The relays to wake when a transaction committed events (`OutboxRelay` adds itself)."""

    async def ensure_indexes(self) -> None:
        # "outbox_pending" was ordered by write-time ids; "outbox_ttl" is now the relay's `expire`.
        await drop_indexes(self.collection, "outbox_pending", "outbox_ttl")
        await self.collection.create_index(
            [("published_at", ASCENDING), *PUBLISH_ORDER], name="outbox_pending_order"
        )

    async def add(
        self, session: Session, topic: str, *envelopes: Envelope[Any], key: bytes | None = None
    ) -> None:
        """Stage events for `topic` in the caller's transaction (logical topic name), each numbered
        within its aggregate in commit order; an aggregate's events share a bundle (see the module)."""
        now = datetime.now(UTC)
        by_key: dict[bytes, list[Envelope[Any]]] = {}
        for envelope in envelopes:
            by_key.setdefault(key or envelope.key, []).append(envelope)
        docs = []
        for aggregate, events in by_key.items():
            counter = await self.sequences.find_one_and_update(
                {"_id": {"topic": topic, "key": aggregate}},
                {"$inc": {"seq": len(events)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            assert counter is not None  # upserted
            number = counter["seq"] - len(events) + 1
            for bundle in _bundles(events):
                types = sorted({envelope.type for envelope, _ in bundle})
                docs.append(
                    {
                        "_id": str(bundle[0][0].id),
                        "aggregate_seq": number,
                        "topic": topic,
                        "key": aggregate,
                        "values": [value for _, value in bundle],
                        "type": types[0] if len(types) == 1 else types,
                        "city": bundle[0][0].city,
                        "created_at": now,
                        "published_at": None,
                    }
                )
                number += len(bundle)
        if docs:
            await self.collection.insert_many(docs, session=session)

    async def transaction(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` in a transaction, then wake the relay so its events go out at once."""
        result = await in_transaction(self.client, work)
        self.wake()
        return result

    def wake(self) -> None:
        for wake in self.wakers:
            wake()

    async def pending_count(self) -> int:
        """Outbox documents not yet published (bundles, not events: zero means nothing is waiting)."""
        return await self.collection.count_documents({"published_at": None})

    async def expire(self, now: datetime | None = None) -> int:
        """Remove what was published more than `retention` ago; the number of documents removed."""
        cutoff = (now or datetime.now(UTC)) - self.retention
        result = await self.collection.delete_many({"published_at": {"$lt": cutoff}})
        return result.deleted_count


class OutboxRelay(Worker):
    """Publishes pending outbox events in order; safe to run in every replica (one holds the lease)."""

    def __init__(
        self,
        outbox: Outbox,
        publisher: EventPublisher,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        lease_seconds: float = 15.0,
        expire_every: float = 300.0,
        before_publish: Callable[[list[Document]], Awaitable[None]] | None = None,
        before_mark: Callable[[list[Document]], Awaitable[None]] | None = None,
        name: str = "outbox-relay",
    ) -> None:
        super().__init__(name, poll_interval)
        self.outbox = outbox
        outbox.wakers.append(self.wake)
        self.publisher = publisher
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.expire_every = expire_every
        """Seconds between two removals of what was published past the outbox's retention."""
        self._next_expiry = 0.0
        self._more = False
        """Whether the last batch read left pending events behind it."""
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.epoch: int | None = None
        """The lease's epoch while this relay holds it: each take-over counts one up, so a relay that
        lost the lease cannot renew it, even if it was never told."""
        self._renew_at = 0.0
        """When (monotonic) the held lease is next written; before it, it is surely still held."""
        self._before_publish = before_publish  # seams for tests of pauses and crashes
        self._before_mark = before_mark
        self.published = 0

    async def acquire_lease(self) -> bool:
        """Renew this relay's lease, or take the lease if it expired (a new epoch); whether it holds it.
        A lease renewed less than a quarter of its length ago is held without asking (see the module)."""
        started = time.monotonic()
        if self.epoch is not None and started < self._renew_at:
            return True
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.lease_seconds)
        if self.epoch is not None:
            renewed = await self.outbox.leases.find_one_and_update(
                {"_id": "relay", "owner": self.owner, "epoch": self.epoch, "expires_at": {"$gt": now}},
                {"$set": {"expires_at": until}},
            )
            if renewed is not None:
                self._renew_at = started + self.lease_seconds / 4
                return True
            log.warning("outbox.lease_lost", epoch=self.epoch)
            self.epoch = None
        taken = await self.outbox.leases.find_one_and_update(
            {"_id": "relay", "expires_at": {"$lte": now}},
            {"$set": {"owner": self.owner, "expires_at": until}, "$inc": {"epoch": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if taken is None:
            try:
                await self.outbox.leases.insert_one(
                    {"_id": "relay", "owner": self.owner, "epoch": 1, "expires_at": until}
                )
            except DuplicateKeyError:
                return False  # another relay holds a live lease
            taken = {"epoch": 1}
        self.epoch = int(taken["epoch"])
        self._renew_at = started + self.lease_seconds / 4
        log.info("outbox.lease_taken", epoch=self.epoch)
        return True

    async def release_lease(self) -> None:
        if self.epoch is not None:
            await self.outbox.leases.delete_one({"_id": "relay", "owner": self.owner, "epoch": self.epoch})
            self.epoch = None

    async def pending(self) -> list[Document]:
        """The next batch to publish, read from one snapshot (see the module for why): the lowest
        numbered documents holding at most `batch_size` events (at least one document). Read a few
        documents at a time and no further than the batch, since after a surge each bundle may hold
        a hundred events."""
        batch: list[Document] = []
        events = 0
        self._more = False
        async with self.outbox.client.start_session(snapshot=True) as session:
            cursor = self.outbox.collection.find(
                {"published_at": None},
                sort=PUBLISH_ORDER,
                limit=self.batch_size,
                batch_size=READ_AHEAD,
                session=session,
            )
            try:
                async for doc in cursor:  # a prefix of the order keeps every aggregate's events in order
                    events += len(doc["values"]) if "values" in doc else 1
                    if batch and events > self.batch_size:
                        self._more = True
                        break
                    batch.append(doc)
            finally:
                await cursor.close()
        self._more = self._more or len(batch) == self.batch_size
        return batch

    async def publish_pending(self) -> int:
        """Publish one batch of pending events if this relay holds the lease; the number published."""
        batch = await self.pending()
        if not batch:
            return 0
        if self._before_publish is not None:
            await self._before_publish(batch)
        if not await self.acquire_lease():  # checked just before sending: a deposed relay stops here
            return 0
        messages = [
            (doc["topic"], value, bytes(doc["key"])) for doc in batch for value in encoded_events(doc)
        ]
        await self.publisher.send_many(messages)
        if self._before_mark is not None:
            await self._before_mark(batch)
        await self.outbox.collection.update_many(
            {"_id": {"$in": [doc["_id"] for doc in batch]}, "published_at": None},
            {"$set": {"published_at": datetime.now(UTC)}},
        )
        self.published += len(messages)
        return len(messages)

    async def drain(self) -> int:
        total = 0
        while count := await self.publish_pending():
            total += count
        return total

    async def each_round(self) -> None:
        await self.acquire_lease()  # held between rounds; each batch checks it again before it is sent
        if self.epoch is not None and time.monotonic() >= self._next_expiry:
            self._next_expiry = time.monotonic() + self.expire_every
            await self.outbox.expire()

    async def run_once(self) -> bool:
        """Publish one batch if this relay holds the lease; True when more was pending than one batch
        and it still holds the lease (a lost lease ends the round)."""
        if self.epoch is None:
            return False
        return await self.publish_pending() > 0 and self._more and self.epoch is not None

    async def finish(self) -> None:
        """A last flush, so what the service's stopped workers and consumers wrote goes out now rather
        than at the next start of a replica."""
        if self.epoch is not None:
            await self.drain()

    async def close(self) -> None:
        try:
            await self.release_lease()
        except PyMongoError:
            pass
