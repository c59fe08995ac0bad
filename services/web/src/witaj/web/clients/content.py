"""The content API as the web app uses it: cities, topic trees, listings, items, glossary, search, feedback.

Answers are checked into small models (what the pages rely on is named here, the rest of an item's body
stays as the API sent it, per kind). The reader's language goes as `lang`; the API answers which language
it served and whether that is a fallback, which the pages show. Reads carry the reader's pseudonymous
session (usage statistics); public writes carry the reader's address, so the API's rate limit is per
reader and not per web app.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.shared.events import CityConfig
from witaj.web.clients.base import Answer, BackendClient, Params

KIND_PATHS = {
    "page": "pages",
    "process": "processes",
    "glossary_term": "glossary",
    "organisation": "organisations",
    "practice": "practices",
}
"""Each kind of content and the path segment the API (and the web app) reads it under."""
PAGE_SIZE = 100
MAX_GLOSSARY_PAGES = 20
MAX_DIRECTORY_PAGES = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TopicNode(_Model):
    id: str
    label: str
    language: str
    fallback: bool = False
    children: list[TopicNode] = Field(default_factory=list)

    def walk(self) -> Iterator[tuple[TopicNode, TopicNode | None]]:
        """Every node under (and with) this one, each with its parent."""
        yield self, None
        for child in self.children:
            for node, parent in child.walk():
                yield node, parent or self


class TopicTree(_Model):
    city: str
    language: str
    topics: list[TopicNode]

    def find(self, topic_id: str) -> tuple[TopicNode, TopicNode | None] | None:
        for top in self.topics:
            for node, parent in top.walk():
                if node.id == topic_id:
                    return node, parent
        return None


class Row(_Model):
    """One item in a listing or a search: enough to link to it (organisations add directory facts)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    id: str
    kind: str
    city: str
    title: str
    summary: str = ""
    language: str
    rtl: bool = False
    topics: list[str] = Field(default_factory=list)
    highlights: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def kind_path(self) -> str:
        return KIND_PATHS[self.kind]

    def fact(self, name: str) -> Any:
        return (self.model_extra or {}).get(name)


class Listing(_Model):
    items: list[Row]
    total: int
    limit: int
    offset: int
    next_offset: int | None = None


class Passage(_Model):
    """The sentence of an instant answer that matched the question, with the words to mark."""

    field: str
    language: str
    text: str
    spans: list[tuple[int, int]] = Field(default_factory=list)

    @property
    def highlight(self) -> dict[str, Any]:
        """As a search highlight, for the same marking (`markup.highlighted`)."""
        return {"snippet": self.text, "spans": self.spans}


class InstantAnswer(Row):
    passage: Passage | None = None


class InstantAnswers(_Model):
    language: str
    answers: list[InstantAnswer]


class Comment(_Model):
    """What a reader added under an item that others may read: an approved comment or an accepted tip."""

    id: str
    type: str
    language: str
    text: str
    credit: str | None = None
    at: str


class Comments(_Model):
    items: list[Comment]
    total: int


class Occurrence(_Model):
    field: str
    start: int
    end: int
    term_id: str


class Item(_Model):
    """One published item in the language the API chose for the reader."""

    id: str
    kind: str
    city: str
    revision: int
    updated_at: str
    language: str
    requested_language: str | None = None
    fallback: bool = False
    rtl: bool = False
    available_languages: list[str] = Field(default_factory=list)
    machine_translated: bool = False
    outdated: bool = False
    content: dict[str, Any]
    html: dict[str, str] = Field(default_factory=dict)
    glossary: list[Occurrence] = Field(default_factory=list)
    total_cost: dict[str, float] = Field(default_factory=dict)
    total_duration_days: int = 0

    @property
    def kind_path(self) -> str:
        return KIND_PATHS[self.kind]


