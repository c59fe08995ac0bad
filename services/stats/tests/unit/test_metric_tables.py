"""What the stream processor counts and keeps of each rarer event class (`witaj.stats.metrics`'s tables),
without a broker or a database. `test_processor.py` and `test_pipeline.py` count the same end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.events import (
    AgendaItemUpdated,
    Channel,
    ContentKind,
    FeedbackSubmitted,
    IndicatorDatasetSubmitted,
    IndicatorRow,
    InstantAnswersShown,
    NotificationFailed,
    PageViewed,
    QuestionAsked,
    RegistrationCancelled,
    RegistrationPromoted,
    RegistrationStatus,
)
from witaj.stats.metrics import Counter, Effects
from witaj.stats.privacy import TOTAL

pytestmark = pytest.mark.unit

NOON = datetime(2031, 3, 2, 12, 0, tzinfo=UTC)
REGISTRATION = {"registration_id": "r1", "event_id": "e1", "organisation": "org", "registrant": "p1"}


def event(data: EventData) -> Envelope[Any]:
    return wrap(data, source="witaj/test", city="lublin", subject="s", time=NOON)


def counts(data: EventData) -> dict[tuple[str, str, str], int]:
    return {(i.metric, i.dimension, i.value): i.amount for i in Counter("salt").increments(event(data))}


def test_feedback_counts_helpfulness_and_comments_by_item_and_language() -> None:
    helpful = FeedbackSubmitted(
        kind=ContentKind.PAGE, item_id="rent", language="uk", helpful=False, has_comment=True
    )
    assert counts(helpful) == {
        ("feedback_unhelpful", "total", TOTAL): 1,
        ("feedback_unhelpful", "item", "rent"): 1,
        ("feedback_unhelpful", "language", "uk"): 1,
        ("feedback_comments", "total", TOTAL): 1,
        ("feedback_comments", "item", "rent"): 1,
        ("feedback_comments", "language", "uk"): 1,
    }
    assert counts(FeedbackSubmitted(kind=ContentKind.PAGE, item_id="rent", language="uk")) == {}


def test_a_failed_delivery_is_counted_by_its_channel() -> None:
    failed = NotificationFailed(
        channel=Channel.EMAIL, subscriber="s1", source_event="x", source_type="content.published",
        language="pl", attempts=5, error="Timeout",
    )  # fmt: skip
    found = counts(failed)
    assert found[("notifications_failed", "channel", "email")] == 1
    assert {metric for metric, _, _ in found} == {"notifications_failed"}


def test_an_unanswered_instant_answer_is_also_an_information_gap() -> None:
    empty = counts(InstantAnswersShown(language="uk", topic="work", result_count=0))
    found = counts(InstantAnswersShown(language="uk", topic="work", result_count=3))
    assert empty[("instant_answers_empty", "topic", "work")] == 1
    assert ("instant_answers_empty", "total", TOTAL) not in found
    assert found[("instant_answers_shown", "language", "uk")] == 1


def test_a_promotion_moves_a_person_from_the_waitlist_to_a_place() -> None:
    found = counts(RegistrationPromoted(**REGISTRATION))
    assert found[("confirmed", "event", "e1")] == 1
    assert found[("waitlisted", "event", "e1")] == -1
    assert ("registrations", "total", TOTAL) not in found  # nobody new registered


def test_what_is_kept_besides_counts_by_event_class() -> None:
    counter, effects = Counter("salt"), Effects()
    cancelled = RegistrationCancelled(**REGISTRATION, previous_status=RegistrationStatus.WAITLISTED)
    updated = AgendaItemUpdated(
        event_id="e2", revision=3, event_kind="workshop", organisation="org", capacity=9, path="/e2"
    )
    dataset = IndicatorDatasetSubmitted(
        dataset_id="d1", indicator="employment_rate", period="2030", rows=[IndicatorRow(value=50.0)]
    )
    asked = QuestionAsked(question_id="q1", topic="work", language="uk", asked_on=date(2031, 3, 2))
    for data in (
        cancelled,
        updated,
        dataset,
        asked,
        PageViewed(kind=ContentKind.PAGE, item_id="p", language="uk"),
    ):
        counter.note(event(data), effects)

    [place] = effects.places
    assert (place.event, place.flows) == ("e1", {"cancellations": 1, "waitlisted": -1})
    assert effects.capacities[("lublin", "e2")]["capacity"] == 9
    assert [d.data.dataset_id for d in effects.datasets] == ["d1"]
    assert len(effects.questions) == 1
    assert not effects.queries and not effects.translations
