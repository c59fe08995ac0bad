"""Questions and counsellors' profiles in MongoDB; every change and its events commit in one transaction.

A question is one document holding its whole thread (bounded by `max_messages`), so a change is one
guarded replace. A step is a function of `witaj.ask.rules` applied inside the transaction to the
question as stored, with its events staged in the outbox in the same transaction: two counsellors
answering at once conflict there and one of them is retried on the other's result.

Retention: `expires_at` says when a question goes. The sweep erases what is due (announcing an open
thread as closed by expiry, through the outbox), reads never return a question past it, and a TTL index
a day later is the database's own backstop should no sweep run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from witaj.ask import rules
from witaj.ask.rules import Events, Question
from witaj.shared.errors import NotFound
from witaj.shared.mongo import Document, Session, ensure_expiry
from witaj.shared.outbox import Outbox
from witaj.shared.topics import ASK_QUESTIONS
from witaj.shared.worker import Worker

Clock = Callable[[], datetime]
Step = Callable[[Question], tuple[Question | None, Events]]
TTL_GRACE = timedelta(days=1)
"""The database deletes a question this long after `expires_at`, should the sweep not have run."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class QuestionStore:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox, clock: Clock = utc_now) -> None:
        self.questions = db["questions"]
        self.profiles = db["counsellors"]
        self.outbox = outbox
        self.clock = clock

    async def ensure_indexes(self) -> None:
        await self.questions.create_index(
            [("city", ASCENDING), ("state", ASCENDING), ("asked_at", ASCENDING)], name="queue"
        )
        await self.questions.create_index("drafts_due_at", name="drafts_due", sparse=True)
        await self.questions.create_index("expires_at", name="expiry")
        await ensure_expiry(self.questions, "expires_at", TTL_GRACE, name="retention_backstop")
        await self.profiles.create_index([("city", ASCENDING), ("organisation", ASCENDING)], name="by_city")

    # ------------------------------------------------------------------------------------------ reads

    def _live(self, query: dict[str, Any]) -> dict[str, Any]:
        return {**query, "expires_at": {"$gt": self.clock()}}

    async def get(self, city: str, question_id: str, session: Session | None = None) -> Question | None:
        if len(question_id) > 64:
            return None
        return await self.questions.find_one(self._live({"_id": question_id, "city": city}), session=session)

    async def require(self, city: str, question_id: str) -> Question:
        found = await self.get(city, question_id)
        if found is None:
            raise NotFound("The question")
        return found

    async def find(
        self, query: dict[str, Any], *, sort: list[tuple[str, int]], limit: int, skip: int = 0
    ) -> list[Question]:
        return await self.questions.find(self._live(query), sort=sort, skip=skip, limit=limit).to_list()

    async def count(self, query: dict[str, Any]) -> int:
        return await self.questions.count_documents(self._live(query))

    # ------------------------------------------------------------------------------------------ writes

    async def insert(self, doc: Question) -> None:
        await self.questions.insert_one(doc)

    async def change(self, city: str, question_id: str, step: Step) -> Question | None:
        """Apply one step of the rules to the question as stored, with its events, in one transaction.
        The result (None once the step erased it)."""

        async def work(session: Session) -> Question | None:
            current = await self.get(city, question_id, session)
            if current is None:
                raise NotFound("The question")
            changed, events = step(current)
            if changed is None:
                await self.questions.delete_one({"_id": question_id}, session=session)
            else:
                changed = {**changed, "version": current["version"] + 1}
                await self.questions.replace_one(
                    {"_id": question_id, "version": current["version"]}, changed, session=session
                )
            await self._announce(session, events)
            return changed

        return await self.outbox.transaction(work)

    async def _announce(self, session: Session, events: Events) -> None:
        for envelope in events:
            await self.outbox.add(session, ASK_QUESTIONS, envelope, key=envelope.subject.encode())

    # ------------------------------------------------------------------------------------------ retention

    async def sweep(self) -> int:
        """Erase the questions whose time is up; an open thread is announced as closed by expiry."""
        erased = 0
        due = {"expires_at": {"$lte": self.clock()}}
        async for doc in self.questions.find(due, {"_id": 1, "city": 1}, limit=1_000):

            async def work(session: Session, doc: Document = doc) -> bool:
                current = await self.questions.find_one({"_id": doc["_id"], **due}, session=session)
                if current is None:
                    return False
                await self.questions.delete_one({"_id": current["_id"]}, session=session)
                await self._announce(session, rules.expire(current))
                return True

            erased += bool(await self.outbox.transaction(work))
        return erased

    # ------------------------------------------------------------------------------------------ profiles

    async def profile(self, city: str, subject: str) -> Document | None:
        return await self.profiles.find_one({"_id": f"{city}:{subject}"})

    async def save_profile(
        self, city: str, subject: str, organisation: str | None, prefs: dict[str, Any]
    ) -> Document:
        doc = {
            "_id": f"{city}:{subject}",
            "city": city,
            "subject": subject,
            "organisation": organisation,
            **prefs,
            "updated_at": self.clock(),
        }
        await self.profiles.replace_one({"_id": doc["_id"]}, doc, upsert=True)
        return doc

    async def organisations(self, city: str, language: str | None) -> list[Document]:
        """Organisations of the city with counsellors, with how many and which languages they read."""
        match: dict[str, Any] = {"city": city, "organisation": {"$ne": None}}
        if language:
            match["languages"] = language
        found: dict[str, dict[str, Any]] = {}
        async for doc in self.profiles.find(match):
            entry = found.setdefault(doc["organisation"], {"counsellors": 0, "languages": set()})
            entry["counsellors"] += 1
            entry["languages"].update(doc["languages"])
        return [
            {"organisation": org, "counsellors": e["counsellors"], "languages": sorted(e["languages"])}
            for org, e in sorted(found.items())
        ]


class Housekeeping(Worker):
    """Runs the retention sweep every `seconds` (in every replica: a sweep is idempotent)."""

    def __init__(self, store: QuestionStore, seconds: float) -> None:
        super().__init__("ask-sweep", seconds)
        self.store = store

    async def run_once(self) -> bool:
        await self.store.sweep()
        return False
