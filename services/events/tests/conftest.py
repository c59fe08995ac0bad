"""Fixtures for the events service: a running app that knows Lublin from the `city.config` topic."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import serve
from witaj.events.main import create_app
from witaj.events.settings import EventsSettings
from witaj.shared.events import CityConfig
from witaj.shared.outbound import OutboundSettings

LUBLIN = CityConfig(
    id="lublin",
    name="Lublin",
    country="PL",
    timezone="Europe/Warsaw",
    default_language="pl",
    languages=["pl", "en", "uk", "ar"],
    fallbacks={"uk": ["pl", "en"], "*": ["en", "pl"]},
)
SOON = (datetime.now(UTC) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)


def app_state(client: httpx.AsyncClient) -> Any:
    return client._transport.app.state  # type: ignore[attr-defined]


def event_body(**overrides: Any) -> dict[str, Any]:
    """A valid one-off event next week, organised by org-1; override any field."""
    start = overrides.pop("start", SOON)
    body: dict[str, Any] = {
        "kind": "workshop",
        "source_language": "pl",
        "texts": {"title": "Warsztaty CV", "description": "Jak napisać CV"},
        "topics": ["work"],
        "target_groups": ["refugee"],
        "languages_of_instruction": ["pl", "uk"],
        "place": {"address": "ul. Narutowicza 4, Lublin", "location": {"lat": 51.2465, "lng": 22.5684}},
        "schedule": {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
            "timezone": "Europe/Warsaw",
        },
    }
    body.update(overrides)
    return body


async def created(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """Create an event through the API; its public answer."""
    response = await client.post("/cities/lublin/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


class CalendarServer:
    """A minimal HTTP server on 127.0.0.1 standing in for an organisation's published calendar; it
    answers `status` with `headers` and `body` (change them between requests) and counts requests."""

    def __init__(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.body = body
        self.status = status
        self.headers = headers or {}
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        self.requests += 1
        headers = {"Content-Type": "text/calendar", **self.headers, "Content-Length": str(len(self.body))}
        head = f"HTTP/1.1 {self.status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(head.encode() + b"Connection: close\r\n\r\n" + self.body)
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/calendar.ics"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
def calendar_server() -> type[CalendarServer]:
    return CalendarServer


def device(subscriber: str) -> dict[str, str]:
    """The header proving a registrant holds a (device) notify subscription: its subscriber token."""
    return {"X-Subscriber-Token": f"subscriber-token-of-{subscriber}"}


@pytest.fixture
def settings(make_settings) -> EventsSettings:
    """Rate limits off: these tests register far faster than a person (test_rate_limits turns them on).
    Places for 500 requests at once: in the contention tests they are the point, not a surge to shed
    (test_overload sheds one). Calendar URLs may point at 127.0.0.1, where the tests' calendar servers
    run. No demand counting (a consumer group each test would wait for; test_event_translation counts it)."""
    settings = make_settings(
        EventsSettings, outbound=OutboundSettings(allow_loopback=True), count_demand=False
    )
    service = settings.service.model_copy(update={"rate_limits": False, "max_in_flight": 600})
    return settings.model_copy(update={"service": service})


@pytest.fixture
async def client(settings: EventsSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings)) as client:
        await announce_city(settings.kafka, LUBLIN, runtime=app_state(client).runtime)
        yield client


@pytest.fixture
def state(client: httpx.AsyncClient) -> Any:
    """The running app's services: its runtime, stores and jobs."""
    return app_state(client).events


@pytest.fixture
def announce() -> Any:
    return functools.partial(announce_city, config=LUBLIN)


@pytest.fixture
def make_event() -> Any:
    return event_body


@pytest.fixture
def editor(auth_header) -> dict[str, str]:
    return auth_header("ngo_editor", city="lublin", org="org-1")
