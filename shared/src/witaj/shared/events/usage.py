"""Usage events: fire-and-forget signals of what readers look at and look for.

They carry a pseudonymous session id only: never an account, address or free text tied to a person.
Search queries are normalised and truncated by the producer; stats only reveals a query once enough
distinct sessions have asked it.
"""

from __future__ import annotations

from pydantic import Field
from witaj.shared.envelope import EventData, event_type
from witaj.shared.events.content import ContentKind

MAX_QUERY_CHARS = 100


@event_type("usage.page_viewed")
class PageViewed(EventData):
    kind: ContentKind
    item_id: str
    language: str = Field(description="Language served")
    requested_language: str | None = None
    fallback: bool = False
    topics: list[str] = Field(default_factory=list)
    organisation: str | None = None
    session: str | None = Field(default=None, description="Pseudonymous session id")


@event_type("usage.search_performed")
class SearchPerformed(EventData):
    query: str = Field(max_length=MAX_QUERY_CHARS, description="Normalised query text")
    language: str
    result_count: int = Field(ge=0)
    kinds: list[ContentKind] = Field(default_factory=list)
    session: str | None = None

    @property
    def zero_results(self) -> bool:
        return self.result_count == 0


@event_type("usage.event_viewed")
class AgendaItemViewed(EventData):
    event_id: str
    language: str
    requested_language: str | None = None
    fallback: bool = False
    event_kind: str | None = None
    organisation: str | None = None
    topics: list[str] = Field(default_factory=list)
    session: str | None = None


@event_type("usage.instant_answers_shown")
class InstantAnswersShown(EventData):
    """A migrant's question was matched against published content before it went to a person.

    Counts only: the question itself is personal and never leaves the request that carried it.
    """

    language: str
    topic: str | None = None
    result_count: int = Field(ge=0)
    session: str | None = None
