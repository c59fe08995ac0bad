"""Two services' worth of real infrastructure: a writer with an outbox and a reader with an inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from witaj.devkit.sandbox import Sandbox
from witaj.shared.envelope import Envelope
from witaj.shared.events import FeedbackSubmitted, wrap
from witaj.shared.events.content import ContentKind
from witaj.shared.inbox import Inbox
from witaj.shared.kafka import EventConsumer, EventPublisher, ensure_topics
from witaj.shared.mongo import Document, Session, create_client, database
from witaj.shared.outbox import Outbox, OutboxRelay
from witaj.shared.topics import CONTENT_FEEDBACK


def feedback(n: int, city: str = "lublin") -> Envelope[FeedbackSubmitted]:
    """A real event type, numbered so tests can count what arrived."""
    data = FeedbackSubmitted(kind=ContentKind.PAGE, item_id=f"page-{n}", language="uk", helpful=True)
    return wrap(data, source="witaj/content", city=city, subject=f"page-{n}")


@dataclass
class Writer:
    """The producing service: its own database, an outbox and a relay."""

    client: AsyncMongoClient[Document]
    outbox: Outbox
    publisher: EventPublisher

    def relay(self, **options: Any) -> OutboxRelay:
        return OutboxRelay(self.outbox, self.publisher, poll_interval=0.05, **options)

    async def write(self, envelope: Envelope[Any]) -> None:
        """A business write and its event, committed together."""

        async def work(session: Session) -> None:
            await self.outbox.collection.database["feedback"].insert_one(
                {"_id": envelope.data.item_id}, session=session
            )
            await self.outbox.add(session, CONTENT_FEEDBACK, envelope)

        await self.outbox.transaction(work)


@dataclass
class Reader:
    """The consuming service: its own database; its effect counts every application of an event."""

    client: AsyncMongoClient[Document]
    inbox: Inbox
    effects: Any

    async def apply(self, envelope: Envelope[Any], session: Session) -> None:
        await self.effects.update_one(
            {"_id": envelope.data.item_id}, {"$inc": {"applied": 1}}, upsert=True, session=session
        )

    async def applied(self) -> dict[str, int]:
        return {doc["_id"]: doc["applied"] async for doc in self.effects.find({})}


@pytest.fixture
async def writer(sandbox: Sandbox) -> AsyncIterator[Writer]:
    settings = sandbox.mongo("_writer")
    client = create_client(settings)
    outbox = Outbox(client, database(client, settings))
    await outbox.ensure_indexes()
    await ensure_topics(sandbox.kafka, [CONTENT_FEEDBACK])
    async with EventPublisher(sandbox.kafka) as publisher:
        yield Writer(client, outbox, publisher)
    await client.close()


@pytest.fixture
async def reader(sandbox: Sandbox) -> AsyncIterator[Reader]:
    settings = sandbox.mongo("_reader")
    client = create_client(settings)
    db = database(client, settings)
    inbox = Inbox(client, db, "reader.feedback")
    await inbox.ensure_indexes()
    yield Reader(client, inbox, db["effects"])
    await client.close()


@pytest.fixture
def consumer_for(sandbox: Sandbox, writer: Writer):
    """Build (not start) a consumer of the feedback topic in the reader's group."""

    def build(handle: Any, **options: Any) -> EventConsumer:
        return EventConsumer(
            sandbox.kafka,
            topics=[CONTENT_FEEDBACK],
            group_id="reader.feedback",
            handle=handle,
            publisher=writer.publisher,
            **options,
        )

    return build
