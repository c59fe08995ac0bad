"""Turning a platform event into one message per matching subscriber and channel, exactly once.

The consumer (`witaj.notify.handlers`) only *records* a fan-out job (id = the event id, so a
redelivered event finds its job and adds nothing) and then lets Kafka commit; the worker does the
fan-out. A job walks its match streams (`witaj.notify.matching`) in `_id` order and, per batch: inserts
the deliveries unordered (the delivery key is the `_id`, so rows that already exist are refused one by
one and the rest go in) while it announces the inbox deliveries, and only when both are done records how
far it got. A process killed anywhere in between redoes at most that one batch, where the unique key
turns repeats into no-ops: no message is lost or doubled.

The job document is also the outbox of NotificationDelivered for inbox messages: the events of a batch
are published before its cursor moves, so a crash republishes them with the same event ids (derived
from the delivery key), which idempotent consumers drop. This avoids a second write per message.

A city's urgent notice (`witaj.notify.broadcasts`) is a job too, written with the broadcast in one
transaction rather than recorded from an event; it carries the editors' own texts and is `urgent`: its
e-mails and webhooks are due at once, past quiet hours and digests.

Throughput is bounded by the database, so the worker keeps it busy: the next batch of subscribers is
read while the current one is written, and the events are encoded and sent while the database stores.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.notify import digest
from witaj.notify.mailbox import Mailbox, as_message, delivery_key, insert_new, outcome
from witaj.notify.matching import PROJECTION, STREAM_ORDER, Criteria
from witaj.notify.send_times import Clock, due_at, utc_now
from witaj.notify.settings import NotifyOptions
from witaj.notify.stream import StreamHub
from witaj.notify.templates import RenderCache, WrittenTexts
from witaj.shared.envelope import Envelope, registry
from witaj.shared.events import AgendaItemPublished, AgendaItemUpdated, Feature, NotificationDelivered
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, ensure_expiry
from witaj.shared.runtime import Runtime
from witaj.shared.subscriber_proof import account_key, verify
from witaj.shared.topics import NOTIFY_DELIVERIES
from witaj.shared.worker import Worker

log = get_logger(__name__)
T = TypeVar("T")
FIELDS = {**PROJECTION, "email_confirmed": 1}
"""What a fan-out reads of each subscriber: the matching fields and whether its e-mail is confirmed."""


def proven(subscription: dict[str, Any], proof: dict[str, Any]) -> bool:
    """Whether a registration's or a question's proof shows that whoever named this subscription held
    its own credential (see `witaj.shared.subscriber_proof`): the device's token, or a sign-in of the
    owning account. Without it nobody could route messages into someone else's inbox by naming it."""
    owner = subscription.get("owner") or {}
    key = owner.get("token_hash") or (account_key(owner["subject"]) if owner.get("subject") else None)
    scope = "question" if "question" in proof else "registration"
    about = proof.get(scope)
    return bool(key and about) and verify(key, subscription["_id"], about, proof.get("value"), scope=scope)


FACTS_WAIT = timedelta(minutes=5)
FACTS_RETRY = timedelta(seconds=0.5)


