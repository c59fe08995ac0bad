"""HTTP models of the notify API, with every limit explicit."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from witaj.shared.events import Channel, UserType

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Mode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class QuietHours(BaseModel):
    """Local times (in the subscription's time zone) between which e-mails and webhooks wait."""

    model_config = ConfigDict(extra="forbid")
    start: str = Field(examples=["22:00"])
    end: str = Field(examples=["07:00"])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not HHMM.match(value):
            raise ValueError("use 24-hour HH:MM, e.g. '22:00'")
        return value


class _Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: list[Slug] = Field(
        default_factory=list,
        max_length=30,
        description="Topics of the city's tree (/cities/{city}/topics); a topic includes its subtopics. "
        "Empty: every topic",
    )
    event_kinds: list[Slug] = Field(default_factory=list, max_length=30, description="Empty: every kind")
    target_groups: list[UserType] = Field(
        default_factory=list, max_length=20, description="Empty: every group"
    )
    language: LanguageCode | None = Field(default=None, description="Defaults to the city's language")
    fallbacks: list[LanguageCode] = Field(default_factory=list, max_length=10)
    channels: list[Channel] = Field(default_factory=lambda: [Channel.INBOX], min_length=1, max_length=3)
    email: str | None = Field(default=None, max_length=254)
    webhook_url: str | None = Field(default=None, max_length=2000)
    timezone: str | None = Field(default=None, max_length=64, description="IANA name; the city's by default")
    quiet_hours: QuietHours | None = None
    mode: Mode = Field(
        default=Mode.IMMEDIATE,
        description="'digest': e-mails and webhooks come once a day, one message listing every item "
        "(the in-app inbox still shows each item as it comes)",
    )
    digest_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour of the daily digest (after quiet hours if inside)"
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("channels")
    @classmethod
    def _unique(cls, value: list[Channel]) -> list[Channel]:
        return sorted(set(value))


class SubscriptionCreate(_Preferences):
    city: Slug

    @model_validator(mode="after")
    def _channels_have_targets(self) -> SubscriptionCreate:
        if Channel.EMAIL in self.channels and not self.email:
            raise ValueError("the e-mail channel needs an 'email'")
        if Channel.WEBHOOK in self.channels and not self.webhook_url:
            raise ValueError("the webhook channel needs a 'webhook_url'")
        return self


class SubscriptionUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    topics: list[Slug] | None = Field(default=None, max_length=30)
    event_kinds: list[Slug] | None = Field(default=None, max_length=30)
    target_groups: list[UserType] | None = Field(default=None, max_length=20)
    language: LanguageCode | None = None
    fallbacks: list[LanguageCode] | None = Field(default=None, max_length=10)
    channels: list[Channel] | None = Field(default=None, min_length=1, max_length=3)
    email: str | None = Field(default=None, max_length=254)
    webhook_url: str | None = Field(default=None, max_length=2000)
    timezone: str | None = Field(default=None, max_length=64)
    quiet_hours: QuietHours | None = None
    mode: Mode | None = None
    digest_hour: int | None = Field(default=None, ge=0, le=23)


class SubscriptionPublic(BaseModel):
    id: str
    city: str
    owner: str = Field(description="'device' or 'account'")
    active: bool
    topics: list[str]
    event_kinds: list[str]
    target_groups: list[str]
    language: str
    fallbacks: list[str]
    channels: list[Channel]
    email: str | None
    email_confirmed: bool = Field(
        default=False,
        description="E-mails go out only once the address is confirmed from the link sent to it; "
        "an unconfirmed address is forgotten after notify.email_confirmation_hours",
    )
    webhook_url: str | None
    timezone: str
    quiet_hours: QuietHours | None
    mode: Mode
    digest_hour: int
    created_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    token: str | None = Field(
        description="Device subscriptions only: send as X-Subscriber-Token; shown once, store it"
    )
    webhook_secret: str | None = Field(description="Signs webhook calls; shown once, store it")


class SubscriptionUpdated(SubscriptionPublic):
    webhook_secret: str | None = Field(
        default=None,
        description="Only when this change added a webhook: signs its calls; shown once, store it",
    )


class MessagePublic(BaseModel):
    id: str
    channel: Channel
    source_type: str
    language: str
    rtl: bool
    title: str
    body: str
    link: str | None
    created_at: datetime
    read: bool


class InboxPage(BaseModel):
    items: list[MessagePublic]
    unread: int
    total: int
    limit: int
    offset: int
    next_offset: int | None


# ------------------------------------------------------------------------------------------ broadcasts

BROADCAST_TITLE_MAX = 200
BROADCAST_BODY_MAX = 2_000
BROADCAST_TOPICS_MAX = 10
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters, but for tab and line feed: a notice is plain text, and a line break in a title
would break the e-mail's Subject header."""


class BroadcastText(BaseModel):
    """A notice in one language: short enough to read on a phone's lock screen and in an e-mail."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BROADCAST_TITLE_MAX)
    ]
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BROADCAST_BODY_MAX)
    ]

    @field_validator("title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if CONTROL.search(value) or "\n" in value or "\t" in value:
            raise ValueError("a title is one line of text")
        return value

    @field_validator("body", mode="before")
    @classmethod
    def _plain(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            if CONTROL.search(value):
                raise ValueError("control characters are not allowed")
        return value


class BroadcastCreate(BaseModel):
    """Who gets an urgent notice (the subscribers of these topics, of these target groups, or of
    both) and its text in each language it is written in."""

    model_config = ConfigDict(extra="forbid")
    topics: list[Slug] = Field(
        default_factory=list,
        max_length=BROADCAST_TOPICS_MAX,
        description="Topics of the city's tree; their subscribers, those of a topic above them and those "
        "of every topic get the notice",
    )
    target_groups: list[UserType] = Field(
        default_factory=list,
        max_length=len(UserType),
        description="Only subscribers of these groups (or of no group in particular); with no topics, "
        "such subscribers of every topic",
    )
    texts: dict[LanguageCode, BroadcastText] = Field(
        min_length=1,
        max_length=60,
        description="Per language the city offers; the city's default language is required (who reads "
        "a language without a text gets their fallback's, else the default's)",
    )

    @field_validator("topics", "target_groups")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class LanguageReach(BaseModel):
    language: str
    rtl: bool
    title: str
    body: str
    subscribers: int = Field(ge=0, description="Subscribers who would get this text")
    instead_of: dict[str, int] = Field(
        default_factory=dict,
        description="Of those, how many read another language that has no text here (by that language)",
    )


class BroadcastPreview(BaseModel):
    """What a broadcast would send, language by language, and to how many subscribers (counts only)."""

    city: str
    topics: list[str]
    target_groups: list[str]
    subscribers: int = Field(ge=0)
    languages: list[LanguageReach]


class BroadcastState(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    NOT_SENT = "not_sent"


class BroadcastPublic(BaseModel):
    id: str
    city: str
    topics: list[str]
    target_groups: list[str]
    texts: dict[str, BroadcastText]
    subscribers: int = Field(ge=0, description="Subscribers it was meant for when it was sent")
    languages: dict[str, int] = Field(description="Of those, how many get each language's text")
    state: BroadcastState = Field(
        description="'sending' while messages are being stored and sent; 'sent' once every subscriber's "
        "messages are; 'not_sent' if the city switched notifications off before they were"
    )
    messages: int = Field(ge=0, description="Messages stored so far (inbox, e-mail and webhook together)")
    created_at: datetime
