"""Helpers for notify tests: the Lublin city, a running service, subscribers and platform events."""

from __future__ import annotations

import asyncio
import json
import mailbox
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from witaj.devkit.cities import announce_city
from witaj.devkit.infra import free_port, wait_for_port
from witaj.devkit.testing import live_server, serve, wait_until
from witaj.notify.access import token_hash
from witaj.notify.main import create_app
from witaj.notify.matching import match_keys
from witaj.notify.settings import NotifyOptions, NotifySettings, SmtpSettings
from witaj.shared.envelope import Envelope, wrap
from witaj.shared.events import (
    CityConfig,
    ContentKind,
    ContentPublished,
    Topic,
)
from witaj.shared.kafka import EventPublisher
from witaj.shared.topics import CONTENT_ITEMS

LUBLIN = CityConfig(
    id="lublin",
    name="Lublin",
    country="PL",
    default_language="pl",
    languages=["pl", "en", "uk", "ru", "ar"],
    fallbacks={"uk": ["pl", "en"], "*": ["en", "pl"]},
)


class FakeClock:
    """The service's clock, moved by the test: `create_app(settings, clock=FakeClock(...))`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Receiver:
    """A tiny HTTP server: records each request, answers with the next status of `statuses`."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")[1:]
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        self.requests.append((headers, body))
        status = self.statuses[min(len(self.requests) - 1, len(self.statuses) - 1)]
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()


def make_options(**overrides: Any) -> NotifyOptions:
    values: dict[str, Any] = {
        "webhook_require_https": False,
        "retry_base_ms": 10,
        "retry_cap_ms": 40,
        "max_attempts": 3,
        "delivery_poll_seconds": 0.05,
        "fanout_lease_seconds": 1.0,
        **overrides,
    }
    return NotifyOptions(**values)


def runtime_of(client: httpx.AsyncClient) -> Any:
    return client._transport.app.state.runtime  # type: ignore[attr-defined]


def services_of(client: httpx.AsyncClient) -> Any:
    return client._transport.app.state.notify  # type: ignore[attr-defined]


TOPIC_TREE = [
    Topic(id=topic, parent=parent, labels={"en": topic})
    for topic, parent in [
        ("housing", None), ("renting", "housing"), ("health", None), ("health-insurance", "health"),
        ("work", None), ("education", None), ("language", None), ("family", None), ("culture", None),
    ]
]  # fmt: skip


@asynccontextmanager
async def notify_service(
    settings: NotifySettings, publisher: EventPublisher, **app_options: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The notify app, running, with Lublin configured."""
    async with serve(create_app(settings, **app_options)) as client:
        await announce_city(publisher, LUBLIN, topics=TOPIC_TREE, runtime=runtime_of(client))
        yield client


@asynccontextmanager
async def live_notify_service(
    settings: NotifySettings, publisher: EventPublisher
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    """The notify app served over real HTTP (streams can be read as they are written), with Lublin."""
    app = create_app(settings)
    async with live_server(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        await announce_city(publisher, LUBLIN, topics=TOPIC_TREE, runtime=app.state.runtime)
        yield client, app


class EventStream:
    """A client's open Server-Sent Events connection, read one message at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next_message(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next `event: message`, with its SSE `id`; fails after `timeout` seconds."""
        event: dict[str, str] = {}
        async with asyncio.timeout(timeout):
            async for line in self._lines:
                if line:
                    field, _, value = line.partition(": ")
                    event[field] = value
                    continue
                if event.get("event") == "message":
                    message: dict[str, Any] = json.loads(event["data"])
                    assert event["id"] == message["id"]
                    return message
                event = {}
        raise AssertionError("the stream ended")


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient, subscription: dict[str, Any], last_event_id: str | None = None
) -> AsyncIterator[EventStream]:
    headers = {**device(subscription), "Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    async with client.stream(
        "GET", f"/subscriptions/{subscription['id']}/stream", headers=headers
    ) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/event-stream"
        )
        yield EventStream(response)


def content_published(
    topics: list[str],
    titles: dict[str, str] | None = None,
    kind: ContentKind = ContentKind.PAGE,
    **extra: Any,
) -> Envelope[Any]:
    data = ContentPublished(
        kind=kind,
        item_id="page-1",
        revision=1,
        topics=topics,
        titles=titles or {"pl": "Mieszkanie", "en": "Housing", "uk": "Житло", "ar": "السكن"},
        path="/pages/page-1",
        **extra,
    )
    return wrap(data, source="witaj/content", city="lublin", subject="page-1")


async def publish_content(publisher: EventPublisher, envelope: Envelope[Any]) -> None:
    await publisher.publish(CONTENT_ITEMS, envelope)


def subscriber_doc(
    index: int, *, topics: list[str], channels: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """A stored device subscription, for tests that need many subscribers fast."""
    return {
        "_id": f"s{index:032x}",
        "city": "lublin",
        "owner": {"kind": "device", "token_hash": token_hash(f"t{index}")},
        "active": True,
        "topics": topics,
        "event_kinds": [],
        "target_groups": [],
        "language": "pl",
        "fallbacks": [],
        "channels": channels or ["inbox"],
        "email": None,
        "webhook_url": None,
        "webhook_secret": None,
        "timezone": "Europe/Warsaw",
        "quiet_hours": None,
        "mode": "immediate",
        "digest_hour": 8,
        "match_keys": match_keys("lublin", topics),
        "created_at": datetime.now(UTC),
        **extra,
    }


async def subscribe(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/subscriptions", json={"city": "lublin", **body})
    assert response.status_code == 201, response.text
    return response.json()


def device(subscription: dict[str, Any]) -> dict[str, str]:
    return {"X-Subscriber-Token": subscription["token"]}


@asynccontextmanager
async def smtp_server(folder: Path) -> AsyncIterator[tuple[SmtpSettings, mailbox.Maildir]]:
    """A real SMTP server process (aiosmtpd) storing what it receives in a Maildir under `folder`."""
    port, maildir = free_port(), folder / "mail"
    smtpd = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox",
        str(maildir),
    )  # fmt: skip
    try:
        await asyncio.to_thread(wait_for_port, port, 10)
        yield SmtpSettings(host="127.0.0.1", port=port), mailbox.Maildir(maildir)
    finally:
        smtpd.kill()
        await smtpd.wait()


def text_of(message: mailbox.MaildirMessage) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))


def confirmations(maildir: mailbox.Maildir, to: str) -> list[str]:
    """The paths of the confirmation links e-mailed to `to`, in no particular order."""
    found = []
    for message in maildir:
        text = text_of(message)
        link = re.search(
            r"/email-confirmations/[\w-]+\.\d+\.[0-9a-f]+", text
        )  # id.expiry.mac, then a full stop
        if message["To"] == to and link:
            found.append(link.group())
    return found


def notifications(maildir: mailbox.Maildir) -> list[mailbox.MaildirMessage]:
    """The e-mails that are not confirmations."""
    return [m for m in maildir if "/email-confirmations/" not in text_of(m)]


async def confirm_address(client: httpx.AsyncClient, maildir: mailbox.Maildir, to: str) -> str:
    """Wait for the confirmation e-mail to `to`, open its link and press its button; the link's path."""
    [link] = await wait_until(
        lambda: confirmations(maildir, to), timeout=15, message="the confirmation e-mail"
    )
    page = await client.get(link)
    assert page.status_code == 200 and '<form method="post">' in page.text
    confirmed = await client.post(link)
    assert confirmed.status_code == 200 and confirmed.json() == {"status": "confirmed"}
    return link
