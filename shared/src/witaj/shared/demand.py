"""How much readers asked for each item in each language: the order of the translators' dashboards.

Counted by each service from its own usage events (`usage.page_viewed` in content, `usage.event_viewed`
in events) by a consumer group, so each view is counted once across replicas, idempotently through the
inbox, and kept per item and *requested* language: a reader who asked for Ukrainian and got Polish is
exactly the demand a Ukrainian translation meets. Only counts are kept, never who viewed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from witaj.shared.envelope import Envelope, EventData
from witaj.shared.handlers import Handlers, Subscription
from witaj.shared.inbox import Inbox
from witaj.shared.mongo import Document, Session
from witaj.shared.topics import USAGE


class Demand:
    def __init__(
        self, db: AsyncDatabase[Document], viewed: type[EventData], item_of: Callable[[Any], str]
    ) -> None:
        """`viewed`: the usage event that counts (others are not read); `item_of`: its item's id."""
        self.collection = db["demand"]
        self.viewed = viewed
        self.item_of = item_of

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("city", name="demand_by_city")

    async def count_view(self, envelope: Envelope[Any], session: Session) -> None:
        """Inbox effect: one more view of the item, also counted under the language asked for."""
        await self.count_views([envelope], session)

    async def count_views(self, envelopes: list[Envelope[Any]], session: Session) -> None:
        """Inbox effect of many views: summed per item first, one write per item viewed."""
        counts: dict[str, tuple[str, Counter[str]]] = {}
        for envelope in envelopes:
            view = envelope.data
            wanted = getattr(view, "requested_language", None) or view.language
            _, languages = counts.setdefault(
                f"{envelope.city}:{self.item_of(view)}", (envelope.city, Counter())
            )
            languages[wanted] += 1
        if counts:
            await self.collection.bulk_write(
                [
                    UpdateOne(
                        {"_id": key},
                        {
                            "$inc": {
                                "views": languages.total(),
                                **{f"languages.{w}": n for w, n in languages.items()},
                            },
                            "$set": {"city": city},
                        },
                        upsert=True,
                    )
                    for key, (city, languages) in counts.items()
                ],
                ordered=False,
                session=session,
            )

    def counting(self, inbox: Inbox) -> Subscription:
        """The consumer of usage events that counts views: one group shared by the replicas, so each
        view is counted once, and through `inbox` only once when redelivered. A fetch's views are
        counted in one transaction (views commute); other usage events on the topic are passed over."""

        async def together(envelopes: list[Envelope[Any]]) -> None:
            views = [e for e in envelopes if type(e.data) is self.viewed]
            if views:
                await inbox.apply_many(views, self.count_views)

        handlers = Handlers().add(self.viewed, inbox.handler(self.count_view))
        return Subscription("demand", [USAGE], handlers, together=together)

    async def of_city(self, city: str) -> dict[str, Document]:
        prefix = f"{city}:"
        return {doc["_id"][len(prefix) :]: doc async for doc in self.collection.find({"city": city})}


def ranked(rows: list[dict[str, Any]], *then: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """Dashboard rows most asked-for first (in the language, then overall), then by `then`."""
    return sorted(rows, key=lambda r: (-r["demand"], -r["views"], *(key(r) for key in then)))


def by_language(
    rows: dict[str, list[dict[str, Any]]], *then: Callable[[dict[str, Any]], Any], most: int = 200
) -> dict[str, dict[str, Any]]:
    """A translators' dashboard: per language, how many items are missing, outdated or unpublished
    there, and the first `most` of them, ranked (see `ranked`)."""
    return {
        language: {
            "missing": sum(r["reason"] == "missing" for r in entries),
            "outdated": sum(r["reason"] == "outdated" for r in entries),
            "unpublished": sum(r["reason"] == "unpublished" for r in entries),
            "items": ranked(entries, *then)[:most],
        }
        for language, entries in rows.items()
    }
