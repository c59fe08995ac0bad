"""What the back office's events tests share: an organisation of their own, events made through the
events API, an iCalendar file, and a calendar served over HTTP as an organisation publishes one."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from web_helpers import reader_address

CITY = "/office/lublin"


def organisation() -> str:
    """A new organisation for one test, so no test sees another's events."""
    return f"ngo-{uuid.uuid4().hex[:8]}"


def next_weekday(weekday: int, *, weeks: int = 1) -> date:
    """A date `weeks` weeks ahead on `weekday` (0 = Monday): always in the future, never today."""
    today = datetime.now(UTC).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def event_body(**overrides: Any) -> dict[str, Any]:
    """A workshop next week in Lublin; override any field."""
    day = next_weekday(1)
    body: dict[str, Any] = {
        "kind": "workshop",
        "source_language": "pl",
        "texts": {"title": f"Warsztaty {uuid.uuid4().hex[:4]}", "description": "Jak napisać CV"},
        "place": {"address": "ul. Narutowicza 4, Lublin"},
        "schedule": {"start": f"{day}T17:00:00", "end": f"{day}T18:30:00"},
    }
    body.update(overrides)
    return body


def create_event(events_url: str, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    with httpx.Client(base_url=events_url, headers=headers, timeout=20) as api:
        made = api.post("/cities/lublin/events", json=event_body(**overrides))
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def register(events_url: str, event_id: str, occurrence: str | None, **contact: str) -> dict[str, Any]:
    """A registration by a reader of its own (its own address to the service's per-reader rate limit)."""
    body: dict[str, Any] = {"contact": contact}
    if occurrence:
        body["occurrence"] = occurrence
    with httpx.Client(base_url=events_url, headers={"X-Forwarded-For": reader_address()}, timeout=20) as api:
        made = api.post(f"/cities/lublin/events/{event_id}/registrations", json=body)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def calendar(*events: tuple[str, str, str]) -> bytes:
    """An iCalendar file of weekly courses: (uid, title, RRULE) each, Tuesdays at 17:00 from next week."""
    start = next_weekday(1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//NGO//calendar//PL"]
    for uid, title, rule in events:
        lines += [
            "BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{title}",
            f"DTSTART;TZID=Europe/Warsaw:{start:%Y%m%d}T170000", f"DTEND;TZID=Europe/Warsaw:{start:%Y%m%d}T183000",
            *([f"RRULE:{rule}"] if rule else []), "LOCATION:ul. Peowiaków 6\\, Lublin", "CATEGORIES:language_course",
            "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class CalendarServer:
    """An organisation's published calendar on 127.0.0.1: answers `body` with `status`."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body = body
        self.status = status
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(served.status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                self.wfile.write(served.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/calendar.ics"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
