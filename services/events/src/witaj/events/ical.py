"""iCalendar (RFC 5545) in and out, through the maintained `icalendar` library.

Out: one VEVENT per event with its RRULE, RDATE and EXDATE (cancelled occurrences become EXDATEs) and
one more per moved occurrence, tied to it by RECURRENCE-ID; VTIMEZONEs are added for every TZID used.
All-day events go out as dates (`VALUE=DATE`), as calendars expect.
In: each VEVENT becomes an `ImportedEvent` keyed by UID; a RECURRENCE-ID component moves, renames or
cancels one occurrence. Parsing is pure and complete before anything is stored. A file that is not a
calendar writes nothing; an event that cannot be read (or whose recurrence costs too much to expand) is
reported on its own and left as it was, and the rest of the calendar is imported.

Problems are told in two ways: with what the file says (the UID, the parser's words) for a file the user
uploaded, and in Witaj's words only, naming the event by its position, for a calendar fetched from a
URL, so that an answer from the URL is never repeated back (see `witaj.shared.outbound`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from pydantic import ValidationError
from witaj.events import schedule as sched
from witaj.events.schemas import AgendaItemKind, Place, Schedule, Texts
from witaj.shared.bidi import anchored
from witaj.shared.errors import ApiError
from witaj.shared.mongo import Document

MAX_COMPONENTS = 2_000
IMPORT_WORK_LIMIT = 20_000_000
"""Recurrence work one import may do in all (see `schedule.Work`): a few seconds of a worker thread."""
PRODID = "-//Witaj//events//EN"
_PROBLEMS = {
    "schedule_never_happens": "its recurrence rule yields no occurrence within ten years",
    "schedule_too_complex": "its recurrence rule needs too much work to expand",
    "invalid_schedule": "its schedule is invalid",
}


class InvalidCalendar(ApiError):
    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(400, "invalid_calendar", message, details)


@dataclass
class ImportedEvent:
    uid: str
    kind: AgendaItemKind
    texts: Texts
    place: Place
    schedule: Schedule
    topics: list[str] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Problem:
    """An event of the file that is not imported, and why."""

    position: int
    """1 for the file's first VEVENT."""
    uid: str | None
    problem: str
    """Witaj's words only."""
    reason: str
    """One of `REASONS`."""
    detail: str = ""
    """May quote the file."""

    def public(self, *, quote: bool) -> dict[str, Any]:
        if not quote:
            message = f"Event {self.position}: {self.problem}"
            return {"event": self.position, "uid": None, "reason": self.reason, "message": message}
        named = f"The event {self.uid!r}" if self.uid else f"Event {self.position}"
        message = f"{named}: {self.detail or self.problem}"
        return {"event": self.position, "uid": self.uid, "reason": self.reason, "message": message}


@dataclass
class ParsedCalendar:
    events: list[ImportedEvent]
    problems: list[Problem]

    @property
    def skipped(self) -> set[str]:
        """UIDs of events that could not be read: an import leaves them as they are."""
        return {p.uid for p in self.problems if p.uid}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc) or type(exc).__name__


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


