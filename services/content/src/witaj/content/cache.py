"""Published content held in memory, so public reads and search never touch the database.

A city is loaded on its first read; after that the service's own `content.items` events (consumed in
broadcast mode, so every replica sees every event) refresh single items. A replica also refreshes the
item it has just written, so an editor reads their own change at once. Rendered responses are memoised
per item and language and dropped whenever the item or the city's glossary changes.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from witaj.content.kinds import overlay
from witaj.content.rendering import EMPTY_GLOSSARY, Glossary
from witaj.content.store import ItemStore, translations_of
from witaj.shared.envelope import Envelope
from witaj.shared.events import ContentKind, ContentPublished, ContentUnpublished, ContentUpdated
from witaj.shared.mongo import Document
from witaj.shared.translations import ItemTranslations


@dataclass
class CachedItem:
    doc: Document
    translations: ItemTranslations
    languages: list[str]
    memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.doc["_id"])

    @property
    def kind(self) -> ContentKind:
        return ContentKind(self.doc["kind"])

    def texts(self, language: str) -> dict[str, Any]:
        """The body in `language`: the source with the published translation's text written in."""
        if language == self.translations.source_language:
            return self.doc["content"]  # type: ignore[no-any-return]
        key = ("content", language)
        if key not in self.memo:
            self.memo[key] = overlay(self.doc["content"], self.translations.get(language).fields)
        return self.memo[key]  # type: ignore[no-any-return]


@dataclass
class CityContent:
    city: str
    items: dict[str, CachedItem] = field(default_factory=dict)
    glossary_generation: int = 0
    _glossaries: dict[str, Glossary] = field(default_factory=dict)

    def of_kind(self, kind: ContentKind) -> list[CachedItem]:
        return [item for item in self.items.values() if item.kind is kind]

    def glossary(self, language: str) -> Glossary:
        """Terms published in exactly this language: an English term must not mark Polish text."""
        if language not in self._glossaries:
            surfaces: dict[str, str] = {}
            for term in self.of_kind(ContentKind.GLOSSARY_TERM):
                if language in term.languages:
                    content = term.texts(language)
                    for form in [content.get("title", ""), *content.get("synonyms", [])]:
                        surfaces[form] = term.id
            self._glossaries[language] = Glossary.build(surfaces, language) if surfaces else EMPTY_GLOSSARY
        return self._glossaries[language]

    def glossary_changed(self) -> None:
        self.glossary_generation += 1
        self._glossaries.clear()
        for item in self.items.values():
            item.memo.clear()


Listener = Callable[[str, CachedItem | None, str], None]
"""Told (city, item or None when removed, item id) after every change: the search index follows."""


class PublishedCache:
    def __init__(self, store: ItemStore) -> None:
        self.store = store
        self._cities: dict[str, CityContent] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.listeners: list[Listener] = []
        self.loads = 0
        self._missed: dict[str, set[str]] = {}
        """Items announced while their city loads: the load's snapshot may predate them."""

    def loaded(self, city: str) -> CityContent | None:
        return self._cities.get(city)

    async def city(self, city: str) -> CityContent:
        content = self._cities.get(city)
        if content is not None:
            return content
        lock = self._locks.setdefault(city, asyncio.Lock())
        async with lock:
            if city not in self._cities:
                self._missed[city] = set()
                try:
                    fresh = CityContent(city)
                    for doc in await self.store.published(city):
                        fresh.items[doc["_id"]] = _cached(doc)
                    self.loads += 1
                    for item in fresh.items.values():
                        self._tell(city, item, item.id)
                    self._cities[city] = fresh
                finally:
                    missed = self._missed.pop(city)
                for item_id in missed:
                    await self.refresh(city, item_id)
                _settle()
        return self._cities[city]

    async def refresh(self, city: str, item_id: str) -> None:
        """Re-read one item (published or not) into a loaded city; unloaded cities load fresh later, and
        a city loading now re-reads the item once its load is in (the load may have read too early)."""
        content = self._cities.get(city)
        if content is None:
            if city in self._missed:
                self._missed[city].add(item_id)
            return
        doc = await self.store.items.find_one({"_id": item_id, "city": city})
        previous = content.items.get(item_id)
        if doc is not None and previous is not None and previous.doc["version"] > doc["version"]:
            return  # an older read raced a newer one
        if doc is None or doc["status"] != "published":
            item = None
            content.items.pop(item_id, None)
        else:
            item = content.items[item_id] = _cached(doc)
        kind = (item or previous).kind if (item or previous) else None
        if kind is ContentKind.GLOSSARY_TERM:
            content.glossary_changed()
        self._tell(city, item, item_id)

    async def follow(
        self, envelope: Envelope[ContentPublished | ContentUpdated | ContentUnpublished]
    ) -> None:
        """An item changed anywhere (`witaj.content.handlers`): re-read it."""
        await self.refresh(envelope.city, envelope.data.item_id)

    def _tell(self, city: str, item: CachedItem | None, item_id: str) -> None:
        for listener in self.listeners:
            listener(city, item, item_id)


def _settle() -> None:
    """One full garbage collection right after a city is loaded, while its first reader waits anyway.

    A load adds hundreds of thousands of long-lived objects (a city with its search index). Python runs a
    full collection, which walks all of them (a pause readers notice: see `docs/benchmarks.md`), once
    long-lived objects have grown by a quarter since the last one; the last one had run part-way
    through the load, so the next came due a few thousand reads later and stalled them. Collecting here
    takes that pause with the load and puts the next full collection a quarter of the loaded city away.
    """
    gc.collect()


def _cached(doc: Document) -> CachedItem:
    translations = translations_of(doc)
    return CachedItem(doc=doc, translations=translations, languages=translations.published_languages())
