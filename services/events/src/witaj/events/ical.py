"""iCalendar (RFC 5545) in and out, through the maintained `icalendar` library.

Out: one VEVENT per event with its RRULE, RDATE and EXDATE (cancelled occurrences become EXDATEs) and
one more per moved occurrence, tied to it by RECURRENCE-ID; VTIMEZONEs are added for every TZID used.
In: each VEVENT becomes an `ImportedEvent` keyed by UID; a RECURRENCE-ID component moves or cancels one
occurrence. Parsing is pure and complete before anything is stored, so a malformed file writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from pydantic import ValidationError
from witaj.events import schedule as sched
from witaj.events.schemas import EventKind, Place, Schedule, Texts
from witaj.shared.errors import ApiError
from witaj.shared.mongo import Document

MAX_COMPONENTS = 2_000
PRODID = "-//Witaj//events//EN"


class InvalidCalendar(ApiError):
    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(400, "invalid_calendar", message, details)


@dataclass
class ImportedEvent:
    uid: str
    kind: EventKind
    texts: Texts
    place: Place
    schedule: Schedule
    topics: list[str] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


def _moment(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A DTSTART-like value as an aware datetime; all-day dates start at local midnight."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=tz)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _dates(component: icalendar.Component, name: str, tz: ZoneInfo) -> list[datetime]:
    raw = component.get(name)
    lists = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [_moment(d.dt, tz) for group in lists for d in group.dts if not isinstance(d.dt, tuple)]


def _text(component: icalendar.Component, name: str, limit: int) -> str:
    return str(component.get(name, "")).strip()[:limit]


def parse(data: bytes, *, timezone: str, city_name: str) -> list[ImportedEvent]:
    """Every event in an iCalendar file; raises InvalidCalendar naming the first problem."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidCalendar(f"This is not a valid iCalendar file: {exc}") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise InvalidCalendar("The file must contain one VCALENDAR")
    components = list(calendar.walk("VEVENT"))
    if len(components) > MAX_COMPONENTS:
        raise InvalidCalendar(f"A calendar may hold at most {MAX_COMPONENTS} events per import")
    city_tz = ZoneInfo(timezone)
    events: dict[str, ImportedEvent] = {}
    changes: list[tuple[str, icalendar.Component]] = []
    for component in components:
        uid = _text(component, "UID", 300)
        if not uid:
            raise InvalidCalendar("Every VEVENT needs a UID")
        try:
            if component.get("RECURRENCE-ID") is not None:
                changes.append((uid, component))
            elif str(component.get("STATUS", "")).upper() != "CANCELLED":
                events[uid] = _event(component, uid, city_tz, city_name)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise InvalidCalendar(f"The event {uid!r} cannot be read: {exc}", {"uid": uid}) from None
        except ApiError as exc:  # an invalid schedule, reported for the event that has it
            raise InvalidCalendar(f"The event {uid!r}: {exc.message}", {"uid": uid}) from None
    for uid, component in changes:
        if uid in events:
            _apply_change(events[uid], component, city_tz)
    return list(events.values())


