"""`witaj-demo`: write the demo cities into the services' databases through the services' own stores.

Through the stores, not the HTTP APIs, so that items keep the fixed ids the demo's cross-references,
links and tests rely on, and a whole item's translations are written in one transaction. The stores are
the ones the services use: every change goes with its events through the outbox, and the running
services' relays publish them, so caches, search, the other services' city catalogues, the notify
fan-out and the stats all see the demo arrive as they would see editors' work.

Safe to run on every start: finished items are skipped, an item left half-way is finished, and an item
an editor changed since (or a topic tree a city admin changed) is left to them.

`make run` runs it once every service is ready; by hand, `witaj-demo` reads the same settings as the
services (`WITAJ_CONTENT_MONGO__URL` and so on) and seeds every demo city, or those named.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.content.cities import CityStore
from witaj.content.settings import ContentSettings
from witaj.content.store import ItemStore, Status, TranslationStep, translations_of
from witaj.content.topic_tree import TopicTreeStore
from witaj.devkit.demo.agenda import DemoEvent, DemoSubscription
from witaj.devkit.demo.files import CITIES, DemoCity, DemoItem, load_all
from witaj.events.settings import EventsSettings
from witaj.events.store import AgendaStore
from witaj.notify.access import token_hash
from witaj.notify.matching import match_keys
from witaj.notify.settings import NotifySettings
from witaj.notify.subscriptions import SubscriptionStore
from witaj.shared.errors import ApiError
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session, create_client, database
from witaj.shared.outbox import Outbox
from witaj.shared.translations import ItemTranslations, TranslationState

log = get_logger(__name__)
SEED = "seed"
WORKFLOW = (
    TranslationState.DRAFT,
    TranslationState.TRANSLATED,
    TranslationState.REVIEWED,
    TranslationState.PUBLISHED,
)
"""A translation's way to readers: each step is checked and announced as a translator's would be."""
SETTLE = 60.0


@dataclass
class Stores:
    """Where seeding writes; a service left out (None) is not seeded."""

    cities: CityStore | None = None
    items: ItemStore | None = None
    events: AgendaStore | None = None
    subscriptions: SubscriptionStore | None = None


async def seed(stores: Stores, cities: list[DemoCity] | None = None) -> Counter[str]:
    """Write whatever of the demo is missing or unfinished; how much was written, by kind."""
    written: Counter[str] = Counter()
    for city in cities if cities is not None else load_all():
        if stores.cities is not None and stores.items is not None:
            written["cities"] += await seed_city(stores.cities, city)
            written["items"] += await _together(seed_item(stores.items, city, item) for item in city.items)
        if stores.events is not None:
            for event in city.events:
                written["events"] += await seed_event(stores.events, city, event)
        if stores.subscriptions is not None:
            for subscription in city.subscriptions:
                written["subscriptions"] += await seed_subscription(stores.subscriptions, city, subscription)
    written = +written  # only what was written
    if written:
        log.info("demo.seeded", **written)
    return written


async def _together(writes: Iterable[Awaitable[bool]], at_once: int = 4) -> int:
    """Run the writes a few at a time, so the database works while this process prepares the next;
    the number that wrote anything."""
    gate = asyncio.Semaphore(at_once)

    async def one(write: Awaitable[bool]) -> bool:
        async with gate:
            return await write

    return sum(await asyncio.gather(*(one(write) for write in writes)))


async def seed_city(store: CityStore, city: DemoCity) -> bool:
    """Create the city (with the default topic tree) and give it the demo's own tree, if it has one."""
    created = False
    if await store.get(city.config.id) is None:
        try:
            await store.create(city.config, by=SEED)
            created = True
        except ApiError:
            pass  # created meanwhile by another start
    if city.topics is None:
        return created
    tree = await store.trees.collection.find_one({"_id": city.config.id}, {"updated_by": 1, "topics": 1})
    wanted = [topic.model_dump(mode="json") for topic in city.topics]
    if tree is not None and (tree["updated_by"] != SEED or tree["topics"] == wanted):
        return created
    await store.trees.change(
        city.config.id, lambda _: list(city.topics or []), by=SEED, expected_revision=None
    )
    return True


async def seed_item(store: ItemStore, city: DemoCity, item: DemoItem) -> bool:
    """An item the editors' way: a draft, its translations through the workflow, review, publication."""
    try:
        return await _seed_item(store, city, item)
    except (ApiError, DuplicateKeyError) as exc:  # another start is seeding it right now
        log.warning("demo.item_skipped", item=item.id, error=type(exc).__name__)
        return False


