"""MongoDB access with PyMongo's async API: one client per service, transactions, readiness.

Each service owns one database. Writes that must publish an event go through `in_transaction` together
with `Outbox.add`, so the change and its event commit or vanish together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern
from witaj.shared.settings import MongoSettings

T = TypeVar("T")
Document = dict[str, Any]
Session = AsyncClientSession


def create_client(settings: MongoSettings, **options: Any) -> AsyncMongoClient[Document]:
    """Build the service's client; it connects lazily, so building it never blocks start-up.
    `options` go to the driver as well (tests add command listeners this way)."""
    return AsyncMongoClient(
        settings.url.get_secret_value(),
        serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
        maxPoolSize=settings.max_pool_size,
        maxIdleTimeMS=settings.max_idle_time_ms,
        tz_aware=True,
        uuidRepresentation="standard",
        appname="witaj",
        **options,
    )


def database(client: AsyncMongoClient[Document], settings: MongoSettings) -> AsyncDatabase[Document]:
    assert settings.database, "settings.mongo.database is filled in by the service settings"
    return client[settings.database]


async def in_transaction(client: AsyncMongoClient[Document], work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in a transaction, retried by the driver on transient errors and unknown commits.

    `work` may run more than once, so it must not have side effects outside the database.
    """
    async with client.start_session() as session:
        return await session.with_transaction(
            work,
            read_concern=ReadConcern("snapshot"),
            write_concern=WriteConcern("majority"),
        )


async def drop_indexes(collection: AsyncCollection[Document], *names: str) -> None:
    """Drop the indexes `names` that exist (ones a newer version replaced). Replicas start together: one
    that finds an index already dropped by another goes on instead of failing its start."""
    existing = await collection.index_information()
    for name in names:
        if name not in existing:
            continue
        try:
            await collection.drop_index(name)
        except OperationFailure:
            if name in await collection.index_information():
                raise


async def ensure_expiry(
    collection: AsyncCollection[Document], field: str, after: timedelta, name: str = "retention"
) -> None:
    """Let the database delete each document of `collection` once its date `field` is `after` old (a
    TTL index; documents without the field are kept). A changed `after` replaces the index, since an
    index's expiry cannot be changed by creating it again."""
    seconds = int(after.total_seconds())
    current = (await collection.index_information()).get(name)
    if current is not None and current.get("expireAfterSeconds") != seconds:
        await drop_indexes(collection, name)
    await collection.create_index(field, name=name, expireAfterSeconds=seconds)


async def ping(client: AsyncMongoClient[Document]) -> bool:
    try:
        await client.admin.command("ping")
    except PyMongoError:
        return False
    return True
