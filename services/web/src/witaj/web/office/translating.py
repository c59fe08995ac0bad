"""What the translation pages show, whatever is translated: a content item or an event.

The side-by-side editor, a language's list of work with its XLIFF forms, and the per-language counts are
one set of templates; each area (content, events) describes its own thing to them here: what the texts
are called, where the forms post, who may publish, where the links lead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from witaj.shared.translations import ALLOWED, TranslationState

ORDER = list(TranslationState)


@dataclass(frozen=True)
class Translatable:
    """One item or event on the side-by-side editor."""

    title: str
    source_language: str
    revision: int
    """The source revision the form sends back (the API refuses the text if the source changed since)."""
    texts: dict[str, str]
    """The source texts by path."""
    label: Callable[[str], str]
    """A text's place, for people: 'steps.2.title' -> 'Step 3: Title'."""
    page: str
    """Its page in the back office."""
    action: str
    """Where the translation form posts."""
    may_publish: bool
    machine: str | None = None
    """Where a machine draft is asked for; None where the city has them off (or they do not exist)."""


@dataclass(frozen=True)
class WorkRow:
    """One thing a language needs translated."""

    title: str
    what: str
    """What it is, in words ('Procedure', 'Event · draft')."""
    reason: str
    demand: int
    link: str


@dataclass(frozen=True)
class Work:
    """A language's list of work and where its XLIFF files go."""

    rows: list[WorkRow]
    xliff: str
    """Download (GET) and upload (POST) address."""
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    """(address, words) of the pages above, after the dashboard."""
    heading: str = ""
    """The page's heading and lead, when not content's."""
    intro: str = ""


def path_to(current: TranslationState, wanted: TranslationState) -> list[TranslationState] | None:
    """The workflow's steps from one state to another (none when it is the same state, None when it
    cannot be reached): a translator who finishes a text marks it "translated" from "missing", and the
    text passes through "draft" on the way, as the API's workflow wants."""
    if wanted is current:
        return []
    paths: dict[TranslationState, list[TranslationState]] = {current: []}
    frontier = [current]
    while frontier:
        state = frontier.pop(0)
        for following in sorted(ALLOWED[state], key=ORDER.index):
            if following not in paths:
                paths[following] = [*paths[state], following]
                frontier.append(following)
    return paths.get(wanted)


def states_for(current: str, *, may_publish: bool) -> list[str]:
    """The states a person may save a text in from `current` (its own included, missing never)."""
    now = TranslationState(current)
    offered = [s for s in ORDER if s is not TranslationState.MISSING and path_to(now, s) is not None]
    if not may_publish:
        offered = [s for s in offered if s is not TranslationState.PUBLISHED]
    return [s.value for s in offered]


def rows_for(text: str) -> int:
    """A translation box about as tall as its source: one line for a title, more for a paragraph."""
    if len(text) <= 80 and "\n" not in text:
        return 1
    return min(20, max(3, len(text) // 70 + text.count("\n") + 1))


def wanted_steps(current: str, chosen: str) -> list[TranslationState]:
    """The steps to save a text in the state chosen on the form (the current one if it names none)."""
    now = TranslationState(current)
    wanted = TranslationState(chosen) if chosen in {s.value for s in TranslationState} else now
    return path_to(now, wanted) or [wanted]


def posted_translation(form: Mapping[str, Any], paths: Iterable[str]) -> tuple[dict[str, str], int | None]:
    """The side-by-side form's texts (those typed, by path) and the source revision it was made from."""
    fields = {
        path: text.replace("\r\n", "\n")
        for path in paths
        if isinstance(text := form.get(f"text.{path}"), str) and text.strip()
    }
    revision = str(form.get("revision", ""))
    return fields, int(revision) if revision.isdigit() else None