async def _seed_item(store: ItemStore, city: DemoCity, item: DemoItem) -> bool:
    doc = await store.items.find_one({"_id": item.id})
    if doc is None:
        doc = await store.create(
            city.config.id, item.kind, item.source, source_language=item.source_language,
            organisation=item.organisation, by=SEED, item_id=item.id,
        )  # fmt: skip
    elif doc["updated_by"] != SEED:
        return False
    translations = translations_of(doc)
    missing = [
        language
        for language in item.translations
        if translations.get(language).state is not TranslationState.PUBLISHED
    ]
    if not missing and doc["status"] == Status.PUBLISHED.value:
        return False
    if missing:

        async def translate(session: Session) -> Document:
            current = await store.get(city.config.id, item.id, session)
            # A translation left half-way starts again from a draft: any state may go back to one.
            steps = [
                TranslationStep(language, state, item.texts(language) if state is WORKFLOW[0] else None,
                                language in item.machine_translated)
                for language in missing
                for state in WORKFLOW
            ]  # fmt: skip
            return await store.translate_steps_in(session, current, steps, by=SEED)

        doc = await store.outbox.transaction(translate)
    for status in (Status.IN_REVIEW, Status.PUBLISHED):
        if doc["status"] != Status.PUBLISHED.value:
            doc = await store.transition(city.config.id, item.id, status, by=SEED, expected_version=None)
    return True


async def seed_event(store: AgendaStore, city: DemoCity, event: DemoEvent) -> bool:
    if await store.collection.find_one({"_id": event.id}, projection=["_id"]):
        return False
    doc = AgendaStore.build(
        city.config.id, event.event_in(date.today()), event.organisation, city.config.timezone, SEED
    )
    translations = ItemTranslations(source_language=event.source_language)
    for language, texts in event.texts.items():
        if language == event.source_language:
            continue
        for state in WORKFLOW:
            translations = translations.with_translation(
                language, state=state, fields=texts.model_dump() if state is WORKFLOW[0] else None,
                by=SEED, machine_translated=language in event.machine_translated,
            )  # fmt: skip
    doc["_id"] = event.id
    doc["translations"] = translations.model_dump(mode="json")
    try:
        await store.create(doc)
    except DuplicateKeyError:
        return False  # another start seeded it meanwhile
    return True


async def seed_subscription(store: SubscriptionStore, city: DemoCity, subscription: DemoSubscription) -> bool:
    """A device's subscription as `POST /subscriptions` stores it, under the demo's id and token."""
    prefs = subscription.preferences.model_dump(mode="json")
    prefs["language"] = prefs["language"] or city.config.default_language
    prefs["timezone"] = prefs["timezone"] or city.config.timezone
    doc = {
        **prefs,
        "_id": subscription.id,
        "owner": {"kind": "device", "token_hash": token_hash(subscription.token)},
        "active": True,
        "webhook_secret": None,
        "match_keys": match_keys(city.config.id, prefs["topics"]),
        "created_at": datetime.now(UTC),
    }
    try:
        await store.insert(doc)
    except DuplicateKeyError:
        return False
    return True


class _Database:
    """One service's database, opened from that service's own settings."""

    def __init__(self, settings: ContentSettings | EventsSettings | NotifySettings) -> None:
        self.client = create_client(settings.mongo)
        self.db: AsyncDatabase[Document] = database(self.client, settings.mongo)
        self.outbox = Outbox(self.client, self.db)


async def seed_databases(
    content: ContentSettings, events: EventsSettings, notify: NotifySettings, names: list[str] | None = None
) -> Counter[str]:
    """Seed the databases these settings name, from outside the services, and wait (up to `SETTLE`
    seconds) until the services' relays have published all it wrote, so that whoever starts using the
    platform next finds the demo in every service rather than a burst of work still under way."""
    opened = [_Database(content), _Database(events), _Database(notify)]
    trees = TopicTreeStore(opened[0].db, opened[0].outbox)
    stores = Stores(
        cities=CityStore(opened[0].db, opened[0].outbox, trees),
        items=ItemStore(opened[0].db, opened[0].outbox, trees),
        events=AgendaStore(opened[1].db, opened[1].outbox),
        subscriptions=SubscriptionStore(opened[2].db),
    )
    try:
        written = await seed(stores, load_all(names or CITIES))
        deadline = time.monotonic() + SETTLE
        while time.monotonic() < deadline:
            if not sum([await database_.outbox.pending_count() for database_ in opened]):
                break
            await asyncio.sleep(0.2)
        return written
    finally:
        for database_ in opened:
            await database_.client.close()


async def seed_from_settings(names: list[str] | None = None) -> Counter[str]:
    """Seed what the services' own settings name (the environment `make run` gives them)."""
    return await seed_databases(ContentSettings(), EventsSettings(), NotifySettings(), names)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="witaj-demo", description=__doc__.splitlines()[0])
    parser.add_argument("cities", nargs="*", metavar="city", help=f"one of {', '.join(CITIES)}; default: all")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.cities) - set(CITIES))
    if unknown:
        parser.error(f"no demo city called {', '.join(unknown)} (the demo cities: {', '.join(CITIES)})")
    written = asyncio.run(seed_from_settings(args.cities or None))
    print(
        "demo seeded: " + (", ".join(f"{n} {what}" for what, n in written.items()) or "nothing was missing")
    )


if __name__ == "__main__":
    main()
