"""The events API's refusals as an organiser reads them: each next to its input, in the office's language.

Besides the validation problems every API gives by path (see `problems.explain`), events have their
own: a schedule that cannot be (its `reason` says which rule it breaks: the end before the start, a
repeat rule that never happens...), a place without an address or link, a price missing, registration
closing before it opens, a capacity below the places already taken. Each goes to the input it is about.
"""

from __future__ import annotations

from collections.abc import Callable

from witaj.web.clients.base import BackendRefused
from witaj.web.i18n import Translator
from witaj.web.office.event_form import INPUTS
from witaj.web.office.forms import field_id
from witaj.web.office.problems import Problems, describe, explain

SCHEDULE_CODES = {"invalid_schedule", "schedule_never_happens", "schedule_too_complex"}
REASONS = (
    "end_before_start", "too_long", "all_day_times", "rrule_invalid", "rrule_frequency", "interval_too_large",
    "never_happens", "series_too_long", "no_occurrences", "too_many_occurrences", "too_complex",
    "unknown_timezone", "move_needs_both",
)  # fmt: skip
"""The events API's reasons for refusing a schedule (`witaj.events.schedule.InvalidSchedule`)."""
REASON_INPUT = {
    "end_before_start": "schedule.end_time", "too_long": "schedule.end_date", "all_day_times": "schedule.all_day",
    "no_occurrences": "schedule.exdates", "unknown_timezone": None, "move_needs_both": None,
}  # fmt: skip
"""Where each reason is shown; any other is about the repeat rule."""
WHOLE_OBJECT = {
    "place": ("place.address", "office.events.error.place"),
    "cost": ("cost.amount", "office.events.error.cost"),
    "registration": ("registration.closes_at", "office.events.error.registration_window"),
}
"""The API's checks of a whole block (pydantic's `value_error` at the block's path): the input to put it
by and what to say."""
CODE_INPUT = {"organisation_required": "organisation", "capacity_below_registrations": "capacity"}
LOCAL = {"required": "office.error.required", "whole_number": "office.error.whole_number"}


def label_of(t: Translator) -> Callable[[str], str]:
    return lambda path: t(f"office.events.field.{path}")


def schedule_input(reason: str, *, custom_rule: bool, all_day: bool) -> str | None:
    if reason in REASON_INPUT:
        target = REASON_INPUT[reason]
        return "schedule.end_date" if target == "schedule.end_time" and all_day else target
    return "schedule.rrule" if custom_rule else "repeat"


def event_problems(
    t: Translator,
    refused: BackendRefused | None,
    local: dict[str, str] | None = None,
    *,
    custom_rule: bool = False,
    all_day: bool = False,
) -> Problems:
    """What was wrong with a form: what could not be read here (`local`, input path -> problem word)
    first, then what the API said (`refused`), each problem once per input."""
    label = label_of(t)
    problems = Problems()
    for path, word in (local or {}).items():
        problems.add(field_id(path), t(LOCAL.get(word, f"office.events.error.{word}")), label(path))
    if refused is None:
        return problems
    details = refused.details
    if refused.code in SCHEDULE_CODES:
        reason = details.get("reason", "") if isinstance(details, dict) else ""
        message = t(
            f"office.events.schedule.{reason}" if reason in REASONS else "office.events.schedule.invalid"
        )
        target = schedule_input(reason, custom_rule=custom_rule, all_day=all_day)
        problems.add(field_id(target) if target else None, message, label(target) if target else "")
        return problems
    if refused.code in CODE_INPUT:
        target = CODE_INPUT[refused.code]
        problems.add(field_id(target), describe(t, refused), label(target))
        return problems
    rest = []
    for detail in details if refused.code == "validation_failed" and isinstance(details, list) else []:
        where = str(detail.get("field", "")).removeprefix("body.") if isinstance(detail, dict) else ""
        if where.startswith("schedule") and local:
            continue  # the schedule was left out because it could not be read: said above
        if where in WHOLE_OBJECT and detail.get("type") == "value_error":
            target, key = WHOLE_OBJECT[where]
            problems.add(field_id(target), t(key), label(target))
        else:
            rest.append(detail)
    if refused.code == "validation_failed":
        refused = BackendRefused(refused.service, refused.status, refused.code, rest)
        if not rest:
            return problems
    said = explain(t, refused, set(INPUTS), label)
    for input_id, message in said.fields.items():
        problems.add(input_id, message, said.labels.get(input_id, ""))
    for message in said.general:
        problems.add(None, message)
    return problems
