"""The event form: a posted form read into the body the events API takes, a stored event shown again.

Inputs are named by their path in the API's body (`texts.title`, `place.location.lat`, `cost.amount`),
so the API's complaints find their input. The schedule is the exception: people give a first date, times
and a repeat rule in words (`repeat.*`, see `recurrence.Rule`), and this module builds the API's
`schedule` (local wall-clock times in the city's time zone, an RRULE, exception dates) from them. What
cannot be read at all (a date that is no date) is put next to its input here, and the rest of the form
is still sent, so the API names every other problem at once; a form shown again keeps everything typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from witaj.shared.events import UserType
from witaj.web.i18n import DAYS
from witaj.web.office import recurrence
from witaj.web.office.forms import field_id, posted_text, posted_values

KINDS = (
    "language_course", "vocational_training", "workshop", "information_session", "counselling_hours",
    "cultural_event", "sport", "other",
)  # fmt: skip
"""The events API's kinds of event, in the order the form offers them."""
TARGET_GROUPS = tuple(t.value for t in UserType)
REPEATS = ("none", "daily", "weekly", "monthly", "yearly", "custom")
ENDINGS = ("never", "until", "count")
TEXTS = ("texts.title", "texts.description", "texts.accessibility_notes")
MAX_DATES = 200
"""Exception dates (and extra dates) a form may list: the API's own limit on extra dates."""
INPUTS = (
    "kind", "organisation", "source_language", *TEXTS, "topics", "target_groups", "languages_of_instruction",
    "place.name", "place.address", "place.location", "place.online_url", "cost.free", "cost.amount",
    "cost.currency", "capacity", "registration.required", "registration.per", "registration.opens_at",
    "registration.closes_at", "schedule.start_date", "schedule.start_time", "schedule.end_date",
    "schedule.end_time", "schedule.all_day", "repeat", "schedule.rrule", "schedule.exdates", "schedule.rdates",
)  # fmt: skip
"""Every input the form has, by body path: an API complaint about a path is put by the longest of these
it starts with (`place.location.lat` -> `place.location`)."""


@dataclass
class Reading:
    """A posted form as the API's body, and what could not be read (input path -> problem word)."""

    body: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict)
    schedule: recurrence.Schedule | None = None
    """The schedule, when it could be built (for its summary)."""


# ------------------------------------------------------------------------------------ form -> body


def read(form: Mapping[str, Any], zone: ZoneInfo) -> Reading:
    """`zone`: the city's time zone, in which the form's dates and times are given."""
    reading = Reading(body={})
    body = reading.body
    body["kind"] = posted_text(form, "kind").strip() or "other"
    for name in ("organisation", "source_language"):
        if value := posted_text(form, name).strip():
            body[name] = value
    body["texts"] = {
        "title": posted_text(form, "texts.title").strip(),
        "description": posted_text(form, "texts.description").strip(),
        "accessibility_notes": posted_text(form, "texts.accessibility_notes").strip(),
    }
    for name in ("topics", "target_groups", "languages_of_instruction"):
        body[name] = posted_values(form, name)
    body["place"] = _place(form)
    body["cost"] = _cost(form)
    if capacity := posted_text(form, "capacity").strip():
        body["capacity"] = capacity
    body["registration"] = _registration(form, zone, reading.problems)
    schedule = _schedule(form, reading.problems)
    if schedule is not None:
        body["schedule"] = schedule
        reading.schedule = recurrence.Schedule.of(schedule)
    body["minor_edit"] = form.get("minor_edit") == "yes"
    return reading


def _optional(form: Mapping[str, Any], name: str) -> str | None:
    return posted_text(form, name).strip() or None


def _place(form: Mapping[str, Any]) -> dict[str, Any]:
    place: dict[str, Any] = {
        "name": _optional(form, "place.name"),
        "address": _optional(form, "place.address"),
        "online_url": _optional(form, "place.online_url"),
    }
    lat, lng = (
        posted_text(form, "place.location.lat").strip(),
        posted_text(form, "place.location.lng").strip(),
    )
    if lat or lng:
        place["location"] = {"lat": lat.replace(",", "."), "lng": lng.replace(",", ".")}
    return place


def _cost(form: Mapping[str, Any]) -> dict[str, Any]:
    if posted_text(form, "cost.free") != "no":
        return {"free": True}
    amount = posted_text(form, "cost.amount").strip().replace(",", ".")
    currency = posted_text(form, "cost.currency").strip().upper() or "PLN"
    return {"free": False, "amount": amount or None, "currency": currency}


def _registration(form: Mapping[str, Any], zone: ZoneInfo, problems: dict[str, str]) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "required": form.get("registration.required") == "yes",
        "per": "series" if posted_text(form, "registration.per") == "series" else "occurrence",
    }
    for edge in ("opens_at", "closes_at"):
        name = f"registration.{edge}"
        text = posted_text(form, name).strip()
        if not text:
            continue
        moment = _moment(text)
        if moment is None:
            problems[name] = "moment"
        else:
            rules[edge] = moment.replace(tzinfo=zone).isoformat()
    return rules


