"""The editing form of each kind of content, declared once: how it is shown, read back and checked.

Each kind's form is a list of fields (and repeated groups: a procedure's steps, an organisation's
services) named by their path in the content API's body (`title`, `contact.email`, `steps.2.cost`).
`read(kind_path, form)` turns a posted form into the body the API takes; `values(kind_path, content)`
turns a body back into what the inputs show, so a form re-shown after a preview, an added step or a
refusal keeps everything typed. The API checks the body; its complaints name the same paths, which
`errors.py` puts next to the right field. Without JavaScript, steps are added, removed and moved with
buttons that post the form and show it again (`intent`), nothing saved until "Save".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from witaj.shared.events import UserType
from witaj.web.i18n import DAYS

ORGANISATION_TYPES = ("public_office", "ngo", "counselling", "school", "health", "other")
PRACTICE_CATEGORIES = (
    "strategy", "governance", "dialogue_commission", "information_point", "multicultural_centre",
    "education", "employment", "study_in_programme", "campaign", "other",
)  # fmt: skip
USER_TYPES = tuple(t.value for t in UserType)
SLOTS = 2
"""Opening hours: up to two opening times a day (a lunch break)."""
MAX_LINES = 30


@dataclass(frozen=True)
class Field:
    name: str
    widget: str
    """text, textarea, markdown, lines, select, checks, number, integer, money, point, hours, topics,
    languages, email, url, tel"""
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    labels: str = ""
    """Catalogue prefix of the choices' labels (the migrant app's own where it has them)."""
    hint: bool = False


@dataclass(frozen=True)
class Group:
    name: str
    fields: tuple[Field, ...]
    least: int = 0
    most: int = 30
    widget: str = "group"


@dataclass(frozen=True)
class KindForm:
    kind: str
    fields: tuple[Field | Group, ...]
    markdown: tuple[str, ...] = field(default=())

    def groups(self) -> list[Group]:
        return [f for f in self.fields if isinstance(f, Group)]


TITLE = Field("title", "text", required=True, max_length=200)
SUMMARY = Field("summary", "textarea", max_length=2_000, hint=True)
TOPICS = Field("topics", "topics", hint=True)
AUDIENCE = Field("user_types", "checks", choices=USER_TYPES, labels="office.user_type.")
CONTACT = (
    Field("contact.phone", "tel", max_length=40),
    Field("contact.email", "email", max_length=200),
    Field("contact.website", "url", max_length=500),
)

FORMS: dict[str, KindForm] = {
    "pages": KindForm(
        "page", (TITLE, SUMMARY, Field("body", "markdown", max_length=50_000, hint=True), TOPICS, AUDIENCE)
    ),
    "processes": KindForm(
        "process",
        (
            TITLE,
            SUMMARY,
            TOPICS,
            AUDIENCE,
            Group(
                "steps",
                (
                    Field("title", "text", required=True, max_length=200),
                    Field("description", "markdown", max_length=10_000),
                    Field("office", "text", max_length=200, hint=True),
                    Field("organisation_id", "office"),
                    Field("address", "text", max_length=300),
                    Field("location", "point"),
                    Field("cost", "money"),
                    Field("duration_days", "integer", hint=True),
                    Field("documents_needed", "lines", hint=True),
                    Field("documents_produced", "lines", hint=True),
                    Field("links", "lines", hint=True),
                ),
                least=1,
                most=40,
            ),
            Field("related_pages", "lines", hint=True),
        ),
    ),
    "glossary": KindForm(
        "glossary_term",
        (
            Field("title", "text", required=True, max_length=200, hint=True),
            Field("definition", "textarea", required=True, max_length=2_000),
            Field("synonyms", "lines", hint=True),
            TOPICS,
        ),
    ),
    "organisations": KindForm(
        "organisation",
        (
            TITLE,
            Field("type", "select", choices=ORGANISATION_TYPES, labels="organisation.type."),
            Field("description", "markdown", max_length=10_000),
            Field("address", "text", required=True, max_length=300),
            Field("location", "point", required=True, hint=True),
            Field("opening_hours", "hours", hint=True),
            Field("languages_spoken", "languages"),
            *CONTACT,
            TOPICS,
            Group(
                "services",
                (
                    Field("title", "text", required=True, max_length=200),
                    Field("description", "textarea", max_length=2_000),
                ),
            ),
        ),
    ),
    "practices": KindForm(
        "practice",
        (
            TITLE,
            Field(
                "category", "select", required=True, choices=PRACTICE_CATEGORIES, labels="practice.category."
            ),
            SUMMARY,
            Field("description", "markdown", max_length=50_000),
            Field("results", "markdown", max_length=10_000),
            Field("recommendations", "markdown", max_length=10_000, hint=True),
            *CONTACT,
            TOPICS,
            Group(
                "similar",
                (
                    Field("city", "text", required=True, max_length=48),
                    Field("item_id", "text", max_length=64),
                    Field("name", "text", max_length=200),
                ),
                most=20,
            ),
        ),
    ),
}
"""Every kind's form, by the path the kind has in addresses (as `clients.content.KIND_PATHS`)."""


