"""Recurrence maths, delegated to dateutil's RFC 5545 implementation: validation and expansion.

Schedules are kept in local wall-clock time plus an IANA time zone, as iCalendar does with
`DTSTART;TZID=...`: a weekly class at 17:00 stays at 17:00 across daylight-saving changes. An occurrence
is named by its original start in UTC (iCalendar's RECURRENCE-ID), so moving it keeps its identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rruleset, rrulestr
from witaj.events.schemas import Schedule
from witaj.shared.errors import ApiError

MAX_SERIES_OCCURRENCES = 2_000
"""A finite series may have at most this many occurrences; longer ones must be split or left open."""
MAX_DURATION = timedelta(days=31)
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


class InvalidSchedule(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(422, "invalid_schedule", message)


@dataclass(frozen=True)
class Occurrence:
    key: datetime
    start: datetime
    end: datetime
    cancelled: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Bounds:
    first_start: datetime
    last_end: datetime | None
    """None for an open-ended series."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSchedule(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Warsaw'"
        ) from None


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """Wall-clock time in `tz`, without tzinfo; naive input is taken as already local."""
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None, microsecond=0)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz).astimezone(UTC)


def normalise(schedule: Schedule, default_timezone: str) -> Schedule:
    """Fill in the time zone, turn every time into local wall-clock time, and check the rules."""
    tz_name = schedule.timezone or default_timezone
    tz = zone(tz_name)
    result = Schedule(
        start=_local(schedule.start, tz),
        end=_local(schedule.end, tz),
        timezone=tz_name,
        rrule=_clean_rule(schedule.rrule, tz),
        rdates=sorted({_local(d, tz) for d in schedule.rdates}),
        exdates=sorted({_local(d, tz) for d in schedule.exdates}),
    )
    if result.end <= result.start:
        raise InvalidSchedule("the end must be after the start")
    if result.end - result.start > MAX_DURATION:
        raise InvalidSchedule("one occurrence may last at most 31 days; use a recurrence for longer")
    return result


def _clean_rule(text: str | None, tz: ZoneInfo) -> str | None:
    if text is None or not text.strip():
        return None
    rule = text.strip().removeprefix("RRULE:").strip()
    if "\n" in rule or ":" in rule:
        raise InvalidSchedule("give one RRULE value such as 'FREQ=WEEKLY;BYDAY=TU' (no other lines)")
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise InvalidSchedule(
            "RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (events repeat at most daily)"
        )
    _refuse_impossible_dates(parts)
    # UNTIL in UTC (as iCalendar files write it) becomes local time, like the rest of the schedule.
    return _UNTIL_UTC.sub(
        lambda m: "UNTIL=" + to_local_str(datetime.strptime(m.group(1), "%Y%m%dT%H%M%S"), tz), rule.upper()
    )


_LONGEST_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _refuse_impossible_dates(parts: dict[str, str]) -> None:
    """Refuse rules such as 'every 30 February': the recurrence library would search up to the year
    9999 for an occurrence, seconds of CPU per request, before finding there is none."""
    try:
        months = [int(m) for m in parts.get("BYMONTH", "").split(",") if m.strip()] or list(_LONGEST_MONTH)
        days = [int(d) for d in parts.get("BYMONTHDAY", "").split(",") if d.strip()]
    except ValueError:
        return  # not numbers: the RRULE parser gives the clearer message
    if days and not any(0 < abs(d) <= _LONGEST_MONTH.get(m, 0) for m in months for d in days):
        raise InvalidSchedule(
            f"the RRULE can never happen: no month in {months} has day {', '.join(map(str, days))}"
        )


def to_local_str(utc_naive: datetime, tz: ZoneInfo) -> str:
    return utc_naive.replace(tzinfo=UTC).astimezone(tz).strftime("%Y%m%dT%H%M%S")


