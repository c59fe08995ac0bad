"""MongoDB access for events: every change is written with its event in one outbox transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, GEOSPHERE
from pymongo.asynchronous.database import AsyncDatabase
from witaj.events import schedule as sched
from witaj.events.documents import (
    CANCELLED,
    DRAFT,
    PUBLISHED,
    SOURCE,
    UNPUBLISHED,
    build_event,
    facts,
    overrides_of,
    path,
    schedule_of,
    titles,
    translations_of,
)
from witaj.events.history import TextHistory
from witaj.events.recent_listings import RecentListings
from witaj.events.schemas import OccurrenceChange, TranslationUpdate
from witaj.shared.coalesce import InFlight
from witaj.shared.envelope import EventData, wrap
from witaj.shared.errors import ApiError, Conflict, NotFound
from witaj.shared.events import (
    AgendaItemCancelled,
    AgendaItemPublished,
    AgendaItemUnpublished,
    AgendaItemUpdated,
)
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.topics import AGENDA_EVENTS
from witaj.shared.translations import ItemTranslations, TranslationState

# Called inside the cancelling transaction: cancels the registrations of an event or one occurrence.
RegistrationCanceller = Callable[[Session, Document, datetime | None], Awaitable[None]]
CapacityCheck = Callable[[Session, Document, int | None], Awaitable[None]]


class AgendaStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        outbox: Outbox,
        *,
        cancel_registrations: RegistrationCanceller | None = None,
        check_capacity: CapacityCheck | None = None,
        booked_occurrences: Callable[[Session, str], Awaitable[list[datetime]]] | None = None,
        listings: RecentListings | None = None,
    ) -> None:
        """The registration rules come from the registrations' store (`main.py` wires them); without
        them (the demo seeding, which books nobody) cancelling cancels no registration."""
        self.collection = db["events"]
        self._reading: InFlight[Document | None] = InFlight()
        self.outbox = outbox
        self.history = TextHistory(db)
        self.cancel_registrations = cancel_registrations
        self.check_capacity = check_capacity
        self.booked_occurrences = booked_occurrences
        self.listings = listings or RecentListings(0)
        """Recent listings' candidates, forgotten when this replica changes a city's agenda."""
        outbox.wakers.append(self.listings.committed)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("city", ASCENDING), ("status", ASCENDING), ("first_start", ASCENDING)], name="listing"
        )
        await self.collection.create_index([("status", ASCENDING), ("last_end", ASCENDING)], name="ended")
        # The version is explicit so a restart re-creates exactly the stored index (the default differs
        # between servers, and a mismatch fails start-up with IndexKeySpecsConflict).
        await self.collection.create_index(
            [("place.location", GEOSPHERE)], name="near", **{"2dsphereIndexVersion": 3}
        )
        await self.collection.create_index(
            [("city", ASCENDING), ("import.source", ASCENDING), ("import.uid", ASCENDING)],
            name="import_uid",
            unique=True,
            partialFilterExpression={"import.uid": {"$exists": True}},
        )
        await self.collection.create_index(
            [("city", ASCENDING), ("organisation", ASCENDING), ("updated_at", ASCENDING)], name="workbench"
        )
        await self.history.ensure_indexes()

    async def get(self, city: str, event_id: str, session: Session | None = None) -> Document:
        """The event; outside a transaction, reads of one event that overlap share one database read
        (a popular course's registrations arrive together)."""
        if session is None:
            doc = await self._reading.read((city, event_id), lambda: self._find(city, event_id, None))
        else:
            doc = await self._find(city, event_id, session)
        if doc is None:
            raise NotFound(f"The event '{event_id}' in '{city}'")
        return doc

    async def _find(self, city: str, event_id: str, session: Session | None) -> Document | None:
        return await self.collection.find_one({"_id": event_id, "city": city}, session=session)

    async def emit(self, session: Session, doc: Document, *events: EventData) -> None:
        """Stage the change's events; every change a listing can show passes here."""
        self.listings.changing(doc["city"])
        await self.outbox.add(
            session,
            AGENDA_EVENTS,
            *(wrap(e, source=SOURCE, city=doc["city"], subject=doc["_id"]) for e in events),
            key=doc["_id"].encode(),
        )

    build = staticmethod(build_event)

    async def insert(self, session: Session, doc: Document) -> None:
        await self.collection.insert_one(doc, session=session)
        await self.history.record(session, doc)
        if doc["status"] == PUBLISHED:
            await self.emit(session, doc, AgendaItemPublished(**facts(doc)))

    async def create(self, doc: Document) -> Document:
        async def work(session: Session) -> None:
            await self.insert(session, doc)

        await self.outbox.transaction(work)
        return doc

    @staticmethod
    def with_bounds(doc: Document) -> Document:
        """Recompute the series' first start and last end after its overrides were set."""
        bounds = sched.bounds(schedule_of(doc), overrides_of(doc))
        return {**doc, "first_start": bounds.first_start, "last_end": bounds.last_end}

    async def replace_in(
        self,
        session: Session,
        current: Document,
        new: Document,
        *,
        minor: bool,
        overrides: dict[str, Any] | None = None,
    ) -> Document:
        """Replace an event's content, keeping its identity, overrides, translations and import origin."""
        if current["status"] == CANCELLED:
            raise ApiError(409, "event_cancelled", "A cancelled event cannot be edited")
        if self.check_capacity is not None:
            await self.check_capacity(session, current, new.get("capacity"))
        translations = translations_of(current)
        if new["source_language"] != current["source_language"]:  # translations of other words: gone
            translations = ItemTranslations(
                source_language=new["source_language"], source_revision=translations.source_revision + 1
            )
        elif new["texts"] != current["texts"]:
            translations = translations.after_source_edit(minor=minor)
        overrides = (
            overrides
            if overrides is not None
            else {
                k: v
                for k, v in overrides_of(current).items()
                if sched.is_occurrence(schedule_of(new), datetime.fromisoformat(k))
            }
        )
        bounds = sched.bounds(schedule_of(new), overrides)
        important = new["schedule"] != current["schedule"] or new["place"] != current["place"]
        status = current["status"] if current["status"] != DRAFT else new["status"]
        updated = {
            **new,
            "_id": current["_id"],
            "created_at": current["created_at"],
            "revision": current["revision"] + 1,
            "translations": translations.model_dump(mode="json"),
            "overrides": overrides,
            "first_start": bounds.first_start,
            "last_end": bounds.last_end,
            "status": PUBLISHED if status == UNPUBLISHED and bounds.last_end is None else status,
        }
        if "import" in current:
            updated["import"] = current["import"]
        await self.collection.replace_one({"_id": current["_id"]}, updated, session=session)
        if translations.source_revision != translations_of(current).source_revision:
            await self.history.record(session, updated)
        if updated["status"] == PUBLISHED and current["status"] == DRAFT:
            await self.emit(session, updated, AgendaItemPublished(**facts(updated)))
        elif updated["status"] == PUBLISHED:
            await self.emit(session, updated, AgendaItemUpdated(**facts(updated), important=important))
        if important:
            await self._drop_vanished_occurrences(session, updated)
        return updated

    async def _drop_vanished_occurrences(self, session: Session, doc: Document) -> None:
        """A new schedule may no longer have an occurrence people registered for: cancel it for them."""
        if self.booked_occurrences is None or self.cancel_registrations is None:
            return
        schedule = schedule_of(doc)
        for occurrence in await self.booked_occurrences(session, doc["_id"]):
            if not sched.is_occurrence(schedule, occurrence):
                await self._announce_cancellation(session, doc, occurrence)
                await self.cancel_registrations(session, doc, occurrence)

    async def replace(
        self, city: str, event_id: str, new: Document, *, minor: bool, guard: Callable[[Document], None]
    ) -> Document:
        async def work(session: Session) -> Document:
            current = await self.get(city, event_id, session)
            guard(current)
            return await self.replace_in(session, current, new, minor=minor)

        return await self.outbox.transaction(work)

    async def translate(
        self,
        city: str,
        event_id: str,
        language: str,
        body: TranslationUpdate,
        *,
        by: str,
        guard: Callable[[Document], None],
    ) -> Document:
        async def work(session: Session) -> Document:
            doc = await self.get(city, event_id, session)
            guard(doc)
            expected = body.source_revision
            if expected is not None and expected != translations_of(doc).source_revision:
                raise Conflict(
                    "The event's text changed since you opened it; look at what changed and save again",
                    code="source_changed",
                    details={"source_revision": translations_of(doc).source_revision},
                )
            fields = body.texts.model_dump(exclude_defaults=True) if body.texts is not None else None
            if fields is not None:
                fields = {name: text for name, text in fields.items() if text.strip()}
            return await self.translate_in(session, doc, language, state=body.state, fields=fields, by=by)

        return await self.outbox.transaction(work)

    async def translate_in(
        self,
        session: Session,
        doc: Document,
        language: str,
        *,
        state: TranslationState,
        fields: dict[str, str] | None,
        by: str,
    ) -> Document:
        """Move one language of a stored event to `state` (with new text, if given), inside `session`."""
        translations = translations_of(doc).with_translation(language, state=state, fields=fields, by=by)
        doc = {**doc, "translations": translations.model_dump(mode="json"), "revision": doc["revision"] + 1}
        await self.collection.update_one(
            {"_id": doc["_id"]},
            {"$set": {"translations": doc["translations"], "revision": doc["revision"]}},
            session=session,
        )
        if doc["status"] == PUBLISHED:
            await self.emit(session, doc, AgendaItemUpdated(**facts(doc)))
        return doc

    async def change_occurrence(
        self,
        city: str,
        event_id: str,
        key: datetime,
        change: OccurrenceChange,
        *,
        guard: Callable[[Document], None],
    ) -> Document:
        async def work(session: Session) -> Document:
            doc = await self.get(city, event_id, session)
            guard(doc)
            if doc["status"] == CANCELLED:
                raise ApiError(409, "event_cancelled", "The event is cancelled")
            schedule = schedule_of(doc)
            if not sched.is_occurrence(schedule, key):
                raise NotFound(f"An occurrence starting at {sched.occurrence_key(key)}")
            tz = sched.zone(schedule.timezone or "UTC")
            entry: dict[str, Any] = {"cancelled": change.cancelled, "note": change.note}
            if title := overrides_of(doc).get(sched.occurrence_key(key), {}).get("title"):
                entry["title"] = title  # its own title, from an imported calendar
            if (change.start is None) != (change.end is None):
                raise sched.InvalidSchedule(
                    "move an occurrence by giving both its new start and end", reason="move_needs_both"
                )
            if change.start and change.end:
                start = change.start if change.start.tzinfo else sched.to_utc(change.start, tz)
                end = change.end if change.end.tzinfo else sched.to_utc(change.end, tz)
                if end <= start:
                    raise sched.InvalidSchedule("the end must be after the start", reason="end_before_start")
                entry |= {"start": start.astimezone(UTC), "end": end.astimezone(UTC)}
            name = sched.occurrence_key(key)
            was_cancelled = bool(overrides_of(doc).get(name, {}).get("cancelled"))
            doc["overrides"] = {**overrides_of(doc), name: entry}
            bounds = sched.bounds(schedule, doc["overrides"])
            doc["revision"] += 1
            await self.collection.update_one(
                {"_id": event_id},
                {
                    "$set": {
                        "overrides": doc["overrides"],
                        "revision": doc["revision"],
                        "first_start": bounds.first_start,
                        "last_end": bounds.last_end,
                    }
                },
                session=session,
            )
            if change.cancelled and not was_cancelled:
                occurrence = key.astimezone(UTC)
                await self._announce_cancellation(session, doc, occurrence)
                if self.cancel_registrations is not None:
                    await self.cancel_registrations(session, doc, occurrence)
            elif doc["status"] == PUBLISHED:
                await self.emit(session, doc, AgendaItemUpdated(**facts(doc), important=True))
            return doc

        return await self.outbox.transaction(work)

    async def cancel_in(self, session: Session, doc: Document) -> None:
        """Cancel the whole event; its registrants are told through RegistrationCancelled events."""
        if doc["status"] == CANCELLED:
            return
        await self.collection.update_one(
            {"_id": doc["_id"]}, {"$set": {"status": CANCELLED}, "$inc": {"revision": 1}}, session=session
        )
        await self._announce_cancellation(session, doc, None)
        if self.cancel_registrations is not None:
            await self.cancel_registrations(session, doc, None)

    async def _announce_cancellation(
        self, session: Session, doc: Document, occurrence: datetime | None
    ) -> None:
        """Tell subscribers of a cancelled event or occurrence, if they were ever told of the event: a
        draft (never published) or an event that has ended and left the listing goes quietly."""
        if doc["status"] != PUBLISHED:
            return
        cancelled = AgendaItemCancelled(
            event_id=doc["_id"], occurrence=occurrence, organisation=doc["organisation"],
            titles=titles(doc), path=path(doc["city"], doc["_id"]),
        )  # fmt: skip
        await self.emit(session, doc, cancelled)

    async def cancel(self, city: str, event_id: str, *, guard: Callable[[Document], None]) -> None:
        async def work(session: Session) -> None:
            doc = await self.get(city, event_id, session)
            guard(doc)
            await self.cancel_in(session, doc)

        await self.outbox.transaction(work)

    async def unpublish_ended(self, now: datetime, *, limit: int = 500) -> int:
        """Take events whose last occurrence is over out of the listing; the number unpublished."""
        ended = await self.collection.find(
            {"status": PUBLISHED, "last_end": {"$ne": None, "$lt": now}}, limit=limit
        ).to_list()
        for doc in ended:

            async def work(session: Session, doc: Document = doc) -> None:
                result = await self.collection.update_one(
                    {"_id": doc["_id"], "status": PUBLISHED},
                    {"$set": {"status": UNPUBLISHED}},
                    session=session,
                )
                if result.modified_count:
                    await self.emit(
                        session,
                        doc,
                        AgendaItemUnpublished(event_id=doc["_id"], organisation=doc["organisation"]),
                    )

            await self.outbox.transaction(work)
        return len(ended)
