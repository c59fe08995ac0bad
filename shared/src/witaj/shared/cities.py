"""Each service's own copy of every city's configuration, kept current from the `city.config` topic.

The content service owns city configuration and publishes full snapshots with a revision number; every
service (content included) applies them here. Snapshots are idempotent: an older or repeated revision
changes nothing, so every replica can apply every snapshot (see `Runtime`, which consumes this topic in
broadcast mode so each replica's in-memory copy sees all cities).
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.shared.envelope import Envelope
from witaj.shared.errors import ApiError
from witaj.shared.events.cities import CityConfig, CityConfigured
from witaj.shared.languages import LanguageChoice, choose_language, is_known, parse_accept_language
from witaj.shared.mongo import Document


class CityNotFound(ApiError):
    def __init__(self, city: str) -> None:
        super().__init__(404, "city_not_found", f"Witaj does not serve a city called '{city}' here")


class CityCatalog:
    def __init__(self, db: AsyncDatabase[Document], *, served: list[str] | None = None) -> None:
        self.collection = db["city_configs"]
        self.served = set(served or [])
        self._cities: dict[str, CityConfig] = {}
        self._revisions: dict[str, int] = {}

    async def load(self) -> None:
        async for doc in self.collection.find({}):
            self._remember(CityConfig.model_validate(doc["config"]), doc["revision"])

    def _remember(self, config: CityConfig, revision: int) -> None:
        if revision >= self._revisions.get(config.id, 0):
            self._cities[config.id] = config
            self._revisions[config.id] = revision

    async def apply(self, envelope: Envelope[Any]) -> bool:
        """Store a snapshot if it is newer than ours; True when it changed anything."""
        event = envelope.data
        if not isinstance(event, CityConfigured):
            return False
        if self.served and event.config.id not in self.served:
            return False
        try:
            result = await self.collection.update_one(
                {"_id": event.config.id, "revision": {"$lt": event.revision}},
                {"$set": {"config": event.config.model_dump(mode="json"), "revision": event.revision}},
                upsert=True,
            )
        except DuplicateKeyError:
            result = None  # we already hold this revision or a newer one
        self._remember(event.config, event.revision)
        return bool(result and (result.modified_count or result.upserted_id))

    def get(self, city: str) -> CityConfig | None:
        if self.served and city not in self.served:
            return None
        return self._cities.get(city)

    def require(self, city: str) -> CityConfig:
        config = self.get(city)
        if config is None:
            raise CityNotFound(city)
        return config

    def revision(self, city: str) -> int:
        return self._revisions.get(city, 0)

    def all(self) -> list[CityConfig]:
        return sorted(
            (c for c in self._cities.values() if not self.served or c.id in self.served), key=lambda c: c.id
        )

    def choose_language(
        self,
        city: str,
        available: list[str] | set[str],
        *,
        lang: str | None = None,
        accept_language: str | None = None,
    ) -> LanguageChoice | None:
        """The language to serve from `available`, by the reader's wishes and the city's fallbacks."""
        config = self.require(city)
        if lang is not None and not is_known(lang):
            raise ApiError(
                400,
                "unknown_language",
                f"'{lang}' is not a language code Witaj knows (use e.g. 'en', 'uk', 'ar')",
            )
        preferences = ([lang] if lang else []) + parse_accept_language(accept_language)
        return choose_language(
            preferences, available, default_language=config.default_language, fallbacks=config.fallbacks
        )
