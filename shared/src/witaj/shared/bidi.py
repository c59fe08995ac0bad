"""Direction marks for plain text where right-to-left and left-to-right scripts meet.

Readers of Arabic, Dari and Urdu get texts that mix scripts: an Arabic notification about the "Kurs
języka polskiego A1", an iCalendar description that starts with "NFZ", a CSV cell with an Urdu label.
Plain text has no `dir` attribute, so a viewer decides each paragraph's direction from its first strong
letter and then reorders neutral characters (punctuation, numbers, spaces) around the other script's
runs, which scrambles "جديد: Kurs A1 (Lublin)" into nonsense. Unicode's isolates (FSI … PDI) keep an
inserted value in its own direction without disturbing the text around it, and a leading RLM or LRM tells
the viewer the paragraph's direction when its first letter would mislead it. Every service that writes
text for people (notify's messages, events' calendars, stats' CSV files) uses these.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

FSI, PDI = "\u2068", "\u2069"
"""First-strong isolate and its end: the enclosed text takes its own direction, the outside is untouched."""
LRM, RLM = "\u200e", "\u200f"
ISOLATES = frozenset("\u2066\u2067\u2068")


def _strong(text: str) -> Iterator[bool]:
    """True for each right-to-left letter, False for each left-to-right one, skipping isolated runs (which
    do not count towards the paragraph's direction)."""
    depth = 0
    for char in text:
        if char in ISOLATES:
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                yield True
            elif kind == "L":
                yield False


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolate(value: str, *, rtl: bool) -> str:
    """`value` as it is put into a text whose direction is right-to-left (`rtl`) or left-to-right:
    isolated wherever the two could differ (an editor's title in a message of another script), and
    untouched where both are left-to-right."""
    if not value or not (rtl or has_rtl(value)):
        return value
    return f"{FSI}{value}{PDI}"


def anchored(text: str, rtl: bool | None = None) -> str:
    """`text` with a leading mark where its first strong letter would give a viewer the wrong paragraph
    direction. The direction is `rtl` when the language is known, else that of most of its letters."""
    letters = list(_strong(text))
    if not letters:
        return text if not rtl else RLM + text
    wanted = rtl if rtl is not None else sum(letters) * 2 > len(letters)
    if letters[0] == wanted:
        return text
    return (RLM if wanted else LRM) + text


def isolated_cell(value: str) -> str:
    """A spreadsheet cell holding right-to-left letters, isolated so that it keeps its own direction next
    to the cells around it (numbers, ids, left-to-right labels)."""
    return f"{FSI}{value}{PDI}" if has_rtl(value) else value
