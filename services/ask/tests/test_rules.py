"""The rules of a question's life, on plain documents (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from witaj.ask import rules
from witaj.ask.schemas import CounsellorMessageKind
from witaj.ask.settings import AskOptions
from witaj.shared.auth import Principal, Role
from witaj.shared.errors import ApiError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPTIONS = AskOptions(max_messages=4)


def counsellor(org: str = "caritas", subject: str = "anna") -> Principal:
    return Principal(subject=subject, roles=frozenset({Role.COUNSELLOR}), city="lublin", organisation=org)


def question(**extra) -> dict:
    doc = rules.new_question(
        "lublin", text="Pytanie", language="pl", topic="health", token_hash="h", faq_consent=False,
        now=NOW, options=OPTIONS,
    )  # fmt: skip
    return {**doc, **extra}


def sent() -> dict:
    doc, _ = rules.send(question(), NOW, OPTIONS)
    return doc


def test_a_new_question_waits_for_the_migrant_and_expires_within_the_day() -> None:
    doc = question()
    assert doc["state"] == "instant" and doc["expires_at"] == NOW + timedelta(hours=24)


def test_the_first_answer_says_how_long_it_took_and_later_ones_do_not() -> None:
    later = NOW + timedelta(hours=3)
    first, [event] = rules.write(
        sent(), counsellor(), CounsellorMessageKind.ANSWER, "Tak", None, [], later, OPTIONS
    )
    assert (event.data.first, event.data.wait_seconds) == (True, 3 * 3600)
    second, [again] = rules.write(
        first, counsellor("fundacja"), CounsellorMessageKind.ANSWER, "Też", None, [], later, OPTIONS
    )
    assert (again.data.first, again.data.wait_seconds) == (False, None)
    assert second["answered_by"] == ["caritas", "fundacja"] and second["first_answer_at"] == later


def test_a_claim_keeps_colleagues_out_until_it_runs_out() -> None:
    claimed = rules.claim(sent(), counsellor(subject="anna"), NOW, OPTIONS)
    with pytest.raises(ApiError) as refused:
        rules.write(
            claimed, counsellor(subject="piotr"), CounsellorMessageKind.ANSWER, "x", None, [], NOW, OPTIONS
        )
    assert refused.value.code == "claimed"
    after = NOW + timedelta(minutes=OPTIONS.claim_minutes + 1)
    answered, _ = rules.write(
        claimed, counsellor(subject="piotr"), CounsellorMessageKind.ANSWER, "x", None, [], after, OPTIONS
    )
    assert answered["state"] == "answered"


def test_a_hand_over_while_awaiting_the_migrant_keeps_waiting_for_them() -> None:
    asked_back, _ = rules.write(
        sent(), counsellor(), CounsellorMessageKind.ASK_BACK, "?", None, [], NOW, OPTIONS
    )
    handed, [event] = rules.hand_over(asked_back, counsellor(), "fundacja")
    assert handed["state"] == "awaiting_migrant" and handed["organisation"] == "fundacja"
    assert event.data.from_organisation == "caritas" and event.data.first
    with pytest.raises(ApiError):
        rules.hand_over(handed, counsellor("fundacja"), "fundacja")
    _, [again] = rules.hand_over(handed, counsellor("fundacja"), "caritas")
    assert again.data.from_organisation == "fundacja" and not again.data.first  # stats count it once


def test_every_event_of_a_question_names_the_day_it_was_asked() -> None:
    """Stats count everything about a question in the release of that one day, even when it is sent
    after midnight and answered days later."""
    late = NOW.replace(hour=23, minute=50)
    doc = question(created_at=late)
    events = rules.send(doc, late + timedelta(minutes=20), OPTIONS)[1]
    answered, more = rules.write(
        rules.send(doc, late, OPTIONS)[0], counsellor(), CounsellorMessageKind.ANSWER, "Tak", None, [],
        late + timedelta(days=3), OPTIONS,
    )  # fmt: skip
    events += (
        more + rules.close_by_counsellor(answered, counsellor(), None, late + timedelta(days=4), OPTIONS)[1]
    )
    events += rules.close_by_migrant(question(created_at=late), True, late, OPTIONS)[1]
    assert [e.data.asked_on for e in events] == [NOW.date()] * 4


def test_steps_out_of_order_are_refused_with_the_state_named() -> None:
    with pytest.raises(ApiError) as refused:
        rules.reply(question(), "Halo", NOW, OPTIONS)
    assert refused.value.code == "wrong_state" and refused.value.details["state"] == "instant"
    closed, _ = rules.close_by_counsellor(sent(), counsellor(), None, NOW, OPTIONS)
    with pytest.raises(ApiError):
        rules.claim(closed, counsellor(), NOW, OPTIONS)


def test_a_thread_holds_a_bounded_number_of_messages() -> None:
    doc = sent()
    for _ in range(3):
        doc = rules.reply(doc, "Jeszcze", NOW, OPTIONS)
    with pytest.raises(ApiError) as full:
        rules.reply(doc, "Za dużo", NOW, OPTIONS)
    assert full.value.code == "thread_full"


def test_withdrawing_before_anyone_was_asked_announces_nothing() -> None:
    assert rules.close_by_migrant(question(), False, NOW, OPTIONS) == (None, [])
    assert rules.erase(question()) == [] and rules.expire(question()) == []
    [event] = rules.expire(sent())
    assert event.data.resolution == "expired"