def _schedule(form: Mapping[str, Any], problems: dict[str, str]) -> dict[str, Any] | None:
    all_day = form.get("schedule.all_day") == "yes"
    start_date = _date(posted_text(form, "schedule.start_date"))
    if start_date is None:
        problems["schedule.start_date"] = (
            "date" if posted_text(form, "schedule.start_date").strip() else "required"
        )
    end_text = posted_text(form, "schedule.end_date").strip()
    end_date = _date(end_text) if end_text else start_date
    if end_text and end_date is None:
        problems["schedule.end_date"] = "date"
    start_time = end_time = time(0)
    if not all_day:
        found = {edge: _time(posted_text(form, f"schedule.{edge}_time")) for edge in ("start", "end")}
        for edge, value in found.items():
            if value is None:
                typed = posted_text(form, f"schedule.{edge}_time").strip()
                problems[f"schedule.{edge}_time"] = "time" if typed else "required"
        start_time, end_time = found["start"] or time(0), found["end"] or time(0)
    rrule = _rule(form, start_date, problems)
    extra = {
        name: _dates(form, name, start_time, problems) for name in ("schedule.exdates", "schedule.rdates")
    }
    if (
        start_date is None
        or end_date is None
        or problems.keys() & {"schedule.start_time", "schedule.end_time"}
    ):
        return None
    start = datetime.combine(start_date, start_time)
    end = datetime.combine(end_date + timedelta(days=1) if all_day else end_date, end_time)
    schedule: dict[str, Any] = {
        "start": start.isoformat(), "end": end.isoformat(), "all_day": all_day, "rrule": rrule,
        "exdates": extra["schedule.exdates"] or [], "rdates": extra["schedule.rdates"] or [],
    }  # fmt: skip
    if timezone := _optional(form, "schedule.timezone"):
        schedule["timezone"] = timezone
    return schedule


def _rule(form: Mapping[str, Any], start: date | None, problems: dict[str, str]) -> str | None:
    repeat = posted_text(form, "repeat.freq").strip()
    if repeat == "custom":
        return _optional(form, "schedule.rrule")
    if repeat not in ("daily", "weekly", "monthly", "yearly"):
        return None
    numbers: dict[str, int | None] = {}
    for name in ("interval", "count"):
        text = posted_text(form, f"repeat.{name}").strip() or ("1" if name == "interval" else "")
        numbers[name] = int(text) if text.isdigit() and 0 < int(text) <= 10_000 else None
        if text and numbers[name] is None:
            problems["repeat"] = "whole_number"
    ending = posted_text(form, "repeat.ends")
    until = _date(posted_text(form, "repeat.until")) if ending == "until" else None
    if ending == "until" and until is None:
        problems["repeat"] = "date"
    if ending == "count" and numbers["count"] is None:
        problems["repeat"] = "whole_number"
    days = tuple(d for d in DAYS if d in posted_values(form, "repeat.days"))
    rule = recurrence.Rule(
        freq=repeat.upper(), interval=numbers["interval"] or 1, days=days if repeat == "weekly" else (),
        count=numbers["count"] if ending == "count" else None, until=until,
    )  # fmt: skip
    if repeat == "monthly" and start is not None:
        if posted_text(form, "repeat.monthly") == "weekday":
            rule = recurrence.Rule(
                **{
                    **rule.__dict__,
                    "position": recurrence.position_of(start),
                    "days": (DAYS[start.weekday()],),
                }
            )
        else:
            rule = recurrence.Rule(**{**rule.__dict__, "month_day": start.day})
    return rule.to_rrule()


def _dates(form: Mapping[str, Any], name: str, at: time, problems: dict[str, str]) -> list[str] | None:
    """One date a line ('2030-03-11', at the series' time) or a date and time ('2030-03-11 17:00')."""
    found = []
    for line in [line.strip() for line in posted_text(form, name).split("\n") if line.strip()][:MAX_DATES]:
        moment = _moment(line) or (datetime.combine(day, at) if (day := _date(line)) else None)
        if moment is None:
            problems[name] = "dates"
            return None
        found.append(moment.isoformat())
    return found


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()).replace(second=0, microsecond=0)
    except ValueError:
        return None


