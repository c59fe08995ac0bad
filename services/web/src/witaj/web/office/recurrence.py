"""An event's schedule in words, in the editor's language, and the simple repeat rules a form can build.

Editors do not write RFC 5545. The event form offers the rules people use (every day, every week on some
days, every month on a day or on "the second Tuesday", every year; ending on a date, after a number of
times, or never) and builds the RRULE the events API takes (`Rule.to_rrule`); a stored rule the form
cannot show that way (an imported calendar's BYSETPOS, say) is shown as it is, to edit as text. Either
way the page says what the schedule means: "every Tuesday and Thursday from 4 March until 30 March,
17:00-18:30". Words come from the office's catalogue (day names in the case each language needs after
its phrase) and dates, times and lists from CLDR through Babel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.lists import format_list
from witaj.web.i18n import DAYS, Translator, babel_locale

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RFC_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
"""RFC 5545's weekday codes, in the order of `i18n.DAYS`."""
POSITIONS = (1, 2, 3, 4, -1)
"""Which weekday of the month a monthly rule may name: the first to the fourth, or the last."""
SIMPLE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}
MAX_EXTRA_DATES = 6
"""Dates an exception or extra date list names in the summary before it says "and N more"."""


@dataclass(frozen=True)
class Rule:
    """A repeat rule the event form can show and build."""

    freq: str
    interval: int = 1
    days: tuple[str, ...] = ()
    """Weekly: the days ('tue', 'thu'), in the week's order."""
    position: int | None = None
    """Monthly on a weekday: which one (1 to 4, or -1 for the last); its day is `days[0]`."""
    month_day: int | None = None
    """Monthly on a day of the month."""
    count: int | None = None
    until: date | None = None

    def to_rrule(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.freq == "WEEKLY" and self.days:
            parts.append("BYDAY=" + ",".join(RFC_DAYS[DAYS.index(d)] for d in self.days))
        if self.freq == "MONTHLY" and self.position is not None and self.days:
            parts.append(f"BYDAY={self.position}{RFC_DAYS[DAYS.index(self.days[0])]}")
        elif self.freq == "MONTHLY" and self.month_day is not None:
            parts.append(f"BYMONTHDAY={self.month_day}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        elif self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")  # local time, the whole last day
        return ";".join(parts)


def parse(rrule: str | None) -> Rule | None:
    """The rule as the form shows it, or None when it says more than the form can (edit it as text)."""
    if not rrule:
        return None
    try:
        parts = dict(p.split("=", 1) for p in rrule.upper().removeprefix("RRULE:").split(";") if p)
    except ValueError:
        return None
    if (
        not set(parts) <= SIMPLE_PARTS
        or parts.get("FREQ") not in FREQUENCIES
        or parts.get("WKST", "MO") != "MO"
    ):
        return None
    freq = parts["FREQ"]
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
        until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
        month_day = int(parts["BYMONTHDAY"]) if "BYMONTHDAY" in parts else None
    except ValueError:
        return None
    days, position = _days(parts.get("BYDAY", ""), freq)
    if (
        days is None
        or interval < 1
        or (month_day is not None and (freq != "MONTHLY" or not 1 <= month_day <= 31))
    ):
        return None
    return Rule(freq, interval, days, position, month_day, count, until)


def _until(text: str) -> date:
    return datetime.strptime(text.rstrip("Z")[:8], "%Y%m%d").date()


def _days(text: str, freq: str) -> tuple[tuple[str, ...] | None, int | None]:
    """BYDAY as the form's days and position; (None, None) when the form cannot show it."""
    if not text:
        return (), None
    codes = text.split(",")
    if freq == "WEEKLY" and all(code in RFC_DAYS for code in codes):
        return tuple(DAYS[i] for i, code in enumerate(RFC_DAYS) if code in codes), None
    if freq == "MONTHLY" and len(codes) == 1 and codes[0][-2:] in RFC_DAYS:
        number = codes[0][:-2].lstrip("+")
        if number.lstrip("-").isdigit() and int(number) in POSITIONS:
            return (DAYS[RFC_DAYS.index(codes[0][-2:])],), int(number)
    return None, None


def position_of(day: date) -> int:
    """Which of its weekday the date is in its month: 1 to 4, or -1 for the fifth (the last)."""
    position = (day.day - 1) // 7 + 1
    return position if position <= 4 else -1


# ------------------------------------------------------------------------------------------ in words


@dataclass(frozen=True)
class Schedule:
    """What the summary needs of an event's schedule (local wall-clock times, as the API keeps them)."""

    start: datetime
    end: datetime
    all_day: bool = False
    rrule: str | None = None
    rdates: tuple[datetime, ...] = field(default=())
    exdates: tuple[datetime, ...] = field(default=())

    @classmethod
    def of(cls, body: dict[str, object]) -> Schedule:
        """From the API's `schedule` block."""

        def moment(value: object) -> datetime:
            return datetime.fromisoformat(str(value)).replace(tzinfo=None)

        raw_rdates = body.get("rdates") or []
        raw_exdates = body.get("exdates") or []
        return cls(
            start=moment(body["start"]), end=moment(body["end"]), all_day=bool(body.get("all_day")),
            rrule=str(body["rrule"]) if body.get("rrule") else None,
            rdates=tuple(moment(d) for d in raw_rdates),  # type: ignore[attr-defined]
            exdates=tuple(moment(d) for d in raw_exdates),  # type: ignore[attr-defined]
        )  # fmt: skip


def summary(t: Translator, schedule: Schedule) -> str:
    """'every Tuesday and Thursday from March 4 until March 30, 17:00-18:30', in `t`'s language."""
    locale = babel_locale(t.language)
    times = _times(t, schedule)
    year = schedule.start.year
    rule = parse(schedule.rrule)
    if not schedule.rrule:
        said = t("office.events.rec.once", date=_long_date(schedule.start.date(), locale), time=times)
    elif rule is None:
        said = t("office.events.rec.custom", rule=schedule.rrule, time=times)
    else:
        words = {
            "rule": _rule(t, rule, schedule.start.date()),
            "start": _short_date(schedule.start.date(), locale, year),
        }
        if rule.count is not None:
            said = t(
                "office.events.rec.series_count",
                **words,
                count=t.plural("office.events.rec.times", rule.count),
                time=times,
            )
        elif rule.until is not None:
            said = t(
                "office.events.rec.series_until",
                **words,
                end=_short_date(rule.until, locale, year),
                time=times,
            )
        else:
            said = t("office.events.rec.series_open", **words, time=times)
    if schedule.exdates and schedule.rrule:
        said = t("office.events.rec.except", summary=said, dates=_dates(t, schedule.exdates, year))
    if schedule.rdates:
        said = t("office.events.rec.also", summary=said, dates=_dates(t, schedule.rdates, year))
    return said


def _rule(t: Translator, rule: Rule, start: date) -> str:
    if rule.freq == "WEEKLY":
        days = rule.days or (DAYS[start.weekday()],)
        listed = format_list(
            [t(f"office.events.rec.on_day.{d}") for d in days], locale=babel_locale(t.language)
        )
        if rule.interval == 1:
            return t("office.events.rec.weekly", days=listed)
        return t.plural("office.events.rec.weekly_n", rule.interval, days=listed)
    if rule.freq == "MONTHLY":
        if rule.position is not None and rule.days:
            day = t.day(rule.days[0])
            which = "last" if rule.position == -1 else str(rule.position)
            phrase = t(f"office.events.rec.monthly_position.{which}", day=day)
        else:
            phrase = t("office.events.rec.monthly_day", day=t.number(rule.month_day or start.day))
        if rule.interval == 1:
            return phrase
        return t.plural("office.events.rec.monthly_n", rule.interval, phrase=phrase)
    key = {"DAILY": "daily", "YEARLY": "yearly"}[rule.freq]
    if rule.interval == 1:
        return t(f"office.events.rec.{key}")
    return t.plural(f"office.events.rec.{key}_n", rule.interval)


def _times(t: Translator, schedule: Schedule) -> str:
    locale = babel_locale(t.language)
    if schedule.all_day:
        days = (schedule.end - schedule.start).days
        if days <= 1:
            return t("office.events.rec.all_day")
        return t.plural("office.events.rec.days", days)
    if schedule.end.date() == schedule.start.date():
        return str(format_interval(schedule.start.time(), schedule.end.time(), "Hm", locale=locale))
    until = _short_date(schedule.end.date(), locale, schedule.start.year)
    start, end = (format_time(m, "HH:mm", locale=locale) for m in (schedule.start, schedule.end))
    return t("office.events.rec.overnight", start=start, date=until, end=end)


def _long_date(day: date, locale: object) -> str:
    return str(format_date(day, "full", locale=locale))


def _short_date(day: date, locale: object, year: int) -> str:
    """'March 30', with the year when it is not the series' first year."""
    return str(format_skeleton("MMMMd" if day.year == year else "yMMMMd", day, locale=locale))


def _dates(t: Translator, moments: tuple[datetime, ...], year: int) -> str:
    locale = babel_locale(t.language)
    named = [_short_date(m.date(), locale, year) for m in sorted(moments)[:MAX_EXTRA_DATES]]
    more = len(moments) - len(named)
    if more:
        named.append(t.plural("office.events.rec.more", more))
    return str(format_list(named, locale=locale))


def span(t: Translator, start: datetime, end: datetime) -> str:
    """One date of an event, in local time: 'Tue, Mar 4, 2030, 17:00-18:30' (the end's date too when it
    ends on another day)."""
    locale = babel_locale(t.language)
    day = format_skeleton("yMMMEd", start, locale=locale)
    if end.date() == start.date():
        return f"{day}, {format_interval(start.time(), end.time(), 'Hm', locale=locale)}"
    until = format_skeleton("yMMMEd", end, locale=locale)
    begins, ends = (format_time(m, "HH:mm", locale=locale) for m in (start, end))
    return f"{day}, {begins} \u2013 {until}, {ends}"
