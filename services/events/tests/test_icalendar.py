"""iCalendar: a feed other calendars can read, and imports that update by UID and cancel what vanished."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest

CALENDAR = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//NGO//calendar//EN
BEGIN:VEVENT
UID:polish-a1@ngo.example
SUMMARY:Polish for beginners
DTSTART;TZID=Europe/Warsaw:20300304T170000
DTEND;TZID=Europe/Warsaw:20300304T183000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Europe/Warsaw:20300311T170000
CATEGORIES:language_course,education
LOCATION:ul. Peowiak\xc3\xb3w 6, Lublin
GEO:51.2485;22.5683
END:VEVENT
BEGIN:VEVENT
UID:polish-a1@ngo.example
RECURRENCE-ID;TZID=Europe/Warsaw:20300318T170000
DTSTART;TZID=Europe/Warsaw:20300319T170000
DTEND;TZID=Europe/Warsaw:20300319T183000
END:VEVENT
BEGIN:VEVENT
UID:festival@ngo.example
SUMMARY:Intercultural festival
DTSTART;VALUE=DATE:20300601
URL:https://festival.example.org
END:VEVENT
END:VCALENDAR
"""
WINDOW = {"from": "2030-03-01T00:00:00Z", "to": "2030-06-30T00:00:00Z"}


async def _import(client, headers, data: bytes, **params):
    return await client.post(
        "/cities/lublin/events/import",
        content=data,
        params=params,
        headers={**headers, "Content-Type": "text/calendar"},
    )


async def test_import_creates_recurring_events_and_reimport_updates_by_uid(client, editor, state) -> None:
    first = await _import(client, editor, CALENDAR)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "cancelled": 0, "errors": []}
    listed = (await client.get("/cities/lublin/events", params=WINDOW)).json()
    starts = [(o["title"], o["start"]) for o in listed["items"]]
    assert starts == [
        ("Polish for beginners", "2030-03-04T16:00:00Z"),
        ("Polish for beginners", "2030-03-19T16:00:00Z"),  # moved by its RECURRENCE-ID component
        ("Polish for beginners", "2030-03-25T16:00:00Z"),
        ("Polish for beginners", "2030-04-01T15:00:00Z"),
        ("Intercultural festival", "2030-05-31T22:00:00Z"),
    ]
    again = await _import(client, editor, CALENDAR)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2, "cancelled": 0, "errors": []}

    # Imported events can be edited in Witaj; what the calendar does not carry survives a re-import.
    course = next(o for o in listed["items"] if o["title"].startswith("Polish"))
    url = f"/cities/lublin/events/{course['event_id']}"
    detail = (await client.get(url)).json()
    assert detail["kind"] == "language_course" and detail["imported_uid"] == "polish-a1@ngo.example"
    edited = {
        k: detail[k] for k in ("kind", "texts", "place", "schedule", "topics", "languages_of_instruction")
    }
    edited |= {"source_language": "pl", "capacity": 12, "languages_of_instruction": ["pl", "uk"]}
    assert (await client.put(url, json=edited, headers=editor)).status_code == 200

    changed = CALENDAR.replace(b"SUMMARY:Polish for beginners", b"SUMMARY:Polish A1").replace(
        b"BEGIN:VEVENT\nUID:festival@ngo.example", b"BEGIN:VEVENT\nUID:gone@ngo.example\nSTATUS:CANCELLED"
    )
    third = await _import(client, editor, changed)
    assert third.json() == {"created": 0, "updated": 1, "unchanged": 0, "cancelled": 1, "errors": []}
    detail = (await client.get(url)).json()
    assert detail["texts"]["title"] == "Polish A1" and detail["capacity"] == 12
    assert detail["languages_of_instruction"] == ["pl", "uk"]
    statuses = sorted([d["status"] async for d in state.events.collection.find({})])
    assert statuses == ["cancelled", "published"]


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a calendar",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART:20300101T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20300101T100000Z\nDTEND:20300101T090000Z\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20300101T100000Z\nRRULE:FREQ=NEVER\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:bad\nDTSTART:nonsense\nEND:VEVENT\nEND:VCALENDAR\n",
    ],
)
async def test_malformed_calendars_are_refused_and_nothing_is_written(client, editor, state, data) -> None:
    response = await _import(client, editor, data)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_calendar"
    assert await state.events.collection.count_documents({}) == 0
    assert await state.runtime.outbox.collection.count_documents({}) == 0


async def test_only_editors_import_and_only_for_their_organisation(client, auth_header, state) -> None:
    assert (await _import(client, {}, CALENDAR)).status_code == 401
    assert (await _import(client, auth_header("migrant", city="lublin"), CALENDAR)).status_code == 403
    other = await _import(
        client, auth_header("ngo_editor", city="lublin", org="org-1"), CALENDAR, organisation="org-2"
    )
    assert other.status_code == 403
    assert await state.events.collection.count_documents({}) == 0


