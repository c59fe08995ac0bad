"""Events the content service publishes about its items, their translations and reader feedback."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from witaj.shared.envelope import EventData, event_type


class ContentKind(StrEnum):
    PAGE = "page"
    PROCESS = "process"
    GLOSSARY_TERM = "glossary_term"
    ORGANISATION = "organisation"
    PRACTICE = "practice"


KIND_PATHS: dict[ContentKind, str] = {
    ContentKind.PAGE: "pages",
    ContentKind.PROCESS: "processes",
    ContentKind.GLOSSARY_TERM: "glossary",
    ContentKind.ORGANISATION: "organisations",
    ContentKind.PRACTICE: "practices",
}
"""Each kind's place in the content API (`/cities/{city}/<path>/<item id>`), for links from elsewhere."""


class UserType(StrEnum):
    """The target groups content is written for: one known list, so tags and filters agree everywhere."""

    REFUGEE = "refugee"
    TEMPORARY_PROTECTION = "temporary_protection"
    ASYLUM_SEEKER = "asylum_seeker"
    WORKER = "worker"
    STUDENT = "student"
    FAMILY_REUNIFICATION = "family_reunification"
    EU_CITIZEN = "eu_citizen"


class _ItemFacts(EventData):
    """What subscribers and stats need to know about an item, without its full text."""

    kind: ContentKind
    item_id: str
    revision: int = Field(ge=1, description="Source revision the event describes")
    organisation: str | None = None
    topics: list[str] = Field(default_factory=list)
    user_types: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list, description="Languages published for this revision")
    titles: dict[str, str] = Field(default_factory=dict, description="Published title per language")
    path: str = Field(description="API path of the public item, for links in notifications")


@event_type("content.published")
class ContentPublished(_ItemFacts):
    """An item became visible to readers (first publication or re-publication after archiving)."""


@event_type("content.updated")
class ContentUpdated(_ItemFacts):
    """A published item changed; `important` asks the notify service to tell subscribers."""

    important: bool = False
    minor: bool = Field(default=False, description="Editor marked the change as not needing re-translation")


@event_type("content.unpublished")
class ContentUnpublished(EventData):
    """An item is no longer visible to readers (archived, withdrawn or deleted)."""

    kind: ContentKind
    item_id: str
    revision: int = Field(ge=1)


@event_type("content.translation_state_changed")
class TranslationStateChanged(EventData):
    """One language of one item moved in the translation workflow."""

    kind: ContentKind
    item_id: str
    language: str
    state: str
    previous_state: str | None = None
    source_revision: int = Field(ge=0)
    outdated: bool = False
    machine_translated: bool = False


@event_type("content.feedback_submitted")
class FeedbackSubmitted(EventData):
    """A reader said whether an item helped; the comment text itself never leaves the service."""

    kind: ContentKind
    item_id: str
    language: str
    helpful: bool | None = None
    has_comment: bool = False
    session: str | None = Field(default=None, description="Pseudonymous session id")
