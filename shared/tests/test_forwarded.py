"""The client's address comes from X-Forwarded-For only as far as trusted proxies wrote it.

A gateway appends the address it received a request from, so everything left of that entry is whatever
the client sent. Rate limits per address must not be escaped by sending the header oneself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import Depends, FastAPI, Request
from pydantic import ValidationError
from witaj.content.settings import ContentSettings
from witaj.devkit.infra import free_port
from witaj.devkit.testing import wait_until
from witaj.shared import web
from witaj.shared.forwarded import TrustedProxies, host_of
from witaj.shared.ratelimit import RateLimit
from witaj.shared.settings import ServiceSettings

GATEWAY = ["10.1.0.0/24"]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # a client that is not a trusted proxy cannot name another address
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        # the gateway appended the address it saw: that one, not what the client wrote before it
        ("10.1.0.5", ["198.51.100.1, 203.0.113.7"], "203.0.113.7"),
        # two trusted hops (ingress controller, then the web app): skip both, take the next address
        ("10.1.0.9", ["198.51.100.1, 203.0.113.7, 10.1.0.5"], "203.0.113.7"),
        # the same in separate header lines, with ports and an IPv6 client
        ("10.1.0.9", ["198.51.100.1", "[2001:db8::7]:4431", "10.1.0.5:80"], "2001:db8::7"),
        # a trusted proxy written as an IPv4-mapped IPv6 address is still trusted
        ("::ffff:10.1.0.9", ["203.0.113.7, ::ffff:10.1.0.5"], "203.0.113.7"),
        # no header: the trusted peer itself is the client (a health check from the gateway)
        ("10.1.0.5", [], "10.1.0.5"),
        # only trusted entries: the request started at a trusted proxy, the left-most
        ("10.1.0.5", ["10.1.0.7, 10.1.0.6"], "10.1.0.7"),
        # text that is no address is never trusted, so it cannot hide what stands right of it
        ("10.1.0.5", ["10.1.0.7, unknown"], "unknown"),
    ],
)
def test_the_client_is_the_right_most_untrusted_address(peer, forwarded, client) -> None:
    assert TrustedProxies(GATEWAY).client(peer, forwarded) == client


@pytest.mark.parametrize("hop", ["203.0.113.7", "203.0.113.7:5678", "[203.0.113.7]:80", " 203.0.113.7 "])
def test_entries_with_ports_name_their_host(hop) -> None:
    assert host_of(hop) == "203.0.113.7"


@pytest.mark.parametrize("proxies", [["*"], ["0.0.0.0/0"], ["::/0"], ["gateway"], ["10.0.0.0/8", "*"]])
def test_trusting_everyone_or_a_name_is_refused(proxies) -> None:
    with pytest.raises(ValidationError, match="trusted_proxies"):
        ServiceSettings(trusted_proxies=proxies)


def test_trusted_proxies_are_read_as_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITAJ_CONTENT_SERVICE__TRUSTED_PROXIES", '["172.30.80.10", "10.0.0.0/8"]')
    assert ContentSettings().service.trusted_proxies == ["172.30.80.10/32", "10.0.0.0/8"]


# --------------------------------------------------------------------------- through the real server


def limited_app(trusted: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    settings = ContentSettings(service=ServiceSettings(trusted_proxies=trusted, port=free_port()))
    app = web.create_service_app(settings, service="t", title="t", description="d", lifespan=lifespan)

    @app.post("/feedback", dependencies=[Depends(RateLimit("feedback", per_minute=1, burst=2))])
    async def feedback(request: Request) -> dict[str, Any]:
        return {"client": request.client.host if request.client else None, "scheme": request.url.scheme}

    return app


@contextmanager
def production_server_config(monkeypatch: pytest.MonkeyPatch, app: FastAPI) -> Iterator[uvicorn.Config]:
    """The uvicorn configuration `serve_forever` runs a service with, as deployed."""
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: captured.update(options))
    web.serve_forever(app, app.state.settings)
    yield uvicorn.Config(app, **{**captured, "host": "127.0.0.1"})


@asynccontextmanager
async def served(monkeypatch: pytest.MonkeyPatch, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    with production_server_config(monkeypatch, app) as config:
        server = uvicorn.Server(config)
        server.capture_signals = contextmanager(lambda: iter([None]))  # type: ignore[method-assign]
        task = asyncio.get_running_loop().create_task(server.serve())
        try:
            await wait_until(lambda: server.started, timeout=30, message="the server to start")
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{config.port}") as client:
                yield client
        finally:
            server.should_exit = True
            await asyncio.gather(task, return_exceptions=True)


async def statuses(client: httpx.AsyncClient, forwarded: list[str]) -> list[int]:
    return [(await client.post("/feedback", headers={"X-Forwarded-For": f})).status_code for f in forwarded]


async def test_a_client_cannot_escape_its_rate_limit_by_sending_x_forwarded_for(monkeypatch) -> None:
    """The test client connects from 127.0.0.1, which is not the gateway here."""
    async with served(monkeypatch, limited_app(GATEWAY)) as client:
        spoofed = [f"198.51.100.{n}" for n in range(3)]
        assert await statuses(client, spoofed) == [200, 200, 429]


async def test_behind_the_gateway_each_client_has_its_own_limit(monkeypatch) -> None:
    """Here the test client stands for the gateway (127.0.0.1 trusted), which appends the real address."""
    async with served(monkeypatch, limited_app(["127.0.0.1"])) as client:
        same_client = [f"198.51.100.{n}, 203.0.113.7" for n in range(3)]
        assert await statuses(client, same_client) == [200, 200, 429]
        answer = await client.post(
            "/feedback", headers={"X-Forwarded-For": "203.0.113.7, 203.0.113.8", "X-Forwarded-Proto": "https"}
        )
        assert answer.status_code == 200
        assert answer.json() == {"client": "203.0.113.8", "scheme": "https"}
