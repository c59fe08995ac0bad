"""Domain events the events service publishes about agenda items (events, courses) and registrations.

The classes say "agenda item" for what people call an event, so that "event" in code always means a
domain event; the wire type names (`agenda.event_published`) keep their first spelling, since topics
and stored streams already hold them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field
from witaj.shared.envelope import EventData, event_type


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class _AgendaItemFacts(EventData):
    """What subscribers and stats need to know about an event, without its full description."""

    event_id: str
    revision: int = Field(ge=1)
    event_kind: str = Field(description="language_course, workshop, information_session, ...")
    organisation: str
    topics: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    languages_of_instruction: list[str] = Field(default_factory=list)
    languages: list[str] = Field(
        default_factory=list, description="Languages the description is published in"
    )
    titles: dict[str, str] = Field(default_factory=dict)
    next_start: datetime | None = None
    capacity: int | None = None
    free: bool = True
    online: bool = False
    path: str


@event_type("agenda.event_published")
class AgendaItemPublished(_AgendaItemFacts):
    pass


@event_type("agenda.event_updated")
class AgendaItemUpdated(_AgendaItemFacts):
    important: bool = Field(default=False, description="Schedule or place changed: tell subscribers")


@event_type("agenda.event_cancelled")
class AgendaItemCancelled(EventData):
    """The whole event (occurrence None) or one occurrence was cancelled."""

    event_id: str
    occurrence: datetime | None = None
    organisation: str
    titles: dict[str, str] = Field(default_factory=dict)
    path: str


@event_type("agenda.event_unpublished")
class AgendaItemUnpublished(EventData):
    """The event left the public listing (for example because it is over)."""

    event_id: str
    organisation: str
    reason: str = "ended"


class _RegistrationFacts(EventData):
    registration_id: str
    event_id: str
    occurrence: datetime | None = Field(default=None, description="None for a whole course series")
    organisation: str
    registrant: str = Field(description="Pseudonymous registrant id")
    subscriber: str | None = Field(
        default=None, description="Notify subscriber to tell, if the person opted in"
    )
    subscriber_proof: str | None = Field(
        default=None,
        max_length=64,
        description="Shows the registrant held the subscriber's credential (witaj.shared.subscriber_proof)",
    )


@event_type("agenda.registration_created")
class RegistrationCreated(_RegistrationFacts):
    status: RegistrationStatus


@event_type("agenda.registration_cancelled")
class RegistrationCancelled(_RegistrationFacts):
    previous_status: RegistrationStatus
    cancelled_by: str = Field(default="registrant", description="registrant, organiser or event_cancelled")


@event_type("agenda.registration_promoted")
class RegistrationPromoted(_RegistrationFacts):
    """A waitlisted person got a place."""


@event_type("agenda.attendance_recorded")
class AttendanceRecorded(_RegistrationFacts):
    attended: bool
