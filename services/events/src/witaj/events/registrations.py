"""Registrations: places counted atomically per occurrence (or series), a waitlist, promotion, erasure.

Each place-holder ("slot": one occurrence, or a whole course) has a counter document. A registration
takes a place with a conditional `$inc` on it in the same transaction that inserts the registration and
its outbox event, so two replicas can never overbook; the waitlist is ordered by the counter's sequence.
Cancelling a confirmed place promotes the first waitlisted person in that same transaction, guarded by
their status, so a promotion happens exactly once. Within one process, writes to the same slot queue
on a lock, and registrations that arrive while a transaction runs are committed together in the next
one (group commit): concurrent transactions on one counter would only be rejected as write conflicts
and retried, and one transaction per person caps a popular course at the database's commit rate.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.events import schedule as sched
from witaj.events.documents import PUBLISHED, overrides_of, schedule_of
from witaj.events.schemas import RegistrationCreate
from witaj.shared.coalesce import InFlight
from witaj.shared.envelope import EventData, wrap
from witaj.shared.errors import ApiError, Conflict, NotFound
from witaj.shared.events import (
    AttendanceRecorded,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
    RegistrationStatus,
)
from witaj.shared.mongo import Document, Session, drop_indexes, ensure_expiry
from witaj.shared.outbox import Outbox
from witaj.shared.subscriber_proof import prove
from witaj.shared.topics import AGENDA_REGISTRATIONS

SOURCE = "witaj/events"
CONFIRMED, WAITLISTED, CANCELLED = (s.value for s in RegistrationStatus)
OPEN_SERIES_RETENTION = timedelta(days=365)
BATCH = 100
TOKEN_TTL = timedelta(days=7)
"""How long a token asked for ahead waits to be used; once a registration holds it, it is known for good."""
"""Registrations for one slot that arrive together are committed together, at most this many at once."""


def new_token() -> str:
    """A registrant's token: made here only, never chosen by the client, so it is never guessable."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Whether `token` is the one `stored_hash` was made from, in constant time."""
    if token is None:
        return False
    return hmac.compare_digest(token_hash(token).encode(), stored_hash.encode())


def registrant_id(token: str) -> str:
    """Pseudonymous id derived from the person's secret token: stable across their registrations."""
    return hashlib.sha256(b"witaj-registrant:" + token.encode()).hexdigest()[:32]


def slot_key(event_id: str, occurrence: datetime | None) -> str:
    return f"{event_id}/{sched.occurrence_key(occurrence) if occurrence else 'series'}"


def waiting_in(slot: str) -> Document:
    """The query for a slot's waitlist, with its event first to use the `by_slot` index."""
    return {"event_id": slot.rsplit("/", 1)[0], "slot": slot, "status": WAITLISTED}


