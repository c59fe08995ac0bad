"""Each city's topic tree: seeded with the city, changed by its admins, read by everyone in their language.

Items are tagged with topic ids, checked against the tree inside the item's own write transaction. Every
change is a full TopicTreeChanged snapshot on `city.config` (through the outbox), so other services (the
notify service for subscription topics) can keep a copy. A topic's id never changes: renaming changes its
labels. A topic still used by an item, or with subtopics, is not removed.

No lock spans a topic's removal and an item being tagged with it at the same instant, so that rare pair
can both succeed; readers are not hurt (a tag that is not in the tree matches no topic filter), and the
item's next edit is refused until the tag is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.content.default_topics import DEFAULT_TOPICS
from witaj.content.events import SOURCE
from witaj.shared.cities import refuse_unknown_topics
from witaj.shared.envelope import Envelope, wrap
from witaj.shared.errors import ApiError, Conflict, NotFound
from witaj.shared.events import Topic, TopicTreeChanged
from witaj.shared.events.cities import MAX_TOPICS
from witaj.shared.languages import is_known
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.topics import CITY_CONFIG

MAX_DEPTH = 3
MAX_ITEMS_NAMED = 20


@dataclass(frozen=True)
class Snapshot:
    topics: list[Topic]
    revision: int  # 0: never changed, the default tree


def tree_key(city: str) -> bytes:
    return f"{city}/topics".encode()


# ---------------------------------------------------------------------------------------- the tree itself


def check_tree(topics: list[Topic]) -> list[Topic]:
    """The tree's rules: unique ids, known parents and label languages, no cycles, bounded size and depth."""
    by_id = {t.id: t for t in topics}
    if len(by_id) != len(topics):
        raise Conflict("Topic ids must be unique", code="topic_exists")
    if len(topics) > MAX_TOPICS:
        raise ApiError(422, "too_many_topics", f"A city has at most {MAX_TOPICS} topics")
    for topic in topics:
        unknown = sorted(language for language in topic.labels if not is_known(language))
        if unknown:
            raise ApiError(
                422, "unknown_language", f"Labels in unknown languages: {', '.join(unknown)}", details=unknown
            )
        if topic.parent is not None and topic.parent not in by_id:
            raise ApiError(
                422, "unknown_parent", f"The parent topic '{topic.parent}' of '{topic.id}' does not exist"
            )
        if _depth(by_id, topic.id) > MAX_DEPTH:
            raise ApiError(422, "too_deep", f"Topics nest at most {MAX_DEPTH} levels deep")
    return topics


def _depth(by_id: dict[str, Topic], topic_id: str) -> int:
    """Levels from the top down to `topic_id`; a cycle counts as too deep."""
    depth, current = 0, by_id.get(topic_id)
    while current is not None and depth <= MAX_DEPTH:
        depth += 1
        current = by_id.get(current.parent) if current.parent else None
    return depth


def _find(topics: list[Topic], topic_id: str) -> Topic:
    for topic in topics:
        if topic.id == topic_id:
            return topic
    raise NotFound(f"The topic '{topic_id}'")


def add_topic(topics: list[Topic], new: Topic) -> list[Topic]:
    if any(t.id == new.id for t in topics):
        raise Conflict(f"The topic '{new.id}' already exists", code="topic_exists")
    return check_tree([*topics, new])


def change_topic(
    topics: list[Topic], topic_id: str, *, labels: dict[str, str] | None, parent: str | None, move: bool
) -> list[Topic]:
    """Rename (the given labels replace those languages' labels) and/or move (None: to the top level)."""
    current = _find(topics, topic_id)
    if move and parent is not None:
        ancestor: str | None = parent
        by_id = {t.id: t for t in topics}
        while ancestor is not None:
            if ancestor == topic_id:
                raise ApiError(
                    422, "topic_cycle", f"'{topic_id}' cannot move under itself or one of its subtopics"
                )
            ancestor = by_id[ancestor].parent if ancestor in by_id else None
    changed = current.model_copy(
        update={"labels": {**current.labels, **(labels or {})}, "parent": parent if move else current.parent}
    )
    return check_tree([changed if t.id == topic_id else t for t in topics])


def remove_topic(topics: list[Topic], topic_id: str) -> list[Topic]:
    _find(topics, topic_id)
    children = [t.id for t in topics if t.parent == topic_id]
    if children:
        raise Conflict(
            f"The topic '{topic_id}' has subtopics ({', '.join(children)}); move or remove them first",
            code="topic_has_children",
            details={"children": children},
        )
    return [t for t in topics if t.id != topic_id]


# ---------------------------------------------------------------------------------------- storage


