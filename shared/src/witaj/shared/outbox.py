"""Transactional outbox: a change and its events commit in one MongoDB transaction; a relay publishes.

Writing to the database and then to Kafka can fail in between and lose the event; writing to Kafka first
can announce a change that never happened. Instead a service writes its events into its own `outbox`
collection inside the transaction that makes the change, and `OutboxRelay` publishes pending events in
order and marks them. If the process dies before publishing, the events are still pending after restart;
if it dies after publishing but before marking, they are published again, and idempotent consumers
(`witaj.shared.inbox`) apply them once. One relay per database holds a lease, so replicas do not race.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError
from witaj.shared.envelope import Envelope, registry
from witaj.shared.kafka import EventPublisher, backoff_seconds
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session, in_transaction

log = get_logger(__name__)
T = TypeVar("T")


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
        self.retention = retention
        self._pending = asyncio.Event()

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("published_at", ASCENDING), ("seq", ASCENDING)], name="outbox_pending"
        )
        await self.collection.create_index(
            "published_at", expireAfterSeconds=int(self.retention.total_seconds()), name="outbox_ttl"
        )

    async def add(
        self, session: Session, topic: str, *envelopes: Envelope[Any], key: bytes | None = None
    ) -> None:
        """Stage events for `topic` in the caller's transaction (logical topic name)."""
        now = datetime.now(UTC)
        docs = [
            {
                "_id": str(envelope.id),
                "seq": ObjectId(),
                "topic": topic,
                "key": key or envelope.key,
                "value": registry.encode(envelope),
                "type": envelope.type,
                "city": envelope.city,
                "created_at": now,
                "published_at": None,
            }
            for envelope in envelopes
        ]
        if docs:
            await self.collection.insert_many(docs, session=session)

    async def transaction(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` in a transaction, then wake the relay so its events go out at once."""
        result = await in_transaction(self.client, work)
        self.wake()
        return result

    def wake(self) -> None:
        self._pending.set()

    async def wait_for_work(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._pending.wait(), timeout)
        except TimeoutError:
            pass
        self._pending.clear()

    async def pending_count(self) -> int:
        return await self.collection.count_documents({"published_at": None})


class OutboxRelay:
    """Publishes pending outbox events in order; safe to run in every replica (one holds the lease)."""

    def __init__(
        self,
        outbox: Outbox,
        publisher: EventPublisher,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        lease_seconds: float = 15.0,
        before_mark: Callable[[list[Document]], Awaitable[None]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.publisher = publisher
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._before_mark = before_mark  # a seam for crash tests
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    async def acquire_lease(self) -> bool:
        now = datetime.now(UTC)
        try:
            doc = await self.outbox.leases.find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + timedelta(seconds=self.lease_seconds)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # another relay holds a live lease
        return bool(doc and doc.get("owner") == self.owner)

    async def release_lease(self) -> None:
        await self.outbox.leases.delete_one({"_id": "relay", "owner": self.owner})

    async def publish_pending(self) -> int:
        """Publish one batch of pending events; the number published."""
        batch = await self.outbox.collection.find(
            {"published_at": None}, sort=[("seq", ASCENDING)], limit=self.batch_size
        ).to_list()
        if not batch:
            return 0
        await self.publisher.send_many(
            (doc["topic"], bytes(doc["value"]), bytes(doc["key"])) for doc in batch
        )
        if self._before_mark is not None:
            await self._before_mark(batch)
        await self.outbox.collection.update_many(
            {"_id": {"$in": [doc["_id"] for doc in batch]}}, {"$set": {"published_at": datetime.now(UTC)}}
        )
        self.published += len(batch)
        return len(batch)

    async def drain(self) -> int:
        total = 0
        while count := await self.publish_pending():
            total += count
        return total

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                if await self.acquire_lease():
                    while await self.publish_pending() == self.batch_size:
                        await self.acquire_lease()
                failures = 0
                await self.outbox.wait_for_work(self.poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the events, try again later
                failures += 1
                log.warning("outbox.relay_retry", error=type(exc).__name__, attempt=failures)
                await asyncio.sleep(backoff_seconds(failures, 200, 10_000))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await self.release_lease()
        except PyMongoError:
            pass
