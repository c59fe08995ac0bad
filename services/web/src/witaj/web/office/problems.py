"""A service's refusal as the editor reads it: each problem next to its field, in the editor's language.

The content API answers invalid input with `validation_failed` and one detail per problem, each naming
the field by its path in the request (`body.content.steps.0.cost.amount`) and its kind (`missing`,
`string_too_long`, ...). These become messages keyed by the form's input (the longest path the form has:
`steps.0.cost`), worded by kind from the office's catalogue, and listed in a GOV.UK-style error summary
whose links lead to the inputs. Other refusals (a conflict, a changed item) have one message by code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from witaj.web.clients.base import BackendRefused
from witaj.web.i18n import Translator
from witaj.web.office.forms import field_id

KINDS = {
    "missing": "required",
    "string_too_short": "required",
    "too_short": "too_few",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "string_pattern_mismatch": "format",
    "float_parsing": "number",
    "float_type": "number",
    "int_parsing": "whole_number",
    "int_type": "whole_number",
    "int_from_float": "whole_number",
    "greater_than_equal": "range",
    "less_than_equal": "range",
    "greater_than": "range",
    "less_than": "range",
    "url_parsing": "url",
    "url_scheme": "url",
    "url_syntax_violation": "url",
    "url_type": "url",
    "enum": "choice",
    "literal_error": "choice",
    "city_unknown_language": "language",
    "city_languages_repeat": "language",
    "city_default_not_offered": "default_not_offered",
    "city_fallback_not_offered": "fallback_not_offered",
}
"""Pydantic's kinds of problem and the office's words for them (`office.error.<word>`)."""
PREFIXES = ("body.content.", "body.fields.", "body.")


@dataclass
class Problems:
    """What went wrong with a form: messages by input id, and ones that belong to no input."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    """Each input's label, so the summary says which field ("Title: enter ...")."""

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def summary(self) -> list[tuple[str | None, str]]:
        """(link to the input or None, message), general problems first."""
        named = [
            (f"#{i}", f"{self.labels[i]}: {m}" if self.labels.get(i) else m) for i, m in self.fields.items()
        ]
        return [(None, m) for m in self.general] + named

    def add(self, input_id: str | None, message: str, label: str = "") -> None:
        if input_id is None:
            self.general.append(message)
        elif input_id not in self.fields:
            self.fields[input_id] = message
            self.labels[input_id] = label


def explain(
    t: Translator, refused: BackendRefused, known: set[str], label: Callable[[str], str] | None = None
) -> Problems:
    """`known` are the paths the form has inputs for ('title', 'steps.0.cost', 'steps.0.links');
    `label` names the input at a path, for the summary."""
    problems = Problems()
    if refused.code == "validation_failed" and isinstance(refused.details, list):
        for detail in refused.details[:50]:
            if not isinstance(detail, dict):
                continue
            path = _path(str(detail.get("field", "")))
            word = KINDS.get(str(detail.get("type", "")), "invalid")
            target = _input(path, known)
            message = t(f"office.error.{word}")
            if target is None:
                problems.add(None, message)
            else:
                problems.add(field_id(target), message, label(target) if label else "")
        return problems
    if "topic" in refused.code:
        where = field_id("topics") if "topics" in known else None
        problems.add(where, t("office.error.topics"), label("topics") if label and where else "")
        return problems
    problems.add(None, describe(t, refused))
    return problems


def describe(t: Translator, refused: BackendRefused) -> str:
    """One sentence for a refusal that is not about a field; unknown codes get a general one."""
    key = f"office.problem.{refused.code}"
    text = t(key)
    return text if text != key else t("office.problem.other", status=str(refused.status))


def _path(field: str) -> str:
    for prefix in PREFIXES:
        if field.startswith(prefix):
            return field[len(prefix) :]
    return field


def _input(path: str, known: set[str]) -> str | None:
    """The longest start of `path` the form has an input for ('steps.0.cost.amount' -> 'steps.0.cost')."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None
