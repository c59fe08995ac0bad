"""Small helpers the templates call to present content: kinds, features, opening hours, documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from witaj.shared.events import Feature
from witaj.web.clients.content import KIND_PATHS, Item
from witaj.web.i18n import DAYS, Translator

KIND_OF_PATH = {path: kind for kind, path in KIND_PATHS.items()}
FEATURE_OF_PATH = {
    "pages": Feature.CONTENT,
    "processes": Feature.PROCEDURES,
    "glossary": Feature.GLOSSARY,
    "organisations": Feature.DIRECTORY,
    "practices": Feature.PRACTICES,
}
"""The part of the app a city switches on for each kind of content."""
LISTED_ON_TOPICS = ("processes", "pages", "organisations", "practices")
"""What a topic page lists, most asked-for first (glossary terms are explained where they occur)."""


def opening_hours(t: Translator, rows: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    """Opening hours by day in week order, a day's hours joined: [('poniedziałek', '08:00-15:30')] (an en dash)."""
    by_day: dict[str, list[str]] = {}
    for row in rows or []:
        if row.get("day") in DAYS:
            by_day.setdefault(row["day"], []).append(f"{row['opens']}\u2013{row['closes']}")
    return [(t.day(day), ", ".join(by_day[day])) for day in DAYS if day in by_day]


def documents_needed(item: Item) -> list[str]:
    """Every document a procedure asks for, once, in the order the steps first ask for it."""
    seen: dict[str, None] = {}
    for step in item.content.get("steps", []):
        for document in step.get("documents_needed", []):
            seen.setdefault(document, None)
    return list(seen)


def office_ids(item: Item) -> list[str]:
    """The directory entries a procedure's steps send the reader to."""
    ids = [step.get("organisation_id") for step in item.content.get("steps", [])]
    return list(dict.fromkeys(i for i in ids if i))


@dataclass(frozen=True)
class OpenStatus:
    """Whether a place is open at a moment, and until when (or, closed, when it opens next today)."""

    open: bool
    until: str | None = None
    opens: str | None = None


def open_status(rows: list[dict[str, Any]] | None, now: datetime) -> OpenStatus | None:
    """Open or closed at `now` (a time in the city's own zone) by the weekly hours; None when the hours
    are not known. Hours past midnight ('22:00'-'02:00') count on the next morning too."""
    valid = [r for r in rows or [] if r.get("day") in DAYS and _minutes(r.get("opens")) is not None]
    if not valid:
        return None
    today, minute = DAYS[now.weekday()], now.hour * 60 + now.minute
    yesterday = DAYS[(now.weekday() - 1) % 7]
    later: list[str] = []
    for row in valid:
        opens, closes = _minutes(row["opens"]), _minutes(row.get("closes"))
        if opens is None or closes is None:
            continue
        if row["day"] == today:
            if opens <= minute < (closes if closes > opens else 24 * 60):
                return OpenStatus(True, until=row["closes"])
            if minute < opens:
                later.append(row["opens"])
        elif row["day"] == yesterday and closes < opens and minute < closes:
            return OpenStatus(True, until=row["closes"])
    return OpenStatus(False, opens=min(later) if later else None)


def _minutes(value: Any) -> int | None:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    hours, minutes = value[:2], value[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    return int(hours) * 60 + int(minutes)
