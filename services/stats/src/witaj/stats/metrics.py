"""What each consumed event counts: pure functions from an event to rollup increments.

A metric is counted per city and per dimension (total, topic, language, item, event, organisation,
channel, ...). Metrics derived from people (registrations, attendance) are also counted per occurrence
(`witaj.stats.places`): only those counts are ever published, in day releases (`witaj.stats.privacy`);
their rollups, by the day the registrations happened and in day windows only, stay inside the stats
database. Migrants' questions are counted only per day, topic and language (`witaj.stats.questions`),
never as rollups, and published in the same releases. Nothing personal is kept: session ids only reach
the distinct-session counter of search queries, hashed.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from witaj.shared.envelope import Envelope, EventData
from witaj.shared.events import (
    AgendaItemPublished,
    AgendaItemUpdated,
    AgendaItemViewed,
    ContentKind,
    FeedbackSubmitted,
    IndicatorDatasetSubmitted,
    InstantAnswersShown,
    NotificationDelivered,
    NotificationFailed,
    NotificationOpened,
    PageViewed,
    SearchPerformed,
    TranslationStateChanged,
)
from witaj.shared.redaction import redact
from witaj.stats.places import REGISTRATIONS, Place, flows
from witaj.stats.privacy import TOTAL, hash_session
from witaj.stats.questions import QUESTION_EVENTS, QUESTIONS, Asked, asked

PEOPLE = ("registrations", "confirmed", "waitlisted", "cancellations", "attended", "no_shows")
"""Counts of people at events, in the order releases list them."""
PEOPLE_METRICS = frozenset(PEOPLE) | frozenset(QUESTIONS)
"""Every count of people (registrations and migrants' questions, each one person's): published only in
day releases (`witaj.stats.privacy`), never live."""

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
        "instant_answers_shown",
        "instant_answers_empty",
    }
    | PEOPLE_METRICS
)

DIMENSIONS = frozenset({"total", "topic", "language", "item", "event", "organisation", "channel", "kind"})

STALE_STATES = frozenset({"missing"})

KNOWN_TALLIES = 100_000
"""Distinct tallies `Counter.read` hands out as one shared object each (a minute of a busy city holds
a few thousand). Views alike share their tally, so a queued batch is mostly references: fewer objects
for the garbage collector to scan while the batch waits for its transaction, and fewer to free."""

_EPOCH_DAY = date(1970, 1, 1).toordinal()


def _missed_query(data: Any) -> str | None:
    """The normalised query of a search that found nothing (an information gap), else None; redacted
    again, as producers should have done (`witaj.shared.redaction`), before it is stored."""
    if type(data) is SearchPerformed and data.zero_results:
        return redact(data.query).strip().lower() or None
    return None


def _translation_state(data: TranslationStateChanged) -> dict[str, Any]:
    return {"state": data.state, "outdated": data.outdated}


class Increment(NamedTuple):
    """A tuple, not a dataclass: a batch builds several per event, so construction cost matters."""

    metric: str
    dimension: str
    value: str
    amount: int = 1


def _by(metric: str, amount: int = 1, **dimensions: str | list[str] | None) -> list[Increment]:
    out = [Increment(metric, "total", TOTAL, amount)]
    for dimension, values in dimensions.items():
        for value in values if isinstance(values, list) else [values]:
            if value:
                out.append(Increment(metric, dimension, value, amount))
    return out


class PageViews(NamedTuple):
    """What a page view counts. Views alike in all of it are summed first and their increments worked
    out once per batch: a batch holds thousands of views of a few hundred items, and building the
    increments of each view was the processor's largest cost after decoding."""

    kind: ContentKind
    """The enum itself, not its text: reading `.value` costs a property call per view."""
    item: str
    language: str
    topics: tuple[str, ...]
    organisation: str | None
    untranslated: str | None
    """The language asked for, when the reader got a fallback instead."""
    outdated: str | None
    """The language asked for, when its translation was missing or outdated at the time of the view."""

    def increments(self) -> list[Increment]:
        out = _by(
            "page_views",
            topic=list(self.topics),
            language=self.language,
            item=self.item,
            kind=self.kind.value,
        )
        out += _by("page_views", organisation=self.organisation)[1:]
        if self.untranslated:
            out += _by("views_untranslated", language=self.untranslated, item=self.item)
        if self.outdated:
            out += _by("views_outdated", language=self.outdated, item=self.item)
        return out


class EventViews(NamedTuple):
    """What a view of an event counts (see `PageViews`)."""

    event: str
    language: str
    topics: tuple[str, ...]
    organisation: str | None
    untranslated: str | None

    def increments(self) -> list[Increment]:
        out = _by("event_views", event=self.event, language=self.language, topic=list(self.topics))
        out += _by("event_views", organisation=self.organisation)[1:]
        if self.untranslated:
            out += _by("views_untranslated", language=self.untranslated)
        return out