def parse(data: bytes, *, timezone: str, city_name: str, quote: bool = True) -> ParsedCalendar:
    """Every readable event of an iCalendar file and a `Problem` for each other one; raises
    InvalidCalendar when the file is not a calendar or none of its events can be read. `quote` says
    whether messages may repeat what the file says."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidCalendar("This is not a valid iCalendar file" + (f": {exc}" if quote else "")) from None
    if not isinstance(calendar, icalendar.Calendar):
        raise InvalidCalendar("The file must contain one VCALENDAR")
    components = list(calendar.walk("VEVENT"))
    if len(components) > MAX_COMPONENTS:
        raise InvalidCalendar(f"A calendar may hold at most {MAX_COMPONENTS} events per import")
    city_tz = ZoneInfo(timezone)
    work = sched.Work(IMPORT_WORK_LIMIT)
    events: dict[str, ImportedEvent] = {}
    problems: list[Problem] = []
    changes: list[tuple[int, str, icalendar.Component]] = []
    for position, component in enumerate(components, start=1):
        uid = _text(component, "UID", 300)
        if not uid:
            problems.append(Problem(position, None, "it has no UID", "no_uid"))
            continue
        try:
            if component.get("RECURRENCE-ID") is not None:
                changes.append((position, uid, component))
            elif str(component.get("STATUS", "")).upper() != "CANCELLED":
                events[uid] = _event(component, uid, city_tz, city_name, work)
        except ApiError as exc:  # an invalid schedule, reported for the event that has it
            known = exc.code in _PROBLEMS
            problems.append(
                Problem(
                    position, uid, _PROBLEMS.get(exc.code, "it cannot be read"),
                    exc.code if known else "unreadable", exc.message,
                )
            )  # fmt: skip
        except Exception as exc:  # whatever else a hostile file makes the parser raise
            detail = f"cannot be read: {_reason(exc)}"
            problems.append(Problem(position, uid, "it cannot be read", "unreadable", detail))
    for position, uid, component in changes:
        if uid in events:
            try:
                _apply_change(events[uid], component, city_tz, work)
            except ApiError as exc:
                problem = "a changed occurrence is invalid"
                problems.append(Problem(position, uid, problem, "changed_occurrence_invalid", exc.message))
            except Exception as exc:
                problem, reason = "a changed occurrence cannot be read", "changed_occurrence_unreadable"
                problems.append(Problem(position, uid, problem, reason, _reason(exc)))
    parsed = ParsedCalendar(
        [e for uid, e in events.items() if uid not in {p.uid for p in problems}], problems
    )
    if problems and not parsed.events:
        first = problems[0].public(quote=quote)["message"]
        raise InvalidCalendar(
            f"No event of this calendar could be imported. {first}",
            {"errors": [p.public(quote=quote) for p in problems[:100]]},
        )
    return parsed


def _event(
    component: icalendar.Component, uid: str, city_tz: ZoneInfo, city_name: str, work: sched.Work
) -> ImportedEvent:
    if component.get("DTSTART") is None:
        raise ValueError("DTSTART is missing")
    all_day = not isinstance(component.decoded("DTSTART"), datetime)
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
            start=start, end=end, timezone=tz_name, all_day=all_day,
            rrule=rule.to_ical().decode() if rule is not None else None,
            rdates=_dates(component, "RDATE", city_tz)[:200], exdates=_dates(component, "EXDATE", city_tz)[:500],
        ),
        tz_name,
    )  # fmt: skip
    sched.bounds(schedule, work=sched.Work(parent=work))  # an invalid or costly RRULE fails here
    url = _text(component, "URL", 500)
    geo = component.get("GEO")
    place = Place(
        address=_text(component, "LOCATION", 300) or (None if url.startswith("http") else city_name),
        online_url=url if url.startswith(("http://", "https://")) else None,
        location={"lat": geo.latitude, "lng": geo.longitude} if geo is not None else None,
    )
    categories = [str(c).strip().lower() for cats in _as_list(component.get("CATEGORIES")) for c in cats.cats]
    kinds = [AgendaItemKind(c) for c in categories if c in AgendaItemKind.__members__.values()]
    topics = [c for c in categories if c.isascii() and c.replace("_", "").replace("-", "").isalnum()][:20]
    return ImportedEvent(
        uid=uid,
        kind=kinds[0] if kinds else AgendaItemKind.OTHER,
        texts=Texts(
            title=_text(component, "SUMMARY", 200) or "(untitled)",
            description=_text(component, "DESCRIPTION", 10_000),
        ),
        place=place,
        schedule=schedule,
        topics=[t[:60] for t in topics if t not in AgendaItemKind.__members__.values()],
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _apply_change(
    event: ImportedEvent, component: icalendar.Component, city_tz: ZoneInfo, work: sched.Work
) -> None:
    key = _moment(component.decoded("RECURRENCE-ID"), city_tz)
    if not sched.is_occurrence(event.schedule, key, work=sched.Work(parent=work)):
        return  # names no occurrence of the series: nothing to change
    change: dict[str, Any] = {
        "cancelled": str(component.get("STATUS", "")).upper() == "CANCELLED",
        "note": None,
    }
    title = _text(component, "SUMMARY", 200)
    if title and title != event.texts.title:
        change["title"] = title
    if not change["cancelled"] and component.get("DTSTART") is not None:
        start = _moment(component.decoded("DTSTART"), city_tz)
        end = (
            _moment(component.decoded("DTEND"), city_tz)
            if component.get("DTEND")
            else start + (event.schedule.end - event.schedule.start)
        )
        if end <= start:
            raise sched.InvalidSchedule(
                "the moved occurrence ends before it starts", reason="end_before_start"
            )
        change |= {"start": start.astimezone(UTC), "end": end.astimezone(UTC)}
    event.overrides[sched.occurrence_key(key)] = change


def render(docs: list[tuple[Document, dict[str, str], bool]], *, name: str, base_url: str) -> bytes:
    """A calendar of events with their localised texts; the flag says whether the texts are in the
    event's source language, the language an occurrence's own title is written in."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    now = datetime.now(UTC)
    for doc, texts, in_source_language in docs:
        schedule = Schedule.model_validate(doc["schedule"])
        tz = ZoneInfo(schedule.timezone or "UTC")

        def moment(value: datetime, tz: ZoneInfo = tz, all_day: bool = schedule.all_day) -> date | datetime:
            """Local wall-clock (naive) or aware time as iCalendar wants it: a date for all-day events."""
            local = value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
            return local.date() if all_day else local

        uid = (doc.get("import") or {}).get("uid") or f"{doc['_id']}@{doc['city']}.witaj"
        overrides = doc.get("overrides") or {}
        master = _vevent(doc, texts["title"], texts, uid, now, base_url)
        master.add("dtstart", moment(schedule.start))
        master.add("dtend", moment(schedule.end))
        if schedule.rrule:
            master.add("rrule", _recurrence(schedule, tz))
        if schedule.rdates:
            master.add("rdate", [moment(d) for d in schedule.rdates])
        cancelled = [datetime.fromisoformat(k) for k, c in overrides.items() if c.get("cancelled")]
        exdates = [moment(d) for d in [*schedule.exdates, *cancelled]]
        if exdates:
            master.add("exdate", exdates)
        calendar.add_component(master)
        for key, change in overrides.items():
            if change.get("start") and not change.get("cancelled"):
                own = change.get("title") if in_source_language else None
                moved = _vevent(doc, own or texts["title"], texts, uid, now, base_url)
                moved.add("recurrence-id", moment(datetime.fromisoformat(key)))
                moved.add("dtstart", moment(change["start"]))
                moved.add("dtend", moment(change["end"]))
                calendar.add_component(moved)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _recurrence(schedule: Schedule, tz: ZoneInfo) -> icalendar.vRecur:
    """The stored RRULE, its UNTIL (kept in local time) written as RFC 5545 asks: a date for all-day
    events, UTC for timed ones."""
    recur = icalendar.vRecur.from_ical(schedule.rrule)
    until = [u if isinstance(u, datetime) else datetime.combine(u, time(0)) for u in recur.get("UNTIL", [])]
    if until:
        recur["UNTIL"] = [
            u.date() if schedule.all_day else sched.to_utc(u.replace(tzinfo=None), tz) for u in until
        ]
    return recur


def _vevent(
    doc: Document, title: str, texts: dict[str, str], uid: str, now: datetime, base_url: str
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("sequence", doc.get("revision", 1))
    # A right-to-left title or description that starts with a Latin word ("NFZ …") is marked as such,
    # for calendars that guess a text's direction from its first letter.
    event.add("summary", anchored(title))
    if texts.get("description"):
        event.add("description", anchored(texts["description"]))
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
