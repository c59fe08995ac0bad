"""HTTP models of the events service: what organisers send and readers get, with every limit explicit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from witaj.shared.events import UserType
from witaj.shared.languages import is_known
from witaj.shared.translations import TranslationState

MAX_TAGS = 20
Tag = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Language = Annotated[str, Field(min_length=2, max_length=12)]
OrgId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]


class AgendaItemKind(StrEnum):
    LANGUAGE_COURSE = "language_course"
    VOCATIONAL_TRAINING = "vocational_training"
    WORKSHOP = "workshop"
    INFORMATION_SESSION = "information_session"
    COUNSELLING_HOURS = "counselling_hours"
    CULTURAL_EVENT = "cultural_event"
    SPORT = "sport"
    OTHER = "other"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _known_languages(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if not is_known(c)]
    if unknown:
        raise ValueError(f"unknown language codes: {', '.join(unknown)}")
    return codes


TEXT_LIMITS = {"title": 200, "description": 10_000, "accessibility_notes": 2_000}
"""The longest text of each field, in any language."""


class Texts(Strict):
    """The translatable part of an event: one copy per language (see `ItemTranslations`)."""

    title: str = Field(min_length=1, max_length=TEXT_LIMITS["title"])
    description: str = Field(default="", max_length=TEXT_LIMITS["description"])
    accessibility_notes: str = Field(default="", max_length=TEXT_LIMITS["accessibility_notes"])


class Cost(Strict):
    free: bool = True
    amount: float | None = Field(default=None, gt=0, le=100_000)
    currency: str = Field(default="PLN", pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _amount_matches(self) -> Cost:
        if self.free == (self.amount is not None):
            raise ValueError("give an amount exactly when the event is not free")
        return self


class Point(Strict):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class Place(Strict):
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    location: Point | None = None
    online_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")

    @model_validator(mode="after")
    def _somewhere(self) -> Place:
        if not (self.address or self.online_url):
            raise ValueError("a place needs an address or an online link")
        return self


class Schedule(Strict):
    """Start and end of the first occurrence in the event's time zone, and RFC 5545 recurrence."""

    start: datetime = Field(description="Local time in `timezone` (an offset is converted to it)")
    end: datetime
    timezone: str | None = Field(default=None, max_length=64, description="IANA name; defaults to the city's")
    all_day: bool = Field(
        default=False, description="Whole days: start and end at local midnight (the end is the day after)"
    )
    rrule: str | None = Field(default=None, max_length=500, examples=["FREQ=WEEKLY;BYDAY=TU;COUNT=10"])
    rdates: list[datetime] = Field(default_factory=list, max_length=200)
    exdates: list[datetime] = Field(default_factory=list, max_length=500)


class RegistrationRules(Strict):
    required: bool = False
    per: Literal["occurrence", "series"] = Field(
        default="occurrence", description="Register for one occurrence, or once for a whole course"
    )
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    @model_validator(mode="after")
    def _window(self) -> RegistrationRules:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("registration must close after it opens")
        return self


class AgendaItemCreate(Strict):
    kind: AgendaItemKind
    organisation: OrgId | None = Field(
        default=None, description="Only city and platform admins choose; editors publish for their own"
    )
    source_language: Language
    texts: Texts
    topics: list[Tag] = Field(
        default_factory=list,
        max_length=MAX_TAGS,
        description="Topics of the city's tree (/cities/{city}/topics)",
    )
    target_groups: list[UserType] = Field(
        default_factory=list, max_length=MAX_TAGS, description="Empty: everyone"
    )
    languages_of_instruction: list[Language] = Field(default_factory=list, max_length=MAX_TAGS)
    cost: Cost = Field(default_factory=Cost)
    place: Place
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    registration: RegistrationRules = Field(default_factory=RegistrationRules)
    schedule: Schedule
    publish: bool = True
    minor_edit: bool = Field(default=False, description="On update: keep translations current")

    _languages = field_validator("languages_of_instruction")(_known_languages)

    @field_validator("source_language")
    @classmethod
    def _source_known(cls, value: str) -> str:
        return _known_languages([value])[0]


class TranslationUpdate(Strict):
    state: TranslationState
    texts: Texts | None = None
    source_revision: int | None = Field(
        default=None, ge=1, description="The source revision the text was made from; 409 if it changed since"
    )


class OccurrenceChange(Strict):
    """Move or cancel one occurrence, named by its original start."""

    cancelled: bool = False
    start: datetime | None = None
    end: datetime | None = None
    note: str | None = Field(default=None, max_length=500)


class OccurrencePublic(BaseModel):
    event_id: str
    occurrence: datetime = Field(description="Original start (UTC): the occurrence's id")
    start: datetime
    end: datetime
    cancelled: bool = False
    note: str | None = None
    kind: AgendaItemKind
    organisation: str
    title: str
    language: str
    fallback: bool
    rtl: bool
    free: bool
    online: bool
    address: str | None = None
    full: bool | None = Field(
        default=None,
        description="On one event's page: every place of this occurrence is taken, so a registration "
        "joins the waiting list (null: no limit, or the course is registered for as a whole)",
    )