class Searches(NamedTuple):
    """What a search counts (see `PageViews`); the query text of a zero-result search is kept apart."""

    language: str
    zero_results: bool

    def increments(self) -> list[Increment]:
        out = _by("searches", language=self.language)
        if self.zero_results:
            out += _by("zero_result_searches", language=self.language)
        return out


class RareEventIncrements(NamedTuple):
    """The increments of a rarer event (registrations, deliveries, feedback), worked out as it comes."""

    items: tuple[Increment, ...]

    def increments(self) -> list[Increment]:
        return list(self.items)


Tally = PageViews | EventViews | Searches | RareEventIncrements

TallyKey = tuple[str, int, Tally]
"""(city, minute the event happened in as minutes since the epoch, what it counts)."""


def epoch_minute(moment: datetime) -> int:
    """The minute holding `moment`, as minutes since the epoch (naive times are UTC, as everywhere in
    stats). A number because hashing an aware datetime asks its time zone for the offset each time,
    and each event's minute is hashed once per batch; worked out from the fields because
    `timestamp()` asks the time zone twice (once for the epoch)."""
    offset = moment.utcoffset()
    seconds = (
        (moment.toordinal() - _EPOCH_DAY) * 86_400 + moment.hour * 3_600 + moment.minute * 60 + moment.second
    )
    if offset:
        seconds -= offset.days * 86_400 + offset.seconds
    return seconds // 60


@dataclass
class Effects:
    """Everything one batch changes, gathered before one transaction writes it.

    Events are only tallied (city, minute, what they count) as they come; increments, and their fan-out
    to hour and day windows, are worked out once per distinct tally when the batch is written.
    """

    tallies: list[TallyKey] = field(default_factory=list)
    queries: list[tuple[Envelope[Any], str, str, str | None]] = field(default_factory=list)
    capacities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    places: list[Place] = field(default_factory=list)
    questions: list[Asked] = field(default_factory=list)
    translations: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    datasets: list[Envelope[Any]] = field(default_factory=list)

    def counts(self) -> dict[tuple[str, datetime, str, str, str], int]:
        """Summed increments per (city, minute window start in UTC, metric, dimension, value)."""
        out: dict[tuple[str, datetime, str, str, str], int] = {}
        for (city, minute, tally), times in collections.Counter(self.tallies).items():
            start = datetime.fromtimestamp(minute * 60, UTC)
            for metric, dimension, value, amount in tally.increments():
                key = (city, start, metric, dimension, value)
                out[key] = out.get(key, 0) + amount * times
        return out


class Counter:
    """Turns events into increments; remembers translation states to spot demand for missing text."""

    def __init__(self, salt: str) -> None:
        self.salt = salt
        self.translations: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._known: dict[TallyKey, TallyKey] = {}

    def read(self, envelope: Envelope[Any]) -> TallyKey | None:
        """What the event counts, worked out as it is read, in stream order: a translation state it
        carries is remembered at once, so views read after it are judged against it."""
        data = envelope.data
        if type(data) is TranslationStateChanged:
            self.translations[(envelope.city, data.item_id, data.language)] = _translation_state(data)
        tally = self.tally(envelope)
        if tally is None:
            return None
        key = (envelope.city, epoch_minute(envelope.time), tally)
        known = self._known.setdefault(key, key)  # see KNOWN_TALLIES
        if len(self._known) > KNOWN_TALLIES:
            self._known.clear()
        return known

    @staticmethod
    def has_effects(envelope: Envelope[Any]) -> bool:
        """Whether `note` has anything to keep of the event; only such events are kept whole."""
        data = envelope.data
        kind = type(data)
        if kind is PageViewed or kind is AgendaItemViewed:  # the bulk of the stream, first
            return False
        return _missed_query(data) is not None or kind in STATE_KEPT

    def note(self, envelope: Envelope[Any], effects: Effects) -> None:
        """What a counted event changes besides counters: zero-result queries, and the state the events
        of `STATE_KEPT` carry."""
        data = envelope.data
        query = _missed_query(data)
        if query is not None:
            session = hash_session(data.session, self.salt) if data.session else None
            effects.queries.append((envelope, data.language, query, session))
            return
        keep = STATE_KEPT.get(type(data))
        if keep is not None:
            keep(envelope, effects)

    def tally(self, envelope: Envelope[Any]) -> Tally | None:
        """What the event counts, or None when it counts nothing (its effects are kept apart)."""
        d = envelope.data
        if type(d) is PageViewed:  # the bulk of the stream, first
            return self._page_views(envelope.city, d)
        if isinstance(d, AgendaItemViewed):
            wanted = d.requested_language or d.language
            return EventViews(
                d.event_id, d.language, tuple(d.topics), d.organisation, wanted if d.fallback else None
            )
        if isinstance(d, SearchPerformed):
            return Searches(d.language, d.zero_results)
        increments = self.increments(envelope)
        return RareEventIncrements(tuple(increments)) if increments else None

    def _page_views(self, city: str, d: PageViewed) -> PageViews:
        """A view is counted as outdated demand when the language asked for has a missing or outdated
        translation at the time (as far as the stream has said so far)."""
        wanted = d.requested_language or d.language
        state = None if d.fallback else self.translations.get((city, d.item_id, wanted))
        outdated = state is not None and (state["outdated"] or state["state"] in STALE_STATES)
        return PageViews(
            d.kind,
            d.item_id,
            d.language,
            tuple(d.topics),
            d.organisation,
            wanted if d.fallback else None,
            wanted if outdated else None,
        )

    def increments(self, envelope: Envelope[Any]) -> list[Increment]:
        """Increments of the rarer events, tallied as they are."""
        count = RARE_INCREMENTS.get(type(envelope.data))
        return count(envelope.data) if count is not None else []


