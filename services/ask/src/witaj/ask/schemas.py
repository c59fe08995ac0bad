"""HTTP models of the ask API, with every limit explicit. What people write is cleaned to plain text."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from witaj.shared.events import ContentKind, Resolution
from witaj.shared.events.cities import TOPIC_ID
from witaj.shared.languages import is_known
from witaj.shared.text import plain_text

MAX_TEXT = 4_000
"""A question, an answer or a reply: enough for a few paragraphs."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
TopicId = Annotated[str, StringConstraints(pattern=TOPIC_ID)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
SubscriberId = Annotated[str, StringConstraints(pattern=r"^s[0-9a-f]{32}$")]


class State(StrEnum):
    INSTANT = "instant"
    """Asked; the migrant reads the instant answers and has not sent it to a person."""
    OPEN = "open"
    """Waiting for a counsellor."""
    AWAITING_MIGRANT = "awaiting_migrant"
    """A counsellor asked back; waiting for the migrant's reply."""
    ANSWERED = "answered"
    CLOSED = "closed"


class Author(StrEnum):
    MIGRANT = "migrant"
    COUNSELLOR = "counsellor"


class MessageKind(StrEnum):
    QUESTION = "question"
    REPLY = "reply"
    ANSWER = "answer"
    ASK_BACK = "ask_back"


def _language(value: str) -> str:
    if not is_known(value):
        raise ValueError(f"'{value}' is not a language code Witaj knows (use e.g. 'uk', 'ar', 'pl')")
    return value


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Plain text (markup is kept as text)")

    @field_validator("text")
    @classmethod
    def _plain(cls, value: str) -> str:
        cleaned = plain_text(value)
        if not cleaned:
            raise ValueError("must not be empty")
        return cleaned


class QuestionCreate(_Text):
    language: LanguageCode = Field(description="The language the question is written in")
    topic: TopicId | None = Field(
        default=None, description="A topic of the city's tree, if the migrant chose one"
    )
    subscriber: SubscriberId | None = Field(
        default=None,
        description="Your notify subscription, to be told there (and by e-mail, if you confirmed one) when "
        "a counsellor writes; send its X-Subscriber-Token (or sign in as its account) to prove it is yours",
    )
    faq_consent: bool = Field(
        default=False,
        description="You agree that your question and its answer, with anything that names you removed, "
        "may be published for others as a frequently asked question",
    )

    @field_validator("language")
    @classmethod
    def _known(cls, value: str) -> str:
        return _language(value)


class QuestionUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")
    subscriber: SubscriberId | None = Field(
        default=None, description="As when asking; null stops the notices"
    )
    faq_consent: bool | None = None


class ReplyCreate(_Text):
    pass


class Close(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answered: bool = Field(
        description="true: 'this answered my question' (an instant answer or a counsellor's); "
        "false: you no longer need an answer"
    )


class Link(BaseModel):
    """Published content a counsellor points to in an answer (see content's instant answers)."""

    model_config = ConfigDict(extra="forbid")
    kind: ContentKind
    item_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class CounsellorMessageKind(StrEnum):
    ANSWER = "answer"
    ASK_BACK = "ask_back"


class CounsellorMessageCreate(_Text):
    kind: CounsellorMessageKind = Field(description="An answer, or a question back to the migrant")
    language: LanguageCode | None = Field(default=None, description="Default: the question's language")
    links: list[Link] = Field(default_factory=list, max_length=10)

    @field_validator("language")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return None if value is None else _language(value)


class HandOver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation: Slug = Field(description="An organisation of the city with counsellors for this question")


class CounsellorClose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str | None, StringConstraints(max_length=200)] = Field(
        default=None, description="Why, for colleagues (not shown to the migrant)"
    )


class ReportReason(StrEnum):
    ABUSE = "abuse"
    SPAM = "spam"
    THREAT = "threat"
    OTHER = "other"


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: ReportReason


class ProfileUpdate(BaseModel):
    """What a counsellor answers: topics (none: every topic) and the languages they read."""

    model_config = ConfigDict(extra="forbid")
    topics: list[TopicId] = Field(default_factory=list, max_length=50)
    languages: list[LanguageCode] = Field(min_length=1, max_length=20)

    @field_validator("languages")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        return sorted({_language(code) for code in value})

    @field_validator("topics")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class ProfilePublic(ProfileUpdate):
    model_config = ConfigDict(extra="ignore")
    city: str
    organisation: str | None
    updated_at: datetime


class Draft(BaseModel):
    language: str
    text: str
    machine_translated: bool = True


class MessagePublic(BaseModel):
    id: str
    author: Author
    kind: MessageKind
    language: str
    text: str
    html: str = Field(description="The text escaped for HTML, line breaks as <br>")
    links: list[dict[str, str]] = Field(default_factory=list, description="kind, item_id and the API path")
    organisation: str | None = Field(default=None, description="The counsellor's organisation")
    at: datetime


class QuestionPublic(BaseModel):
    """The migrant's view of their thread."""

    id: str
    city: str
    state: State
    topic: str | None
    language: str
    faq_consent: bool
    notices: bool = Field(description="A notify subscription is told when a counsellor writes")
    resolution: Resolution | None = None
    messages: list[MessagePublic]
    created_at: datetime
    expires_at: datetime = Field(description="When it is erased, unless you erase it earlier")


class QuestionCreated(QuestionPublic):
    token: str = Field(description="Send as X-Question-Token to read and change this question; shown once")


class Claim(BaseModel):
    by_me: bool
    organisation: str | None
    until: datetime


class CounsellorMessagePublic(MessagePublic):
    draft: Draft | None = Field(default=None, description="Machine translation into the city's language")


class QuestionForCounsellor(BaseModel):
    id: str
    city: str
    state: State
    topic: str | None
    language: str
    organisation: str | None = Field(description="Handed over to this organisation; null: any")
    claim: Claim | None
    faq_consent: bool
    answered_by: list[str]
    messages: list[CounsellorMessagePublic]
    asked_at: datetime | None
    first_answer_at: datetime | None


class OrganisationPublic(BaseModel):
    organisation: str
    counsellors: int
    languages: list[str]


class FaqDraftPublic(BaseModel):
    """An anonymised question and answer, shaped as the body of a content page draft."""

    question_id: str
    source_language: str
    content: dict[str, object] = Field(
        description="POST to the content service as {'content': ...} at /cities/{city}/workbench/pages"
    )
    removed: list[str] = Field(description="What was taken out, by kind (e-mail, phone, link, number)")
    faq_item: str | None = Field(description="The content item made from it already, if any")


class FaqDraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")] = Field(
        description="The content draft made from this question"
    )
