"""Content's handlers and workflow rules on fakes: the topic trees and published content each replica
holds follow the events, and the item workflow announces what it should.

The service tests (`test_publishing.py`, `test_topics.py`, `test_reading.py`) run the same on the real
broker and database.
"""

from __future__ import annotations

from typing import Any

import pytest
from witaj.content import handlers
from witaj.content.cache import CachedItem, PublishedCache
from witaj.content.default_topics import DEFAULT_TOPICS
from witaj.content.kinds import Page
from witaj.content.store import ItemStore, Status
from witaj.content.topic_tree import TopicTreeStore
from witaj.devkit.fakes import FakeDatabase, FakeInbox, FakeOutbox
from witaj.shared.demand import Demand
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.errors import ApiError
from witaj.shared.events import (
    ContentKind,
    ContentPublished,
    ContentUnpublished,
    ContentUpdated,
    PageViewed,
    SearchPerformed,
    Topic,
    TopicTreeChanged,
)
from witaj.shared.topics import CITY_CONFIG, CONTENT_ITEMS, USAGE

pytestmark = pytest.mark.unit

CITY = "lublin"


def event(data: EventData, subject: str = "x", city: str = CITY) -> Envelope[Any]:
    return wrap(data, source="witaj/test", city=city, subject=subject)


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox(FakeDatabase())


@pytest.fixture
def trees(outbox: FakeOutbox) -> TopicTreeStore:
    return TopicTreeStore(outbox.db, outbox)  # type: ignore[arg-type]


@pytest.fixture
def items(outbox: FakeOutbox, trees: TopicTreeStore) -> ItemStore:
    return ItemStore(outbox.db, outbox, trees)  # type: ignore[arg-type]


async def publish(
    items: ItemStore, title: str = "Health insurance", topics: tuple[str, ...] = ("health",)
) -> dict[str, Any]:
    doc = await items.create(
        CITY,
        ContentKind.PAGE,
        Page(title=title, topics=list(topics)),
        source_language="pl",
        organisation=None,
        by="ed",
    )
    for status in (Status.IN_REVIEW, Status.PUBLISHED):
        doc = await items.transition(CITY, doc["_id"], status, by="ed", expected_version=None)
    return doc


# ---------------------------------------------------------------------------------------- topic trees


async def test_a_replica_follows_tree_changes_made_anywhere_but_never_goes_back(
    trees: TopicTreeStore,
) -> None:
    table = handlers.topic_trees(trees)
    assert (await trees.current(CITY)).revision == 0  # nothing stored: the default tree
    newer = [Topic(id="work", labels={"pl": "Praca"})]
    await table(event(TopicTreeChanged(topics=newer, revision=3), f"{CITY}/topics"))
    await table(event(TopicTreeChanged(topics=list(DEFAULT_TOPICS), revision=2), f"{CITY}/topics"))
    current = await trees.current(CITY)
    assert (current.revision, [t.id for t in current.topics]) == (3, ["work"])


async def test_a_tree_change_is_stored_and_announced_for_the_other_replicas(
    trees: TopicTreeStore, outbox: FakeOutbox
) -> None:
    await trees.ensure(CITY)
    snapshot = await trees.change(
        CITY,
        lambda topics: [*topics, Topic(id="pets", labels={"pl": "Zwierzęta"})],
        by="admin",
        expected_revision=1,
    )
    [seeded, changed] = outbox.events(TopicTreeChanged, topic=CITY_CONFIG)
    assert (seeded.data.revision, changed.data.revision, snapshot.revision) == (1, 2, 2)
    assert "pets" in {t.id for t in changed.data.topics}
    with pytest.raises(ApiError) as refused:  # an admin working on revision 1 changed nothing since
        await trees.change(CITY, lambda topics: topics, by="admin", expected_revision=1)
    assert refused.value.code == "revision_mismatch"
    assert len(outbox.events(TopicTreeChanged)) == 2


# ---------------------------------------------------------------------------------------- published cache


async def test_the_published_cache_follows_item_events_and_tells_the_search_index(
    items: ItemStore, outbox: FakeOutbox
) -> None:
    await TopicTreeStore(outbox.db, outbox).ensure(CITY)  # type: ignore[arg-type]
    cache = PublishedCache(items)
    told: list[tuple[str, bool]] = []

    def listener(city: str, item: CachedItem | None, item_id: str) -> None:
        told.append((item_id, item is not None))

    cache.listeners.append(listener)
    assert (await cache.city(CITY)).items == {}
    table = handlers.published_cache(cache)

    doc = await publish(items)
    [published] = outbox.events(ContentPublished, topic=CONTENT_ITEMS)
    assert published.data.item_id == doc["_id"]
    await table(published)
    assert cache.loaded(CITY).items[doc["_id"]].texts("pl")["title"] == "Health insurance"  # type: ignore[union-attr]

    await items.transition(CITY, doc["_id"], Status.ARCHIVED, by="ed", expected_version=None)
    [gone] = outbox.events(ContentUnpublished)
    await table(gone)
    assert doc["_id"] not in cache.loaded(CITY).items  # type: ignore[union-attr]
    assert told == [(doc["_id"], True), (doc["_id"], False)]