# ---------------------------------------------------------------------------------------- by event class


def _place(envelope: Envelope[Any], effects: Effects) -> None:
    data = envelope.data
    place = Place(
        envelope.city, data.event_id, data.organisation, data.occurrence, envelope.time, flows(data)
    )
    effects.places.append(place)


def _question(envelope: Envelope[Any], effects: Effects) -> None:
    fact = asked(envelope)
    if fact is not None:
        effects.questions.append(fact)


def _capacity(envelope: Envelope[Any], effects: Effects) -> None:
    data = envelope.data
    effects.capacities[(envelope.city, data.event_id)] = {
        "capacity": data.capacity,
        "organisation": data.organisation,
        "revision": data.revision,
        "start": data.next_start,
    }


def _dataset(envelope: Envelope[Any], effects: Effects) -> None:
    effects.datasets.append(envelope)


def _translation(envelope: Envelope[Any], effects: Effects) -> None:
    data = envelope.data
    effects.translations[(envelope.city, data.item_id, data.language)] = _translation_state(data)


STATE_KEPT: dict[type[EventData], Callable[[Envelope[Any], Effects], None]] = {
    **dict.fromkeys(REGISTRATIONS, _place),  # people per occurrence
    **dict.fromkeys(QUESTION_EVENTS, _question),  # questions per day, topic and language
    AgendaItemPublished: _capacity,  # event capacities and starts
    AgendaItemUpdated: _capacity,
    IndicatorDatasetSubmitted: _dataset,
    TranslationStateChanged: _translation,
}
"""What `Counter.note` keeps of each event class besides its counts (and of zero-result searches, their
query); only events of these classes are kept whole while a batch is gathered."""


def _registration_increments(d: Any) -> list[Increment]:
    out: list[Increment] = []
    for metric, amount in flows(d).items():
        out += _by(metric, amount, event=d.event_id, organisation=d.organisation)
    return out


def _notification_increments(metric: str) -> Callable[[Any], list[Increment]]:
    def count(d: Any) -> list[Increment]:
        return _by(metric, channel=d.channel.value, language=d.language, topic=d.topics)

    return count


def _instant_answers_increments(d: InstantAnswersShown) -> list[Increment]:
    """A public read, like a search: usage, not people."""
    shown = _by("instant_answers_shown", language=d.language, topic=d.topic)
    if d.result_count == 0:  # nothing published answered it: an information gap
        shown += _by("instant_answers_empty", language=d.language, topic=d.topic)
    return shown


def _feedback_increments(d: FeedbackSubmitted) -> list[Increment]:
    feedback: list[Increment] = []
    if d.helpful is not None:
        metric = "feedback_helpful" if d.helpful else "feedback_unhelpful"
        feedback += _by(metric, item=d.item_id, language=d.language)
    if d.has_comment:
        feedback += _by("feedback_comments", item=d.item_id, language=d.language)
    return feedback


RARE_INCREMENTS: dict[type[EventData], Callable[[Any], list[Increment]]] = {
    **dict.fromkeys(REGISTRATIONS, _registration_increments),
    NotificationDelivered: _notification_increments("notifications_delivered"),
    NotificationFailed: _notification_increments("notifications_failed"),
    NotificationOpened: _notification_increments("notifications_opened"),
    InstantAnswersShown: _instant_answers_increments,
    FeedbackSubmitted: _feedback_increments,
}
"""The increments of each rarer event class (registrations, deliveries, feedback), worked out as it comes."""