class RegistrationStore:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox, *, retention: timedelta) -> None:
        self.collection = db["registrations"]
        self.slots = db["slots"]
        self.events = db["events"]
        self.tokens = db["registration_tokens"]
        self.outbox = outbox
        self.retention = retention
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._queues: dict[str, list[tuple[Document, asyncio.Future[Document]]]] = {}
        self._flushers: dict[str, asyncio.Task[None]] = {}
        self._known_slots: set[str] = set()  # counters known to exist: no upsert per registration
        self._creating: InFlight[None] = InFlight()

    async def ensure_indexes(self) -> None:
        """Each index costs every registration a write (in the database used here, about as much as the
        document itself), so one index serves both an event's registrations and a slot's waitlist."""
        # By slot and by event: now "by_slot". "idempotency" was a partial index, which the development
        # database never uses: each registration with a key scanned every registration (now "by_key").
        await drop_indexes(self.collection, "waitlist", "by_event", "idempotency")
        await self.collection.create_index(
            [("event_id", ASCENDING), ("slot", ASCENDING), ("status", ASCENDING), ("seq", ASCENDING)],
            name="by_slot",
        )
        await self.collection.create_index([("token_hash", ASCENDING)], name="mine")
        await self.collection.create_index([("erase_after", ASCENDING)], name="retention")
        # Sparse: registrations sent without a key have no "idempotency" field and are not in it.
        await self.collection.create_index(
            [("idempotency", ASCENDING)], name="by_key", unique=True, sparse=True
        )
        await ensure_expiry(self.tokens, "created_at", TOKEN_TTL)

    def _lock(self, event_id: str) -> asyncio.Lock:
        """One registering transaction at a time per event in this replica.

        Per event, not per slot: every registering transaction writes its event's document (see
        `_still_open`), so two for different occurrences of one event conflicted, and the database
        made one start over; under load one in twenty ran twice or more (up to ~400 ms). Waiting here
        costs less, and a slot's queue meanwhile gathers into its next batch."""
        lock = self._locks.get(event_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[event_id] = lock
        return lock

    async def _emit(self, session: Session, reg: Document, event: EventData) -> None:
        envelope = wrap(event, source=SOURCE, city=reg["city"], subject=reg["event_id"])
        await self.outbox.add(session, AGENDA_REGISTRATIONS, envelope, key=reg["event_id"].encode())

    @staticmethod
    def _facts(reg: Document) -> dict[str, Any]:
        return {
            "registration_id": reg["_id"],
            "event_id": reg["event_id"],
            "occurrence": reg["occurrence"],
            "organisation": reg["organisation"],
            "registrant": reg["registrant"],
            "subscriber": reg.get("subscriber"),
            "subscriber_proof": reg.get("subscriber_proof"),
        }

    def _place_of(
        self, event: Document, body: RegistrationCreate, now: datetime
    ) -> tuple[datetime | None, datetime]:
        """The occurrence registered for (None for a series) and when its data may be erased."""
        rules = event["registration"]
        if event["status"] != PUBLISHED:
            raise Conflict("The event is not open for registration", code="event_not_open")
        opens, closes = rules.get("opens_at"), rules.get("closes_at")
        if (opens and now < opens) or (closes and now >= closes):
            raise Conflict("Registration for this event is closed", code="registration_closed")
        if rules["per"] == "series":
            if body.occurrence is not None:
                raise ApiError(
                    422, "series_registration", "This course takes registrations for the whole series"
                )
            ends = event.get("last_end")
            return None, (ends + self.retention) if ends else now + OPEN_SERIES_RETENTION
        if body.occurrence is None:
            raise ApiError(
                422, "occurrence_required", "Say which occurrence (its original start) to register for"
            )
        key = body.occurrence if body.occurrence.tzinfo else body.occurrence.replace(tzinfo=UTC)
        schedule = schedule_of(event)
        if not sched.is_occurrence(schedule, key):
            raise NotFound(f"An occurrence starting at {sched.occurrence_key(key)}")
        [occurrence] = [
            o for o in sched.expand(schedule, overrides_of(event), key - timedelta(days=40), key + timedelta(days=40), limit=500)
            if o.key == key.astimezone(UTC)
        ] or [None]  # fmt: skip
        if occurrence is None or occurrence.cancelled:
            raise Conflict("That occurrence is cancelled", code="occurrence_cancelled")
        if occurrence.start <= now:
            raise Conflict("That occurrence has already started", code="occurrence_started")
        return key.astimezone(UTC), occurrence.end + self.retention

    async def _ensure_slot(self, slot: str, event: Document, occurrence: datetime | None) -> None:
        """The slot's counter exists. Everyone registering in the first moments of a popular course
        arrives before the first upsert returns: they share that one write instead of each sending theirs."""
        if slot in self._known_slots:
            return
        await self._creating.read(slot, lambda: self._create_slot(slot, event, occurrence))
        if len(self._known_slots) > 100_000:
            self._known_slots.clear()
        self._known_slots.add(slot)

    async def _create_slot(self, slot: str, event: Document, occurrence: datetime | None) -> None:
        capacity = event.get("capacity")
        try:
            await self.slots.update_one(
                {"_id": slot},
                {"$setOnInsert": {"event_id": event["_id"], "occurrence": occurrence, "capacity": capacity,
                                  "remaining": capacity, "confirmed": 0, "seq": 0}},
                upsert=True,
            )  # fmt: skip
        except DuplicateKeyError:
            pass  # created by another replica at the same moment

    async def issue_token(self) -> str:
        """A token asked for before registering (so even the first registration can carry an
        Idempotency-Key); its hash is kept `TOKEN_TTL` for it to be used."""
        token = new_token()
        await self.tokens.insert_one({"_id": token_hash(token), "created_at": datetime.now(UTC)})
        return token

    async def known_token(self, token: str) -> bool:
        """Whether this service issued `token` (asked for ahead, or held by a registration): by its hash."""
        digest = token_hash(token)
        if await self.tokens.find_one({"_id": digest}, {"_id": 1}) is not None:
            return True
        return await self.collection.find_one({"token_hash": digest}, {"_id": 1}) is not None

    async def register(
        self,
        event: Document,
        body: RegistrationCreate,
        token: str,
        idempotency_key: str | None = None,
        subscriber_key: str | None = None,
    ) -> Document:
        """Register, or with an `idempotency_key` this token used before for this event, answer that
        registration again: a client that lost the answer can resend without booking a second place.
        `subscriber_key` is the key of the credential presented for `body.subscriber`, turned into the
        registration's proof (see `witaj.shared.subscriber_proof`)."""
        now = datetime.now(UTC)
        occurrence, erase_after = self._place_of(event, body, now)
        slot = slot_key(event["_id"], occurrence)
        await self._ensure_slot(slot, event, occurrence)
        reg_id = uuid.uuid4().hex
        proof = None
        if body.subscriber is not None and subscriber_key is not None:
            proof = prove(subscriber_key, body.subscriber, reg_id)
        reg: Document = {
            "_id": reg_id, "city": event["city"], "event_id": event["_id"], "organisation": event["organisation"],
            "slot": slot, "occurrence": occurrence, "registrant": registrant_id(token),
            "token_hash": token_hash(token), "contact": body.contact.model_dump(exclude_none=True),
            "subscriber": body.subscriber, "subscriber_proof": proof, "attended": None, "created_at": now,
            "erase_after": erase_after,
        }  # fmt: skip
        if idempotency_key is not None:
            # Scoped to the event: the same key sent for another event is another registration.
            reg["idempotency"] = f"{reg['token_hash']}:{event['_id']}:{idempotency_key}"

        loop = asyncio.get_running_loop()
        waiting: asyncio.Future[Document] = loop.create_future()
        self._queues.setdefault(slot, []).append((reg, waiting))
        if slot not in self._flushers:
            # Its own task, so a caller that goes away does not strand the others waiting in the queue.
            self._flushers[slot] = loop.create_task(self._flush(slot))
        return await asyncio.shield(waiting)

    async def _flush(self, slot: str) -> None:
        try:
            while self._queues.get(slot):
                batch, self._queues[slot] = self._queues[slot][:BATCH], self._queues[slot][BATCH:]
                await self._commit_batch(slot, batch)
        finally:
            del self._flushers[slot]
            self._queues.pop(slot, None)

    async def _commit_batch(self, slot: str, batch: list[tuple[Document, asyncio.Future[Document]]]) -> None:
        """Register everyone in `batch` in one transaction: places first come, first served, then waitlist."""

        async def work(session: Session) -> list[Document]:
            answers, fresh = await self._repeats(session, batch)
            if not fresh:
                return answers  # type: ignore[return-value]
            await self._still_open(session, batch[fresh[0]][0])
            counter = await self.slots.find_one({"_id": slot}, session=session)
            assert counter is not None
            free = len(fresh) if counter["capacity"] is None else min(len(fresh), counter["remaining"])
            change = {"confirmed": free, "seq": len(fresh)}
            if counter["capacity"] is not None:
                change["remaining"] = -free
            after = await self.slots.find_one_and_update(
                {"_id": slot}, {"$inc": change}, session=session, return_document=ReturnDocument.AFTER
            )
            if after is None or (after["remaining"] is not None and after["remaining"] < 0):
                raise RuntimeError("places were overbooked; the transaction is rolled back")
            docs = [
                {**batch[index][0], "status": CONFIRMED if i < free else WAITLISTED, "seq": counter["seq"] + i + 1}
                for i, index in enumerate(fresh)
            ]  # fmt: skip
            await self.collection.insert_many(docs, session=session)
            envelopes = [
                wrap(RegistrationCreated(**self._facts(d), status=RegistrationStatus(d["status"])),
                     source=SOURCE, city=d["city"], subject=d["event_id"])
                for d in docs
            ]  # fmt: skip
            await self.outbox.add(session, AGENDA_REGISTRATIONS, *envelopes, key=docs[0]["event_id"].encode())
            for index, doc in zip(fresh, docs, strict=True):
                answers[index] = doc
            by_key = {doc["idempotency"]: doc for doc in docs if "idempotency" in doc}
            return [answer or by_key[batch[i][0]["idempotency"]] for i, answer in enumerate(answers)]

        try:
            async with self._lock(batch[0][0]["event_id"]):
                docs = await self.outbox.transaction(work)
        except Exception as exc:
            for _, waiting in batch:
                waiting.set_exception(exc)
            return
        for doc, (_, waiting) in zip(docs, batch, strict=True):
            waiting.set_result(doc)

    async def _still_open(self, session: Session, reg: Document) -> None:
        """The event, read and written inside the registering transaction, still takes registrations.

        The route checked the event before, outside any transaction, and it may have been cancelled
        since. Reading it again here is not enough under snapshot isolation: a cancellation committing
        meanwhile would not see this registration, nor this transaction the cancellation. So the check
        is a write to the event document, which every cancellation, occurrence change and edit also
        writes: of two such transactions the database lets one commit and makes the other start over
        (and then see the first), so a registration is never confirmed on a cancelled event."""
        event = await self.events.find_one_and_update(
            {"_id": reg["event_id"]},
            {"$set": {"last_registration_at": reg["created_at"]}},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        if event is None or event["status"] != PUBLISHED:
            raise Conflict("The event is not open for registration", code="event_not_open")
        occurrence = reg["occurrence"]
        if occurrence is None:
            return
        if not sched.is_occurrence(schedule_of(event), occurrence) or overrides_of(event).get(
            sched.occurrence_key(occurrence), {}
        ).get("cancelled"):
            raise Conflict("That occurrence is cancelled", code="occurrence_cancelled")

    async def _repeats(
        self, session: Session, batch: list[tuple[Document, asyncio.Future[Document]]]
    ) -> tuple[list[Document | None], list[int]]:
        """Answers for requests repeating an earlier idempotency key (stored, or earlier in this batch),
        and the positions of the requests that are new."""
        keys = [reg["idempotency"] for reg, _ in batch if "idempotency" in reg]
        earlier: dict[str, Document] = {}
        if keys:
            found = self.collection.find({"idempotency": {"$in": keys}}, session=session)
            earlier = {doc["idempotency"]: doc async for doc in found}
        answers: list[Document | None] = [None] * len(batch)
        fresh: list[int] = []
        in_batch: set[str] = set()
        for index, (reg, _) in enumerate(batch):
            key = reg.get("idempotency")
            if key in earlier:
                answers[index] = earlier[key]
            elif key is None or key not in in_batch:
                fresh.append(index)
                if key is not None:
                    in_batch.add(key)
        return answers, fresh

    async def get(self, city: str, registration_id: str) -> Document:
        doc = await self.collection.find_one({"_id": registration_id, "city": city})
        if doc is None:
            raise NotFound(f"The registration '{registration_id}'")
        return doc

    async def mine(self, city: str, token: str) -> list[Document]:
        return await self.collection.find(
            {"city": city, "token_hash": token_hash(token)}, sort=[("created_at", ASCENDING)], limit=500
        ).to_list()

    async def cancel(self, reg: Document, *, by: str) -> None:
        """Cancel one registration; a freed place goes to the first person on the waitlist."""

        async def work(session: Session) -> None:
            current = await self.collection.find_one_and_update(
                {"_id": reg["_id"], "status": {"$ne": CANCELLED}},
                {"$set": {"status": CANCELLED, "cancelled_at": datetime.now(UTC)}},
                session=session,
            )
            if current is None:
                raise Conflict("The registration is already cancelled", code="already_cancelled")
            await self._emit(session, current, RegistrationCancelled(
                **self._facts(current), previous_status=RegistrationStatus(current["status"]), cancelled_by=by
            ))  # fmt: skip
            if current["status"] == CONFIRMED:
                await self._fill_places(session, current["slot"], 1)

        async with self._lock(reg["slot"]):
            await self.outbox.transaction(work)

    async def _fill_places(self, session: Session, slot: str, places: int) -> None:
        """Give up to `places` freed places to waitlisted people in order; return the rest to the slot."""
        for _ in range(places):
            promoted = await self.collection.find_one_and_update(
                waiting_in(slot),
                {"$set": {"status": CONFIRMED, "promoted_at": datetime.now(UTC)}},
                sort=[("seq", ASCENDING)], session=session, return_document=ReturnDocument.AFTER,
            )  # fmt: skip
            if promoted is None:
                # An event without a capacity counts no remaining places (null): only the confirmed.
                await self.slots.update_one({"_id": slot}, {"$inc": {"confirmed": -1}}, session=session)
                await self.slots.update_one(
                    {"_id": slot, "remaining": {"$ne": None}}, {"$inc": {"remaining": 1}}, session=session
                )
            else:
                await self._emit(session, promoted, RegistrationPromoted(**self._facts(promoted)))

    async def check_capacity(self, session: Session, event: Document, capacity: int | None) -> None:
        """Called when an event's capacity changes: refuse going below current bookings, fill new places."""
        slots = await self.slots.find({"event_id": event["_id"]}, session=session).to_list()
        if capacity is not None:
            over = [s for s in slots if s["confirmed"] > capacity]
            if over:
                raise Conflict(
                    f"{max(s['confirmed'] for s in over)} people already hold places; capacity cannot go below that",
                    code="capacity_below_registrations",
                )
        for slot in slots:
            if slot["capacity"] == capacity:
                continue
            remaining = None if capacity is None else capacity - slot["confirmed"]
            await self.slots.update_one(
                {"_id": slot["_id"]},
                {"$set": {"capacity": capacity, "remaining": remaining}},
                session=session,
            )
            waiting = await self.collection.count_documents(waiting_in(slot["_id"]), session=session)
            grow = waiting if capacity is None else min(waiting, remaining or 0)
            for _ in range(grow):
                await self._promote_into_new_place(session, slot["_id"], unlimited=capacity is None)

    async def _promote_into_new_place(self, session: Session, slot: str, *, unlimited: bool) -> None:
        promoted = await self.collection.find_one_and_update(
            waiting_in(slot), {"$set": {"status": CONFIRMED, "promoted_at": datetime.now(UTC)}},
            sort=[("seq", ASCENDING)], session=session, return_document=ReturnDocument.AFTER,
        )  # fmt: skip
        if promoted is not None:
            change = {"confirmed": 1} if unlimited else {"confirmed": 1, "remaining": -1}
            await self.slots.update_one({"_id": slot}, {"$inc": change}, session=session)
            await self._emit(session, promoted, RegistrationPromoted(**self._facts(promoted)))

    async def cancel_for_event(self, session: Session, event: Document, occurrence: datetime | None) -> None:
        """The event (or one occurrence) was cancelled: every registration for it ends, registrants are told."""
        query: dict[str, Any] = {"event_id": event["_id"], "status": {"$ne": CANCELLED}}
        if occurrence is not None:
            query["occurrence"] = occurrence
        affected = await self.collection.find(query, session=session).to_list()
        if not affected:
            return
        await self.collection.update_many(
            {"_id": {"$in": [r["_id"] for r in affected]}},
            {"$set": {"status": CANCELLED, "cancelled_at": datetime.now(UTC)}},
            session=session,
        )
        for reg in affected:
            await self._emit(session, reg, RegistrationCancelled(
                **self._facts(reg), previous_status=RegistrationStatus(reg["status"]), cancelled_by="event_cancelled"
            ))  # fmt: skip

    async def booked_occurrences(self, session: Session, event_id: str) -> list[datetime]:
        """Occurrences of an event that someone still holds or awaits a place for."""
        query = {"event_id": event_id, "status": {"$ne": CANCELLED}, "occurrence": {"$ne": None}}
        found = await self.collection.distinct("occurrence", query, session=session)
        return [o if o.tzinfo else o.replace(tzinfo=UTC) for o in found]

    async def record_attendance(self, reg: Document, attended: bool) -> Document:
        async def work(session: Session) -> Document:
            current = await self.collection.find_one_and_update(
                {"_id": reg["_id"], "status": CONFIRMED}, {"$set": {"attended": attended}},
                session=session, return_document=ReturnDocument.AFTER,
            )  # fmt: skip
            if current is None:
                raise Conflict("Only confirmed registrations have attendance", code="not_confirmed")
            await self._emit(session, current, AttendanceRecorded(**self._facts(current), attended=attended))
            return current

        return await self.outbox.transaction(work)

    async def erase_expired(self, now: datetime) -> int:
        """Erase contact data whose retention period is over; the pseudonymous record stays for counts."""
        result = await self.collection.update_many(
            {"erase_after": {"$lt": now}, "erased_at": None},
            {"$set": {"contact": None, "subscriber": None, "subscriber_proof": None, "erased_at": now}},
        )
        return result.modified_count

    async def full(self, event: Document, occurrences: list[datetime]) -> dict[datetime | None, bool]:
        """Which of an event's place-holders have no place left, by occurrence (None: a course registered
        for as a whole), so a reader knows before registering that they would join the waiting list.
        Only whether, never how many: places left, read again and again, would tell anyone how many
        people registered and when, which stats publishes only for a settled day and hides below its
        threshold; that an occurrence is full anyone can learn by trying to book. Empty for an event
        without a capacity."""
        if event.get("capacity") is None:
            return {}
        wanted: list[datetime | None] = (
            [None] if event["registration"]["per"] == "series" else list(occurrences)
        )
        keys = {slot_key(event["_id"], occurrence): occurrence for occurrence in wanted}
        taken = await self.slots.find(
            {"_id": {"$in": list(keys)}, "remaining": {"$lte": 0}}, projection=["_id"]
        ).to_list()
        return dict.fromkeys(wanted, False) | {keys[slot["_id"]]: True for slot in taken}