async def test_an_item_event_for_a_city_nobody_read_yet_loads_nothing(items: ItemStore) -> None:
    cache = PublishedCache(items)
    data = ContentUpdated(kind=ContentKind.PAGE, item_id="p1", revision=2, path="/p/p1")
    await handlers.published_cache(cache)(event(data, "p1"))
    assert cache.loaded(CITY) is None and cache.loads == 0


async def test_the_workflow_refuses_publishing_a_draft_unreviewed_and_announces_nothing(
    items: ItemStore, outbox: FakeOutbox
) -> None:
    await TopicTreeStore(outbox.db, outbox).ensure(CITY)  # type: ignore[arg-type]
    doc = await items.create(
        CITY, ContentKind.PAGE, Page(title="Draft"), source_language="pl", organisation=None, by="ed"
    )
    with pytest.raises(ApiError) as refused:
        await items.transition(CITY, doc["_id"], Status.PUBLISHED, by="ed", expected_version=None)
    assert refused.value.code == "invalid_status_transition"
    assert outbox.events(ContentPublished) == []
    assert outbox.db["items"].docs[doc["_id"]]["status"] == "draft"


async def test_an_item_tagged_with_a_topic_outside_the_tree_is_not_stored(
    items: ItemStore, outbox: FakeOutbox
) -> None:
    await TopicTreeStore(outbox.db, outbox).ensure(CITY)  # type: ignore[arg-type]
    with pytest.raises(ApiError):
        await items.create(
            CITY,
            ContentKind.PAGE,
            Page(title="X", topics=["no-such-topic"]),
            source_language="pl",
            organisation=None,
            by="ed",
        )
    assert outbox.db["items"].docs == {}


# ---------------------------------------------------------------------------------------- demand


async def test_page_views_are_counted_once_each_by_the_language_asked_for(items: ItemStore) -> None:
    db = FakeDatabase()
    demand = Demand(db, PageViewed, lambda view: view.item_id)  # type: ignore[arg-type]
    inbox = FakeInbox(db, "demand")
    [counting] = handlers.subscriptions(items.trees, PublishedCache(items), demand, counted=inbox)[2:]
    assert (counting.group, list(counting.topics), counting.broadcast) == ("demand", [USAGE], False)

    asked_uk = event(
        PageViewed(
            kind=ContentKind.PAGE, item_id="p1", language="pl", requested_language="uk", fallback=True
        ),
        "p1",
    )
    await counting.handlers(asked_uk)
    await counting.handlers(asked_uk)  # redelivered
    await counting.handlers(event(PageViewed(kind=ContentKind.PAGE, item_id="p1", language="pl"), "p1"))
    await counting.handlers(event(SearchPerformed(query="zus", language="pl", result_count=0), CITY))

    assert db["demand"].docs == {
        f"{CITY}:p1": {"_id": f"{CITY}:p1", "views": 2, "languages": {"uk": 1, "pl": 1}, "city": CITY}
    }
    assert len(db["inbox"].docs) == 2  # the search is not this consumer's: not even a marker


async def test_a_fetch_of_page_views_is_counted_together_once_each(items: ItemStore) -> None:
    db = FakeDatabase()
    demand = Demand(db, PageViewed, lambda view: view.item_id)  # type: ignore[arg-type]
    [counting] = handlers.subscriptions(items.trees, PublishedCache(items), demand, FakeInbox(db, "demand"))[
        2:
    ]
    assert counting.together is not None

    def viewed(item: str, language: str, asked: str | None = None) -> Any:
        data = PageViewed(kind=ContentKind.PAGE, item_id=item, language=language, requested_language=asked)
        return event(data, item)

    asked_uk, plain = viewed("p1", "pl", "uk"), viewed("p1", "pl")
    search = event(SearchPerformed(query="zus", language="pl", result_count=0), CITY)
    await counting.together([asked_uk, plain, viewed("p2", "uk"), search, asked_uk])  # one copy twice
    await counting.together([plain, viewed("p2", "ar")])  # the first redelivered with a new one

    assert db["demand"].docs == {
        f"{CITY}:p1": {"_id": f"{CITY}:p1", "views": 2, "languages": {"uk": 1, "pl": 1}, "city": CITY},
        f"{CITY}:p2": {"_id": f"{CITY}:p2", "views": 2, "languages": {"uk": 1, "ar": 1}, "city": CITY},
    }
    assert len(db["inbox"].docs) == 4


def test_without_counting_content_only_follows_trees_and_items(items: ItemStore) -> None:
    demand = Demand(FakeDatabase(), PageViewed, lambda view: view.item_id)  # type: ignore[arg-type]
    subscriptions = handlers.subscriptions(items.trees, PublishedCache(items), demand, counted=None)
    assert [(s.group, s.broadcast) for s in subscriptions] == [
        ("topic-trees", True),
        ("published-cache", True),
    ]
