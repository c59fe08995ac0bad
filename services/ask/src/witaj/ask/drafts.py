"""Machine drafts of what migrants write, in the city's language, for counsellors, where the city allows it.

A question sent to counsellors (and each reply) gets `drafts_due_at`; this worker claims due questions
with a lease, asks the deployment's LibreTranslate-compatible server (`witaj.shared.machine_translation`)
for every migrant message without a draft, and stores each draft beside its message, marked as machine
made. Only cities with the `machine_translation` feature send their questions to that server (it is a
third party: the city decides), and nothing is drafted for a message already in the city's language.
A failing server is retried with back-off a few times, then the question simply goes without a draft:
counsellors read its own language anyway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from witaj.ask.schemas import Author
from witaj.ask.settings import AskOptions
from witaj.ask.store import QuestionStore
from witaj.shared.cities import CityCatalog
from witaj.shared.events import Feature
from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger
from witaj.shared.machine_translation import MachineTranslator
from witaj.shared.worker import Worker

log = get_logger(__name__)
LEASE = timedelta(minutes=2)
POLL_SECONDS = 1.0


class DraftWorker(Worker):
    def __init__(
        self,
        store: QuestionStore,
        cities: CityCatalog,
        translator: MachineTranslator | None,
        options: AskOptions,
    ) -> None:
        super().__init__("ask-drafts", POLL_SECONDS)
        self.store = store
        self.cities = cities
        self.translator = translator
        self.options = options

    async def run_once(self) -> bool:
        """Draft one due question; False when none is due."""
        now = self.store.clock()
        doc = await self.store.questions.find_one_and_update(
            {"drafts_due_at": {"$lte": now}, "expires_at": {"$gt": now}},
            {"$set": {"drafts_due_at": now + LEASE}},
            return_document=ReturnDocument.BEFORE,
        )
        if doc is None:
            return False
        city = self.cities.get(doc["city"])
        wanted = self._wanted(doc, city.default_language if city else None)
        if self.translator is None or city is None or not city.has(Feature.MACHINE_TRANSLATION) or not wanted:
            await self._settle(doc, {"$unset": {"drafts_due_at": "", "draft_attempts": ""}})
            return True
        try:
            texts = await self.translator.translate(
                [m["text"] for m in wanted], source=doc["language"], target=city.default_language
            )
        except Exception as exc:  # the server failed or is away: try again later, a few times
            attempts = doc.get("draft_attempts", 0) + 1
            log.warning("ask.draft_failed", error=type(exc).__name__, attempts=attempts)
            if attempts >= self.options.draft_attempts:
                await self._settle(
                    doc, {"$unset": {"drafts_due_at": ""}, "$set": {"draft_attempts": attempts}}
                )
            else:
                later = now + timedelta(seconds=backoff_seconds(attempts, 1_000, 300_000))
                await self._settle(doc, {"$set": {"drafts_due_at": later, "draft_attempts": attempts}})
            return True
        drafts = {
            m["id"]: {"language": city.default_language, "text": t}
            for m, t in zip(wanted, texts, strict=True)
        }
        messages = [{**m, "draft": drafts[m["id"]]} if m["id"] in drafts else m for m in doc["messages"]]
        await self._settle(
            doc, {"$set": {"messages": messages}, "$unset": {"drafts_due_at": "", "draft_attempts": ""}}
        )
        return True

    @staticmethod
    def _wanted(doc: dict[str, Any], target: str | None) -> list[dict[str, Any]]:
        if target is None or doc["language"] == target:
            return []
        return [m for m in doc["messages"] if m["author"] == Author.MIGRANT.value and not m.get("draft")]

    async def _settle(self, doc: dict[str, Any], change: dict[str, Any]) -> None:
        """Store the outcome unless the question changed meanwhile (then it is due again anyway)."""
        change = {**change, "$inc": {"version": 1}}
        await self.store.questions.update_one({"_id": doc["_id"], "version": doc["version"]}, change)
