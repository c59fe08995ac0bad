"""Day releases: the only form in which counts of people leave stats (why: `witaj.stats.privacy`).

A release holds one city's counts of people of one UTC day: for the occurrences of the day each metric
by total, organisation and event, and each occurrence's confirmed places against its capacity (fill
rates); for the questions asked that day each metric by total, topic and language, with the median
wait for a first answer (`witaj.stats.questions`). Suppressed figures are null. The two parts share no
person and no relation, so each is audited on its own. A release is built once the day is settled, from
the counts per occurrence and per topic and language, and stored under an id made of city and day, so
whichever process builds it first (the processor on its timer, or the API asked for the day) fixes it
for every output. The processor then publishes it once on `stats.rollups`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from witaj.shared.mongo import Document
from witaj.stats import questions
from witaj.stats.metrics import PEOPLE
from witaj.stats.privacy import TOTAL, Problem, protect
from witaj.stats.rollups import RollupStore

DIMENSIONS = ("total", "organisation", "event")
"""How counts of people are broken down in a release (besides fill rates per occurrence)."""

DAY = timedelta(days=1)


class Occurrence(NamedTuple):
    """The counts of people of one occurrence (`start` None: a course registered for as a whole)."""

    event: str
    organisation: str
    start: datetime | None
    capacity: int | None
    counts: dict[str, int]


def release_id(city: str, day: datetime) -> str:
    return f"{city}|{day.date().isoformat()}"


def settles(day: datetime, delay: timedelta) -> datetime:
    """When the counts of the day's occurrences are final enough to be released."""
    return day + DAY + delay


def build(occurrences: list[Occurrence], threshold: int) -> dict[str, Any]:
    """A release's figures, suppressed: `cells` (metric, dimension, value, count) and `occurrences`."""
    problem, index = Problem.of([o.counts for o in occurrences], PEOPLE)

    def figure(metric: str, slots: Iterable[int]) -> int:
        return problem.figure(index[(s, metric)] for s in slots)

    everything = range(len(occurrences))
    by: dict[str, dict[str, list[int]]] = {"organisation": defaultdict(list), "event": defaultdict(list)}
    for slot, occurrence in enumerate(occurrences):
        by["organisation"][occurrence.organisation].append(slot)
        by["event"][occurrence.event].append(slot)
    named: list[tuple[str, str, str, int]] = []
    for metric in PEOPLE:
        named.append((metric, "total", TOTAL, figure(metric, everything)))
        for dimension in ("organisation", "event"):
            for value, slots in sorted(by[dimension].items()):
                named.append((metric, dimension, value, figure(metric, slots)))
    places = [figure("confirmed", [slot]) for slot in everything]
    _relations(problem, occurrences, index)
    hidden = protect(problem, threshold)

    def shown(i: int) -> int | None:
        return None if i in hidden else problem.figures[i].value

    return {
        "cells": [{"metric": m, "dimension": d, "value": v, "count": shown(i)} for m, d, v, i in named],
        "occurrences": [
            {
                "event": o.event,
                "organisation": o.organisation,
                "occurrence": o.start,
                "capacity": o.capacity,
                "confirmed": shown(i),
            }
            for o, i in zip(occurrences, places, strict=True)
        ],
    }


def _relations(problem: Problem, occurrences: list[Occurrence], index: dict[tuple[int, str], int]) -> None:
    """What anyone knows of every occurrence, added wherever the data bear it out: registrations are
    confirmed + waitlisted + cancelled, attendance is recorded for confirmed places, confirmed places
    never exceed the published capacity, and people wait only while every place is taken (so an
    occurrence with a waitlist is full, which anyone can find out by trying to book)."""
    counts = problem.counts
    for slot, occurrence in enumerate(occurrences):
        at = {metric: index[(slot, metric)] for metric in PEOPLE}
        identity = {
            at["registrations"]: 1,
            at["confirmed"]: -1,
            at["waitlisted"]: -1,
            at["cancellations"]: -1,
        }
        if sum(counts[i] * c for i, c in identity.items()) == 0:
            problem.relations.append(identity)
        problem.limit({at["attended"]: 1, at["no_shows"]: 1, at["confirmed"]: -1}, 0)
        capacity = occurrence.capacity
        if capacity is not None:
            problem.limit({at["confirmed"]: 1}, capacity)
            if counts[at["waitlisted"]] > 0 and counts[at["confirmed"]] == capacity:
                problem.limit({at["confirmed"]: -1}, -capacity)  # full: anyone may try to book


