"""Deliveries: one document per (source event, subscriber, channel), which is also the in-app inbox.

The document id *is* the delivery key, so the database's unique `_id` makes a second delivery of the
same message to the same subscriber on the same channel impossible, whatever gets redelivered or
resumed. Inbox messages are delivered by being stored; e-mail and webhook documents carry `due_at`
until the delivery worker has sent them (a sparse index keeps that queue small).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError
from witaj.notify.schemas import InboxPage, MessagePublic
from witaj.shared.envelope import Envelope, wrap
from witaj.shared.errors import NotFound
from witaj.shared.events import Channel, NotificationOpened
from witaj.shared.mongo import Document, Session, ensure_expiry
from witaj.shared.outbox import Outbox
from witaj.shared.topics import NOTIFY_DELIVERIES

SOURCE = "witaj/notify"
OUTCOME_NAMESPACE = uuid.UUID("6f1d4c52-0d8e-4a53-9d0c-5b8f0a3e2c71")
DUPLICATE_KEY = 11000
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", ASCENDING)]
OLDEST_FIRST = [("created_at", ASCENDING), ("_id", ASCENDING)]


def delivery_key(source_event: str, subscriber: str, channel: str) -> str:
    return f"{source_event}:{subscriber}:{channel}"


def outcome(doc: dict[str, Any], event_cls: type[Any], **fields: Any) -> Envelope[Any]:
    """An outcome event whose id derives from the delivery, so a re-announcement is recognisably the same."""
    data = event_cls(
        channel=doc["channel"],
        subscriber=doc["subscriber"],
        source_event=doc["source_event"],
        source_type=doc["source_type"],
        language=doc["language"],
        topics=doc.get("topics", []),
        **fields,
    )
    event_id = uuid.uuid5(OUTCOME_NAMESPACE, f"{doc['_id']}:{event_cls.event_type}")
    return wrap(data, source=SOURCE, city=doc["city"], subject=doc["subscriber"], id=event_id)


def duplicates(exc: BulkWriteError) -> list[int]:
    """Positions of the writes a bulk write refused as already there; re-raises any other refusal."""
    errors = exc.details.get("writeErrors", [])
    if any(error.get("code") != DUPLICATE_KEY for error in errors):
        raise exc
    return [error["index"] for error in errors]


async def insert_new(collection: Any, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert what is not there yet; the documents that went in now."""
    if not docs:
        return []
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        failed = set(duplicates(exc))
        return [doc for index, doc in enumerate(docs) if index not in failed]
    return docs


def as_message(doc: dict[str, Any]) -> dict[str, Any]:
    return MessagePublic(
        id=doc["_id"],
        channel=doc["channel"],
        source_type=doc["source_type"],
        language=doc["language"],
        rtl=doc["rtl"],
        title=doc["title"],
        body=doc["body"],
        link=doc.get("link"),
        created_at=doc["created_at"],
        read=doc.get("read_at") is not None,
    ).model_dump(mode="json")


class Mailbox:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox, retention: timedelta) -> None:
        self.collection = db["deliveries"]
        self.outbox = outbox
        self.retention = retention

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("subscriber", ASCENDING), ("created_at", DESCENDING)], name="by_subscriber"
        )
        await self.collection.create_index("due_at", name="due", sparse=True)
        await self.collection.create_index("digest", name="digest", sparse=True)
        # Messages to migrants are not kept for ever.
        await ensure_expiry(self.collection, "created_at", self.retention)

    def _inbox(self, subscriber: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"subscriber": subscriber, "channel": Channel.INBOX.value, **(extra or {})}

    async def page(self, subscriber: str, limit: int, offset: int, unread_only: bool) -> InboxPage:
        query = self._inbox(subscriber, {"read_at": None} if unread_only else None)
        docs = await self.collection.find(query, sort=NEWEST_FIRST, skip=offset, limit=limit).to_list()
        total = await self.collection.count_documents(query)
        unread = await self.collection.count_documents(self._inbox(subscriber, {"read_at": None}))
        following = offset + limit
        return InboxPage(
            items=[MessagePublic.model_validate(as_message(d)) for d in docs],
            unread=unread,
            total=total,
            limit=limit,
            offset=offset,
            next_offset=following if following < total else None,
        )

    async def backlog(
        self, subscriber: str, after: str | None, limit: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        """What a connecting client is missing, oldest first.

        Reconnecting with `after` (the client's Last-Event-ID): every message stored since that one,
        read or not, however many. The comparison includes the same instant, since the clock's
        millisecond can be shared, so a tie comes again rather than never (clients drop repeats by
        id). A first connection, or an id we do not know: the newest `limit` unread messages.
        """
        last = None
        if after:
            last = await self.collection.find_one(self._inbox(subscriber, {"_id": after}), {"created_at": 1})
        if last is None:
            query = self._inbox(subscriber, {"read_at": None})
            newest = await self.collection.find(query, sort=NEWEST_FIRST, limit=limit).to_list()
            for doc in reversed(newest):
                yield as_message(doc)
            return
        query = self._inbox(subscriber, {"created_at": {"$gte": last["created_at"]}, "_id": {"$ne": after}})
        async for doc in self.collection.find(query, sort=OLDEST_FIRST, batch_size=limit):
            yield as_message(doc)

    async def mark_read(self, subscriber: str, message_id: str) -> dict[str, Any]:
        """Mark read; the first time, announce NotificationOpened through the outbox with the change."""

        async def work(session: Session) -> dict[str, Any]:
            doc = await self.collection.find_one(
                self._inbox(subscriber, {"_id": message_id}), session=session
            )
            if doc is None:
                raise NotFound("The message")
            if doc.get("read_at") is None:
                doc["read_at"] = datetime.now(UTC)
                await self.collection.update_one(
                    {"_id": message_id}, {"$set": {"read_at": doc["read_at"]}}, session=session
                )
                await self.outbox.add(
                    session, NOTIFY_DELIVERIES, outcome(doc, NotificationOpened), key=subscriber.encode()
                )
            return doc

        return as_message(await self.outbox.transaction(work))
