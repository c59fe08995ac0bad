"""A writer process that dies at a chosen moment, for the outbox crash tests.

    python crashing_writer.py <kafka-bootstrap> <topic-prefix> <mongo-url> <database> <moment> <n>

`after-write`: commits n business writes with their events, then is killed before any relay runs.
`after-publish`: commits, lets the relay publish the batch, and is killed before marking it published.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from witaj.shared.events import FeedbackSubmitted, wrap
from witaj.shared.events.content import ContentKind
from witaj.shared.kafka import EventPublisher
from witaj.shared.mongo import Session, create_client, database
from witaj.shared.outbox import Outbox, OutboxRelay
from witaj.shared.settings import KafkaSettings, MongoSettings
from witaj.shared.topics import CONTENT_FEEDBACK


def die(*_: Any) -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


async def main(bootstrap: str, prefix: str, mongo_url: str, db_name: str, moment: str, count: int) -> None:
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=prefix, idempotent_producer=False)
    mongo = MongoSettings(url=mongo_url, database=db_name)
    client = create_client(mongo)
    outbox = Outbox(client, database(client, mongo))
    for n in range(count):
        envelope = wrap(
            FeedbackSubmitted(kind=ContentKind.PAGE, item_id=f"page-{n}", language="ar", helpful=False),
            source="witaj/content",
            city="lublin",
            subject=f"page-{n}",
        )

        async def work(session: Session, envelope: Any = envelope) -> None:
            await outbox.collection.database["feedback"].insert_one(
                {"_id": envelope.data.item_id}, session=session
            )
            await outbox.add(session, CONTENT_FEEDBACK, envelope)

        await outbox.transaction(work)
    print("written", flush=True)
    if moment == "after-write":
        die()

    async def before_mark(batch: list[Any]) -> None:
        print(f"published {len(batch)}", flush=True)
        die()

    async with EventPublisher(kafka) as publisher:
        await OutboxRelay(outbox, publisher, before_mark=before_mark).publish_pending()


if __name__ == "__main__":
    bootstrap, prefix, mongo_url, db_name, moment, count = sys.argv[1:7]
    asyncio.run(main(bootstrap, prefix, mongo_url, db_name, moment, int(count)))
