"""Unit tests of the agenda's own logic: the live relay's framing, a form sent twice, dates and whole
days, links in messages, what the browser keeps, what notify says about an e-mail address, and a part
of Witaj a city switched off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request
from witaj.web import live
from witaj.web.agenda import Dates, page_of, whole_days, zone
from witaj.web.browser_keys import (
    NOTIFICATIONS_COOKIE,
    QUESTIONS_COOKIE,
    REGISTRATIONS_COOKIE,
    held_questions,
    registration_token,
    subscribed,
)
from witaj.web.clients.base import BackendClient, BackendNotFound, BackendSwitchedOff
from witaj.web.clients.notify import Message, Subscription
from witaj.web.errors import switched_off
from witaj.web.forms import clean_line
from witaj.web.i18n import Translator
from witaj.web.once import OnceOnly
from witaj.web.settings import BackendSettings

WARSAW = zone(None, "Europe/Warsaw")
MESSAGE = {
    "id": "e1:s1:inbox", "channel": "inbox", "source_type": "content.published", "language": "en",
    "rtl": False, "title": "New rules", "body": "Read them.", "link": None,
    "created_at": "2030-05-13T15:00:00Z", "read": False,
}  # fmt: skip


async def lines_of(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def relayed(*lines: str, seconds: float = 60) -> list[str]:
    render = lambda m: f"<li>{m.title}</li>"  # noqa: E731
    return [frame async for frame in live.relay(lines_of(*lines), render, seconds=seconds)]


async def test_the_relay_re_emits_messages_as_the_page_shows_them_and_keeps_the_stream_alive() -> None:
    frames = await relayed(
        "retry: 3000", ": connected", "",
        "id: e1:s1:inbox", "event: message", "data: " + json.dumps(MESSAGE), "",
        ": heartbeat", "",
    )  # fmt: skip
    assert frames[0] == "retry: 3000\n\n" and frames[1] == ": heartbeat\n\n"
    assert frames[2].startswith("id: e1:s1:inbox\nevent: message\ndata: ")
    data = json.loads(frames[2].split("data: ", 1)[1])
    assert data == {"id": live.dom_id("e1:s1:inbox"), "html": "<li>New rules</li>"}
    assert frames[3] == ": heartbeat\n\n" and len(frames) == 4


async def test_the_relay_leaves_out_what_it_cannot_show_and_goes_on() -> None:
    frames = await relayed(
        "event: message", "data: {not json", "",
        "event: other", "data: " + json.dumps(MESSAGE), "",
        "event: message", "data: " + json.dumps({**MESSAGE, "id": "e2:s1:inbox"}), "",
    )  # fmt: skip
    assert len(frames) == 1 and live.dom_id("e2:s1:inbox") in frames[0]


async def test_the_relay_ends_after_its_time_at_the_next_line() -> None:
    frames = await relayed(": connected", "", ": heartbeat", "", seconds=0)
    assert frames == [": heartbeat\n\n"]


def test_a_frame_never_carries_a_line_break_into_its_id_or_fields() -> None:
    assert live.frame("message", "a\nb", "x\ny") == "id: xy\nevent: message\ndata: a\ndata: b\n\n"


async def test_a_form_sent_twice_runs_once_and_both_get_the_same_answer() -> None:
    once = OnceOnly()
    calls = 0

    async def book() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return f"place {calls}"

    answers = await asyncio.gather(*(once.run("form-1", book) for _ in range(3)))
    assert answers == ["place 1"] * 3 and calls == 1
    assert await once.run("form-1", book) == "place 1"  # sent again later: still the same
    assert await once.run("form-2", book) == "place 2"  # another form books again


async def test_a_failed_write_is_not_remembered() -> None:
    once = OnceOnly()
    tries = 0

    async def flaky() -> str:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise ConnectionError("the service went away")
        return "booked"

    with pytest.raises(ConnectionError):
        await once.run("form", flaky)
    assert await once.run("form", flaky) == "booked"


async def test_remembered_forms_are_bounded() -> None:
    once = OnceOnly(size=2)

    async def value() -> int:
        return 1

    for key in ("a", "b", "c", "d"):
        await once.run(key, value)
    assert len(once._done) <= 3


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_whole_days_are_midnight_to_midnight_in_the_events_time_zone() -> None:
    assert whole_days(utc(2030, 5, 12, 22), utc(2030, 5, 13, 22), WARSAW)
    assert not whole_days(utc(2030, 5, 13, 0), utc(2030, 5, 14, 0), WARSAW)  # midnight in London only
    assert whole_days(utc(2030, 5, 13, 8), utc(2030, 5, 13, 9), WARSAW, declared=True)


def test_dates_are_written_in_the_readers_language() -> None:
    english, arabic = Dates(Translator("en"), WARSAW), Dates(Translator("ar"), WARSAW)
    start, end = utc(2030, 5, 14, 15), utc(2030, 5, 14, 16, 30)
    times = "17:00\u202f\u2060\u2013\u2060\u202f18:30"  # kept on one line, however narrow the phone
    assert english.when(start, end) == times
    assert english.full(start, end) == f"Tuesday, May 14, 2030, {times}"
    assert arabic.full(start, end).startswith("الثلاثاء، 14 مايو 2030، ")
    one_day = (utc(2030, 5, 13, 22), utc(2030, 5, 14, 22))
    assert english.when(*one_day) == "All day" and english.full(*one_day) == "Tuesday, May 14, 2030"
    three_days = (utc(2030, 5, 13, 22), utc(2030, 5, 16, 22))
    assert (
        english.when(*three_days)
        == english.full(*three_days)
        == "Tue, May 14\u2009\u2013\u2009Thu, May 16, 2030"
    )
    assert "المواعيد" not in arabic.when(*one_day) and arabic.when(*one_day) == "طوال اليوم"


def reader_of(city: str = "lublin", lang: str = "uk") -> Any:
    return SimpleNamespace(
        city=SimpleNamespace(id=city),
        path=lambda *parts: "/".join([f"/{city}/{lang}", *parts]),
    )


def test_links_in_messages_lead_to_this_apps_pages_and_nowhere_else() -> None:
    reader = reader_of()
    assert (
        page_of("https://witaj.example/cities/lublin/pages/lublin-renting", reader)
        == "/lublin/uk/pages/lublin-renting"
    )
    assert page_of("/cities/lublin/events/demo-festival", reader) == "/lublin/uk/events/demo-festival"
    question = "/cities/lublin/questions/q0123456789abcdef01234567"
    assert page_of(question, reader) == "/lublin/uk/questions/q0123456789abcdef01234567"  # an answer's notice
    assert page_of("https://witaj.example/cities/bologna/pages/x", reader) is None  # another city
    assert page_of("https://evil.example/phish", reader) is None
    assert page_of("https://witaj.example/cities/lublin/workbench/items", reader) is None
    assert page_of(None, reader) is None


def request_with(cookies: dict[str, str]) -> Request:
    header = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [(b"cookie", header)]})


def test_only_well_formed_keys_are_taken_from_the_browser() -> None:
    token = "A" * 32
    first, second = "q" + "a" * 24, "q" + "b" * 24
    kept = f"{first}.{token}~{second}.{token}~{second}.{'B' * 32}~qzz.{token}~{first}.short"
    assert held_questions(request_with({QUESTIONS_COOKIE: kept})) == {first: token, second: token}
    assert registration_token(request_with({REGISTRATIONS_COOKIE: token})) == token
    assert registration_token(request_with({REGISTRATIONS_COOKIE: "short"})) is None
    held = subscribed(request_with({NOTIFICATIONS_COOKIE: f"s0123.{token}"}))
    assert held is not None and (held.id, held.token, held.cookie) == ("s0123", token, f"s0123.{token}")
    assert subscribed(request_with({NOTIFICATIONS_COOKIE: "s0123"})) is None
    assert subscribed(request_with({NOTIFICATIONS_COOKIE: f"../x.{token}"})) is None


def test_an_address_waits_for_confirmation_only_when_notify_says_so() -> None:
    base = {"id": "s1", "city": "lublin", "email": "a@example.org"}
    assert Subscription.model_validate({**base, "email_confirmed": False}).email_pending
    assert not Subscription.model_validate({**base, "email_confirmed": True}).email_pending
    assert not Subscription.model_validate(base).email_pending  # a notify that does not confirm
    assert not Subscription.model_validate({**base, "email": None, "email_confirmed": False}).email_pending


def test_what_readers_type_on_one_line_is_squeezed_and_cut() -> None:
    assert clean_line("  Olena \t Kowalenko\u0000\n", 100) == "Olena Kowalenko"
    assert clean_line("x" * 500, 100) == "x" * 100


def test_a_message_as_the_stream_carries_it_is_read_into_the_model() -> None:
    message = Message.model_validate(MESSAGE)
    assert message.id == "e1:s1:inbox" and not message.read and message.created_at.tzinfo is not None


def test_a_switched_off_feature_is_told_apart_from_a_missing_thing() -> None:
    client = BackendClient("http://127.0.0.1:9", BackendSettings(), service="events")
    off = {
        "error": {
            "code": "feature_disabled",
            "message": "",
            "details": {"city": "x", "feature": "registration"},
        }
    }
    switched = client._refusal(404, off)
    assert isinstance(switched, BackendSwitchedOff) and switched.feature == "registration"
    missing = client._refusal(404, {"error": {"code": "not_found", "message": "", "details": None}})
    assert isinstance(missing, BackendNotFound) and not isinstance(missing, BackendSwitchedOff)
    assert switched_off("registration").text == "off.registration"
    assert switched_off("glossary").text == "off.feature" and switched_off(None).status == 404
    english = Translator("en")
    for key in ("off.events", "off.registration", "off.notifications", "off.feature"):
        assert english(key, city="Zamość").startswith("Zamość ")
