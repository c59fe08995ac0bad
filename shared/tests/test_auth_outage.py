"""The identity provider away: cached keys keep verifying for a grace period, fetches back off one at a
time, and tokens naming an unknown key cannot make the verifier hammer the provider.

A small key endpoint on a local port plays the provider: it serves keys, answers 500, hangs, or is
gone. The verifier's clock is the test's, so the cache expires without waiting for it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from witaj.devkit.testing import wait_until
from witaj.shared.auth import TokenVerifier
from witaj.shared.devtokens import DEV_ISSUER, DevSigningKey
from witaj.shared.errors import ApiError
from witaj.shared.settings import AuthSettings

CACHE, GRACE, MIN_REFRESH, RETRY_MAX = 60, 600, 5, 30


class Issuer:
    """A provider's key endpoint on a local port that serves (`ok`), fails (`error`) or `hang`s."""

    def __init__(self, *keys: DevSigningKey) -> None:
        self.keys = list(keys)
        self.mode = "ok"
        self.requests = 0
        self.released = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)

    async def stop(self) -> None:
        self.released.set()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/keys"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        self.requests += 1
        if self.mode == "hang":
            await self.released.wait()
        if self.mode == "ok":
            status, body = "200 OK", json.dumps({"keys": [j for k in self.keys for j in k.jwks()["keys"]]})
        else:
            status, body = "500 Internal Server Error", "{}"
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n{body}".encode()
        )
        await writer.drain()
        writer.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def key() -> DevSigningKey:
    return DevSigningKey.generate()


@pytest.fixture
async def issuer(key: DevSigningKey) -> AsyncIterator[Issuer]:
    running = Issuer(key)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(issuer: Issuer, clock: Clock) -> TokenVerifier:
    settings = AuthSettings(
        issuer=DEV_ISSUER,
        jwks_url=issuer.url,
        jwks_cache_seconds=CACHE,
        jwks_grace_seconds=GRACE,
        jwks_min_refresh_seconds=MIN_REFRESH,
        jwks_retry_max_seconds=RETRY_MAX,
    )
    return TokenVerifier(settings, clock=clock)


async def verify_all(verifier: TokenVerifier, token: str, count: int = 20) -> list[object]:
    return await asyncio.gather(*(verifier.verify(token) for _ in range(count)), return_exceptions=True)


def statuses(results: list[object]) -> set[object]:
    return {r.status if isinstance(r, ApiError) else type(r).__name__ for r in results}


async def test_a_hanging_issuer_after_the_cache_expired_delays_no_call(verifier, issuer, clock, key) -> None:
    token = key.mint(roles=["migrant"])
    await verifier.verify(token)
    assert issuer.requests == 1

    issuer.mode = "hang"
    clock.now += CACHE + 1
    assert statuses(await verify_all(verifier, token)) == {"Principal"}  # none waited for the provider
    await wait_until(lambda: issuer.requests == 2, message="the one fetch to reach the provider")
    assert statuses(await verify_all(verifier, token)) == {"Principal"}
    assert issuer.requests == 2  # still one fetch in flight, not one per call

    issuer.mode = "error"
    issuer.released.set()
    clock.now += GRACE // 2
    assert statuses(await verify_all(verifier, token)) == {"Principal"}  # within the grace period


async def test_past_the_grace_period_calls_fail_fast_and_fetches_back_off(
    verifier, issuer, clock, key
) -> None:
    token = key.mint(roles=["migrant"])
    await verifier.verify(token)

    issuer.mode = "error"
    clock.now += CACHE + GRACE
    assert statuses(await verify_all(verifier, token)) == {503}
    assert issuer.requests == 2  # one fetch for all of them
    assert statuses(await verify_all(verifier, token)) == {503}
    assert issuer.requests == 2  # backing off: no fetch, and no call waited for one

    clock.now += RETRY_MAX
    assert statuses(await verify_all(verifier, token)) == {503}
    assert issuer.requests == 3

    issuer.mode = "ok"
    clock.now += RETRY_MAX
    assert statuses(await verify_all(verifier, token)) == {"Principal"}
    assert issuer.requests == 4

    await issuer.stop()  # gone altogether: connections refused
    clock.now += CACHE + GRACE
    assert statuses(await verify_all(verifier, token)) == {503}


async def test_unknown_key_ids_fetch_at_most_once_per_interval(verifier, issuer, clock, key) -> None:
    await verifier.verify(key.mint(roles=["migrant"]))
    rotated = DevSigningKey.generate()
    token = rotated.mint(roles=["migrant"])

    assert statuses(await verify_all(verifier, token)) == {401}
    assert issuer.requests == 1  # fetched a moment ago: no new fetch

    clock.now += MIN_REFRESH
    assert statuses(await verify_all(verifier, token)) == {401}
    assert issuer.requests == 2  # one fetch for all of them

    issuer.keys.append(rotated)  # the provider rotates its keys
    assert statuses(await verify_all(verifier, token)) == {401}
    assert issuer.requests == 2
    clock.now += MIN_REFRESH
    assert statuses(await verify_all(verifier, token)) == {"Principal"}
    assert issuer.requests == 3