def _moment(text: str) -> datetime | None:
    """A local date and time as a datetime-local input sends it ('2030-03-01T10:00') or typed with a space."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return value.replace(tzinfo=None) if len(text.strip()) > 10 else None


# ------------------------------------------------------------------------------------ body -> inputs


def values(body: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """What each input shows for a stored (or new) event's body, by input name."""
    shown: dict[str, Any] = {
        "kind": body.get("kind") or "workshop",
        "organisation": body.get("organisation") or "",
        "source_language": body.get("source_language") or "",
        "topics": list(body.get("topics") or []),
        "target_groups": list(body.get("target_groups") or []),
        "languages_of_instruction": list(body.get("languages_of_instruction") or []),
        "capacity": "" if body.get("capacity") is None else str(body["capacity"]),
    }
    texts = body.get("texts") or {}
    for name in TEXTS:
        shown[name] = texts.get(name.split(".")[1], "")
    place = body.get("place") or {}
    for name in ("name", "address", "online_url"):
        shown[f"place.{name}"] = place.get(name) or ""
    location = place.get("location") or {}
    shown["place.location.lat"] = str(location.get("lat", ""))
    shown["place.location.lng"] = str(location.get("lng", ""))
    cost = body.get("cost") or {"free": True}
    shown["cost.free"] = "yes" if cost.get("free", True) else "no"
    amount = cost.get("amount")
    shown["cost.amount"] = (
        "" if amount is None else (str(int(amount)) if float(amount).is_integer() else str(amount))
    )
    shown["cost.currency"] = cost.get("currency") or "PLN"
    rules = body.get("registration") or {}
    shown["registration.required"] = bool(rules.get("required"))
    shown["registration.per"] = rules.get("per") or "occurrence"
    for edge in ("opens_at", "closes_at"):
        moment = rules.get(edge)
        shown[f"registration.{edge}"] = _local_input(moment, zone) if moment else ""
    shown.update(_schedule_values(body.get("schedule") or {}))
    return shown


def _local_input(moment: Any, zone: ZoneInfo) -> str:
    value = moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment))
    if value.tzinfo is not None:
        value = value.astimezone(zone)
    return value.strftime("%Y-%m-%dT%H:%M")


def _schedule_values(schedule: Mapping[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {"repeat.freq": "none", "repeat.interval": "1", "repeat.days": [], "repeat.monthly": "day",
                             "repeat.ends": "never", "repeat.until": "", "repeat.count": "", "schedule.rrule": "",
                             "schedule.timezone": schedule.get("timezone") or ""}  # fmt: skip
    if not schedule.get("start"):
        return {**shown, "schedule.all_day": False, "schedule.exdates": "", "schedule.rdates": ""}
    start, end = (datetime.fromisoformat(str(schedule[k])).replace(tzinfo=None) for k in ("start", "end"))
    all_day = bool(schedule.get("all_day"))
    last = end - timedelta(days=1) if all_day else end
    shown |= {
        "schedule.all_day": all_day, "schedule.start_date": start.date().isoformat(),
        "schedule.start_time": "" if all_day else start.strftime("%H:%M"),
        "schedule.end_date": last.date().isoformat() if last.date() != start.date() else "",
        "schedule.end_time": "" if all_day else end.strftime("%H:%M"),
    }  # fmt: skip
    for name in ("exdates", "rdates"):
        moments = [datetime.fromisoformat(str(d)).replace(tzinfo=None) for d in schedule.get(name) or []]
        shown[f"schedule.{name}"] = "\n".join(
            m.date().isoformat() if m.time() == start.time() else m.strftime("%Y-%m-%d %H:%M")
            for m in moments
        )
    text = schedule.get("rrule")
    if not text:
        return shown
    rule = recurrence.parse(str(text))
    if rule is None:
        return {**shown, "repeat.freq": "custom", "schedule.rrule": str(text)}
    shown |= {
        "repeat.freq": rule.freq.lower(),
        "repeat.interval": str(rule.interval),
        "repeat.days": list(rule.days),
    }
    shown["repeat.monthly"] = "weekday" if rule.position is not None else "day"
    if rule.count is not None:
        shown |= {"repeat.ends": "count", "repeat.count": str(rule.count)}
    elif rule.until is not None:
        shown |= {"repeat.ends": "until", "repeat.until": rule.until.isoformat()}
    return shown


MANY = ("topics", "target_groups", "languages_of_instruction", "repeat.days")
TICKED = ("registration.required", "schedule.all_day", "minor_edit")
SHOWN = (
    "kind", "organisation", "source_language", *TEXTS, "place.name", "place.address", "place.location.lat",
    "place.location.lng", "place.online_url", "cost.free", "cost.amount", "cost.currency", "capacity",
    "registration.per", "registration.opens_at", "registration.closes_at", "schedule.start_date",
    "schedule.start_time", "schedule.end_date", "schedule.end_time", "schedule.timezone", "schedule.rrule",
    "schedule.exdates", "schedule.rdates", "repeat.freq", "repeat.interval", "repeat.monthly", "repeat.ends",
    "repeat.until", "repeat.count",
)  # fmt: skip


def posted(form: Mapping[str, Any]) -> dict[str, Any]:
    """What each input shows when the form comes back (a check, a refusal): exactly what was typed."""
    shown: dict[str, Any] = {name: posted_text(form, name) for name in SHOWN}
    shown |= {name: posted_values(form, name) for name in MANY}
    shown |= {name: form.get(name) == "yes" for name in TICKED}
    return shown


def blank(city_language: str) -> dict[str, Any]:
    """A new event's body: free, in the city's language, registration not needed."""
    return {"kind": "workshop", "source_language": city_language, "cost": {"free": True}, "registration": {}}


def input_id(path: str) -> str:
    return field_id(path)