class TopicTreeStore:
    """One document per city in `topic_trees`; an in-memory copy per city follows the change events."""

    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["topic_trees"]
        self.items = db["items"]
        self.outbox = outbox
        self._copies: dict[str, Snapshot] = {}

    async def get(self, city: str, session: Session | None = None) -> Snapshot:
        """The stored tree; a city that never had one stored has the default tree (revision 0)."""
        doc = await self.collection.find_one({"_id": city}, session=session)
        if doc is None:
            return Snapshot(list(DEFAULT_TOPICS), 0)
        return Snapshot([Topic.model_validate(t) for t in doc["topics"]], int(doc["revision"]))

    async def seed_in(self, session: Session, city: str) -> None:
        """Store and announce the default tree for a new city, inside the caller's transaction."""
        if await self.collection.find_one({"_id": city}, projection=["_id"], session=session) is None:
            await self._save(session, city, list(DEFAULT_TOPICS), 0, "seed")

    async def ensure(self, city: str) -> None:
        """Store and announce the default tree of a city created before trees existed (safe to repeat)."""
        if await self.collection.find_one({"_id": city}, projection=["_id"]) is not None:
            return
        try:
            await self.outbox.transaction(lambda session: self.seed_in(session, city))
        except DuplicateKeyError:
            pass  # another replica stored it meanwhile

    async def change(
        self,
        city: str,
        edit: Callable[[list[Topic]], list[Topic]],
        *,
        by: str,
        expected_revision: int | None,
        removing: str | None = None,
    ) -> Snapshot:
        async def work(session: Session) -> Snapshot:
            current = await self.get(city, session)
            if expected_revision is not None and expected_revision != current.revision:
                raise _changed_meanwhile(current.revision)
            topics = edit(current.topics)
            if removing is not None:
                await self._refuse_if_used(session, city, removing)
            return await self._save(session, city, topics, current.revision, by)

        try:
            snapshot = await self.outbox.transaction(work)
        except DuplicateKeyError:
            raise _changed_meanwhile(1) from None  # the default tree was stored by someone else meanwhile
        self._remember(city, snapshot)
        return snapshot

    async def check_tags(self, city: str, tags: list[str], session: Session | None = None) -> None:
        """Refuse tags that are not topics of the city's tree, naming them."""
        if not tags:
            return
        refuse_unknown_topics(city, tags, {t.id for t in (await self.get(city, session)).topics})

    async def _refuse_if_used(self, session: Session, city: str, topic_id: str) -> None:
        query = {"city": city, "content.topics": topic_id}
        count = await self.items.count_documents(query, session=session)
        if count:
            named = await self.items.find(
                query, projection=["_id"], limit=MAX_ITEMS_NAMED, session=session
            ).to_list()
            raise Conflict(
                f"The topic '{topic_id}' is still used by {count} item{'s' if count > 1 else ''}; "
                "retag them (archived ones too) before removing it",
                code="topic_in_use",
                details={"count": count, "items": [d["_id"] for d in named]},
            )

    async def _save(
        self, session: Session, city: str, topics: list[Topic], previous: int, by: str
    ) -> Snapshot:
        revision = previous + 1
        fields = {
            "topics": [t.model_dump(mode="json") for t in topics],
            "revision": revision,
            "updated_at": datetime.now(UTC),
            "updated_by": by,
        }
        if previous == 0:
            await self.collection.insert_one({"_id": city, **fields}, session=session)
        else:
            result = await self.collection.update_one(
                {"_id": city, "revision": previous}, {"$set": fields}, session=session
            )
            if result.modified_count != 1:
                raise _changed_meanwhile(previous)
        event = wrap(
            TopicTreeChanged(topics=topics, revision=revision), source=SOURCE, city=city, subject=city
        )
        await self.outbox.add(session, CITY_CONFIG, event, key=tree_key(city))
        return Snapshot(topics, revision)

    # ------------------------------------------------------------------ the in-memory copy for readers

    async def current(self, city: str) -> Snapshot:
        copy = self._copies.get(city)
        if copy is None:
            copy = await self.get(city)
            self._remember(city, copy)
        return self._copies[city]

    def _remember(self, city: str, snapshot: Snapshot) -> None:
        held = self._copies.get(city)
        if held is None or snapshot.revision >= held.revision:
            self._copies[city] = snapshot

    async def follow(self, envelope: Envelope[TopicTreeChanged]) -> None:
        """A tree changed anywhere (`witaj.content.handlers`): keep it unless ours is newer."""
        self._remember(envelope.city, Snapshot(list(envelope.data.topics), envelope.data.revision))


def _changed_meanwhile(revision: int) -> ApiError:
    return ApiError(
        412,
        "revision_mismatch",
        f"The topic tree was changed meanwhile (now revision {revision}); reload and retry",
    )
