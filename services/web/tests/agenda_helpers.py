"""What the events and notifications tests share: events made through the events API as an organiser,
items published through the content API as an editor, cities of a test's own with parts switched off,
the forms of the pages, and patient settings for the web apps tests start themselves."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from web_helpers import reader_address
from witaj.shared.events import Feature
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.web.settings import BackendSettings

WARSAW = ZoneInfo("Europe/Warsaw")


def patient(fresh_seconds: float = 2) -> BackendSettings:
    """For a web app a test starts of its own: it waits for a service busy with other tests instead of
    calling it down after the usual few seconds (a service taken away refuses at once all the same)."""
    return BackendSettings(fresh_seconds=fresh_seconds, timeout_seconds=20)


CENTRE = {"address": "Rynek 1, 20-111 Lublin", "location": {"lat": 51.2478, "lng": 22.5681}}


def token_of(page: httpx.Response | str) -> str:
    text = page if isinstance(page, str) else page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found, "the page has no form token"
    return found.group(1)


def form_key_of(page: httpx.Response | str) -> str:
    text = page if isinstance(page, str) else page.text
    found = re.search(r'name="key" value="([^"]+)"', text)
    assert found, "the page has no registration form"
    return found.group(1)


def local_start(days: int, hour: int = 17) -> datetime:
    """A local time in Lublin `days` from today, on the hour (naive: the event's time zone applies)."""
    day = datetime.now(WARSAW).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour)


def event_body(title: str, **overrides: Any) -> dict[str, Any]:
    """A published one-off information session next week, in English, free, with registration."""
    start = overrides.pop("start", local_start(7))
    minutes = overrides.pop("minutes", 90)
    body: dict[str, Any] = {
        "kind": "information_session",
        "source_language": "en",
        "texts": {"title": title, "description": "Bring your passport.\n\nQuestions are welcome."},
        "topics": ["residence"],
        "target_groups": [],
        "languages_of_instruction": ["en", "uk"],
        "place": {"name": "City Hall", **CENTRE},
        "registration": {"required": True},
        "schedule": {"start": start.isoformat(), "end": (start + timedelta(minutes=minutes)).isoformat()},
    }
    body.update(overrides)
    return body


def organiser(auth_header: Any) -> dict[str, str]:
    return auth_header("pa_editor", city="lublin", org="lublin-city-office")  # type: ignore[no-any-return]


def create_event(platform: dict[str, str], headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    with httpx.Client(base_url=platform["events"], headers=headers, timeout=20) as events:
        made = events.post("/cities/lublin/events", json=body)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def small_weekly_group(platform: dict[str, str], auth_header: Any, title: str) -> dict[str, Any]:
    """An event on two dates a week apart with one place each, registered for date by date."""
    weekly = event_body(unique(title), capacity=1)
    weekly["schedule"]["rrule"] = "FREQ=WEEKLY;COUNT=2"
    return create_event(platform, organiser(auth_header), weekly)


def take_places(platform: dict[str, str], event: dict[str, Any], dates: int = 1) -> None:
    """Another reader registers through the events API for each of the event's first `dates` dates
    (each from an address of their own, as the service limits registrations per reader)."""
    with httpx.Client(base_url=platform["events"], timeout=20) as events:
        for occurrence in event["occurrences"][:dates]:
            taken = events.post(
                f"/cities/lublin/events/{event['id']}/registrations",
                json={"occurrence": occurrence["occurrence"]},
                headers={"X-Forwarded-For": reader_address()},
            )
            assert taken.status_code == 201, taken.text


def change_occurrence(
    platform: dict[str, str], headers: dict[str, str], event_id: str, key: str, change: dict[str, Any]
) -> None:
    with httpx.Client(base_url=platform["events"], headers=headers, timeout=20) as events:
        changed = events.patch(f"/cities/lublin/events/{event_id}/occurrences/{key}", json=change)
    assert changed.status_code == 200, changed.text


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def publish_page(platform: dict[str, str], editor: dict[str, str], title: str, topics: list[str]) -> str:
    """A page published through the content API as the city's editor; notify tells its subscribers."""
    content = {
        "title": title,
        "summary": "Something new for newcomers.",
        "body": "The city has published new information.",
        "topics": topics,
    }
    with httpx.Client(base_url=platform["content"], headers=editor, timeout=20) as api:
        made = api.post("/cities/lublin/workbench/pages", json={"content": content, "source_language": "en"})
        assert made.status_code == 201, made.text
        item_id = made.json()["id"]
        for status in ("in_review", "published"):
            moved = api.post(f"/cities/lublin/workbench/items/{item_id}/status", json={"status": status})
            assert moved.status_code == 200, moved.text
    return str(item_id)


def now_utc() -> datetime:
    return datetime.now(UTC)


def zamosc(off: set[Feature]) -> dict[str, Any]:
    """A small city's settings (Polish, English, Arabic) with every usual part on but those in `off`."""
    return {
        "name": "Zamość", "country": "PL", "timezone": "Europe/Warsaw",
        "default_language": "pl", "languages": ["pl", "en", "ar"], "fallbacks": {"*": ["pl"]},
        "features": sorted(DEFAULT_FEATURES - off),
    }  # fmt: skip