class ContentClient(BackendClient):
    service = "content"

    async def cities(self, *, afresh: bool = False) -> Answer[list[CityConfig]]:
        """Every city; `afresh` asks the API even within `fresh_seconds` (a city created just now)."""
        fresh_for = 0 if afresh else self.settings.fresh_seconds
        answer = await self.get("/cities", fresh_for=fresh_for)
        return Answer([CityConfig.model_validate(c) for c in answer.data], answer.saved_at)

    async def topics(self, city: str, lang: str) -> Answer[TopicTree]:
        answer = await self.get(
            f"/cities/{city}/topics", {"lang": lang}, fresh_for=self.settings.fresh_seconds
        )
        return Answer(TopicTree.model_validate(answer.data), answer.saved_at)

    async def items(
        self,
        city: str,
        kind_path: str,
        lang: str,
        *,
        topic: str | None = None,
        ids: list[str] | None = None,
        limit: int = PAGE_SIZE,
        offset: int = 0,
        fresh_for: float = 0,
    ) -> Answer[Listing]:
        """One page of a listing; `fresh_for` reuses an answer that young (directory facts, say)."""
        params: Params = {"lang": lang, "limit": limit, "offset": offset}
        if topic is not None:
            params["topic"] = topic
        if ids is not None:
            params["id"] = ids
        answer = await self.get(f"/cities/{city}/{kind_path}", params, fresh_for=fresh_for)
        return Answer(Listing.model_validate(answer.data), answer.saved_at)

    async def item(
        self, city: str, kind_path: str, item_id: str, lang: str, *, session: str | None
    ) -> Answer[Item]:
        headers = {"X-Session-Id": session} if session else None
        answer = await self.get(f"/cities/{city}/{kind_path}/{item_id}", {"lang": lang}, headers=headers)
        return Answer(Item.model_validate(answer.data), answer.saved_at)

    async def every(
        self, city: str, kind_path: str, lang: str, *, max_pages: int, fresh_for: float = 0
    ) -> Answer[list[Row]]:
        """Every published item of one kind in the reader's language (by the API's fallbacks), page by
        page up to `max_pages` pages of PAGE_SIZE; a saved copy anywhere marks the whole."""
        rows: list[Row] = []
        saved_at = None
        offset: int | None = 0
        for _ in range(max_pages):
            params: Params = {"lang": lang, "limit": PAGE_SIZE, "offset": offset or 0}
            answer = await self.get(f"/cities/{city}/{kind_path}", params, fresh_for=fresh_for)
            page = Listing.model_validate(answer.data)
            saved_at = saved_at or answer.saved_at
            rows.extend(page.items)
            offset = page.next_offset
            if offset is None:
                break
        return Answer(rows, saved_at)

    async def glossary(self, city: str, lang: str) -> Answer[dict[str, Row]]:
        """Every published term of the city in the reader's language, by id."""
        answer = await self.every(
            city, "glossary", lang, max_pages=MAX_GLOSSARY_PAGES, fresh_for=self.settings.fresh_seconds
        )
        return Answer({row.id: row for row in answer.data}, answer.saved_at)

    async def directory(self, city: str, lang: str) -> Answer[list[Row]]:
        """Every published office and organisation of the city, with the facts a directory shows."""
        return await self.every(
            city, "organisations", lang, max_pages=MAX_DIRECTORY_PAGES, fresh_for=self.settings.fresh_seconds
        )

    async def search(
        self, city: str, lang: str, query: str, *, limit: int, offset: int, session: str | None
    ) -> Answer[Listing]:
        headers = {"X-Session-Id": session} if session else None
        params: Params = {"q": query, "lang": lang, "limit": limit, "offset": offset}
        answer = await self.get(f"/cities/{city}/search", params, headers=headers)
        return Answer(Listing.model_validate(answer.data), answer.saved_at)

    async def give_feedback(
        self,
        city: str,
        kind_path: str,
        item_id: str,
        *,
        language: str,
        helpful: bool | None,
        comment: str | None,
        reader: dict[str, str],
    ) -> None:
        payload = {"language": language, "helpful": helpful, "comment": comment}
        await self.post(f"/cities/{city}/{kind_path}/{item_id}/feedback", payload, headers=reader)

    async def answers(
        self, city: str, lang: str, question: str, *, topic: str | None, limit: int, session: str | None
    ) -> InstantAnswers:
        """Published content that answers a migrant's question. Asked afresh each time (the question is
        the reader's own words) and never kept."""
        params: Params = {"q": question, "lang": lang, "limit": limit}
        if topic:
            params["topic"] = topic
        headers = {"X-Session-Id": session} if session else None
        data = await self.call("GET", f"/cities/{city}/answers", params=params, headers=headers)
        return InstantAnswers.model_validate(data)

    async def comments(self, city: str, kind_path: str, item_id: str, *, limit: int) -> Answer[Comments]:
        """Approved comments and accepted tips under an item, newest first (every language)."""
        answer = await self.get(
            f"/cities/{city}/{kind_path}/{item_id}/comments",
            {"limit": limit},
            fresh_for=self.settings.fresh_seconds,
        )
        return Answer(Comments.model_validate(answer.data), answer.saved_at)

    async def suggest(
        self, city: str, kind_path: str, item_id: str, suggestion: dict[str, Any], *, reader: dict[str, str]
    ) -> None:
        """A correction or a tip for the item's editors (rate limited per reader by the content API)."""
        await self.post(f"/cities/{city}/{kind_path}/{item_id}/suggestions", suggestion, headers=reader)

    async def report_gap(
        self, city: str, *, language: str, query: str, comment: str | None, reader: dict[str, str]
    ) -> None:
        payload = {"language": language, "query": query, "comment": comment}
        await self.post(f"/cities/{city}/gaps", payload, headers=reader)
