"""The translators' dashboard: what is missing or outdated in each language, most-read first.

Demand is counted from the service's own `usage.page_viewed` events (a consumer group, so each view is
counted once across replicas, idempotently through the inbox) and kept per item and requested language:
a reader who asked for Ukrainian and got Polish is exactly the demand a Ukrainian translation meets.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pymongo.asynchronous.database import AsyncDatabase
from witaj.content import access
from witaj.content.store import NOT_ARCHIVED, ItemStore, translations_of
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.envelope import Envelope
from witaj.shared.events import PageViewed
from witaj.shared.mongo import Document, Session
from witaj.shared.runtime import Runtime

MAX_DASHBOARD_ITEMS = 5_000


class Demand:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["demand"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("city", name="demand_by_city")

    async def count_view(self, envelope: Envelope[Any], session: Session) -> None:
        """Inbox effect: one more view of the item, also counted under the language asked for."""
        view = envelope.data
        if not isinstance(view, PageViewed):
            return
        wanted = view.requested_language or view.language
        await self.collection.update_one(
            {"_id": f"{envelope.city}:{view.item_id}"},
            {"$inc": {"views": 1, f"languages.{wanted}": 1}, "$set": {"city": envelope.city}},
            upsert=True,
            session=session,
        )

    async def of_city(self, city: str) -> dict[str, Document]:
        prefix = f"{city}:"
        return {doc["_id"][len(prefix) :]: doc async for doc in self.collection.find({"city": city})}


router = APIRouter(prefix="/cities/{city}/workbench", tags=["translation"])


@router.get("/translations", summary="What needs translating, per language, ordered by demand")
async def dashboard(city: str, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    scope = access.workbench_scope(principal, city)
    runtime: Runtime = request.app.state.runtime
    config = runtime.cities.require(city)
    store: ItemStore = request.app.state.item_store
    demand = await request.app.state.demand.of_city(city)
    cursor = store.items.find(
        {"city": city, "status": NOT_ARCHIVED, **scope},
        {"kind": 1, "status": 1, "translations": 1, "content.title": 1},
        limit=MAX_DASHBOARD_ITEMS,
    )
    rows: dict[str, list[dict[str, Any]]] = {language: [] for language in config.languages}
    async for doc in cursor:
        wanted = demand.get(doc["_id"], {})
        for language, reason in translations_of(doc).needs_work(config.languages).items():
            rows[language].append(
                {
                    "id": doc["_id"],
                    "kind": doc["kind"],
                    "status": doc["status"],
                    "title": doc["content"].get("title", ""),
                    "reason": reason,
                    "demand": wanted.get("languages", {}).get(language, 0),
                    "views": wanted.get("views", 0),
                }
            )
    for entries in rows.values():
        entries.sort(key=lambda r: (-r["demand"], -r["views"], r["status"] != "published", r["title"]))
    return {
        "city": city,
        "languages": {
            language: {
                "missing": sum(r["reason"] == "missing" for r in entries),
                "outdated": sum(r["reason"] == "outdated" for r in entries),
                "unpublished": sum(r["reason"] == "unpublished" for r in entries),
                "items": entries[:200],
            }
            for language, entries in rows.items()
        },
    }
