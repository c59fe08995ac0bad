"""Recurrence maths, delegated to dateutil's RFC 5545 implementation: validation and expansion.

Schedules are kept in local wall-clock time plus an IANA time zone, as iCalendar does with
`DTSTART;TZID=...`: a weekly class at 17:00 stays at 17:00 across daylight-saving changes. An occurrence
is named by its original start in UTC (iCalendar's RECURRENCE-ID), so moving it keeps its identity.

Every expansion is bounded in work, not only in results. dateutil steps through a rule period by period
(day, week, month or year) and yields only the dates that match, so a rule that matches nothing, such as
`FREQ=DAILY;BYYEARDAY=100;BYMONTH=1`, would have it step through every day up to the year 9999 before
answering. Here each rule stops at a horizon (the end of the dates asked for) and charges a `Work`
budget for every period and candidate day it examines; past the budget it is refused as too complex
(`TooMuchWork`). A rule must also yield its first occurrence within `FIRST_OCCURRENCE_WITHIN` of its
start and a finite series end within `SERIES_WITHIN`, which keeps every later expansion of it cheap.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateutil.rrule
from dateutil.rrule import rrule, rruleset, rrulestr
from witaj.events.schemas import Schedule
from witaj.shared.errors import ApiError

MAX_SERIES_OCCURRENCES = 2_000
"""A finite series may have at most this many occurrences; longer ones must be split or left open."""
MAX_DURATION = timedelta(days=31)
MAX_INTERVAL = 1_000
FIRST_OCCURRENCE_WITHIN = timedelta(days=3_653)
"""A rule must yield an occurrence within ten years of its start, or it is refused."""
SERIES_WITHIN = timedelta(days=18_263)
"""A finite series must end within fifty years of its start."""
LOOK_AHEAD = timedelta(days=800)
"""How far past today an event's next occurrences are looked for (its page, its published facts)."""
WORK_LIMIT = 300_000
"""Work one expansion may do (see `Work`): a few tens of milliseconds of CPU at most."""
PERIOD_COST = 20
"""Work of stepping through one period, beside one unit per candidate day it holds (measured: stepping
costs about as much as filtering twenty candidate days)."""
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)
_TOO_COMPLEX = (
    "the RRULE needs too much work to expand: it matches too few dates, or the series starts too long "
    "before the dates asked for; simplify the rule or move its start closer"
)


class InvalidSchedule(ApiError):
    """A schedule that cannot be. `reason` (in `details`) names which rule it breaks, so a frontend can
    say so in its reader's language and next to the input concerned; the message is for developers."""

    def __init__(self, message: str, code: str = "invalid_schedule", *, reason: str = "invalid") -> None:
        super().__init__(422, code, message, details={"reason": reason})


class TooMuchWork(InvalidSchedule):
    def __init__(self) -> None:
        super().__init__(_TOO_COMPLEX, "schedule_too_complex", reason="too_complex")


class Work:
    """A budget of recurrence work: `PERIOD_COST` for every period a rule steps through plus one unit for
    every candidate day in it, all once more for each BYSETPOS position (each looks through the period
    again). Expansions that belong together (one listing, one import) share a `parent`, which bounds
    them all."""

    def __init__(self, limit: int = WORK_LIMIT, parent: Work | None = None) -> None:
        self.limit = limit
        self.parent = parent
        self.spent = 0

    def spend(self, units: int) -> None:
        self.spent += units
        if self.parent is not None:
            self.parent.spend(units)
        if self.spent > self.limit:
            raise TooMuchWork()


class _HorizonReached(Exception):
    pass


class _CountingInfo(dateutil.rrule._iterinfo):
    """dateutil's per-rule iteration state, which its loop asks for each period's candidate days: the one
    place where every step of the loop can be counted and stopped."""

    def _period(self, found: tuple[list[Any], int, int], first_day: date) -> tuple[list[Any], int, int]:
        rule = self.rrule
        assert isinstance(rule, _BoundedRule)
        if first_day > rule.horizon:
            raise _HorizonReached
        rule.work.spend((PERIOD_COST + found[2] - found[1]) * rule.positions)
        return found

    def ydayset(self, year: int, month: int, day: int) -> tuple[list[Any], int, int]:
        return self._period(super().ydayset(year, month, day), date(year, 1, 1))

    def mdayset(self, year: int, month: int, day: int) -> tuple[list[Any], int, int]:
        return self._period(super().mdayset(year, month, day), date(year, month, 1))

    def wdayset(self, year: int, month: int, day: int) -> tuple[list[Any], int, int]:
        return self._period(super().wdayset(year, month, day), date(year, month, day))

    def ddayset(self, year: int, month: int, day: int) -> tuple[list[Any], int, int]:
        return self._period(super().ddayset(year, month, day), date(year, month, day))


# dateutil's own loop, unchanged, reading `_CountingInfo` where it reads `_iterinfo`.
_counting_iter = types.FunctionType(
    rrule._iter.__code__,
    {**vars(dateutil.rrule), "_iterinfo": _CountingInfo},
    "_iter",
    rrule._iter.__defaults__,
    rrule._iter.__closure__,
)


