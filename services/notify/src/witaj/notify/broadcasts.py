"""Urgent notices a city's editors send to the subscribers of topics or target groups (broadcasts).

A broadcast is the editors' own text in some of the city's languages; each subscriber gets it in their
language, else by their fallbacks and the city's chain, else in the city's default language (which every
broadcast must have; `templates.WrittenTexts`). It travels the way every other message does: a fan-out
job (`witaj.notify.fanout`) finds the subscribers through the match index, stores their inbox messages
(which reach open live streams at once) and queues their e-mails and webhooks for the delivery worker.

Exactly once. The broadcast's id is made from the city and the sender's `Idempotency-Key`, and the
broadcast, its fan-out job (under the same id) and its BroadcastSent event are written in one
transaction. Sending again with the same key finds the broadcast and writes nothing; a crash before the
commit leaves nothing, after it the job is in the database and the worker of any replica takes it up;
the deliveries' keys (job id, subscriber, channel) keep a resumed job from storing a message twice.

Urgent. A broadcast's e-mails and webhooks go out at once, past the subscriber's quiet hours and their
daily digest (`witaj.notify.send_times`, `witaj.notify.digest`). Quiet hours and digests are there so the
steady flow of new pages and events does not disturb anyone; a broadcast is what does not wait: an office
closed tomorrow, a changed deadline, a place moved. Held until the quiet hours end or the next digest
hour (up to a day later) it would often arrive after the moment it is about. Only the city's PA editors
and admins send them, and a city sends at most `notify.broadcasts_per_day`. The in-app inbox never
waits anyway.

How many. The preview counts the subscribers each language's text would reach, by the same streams and
rules as the fan-out, grouped in the database: counts only, never who. The counts are the staff's to
see (how many read Ukrainian decides whether to write in Ukrainian); they say nothing about any person,
since a subscription is a random id with a language and some topics.

Kept. The record of each broadcast (texts, audience, who sent it as the identity provider's
pseudonymous subject, never shown or published) is deleted `notify.retention_days` after it was sent,
with its messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.notify.fanout import Fanout, job_document
from witaj.notify.matching import Criteria
from witaj.notify.schemas import (
    BroadcastCreate,
    BroadcastPreview,
    BroadcastPublic,
    BroadcastState,
    LanguageReach,
)
from witaj.notify.settings import NotifyOptions
from witaj.notify.templates import WrittenTexts, best_language
from witaj.shared.cities import CityCatalog
from witaj.shared.envelope import wrap
from witaj.shared.errors import ApiError, Conflict, NotFound
from witaj.shared.events import BroadcastSent, CityConfig
from witaj.shared.mongo import Document, Session, ensure_expiry
from witaj.shared.outbox import Outbox
from witaj.shared.topics import NOTIFY_DELIVERIES
from witaj.shared.web import Page, PageParams

SOURCE = "witaj/notify"
KIND = "notify.broadcast"
"""The `source_type` of a broadcast's messages (inbox, e-mail and webhook payloads, outcome events)."""
NEWEST_FIRST = [("city", 1), ("created_at", DESCENDING), ("_id", 1)]
STORED = ("city", "topics", "target_groups", "texts", "subscribers", "languages", "created_at")
"""What a broadcast's record holds that its public form shows as it is."""


def broadcast_id(city: str, key: str) -> str:
    """The same for the same city and Idempotency-Key, whoever sends it, and nothing else."""
    return "b" + hashlib.sha256(f"{city}\n{key}".encode()).hexdigest()[:31]


