"""Readers' feedback as editors see it on the content API's workbench: how helpful each item was in each
language, and the comments waiting for a decision (approve or reject). The API decides whose feedback a
person sees: the whole city's for its editors, their organisation's items' for an NGO editor."""

from __future__ import annotations

from typing import Any

from witaj.web.clients.workbench import WorkbenchClient

QUEUE_SIZE = 20


class FeedbackDesk:
    def __init__(self, client: WorkbenchClient) -> None:
        self.client = client

    def _base(self, city: str) -> str:
        return f"/cities/{city}/workbench/feedback"

    async def scores(self, token: str, city: str) -> list[dict[str, Any]]:
        data, _ = await self.client.send("GET", self._base(city), token=token)
        return list(data)

    async def queue(self, token: str, city: str, *, offset: int = 0) -> dict[str, Any]:
        params: dict[str, str | int | list[str]] = {"limit": QUEUE_SIZE, "offset": offset}
        data, _ = await self.client.send("GET", f"{self._base(city)}/moderation", token=token, params=params)
        return dict(data)

    async def decide(self, token: str, city: str, feedback_id: str, decision: str) -> None:
        await self.client.send(
            "POST", f"{self._base(city)}/moderation/{feedback_id}", token=token, json={"decision": decision},
            timeout=self.client.write_timeout,
        )  # fmt: skip