async def read_ahead(source: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """Items of `source`, fetching the next one while the caller works on the current one."""
    pending: asyncio.Future[T] | None = asyncio.ensure_future(anext(source))
    try:
        while pending is not None:
            try:
                item = await pending
            except StopAsyncIteration:
                pending = None
                return
            pending = asyncio.ensure_future(anext(source))
            yield item
    finally:
        if pending is not None:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


def job_document(job_id: str, city: str | None, kind: str, job: dict[str, Any]) -> dict[str, Any]:
    """A new fan-out job, ready for the worker: `job` says whom it is for and what they are told."""
    now = datetime.now(UTC)
    return {
        "_id": job_id,
        "city": city,
        "kind": kind,
        "topics": job["criteria"]["topics"] if "criteria" in job else [],
        "stream": 0,
        "after": "",
        "state": "running",
        "delivered": 0,
        "created_at": now,
        "lease_until": now,
        **job,
    }


class Fanout(Worker):
    def __init__(
        self,
        runtime: Runtime,
        db: AsyncDatabase[Document],
        mailbox: Mailbox,
        hub: StreamHub,
        options: NotifyOptions,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__("notify-fanout", poll_seconds=1.0)
        self.runtime = runtime
        self.clock = clock  # message times; the jobs' own leases keep to the real time
        self.jobs = db["fanout_jobs"]
        self.facts = db["agenda_facts"]
        self.subscriptions = db["subscriptions"]
        self.mailbox = mailbox
        self.hub = hub
        self.options = options
        self.public_url = (runtime.settings.service.public_url or "").rstrip("/")
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.on_pending_channel: list[Any] = []  # wakers of the e-mail/webhook worker
        self.lease = timedelta(seconds=options.fanout_lease_seconds)

    async def ensure_indexes(self) -> None:
        await self.jobs.create_index("state", name="state")
        # A finished job (it names a city's topics and how many it reached) goes with its deliveries;
        # its id, the event's, keeps a redelivered event from fanning out again long before that.
        await ensure_expiry(self.jobs, "done_at", self.options.retention)

    def with_ancestors(self, city: str | None, topics: list[str]) -> list[str]:
        """Subscribers of a topic hear of everything in its subtopics too."""
        return self.runtime.cities.with_ancestors(city, topics) if city else list(topics)

    # ------------------------------------------------------------------------------------- jobs
    # What the consumed events call for is decided in `witaj.notify.handlers`; these record it.

    async def record(self, envelope: Envelope[Any], job: dict[str, Any]) -> None:
        """Record the job an event calls for; idempotent by the event id."""
        doc = job_document(str(envelope.id), envelope.city, envelope.type, job)
        try:
            await self.jobs.insert_one(doc)
        except DuplicateKeyError:
            return  # a redelivered event: its job exists and goes on (or is done)
        self.wake()

    async def knows_event(self, city: str, event_id: str) -> bool:
        """Whether an AgendaItemPublished of this event was read (its facts are kept)."""
        return await self.facts.find_one({"_id": f"{city}:{event_id}"}, {"_id": 1}) is not None

    async def remember_event(self, city: str, data: AgendaItemPublished | AgendaItemUpdated) -> None:
        """Keep what a later cancellation or registration message needs to know about the event."""
        facts = {
            "topics": data.topics,
            "target_groups": data.target_groups,
            "event_kind": data.event_kind,
            "titles": data.titles,
            "path": data.path,
            "revision": data.revision,
        }
        try:
            await self.facts.update_one(
                {"_id": f"{city}:{data.event_id}", "revision": {"$lte": data.revision}},
                {"$set": facts},
                upsert=True,
            )
        except DuplicateKeyError:
            pass  # we already hold a newer revision
        self.wake()  # a job may be waiting for these facts

    async def _with_facts(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """A cancellation or registration job completed from the event's facts, once, for good.

        Those facts come from another topic, which nothing orders against this one (a service catching
        up reads both backlogs interleaved), so a job waits for them a while before it goes on without.
        None while it waits. The completion is stored, so a resumed job walks the same streams.
        """
        if "facts" not in job or "criteria" in job:
            return job
        facts = await self.facts.find_one({"_id": job["facts"]})
        now = datetime.now(UTC)
        if facts is None and now < job["created_at"] + FACTS_WAIT:
            await self.jobs.update_one({"_id": job["_id"]}, {"$set": {"lease_until": now + FACTS_RETRY}})
            return None
        facts = facts or {}
        if job.get("target"):
            criteria = Criteria(job["city"])
            done = {"titles": facts.get("titles", {}), "path": facts.get("path")}
        else:
            topics = self.with_ancestors(job["city"], facts.get("topics", []))
            criteria = Criteria(job["city"], topics, facts.get("target_groups", []), facts.get("event_kind"))
            done = {"titles": job.get("titles") or facts.get("titles", {})}
        done.update(criteria=criteria.as_document(), topics=criteria.topics)
        await self.jobs.update_one({"_id": job["_id"]}, {"$set": done})
        return {**job, **done}

    # ------------------------------------------------------------------------------------- work

    async def claim(self) -> dict[str, Any] | None:
        now = datetime.now(UTC)
        return await self.jobs.find_one_and_update(
            {"state": "running", "lease_until": {"$lte": now}},
            {"$set": {"lease_until": now + self.lease, "owner": self.owner}},
            return_document=ReturnDocument.AFTER,
        )

    async def run_once(self) -> bool:
        """Process one claimable job; False when there was none."""
        job = await self.claim()
        if job is None:
            return False
        await self.process(job)
        return True

    async def process(self, job: dict[str, Any]) -> None:
        completed = await self._with_facts(job)
        if completed is None:
            return
        job = completed
        city = self.runtime.cities.get(job["city"])
        if city is None:  # its configuration has not arrived yet; a city listener wakes us
            await self.jobs.update_one(
                {"_id": job["_id"]}, {"$set": {"lease_until": datetime.now(UTC) + self.lease}}
            )
            return
        switched_off = [
            f for f in (Feature.NOTIFICATIONS, job.get("feature")) if f and not city.has(Feature(f))
        ]
        if switched_off:  # the city has no notifications, or not of this: its subscribers hear nothing
            await self._done(job, skipped=f"feature_off:{switched_off[0]}")
            return
        when = job.get("when")
        if when:
            when = datetime.fromisoformat(when).astimezone(ZoneInfo(city.timezone)).strftime("%Y-%m-%d %H:%M")
        link = f"{self.public_url}{job['path']}" if job.get("path") else None
        cache: RenderCache | WrittenTexts
        if job.get("texts"):  # a broadcast: the editors' own words (witaj.notify.broadcasts)
            cache = WrittenTexts(city, job["texts"])
        else:
            cache = RenderCache(job["kind"], city, job.get("titles") or {}, link=link, when=when)
        batches = read_ahead(self._batches(job))
        try:
            async for subscribers, stream, after in batches:
                await self._flush(job, subscribers, cache, stream=stream, after=after)
        finally:
            await batches.aclose()
        await self._done(job)

    async def _done(self, job: dict[str, Any], **why: str) -> None:
        await self.jobs.update_one(
            {"_id": job["_id"]}, {"$set": {"state": "done", "done_at": datetime.now(UTC), **why}}
        )
        log.info("fanout.done", job=job["_id"], kind=job["kind"], city=job["city"], **why)

    async def _batches(
        self, job: dict[str, Any]
    ) -> AsyncGenerator[tuple[list[dict[str, Any]], int, str], None]:
        """The job's subscribers in batches, each with the cursor to record once it is delivered."""
        if job.get("target"):
            found = await self.subscriptions.find_one(
                {"_id": job["target"], "city": job["city"], "active": True}, {**FIELDS, "owner": 1}
            )
            if found is not None and not proven(found, job.get("proof") or {}):
                log.warning("fanout.unproven_subscriber", job=job["_id"], city=job["city"])
                found = None
            yield [found] if found else [], 1, ""
            return
        criteria = Criteria.from_document(job["criteria"])
        size = self.options.fanout_batch_size
        streams = criteria.streams()
        for index in range(job["stream"], len(streams)):
            query: dict[str, Any] = {"match_keys": streams[index]}
            if index == job["stream"] and job["after"]:
                query["_id"] = {"$gt": job["after"]}
            batch: list[dict[str, Any]] = []
            async for sub in self.subscriptions.find(query, FIELDS, sort=STREAM_ORDER, batch_size=size):
                if criteria.first_stream_of(sub) == index and criteria.wants(sub):
                    batch.append(sub)
                if len(batch) >= size:
                    yield batch, index, sub["_id"]
                    batch = []
            yield batch, index + 1, ""

    async def _announce(self, inbox: list[dict[str, Any]]) -> None:
        if inbox:
            await self.runtime.publisher.send_many(
                (
                    NOTIFY_DELIVERIES,
                    registry.encode(outcome(d, NotificationDelivered)),
                    d["subscriber"].encode(),
                )
                for d in inbox
            )

    async def _flush(
        self,
        job: dict[str, Any],
        subscribers: list[dict[str, Any]],
        cache: RenderCache | WrittenTexts,
        *,
        stream: int,
        after: str,
    ) -> None:
        now = self.clock()
        docs = []
        digests = []
        for sub in subscribers:
            rendered = cache.get(sub["language"], sub.get("fallbacks") or [])
            for channel in sub["channels"]:
                if channel == "email" and not sub.get("email_confirmed"):
                    continue  # double opt-in: nothing goes to an address before it is confirmed
                doc = {
                    "_id": delivery_key(job["_id"], sub["_id"], channel),
                    "subscriber": sub["_id"],
                    "city": job["city"],
                    "channel": channel,
                    "source_event": job["_id"],
                    "source_type": job["kind"],
                    "topics": job["topics"],
                    "language": rendered.language,
                    "rtl": rendered.rtl,
                    "title": rendered.title,
                    "body": rendered.body,
                    "link": rendered.link,
                    "created_at": now,
                }
                if channel == "inbox":
                    doc.update(status="delivered", read_at=None)
                elif job.get("urgent"):  # past quiet hours and digests: see witaj.notify.broadcasts
                    doc.update(status="pending", attempts=0, due_at=now, mode="urgent")
                elif sub.get("mode") == "digest":
                    digests.append(digest.hold(doc, sub, now))
                else:
                    doc.update(status="pending", attempts=0, due_at=due_at(now, sub), mode=sub.get("mode"))
                docs.append(doc)
        inbox = [doc for doc in docs if doc["channel"] == "inbox"]
        # The database stores while this process encodes and the broker takes the events; both must be
        # done before the cursor moves, so their order between themselves does not matter.
        inserted, _ = await asyncio.gather(insert_new(self.mailbox.collection, docs), self._announce(inbox))
        # After the items, and for all of them even on a redone batch (see witaj.notify.digest).
        await digest.schedule(self.mailbox.collection, digests)
        for doc in inserted:
            if doc["channel"] == "inbox" and self.hub.listening(doc["subscriber"]):
                self.hub.publish(doc["subscriber"], as_message(doc))
        await self.jobs.update_one(
            {"_id": job["_id"]},
            {
                "$set": {"stream": stream, "after": after, "lease_until": datetime.now(UTC) + self.lease},
                "$inc": {"delivered": len(inserted)},
            },
        )
        if any(doc["channel"] != "inbox" for doc in inserted):
            for wake in self.on_pending_channel:
                wake()
