"""Pooled database connections outlive a server (or a firewall) that drops connections left idle.

The driver pauses reading a connection between replies, so it sees a connection the server dropped only
when it next uses it; it then fails that operation and clears the whole pool, failing the operations
already waiting on it too. Seen under load as `AutoReconnect: connection is already closed` on
subscriptions after a quiet stretch, with the service's writes stalled behind the cleared pool. Services
close connections idle for `mongo.max_idle_time_ms` themselves, before anything else does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from pymongo.errors import AutoReconnect
from witaj.devkit.infra import LocalServer, mongo_database, mongo_url
from witaj.shared.mongo import create_client
from witaj.shared.settings import MongoSettings

SERVER_IDLE_SECONDS = 1.5
BURST = 20


@pytest.fixture(scope="module")
def impatient_database() -> Iterator[LocalServer]:
    """A database server that drops a connection idle for 1.5 s (SecantusDB's default is 300 s)."""
    with mongo_database(options=["--client-idle-timeout", str(SERVER_IDLE_SECONDS)]) as server:
        yield server


async def burst(settings: MongoSettings, name: str) -> list[BaseException | None]:
    """Fill the pool with a burst of inserts, stay quiet past the server's idle timeout, burst again:
    what each insert of the second burst raised (None when it was stored)."""
    client = create_client(settings)
    try:
        stored = client[name].items
        await asyncio.gather(*(stored.insert_one({}) for _ in range(BURST)))
        await asyncio.sleep(SERVER_IDLE_SECONDS + 1.0)
        outcomes = await asyncio.gather(
            *(stored.insert_one({}) for _ in range(BURST)), return_exceptions=True
        )
        return [o if isinstance(o, BaseException) else None for o in outcomes]
    finally:
        await client.close()


def settings_for(server: LocalServer, **changes: int) -> MongoSettings:
    return MongoSettings(url=SecretStr(mongo_url(server.port)), server_selection_timeout_ms=10_000, **changes)


async def test_a_pool_older_than_the_servers_patience_loses_nothing(impatient_database: LocalServer) -> None:
    outcomes = await burst(settings_for(impatient_database, max_idle_time_ms=1_000), "idle_closed_by_us")
    assert outcomes == [None] * BURST


async def test_without_it_the_dropped_connections_fail_writes(impatient_database: LocalServer) -> None:
    """The failure the setting prevents, so the test above shows something: a pool that keeps idle
    connections longer than the server fails most of the second burst."""
    outcomes = await burst(
        settings_for(impatient_database, max_idle_time_ms=600_000), "idle_closed_by_server"
    )
    assert any(isinstance(o, AutoReconnect) for o in outcomes)
