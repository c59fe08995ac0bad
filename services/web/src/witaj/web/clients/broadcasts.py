"""The notify API's broadcasts as the back office uses them: preview, send and list a city's urgent
notices, with the signed-in person's access token (notify decides who may).

A notice is sent with the form's own key as notify's `Idempotency-Key`, so the same form sent twice (a
double click, a lost answer and the form sent again) sends one notice. Counts only come back, never who
the subscribers are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.web.clients.workbench import StaffClient

LIST_SIZE = 20


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Text(_Model):
    title: str
    body: str


class LanguageReach(_Model):
    language: str
    rtl: bool = False
    title: str
    body: str
    subscribers: int = 0
    instead_of: dict[str, int] = Field(default_factory=dict)
    """Of `subscribers`, how many read another language (which has no text), by that language."""


class Preview(_Model):
    topics: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    subscribers: int = 0
    languages: list[LanguageReach] = Field(default_factory=list)


class Broadcast(_Model):
    id: str
    city: str
    topics: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    texts: dict[str, Text] = Field(default_factory=dict)
    subscribers: int = 0
    languages: dict[str, int] = Field(default_factory=dict)
    state: str
    messages: int = 0
    created_at: datetime


class BroadcastListing(_Model):
    items: list[Broadcast]
    total: int
    next_offset: int | None = None


class BroadcastClient(StaffClient):
    service = "notify"

    def _base(self, city: str) -> str:
        return f"/cities/{city}/broadcasts"

    async def preview(self, token: str, city: str, notice: dict[str, Any]) -> Preview:
        data, _ = await self.send("POST", f"{self._base(city)}/preview", token=token, json=notice)
        return Preview.model_validate(data)

    async def send_notice(self, token: str, city: str, notice: dict[str, Any], *, key: str) -> Broadcast:
        data, _ = await self._write("POST", self._base(city), token, notice, headers={"Idempotency-Key": key})
        return Broadcast.model_validate(data)

    async def listing(
        self, token: str, city: str, *, offset: int = 0, limit: int = LIST_SIZE
    ) -> BroadcastListing:
        data, _ = await self.send(
            "GET", self._base(city), token=token, params={"limit": limit, "offset": offset}
        )
        return BroadcastListing.model_validate(data)

    async def one(self, token: str, city: str, broadcast_id: str) -> Broadcast:
        data, _ = await self.send("GET", f"{self._base(city)}/{broadcast_id}", token=token)
        return Broadcast.model_validate(data)
