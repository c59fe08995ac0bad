"""The translators' dashboard: what is missing or outdated in each language, most-read first.

Demand is counted from the service's own `usage.page_viewed` events (see `witaj.shared.demand`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pymongo.asynchronous.database import AsyncDatabase
from witaj.content import access
from witaj.content.deps import ServicesDep
from witaj.content.schemas import TranslationDashboardPublic
from witaj.content.store import NOT_ARCHIVED, translations_of
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.demand import Demand, by_language
from witaj.shared.events import PageViewed
from witaj.shared.mongo import Document

MAX_DASHBOARD_ITEMS = 5_000


def page_demand(db: AsyncDatabase[Document]) -> Demand:
    """Views of content items, per item and language asked for."""
    return Demand(db, PageViewed, lambda view: view.item_id)


router = APIRouter(prefix="/cities/{city}/workbench", tags=["translation"])


@router.get("/translations", summary="What needs translating, per language, ordered by demand")
async def dashboard(
    city: str, principal: CurrentPrincipal, services: ServicesDep
) -> TranslationDashboardPublic:
    scope = access.workbench_scope(principal, city)
    runtime = services.runtime
    config = runtime.cities.require(city)
    store = services.items
    demand = await services.demand.of_city(city)
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
    first = (lambda r: r["status"] != "published", lambda r: r["title"])
    return TranslationDashboardPublic.model_validate({"city": city, "languages": by_language(rows, *first)})
