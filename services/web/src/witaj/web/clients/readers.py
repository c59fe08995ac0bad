"""What readers add to the content, as its editors see it on the content API's workbench, and the
published content a counsellor may link in an answer.

Readers suggest a correction or add a tip to an item; its editors (the city's, or the owning
organisation's) accept or reject each one. Accepting a correction answers with the item to edit: the
change itself goes through the usual editing and translation workflow. The API decides whose suggestions
a person sees. Suggested content for an answer is the content API's instant-answer matching (the same
the migrant sees before asking a person), on the question's own words.
"""

from __future__ import annotations

from typing import Any

from witaj.web.clients.base import Params
from witaj.web.clients.workbench import WorkbenchClient

QUEUE_SIZE = 20
SUGGESTED = 5
"""Content items offered to link in an answer."""
QUESTION_CHARS = 500
"""How much of a question is matched (the content API reads no more either)."""


class SuggestionDesk:
    def __init__(self, client: WorkbenchClient) -> None:
        self.client = client

    def _base(self, city: str) -> str:
        return f"/cities/{city}/workbench/suggestions"

    async def queue(
        self, token: str, city: str, *, status: str = "pending", item_id: str | None = None, offset: int = 0
    ) -> dict[str, Any]:
        params: Params = {"status": status, "limit": QUEUE_SIZE, "offset": offset}
        if item_id:
            params["item_id"] = item_id
        data, _ = await self.client.send("GET", self._base(city), token=token, params=params)
        return dict(data)

    async def decide(self, token: str, city: str, suggestion_id: str, decision: str) -> dict[str, Any]:
        path = f"{self._base(city)}/{suggestion_id}/decision"
        data, _ = await self.client.send(
            "POST", path, token=token, json={"decision": decision}, timeout=self.client.write_timeout
        )
        return dict(data)


async def suggested_content(
    client: WorkbenchClient, token: str, city: str, text: str, *, language: str, topic: str | None
) -> list[dict[str, Any]]:
    """Published pages, procedures and glossary entries that answer the question (best first)."""
    params: Params = {"q": text[:QUESTION_CHARS], "lang": language, "limit": SUGGESTED}
    if topic:
        params["topic"] = topic
    data, _ = await client.send("GET", f"/cities/{city}/answers", token=token, params=params)
    return list(data.get("answers", []))
