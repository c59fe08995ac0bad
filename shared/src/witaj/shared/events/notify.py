"""Delivery outcome events of the notify service, and the urgent notices a city broadcast, for stats."""

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


@event_type("notify.broadcast_sent")
class BroadcastSent(EventData):
    """A city's editors sent an urgent notice to the subscribers of some topics or target groups.

    What it was about and how many it was meant for, never who sent it or who received it: the
    notices' own texts stay in notify (its list of sent broadcasts), and each message that reaches a
    subscriber has its own NotificationDelivered under the broadcast's id (`source_event`)."""

    broadcast_id: str
    topics: list[str] = Field(default_factory=list, description="As chosen (subtopics reach no further)")
    target_groups: list[str] = Field(default_factory=list)
    languages: list[str] = Field(description="The languages the notice was written in")
    audience: int = Field(ge=0, description="Subscribers it was meant for when it was sent")
