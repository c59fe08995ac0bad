"""Every revision of an event's source texts, so translators see what changed since they translated.

An event's translations remember the source revision they were made from (`ItemTranslations`); this
keeps the texts of each source revision (title, description, accessibility notes: a few kilobytes) in
`event_texts`, written in the same transaction as the change, and deleted with nothing: an event is
never deleted, only cancelled or unpublished.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from witaj.events.documents import source_texts, translations_of
from witaj.shared.mongo import Document, Session

MAX_VERSIONS = 100
"""The newest revisions answered at most (older ones stay stored)."""


class TextHistory:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["event_texts"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("event_id", 1), ("revision", DESCENDING)], name="by_event")

    async def record(self, session: Session, doc: Document) -> None:
        """Keep the event's current source texts under its current source revision (once)."""
        revision = translations_of(doc).source_revision
        await self.collection.update_one(
            {"_id": f"{doc['_id']}/r{revision}"},
            {
                "$setOnInsert": {
                    "event_id": doc["_id"],
                    "revision": revision,
                    "source_language": doc["source_language"],
                    "texts": source_texts(doc),
                    "at": datetime.now(UTC),
                }
            },
            upsert=True,
            session=session,
        )

    async def of(self, event_id: str) -> list[Document]:
        """The event's source revisions, newest first."""
        return await self.collection.find(
            {"event_id": event_id}, sort=[("revision", DESCENDING)], limit=MAX_VERSIONS
        ).to_list()
