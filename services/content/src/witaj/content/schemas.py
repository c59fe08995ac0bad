"""The content service's HTTP models: what clients send (`XCreate`, `XUpdate`) and what it answers
(`XPublic`), so the OpenAPI document describes every route and every answer is validated once when it is
built.

An item's body differs by kind (`kinds.py`): requests take the kind's own model (each kind has its own
create, edit and preview routes), and answers carry the body as the stored JSON object (`content`),
whose shape is that kind's create schema. Optional answer fields that only some rows have (an
organisation's directory facts, a distance, a correction's edit) are left out where they do not apply
rather than sent as null: the routes that answer them exclude unset fields, so a model built with a field
sends it, even as null, and one built without it does not.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from witaj.content.kinds import Body, TopicId
from witaj.content.store import Status
from witaj.shared.events import ContentKind, Topic
from witaj.shared.text import plain_text
from witaj.shared.translations import LanguageStatus, TranslationState

B = TypeVar("B", bound=Body)
"""The body of one kind of item, for routes generic over kinds."""

M = TypeVar("M", bound=BaseModel)

Content = Annotated[
    dict[str, Any], Field(description="The item's body: the fields of its kind's create schema")
]
Timestamp = Annotated[str, Field(description="ISO 8601 date and time")]
Spans = Annotated[list[tuple[int, int]], Field(description="[start, end) character offsets to mark")]


def extend(row: BaseModel, model: type[M], **more: Any) -> M:
    """`row` (already validated) as the wider `model`, with the fields `more` adds, without validating
    the row a second time: the fields it left unset stay unset (and out of the answer)."""
    return model.model_construct(row.model_fields_set | more.keys(), **row.__dict__, **more)


class Received(BaseModel):
    """An anonymous write was taken in (202): it waits for editors or moderators."""

    id: str
    status: str = Field(examples=["received"])


# ---------------------------------------------------------------------------------------------- items


class ItemCreate(BaseModel, Generic[B]):
    model_config = ConfigDict(extra="forbid")
    content: B
    source_language: str | None = Field(
        default=None, max_length=3, description="Default: the city's language"
    )
    organisation: str | None = Field(
        default=None, max_length=64, description="Owner; NGO editors always own what they create"
    )


class ItemUpdate(BaseModel, Generic[B]):
    """A new source text: the whole body replaces the old one."""

    model_config = ConfigDict(extra="forbid")
    content: B
    minor: bool = Field(default=False, description="Typo-level edit: translations stay current")
    important: bool = Field(default=False, description="Ask the notify service to tell subscribers")


class StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status


class TranslationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: TranslationState
    fields: dict[str, str] | None = Field(default=None, max_length=2_000)
    source_revision: int | None = Field(default=None, ge=1, description="Revision the text was made from")


class MachineDraftCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    overwrite: bool = Field(
        default=False,
        description="Replace a translation that is reviewed, published or written by a person",
    )


class PreviewCreate(BaseModel, Generic[B]):
    model_config = ConfigDict(extra="forbid")
    content: B
    language: str = Field(max_length=3, description="The language the text is written in")


class GlossaryMark(BaseModel):
    """Where a glossary term occurs in a text, so a reader can open its definition."""

    field: str = Field(description="Path of the text, e.g. 'steps.2.description'")
    start: int
    end: int
    term_id: str


class ItemPublic(BaseModel):
    """One published item in one language, as readers (and an editor's preview) see it."""

    id: str
    kind: ContentKind
    city: str
    organisation: str | None
    revision: int
    updated_at: Timestamp
    path: str = Field(description="Where the item is read, e.g. '/cities/lublin/pages/rent'")
    available_languages: list[str]
    machine_translated: bool = Field(description="The text in `language` is an unreviewed machine draft")
    outdated: bool = Field(description="The text in `language` was made from an older source text")
    content: Content
    html: dict[str, str] = Field(description="Sanitised HTML of each Markdown field, by path")
    glossary: list[GlossaryMark]
    total_cost: dict[str, float] | None = Field(
        default=None, description="Processes only: the steps' costs summed per currency"
    )
    total_duration_days: int | None = Field(default=None, description="Processes only")
    language: str = Field(description="The language served")
    requested_language: str | None
    fallback: bool = Field(description="Not the language asked for: it is not offered")
    rtl: bool = Field(description="The language is written right to left")


class SummaryPublic(BaseModel):
    """A listing or search row: enough to show a link and decide to open it (and which way to set it).
    Organisations add their directory facts, so a list, a map or a procedure's office needs no item read."""

    id: str
    kind: ContentKind
    city: str
    title: str
    summary: str
    language: str
    rtl: bool
    topics: list[str]
    path: str
    type: str | None = Field(default=None, description="Organisations only")
    address: str | None = Field(default=None, description="Organisations only")
    location: dict[str, float] | None = Field(default=None, description="Organisations only: lat, lon")
    opening_hours: list[dict[str, Any]] | None = Field(default=None, description="Organisations only")
    languages_spoken: list[str] | None = Field(default=None, description="Organisations only")
    contact: dict[str, Any] | None = Field(default=None, description="Organisations only")
    distance_km: float | None = Field(default=None, description="Only when asked for those 'near' a point")
    category: str | None = Field(default=None, description="Good practices across cities only")


class HighlightPublic(BaseModel):
    field: str
    language: str = Field(description="The language the words matched in")
    snippet: str
    offset: int = Field(description="Where the snippet starts in the field's text")
    spans: Spans


class SearchHitPublic(SummaryPublic):
    score: float
    matched_languages: list[str] = Field(description="Languages the query matched in, the reader's first")
    highlights: list[HighlightPublic]


class PassagePublic(BaseModel):
    field: str
    language: str
    text: str
    spans: Spans


class AnswerPublic(SummaryPublic):
    score: float
    passage: PassagePublic | None = Field(description="The sentence that answers, with the words to mark")


class InstantAnswersPublic(BaseModel):
    language: str
    rtl: bool
    topic: str | None
    answers: list[AnswerPublic] = Field(description="Best first; empty: the question is for a person")


# ---------------------------------------------------------------------------------------------- editors


class TranslationStatusPublic(LanguageStatus):
    fields: dict[str, str] = Field(description="The translated texts by path")


class WorkbenchItemPublic(BaseModel):
    """An item in any state as editors and translators see it (its version is also the ETag)."""

    id: str
    kind: ContentKind
    city: str
    organisation: str | None
    status: Status
    version: int
    revision: int = Field(description="Revision of the source text")
    source_language: str
    content: Content
    texts: dict[str, str] = Field(description="The translatable source texts, flat by path")
    translations: dict[str, TranslationStatusPublic]
    updated_at: Timestamp


class VersionPublic(BaseModel):
    revision: int
    content: Content
    texts: dict[str, str]
    organisation: str | None
    at: Timestamp


class TranslationNeedPublic(BaseModel):
    id: str
    kind: ContentKind
    status: Status
    title: str
    reason: str = Field(examples=["missing", "outdated", "unpublished"])
    demand: int = Field(description="Views asked for in this language")
    views: int


class LanguageNeedsPublic(BaseModel):
    missing: int
    outdated: int
    unpublished: int
    items: list[TranslationNeedPublic]


class TranslationDashboardPublic(BaseModel):
    city: str
    languages: dict[str, LanguageNeedsPublic]


# ---------------------------------------------------------------------------------------------- feedback


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: str = Field(max_length=3)
    helpful: bool | None = None
    comment: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=2_000)] = None


class ModerationDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class FeedbackUpdate(BaseModel):
    """A moderator's decision on a comment."""

    model_config = ConfigDict(extra="forbid")
    decision: ModerationDecision


class FeedbackScorePublic(BaseModel):
    item_id: str
    language: str
    helpful: int
    not_helpful: int
    comments: int


class FeedbackPublic(BaseModel):
    """A comment waiting for moderation."""

    item_id: str
    kind: ContentKind
    language: str
    helpful: bool | None
    comment: str | None
    id: str


class ModerationPublic(BaseModel):
    id: str
    moderation: ModerationDecision


# ---------------------------------------------------------------------------------------------- gaps


class GapCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="What the reader searched for"
    )
    language: str = Field(max_length=3, description="The language the reader searched in")
    comment: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=1_000)] = Field(
        default=None, description="What the reader needed, in their own words"
    )


class GapPublic(BaseModel):
    """One query reported as finding nothing, with how often and the latest comments on it."""

    query: str
    language: str
    reports: int
    last_reported_at: datetime
    comments: list[str]


# ---------------------------------------------------------------------------------------------- suggestions

MAX_SUGGESTION_TEXT = 2_000


class SuggestionKind(StrEnum):
    CORRECTION = "correction"
    TIP = "tip"


class SuggestionDecision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class SuggestionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: SuggestionKind
    language: str = Field(max_length=3, description="Language the item was read in and the text written in")
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SUGGESTION_TEXT)]
    field: str | None = Field(
        default=None, max_length=100, pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$", description="Corrections: where"
    )
    credit_as: str | None = Field(
        default=None,
        max_length=40,
        description="A pseudonym to be credited by if it is accepted (not your name unless you wish)",
    )

    @field_validator("text", "credit_as")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = plain_text(value)
        if not cleaned:
            raise ValueError("must not be empty")
        return cleaned


