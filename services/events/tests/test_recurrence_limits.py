"""Recurrence rules cannot burn the service's CPU: refused clearly, bounded in work, off the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest

NASTY = [
    ("FREQ=DAILY;BYYEARDAY=100;BYMONTH=1", "schedule_never_happens"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "invalid_schedule"),
    ("FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31,-31", "invalid_schedule"),
    ("FREQ=MONTHLY;BYDAY=SU;BYSETPOS=6", "schedule_never_happens"),
    ("FREQ=YEARLY;BYWEEKNO=-60", "schedule_never_happens"),
    ("FREQ=DAILY;BYSETPOS=" + ",".join(map(str, range(2, 100))), "schedule_too_complex"),
    ("FREQ=DAILY;INTERVAL=9999999", "invalid_schedule"),
]


@pytest.mark.parametrize(("rrule", "code"), NASTY)
async def test_rules_that_never_happen_are_refused_through_the_api(
    client, editor, make_event, rrule, code
) -> None:
    body = make_event()
    body["schedule"]["rrule"] = rrule
    response = await client.post("/cities/lublin/events", json=body, headers=editor)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code and "RRULE" in error["message"]


def _calendar(events: int) -> bytes:
    nasty = "".join(
        f"BEGIN:VEVENT\nUID:nasty-{n}@ngo.example\nSUMMARY:Never\nDTSTART:20300301T100000Z\n"
        "RRULE:FREQ=DAILY;BYYEARDAY=100;BYMONTH=1\nEND:VEVENT\n"
        for n in range(events)
    )
    good = "BEGIN:VEVENT\nUID:good@ngo.example\nSUMMARY:Open day\nDTSTART:20300301T100000Z\nEND:VEVENT\n"
    return f"BEGIN:VCALENDAR\nVERSION:2.0\n{good}{nasty}END:VCALENDAR\n".encode()


async def test_health_answers_while_a_costly_calendar_is_imported(client, editor) -> None:
    """The file's 80 rules that never happen used to take seconds of the event loop each; now their
    checks run in a worker thread, bounded in work, and the import reports each of them."""
    importing = asyncio.create_task(
        client.post(
            "/cities/lublin/events/import",
            content=_calendar(80),
            headers={**editor, "Content-Type": "text/calendar"},
        )
    )
    waits = []
    while not importing.done() or not waits:
        asked = time.monotonic()
        # A task of its own (as a separate client's request would be): the in-process client alone
        # never gives the event loop a turn, and the import would never get one.
        assert (await asyncio.create_task(client.get("/health"))).status_code == 200
        waits.append(time.monotonic() - asked)
    result = (await importing).json()
    assert result["created"] == 1 and len(result["errors"]) == 80
    assert {e["message"].split(": ", 1)[1] for e in result["errors"]} <= {
        "the RRULE yields no occurrence within ten years of the start: its BY parts together exclude "
        "(almost) every date",
        "the RRULE needs too much work to expand: it matches too few dates, or the series starts too "
        "long before the dates asked for; simplify the rule or move its start closer",
    }
    assert max(waits) < 2.0, waits  # generous: a stalled loop would have made /health wait for the import


async def test_a_listing_far_from_the_events_starts_is_refused_not_computed(
    client, editor, make_event
) -> None:
    daily = make_event()
    daily["schedule"]["rrule"] = "FREQ=DAILY"
    assert (await client.post("/cities/lublin/events", json=daily, headers=editor)).status_code == 201
    far = await client.get("/cities/lublin/events", params={"from": "2250-01-01T00:00:00Z"})
    assert far.status_code == 400 and far.json()["error"]["code"] == "too_much_work"
    near = (await client.get("/cities/lublin/events")).json()
    assert near["total"] >= 50