class AgendaItemPublic(BaseModel):
    id: str
    city: str
    status: str
    revision: int
    kind: AgendaItemKind
    organisation: str
    language: str
    requested_language: str | None
    fallback: bool
    rtl: bool
    texts: Texts
    available_languages: list[str]
    topics: list[str]
    target_groups: list[str]
    languages_of_instruction: list[str]
    cost: Cost
    place: Place
    capacity: int | None
    registration: RegistrationRules
    schedule: Schedule
    occurrences: list[OccurrencePublic] = Field(description="The next occurrences (up to 20)")
    full: bool | None = Field(
        default=None,
        description="Every place of a course registered for as a whole is taken (null: no limit, or "
        "registration per occurrence: see each occurrence's). Whether, never how many: places left "
        "would tell how many people registered",
    )
    imported_uid: str | None = None


class Contact(Strict):
    """The minimum an organiser may need to reach a registrant; erased after the retention period."""

    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+() -]{5,40}$")


class RegistrationCreate(Strict):
    occurrence: datetime | None = Field(default=None, description="Original start; omit for a series")
    contact: Contact = Field(default_factory=Contact)
    subscriber: str | None = Field(
        default=None, max_length=100, description="Notify subscriber id to tell about changes (opt-in)"
    )


class RegistrationPublic(BaseModel):
    id: str
    event_id: str
    city: str
    occurrence: datetime | None
    status: str
    attended: bool | None = None
    created_at: datetime
    token: str | None = Field(default=None, description="Only when created: keep it to see or cancel")


class RegistrationForOrganiser(RegistrationPublic):
    registrant: str
    contact: Contact | None


class Attendance(Strict):
    attended: bool


class LanguageState(BaseModel):
    """One language of an event, for editors and translators."""

    state: TranslationState
    outdated: bool = False
    source: bool = False
    machine_translated: bool = False
    source_revision: int = 0
    fields: dict[str, str] = Field(default_factory=dict, description="The translated texts by field")


class OccurrenceForEditors(BaseModel):
    occurrence: datetime = Field(description="Original start (UTC): the occurrence's id")
    start: datetime
    end: datetime
    cancelled: bool = False
    moved: bool = False
    note: str | None = None
    title: str | None = None


class EventForEditors(BaseModel):
    """An event in any status as its editors and translators see it."""

    id: str
    city: str
    organisation: str
    status: str
    revision: int
    source_revision: int = Field(description="Revision of the source texts (translations name it)")
    kind: AgendaItemKind
    source_language: str
    texts: dict[str, str] = Field(description="The source texts to translate, by field (empty ones left out)")
    body: dict[str, Any] = Field(description="The event as `PUT /cities/{city}/events/{id}` takes it back")
    translations: dict[str, LanguageState] = Field(description="Every language of the city")
    occurrences: list[OccurrenceForEditors] = Field(
        description="Occurrences from a month ago on (up to 100), moved and cancelled ones included"
    )
    changes: list[OccurrenceForEditors] = Field(
        description="Every moved or cancelled occurrence, past ones too"
    )
    imported: dict[str, str] | None = Field(
        default=None, description="The calendar it came from (source, uid)"
    )
    first_start: datetime
    last_end: datetime | None
    created_at: datetime
    updated_at: datetime


class EventRow(BaseModel):
    """An event in the editors' list."""

    id: str
    organisation: str
    status: str
    kind: AgendaItemKind
    title: str
    source_language: str
    first_start: datetime
    last_end: datetime | None
    recurring: bool
    imported: bool
    translations: dict[str, LanguageState]
    updated_at: datetime


class TextVersion(BaseModel):
    revision: int
    source_language: str
    texts: dict[str, str]
    at: datetime


# ---------------------------------------------------------------------------------------------- iCalendar

REASONS = (
    "no_uid", "unreadable", "schedule_never_happens", "schedule_too_complex", "invalid_schedule",
    "changed_occurrence_invalid", "changed_occurrence_unreadable",
)  # fmt: skip
"""What can be wrong with one event of a file, as a code a frontend words in its reader's language."""


class ImportProblem(BaseModel):
    event: int = Field(description="Position of the VEVENT in the file (1 for the first)")
    uid: str | None = Field(default=None, description="Its UID (uploaded files only)")
    reason: str = Field(
        default="unreadable", description="What is wrong, as a code: " + ", ".join(REASONS),
        examples=["invalid_schedule"],
    )  # fmt: skip
    message: str


class ImportResult(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    errors: list[ImportProblem] = Field(
        default_factory=list, description="Events not imported, and why; their stored copies are left alone"
    )


class CalendarSourceUpdate(BaseModel):
    """Where an organisation's calendar is fetched from."""

    url: str = Field(max_length=1000, examples=["https://ngo.example.org/events.ics"])


class CalendarSourcePublic(BaseModel):
    """A calendar URL an organisation set, and how its last import went."""

    name: str
    organisation: str
    url: str
    last_synced_at: datetime | None = Field(default=None, description="When it was last imported")
    last_result: ImportResult | None = None
    last_error: str | None = Field(default=None, description="Why the last attempt failed, if it did")
    last_error_code: str | None = Field(default=None, examples=["calendar_unreachable"])