def ruleset(schedule: Schedule) -> rruleset:
    """The occurrence starts as local naive datetimes; raises InvalidSchedule for a bad RRULE."""
    rules = rruleset()
    if schedule.rrule:
        try:
            parsed = rrulestr(schedule.rrule, dtstart=schedule.start)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise InvalidSchedule(f"the RRULE is invalid: {exc}") from None
        assert isinstance(parsed, rrule)
        rules.rrule(parsed)
    else:
        rules.rdate(schedule.start)
    for day in schedule.rdates:
        rules.rdate(day)
    for day in schedule.exdates:
        rules.exdate(day)
    return rules


def open_ended(schedule: Schedule) -> bool:
    return bool(schedule.rrule) and not re.search(r"(COUNT|UNTIL)=", schedule.rrule or "")


def bounds(schedule: Schedule, overrides: dict[str, Any] | None = None) -> Bounds:
    """First start and last end of the whole series (moved occurrences included)."""
    tz = zone(schedule.timezone or "UTC")
    rules = ruleset(schedule)
    duration = schedule.end - schedule.start
    starts = list(islice(iter(rules), MAX_SERIES_OCCURRENCES + 1))
    if not starts:
        raise InvalidSchedule("the schedule has no occurrences (every date is excluded)")
    ends = [s + duration for s in starts]
    if not open_ended(schedule) and len(starts) > MAX_SERIES_OCCURRENCES:
        raise InvalidSchedule(f"a series may have at most {MAX_SERIES_OCCURRENCES} occurrences")
    first = to_utc(starts[0], tz)
    last: datetime | None = None if open_ended(schedule) else to_utc(max(ends), tz)
    for change in (overrides or {}).values():
        if change.get("start"):
            first = min(first, change["start"])
        if change.get("end") and last is not None:
            last = max(last, change["end"])
    return Bounds(first, last)


def is_occurrence(schedule: Schedule, key: datetime) -> bool:
    """True when `key` (any offset) is an original start of the series."""
    tz = zone(schedule.timezone or "UTC")
    local = _local(key, tz)
    return local in ruleset(schedule).between(local, local, inc=True)


def expand(
    schedule: Schedule,
    overrides: dict[str, Any],
    window_start: datetime,
    window_end: datetime,
    *,
    limit: int,
) -> Iterator[Occurrence]:
    """Occurrences overlapping [window_start, window_end), moved and cancelled ones applied, by start.

    `overrides` maps `occurrence_key(...)` to {"start", "end" (UTC datetimes), "cancelled", "note"}.
    """
    tz = zone(schedule.timezone or "UTC")
    duration = schedule.end - schedule.start
    # Look a little wider in local time; the exact overlap test is done in UTC below.
    lower = _local(window_start, tz) - duration - timedelta(days=1)
    upper = _local(window_end, tz) + timedelta(days=1)
    found: list[Occurrence] = []
    seen: set[str] = set()
    for local_start in islice(ruleset(schedule).xafter(lower, inc=True), limit + 1):
        if local_start > upper:
            break
        key = to_utc(local_start, tz)
        seen.add(occurrence_key(key))
        found.append(_apply(key, key + (to_utc(local_start + duration, tz) - key), overrides))
    for name, change in overrides.items():  # occurrences moved into the window from elsewhere
        if name not in seen and change.get("start"):
            key = datetime.fromisoformat(name)
            found.append(_apply(key, key + duration, overrides))
    found = [o for o in found if o.end > window_start and o.start < window_end]
    return iter(sorted(found, key=lambda o: o.start)[:limit])


def _apply(key: datetime, end: datetime, overrides: dict[str, Any]) -> Occurrence:
    change = overrides.get(occurrence_key(key)) or {}
    return Occurrence(
        key=key,
        start=change.get("start") or key,
        end=change.get("end") or end,
        cancelled=bool(change.get("cancelled")),
        note=change.get("note"),
    )


def occurrence_key(start: datetime) -> str:
    """Stable name of an occurrence: its original start in UTC, ISO 8601 with 'Z'."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
