"""What each consumed event counts: pure functions from an event to rollup increments.

A metric is counted per city and per dimension (total, topic, language, item, event, organisation,
channel, ...). Metrics derived from people (registrations, attendance) are kept in day windows only:
minute and hour counts of people would be small by nature and invite differencing. Nothing personal is
kept: session ids only reach the distinct-session counter of search queries, hashed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from witaj.shared.envelope import Envelope
from witaj.shared.events import (
    AttendanceRecorded,
    EventPublished,
    EventUpdated,
    EventViewed,
    FeedbackSubmitted,
    IndicatorDatasetSubmitted,
    NotificationDelivered,
    NotificationFailed,
    NotificationOpened,
    PageViewed,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
    RegistrationStatus,
    SearchPerformed,
    TranslationStateChanged,
)
from witaj.stats.privacy import TOTAL, hash_session
from witaj.stats.windows import Granularity, window_start

PEOPLE_METRICS = frozenset(
    {"registrations", "waitlisted", "cancellations", "confirmed", "attended", "no_shows"}
)
"""Counts of people: suppressed below the privacy threshold, kept in day windows only."""

METRICS = frozenset(
    {
        "page_views",
        "event_views",
        "searches",
        "zero_result_searches",
        "views_untranslated",
        "views_outdated",
        "feedback_helpful",
        "feedback_unhelpful",
        "feedback_comments",
        "notifications_delivered",
        "notifications_failed",
        "notifications_opened",
    }
    | PEOPLE_METRICS
)

DIMENSIONS = frozenset({"total", "topic", "language", "item", "event", "organisation", "channel", "kind"})

STALE_STATES = frozenset({"missing"})


class Increment(NamedTuple):
    """A tuple, not a dataclass: a batch builds several per event, so construction cost matters."""

    metric: str
    dimension: str
    value: str
    amount: int = 1


CountKey = tuple[str, datetime, str, str, str]
"""(city, minute window start, metric, dimension, value)."""


@dataclass
class Effects:
    """Everything one batch changes, gathered before one transaction writes it.

    Increments are summed per minute as they are counted: a batch of thousands of events touches only
    a few hundred distinct counters, and the fan-out to hour and day windows is done once per counter
    when the batch is written, not once per event.
    """

    counts: dict[CountKey, int] = field(default_factory=dict)
    queries: list[tuple[Envelope[Any], str, str, str | None]] = field(default_factory=list)
    capacities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    translations: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    datasets: list[Envelope[Any]] = field(default_factory=list)


def _by(metric: str, amount: int = 1, **dimensions: str | list[str] | None) -> list[Increment]:
    out = [Increment(metric, "total", TOTAL, amount)]
    for dimension, values in dimensions.items():
        for value in values if isinstance(values, list) else [values]:
            if value:
                out.append(Increment(metric, dimension, value, amount))
    return out


class Counter:
    """Turns events into increments; remembers translation states to spot demand for missing text."""

    def __init__(self, salt: str) -> None:
        self.salt = salt
        self.translations: dict[tuple[str, str, str], dict[str, Any]] = {}

    def translation_stale(self, city: str, item: str, language: str) -> bool:
        state = self.translations.get((city, item, language))
        return state is not None and (state["outdated"] or state["state"] in STALE_STATES)

    def apply(self, envelope: Envelope[Any], effects: Effects) -> None:
        data = envelope.data
        increments = self.increments(envelope)
        if increments:
            counts = effects.counts
            city, minute = envelope.city, window_start(envelope.time, Granularity.MINUTE)
            for metric, dimension, value, amount in increments:
                key = (city, minute, metric, dimension, value)
                counts[key] = counts.get(key, 0) + amount
        if isinstance(data, SearchPerformed) and data.zero_results and data.query.strip():
            session = hash_session(data.session, self.salt) if data.session else None
            effects.queries.append((envelope, data.language, data.query.strip().lower(), session))
        elif isinstance(data, EventPublished | EventUpdated):
            effects.capacities[(envelope.city, data.event_id)] = {
                "capacity": data.capacity,
                "organisation": data.organisation,
                "revision": data.revision,
            }
        elif isinstance(data, IndicatorDatasetSubmitted):
            effects.datasets.append(envelope)
        elif isinstance(data, TranslationStateChanged):
            state = {"state": data.state, "outdated": data.outdated}
            self.translations[(envelope.city, data.item_id, data.language)] = state
            effects.translations[(envelope.city, data.item_id, data.language)] = state

    def increments(self, envelope: Envelope[Any]) -> list[Increment]:
        d = envelope.data
        if isinstance(d, PageViewed):
            out = _by("page_views", topic=d.topics, language=d.language, item=d.item_id, kind=d.kind.value)
            out += _by("page_views", organisation=d.organisation)[1:]
            wanted = d.requested_language or d.language
            if d.fallback:
                out += _by("views_untranslated", language=wanted, item=d.item_id)
            elif self.translation_stale(envelope.city, d.item_id, wanted):
                out += _by("views_outdated", language=wanted, item=d.item_id)
            return out
        if isinstance(d, EventViewed):
            out = _by("event_views", event=d.event_id, language=d.language, topic=d.topics)
            out += _by("event_views", organisation=d.organisation)[1:]
            if d.fallback:
                out += _by("views_untranslated", language=d.requested_language or d.language)
            return out
        if isinstance(d, SearchPerformed):
            out = _by("searches", language=d.language)
            if d.zero_results:
                out += _by("zero_result_searches", language=d.language)
            return out
        if isinstance(d, RegistrationCreated):
            metric = "confirmed" if d.status is RegistrationStatus.CONFIRMED else "waitlisted"
            return _by("registrations", event=d.event_id, organisation=d.organisation) + _by(
                metric, event=d.event_id, organisation=d.organisation
            )
        if isinstance(d, RegistrationPromoted):
            return _by("confirmed", event=d.event_id, organisation=d.organisation) + _by(
                "waitlisted", -1, event=d.event_id, organisation=d.organisation
            )
        if isinstance(d, RegistrationCancelled):
            out = _by("cancellations", event=d.event_id, organisation=d.organisation)
            if d.previous_status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
                metric = "confirmed" if d.previous_status is RegistrationStatus.CONFIRMED else "waitlisted"
                out += _by(metric, -1, event=d.event_id, organisation=d.organisation)
            return out
        if isinstance(d, AttendanceRecorded):
            return _by(
                "attended" if d.attended else "no_shows", event=d.event_id, organisation=d.organisation
            )
        if isinstance(d, NotificationDelivered | NotificationFailed | NotificationOpened):
            metric = {
                NotificationDelivered: "notifications_delivered",
                NotificationFailed: "notifications_failed",
                NotificationOpened: "notifications_opened",
            }[type(d)]
            return _by(metric, channel=d.channel.value, language=d.language, topic=d.topics)
        if isinstance(d, FeedbackSubmitted):
            feedback: list[Increment] = []
            if d.helpful is not None:
                metric = "feedback_helpful" if d.helpful else "feedback_unhelpful"
                feedback += _by(metric, item=d.item_id, language=d.language)
            if d.has_comment:
                feedback += _by("feedback_comments", item=d.item_id, language=d.language)
            return feedback
        return []
