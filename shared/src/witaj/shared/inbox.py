"""Idempotent event handling: the consumed event's id is stored in the same transaction as its effect.

Kafka delivers at least once (a crash before the offset commit re-delivers a batch), so each consumer
remembers what it has applied. Because the marker and the effect commit together, an event is applied
exactly once even when it arrives twice, a replica dies half-way, or the outbox relay republishes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from witaj.shared.envelope import Envelope
from witaj.shared.kafka import Handler
from witaj.shared.mongo import Document, Session, in_transaction

T = TypeVar("T")
Effect = Callable[[Envelope[Any], Session], Awaitable[None]]
Effects = Callable[[list[Envelope[Any]], Session], Awaitable[None]]


class Inbox:
    def __init__(
        self,
        client: AsyncMongoClient[Document],
        db: AsyncDatabase[Document],
        consumer: str,
        *,
        retention: timedelta = timedelta(days=30),
    ) -> None:
        self.client = client
        self.collection = db["inbox"]
        self.consumer = consumer
        self.retention = retention

    async def ensure_indexes(self) -> None:
        # Markers only need to outlive the broker's retention: older events cannot be re-delivered.
        await self.collection.create_index(
            "applied_at", expireAfterSeconds=int(self.retention.total_seconds()), name="inbox_ttl"
        )

    def _key(self, envelope: Envelope[Any]) -> str:
        return f"{self.consumer}:{envelope.id}"

    async def apply(self, envelope: Envelope[Any], effect: Effect) -> bool:
        """Apply `effect` unless this consumer already did; True when it ran now."""
        key = self._key(envelope)

        async def work(session: Session) -> bool:
            if await self.collection.find_one({"_id": key}, {"_id": 1}, session=session):
                return False
            await effect(envelope, session)
            await self.collection.insert_one(
                {"_id": key, "type": envelope.type, "applied_at": datetime.now(UTC)}, session=session
            )
            return True

        return await self.transaction(work)

    async def apply_many(self, envelopes: list[Envelope[Any]], effects: Effects) -> int:
        """Apply `effects` once to those of `envelopes` this consumer has not applied (the first copy
        of each), with their markers, in one transaction; how many were applied now."""
        keys = {self._key(e): e for e in envelopes}

        async def work(session: Session) -> int:
            seen = {
                d["_id"]
                async for d in self.collection.find({"_id": {"$in": list(keys)}}, {"_id": 1}, session=session)
            }
            fresh = [envelope for key, envelope in keys.items() if key not in seen]
            if fresh:
                await effects(fresh, session)
                now = datetime.now(UTC)
                await self.collection.insert_many(
                    [{"_id": self._key(e), "type": e.type, "applied_at": now} for e in fresh], session=session
                )
            return len(fresh)

        return await self.transaction(work)

    async def transaction(self, work: Callable[[Session], Awaitable[T]]) -> T:
        return await in_transaction(self.client, work)

    def handler(self, effect: Effect) -> Handler:
        """A consumer handler that applies `effect` at most once per event."""

        async def handle(envelope: Envelope[Any]) -> None:
            await self.apply(envelope, effect)

        return handle

    async def seen(self, envelope: Envelope[Any]) -> bool:
        return await self.collection.find_one({"_id": self._key(envelope)}, {"_id": 1}) is not None