async def test_feed_is_valid_icalendar_with_the_same_filters(client, editor, make_event) -> None:
    await _import(client, editor, CALENDAR)
    await client.post(
        "/cities/lublin/events",
        json=make_event(start=datetime(2030, 4, 2, 10, tzinfo=UTC), topics=["work"]),
        headers=editor,
    )
    response = await client.get("/cities/lublin/events.ics", params=WINDOW)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e}
    assert set(events) == {"Polish for beginners", "Intercultural festival", "Warsztaty CV"}
    course = events["Polish for beginners"]
    assert course["UID"] == "polish-a1@ngo.example" and course.get("RRULE")["COUNT"] == [5]
    assert course.decoded("DTSTART").tzinfo.key == "Europe/Warsaw"
    assert next(m for m in calendar.walk("VEVENT") if "RECURRENCE-ID" in m).decoded("DTSTART").day == 19
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Warsaw"]

    only_work = icalendar.Calendar.from_ical(
        (await client.get("/cities/lublin/events.ics", params={**WINDOW, "topic": "work"})).content
    )
    assert [str(e["SUMMARY"]) for e in only_work.walk("VEVENT")] == ["Warsztaty CV"]


async def test_configured_calendar_url_is_imported_and_kept_in_sync(
    client, editor, state, calendar_server
) -> None:
    calendar = calendar_server(CALENDAR)
    async with calendar as url:
        source = "/cities/lublin/calendar-sources/ngo-main"
        assert (await client.put(source, json={"url": url}, headers=editor)).status_code == 204
        assert (await client.put(source, json={"url": "ftp://x"}, headers=editor)).status_code == 422
        first = await client.post(f"{source}/import", headers=editor)
        assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "cancelled": 0, "errors": []}

        calendar.body = CALENDAR.replace(b"SUMMARY:Intercultural festival", b"SUMMARY:Festival of cultures")
        await state.housekeeping.sweep()
        titles = sorted([d["texts"]["title"] async for d in state.events.collection.find({})])
        assert titles == ["Festival of cultures", "Polish for beginners"]
        stored = await state.runtime.db["calendar_sources"].find_one({})
        assert stored["last_result"]["updated"] == 1 and stored["last_error"] is None

    missing = await client.post("/cities/lublin/calendar-sources/other/import", headers=editor)
    assert missing.status_code == 404
    await state.housekeeping.sweep()  # the server is gone: recorded, nothing changed
    stored = await state.runtime.db["calendar_sources"].find_one({})
    assert "could not be fetched" in stored["last_error"]
    assert await state.events.collection.count_documents({"status": "published"}) == 2


async def test_all_day_events_are_exported_as_dates(client, editor, make_event) -> None:
    await _import(client, editor, CALENDAR)  # the festival is DTSTART;VALUE=DATE
    camp = make_event(
        texts={"title": "Summer camp"},
        schedule={
            "start": "2030-06-10T00:00:00", "end": "2030-06-12T00:00:00", "all_day": True,
            "rrule": "FREQ=WEEKLY;UNTIL=20300624T000000", "exdates": ["2030-06-17T00:00:00"],
        },
    )  # fmt: skip
    created = await client.post("/cities/lublin/events", json=camp, headers=editor)
    assert created.status_code == 201, created.text
    assert created.json()["schedule"]["all_day"] is True
    wrong = make_event(schedule={**camp["schedule"], "end": "2030-06-11T18:00:00"})
    refused = await client.post("/cities/lublin/events", json=wrong, headers=editor)
    assert refused.status_code == 422 and "midnight" in refused.json()["error"]["message"]

    response = await client.get("/cities/lublin/events.ics", params=WINDOW)
    text = response.content.decode()
    assert "DTSTART;VALUE=DATE:20300601\r\n" in text and "DTEND;VALUE=DATE:20300602\r\n" in text
    assert "DTSTART;VALUE=DATE:20300610\r\n" in text and "DTEND;VALUE=DATE:20300612\r\n" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20300624\r\n" in text and "EXDATE;VALUE=DATE:20300617\r\n" in text
    assert "RRULE:FREQ=WEEKLY;COUNT=5\r\n" in text  # timed events stay timed
    assert "DTSTART;TZID=Europe/Warsaw:20300304T170000\r\n" in text

    # What Witaj writes, Witaj (and any calendar) reads back as all-day.
    calendar = icalendar.Calendar.from_ical(response.content)
    festival = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Intercultural festival")
    assert festival.decoded("DTSTART") == date(2030, 6, 1)


MOVED_AND_RENAMED = CALENDAR.replace(
    b"RECURRENCE-ID;TZID=Europe/Warsaw:20300318T170000\n",
    b"RECURRENCE-ID;TZID=Europe/Warsaw:20300318T170000\nSUMMARY:Polish for beginners: exam\n",
)


