"""Delivery outcome events of the notify service, for stats."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from witaj.shared.envelope import EventData, event_type


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


class _DeliveryFacts(EventData):
    channel: Channel
    subscriber: str = Field(description="Pseudonymous subscriber id")
    source_event: str = Field(description="Id of the platform event that caused the message")
    source_type: str
    language: str
    topics: list[str] = Field(default_factory=list)


@event_type("notify.delivered")
class NotificationDelivered(_DeliveryFacts):
    attempts: int = Field(default=1, ge=1)


@event_type("notify.failed")
class NotificationFailed(_DeliveryFacts):
    attempts: int = Field(ge=1)
    error: str = Field(max_length=200, description="Error class, never the target address")


@event_type("notify.opened")
class NotificationOpened(_DeliveryFacts):
    pass
