"""Each service's own copy of every city's configuration, kept current from the `city.config` topic.

The content service owns city configuration and each city's topic tree and publishes full snapshots of
both with revision numbers; every service (content included) applies them here, so events and
subscriptions are tagged with the same topics as content. Snapshots are idempotent: an older or repeated revision
changes nothing, so every replica can apply every snapshot (see `Runtime`, which consumes this topic in
broadcast mode so each replica's in-memory copy sees all cities).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.shared.envelope import Envelope
from witaj.shared.errors import ApiError
from witaj.shared.events.cities import CityConfig, CityConfigured, Feature, TopicTreeChanged
from witaj.shared.events.content import ContentKind
from witaj.shared.languages import LanguageChoice, choose_language, is_known, parse_accept_language
from witaj.shared.mongo import Document


class CityNotFound(ApiError):
    def __init__(self, city: str) -> None:
        super().__init__(404, "city_not_found", f"Witaj does not serve a city called '{city}' here")


FEATURE_NAMES: dict[Feature, str] = {
    Feature.CONTENT: "Information pages are",
    Feature.PROCEDURES: "Step-by-step procedures are",
    Feature.GLOSSARY: "The glossary is",
    Feature.DIRECTORY: "The directory of offices and organisations is",
    Feature.PRACTICES: "Good practices are",
    Feature.EVENTS: "Events and courses are",
    Feature.REGISTRATION: "Registration for events is",
    Feature.NOTIFICATIONS: "Notifications are",
    Feature.FEEDBACK: "Feedback on content is",
    Feature.MACHINE_TRANSLATION: "Machine translation is",
    Feature.STATS: "Statistics are",
    Feature.OPEN_DATA: "Open data is",
}


FEATURE_OF_KIND: dict[ContentKind, Feature] = {
    ContentKind.PAGE: Feature.CONTENT,
    ContentKind.PROCESS: Feature.PROCEDURES,
    ContentKind.GLOSSARY_TERM: Feature.GLOSSARY,
    ContentKind.ORGANISATION: Feature.DIRECTORY,
    ContentKind.PRACTICE: Feature.PRACTICES,
}
"""The switch that shows each kind of content to readers (and lets subscribers hear of it)."""


class FeatureOff(ApiError):
    """A feature the city switched off: for its readers it does not exist there (404)."""

    def __init__(self, config: CityConfig, feature: Feature) -> None:
        super().__init__(
            404,
            "feature_disabled",
            f"{FEATURE_NAMES[feature]} switched off in {config.name}; "
            f"a city admin can switch on the '{feature.value}' feature",
            details={"city": config.id, "feature": feature.value},
        )


def require_feature(config: CityConfig, feature: Feature) -> CityConfig:
    """The city's configuration, once `feature` is known to be switched on there."""
    if not config.has(feature):
        raise FeatureOff(config, feature)
    return config


def refuse_unknown_topics(city: str, tags: Iterable[str], known: set[str] | frozenset[str]) -> None:
    """A 422 naming every tag that is not a topic of the city's tree."""
    unknown = [tag for tag in dict.fromkeys(tags) if tag not in known]
    if unknown:
        names = ", ".join(f"'{tag}'" for tag in unknown)
        what = f"The topic {names} is" if len(unknown) == 1 else f"The topics {names} are"
        raise ApiError(
            422,
            "unknown_topic",
            f"{what} not in the topic tree of '{city}' (see /cities/{city}/topics)",
            details={"unknown": unknown},
        )


CONFIGS = "city_configs"
"""The collection of each service's database holding its copy of the cities' configurations."""


async def stored_config(db: AsyncDatabase[Document], city: str) -> CityConfig | None:
    """The city's configuration as this service's database holds it: for a process that shares the
    database of a service's API but does not follow the topic itself (the stats processor)."""
    doc = await db[CONFIGS].find_one({"_id": city})
    return CityConfig.model_validate(doc["config"]) if doc else None


class CityCatalog:
    def __init__(self, db: AsyncDatabase[Document], *, served: list[str] | None = None) -> None:
        self.collection = db[CONFIGS]
        self.topic_trees = db["city_topic_trees"]
        self.served = set(served or [])
        self._cities: dict[str, CityConfig] = {}
        self._revisions: dict[str, int] = {}
        self._topics: dict[str, tuple[int, dict[str, str | None]]] = {}  # city -> (revision, id -> parent)

    async def load(self) -> None:
        async for doc in self.collection.find({}):
            self._remember(CityConfig.model_validate(doc["config"]), doc["revision"])
        async for doc in self.topic_trees.find({}):
            self._remember_topics(doc["_id"], doc["revision"], doc["parents"])

    def _remember_topics(self, city: str, revision: int, parents: dict[str, str | None]) -> None:
        if revision >= self._topics.get(city, (0, {}))[0]:
            self._topics[city] = (revision, parents)

    def _remember(self, config: CityConfig, revision: int) -> None:
        if revision >= self._revisions.get(config.id, 0):
            self._cities[config.id] = config
            self._revisions[config.id] = revision

    async def apply(self, envelope: Envelope[Any]) -> bool:
        """Store a snapshot if it is newer than ours; True when it changed anything."""
        event = envelope.data
        if isinstance(event, TopicTreeChanged):
            return await self._apply_topics(envelope.city, event)
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

    async def _apply_topics(self, city: str | None, event: TopicTreeChanged) -> bool:
        if city is None or (self.served and city not in self.served):
            return False
        parents = {topic.id: topic.parent for topic in event.topics}
        try:
            result = await self.topic_trees.update_one(
                {"_id": city, "revision": {"$lt": event.revision}},
                {"$set": {"parents": parents, "revision": event.revision}},
                upsert=True,
            )
        except DuplicateKeyError:
            result = None
        self._remember_topics(city, event.revision, parents)
        return bool(result and (result.modified_count or result.upserted_id))

    def topics(self, city: str) -> frozenset[str] | None:
        """The ids of the city's topics, or None while no tree has reached this service."""
        tree = self._topics.get(city)
        return None if tree is None else frozenset(tree[1])

    def with_ancestors(self, city: str, tags: Iterable[str]) -> list[str]:
        """The tags and every topic above them, so 'health-insurance' also reaches those who follow
        'health'. Tags outside the tree stay as they are."""
        parents = self._topics.get(city, (0, {}))[1]
        found: dict[str, None] = {}
        for tag in tags:
            while tag is not None and tag not in found:
                found[tag] = None
                tag = parents.get(tag)  # type: ignore[assignment]
        return list(found)

    def check_topics(self, city: str, tags: Iterable[str]) -> None:
        """Refuse tags outside the city's topic tree (422). Until the first tree arrives any tag passes:
        the tree is seeded with the city, so that window is seconds long, and content owns the rules."""
        known = self.topics(city)
        if known is not None:
            refuse_unknown_topics(city, tags, known)

    def get(self, city: str) -> CityConfig | None:
        if self.served and city not in self.served:
            return None
        return self._cities.get(city)

    def require(self, city: str) -> CityConfig:
        config = self.get(city)
        if config is None:
            raise CityNotFound(city)
        return config

    def require_feature(self, city: str, feature: Feature) -> CityConfig:
        """The city's configuration; 404 for an unknown city or one that switched `feature` off."""
        return require_feature(self.require(city), feature)

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
