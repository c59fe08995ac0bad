"""iCalendar: a feed other calendars can read, and imports that update by UID and cancel what vanished."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

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
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "cancelled": 0}
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
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2, "cancelled": 0}

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
    assert third.json() == {"created": 0, "updated": 1, "unchanged": 0, "cancelled": 1}
    detail = (await client.get(url)).json()
    assert detail["texts"]["title"] == "Polish A1" and detail["capacity"] == 12
    assert detail["languages_of_instruction"] == ["pl", "uk"]
    statuses = sorted([d["status"] async for d in state.event_store.collection.find({})])
    assert statuses == ["cancelled", "published"]


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a calendar",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART:20300101T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20300101T100000Z\nDTEND:20300101T090000Z\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20300101T100000Z\nRRULE:FREQ=NEVER\nEND:VEVENT\nEND:VCALENDAR\n",
        CALENDAR.replace(
            b"END:VCALENDAR", b"BEGIN:VEVENT\nUID:bad\nDTSTART:nonsense\nEND:VEVENT\nEND:VCALENDAR"
        ),
    ],
)
async def test_malformed_calendars_are_refused_and_nothing_is_written(client, editor, state, data) -> None:
    response = await _import(client, editor, data)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_calendar"
    assert await state.event_store.collection.count_documents({}) == 0
    assert await state.runtime.outbox.collection.count_documents({}) == 0


async def test_only_editors_import_and_only_for_their_organisation(client, auth_header, state) -> None:
    assert (await _import(client, {}, CALENDAR)).status_code == 401
    assert (await _import(client, auth_header("migrant", city="lublin"), CALENDAR)).status_code == 403
    other = await _import(
        client, auth_header("ngo_editor", city="lublin", org="org-1"), CALENDAR, organisation="org-2"
    )
    assert other.status_code == 403
    assert await state.event_store.collection.count_documents({}) == 0


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


class CalendarServer:
    """A minimal HTTP server on localhost standing in for an organisation's published calendar."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.server: asyncio.Server | None = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + self.body)
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/calendar.ics"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def test_configured_calendar_url_is_imported_and_kept_in_sync(client, editor, state) -> None:
    calendar = CalendarServer(CALENDAR)
    async with calendar as url:
        source = "/cities/lublin/calendar-sources/ngo-main"
        assert (await client.put(source, json={"url": url}, headers=editor)).status_code == 204
        assert (await client.put(source, json={"url": "ftp://x"}, headers=editor)).status_code == 422
        first = await client.post(f"{source}/import", headers=editor)
        assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "cancelled": 0}

        calendar.body = CALENDAR.replace(b"SUMMARY:Intercultural festival", b"SUMMARY:Festival of cultures")
        await state.housekeeping.run_once()
        titles = sorted([d["texts"]["title"] async for d in state.event_store.collection.find({})])
        assert titles == ["Festival of cultures", "Polish for beginners"]
        stored = await state.runtime.db["calendar_sources"].find_one({})
        assert stored["last_result"]["updated"] == 1 and stored["last_error"] is None

    missing = await client.post("/cities/lublin/calendar-sources/other/import", headers=editor)
    assert missing.status_code == 404
    await state.housekeeping.run_once()  # the server is gone: recorded, nothing changed
    stored = await state.runtime.db["calendar_sources"].find_one({})
    assert "could not be fetched" in stored["last_error"]
    assert await state.event_store.collection.count_documents({"status": "published"}) == 2
