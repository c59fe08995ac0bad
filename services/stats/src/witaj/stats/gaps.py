"""Information gaps: searches that found nothing, per query, published per settled calendar week.

A count of searches for any range of days could be subtracted from the count for a range one day
longer, and the difference could be one person's search. So gaps are counted per calendar week (Monday
to Sunday, UTC) and nothing else:

- A week is released once, when it has settled (`privacy.release_after_hours` after it ends): its
  queries that at least `privacy.query_min_sessions` distinct sessions asked that week, each with its
  number of searches that week, are stored and never changed. What arrives for it later is not
  published. So no two versions of a week's figures exist to be subtracted.
- Weeks are disjoint, so every search belongs to exactly one week. A range asked for is widened to the
  whole weeks it touches, and a query's figure over it is the sum of its published weekly figures: any
  difference between two answers is a sum of whole weekly figures, each of at least the threshold. A
  query asked by fewer sessions in a week counts for nothing in that week, however often it was asked
  in others.
- The week's text goes with the rest of the query text: its release is deleted
  `privacy.query_retention_days` after the week begins, and a week older than that is never released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from witaj.shared.mongo import Document
from witaj.stats.rollups import RollupStore
from witaj.stats.schemas import QueryGap
from witaj.stats.settings import PrivacySettings
from witaj.stats.windows import Granularity, window_start

WEEK = timedelta(days=7)


def week_of(moment: datetime) -> datetime:
    """The Monday (00:00 UTC) starting the week that holds `moment`."""
    day = window_start(moment, Granularity.DAY)
    return day - timedelta(days=day.weekday())


def release_id(city: str, week: datetime) -> str:
    return f"{city}|{week.date().isoformat()}"


def available(week: datetime, privacy: PrivacySettings, now: datetime) -> bool:
    """Whether a week is settled and its query text still kept."""
    return week + WEEK + privacy.release_delay <= now and week + privacy.query_retention > now


def build(docs: list[Document], k: int) -> list[dict[str, Any]]:
    """A week's gaps from its days' counts: the queries at least `k` distinct sessions asked."""
    searches: dict[tuple[str, str], int] = defaultdict(int)
    sessions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in docs:
        key = (doc["language"], doc["query"])
        searches[key] += doc["count"]
        sessions[key].update(doc.get("sessions", []))
    return [
        {"language": language, "query": query, "searches": searches[(language, query)]}
        for (language, query), asked in sorted(sessions.items())
        if len(asked) >= k
    ]


async def released(
    store: RollupStore, city: str, weeks: list[datetime], privacy: PrivacySettings
) -> dict[datetime, Document]:
    """The releases of those `weeks` that are available, built now if they were not yet: whichever
    process builds a week first (the processor on its timer, or the API asked for it) fixes it. A query
    needs `privacy.query_min_sessions` distinct sessions, or the city's own threshold where larger."""
    now = datetime.now(UTC)
    due = [week for week in weeks if available(week, privacy, now)]
    if not due:
        return {}
    ids = [release_id(city, week) for week in due]
    found = {d["week"]: d async for d in store.gap_releases.find({"_id": {"$in": ids}})}
    missing = [week for week in due if week not in found]
    k = await store.threshold(city, privacy.query_min_sessions) if missing else privacy.query_min_sessions
    for week in missing:
        span = {"city": city, "day": {"$gte": week, "$lt": week + WEEK}}
        gaps = build([d async for d in store.queries.find(span)], k)
        doc = {"_id": release_id(city, week), "city": city, "week": week, "k": k,
               "released_at": now, "gaps": gaps}  # fmt: skip
        await store.once(store.gap_releases, [doc])
        await store.queries.update_many({**span, "released": {"$ne": True}}, {"$set": {"released": True}})
    if missing:
        found |= {d["week"]: d async for d in store.gap_releases.find({"_id": {"$in": ids}})}
    return found


async def release_due(store: RollupStore, privacy: PrivacySettings, serves: Callable[[str], bool]) -> int:
    """Release every settled week that has zero-result searches and no release yet; returns how many."""
    cutoff = week_of(datetime.now(UTC) - privacy.release_delay)  # weeks before it ended long enough ago
    pending: dict[str, set[datetime]] = defaultdict(set)
    query = {"released": {"$ne": True}, "day": {"$lt": cutoff}}
    async for doc in store.queries.find(query, {"city": 1, "day": 1}):
        if serves(doc["city"]):
            pending[doc["city"]].add(week_of(doc["day"]))
    for city, weeks in pending.items():
        await released(store, city, sorted(weeks), privacy)
        # Released now, or before, or too old to be (their text goes soon): not to be looked at again.
        await store.queries.update_many({**query, "city": city}, {"$set": {"released": True}})
    return sum(len(weeks) for weeks in pending.values())


async def information_gaps(
    store: RollupStore,
    city: str,
    language: str | None,
    start: datetime,
    end: datetime,
    privacy: PrivacySettings,
    limit: int,
) -> list[QueryGap]:
    """The published gaps of the whole weeks from the one holding `start` to the one holding `end`, summed
    per query, most searched first (weeks not settled yet count nothing)."""
    now = datetime.now(UTC)
    week = max(week_of(start), week_of(now - privacy.query_retention))
    last = min(week_of(end), week_of(now))
    weeks = []
    while week <= last:
        weeks.append(week)
        week += WEEK
    searches: dict[tuple[str, str], int] = defaultdict(int)
    ks = []
    for release in (await released(store, city, weeks, privacy)).values():
        ks.append(release["k"])
        for gap in release["gaps"]:
            if language is None or gap["language"] == language:
                searches[(gap["language"], gap["query"])] += gap["searches"]
    at_least = min(ks, default=privacy.query_min_sessions)
    shown = [
        QueryGap(query=query, language=lang, searches=n, sessions=f">={at_least}")
        for (lang, query), n in searches.items()
    ]
    shown.sort(key=lambda g: (-g.searches, g.language, g.query))
    return shown[:limit]
