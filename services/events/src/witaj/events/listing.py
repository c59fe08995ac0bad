"""Finding events: a MongoDB query narrows the candidates, then recurrences are expanded in the window.

The same filters serve the JSON listing and the iCalendar feed. Expansion is bounded: a window of at
most `MAX_WINDOW_DAYS`, at most `MAX_EXPANDED` occurrences and `MAX_WORK` recurrence work per request
(see `schedule.Work`), so one request cannot make the service enumerate years of daily classes; and it
runs in a worker thread, so the event loop goes on answering other requests (`/health` too) meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query
from witaj.events import schedule as sched
from witaj.events.documents import PUBLISHED, overrides_of, schedule_of
from witaj.events.schemas import AgendaItemKind
from witaj.events.store import AgendaStore
from witaj.shared.errors import ApiError
from witaj.shared.events import UserType
from witaj.shared.mongo import Document

MAX_WINDOW_DAYS = 400
DEFAULT_WINDOW_DAYS = 60
MAX_EXPANDED = 25_000
MAX_CANDIDATES = 10_000
MAX_WORK = 5_000_000
MAX_IDS = 50
EARTH_RADIUS_KM = 6378.1
LISTING_FIELDS = [
    "city", "organisation", "kind", "status", "source_language", "texts.title", "translations",
    "schedule", "overrides", "cost.free", "place.online_url", "place.address", "topics", "capacity",
    "registration", "import",
]  # fmt: skip


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    kind: AgendaItemKind | None = None
    topic: str | None = None
    language: str | None = None
    free: bool | None = None
    organisation: str | None = None
    target_group: str | None = None
    near: tuple[float, float, float] | None = None
    """(lat, lng, radius in km)."""
    ids: tuple[str, ...] = ()
    """Only these events (one event's calendar; the events a reader registered for)."""

    def query(self, city: str) -> dict[str, Any]:
        query: dict[str, Any] = {
            "city": city,
            "status": PUBLISHED,
            "first_start": {"$lt": self.end},
            "$or": [{"last_end": None}, {"last_end": {"$gt": self.start}}],
        }
        for field, value in (
            ("kind", self.kind.value if self.kind else None),
            ("topics", self.topic),
            ("languages_of_instruction", self.language),
            ("organisation", self.organisation),
            ("target_groups", self.target_group),
        ):
            if value is not None:
                query[field] = value
        if self.free is not None:
            query["cost.free"] = self.free
        if self.ids:
            query["_id"] = {"$in": list(self.ids)}
        if self.near is not None:
            lat, lng, radius = self.near
            query["place.location"] = {
                "$geoWithin": {"$centerSphere": [[lng, lat], radius / EARTH_RADIUS_KM]}
            }
        return query


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _ceil_minute(moment: datetime) -> datetime:
    floor = _floor_minute(moment)
    return floor if floor == moment else floor + timedelta(minutes=1)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def filters(
    start: Annotated[datetime | None, Query(alias="from", description="Window start (default: now)")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Window end (default: 60 days on)")] = None,
    kind: AgendaItemKind | None = None,
    topic: Annotated[str | None, Query(max_length=60)] = None,
    language: Annotated[str | None, Query(max_length=12, description="Language of instruction")] = None,
    free: Annotated[bool | None, Query(description="true: free events only")] = None,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
    target_group: UserType | None = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float, Query(gt=0, le=500)] = 5.0,
    ids: Annotated[
        list[str] | None,
        Query(alias="id", max_length=MAX_IDS, description="Only these events (repeat the parameter)"),
    ] = None,
) -> Filters:
    start = _aware(start) or datetime.now(UTC)
    end = _aware(end) or start + timedelta(days=DEFAULT_WINDOW_DAYS)
    if end <= start:
        raise ApiError(400, "invalid_range", "'to' must be after 'from'")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise ApiError(400, "range_too_long", f"A listing covers at most {MAX_WINDOW_DAYS} days")
    if (lat is None) != (lng is None):
        raise ApiError(400, "incomplete_point", "Give both 'lat' and 'lng' to search near a point")
    near = (lat, lng, radius_km) if lat is not None and lng is not None else None
    if ids and any(len(i) > 100 for i in ids):
        raise ApiError(400, "invalid_id", "An event id is at most 100 characters")
    return Filters(
        start, end, kind, topic, language, free, organisation, target_group, near, tuple(ids or ())
    )


FiltersDep = Annotated[Filters, Depends(filters)]


async def candidates(store: AgendaStore, city: str, where: Filters) -> list[Document]:
    """The published events that may have an occurrence in the window, as stored (not to be changed:
    they may be shared with other readers for a moment, see `witaj.events.recent_listings`). The
    window is rounded out to whole minutes, so listings starting "now" share one read; expanding the
    recurrences cuts the occurrences to the exact window."""
    rounded = replace(where, start=_floor_minute(where.start), end=_ceil_minute(where.end))

    async def fetch() -> list[Document]:
        return await store.collection.find(
            rounded.query(city), projection=LISTING_FIELDS, limit=MAX_CANDIDATES + 1
        ).to_list()

    docs = await store.listings.read(city, rounded, fetch)
    if len(docs) > MAX_CANDIDATES:
        raise ApiError(400, "too_many_events", "Too many events match: narrow the date range or filters")
    return docs


async def expand_all(docs: list[Document], where: Filters) -> list[tuple[Document, sched.Occurrence]]:
    """Every occurrence of `docs` in the window, cancelled ones included, by start time."""
    return await asyncio.to_thread(_expand_all, docs, where)


def _expand_all(docs: list[Document], where: Filters) -> list[tuple[Document, sched.Occurrence]]:
    found: list[tuple[Document, sched.Occurrence]] = []
    work = sched.Work(MAX_WORK)
    for doc in docs:
        left = MAX_EXPANDED - len(found)
        try:
            occurrences = list(
                sched.expand(
                    schedule_of(doc), overrides_of(doc), where.start, where.end, limit=left + 1,
                    work=sched.Work(parent=work),
                )
            )  # fmt: skip
        except sched.TooMuchWork:
            raise ApiError(
                400,
                "too_much_work",
                "Finding the occurrences of recurring events in this date range needs too much work: "
                "choose dates closer to today or narrow the filters",
            ) from None
        found.extend((doc, o) for o in occurrences)
        if len(found) > MAX_EXPANDED:
            raise ApiError(
                400, "too_many_occurrences", f"More than {MAX_EXPANDED} occurrences: narrow the date range"
            )
    found.sort(key=lambda pair: (pair[1].start, pair[0]["_id"]))
    return found
