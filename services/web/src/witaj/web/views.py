"""Small helpers the templates call to present content: kinds, features, opening hours, documents."""

from __future__ import annotations

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
