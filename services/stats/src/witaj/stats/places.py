"""People per occurrence: what registration events change, and where it is counted.

Counts of people are published only per occurrence day (`witaj.stats.releases`, why:
`witaj.stats.privacy`), so besides its rollups every registration event is counted against its
occurrence, or its whole course, in the `people` collection, in the same transaction as its rollups.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from witaj.shared.events import (
    AttendanceRecorded,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
    RegistrationStatus,
)
from witaj.shared.mongo import Document, Session
from witaj.stats.windows import Granularity, window_start

REGISTRATIONS = (RegistrationCreated, RegistrationPromoted, RegistrationCancelled, AttendanceRecorded)


def flows(data: Any) -> dict[str, int]:
    """How a registration event changes the counts of people of its occurrence. Confirmed and
    waitlisted places are stocks (what a promotion or a cancellation moves), the others tallies, so
    registrations = confirmed + waitlisted + cancellations for every occurrence."""
    if isinstance(data, RegistrationCreated):
        return {"registrations": 1, data.status.value: 1}
    if isinstance(data, RegistrationPromoted):
        return {"confirmed": 1, "waitlisted": -1}
    if isinstance(data, RegistrationCancelled):
        if data.previous_status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
            return {"cancellations": 1, data.previous_status.value: -1}
        return {}
    if isinstance(data, AttendanceRecorded):
        return {"attended" if data.attended else "no_shows": 1}
    return {}


class Place(NamedTuple):
    """A registration event's change to one occurrence (or whole course: `occurrence` None)."""

    city: str
    event: str
    organisation: str
    occurrence: datetime | None
    time: datetime
    flows: dict[str, int]


def place_id(city: str, event: str, occurrence: datetime | None) -> str:
    """Id of the counts of people of one occurrence (or of a whole course, registered as one)."""
    return f"{city}|{event}|{_utc(occurrence).isoformat() if occurrence else 'series'}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> datetime:
    return window_start(moment, Granularity.DAY)


async def write(
    people: AsyncCollection[Document],
    agenda: AsyncCollection[Document],
    places: list[Place],
    session: Session,
) -> None:
    """Count people per occurrence. Each occurrence belongs to one day, fixed when it is first
    counted: the day it takes place, or for a whole course the day it starts (or the day of its first
    registration, if later or unknown). Its counts are published only in that day's release."""
    if not places:
        return
    courses = sorted({f"{p.city}|{p.event}" for p in places if p.occurrence is None})
    starts: dict[str, datetime] = {}
    if courses:
        query = {"_id": {"$in": courses}, "start": {"$ne": None}}
        starts = {d["_id"]: d["start"] async for d in agenda.find(query, session=session)}
    merged: dict[str, tuple[dict[str, Any], dict[str, int]]] = {}
    for p in places:
        key = place_id(p.city, p.event, p.occurrence)
        if p.occurrence is not None:
            day = _day(p.occurrence)
        else:
            start = starts.get(f"{p.city}|{p.event}")
            day = max(_day(start), _day(p.time)) if start else _day(p.time)
        base, counts = merged.setdefault(key, ({"city": p.city, "event": p.event, "day": day}, {}))
        base["day"] = min(base["day"], day)
        base.setdefault("organisation", p.organisation)
        base.setdefault("occurrence", _utc(p.occurrence) if p.occurrence else None)
        for metric, amount in p.flows.items():
            counts[metric] = counts.get(metric, 0) + amount
    ops = [
        UpdateOne(
            {"_id": key},
            {
                "$inc": {f"counts.{m}": n for m, n in counts.items()} or {"counts.registrations": 0},
                "$setOnInsert": {**base, "released": False},
            },
            upsert=True,
        )
        for key, (base, counts) in merged.items()
    ]
    await people.bulk_write(ops, ordered=False, session=session)
