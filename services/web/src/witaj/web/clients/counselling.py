"""The ask API as counsellors and editors use it from the back office.

A counsellor's profile (topics and languages they answer), the queue of open questions they may answer,
claiming, answering, asking back, handing over and closing, reporting abuse, and FAQ entries from
questions whose askers consented. Every call carries the signed-in person's access token; the ask service
decides what they may see (a question outside their city, topics, languages or organisation is a 404).
"""

from __future__ import annotations

from typing import Any

from witaj.web.clients.base import Params
from witaj.web.clients.workbench import StaffClient

QUEUE_SIZE = 20


class CounsellingClient(StaffClient):
    service = "ask"

    def _base(self, city: str) -> str:
        return f"/cities/{city}/counselling"

    async def _get(self, token: str, path: str, params: Params | None = None) -> Any:
        data, _ = await self.send("GET", path, token=token, params=params)
        return data

    async def profile(self, token: str, city: str) -> dict[str, Any]:
        return dict(await self._get(token, f"{self._base(city)}/profile"))

    async def save_profile(
        self, token: str, city: str, *, topics: list[str], languages: list[str]
    ) -> dict[str, Any]:
        payload = {"topics": topics, "languages": languages}
        data, _ = await self._write("PUT", f"{self._base(city)}/profile", token, payload)
        return dict(data)

    async def queue(
        self, token: str, city: str, *, state: str = "open", mine: bool = False, offset: int = 0
    ) -> dict[str, Any]:
        params: Params = {"state": state, "limit": QUEUE_SIZE, "offset": offset}
        if mine:
            params["mine"] = "true"
        return dict(await self._get(token, f"{self._base(city)}/queue", params))

    async def organisations(self, token: str, city: str, language: str) -> list[dict[str, Any]]:
        path = f"{self._base(city)}/organisations"
        return list(await self._get(token, path, {"language": language}))

    async def question(self, token: str, city: str, question_id: str) -> dict[str, Any]:
        return dict(await self._get(token, f"{self._base(city)}/questions/{question_id}"))

    async def act(
        self,
        token: str,
        city: str,
        question_id: str,
        action: str,
        payload: Any = None,
        *,
        method: str = "POST",
    ) -> dict[str, Any]:
        """One step on a question: `claim` (DELETE gives it up), `messages`, `hand-over`, `close`, `report`."""
        path = f"{self._base(city)}/questions/{question_id}/{action}"
        data, _ = await self._write(method, path, token, payload)
        return dict(data)

    async def faq_candidates(self, token: str, city: str, *, offset: int = 0) -> dict[str, Any]:
        params: Params = {"limit": QUEUE_SIZE, "offset": offset}
        return dict(await self._get(token, f"{self._base(city)}/faq", params))

    async def faq_draft(self, token: str, city: str, question_id: str) -> dict[str, Any]:
        return dict(await self._get(token, f"{self._base(city)}/questions/{question_id}/faq"))

    async def faq_record(self, token: str, city: str, question_id: str, item_id: str) -> dict[str, Any]:
        path = f"{self._base(city)}/questions/{question_id}/faq"
        data, _ = await self._write("POST", path, token, {"item_id": item_id})
        return dict(data)
