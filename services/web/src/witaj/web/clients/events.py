"""The events API as the web app uses it: occurrences by date, one event, calendars, registrations.

Listings and events are public and may be shown from memory while the service is down. Registrations
are each reader's own: they travel with the reader's registration token (`X-Registration-Token`), which
only the events service makes (a first registration goes without one and the answer brings it), and
are never kept in memory. Writes carry the reader's address, so the service's rate limit is per reader.

Only the events service makes registration tokens, and it refuses one it did not make: a reader without
one asks for it (`registration_token`) before their first registration, so even that one goes with the
token and an `Idempotency-Key` and can be sent again safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.web.clients.base import Answer, BackendClient, Params

TOKEN_HEADER = "X-Registration-Token"  # noqa: S105 - a header name, not a secret
SUBSCRIBER_TOKEN_HEADER = "X-Subscriber-Token"  # noqa: S105 - a header name, not a secret
EVENT_KINDS = (
    "language_course",
    "vocational_training",
    "workshop",
    "information_session",
    "counselling_hours",
    "cultural_event",
    "sport",
    "other",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Occurrence(_Model):
    """One date of an event; `occurrence` is its original start (its id), `start` where it is now."""

    event_id: str
    occurrence: datetime
    start: datetime
    end: datetime
    cancelled: bool = False
    note: str | None = None
    kind: str
    title: str = ""
    language: str = ""
    free: bool = True
    online: bool = False
    address: str | None = None
    full: bool | None = None
    """On one event's page: every place is taken (null: no limit, or registered for as a course)."""

    @property
    def moved(self) -> bool:
        return self.start != self.occurrence


class OccurrencePage(_Model):
    items: list[Occurrence]
    total: int
    limit: int
    offset: int
    next_offset: int | None = None


class Texts(_Model):
    title: str
    description: str = ""
    accessibility_notes: str = ""


class Cost(_Model):
    free: bool = True
    amount: float | None = None
    currency: str = "PLN"


class Point(_Model):
    lat: float
    lng: float


class Place(_Model):
    name: str | None = None
    address: str | None = None
    location: Point | None = None
    online_url: str | None = None


class Rules(_Model):
    required: bool = False
    per: str = "occurrence"
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class Schedule(_Model):
    timezone: str | None = None
    all_day: bool = False
    rrule: str | None = None


class Event(_Model):
    """One published event in the language the API chose for the reader, with its next occurrences."""

    id: str
    city: str
    kind: str
    organisation: str
    language: str
    requested_language: str | None = None
    fallback: bool = False
    rtl: bool = False
    texts: Texts
    topics: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    languages_of_instruction: list[str] = Field(default_factory=list)
    cost: Cost = Field(default_factory=Cost)
    place: Place = Field(default_factory=Place)
    capacity: int | None = None
    registration: Rules = Field(default_factory=Rules)
    schedule: Schedule = Field(default_factory=Schedule)
    occurrences: list[Occurrence] = Field(default_factory=list)
    full: bool | None = None
    """Every place of a course registered for as a whole is taken (null: no limit, or per date)."""

    @property
    def per_series(self) -> bool:
        return self.registration.per == "series"


class Registration(_Model):
    id: str
    event_id: str
    occurrence: datetime | None = None
    status: str
    created_at: datetime
    token: str | None = None
    """Only in the answer to a registration: the reader's token (new, or the one they sent)."""


@dataclass(frozen=True)
class EventFilters:
    """What a reader narrows the list by; the same filters make the calendar feed."""

    free: bool = False
    topic: str | None = None
    language: str | None = None
    kind: str | None = None
    near: tuple[float, float, float] | None = None
    """(lat, lng, radius in km): only when the reader shared a location."""

    def params(self, *, with_location: bool = True) -> Params:
        params: Params = {}
        if self.free:
            params["free"] = "true"
        for name in ("topic", "language", "kind"):
            value = getattr(self, name)
            if value:
                params[name] = value
        if self.near is not None and with_location:
            lat, lng, radius = self.near
            params.update(lat=f"{lat:.2f}", lng=f"{lng:.2f}", radius_km=f"{radius:g}")
        return params

    @property
    def active(self) -> bool:
        return bool(self.params())


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def payload(self) -> dict[str, str]:
        return {k: v for k, v in (("name", self.name), ("email", self.email), ("phone", self.phone)) if v}


class EventsClient(BackendClient):
    service = "events"

    async def occurrences(
        self,
        city: str,
        lang: str,
        filters: EventFilters,
        *,
        limit: int,
        offset: int,
        window: tuple[datetime, datetime] | None = None,
        ids: list[str] | None = None,
    ) -> Answer[OccurrencePage]:
        params: Params = {"lang": lang, "limit": limit, "offset": offset, **filters.params()}
        if window is not None:
            params["from"], params["to"] = (moment.isoformat() for moment in window)
        if ids:
            params["id"] = ids
        answer = await self.get(f"/cities/{city}/events", params)
        return Answer(OccurrencePage.model_validate(answer.data), answer.saved_at)

    async def event(self, city: str, event_id: str, lang: str, *, session: str | None) -> Answer[Event]:
        headers = {"X-Session-Id": session} if session else None
        answer = await self.get(f"/cities/{city}/events/{event_id}", {"lang": lang}, headers=headers)
        return Answer(Event.model_validate(answer.data), answer.saved_at)

    async def calendar(self, city: str, params: Params) -> bytes:
        """The iCalendar feed with the listing's filters (`id` for single events), as the API wrote it."""
        status, body, _ = await self._exchange(
            "GET", f"/cities/{city}/events.ics", params=params, headers={"Accept": "text/calendar"}
        )
        if status != 200:
            raise self._refusal(status, self._decode(status, body))
        return body

    async def registration_token(self, city: str, *, reader: dict[str, str]) -> str:
        """A new token from the service, for a reader who holds none yet (limited per reader)."""
        data = await self.call("POST", f"/cities/{city}/registration-tokens", headers=dict(reader))
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise self._down("a registration token answer without a token")
        return token

    async def register(
        self,
        city: str,
        event_id: str,
        *,
        occurrence: datetime | None,
        contact: Contact,
        token: str,
        idempotency_key: str | None,
        subscriber: tuple[str, str] | None,
        reader: dict[str, str],
    ) -> Registration:
        """Register the reader. `token` is one the service gave them (never one made here); the
        `idempotency_key` is scoped by the service to that token and this event. `subscriber` is the
        reader's notify subscription (id, token): named to be told of changes, proven by its token."""
        payload: dict[str, Any] = {"contact": contact.payload()}
        if occurrence is not None:
            payload["occurrence"] = occurrence.isoformat()
        headers = {**reader, TOKEN_HEADER: token}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if subscriber is not None:
            payload["subscriber"] = subscriber[0]
            headers[SUBSCRIBER_TOKEN_HEADER] = subscriber[1]
        data = await self.call(
            "POST", f"/cities/{city}/events/{event_id}/registrations", payload=payload, headers=headers
        )
        return Registration.model_validate(data)

    async def mine(self, city: str, token: str) -> list[Registration]:
        data = await self.call("GET", f"/cities/{city}/registrations/mine", headers={TOKEN_HEADER: token})
        return [Registration.model_validate(row) for row in data or []]

    async def cancel(self, city: str, registration_id: str, *, token: str, reader: dict[str, str]) -> None:
        headers = {**reader, TOKEN_HEADER: token}
        await self.call("DELETE", f"/cities/{city}/registrations/{registration_id}", headers=headers)
