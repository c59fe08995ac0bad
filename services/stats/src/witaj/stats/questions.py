"""Migrants' questions as counts of people: what each ask event changes, where it is counted, and the
figures of a day's release (why releases: `witaj.stats.privacy`).

Each question is one person's, so its figures go out like registrations: once its day has settled,
never changed, audited. A question belongs to the UTC day it was asked (`asked_on`, on each of its
events), so everything about it (sent to counsellors, answered the first time, resolved by an instant
answer, closed unanswered, handed over, reported) counts in that one day's release; what happens to it
after the release is kept but not published. Counts are kept per day, topic and language only (the
`questions` collection, written in the batch's transaction), never as rollups, so no minute, hour or
live figure of questions exists.

A release gives each metric in total, per topic and per language. Its audit knows what anyone knows of
how questions go, per topic and language: questions answered and questions closed unanswered are
different ones of those asked, so are those closed unanswered and those reported, and only an asked
question is handed over. The time to first answer is given only as the bucket that holds the median
wait, and only where the number of answers it is taken over is shown (so at least the threshold).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from typing import Any, NamedTuple

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from witaj.shared.envelope import Envelope
from witaj.shared.events import (
    QuestionAnswered,
    QuestionAsked,
    QuestionClosed,
    QuestionHandedOver,
    Resolution,
)
from witaj.shared.mongo import Document, Session
from witaj.stats.privacy import TOTAL, Problem, protect
from witaj.stats.windows import Granularity, window_start

QUESTIONS = (
    "questions_asked",
    "questions_answered",
    "questions_resolved_instantly",
    "questions_unanswered",
    "questions_handed_over",
    "questions_reported",
)
"""Counts of questions (of people), in the order releases list them."""

QUESTION_EVENTS = (QuestionAsked, QuestionAnswered, QuestionClosed, QuestionHandedOver)

WAIT_BUCKETS = ((3_600, "under_1h"), (4 * 3_600, "1h_4h"), (86_400, "4h_1d"), (3 * 86_400, "1d_3d"))
"""Upper bounds (seconds) of the waits for a first answer; longer ones are 'over_3d'."""
LONGEST_WAIT = "over_3d"
WAITS = [name for _, name in WAIT_BUCKETS] + [LONGEST_WAIT]


def wait_bucket(seconds: int) -> str:
    return next((name for bound, name in WAIT_BUCKETS if seconds < bound), LONGEST_WAIT)


def changes(data: Any) -> dict[str, int]:
    """The fields an ask event adds one to in its question's count document: `counts.<metric>`, and
    `waits.<bucket>` for a first answer. A question is counted once per metric: its first answer, its
    first hand-over, its one closing."""
    if isinstance(data, QuestionAsked):
        return {"counts.questions_asked": 1}
    if isinstance(data, QuestionHandedOver):
        return {"counts.questions_handed_over": 1} if data.first else {}
    if isinstance(data, QuestionAnswered):
        if not data.first:
            return {}
        return {"counts.questions_answered": 1, f"waits.{wait_bucket(data.wait_seconds or 0)}": 1}
    if isinstance(data, QuestionClosed):
        if data.resolution is Resolution.INSTANT_ANSWER:
            return {"counts.questions_resolved_instantly": 1}
        if data.resolution is Resolution.REPORTED:
            return {"counts.questions_reported": 1}
        if not data.answered and data.resolution in (Resolution.UNANSWERED, Resolution.EXPIRED):
            return {"counts.questions_unanswered": 1}
    return {}


class Asked(NamedTuple):
    """What one ask event changes in the counts of its question's day, topic ('' for none) and language."""

    city: str
    day: datetime
    topic: str
    language: str
    changes: dict[str, int]


def asked(envelope: Envelope[Any]) -> Asked | None:
    """What the event counts, or None; without `asked_on` (an older producer) the event's own day."""
    data = envelope.data
    change = changes(data)
    if not change:
        return None
    if data.asked_on is not None:
        day = datetime.combine(data.asked_on, time(), UTC)
    else:
        day = window_start(envelope.time, Granularity.DAY)
    return Asked(envelope.city, day, data.topic or "", data.language, change)


