"""Presenting events and messages: dates in the city's time, all-day events as dates, days to group by,
and links in messages turned into this app's pages.

Times are shown in the event's own time zone (the city's unless the organiser said otherwise), in the
reader's language (CLDR through Babel) and on a 24-hour clock, as timetables in Europe are. An event that
runs from one local midnight to another is a whole-day event and shows only its dates, whatever the
API's `all_day` says (older events and imported calendars have only the times).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from witaj.web.clients.content import KIND_PATHS
from witaj.web.clients.events import Occurrence
from witaj.web.i18n import Translator, babel_locale
from witaj.web.pages import Reader

_API_PATH = re.compile(r"^/cities/([a-z0-9-]{1,64})/([a-z_]{1,20})/([A-Za-z0-9_-]{1,64})$")
LINKED_PATHS = frozenset({*KIND_PATHS.values(), "events", "questions"})
"""What a message may link to: content, events, and the reader's own question's thread (a counsellor
answered, or asked back), whose page opens with the token the browser holds."""


def zone(name: str | None, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (KeyError, ValueError):
        return ZoneInfo(fallback)


def whole_days(start: datetime, end: datetime, tz: ZoneInfo, *, declared: bool = False) -> bool:
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    midnights = local_start.time() == time(0) and local_end.time() == time(0)
    return end > start and (declared or midnights)


def unbroken(times: str) -> str:
    """'17:00 - 18:30' kept on one line: a narrow phone would otherwise break it after the dash."""
    return times.replace(" ", "\u00a0").replace("\u2009", "\u202f").replace("\u2013", "\u2060\u2013\u2060")


@dataclass(frozen=True)
class Dates:
    """Dates and times of events in one time zone, written in the reader's language."""

    t: Translator
    tz: ZoneInfo

    @property
    def _locale(self) -> Locale:
        return babel_locale(self.t.language)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def heading(self, day: date) -> str:
        """'Tuesday, 13 May 2025' as the reader's language writes it."""
        return str(format_date(day, format="full", locale=self._locale))

    def _time(self, moment: datetime) -> str:
        return str(format_time(moment.astimezone(self.tz), "HH:mm", locale=self._locale))

    def when(self, start: datetime, end: datetime, *, all_day: bool = False) -> str:
        """When an occurrence happens, under its day's heading: '17:00-18:30', or 'All day'; across
        days 'Tue, 13 May 17:00 - Wed, 14 May 11:00', or for whole days 'Tue, 13 - Thu, 15 May 2025'
        (with the dashes and separators of the reader's language)."""
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        if whole_days(start, end, self.tz, declared=all_day):
            last = (local_end - timedelta(days=1)).date() if local_end.time() == time(0) else local_end.date()
            if last <= local_start.date():
                return self.t("events.all_day")
            return str(format_interval(local_start.date(), last, "yMMMEd", locale=self._locale))
        if local_start.date() == local_end.date():
            return unbroken(
                str(format_interval(local_start, local_end, "Hm", tzinfo=self.tz, locale=self._locale))
            )
        return " \u2013 ".join(
            f"{format_skeleton('MMMEd', moment, locale=self._locale)} {self._time(moment)}"
            for moment in (local_start, local_end)
        )

    def full(self, start: datetime, end: datetime, *, all_day: bool = False) -> str:
        """The day with the time, for an occurrence standing on its own."""
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        whole = whole_days(start, end, self.tz, declared=all_day)
        last = (local_end - timedelta(microseconds=1)).date() if whole else local_end.date()
        if last != local_start.date():
            return self.when(start, end, all_day=all_day)  # across days: the days are in it
        if whole:
            return self.heading(local_start.date())
        return self.t("events.day_time", day=self.heading(local_start.date()), time=self.when(start, end))

    def moment(self, start: datetime) -> str:
        """One point in time: 'Tuesday, 13 May 2025, 17:00' (where a moved occurrence was)."""
        return self.t("events.day_time", day=self.heading(self.day(start)), time=self._time(start))

    def by_day(self, occurrences: Iterable[Occurrence]) -> list[tuple[date, list[Occurrence]]]:
        """Occurrences under the day they start, in the order given (the API's: by start)."""
        days: dict[date, list[Occurrence]] = {}
        for occurrence in occurrences:
            days.setdefault(self.day(occurrence.start), []).append(occurrence)
        return list(days.items())


def page_of(link: str | None, reader: Reader) -> str | None:
    """This app's page for a link in a message (notify links to the services' public API, e.g.
    'https://witaj.example/cities/lublin/events/x'); None for anything else, which is not shown as a
    link: a message's link is never followed off the app."""
    if not link or reader.city is None:
        return None
    found = _API_PATH.match(urlsplit(link).path)
    if found is None or found.group(1) != reader.city.id or found.group(2) not in LINKED_PATHS:
        return None
    return reader.path(found.group(2), found.group(3))