async def test_a_moved_occurrence_keeps_its_own_title(client, editor) -> None:
    assert (await _import(client, editor, MOVED_AND_RENAMED)).status_code == 200
    listed = (await client.get("/cities/lublin/events", params=WINDOW)).json()["items"]
    titles = [(o["start"][:10], o["title"]) for o in listed if o["title"].startswith("Polish")]
    assert titles == [
        ("2030-03-04", "Polish for beginners"),
        ("2030-03-19", "Polish for beginners: exam"),
        ("2030-03-25", "Polish for beginners"),
        ("2030-04-01", "Polish for beginners"),
    ]
    calendar = icalendar.Calendar.from_ical(
        (await client.get("/cities/lublin/events.ics", params=WINDOW)).content
    )
    moved = next(e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e)
    assert str(moved["SUMMARY"]) == "Polish for beginners: exam"
    again = await _import(client, editor, MOVED_AND_RENAMED)
    assert again.json()["unchanged"] == 2

    exam = next(o for o in listed if o["title"].endswith("exam"))
    noted = await client.patch(
        f"/cities/lublin/events/{exam['event_id']}/occurrences/{exam['occurrence']}",
        json={"start": exam["start"], "end": exam["end"], "note": "Bring your ID"},
        headers=editor,
    )
    assert noted.status_code == 200, noted.text
    listed = (await client.get("/cities/lublin/events", params=WINDOW)).json()["items"]
    assert [(o["title"], o["note"]) for o in listed if o["occurrence"] == exam["occurrence"]] == [
        ("Polish for beginners: exam", "Bring your ID")
    ]


NEVER = b"BEGIN:VEVENT\nUID:never@ngo.example\nSUMMARY:Never\nDTSTART:20300301T100000Z\nRRULE:FREQ=DAILY;BYYEARDAY=100;BYMONTH=1\nEND:VEVENT\n"
UNREADABLE = b"BEGIN:VEVENT\nUID:bad@ngo.example\nDTSTART:nonsense\nEND:VEVENT\n"


async def test_an_event_that_cannot_be_imported_is_reported_and_the_rest_goes_in(
    client, editor, state
) -> None:
    data = CALENDAR.replace(b"END:VCALENDAR", NEVER + UNREADABLE + b"END:VCALENDAR")
    response = await _import(client, editor, data)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["created"] == 2
    assert [(e["event"], e["uid"]) for e in result["errors"]] == [
        (4, "never@ngo.example"),
        (5, "bad@ngo.example"),
    ]
    assert "no occurrence within ten years" in result["errors"][0]["message"]

    # The course's rule turns bad at the source: it is reported and kept as it was, not cancelled.
    spoiled = CALENDAR.replace(b"RRULE:FREQ=WEEKLY;COUNT=5", b"RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=7")
    again = (await _import(client, editor, spoiled)).json()
    assert (again["cancelled"], again["unchanged"]) == (0, 1)
    assert [e["uid"] for e in again["errors"]] == ["polish-a1@ngo.example"]
    statuses = sorted([d["status"] async for d in state.events.collection.find({})])
    assert statuses == ["published", "published"]


def _long_calendar(size: int) -> bytes:
    """One event whose description fills the file to `size` bytes, folded as RFC 5545 folds lines."""
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:long@ngo.example\r\nSUMMARY:Open day\r\n"
    head += b"DTSTART:20300301T100000Z\r\nDESCRIPTION:"
    tail = b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    lines = (size - len(head) - len(tail)) // 75
    return head + b"\r\n ".join([b"x" * 72] * lines) + tail


async def test_an_upload_may_be_as_large_as_a_fetched_calendar_and_no_larger(
    client, editor, state, settings
) -> None:
    """Editors are told the size a calendar may have (`agenda.max_import_bytes`); an upload gets it, not
    the smaller limit of the service's other requests."""
    limit = settings.agenda.max_import_bytes
    assert limit > settings.service.max_body_bytes
    large = _long_calendar(settings.service.max_body_bytes + 100_000)
    response = await _import(client, editor, large)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1
    stored = await state.events.collection.find_one({"import.uid": "long@ngo.example"})
    assert len(stored["texts"]["description"]) == 10_000  # what an event keeps of it

    too_large = await _import(client, editor, _long_calendar(limit + 1000))
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "payload_too_large"
    other = await client.post(
        "/cities/lublin/events", content=large, headers={**editor, "Content-Type": "application/json"}
    )
    assert other.status_code == 413  # the larger limit is the upload's only


async def test_a_calendar_of_too_many_events_is_refused_whole(client, editor, state) -> None:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{n}@ngo.example\r\nSUMMARY:Meeting\r\nDTSTART:20300301T100000Z\r\nEND:VEVENT\r\n"
        for n in range(2_001)
    )
    response = await _import(
        client, editor, f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "A calendar may hold at most 2000 events per import"
    assert await state.events.collection.count_documents({}) == 0
