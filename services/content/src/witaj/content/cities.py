"""City configuration, owned here: create and update it, publish every change as a full snapshot.

The other services (and this service's own replicas) keep their copies from `city.config`, so a change
is written with its CityConfigured event in one transaction through the outbox. A new city gets its
starting topic tree in the same transaction (see `topic_tree.py`). The routes are in `cities_api.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.content.events import SOURCE
from witaj.content.topic_tree import TopicTreeStore
from witaj.shared.envelope import Envelope, wrap
from witaj.shared.errors import ApiError, Conflict, NotFound
from witaj.shared.events import CityConfig, CityConfigured
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.topics import CITY_CONFIG


class CityStore:
    """The authoritative city configurations (collection `cities`)."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        outbox: Outbox,
        trees: TopicTreeStore,
        *,
        applied: Callable[[Envelope[Any]], Awaitable[object]] | None = None,
    ) -> None:
        self.collection = db["cities"]
        self.outbox = outbox
        self.trees = trees
        self.applied = applied
        """Called with each change once it is committed: this replica's own copy of the cities (the
        runtime's) answers with it at once, not only when its event comes back from the broker."""

    async def get(self, city: str) -> tuple[CityConfig, int] | None:
        doc = await self.collection.find_one({"_id": city})
        if doc is None:
            return None
        return CityConfig.model_validate(doc["config"]), int(doc["revision"])

    async def list(self) -> list[tuple[CityConfig, int]]:
        return [
            (CityConfig.model_validate(doc["config"]), int(doc["revision"]))
            async for doc in self.collection.find({}, sort=[("_id", 1)])
        ]

    async def create(self, config: CityConfig, *, by: str) -> int:
        async def work(session: Session) -> None:
            try:
                await self.collection.insert_one(
                    {
                        "_id": config.id,
                        "config": config.model_dump(mode="json"),
                        "revision": 1,
                        "updated_at": datetime.now(UTC),
                        "updated_by": by,
                    },
                    session=session,
                )
            except DuplicateKeyError:
                raise Conflict(f"The city '{config.id}' already exists", code="city_exists") from None
            await self._announce(session, config, 1)
            await self.trees.seed_in(session, config.id)

        await self.outbox.transaction(work)
        await self._apply(config, 1)
        return 1

    async def update(self, config: CityConfig, *, by: str, expected_revision: int | None = None) -> int:
        async def work(session: Session) -> int:
            current = await self.collection.find_one({"_id": config.id}, session=session)
            if current is None:
                raise NotFound(f"The city '{config.id}'")
            if expected_revision is not None and current["revision"] != expected_revision:
                raise ApiError(
                    412,
                    "revision_mismatch",
                    f"The city was changed meanwhile (now revision {current['revision']}); reload and retry",
                )
            revision = int(current["revision"]) + 1
            await self.collection.update_one(
                {"_id": config.id, "revision": current["revision"]},
                {
                    "$set": {
                        "config": config.model_dump(mode="json"),
                        "revision": revision,
                        "updated_at": datetime.now(UTC),
                        "updated_by": by,
                    }
                },
                session=session,
            )
            await self._announce(session, config, revision)
            return revision

        revision = await self.outbox.transaction(work)
        await self._apply(config, revision)
        return revision

    @staticmethod
    def _event(config: CityConfig, revision: int) -> Envelope[CityConfigured]:
        data = CityConfigured(config=config, revision=revision)
        return wrap(data, source=SOURCE, city=config.id, subject=config.id)

    async def _announce(self, session: Session, config: CityConfig, revision: int) -> None:
        await self.outbox.add(session, CITY_CONFIG, self._event(config, revision), key=config.id.encode())

    async def _apply(self, config: CityConfig, revision: int) -> None:
        if self.applied is not None:  # the same snapshot the event carries: applying it twice is harmless
            await self.applied(self._event(config, revision))