def field_id(path: str) -> str:
    """The input's id for a body path: 'steps.0.title' -> 'f-steps-0-title' (the error summary links it)."""
    return "f-" + path.replace(".", "-").replace("_", "-")


# ------------------------------------------------------------------------------------ form -> body


def read(kind_path: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The body a posted form describes (the API checks it; nothing here second-guesses its rules)."""
    body: dict[str, Any] = {}
    for entry in FORMS[kind_path].fields:
        if isinstance(entry, Group):
            rows = [
                _read_fields(entry.fields, form, f"{entry.name}.{i}.") for i in _indices(form, entry.name)
            ]
            if rows or entry.least:
                body[entry.name] = rows
        else:
            _read_field(entry, form, "", body)
    return body


def _read_fields(fields: Iterable[Field], form: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for entry in fields:
        _read_field(entry, form, prefix, row)
    return row


def posted_text(form: Mapping[str, Any], name: str) -> str:
    """One posted input's text (line ends as typed on any system), or '' when there is none."""
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def posted_values(form: Mapping[str, Any], name: str) -> list[str]:
    """Every value posted under a name (ticked checkboxes)."""
    getlist = getattr(form, "getlist", None)
    values = getlist(name) if getlist else form.get(name, [])
    return [v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str) and v]


def _read_field(entry: Field, form: Mapping[str, Any], prefix: str, into: dict[str, Any]) -> None:
    name = prefix + entry.name
    value: Any
    if entry.widget in ("checks", "topics", "languages"):
        value = posted_values(form, name)
    elif entry.widget == "lines":
        value = [line.strip() for line in posted_text(form, name).split("\n") if line.strip()][
            : MAX_LINES * 2
        ]
    elif entry.widget == "point":
        lat, lon = posted_text(form, name + ".lat").strip(), posted_text(form, name + ".lon").strip()
        value = {"lat": lat, "lon": lon} if lat or lon else None
    elif entry.widget == "money":
        amount = posted_text(form, name + ".amount").strip()
        value = (
            {"amount": amount, "currency": posted_text(form, name + ".currency").strip().upper() or "PLN"}
            if amount
            else None
        )
    elif entry.widget == "hours":
        value = []
        for day in DAYS:
            for slot in range(SLOTS):
                opens = posted_text(form, f"{name}.{day}.{slot}.opens").strip()
                closes = posted_text(form, f"{name}.{day}.{slot}.closes").strip()
                if opens or closes:
                    value.append({"day": day, "opens": opens, "closes": closes})
    elif entry.widget in ("markdown", "textarea"):
        value = posted_text(form, name) if entry.widget == "markdown" else posted_text(form, name).strip()
    else:
        value = posted_text(form, name).strip() or None  # an empty optional input leaves the field out
        if value is None and entry.required:
            value = ""  # so the API names it as missing, next to its input
    _put(into, entry.name, value)


