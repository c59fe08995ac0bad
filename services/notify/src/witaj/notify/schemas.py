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