def _event(component: icalendar.Component, uid: str, city_tz: ZoneInfo, city_name: str) -> ImportedEvent:
    if component.get("DTSTART") is None:
        raise ValueError("DTSTART is missing")
    start = _moment(component.decoded("DTSTART"), city_tz)
    if component.get("DTEND") is not None:
        end = _moment(component.decoded("DTEND"), city_tz)
    elif component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    else:
        end = start + (
            timedelta(days=1)
            if not isinstance(component.decoded("DTSTART"), datetime)
            else timedelta(hours=1)
        )
    tz_name = getattr(start.tzinfo, "key", None) or city_tz.key
    rule = component.get("RRULE")
    schedule = sched.normalise(
        Schedule(
            start=start, end=end, timezone=tz_name,
            rrule=rule.to_ical().decode() if rule is not None else None,
            rdates=_dates(component, "RDATE", city_tz)[:200], exdates=_dates(component, "EXDATE", city_tz)[:500],
        ),
        tz_name,
    )  # fmt: skip
    sched.bounds(schedule)  # an invalid RRULE fails here, before anything is stored
    url = _text(component, "URL", 500)
    geo = component.get("GEO")
    place = Place(
        address=_text(component, "LOCATION", 300) or (None if url.startswith("http") else city_name),
        online_url=url if url.startswith(("http://", "https://")) else None,
        location={"lat": geo.latitude, "lng": geo.longitude} if geo is not None else None,
    )
    categories = [str(c).strip().lower() for cats in _as_list(component.get("CATEGORIES")) for c in cats.cats]
    kinds = [EventKind(c) for c in categories if c in EventKind.__members__.values()]
    topics = [c for c in categories if c.isascii() and c.replace("_", "").replace("-", "").isalnum()][:20]
    return ImportedEvent(
        uid=uid,
        kind=kinds[0] if kinds else EventKind.OTHER,
        texts=Texts(
            title=_text(component, "SUMMARY", 200) or "(untitled)",
            description=_text(component, "DESCRIPTION", 10_000),
        ),
        place=place,
        schedule=schedule,
        topics=[t[:60] for t in topics if t not in EventKind.__members__.values()],
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _apply_change(event: ImportedEvent, component: icalendar.Component, city_tz: ZoneInfo) -> None:
    key = _moment(component.decoded("RECURRENCE-ID"), city_tz)
    if not sched.is_occurrence(event.schedule, key):
        return  # names no occurrence of the series: nothing to change
    change: dict[str, Any] = {
        "cancelled": str(component.get("STATUS", "")).upper() == "CANCELLED",
        "note": None,
    }
    if not change["cancelled"] and component.get("DTSTART") is not None:
        start = _moment(component.decoded("DTSTART"), city_tz)
        end = (
            _moment(component.decoded("DTEND"), city_tz)
            if component.get("DTEND")
            else start + (event.schedule.end - event.schedule.start)
        )
        if end <= start:
            raise InvalidCalendar(f"The moved occurrence of {event.uid!r} ends before it starts")
        change |= {"start": start.astimezone(UTC), "end": end.astimezone(UTC)}
    event.overrides[sched.occurrence_key(key)] = change


def render(docs: list[tuple[Document, dict[str, str]]], *, name: str, base_url: str) -> bytes:
    """A calendar of events with their localised texts."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    now = datetime.now(UTC)
    for doc, texts in docs:
        schedule = Schedule.model_validate(doc["schedule"])
        tz = ZoneInfo(schedule.timezone or "UTC")
        uid = (doc.get("import") or {}).get("uid") or f"{doc['_id']}@{doc['city']}.witaj"
        overrides = doc.get("overrides") or {}
        master = _vevent(doc, texts, uid, now, base_url)
        master.add("dtstart", schedule.start.replace(tzinfo=tz))
        master.add("dtend", schedule.end.replace(tzinfo=tz))
        if schedule.rrule:
            master.add("rrule", icalendar.vRecur.from_ical(schedule.rrule))
        if schedule.rdates:
            master.add("rdate", [d.replace(tzinfo=tz) for d in schedule.rdates])
        cancelled = [
            datetime.fromisoformat(k).astimezone(tz) for k, c in overrides.items() if c.get("cancelled")
        ]
        exdates = [d.replace(tzinfo=tz) for d in schedule.exdates] + cancelled
        if exdates:
            master.add("exdate", exdates)
        calendar.add_component(master)
        for key, change in overrides.items():
            if change.get("start") and not change.get("cancelled"):
                moved = _vevent(doc, texts, uid, now, base_url)
                moved.add("recurrence-id", datetime.fromisoformat(key).astimezone(tz))
                moved.add("dtstart", change["start"].astimezone(tz))
                moved.add("dtend", change["end"].astimezone(tz))
                calendar.add_component(moved)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(doc: Document, texts: dict[str, str], uid: str, now: datetime, base_url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("sequence", doc.get("revision", 1))
    event.add("summary", texts["title"])
    if texts.get("description"):
        event.add("description", texts["description"])
    place = doc.get("place") or {}
    if place.get("address"):
        event.add("location", place["address"])
    if place.get("location"):
        lng, lat = place["location"]["coordinates"]
        event.add("geo", (lat, lng))
    event.add("url", place.get("online_url") or f"{base_url}/cities/{doc['city']}/events/{doc['_id']}")
    if doc.get("topics"):
        event.add("categories", doc["topics"])
    event.add("status", "CONFIRMED")
    return event