def fingerprint(request: BroadcastCreate) -> str:
    """What a repeated request must equal to be the same broadcast."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Audience:
    """Who a broadcast is for, as the fan-out's match criteria.

    Topics reach their subscribers, those of a topic above them and those of every topic, as a page on
    those topics would. Target groups alone reach their subscribers (and those of no group in particular)
    whatever topics they chose: every topic of the city's tree is then a stream to read.
    """

    def __init__(self, cities: CityCatalog, city: str, topics: list[str], groups: list[str]) -> None:
        self.topics = cities.with_ancestors(city, topics)
        streams = self.topics if topics else sorted(cities.topics(city) or ())
        self.criteria = Criteria(city, streams, groups)

    def query(self, index: int) -> dict[str, Any]:
        """The subscribers the fan-out takes from stream `index`, as a database filter: those in the
        stream who are in no earlier one (`Criteria.first_stream_of`) and whom the criteria want."""
        earlier = sorted(set(self.criteria.topics))[:index]
        query: dict[str, Any] = {"match_keys": self.criteria.streams()[index]}
        if earlier:
            query["topics"] = {"$nin": earlier}
        if self.criteria.target_groups:
            query["$or"] = [
                {"target_groups": {"$in": self.criteria.target_groups}},
                {"target_groups": {"$size": 0}},
                {"target_groups": {"$exists": False}},
            ]
        return query


class BroadcastStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        outbox: Outbox,
        cities: CityCatalog,
        fanout: Fanout,
        options: NotifyOptions,
    ) -> None:
        self.collection = db["broadcasts"]
        self.subscriptions = db["subscriptions"]
        self.outbox = outbox
        self.cities = cities
        self.fanout = fanout
        self.options = options

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(NEWEST_FIRST, name="by_city")
        await ensure_expiry(self.collection, "created_at", self.options.retention)

    # -------------------------------------------------------------------------------- checking

    def check(self, city: CityConfig, request: BroadcastCreate) -> None:
        """What the schema cannot judge: the city's topics and languages, and that someone is meant."""
        if not request.topics and not request.target_groups:
            raise ApiError(
                422,
                "audience_required",
                "Choose who gets the notice: the subscribers of one or more topics, of one or more "
                "target groups, or both",
                [{"field": "body.topics", "problem": "no one chosen", "type": "audience_required"}],
            )
        self.cities.check_topics(city.id, request.topics)
        unknown = [code for code in request.texts if code not in city.languages]
        if unknown:
            raise ApiError(
                422,
                "unknown_language",
                f"{', '.join(unknown)}: not a language {city.name} offers",
                [
                    {"field": f"body.texts.{code}", "problem": "not offered", "type": "unknown_language"}
                    for code in unknown
                ],
            )
        if city.default_language not in request.texts:
            raise ApiError(
                422,
                "default_language_required",
                f"Write the notice in {city.default_language} too, {city.name}'s default language: "
                "subscribers whose language has no text get that one",
                [{"field": f"body.texts.{city.default_language}", "problem": "required", "type": "missing"}],
            )

    # ------------------------------------------------------------------------------- counting

    async def preview(self, city: CityConfig, request: BroadcastCreate) -> BroadcastPreview:
        audience = Audience(self.cities, city.id, request.topics, request.target_groups)
        written = {code: text.model_dump() for code, text in request.texts.items()}
        reach = await self._reach(city, audience, set(written))
        texts = WrittenTexts(city, written)
        order = [city.default_language, *(c for c in city.languages if c != city.default_language)]
        languages = []
        for code in sorted(written, key=order.index):
            rendered = texts.written(code)
            got = reach.get(code, Counter())
            languages.append(
                LanguageReach(
                    language=code, rtl=rendered.rtl, title=rendered.title, body=rendered.body,
                    subscribers=got.total(), instead_of={k: n for k, n in sorted(got.items()) if k != code},
                )
            )  # fmt: skip
        return BroadcastPreview(
            city=city.id,
            topics=request.topics,
            target_groups=request.target_groups,
            subscribers=sum(row.subscribers for row in languages),
            languages=languages,
        )

    async def _reach(
        self, city: CityConfig, audience: Audience, written: set[str]
    ) -> dict[str, Counter[str]]:
        """Per language of the texts, the subscribers who would get it, by the language they read."""
        reach: dict[str, Counter[str]] = {}
        group = {"_id": {"language": "$language", "fallbacks": "$fallbacks"}, "n": {"$sum": 1}}
        for index in range(len(audience.criteria.streams())):
            pipeline = [{"$match": audience.query(index)}, {"$group": group}]
            async for row in await self.subscriptions.aggregate(pipeline):
                language = row["_id"].get("language") or city.default_language
                fallbacks = row["_id"].get("fallbacks") or []
                chosen = best_language(city, language, fallbacks, written) or city.default_language
                reach.setdefault(chosen, Counter())[language] += row["n"]
        return reach

    # -------------------------------------------------------------------------------- sending

    async def send(
        self, city: CityConfig, request: BroadcastCreate, key: str, sender: str
    ) -> tuple[BroadcastPublic, bool]:
        """The broadcast for this key, sent now or earlier; whether it is new."""
        identifier = broadcast_id(city.id, key)
        stamp = fingerprint(request)
        earlier = await self.collection.find_one({"_id": identifier})
        if earlier is not None:
            return await self._same(earlier, stamp), False
        await self._within_quota(city)
        preview = await self.preview(city, request)
        audience = Audience(self.cities, city.id, request.topics, request.target_groups)
        now = datetime.now(UTC)
        doc = {
            "_id": identifier,
            "city": city.id,
            "topics": request.topics,
            "target_groups": request.target_groups,
            "texts": {code: text.model_dump() for code, text in request.texts.items()},
            "fingerprint": stamp,
            "subscribers": preview.subscribers,
            "languages": {row.language: row.subscribers for row in preview.languages},
            "sent_by": sender,
            "created_at": now,
        }
        job = job_document(
            identifier,
            city.id,
            KIND,
            {
                "criteria": audience.criteria.as_document(),
                "topics": audience.topics,
                "texts": doc["texts"],
                "urgent": True,
            },
        )
        event = wrap(
            BroadcastSent(
                broadcast_id=identifier, topics=request.topics, target_groups=request.target_groups,
                languages=sorted(request.texts), audience=preview.subscribers,
            ),
            source=SOURCE, city=city.id, subject=identifier,
        )  # fmt: skip

        async def work(session: Session) -> None:
            await self.collection.insert_one(doc, session=session)
            await self.fanout.jobs.insert_one(job, session=session)
            await self.outbox.add(session, NOTIFY_DELIVERIES, event, key=identifier.encode())

        try:
            await self.outbox.transaction(work)
        except DuplicateKeyError:  # the same key sent twice at once: the other request made it
            earlier = await self.collection.find_one({"_id": identifier})
            if earlier is None:
                raise
            return await self._same(earlier, stamp), False
        self.fanout.wake()
        return self._public(doc, job), True

    async def _same(self, earlier: dict[str, Any], stamp: str) -> BroadcastPublic:
        if earlier["fingerprint"] != stamp:
            raise Conflict(
                "This Idempotency-Key was used for another broadcast; use a new key for a new notice",
                code="idempotency_key_reused",
            )
        return (await self._with_progress([earlier]))[0]

    async def _within_quota(self, city: CityConfig) -> None:
        since = datetime.now(UTC) - timedelta(days=1)
        sent = await self.collection.count_documents({"city": city.id, "created_at": {"$gt": since}})
        if sent >= self.options.broadcasts_per_day:
            raise ApiError(
                429,
                "too_many_broadcasts",
                f"{city.name} has sent {sent} urgent notices in the last 24 hours, the most it may",
                {"limit": self.options.broadcasts_per_day},
                headers={"Retry-After": "3600"},
            )

    # -------------------------------------------------------------------------------- reading

    async def page(self, city: str, page: PageParams) -> Page[BroadcastPublic]:
        query = {"city": city}
        found = self.collection.find(query, sort=NEWEST_FIRST[1:], skip=page.offset, limit=page.limit)
        total = await self.collection.count_documents(query)
        return Page.of(await self._with_progress(await found.to_list()), total, page)

    async def get(self, city: str, identifier: str) -> BroadcastPublic:
        doc = (
            await self.collection.find_one({"_id": identifier, "city": city})
            if len(identifier) <= 64
            else None
        )
        if doc is None:
            raise NotFound("The broadcast")
        return (await self._with_progress([doc]))[0]

    async def _with_progress(self, docs: list[dict[str, Any]]) -> list[BroadcastPublic]:
        """Each broadcast with how far its fan-out job got (the job keeps the count as it goes)."""
        fields = {"state": 1, "delivered": 1, "skipped": 1}  # point reads: `$in` scans in development
        jobs = await asyncio.gather(*(self.fanout.jobs.find_one({"_id": doc["_id"]}, fields) for doc in docs))
        return [self._public(doc, job) for doc, job in zip(docs, jobs, strict=True)]

    @staticmethod
    def _public(doc: dict[str, Any], job: dict[str, Any] | None) -> BroadcastPublic:
        state = BroadcastState.SENDING
        if job is None or job.get("state") == "done":  # a job gone with its retention was done long ago
            state = BroadcastState.NOT_SENT if job and job.get("skipped") else BroadcastState.SENT
        stored = {name: doc[name] for name in STORED}
        return BroadcastPublic(id=doc["_id"], state=state, messages=(job or {}).get("delivered", 0), **stored)