def _put(into: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path ('contact.email'); nothing is set for None, so optional parts stay out."""
    if value is None:
        return
    *parents, last = path.split(".")
    target = into
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _indices(form: Mapping[str, Any], group: str) -> list[int]:
    """The row numbers a form has for a group, in order (rows removed in between leave gaps)."""
    found: set[int] = set()
    prefix = group + "."
    for key in form:
        if key.startswith(prefix):
            number = key[len(prefix) :].split(".", 1)[0]
            if number.isdigit() and len(number) <= 3:
                found.add(int(number))
    return sorted(found)


# ------------------------------------------------------------------------------------ body -> inputs


def values(kind_path: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """What each input shows for a body, by input name ('steps.0.cost.amount': '440')."""
    shown: dict[str, Any] = {}
    for entry in FORMS[kind_path].fields:
        if isinstance(entry, Group):
            for i, row in enumerate(content.get(entry.name) or []):
                for sub in entry.fields:
                    _show(sub, _get(row, sub.name), f"{entry.name}.{i}.{sub.name}", shown)
        else:
            _show(entry, _get(content, entry.name), entry.name, shown)
    return shown


def _get(content: Mapping[str, Any], path: str) -> Any:
    value: Any = content
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _show(entry: Field, value: Any, name: str, shown: dict[str, Any]) -> None:
    if entry.widget == "lines":
        shown[name] = "\n".join(str(v) for v in value or [])
    elif entry.widget in ("checks", "topics", "languages"):
        shown[name] = [str(v) for v in value or []]
    elif entry.widget == "point":
        shown[name + ".lat"] = "" if not value else str(value.get("lat", ""))
        shown[name + ".lon"] = "" if not value else str(value.get("lon", ""))
    elif entry.widget == "money":
        shown[name + ".amount"] = "" if not value else _number(value.get("amount"))
        shown[name + ".currency"] = "PLN" if not value else str(value.get("currency", "PLN"))
    elif entry.widget == "hours":
        slots: dict[str, int] = {}
        for row in value or []:
            day = row.get("day")
            slot = slots.get(day, 0)
            if day in DAYS and slot < SLOTS:
                shown[f"{name}.{day}.{slot}.opens"] = str(row.get("opens", ""))
                shown[f"{name}.{day}.{slot}.closes"] = str(row.get("closes", ""))
                slots[day] = slot + 1
    else:
        shown[name] = "" if value is None else _number(value) if isinstance(value, float) else str(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def rows(content: Mapping[str, Any], group: Group) -> int:
    return len(content.get(group.name) or [])


# ------------------------------------------------------------------------------- add, remove, move


def change(kind_path: str, content: dict[str, Any], intent: str) -> tuple[dict[str, Any], str | None]:
    """Apply a form button that is not "save": add a row, remove one, move one up or down. Answers the
    new body and the input to put the focus on (the new or moved row's first field)."""
    action, _, where = intent.partition(":")
    group_name, _, index_text = where.partition(".")
    groups = {g.name: g for g in FORMS[kind_path].groups()}
    group = groups.get(group_name)
    if group is None or action not in ("add", "remove", "up", "down"):
        return content, None
    items = list(content.get(group.name) or [])
    index = int(index_text) if index_text.isdigit() else -1
    focus: int | None = None
    if action == "add" and len(items) < group.most:
        items.append({})
        focus = len(items) - 1
    elif action == "remove" and 0 <= index < len(items) and len(items) > group.least:
        items.pop(index)
        focus = min(index, len(items) - 1) if items else None
    elif action == "up" and 0 < index < len(items):
        items[index - 1], items[index] = items[index], items[index - 1]
        focus = index - 1
    elif action == "down" and 0 <= index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
        focus = index + 1
    changed = {**content, group.name: items}
    first = group.fields[0].name
    return changed, (field_id(f"{group.name}.{focus}.{first}") if focus is not None else None)


def blank(kind_path: str) -> dict[str, Any]:
    """A new item's body: the rows a kind must have (a procedure starts with one empty step)."""
    return {g.name: [{} for _ in range(g.least)] for g in FORMS[kind_path].groups() if g.least}


def field_label(t: Any, kind_path: str, name: str) -> str:
    """An input's label: the kind's own wording if it has one ('Term' for a glossary title), else the
    general one (`office.field.<name>`)."""
    kind = FORMS[kind_path].kind
    own = t(f"office.field.{kind}.{name}")
    return own if own != f"office.field.{kind}.{name}" else t(f"office.field.{name}")


def path_label(t: Any, kind_path: str, path: str) -> str:
    """A text's place in the item, for people: 'steps.2.documents_needed.0' -> 'Step 3: Documents needed'."""
    parts = path.split(".")
    groups = {g.name for g in FORMS[kind_path].groups()}
    if len(parts) >= 3 and parts[0] in groups and parts[1].isdigit():
        row = t(f"office.group.{parts[0]}.row", number=int(parts[1]) + 1)
        return f"{row}: {field_label(t, kind_path, parts[2])}"
    return field_label(t, kind_path, parts[0])