class _BoundedRule(rrule):
    """A parsed rule that stops quietly once its periods pass `horizon` and spends `work` as it goes."""

    def __init__(self, parsed: rrule, work: Work, horizon: datetime) -> None:
        super().__init__(
            freq=parsed._freq, dtstart=parsed._dtstart, interval=parsed._interval, wkst=parsed._wkst,
            count=parsed._count, until=parsed._until, **parsed._original_rule,
        )  # fmt: skip
        self.work = work
        self.horizon = horizon.date()
        self.positions = 1 + len(self._bysetpos or ())
        self.reached_horizon = False

    def _iter(self) -> Iterator[datetime]:
        try:
            yield from _counting_iter(self)
        except _HorizonReached:
            self.reached_horizon = True


@dataclass(frozen=True)
class Occurrence:
    key: datetime
    start: datetime
    end: datetime
    cancelled: bool = False
    note: str | None = None
    title: str | None = None
    """This occurrence's own title (in the event's source language), when it has one."""


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
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Warsaw'", reason="unknown_timezone"
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
        all_day=schedule.all_day,
        rrule=_clean_rule(schedule.rrule, tz),
        rdates=sorted({_local(d, tz) for d in schedule.rdates}),
        exdates=sorted({_local(d, tz) for d in schedule.exdates}),
    )
    if result.end <= result.start:
        raise InvalidSchedule("the end must be after the start", reason="end_before_start")
    if result.end - result.start > MAX_DURATION:
        raise InvalidSchedule(
            "one occurrence may last at most 31 days; use a recurrence for longer", reason="too_long"
        )
    if result.all_day and any(
        moment.time() != time(0) for moment in [result.start, result.end, *result.rdates, *result.exdates]
    ):
        raise InvalidSchedule(
            "an all-day event starts and ends at midnight: give its first day and the day after its last",
            reason="all_day_times",
        )
    return result


def _clean_rule(text: str | None, tz: ZoneInfo) -> str | None:
    if text is None or not text.strip():
        return None
    rule = text.strip().removeprefix("RRULE:").strip()
    if "\n" in rule or ":" in rule:
        raise InvalidSchedule(
            "give one RRULE value such as 'FREQ=WEEKLY;BYDAY=TU' (no other lines)", reason="rrule_invalid"
        )
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise InvalidSchedule(
            "RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (events repeat at most daily)",
            reason="rrule_frequency",
        )
    if parts.get("INTERVAL", "1").isdigit() and int(parts.get("INTERVAL", "1")) > MAX_INTERVAL:
        raise InvalidSchedule(
            f"the RRULE's INTERVAL may be at most {MAX_INTERVAL}", reason="interval_too_large"
        )
    _refuse_impossible_dates(parts)
    # UNTIL in UTC (as iCalendar files write it) becomes local time, like the rest of the schedule.
    return _UNTIL_UTC.sub(
        lambda m: "UNTIL=" + to_local_str(datetime.strptime(m.group(1), "%Y%m%dT%H%M%S"), tz), rule.upper()
    )


_LONGEST_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _refuse_impossible_dates(parts: dict[str, str]) -> None:
    """Refuse rules such as 'every 30 February' with a message that says why (the work bound would
    refuse them too, less clearly)."""
    try:
        months = [int(m) for m in parts.get("BYMONTH", "").split(",") if m.strip()] or list(_LONGEST_MONTH)
        days = [int(d) for d in parts.get("BYMONTHDAY", "").split(",") if d.strip()]
    except ValueError:
        return  # not numbers: the RRULE parser gives the clearer message
    if days and not any(0 < abs(d) <= _LONGEST_MONTH.get(m, 0) for m in months for d in days):
        raise InvalidSchedule(
            f"the RRULE can never happen: no month in {months} has day {', '.join(map(str, days))}",
            reason="never_happens",
        )


def to_local_str(utc_naive: datetime, tz: ZoneInfo) -> str:
    return utc_naive.replace(tzinfo=UTC).astimezone(tz).strftime("%Y%m%dT%H%M%S")


def _parsed(schedule: Schedule) -> rrule | None:
    if not schedule.rrule:
        return None
    try:
        parsed = rrulestr(schedule.rrule, dtstart=schedule.start)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise InvalidSchedule(f"the RRULE is invalid: {exc}", reason="rrule_invalid") from None
    assert isinstance(parsed, rrule)
    return parsed


def ruleset(schedule: Schedule, *, horizon: datetime, work: Work | None = None) -> rruleset:
    """The occurrence starts (local naive datetimes) up to `horizon`; raises InvalidSchedule for a bad
    RRULE and TooMuchWork when getting there costs more than `work` allows."""
    return _ruleset(schedule, _parsed(schedule), horizon, work or Work())[0]


