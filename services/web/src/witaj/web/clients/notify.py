"""The notify API as the web app uses it: a reader's own subscription, their inbox, its live stream.

Everything here belongs to one reader and carries their subscription's token (`X-Subscriber-Token`),
which notify hands out once when the subscription is made; nothing is kept in memory. The live stream
is read on a client of its own, so readers with their inbox open never take the connections the pages
need, and it may stay open far longer than any page waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from witaj.web.clients.base import BackendClient, BackendUnavailable, http_client
from witaj.web.settings import BackendSettings

TOKEN_HEADER = "X-Subscriber-Token"  # noqa: S105 - a header name, not a secret
INBOX = "inbox"
EMAIL = "email"
STREAM_READ_SECONDS = 45.0
"""notify sends a heartbeat every 15 seconds on a quiet stream: three missed, and it is taken for gone."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Subscription(_Model):
    id: str
    city: str
    active: bool = True
    topics: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    language: str = ""
    channels: list[str] = Field(default_factory=list)
    email: str | None = None
    email_confirmed: bool | None = None
    """False while notify waits for the address to be confirmed from the link it sent there (double
    opt-in: nothing is e-mailed before); None from a notify that does not confirm addresses."""
    token: str | None = None
    """Only in the answer that made it: the key to everything else, kept in the reader's browser."""

    @property
    def email_pending(self) -> bool:
        return bool(self.email) and self.email_confirmed is False


class Message(_Model):
    id: str
    source_type: str = ""
    language: str
    rtl: bool = False
    title: str
    body: str = ""
    link: str | None = None
    created_at: datetime
    read: bool = False


class InboxPage(_Model):
    items: list[Message]
    unread: int = 0
    total: int = 0
    next_offset: int | None = None


class NotifyClient(BackendClient):
    service = "notify"

    def __init__(
        self,
        base_url: str,
        settings: BackendSettings,
        *,
        service: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, settings, service=service, transport=transport)
        # A stream waits for the next message or heartbeat (every 15 s) and no longer, and open streams
        # are limited apart from the pages' connections.
        self.streams = http_client(
            base_url,
            transport,
            timeout=httpx.Timeout(
                STREAM_READ_SECONDS, connect=settings.connect_timeout_seconds, pool=settings.timeout_seconds
            ),
            limits=httpx.Limits(max_connections=settings.max_streams, max_keepalive_connections=0),
            accept="text/event-stream",
        )

    async def aclose(self) -> None:
        await self.streams.aclose()
        await super().aclose()

    @staticmethod
    def _own(token: str, reader: dict[str, str] | None = None) -> dict[str, str]:
        return {**(reader or {}), TOKEN_HEADER: token}

    async def subscribe(self, preferences: dict[str, Any], *, reader: dict[str, str]) -> Subscription:
        """A device subscription (no account): the answer's token is its only key."""
        data = await self.call("POST", "/subscriptions", payload=preferences, headers=reader)
        return Subscription.model_validate(data)

    async def subscription(self, subscription_id: str, token: str) -> Subscription:
        data = await self.call("GET", f"/subscriptions/{subscription_id}", headers=self._own(token))
        return Subscription.model_validate(data)

    async def change(self, subscription_id: str, token: str, changes: dict[str, Any]) -> Subscription:
        data = await self.call(
            "PATCH", f"/subscriptions/{subscription_id}", payload=changes, headers=self._own(token)
        )
        return Subscription.model_validate(data)

    async def confirm_again(self, subscription_id: str, token: str) -> None:
        """Ask notify to send the confirmation e-mail again (it limits how many one address gets)."""
        await self.call(
            "POST", f"/subscriptions/{subscription_id}/email-confirmation", headers=self._own(token)
        )

    async def erase(self, subscription_id: str, token: str) -> None:
        """Unsubscribe and erase everything notify holds about the subscription (its inbox too)."""
        await self.call("DELETE", f"/subscriptions/{subscription_id}", headers=self._own(token))

    async def inbox(self, subscription_id: str, token: str, *, limit: int, offset: int) -> InboxPage:
        data = await self.call(
            "GET",
            f"/subscriptions/{subscription_id}/inbox",
            params={"limit": limit, "offset": offset},
            headers=self._own(token),
        )
        return InboxPage.model_validate(data)

    async def mark_read(self, subscription_id: str, token: str, message_id: str) -> Message:
        data = await self.call(
            "POST", f"/subscriptions/{subscription_id}/inbox/{message_id}/read", headers=self._own(token)
        )
        return Message.model_validate(data)

    @asynccontextmanager
    async def stream(
        self, subscription_id: str, token: str, *, last_event_id: str | None
    ) -> AsyncIterator[AsyncIterator[str]]:
        """The subscription's live inbox as Server-Sent Events lines. Refusals are raised before the
        first line (a subscription erased meanwhile, say), like every other call's."""
        headers = self._own(token)
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        request = self.streams.build_request(
            "GET", f"/subscriptions/{subscription_id}/stream", headers=headers
        )
        try:
            response = await self.streams.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self._down(type(exc).__name__) from None
        try:
            if response.status_code != 200:
                body = await response.aread()
                if response.status_code >= 500:
                    raise self._down(f"status {response.status_code}")
                raise self._refusal(response.status_code, self._decode(response.status_code, body[:10_000]))
            yield self._lines(response)
        finally:
            await response.aclose()

    async def _lines(self, response: httpx.Response) -> AsyncIterator[str]:
        try:
            async for line in response.aiter_lines():
                if len(line) > self.settings.max_response_bytes:
                    raise self._down("a stream line larger than the answer cap")
                yield line
        except httpx.HTTPError as exc:
            raise BackendUnavailable(self.service, type(exc).__name__) from None
