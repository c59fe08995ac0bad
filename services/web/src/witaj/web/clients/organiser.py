"""The events API as organisers and translators use it from the back office.

Events and courses in any status (the events API's `workbench`), creating and replacing them, moving or
cancelling occurrences, registrations and attendance, iCalendar imports and configured calendar URLs,
and translation (what needs it, a language's text, XLIFF). Every call carries the signed-in person's
access token and none is answered from the saved answers the migrant pages share; refusals come back as
`BackendRefused` with the API's code and details, which the pages put next to the fields concerned.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field
from witaj.web.clients.base import Params
from witaj.web.clients.workbench import LanguageState, StaffClient

LIST_SIZE = 25
REGISTRATIONS_PAGE = 100
"""The events API's largest page of registrations."""
MAX_REGISTRATIONS = 10_000
"""The most registrations one export reads (the API pages no further)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Occurrence(_Model):
    occurrence: datetime
    """Its original start (UTC): the occurrence's id, whatever it was moved to."""
    start: datetime
    end: datetime
    cancelled: bool = False
    moved: bool = False
    note: str | None = None
    title: str | None = None

    @property
    def key(self) -> str:
        """The occurrence's id in addresses: '2030-03-04T16:00:00Z'."""
        return self.occurrence.strftime("%Y-%m-%dT%H:%M:%SZ")


class EditorEvent(_Model):
    """One event as its organisers and translators see it."""

    id: str
    city: str
    organisation: str
    status: str
    revision: int
    source_revision: int
    kind: str
    source_language: str
    texts: dict[str, str] = Field(default_factory=dict)
    """The source texts to translate, by field."""
    body: dict[str, Any]
    """The event as the API takes it back (`PUT`), the form's starting point."""
    translations: dict[str, LanguageState] = Field(default_factory=dict)
    occurrences: list[Occurrence] = Field(default_factory=list)
    changes: list[Occurrence] = Field(default_factory=list)
    imported: dict[str, str] | None = None
    first_start: datetime
    last_end: datetime | None = None
    updated_at: datetime

    @property
    def title(self) -> str:
        return self.texts.get("title", "")

    @property
    def schedule(self) -> dict[str, Any]:
        return dict(self.body.get("schedule") or {})

    @property
    def per_series(self) -> bool:
        return (self.body.get("registration") or {}).get("per") == "series"

    def facts(self) -> dict[str, Any]:
        """What the permission rules look at (city, organisation)."""
        return {"city": self.city, "organisation": self.organisation}

    def occurrence(self, key: str) -> Occurrence | None:
        return next((o for o in [*self.occurrences, *self.changes] if o.key == key), None)


class EventRow(_Model):
    id: str
    organisation: str
    status: str
    kind: str
    title: str
    source_language: str
    first_start: datetime
    last_end: datetime | None = None
    recurring: bool = False
    imported: bool = False
    translations: dict[str, LanguageState] = Field(default_factory=dict)
    updated_at: datetime


class EventListing(_Model):
    items: list[EventRow]
    total: int


class Registration(_Model):
    id: str
    occurrence: datetime | None = None
    status: str
    attended: bool | None = None
    created_at: datetime
    contact: dict[str, str | None] | None = None


class Registrations(_Model):
    items: list[Registration]
    total: int


class TextVersion(_Model):
    revision: int
    texts: dict[str, str] = Field(default_factory=dict)
    at: datetime


class ImportProblem(_Model):
    event: int
    uid: str | None = None
    reason: str = "unreadable"
    message: str = ""


class ImportResult(_Model):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    errors: list[ImportProblem] = Field(default_factory=list)


class CalendarSource(_Model):
    name: str
    organisation: str
    url: str
    last_synced_at: datetime | None = None
    last_result: ImportResult | None = None
    last_error_code: str | None = None