def _ruleset(
    schedule: Schedule, parsed: rrule | None, horizon: datetime, work: Work
) -> tuple[rruleset, _BoundedRule | None]:
    rules = rruleset()
    bounded = None
    if parsed is not None:
        bounded = _BoundedRule(parsed, work, horizon)
        rules.rrule(bounded)
    else:
        rules.rdate(schedule.start)
    for day in schedule.rdates:
        rules.rdate(day)
    for day in schedule.exdates:
        rules.exdate(day)
    return rules, bounded


def open_ended(schedule: Schedule) -> bool:
    return bool(schedule.rrule) and not re.search(r"(COUNT|UNTIL)=", schedule.rrule or "")


def bounds(
    schedule: Schedule, overrides: dict[str, Any] | None = None, *, work: Work | None = None
) -> Bounds:
    """First start and last end of the whole series (moved occurrences included).

    Also where a schedule is refused for costing too much: a rule without an occurrence within
    `FIRST_OCCURRENCE_WITHIN`, a finite series not ending within `SERIES_WITHIN`, and an open-ended one
    that cannot be expanded up to `LOOK_AHEAD` from today within the work budget."""
    tz = zone(schedule.timezone or "UTC")
    work = work or Work()
    parsed = _parsed(schedule)
    horizon = schedule.start + FIRST_OCCURRENCE_WITHIN
    if parsed is not None:
        rule = _BoundedRule(parsed, work, schedule.start + FIRST_OCCURRENCE_WITHIN)
        if next(iter(rule), None) is None:
            raise InvalidSchedule(
                "the RRULE yields no occurrence within ten years of the start: its BY parts together "
                "exclude (almost) every date",
                "schedule_never_happens",
                reason="never_happens",
            )
        if parsed._until is not None:
            if parsed._until - schedule.start > SERIES_WITHIN:
                raise InvalidSchedule(
                    "a series must end within 50 years of its start (UNTIL is later)",
                    reason="series_too_long",
                )
            horizon = parsed._until + timedelta(days=1)
        elif parsed._count is not None:
            horizon = schedule.start + SERIES_WITHIN
    rules, bounded = _ruleset(schedule, parsed, horizon, work)
    finite = not open_ended(schedule)
    starts = list(islice(iter(rules), MAX_SERIES_OCCURRENCES + 1 if finite else 1))
    if not starts:
        raise InvalidSchedule(
            "the schedule has no occurrences (every date is excluded)", reason="no_occurrences"
        )
    if finite and len(starts) > MAX_SERIES_OCCURRENCES:
        raise InvalidSchedule(
            f"a series may have at most {MAX_SERIES_OCCURRENCES} occurrences", reason="too_many_occurrences"
        )
    if (
        finite
        and bounded is not None
        and parsed is not None
        and parsed._until is None
        and bounded.reached_horizon
    ):
        raise InvalidSchedule(
            "a series must end within 50 years of its start: lower its COUNT", reason="series_too_long"
        )
    if not finite:  # every expansion near today must stay affordable
        now = datetime.now(UTC)
        next(expand(schedule, {}, now, now + LOOK_AHEAD, limit=1, work=Work(parent=work)), None)
    duration = schedule.end - schedule.start
    first = to_utc(starts[0], tz)
    last: datetime | None = None if not finite else to_utc(max(starts) + duration, tz)
    for change in (overrides or {}).values():
        if change.get("start"):
            first = min(first, change["start"])
        if change.get("end") and last is not None:
            last = max(last, change["end"])
    return Bounds(first, last)


def is_occurrence(schedule: Schedule, key: datetime, *, work: Work | None = None) -> bool:
    """True when `key` (any offset) is an original start of the series; False too for a key further
    from the start than the work budget reaches."""
    tz = zone(schedule.timezone or "UTC")
    local = _local(key, tz)
    try:
        rules = ruleset(schedule, horizon=local + timedelta(days=1), work=work)
        return local in rules.between(local, local, inc=True)
    except TooMuchWork:
        return False


def expand(
    schedule: Schedule,
    overrides: dict[str, Any],
    window_start: datetime,
    window_end: datetime,
    *,
    limit: int,
    work: Work | None = None,
) -> Iterator[Occurrence]:
    """Occurrences overlapping [window_start, window_end), moved and cancelled ones applied, by start.

    `overrides` maps `occurrence_key(...)` to {"start", "end" (UTC datetimes), "cancelled", "note",
    "title"}. Raises TooMuchWork when reaching the window costs more than `work` allows.
    """
    tz = zone(schedule.timezone or "UTC")
    duration = schedule.end - schedule.start
    # Look a little wider in local time; the exact overlap test is done in UTC below.
    lower = _local(window_start, tz) - duration - timedelta(days=1)
    upper = _local(window_end, tz) + timedelta(days=1)
    found: list[Occurrence] = []
    seen: set[str] = set()
    for local_start in islice(ruleset(schedule, horizon=upper, work=work).xafter(lower, inc=True), limit + 1):
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
        title=change.get("title"),
    )


def occurrence_key(start: datetime) -> str:
    """Stable name of an occurrence: its original start in UTC, ISO 8601 with 'Z'."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
