"""The five content kinds: what an editor sends for each, and which of its fields are translatable text.

Every kind is stored the same way (see `store.py`): the whole body in its source language, plus
translations as flat `path -> text` maps (`title`, `steps.2.description`, `documents.0`). Declaring the
translatable paths once per model (`TEXT_FIELDS`) lets one code path flatten, translate, export to XLIFF,
index for search and localize every kind, instead of five copies of each.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints
from starlette.convertors import Convertor, register_url_convertor
from witaj.shared.events import ContentKind, UserType
from witaj.shared.events.cities import TOPIC_ID
from witaj.shared.events.content import KIND_PATHS

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
Markdown = Annotated[str, StringConstraints(max_length=50_000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
TopicId = Annotated[str, StringConstraints(pattern=TOPIC_ID)]
Topics = Annotated[
    list[TopicId],
    Field(max_length=10, description="Topics of the city's topic tree (see /cities/{city}/topics)"),
]


class Body(BaseModel):
    """Base of every kind's body: unknown fields are refused so typos do not vanish silently."""

    model_config = ConfigDict(extra="forbid")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ()
    MARKDOWN_FIELDS: ClassVar[tuple[str, ...]] = ()


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: float = Field(ge=0, le=1_000_000)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"


class Page(Body):
    TEXT_FIELDS = ("title", "summary", "body")
    MARKDOWN_FIELDS = ("body",)

    title: Title
    summary: Summary = ""
    body: Markdown = ""
    topics: Topics = Field(default_factory=list)
    user_types: list[UserType] = Field(default_factory=list, max_length=10)


class Step(Body):
    TEXT_FIELDS = ("title", "description", "documents_needed", "documents_produced")
    MARKDOWN_FIELDS = ("description",)

    title: Title
    description: Annotated[str, StringConstraints(max_length=10_000)] = ""
    office: Annotated[str | None, StringConstraints(max_length=200)] = None
    organisation_id: ItemId | None = Field(default=None, description="Directory entry of the office")
    address: Annotated[str | None, StringConstraints(max_length=300)] = None
    location: Point | None = None
    cost: Money | None = None
    documents_needed: list[Line] = Field(default_factory=list, max_length=30)
    documents_produced: list[Line] = Field(default_factory=list, max_length=30)
    links: list[AnyHttpUrl] = Field(default_factory=list, max_length=10)
    duration_days: int | None = Field(default=None, ge=0, le=3650)


class Process(Body):
    TEXT_FIELDS = ("title", "summary", "steps")
    MARKDOWN_FIELDS = ()

    title: Title
    summary: Summary = ""
    topics: Topics = Field(default_factory=list)
    user_types: list[UserType] = Field(default_factory=list, max_length=10)
    steps: list[Step] = Field(min_length=1, max_length=40)
    related_pages: list[ItemId] = Field(default_factory=list, max_length=20)


class GlossaryTerm(Body):
    TEXT_FIELDS = ("title", "definition", "synonyms")

    title: Title = Field(description="The term itself")
    definition: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
    synonyms: list[Title] = Field(default_factory=list, max_length=10)
    topics: Topics = Field(default_factory=list)


class OpeningHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: Annotated[str, StringConstraints(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)$")]
    opens: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    closes: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Annotated[str | None, StringConstraints(max_length=40)] = None
    email: Annotated[str | None, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] = None
    website: AnyHttpUrl | None = None


class Service(Body):
    TEXT_FIELDS = ("title", "description")
    title: Title
    description: Summary = ""


class OrganisationKind(StrEnum):
    PUBLIC_OFFICE = "public_office"
    NGO = "ngo"
    COUNSELLING = "counselling"
    SCHOOL = "school"
    HEALTH = "health"
    OTHER = "other"


class Organisation(Body):
    TEXT_FIELDS = ("title", "description", "services")
    MARKDOWN_FIELDS = ("description",)

    title: Title = Field(description="Name of the organisation or office")
    type: OrganisationKind = OrganisationKind.OTHER
    description: Annotated[str, StringConstraints(max_length=10_000)] = ""
    address: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    location: Point
    opening_hours: list[OpeningHours] = Field(default_factory=list, max_length=21)
    languages_spoken: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=list, max_length=30
    )
    topics: Topics = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    services: list[Service] = Field(default_factory=list, max_length=30)