async def occurrences_of(
    store: RollupStore, city: str, days: list[datetime]
) -> dict[datetime, list[Occurrence]]:
    docs = [d async for d in store.people.find({"city": city, "day": {"$in": days}})]
    events = sorted({f"{city}|{d['event']}" for d in docs})
    capacity = {d["_id"]: d.get("capacity") async for d in store.agenda.find({"_id": {"$in": events}})}
    out: dict[datetime, list[Occurrence]] = {day: [] for day in days}
    for d in sorted(docs, key=lambda d: d["_id"]):
        event = d["event"]
        occurrence = Occurrence(
            event,
            d["organisation"],
            d.get("occurrence"),
            capacity.get(f"{city}|{event}"),
            d.get("counts", {}),
        )
        out[d["day"]].append(occurrence)
    return out


async def released(
    store: RollupStore, city: str, days: list[datetime], platform: int, delay: timedelta
) -> dict[datetime, Document]:
    """The releases of those `days` that are settled, built now if they were not yet, with the city's
    threshold (`platform`'s, or the city's own where it raises it): each release keeps the one it was
    made with, since a release never changes."""
    now = datetime.now(UTC)
    due = [day for day in days if settles(day, delay) <= now]
    if not due:
        return {}
    query = {"_id": {"$in": [release_id(city, day) for day in due]}}
    found = {d["day"]: d async for d in store.releases.find(query)}
    missing = [day for day in due if day not in found]
    if missing:
        threshold = await store.threshold(city, platform)
        content = await occurrences_of(store, city, missing)
        asked = await questions.counts_of(store.questions, city, missing)
        docs = []
        for day in missing:
            body = await asyncio.to_thread(build, content[day], threshold)
            figures = await asyncio.to_thread(questions.build, asked[day], threshold)
            docs.append(
                {"_id": release_id(city, day), "city": city, "day": day, "threshold": threshold,
                 "released_at": now, "published": False, "cells": body["cells"] + figures["cells"],
                 "occurrences": body["occurrences"], "median_waits": figures["median_waits"]}
            )  # fmt: skip
        await store.once(store.releases, docs)  # the release first stored is the one every output shows
        query = {"_id": {"$in": [release_id(city, day) for day in missing]}}
        found |= {d["day"]: d async for d in store.releases.find(query)}
        await _mark_released(store, city, missing)
    return found


async def _mark_released(store: RollupStore, city: str, days: list[datetime]) -> None:
    """What the releases of `days` hold (or, arrived later, will never show) is no longer pending."""
    for counts in (store.people, store.questions):
        await counts.update_many(
            {"city": city, "day": {"$in": days}, "released": False}, {"$set": {"released": True}}
        )


async def release_due(store: RollupStore, platform: int, delay: timedelta, serves: Any) -> int:
    """Release every settled day that has counts of people and no release yet; returns how many."""
    cutoff = datetime.now(UTC) - DAY - delay
    pending: dict[str, set[datetime]] = defaultdict(set)
    for counts in (store.people, store.questions):
        async for doc in counts.find({"released": False, "day": {"$lte": cutoff}}, {"city": 1, "day": 1}):
            if serves(doc["city"]):
                pending[doc["city"]].add(doc["day"])
    for city, days in pending.items():
        await released(store, city, sorted(days), platform, delay)
        await _mark_released(store, city, sorted(days))
    return sum(len(days) for days in pending.values())