class SuggestionUpdate(BaseModel):
    """An editor's decision on a suggestion."""

    model_config = ConfigDict(extra="forbid")
    decision: SuggestionDecision


class SuggestionPublic(BaseModel):
    """What editors see of one suggestion."""

    id: str
    type: SuggestionKind
    item_id: str
    item_kind: ContentKind
    language: str
    text: str = Field(description="Plain text, as the reader wrote it")
    html: str = Field(description="The text, escaped, with its paragraphs and line breaks")
    field: str | None
    credit: str | None = Field(description="The pseudonym the reader chose")
    status: str = Field(examples=["pending", "accepted", "rejected"])
    at: Timestamp


class CommentPublic(BaseModel):
    """What readers see under an item: an accepted tip or an approved feedback comment."""

    id: str
    type: str = Field(examples=["tip", "comment"])
    language: str
    text: str
    html: str
    credit: str | None
    at: Timestamp


class SaveWith(BaseModel):
    method: str = Field(examples=["PUT"])
    path: str
    if_match: str


class EditPublic(BaseModel):
    """What an accepted correction opens: the item's current source text and how to save the edit."""

    item_id: str
    kind: ContentKind
    version: int
    source_language: str
    content: Content
    save_with: SaveWith


class DecisionPublic(BaseModel):
    suggestion: SuggestionPublic
    edit: EditPublic | None = Field(default=None, description="Accepted corrections only")


# ---------------------------------------------------------------------------------------------- topics

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Labels = Annotated[dict[str, Label], Field(min_length=1, max_length=60, description="Label per language")]


class TopicCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: TopicId = Field(description="Permanent id items are tagged with, e.g. 'health-insurance'")
    parent: TopicId | None = Field(default=None, description="None: a top-level topic")
    labels: Labels


class TopicUpdate(BaseModel):
    """Send `labels` to rename (only the languages sent change), `parent` to move (null: to the top
    level), or both."""

    model_config = ConfigDict(extra="forbid")
    labels: Labels | None = None
    parent: TopicId | None = None


class TopicNodePublic(BaseModel):
    id: str
    label: str
    language: str = Field(description="The language of the label")
    fallback: bool
    children: list[TopicNodePublic]


class TopicTreePublic(BaseModel):
    """The tree nested for display, labelled in the reader's best language."""

    city: str
    revision: int
    language: str
    requested_language: str | None
    fallback: bool
    rtl: bool
    topics: list[TopicNodePublic]


class TopicTreeAdminPublic(BaseModel):
    """The tree as stored, with every label (its revision is also the ETag)."""

    city: str
    revision: int
    topics: list[Topic]