class OrganiserClient(StaffClient):
    service = "events"

    def answered_on_purpose(self, status: int, body: bytes) -> bool:
        """A calendar URL that failed (502, 504) is the events API's answer, not the API being down."""
        try:
            code = json.loads(body).get("error", {}).get("code", "")
        except (ValueError, AttributeError):
            return False
        return isinstance(code, str) and code.startswith("calendar_")

    @staticmethod
    def _city(city: str) -> str:
        return f"/cities/{city}"

    def _event(self, city: str, event_id: str) -> str:
        return f"{self._city(city)}/events/{event_id}"

    # ---------------------------------------------------------------------------------------- events

    async def listing(
        self, token: str, city: str, *, status: str | None = None, organisation: str | None = None,
        offset: int = 0, limit: int = LIST_SIZE,
    ) -> EventListing:  # fmt: skip
        params: Params = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        if organisation:
            params["organisation"] = organisation
        data, _ = await self.send("GET", f"{self._city(city)}/workbench/events", token=token, params=params)
        return EventListing.model_validate(data)

    async def event(self, token: str, city: str, event_id: str) -> EditorEvent:
        data, _ = await self.send("GET", f"{self._city(city)}/workbench/events/{event_id}", token=token)
        return EditorEvent.model_validate(data)

    async def versions(self, token: str, city: str, event_id: str) -> list[TextVersion]:
        path = f"{self._city(city)}/workbench/events/{event_id}/versions"
        data, _ = await self.send("GET", path, token=token)
        return [TextVersion.model_validate(v) for v in data]

    async def create(self, token: str, city: str, body: dict[str, Any]) -> str:
        """The new event's id."""
        data, _ = await self._write("POST", f"{self._city(city)}/events", token, body)
        return str(data["id"])

    async def replace(self, token: str, city: str, event_id: str, body: dict[str, Any]) -> None:
        await self._write("PUT", self._event(city, event_id), token, body)

    async def change_occurrence(
        self, token: str, city: str, event_id: str, key: str, change: dict[str, Any]
    ) -> None:
        path = f"{self._event(city, event_id)}/occurrences/{quote(key)}"
        await self._write("PATCH", path, token, change)

    async def cancel(self, token: str, city: str, event_id: str) -> None:
        await self._write("POST", f"{self._event(city, event_id)}/cancel", token, None)

    # --------------------------------------------------------------------------------- registrations

    async def registrations(
        self, token: str, city: str, event_id: str, *, occurrence: str | None = None,
        status: str | None = None, offset: int = 0, limit: int = REGISTRATIONS_PAGE,
    ) -> Registrations:  # fmt: skip
        params: Params = {"limit": limit, "offset": offset}
        if occurrence:
            params["occurrence"] = occurrence
        if status:
            params["status"] = status
        path = f"{self._event(city, event_id)}/registrations"
        data, _ = await self.send("GET", path, token=token, params=params)
        return Registrations.model_validate(data)

    async def every_registration(
        self, token: str, city: str, event_id: str, *, occurrence: str | None = None
    ) -> list[Registration]:
        """All of them, page by page (up to `MAX_REGISTRATIONS`)."""
        found: list[Registration] = []
        while len(found) < MAX_REGISTRATIONS:
            page = await self.registrations(token, city, event_id, occurrence=occurrence, offset=len(found))
            found += page.items
            if not page.items or len(found) >= page.total:
                break
        return found

    async def attendance(
        self, token: str, city: str, event_id: str, registration_id: str, attended: bool
    ) -> None:
        path = f"{self._event(city, event_id)}/registrations/{registration_id}/attendance"
        await self._write("PUT", path, token, {"attended": attended})

    # ------------------------------------------------------------------------------------- calendars

    @staticmethod
    def _owner(organisation: str | None) -> Params:
        return {"organisation": organisation} if organisation else {}

    async def import_file(
        self, token: str, city: str, data: bytes, *, organisation: str | None, source: str | None = None
    ) -> ImportResult:
        """`source`: the name the calendar is kept under (the API's "upload" when None); importing again
        under it cancels the events no longer in it, and no other calendar's."""
        params = {**self._owner(organisation), **({"source": source} if source else {})}
        answer, _ = await self.send(
            "POST", f"{self._city(city)}/events/import", token=token, content=data, params=params,
            headers={"Content-Type": "text/calendar"}, timeout=self.write_timeout,
        )  # fmt: skip
        return ImportResult.model_validate(answer)

    async def sources(
        self, token: str, city: str, *, organisation: str | None = None
    ) -> list[CalendarSource]:
        path = f"{self._city(city)}/calendar-sources"
        data, _ = await self.send("GET", path, token=token, params=self._owner(organisation))
        return [CalendarSource.model_validate(s) for s in data]

    async def configure_source(
        self, token: str, city: str, name: str, url: str, *, organisation: str | None
    ) -> None:
        await self.send(
            "PUT", f"{self._city(city)}/calendar-sources/{name}", token=token, json={"url": url},
            params=self._owner(organisation), timeout=self.write_timeout,
        )  # fmt: skip

    async def import_source(
        self, token: str, city: str, name: str, *, organisation: str | None
    ) -> ImportResult:
        data, _ = await self.send(
            "POST", f"{self._city(city)}/calendar-sources/{name}/import", token=token,
            params=self._owner(organisation), timeout=self.write_timeout,
        )  # fmt: skip
        return ImportResult.model_validate(data)

    # ----------------------------------------------------------------------------------- translation

    async def dashboard(self, token: str, city: str) -> dict[str, Any]:
        data, _ = await self.send("GET", f"{self._city(city)}/workbench/translations", token=token)
        return dict(data)

    async def translate(
        self, token: str, city: str, event_id: str, language: str, *, state: str,
        texts: dict[str, str] | None, source_revision: int | None,
    ) -> None:  # fmt: skip
        payload: dict[str, Any] = {"state": state, "source_revision": source_revision}
        if texts is not None:
            payload["texts"] = texts
        await self._write("PUT", f"{self._event(city, event_id)}/translations/{language}", token, payload)

    async def export_xliff(self, token: str, city: str, language: str) -> tuple[bytes, str]:
        return await self._xliff_out(token, f"{self._city(city)}/workbench/translations/{language}/xliff")

    async def import_xliff(self, token: str, city: str, language: str, document: bytes) -> dict[str, Any]:
        return await self._xliff_in(
            token, f"{self._city(city)}/workbench/translations/{language}/xliff", document
        )