class PracticeCategory(StrEnum):
    STRATEGY = "strategy"
    GOVERNANCE = "governance"
    DIALOGUE_COMMISSION = "dialogue_commission"
    INFORMATION_POINT = "information_point"
    MULTICULTURAL_CENTRE = "multicultural_centre"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    STUDY_IN_PROGRAMME = "study_in_programme"
    CAMPAIGN = "campaign"
    OTHER = "other"


class SimilarPractice(BaseModel):
    """A link to a practice elsewhere: by id when it is in Witaj, by name when it is not (yet)."""

    model_config = ConfigDict(extra="forbid")
    city: Slug
    item_id: ItemId | None = None
    name: Title | None = None


class Practice(Body):
    TEXT_FIELDS = ("title", "summary", "description", "results", "recommendations")
    MARKDOWN_FIELDS = ("description", "results", "recommendations")

    title: Title
    category: PracticeCategory
    summary: Summary = ""
    description: Markdown = ""
    results: Annotated[str, StringConstraints(max_length=10_000)] = ""
    recommendations: Annotated[str, StringConstraints(max_length=10_000)] = Field(
        default="", description="Expert recommendations for other cities"
    )
    contact: Contact = Field(default_factory=Contact)
    similar: list[SimilarPractice] = Field(default_factory=list, max_length=20)
    topics: Topics = Field(default_factory=list)


MODELS: dict[ContentKind, type[Body]] = {
    ContentKind.PAGE: Page,
    ContentKind.PROCESS: Process,
    ContentKind.GLOSSARY_TERM: GlossaryTerm,
    ContentKind.ORGANISATION: Organisation,
    ContentKind.PRACTICE: Practice,
}

PATH_OF: dict[ContentKind, str] = KIND_PATHS
PATHS: dict[str, ContentKind] = {path: kind for kind, path in PATH_OF.items()}


class KindPathConvertor(Convertor[str]):
    """`{kind_path:kind}` in a route matches only a kind's path, so the public reading routes can be
    tried first (most requests are reads) without swallowing `/workbench/...`, `/search` or `/topics`."""

    regex = "|".join(sorted(PATHS))

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("kind", KindPathConvertor())


def texts_of(model: Body) -> dict[str, str]:
    """The translatable text of a body as flat `path -> text` (empty strings are left out)."""
    found: dict[str, str] = {}
    for name in type(model).TEXT_FIELDS:
        _flatten(getattr(model, name), name, found)
    return found


def _flatten(value: Any, path: str, into: dict[str, str]) -> None:
    if isinstance(value, str):
        if value:
            into[path] = value
    elif isinstance(value, Body):
        for name in type(value).TEXT_FIELDS:
            _flatten(getattr(value, name), f"{path}.{name}", into)
    elif isinstance(value, list):
        for index, element in enumerate(value):
            _flatten(element, f"{path}.{index}", into)


def markdown_paths(kind: ContentKind, content: dict[str, Any]) -> list[str]:
    """Paths whose text is Markdown (rendered to sanitised HTML when read)."""
    model = MODELS[kind]
    paths = list(model.MARKDOWN_FIELDS)
    if kind is ContentKind.PROCESS:
        paths += [
            f"steps.{i}.{f}" for i in range(len(content.get("steps", []))) for f in Step.MARKDOWN_FIELDS
        ]
    return paths


def overlay(content: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """A copy of a stored body with the given flat texts written in (a translation over its source)."""
    result: dict[str, Any] = _deep_copy(content)
    for path, text in texts.items():
        parts = path.split(".")
        target: Any = result
        try:
            for part in parts[:-1]:
                target = target[int(part)] if isinstance(target, list) else target[part]
            last = parts[-1]
            if isinstance(target, list):
                target[int(last)] = text
            elif isinstance(target, dict) and last in target:
                target[last] = text
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # a path from an older source revision that no longer exists
    return result


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
