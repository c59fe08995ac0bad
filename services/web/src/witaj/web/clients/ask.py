"""The ask API as the migrant pages use it: instant answers, asking a counsellor, the question's thread.

A question belongs to nobody with an account: the ask service hands out a private token once, when the
question is asked, and every later call about it (reading the thread, answering a counsellor's question
back, closing, erasing) carries it in `X-Question-Token`. Nothing here is kept in memory or shared
between readers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.web.clients.base import BackendClient
from witaj.web.clients.notify import TOKEN_HEADER as SUBSCRIBER_TOKEN_HEADER

QUESTION_TOKEN_HEADER = "X-Question-Token"  # noqa: S105 - a header name, not a secret
LIVE_STATES = ("open", "awaiting_migrant", "answered")
"""States in which the migrant may still reply or close the question."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ThreadMessage(_Model):
    id: str
    author: str
    """'migrant' or 'counsellor'."""
    kind: str
    """'question', 'reply', 'answer' or 'ask_back'."""
    language: str
    text: str
    links: list[dict[str, str]] = Field(default_factory=list)
    organisation: str | None = None
    at: datetime

    def item_links(self) -> list[tuple[str, str]]:
        """The content a counsellor pointed to, as (path segment, item id) of this app's pages."""
        found = []
        for link in self.links:
            parts = link.get("path", "").strip("/").split("/")
            if len(parts) == 4 and parts[0] == "cities":
                found.append((parts[2], parts[3]))
        return found


class Question(_Model):
    """The migrant's view of their question and its thread."""

    id: str
    city: str
    state: str
    topic: str | None = None
    language: str
    faq_consent: bool = False
    notices: bool = False
    resolution: str | None = None
    messages: list[ThreadMessage]
    created_at: datetime
    expires_at: datetime
    token: str | None = None
    """Only in the answer to asking: the key to everything else, kept in the reader's browser."""

    @property
    def text(self) -> str:
        """What the migrant asked (the thread's first message)."""
        return self.messages[0].text if self.messages else ""

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


class AskClient(BackendClient):
    """Every change carries the reader's address (`reader`, see `Reader.identity_headers`): the ask
    service limits changes per caller, and every reader would otherwise share the web app's limit."""

    service = "ask"

    @staticmethod
    def _own(token: str, reader: dict[str, str] | None = None) -> dict[str, str]:
        return {**(reader or {}), QUESTION_TOKEN_HEADER: token}

    def _path(self, city: str, question_id: str, *rest: str) -> str:
        return "/".join([f"/cities/{city}/questions/{question_id}", *rest])

    async def ask(
        self, city: str, *, text: str, language: str, topic: str | None, reader: dict[str, str]
    ) -> Question:
        """A new question at the instant-answer stage (rate limited per reader by the ask service)."""
        payload: dict[str, Any] = {"text": text, "language": language, "topic": topic}
        data = await self.call("POST", f"/cities/{city}/questions", payload=payload, headers=reader)
        return Question.model_validate(data)

    async def question(self, city: str, question_id: str, token: str) -> Question:
        data = await self.call("GET", self._path(city, question_id), headers=self._own(token))
        return Question.model_validate(data)

    async def change(
        self,
        city: str,
        question_id: str,
        token: str,
        changes: dict[str, Any],
        *,
        subscriber_token: str | None = None,
        reader: dict[str, str],
    ) -> Question:
        """Consent to an FAQ entry, and notices to a subscription (proven with its own token)."""
        headers = self._own(token, reader)
        if subscriber_token:
            headers[SUBSCRIBER_TOKEN_HEADER] = subscriber_token
        data = await self.call("PATCH", self._path(city, question_id), payload=changes, headers=headers)
        return Question.model_validate(data)

    async def send(self, city: str, question_id: str, token: str, *, reader: dict[str, str]) -> Question:
        """To the city's counsellors: the instant answers did not answer it."""
        data = await self.call(
            "POST", self._path(city, question_id, "send"), headers=self._own(token, reader)
        )
        return Question.model_validate(data)

    async def reply(
        self, city: str, question_id: str, token: str, text: str, *, reader: dict[str, str]
    ) -> Question:
        data = await self.call(
            "POST",
            self._path(city, question_id, "replies"),
            payload={"text": text},
            headers=self._own(token, reader),
        )
        return Question.model_validate(data)

    async def close(
        self, city: str, question_id: str, token: str, *, answered: bool, reader: dict[str, str]
    ) -> Question | None:
        """'This answered my question' (or 'I no longer need an answer'); None when the service erased
        it at once (answered by the instant answers, or withdrawn before anyone read it)."""
        data = await self.call(
            "POST",
            self._path(city, question_id, "close"),
            payload={"answered": answered},
            headers=self._own(token, reader),
        )
        return None if data is None else Question.model_validate(data)

    async def erase(self, city: str, question_id: str, token: str, *, reader: dict[str, str]) -> None:
        await self.call("DELETE", self._path(city, question_id), headers=self._own(token, reader))