def counts_id(city: str, day: datetime, topic: str, language: str) -> str:
    return f"{city}|{day.date().isoformat()}|{topic}|{language}"


async def write(questions: AsyncCollection[Document], facts: list[Asked], session: Session) -> None:
    """Count questions per day, topic and language (one document each, with `released` false until the
    day's release is built)."""
    merged: dict[str, tuple[dict[str, Any], dict[str, int]]] = {}
    for fact in facts:
        key = counts_id(fact.city, fact.day, fact.topic, fact.language)
        base = {"city": fact.city, "day": fact.day, "topic": fact.topic, "language": fact.language}
        _, inc = merged.setdefault(key, (base, {}))
        for name, amount in fact.changes.items():
            inc[name] = inc.get(name, 0) + amount
    ops = [
        UpdateOne({"_id": key}, {"$inc": inc, "$setOnInsert": {**base, "released": False}}, upsert=True)
        for key, (base, inc) in merged.items()
    ]
    if ops:
        await questions.bulk_write(ops, ordered=False, session=session)


# ---------------------------------------------------------------------------------------------- releases


class Counts(NamedTuple):
    """The questions of one day asked about one topic ('' for none) in one language."""

    topic: str
    language: str
    counts: dict[str, int]
    waits: dict[str, int]


async def counts_of(
    questions: AsyncCollection[Document], city: str, days: list[datetime]
) -> dict[datetime, list[Counts]]:
    out: dict[datetime, list[Counts]] = {day: [] for day in days}
    found = [d async for d in questions.find({"city": city, "day": {"$in": days}})]
    for d in sorted(found, key=lambda d: d["_id"]):
        out[d["day"]].append(Counts(d["topic"], d["language"], d.get("counts", {}), d.get("waits", {})))
    return out


def median_wait(waits: dict[str, int]) -> str | None:
    """The bucket holding the median wait for a first answer (None without answers)."""
    total = sum(waits.values())
    seen = 0
    for name in WAITS:
        seen += waits.get(name, 0)
        if total and seen * 2 >= total:
            return name
    return None


def build(day: list[Counts], threshold: int) -> dict[str, Any]:
    """The day's question figures, audited: `cells` (metric, dimension, value, count; null when
    hidden) and `median_waits` (dimension, value, bucket) where the answers they are taken over are
    shown. Nothing at all for a day without questions."""
    if not day:
        return {"cells": [], "median_waits": []}
    problem, index = Problem.of([c.counts for c in day], QUESTIONS)
    everything = list(range(len(day)))
    by: dict[str, dict[str, list[int]]] = {"topic": defaultdict(list), "language": defaultdict(list)}
    for slot, c in enumerate(day):
        if c.topic:  # a question without a topic is in the total and its language only
            by["topic"][c.topic].append(slot)
        by["language"][c.language].append(slot)
    groups = [("total", TOTAL, everything)]
    groups += [
        (dimension, value, slots) for dimension in by for value, slots in sorted(by[dimension].items())
    ]
    named = [
        (metric, dimension, value, slots, problem.figure(index[(s, metric)] for s in slots))
        for metric in QUESTIONS
        for dimension, value, slots in groups
    ]
    for slot in everything:
        at = {metric: index[(slot, metric)] for metric in QUESTIONS}
        asked = at["questions_asked"]
        problem.limit({at["questions_answered"]: 1, at["questions_unanswered"]: 1, asked: -1}, 0)
        problem.limit({at["questions_unanswered"]: 1, at["questions_reported"]: 1, asked: -1}, 0)
        problem.limit({at["questions_handed_over"]: 1, asked: -1}, 0)
    hidden = protect(problem, threshold)

    def shown(i: int) -> int | None:
        return None if i in hidden else problem.figures[i].value

    medians = []
    for metric, dimension, value, slots, i in named:
        if metric == "questions_answered" and shown(i):  # shown and not zero: at least the threshold
            waits: dict[str, int] = defaultdict(int)
            for slot in slots:
                for name, n in day[slot].waits.items():
                    waits[name] += n
            medians.append({"dimension": dimension, "value": value, "bucket": median_wait(waits)})
    return {
        "cells": [{"metric": m, "dimension": d, "value": v, "count": shown(i)} for m, d, v, _, i in named],
        "median_waits": medians,
    }
