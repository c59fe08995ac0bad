"""Readers add to the content: they suggest a correction or add a tip to any published item, editors decide.

A suggestion waits for the item's editors (the city's editors, or the editors of the owning organisation,
as for editing the item). Accepting a *correction* opens an edit: the answer carries the item's current
source text and version for the usual edit (`PUT .../workbench/<kind>/<id>` with `If-Match`), so the
change goes through the normal editing and translation workflow. Accepting a *tip* lists it under the
item, in the language it was written in. Either way the reader is credited by the pseudonym they chose,
never by anything that names them.

The public reading side (`GET /cities/{city}/<kind>/<id>/comments`) gives what readers see under an
item: feedback comments a moderator approved and accepted tips.

What readers write is kept as plain text (`witaj.shared.text`) and returned with an escaped `html`
form. Undecided suggestions are erased after `PENDING_DAYS`, rejected ones `REJECTED_DAYS` after the
decision; accepted tips stay while the item does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from witaj.content import access
from witaj.content.cache import CachedItem
from witaj.content.deps import Services, ServicesDep
from witaj.content.kinds import PATH_OF, PATHS
from witaj.content.schemas import (
    CommentPublic,
    DecisionPublic,
    EditPublic,
    Received,
    SaveWith,
    SuggestionCreate,
    SuggestionDecision,
    SuggestionKind,
    SuggestionPublic,
    SuggestionUpdate,
)
from witaj.content.settings import ContentSettings
from witaj.shared.auth import CurrentPrincipal, Principal, Role
from witaj.shared.errors import ApiError, BadRequest, Conflict, NotFound
from witaj.shared.events import CityConfig, ContentKind, Feature
from witaj.shared.mongo import Document, ensure_expiry
from witaj.shared.ratelimit import RateLimit, public_write
from witaj.shared.text import text_html
from witaj.shared.web import Page, Pagination

PENDING_DAYS = 365
REJECTED_DAYS = 30


async def ensure_indexes(collection: AsyncCollection[Document]) -> None:
    """Editors' queue per city oldest first; tips under an item; and the erasure of what waits or lost."""
    await collection.create_index(
        [("city", ASCENDING), ("status", ASCENDING), ("at", ASCENDING)], name="queue"
    )
    await collection.create_index([("item_id", ASCENDING), ("status", ASCENDING)], name="by_item")
    await ensure_expiry(collection, "erase_at", timedelta(0), name="suggestion_retention")


def _feedback_on(config: CityConfig) -> None:
    if not config.has(Feature.FEEDBACK):
        raise ApiError(
            404,
            "feature_disabled",
            f"Suggestions and feedback are switched off in {config.name}",
            details={"city": config.id, "feature": Feature.FEEDBACK.value},
        )


async def _published(services: Services, city: str, kind_path: str, item_id: str) -> CachedItem:
    runtime = services.runtime
    _feedback_on(runtime.cities.require(city))  # before the cache: a made-up city must not cost a load
    content = await services.published.city(city)
    item = content.items.get(item_id)
    if item is None or PATHS.get(kind_path) is not item.kind:
        raise NotFound(f"The published item '{item_id}' in '{city}'")
    return item


def public(doc: Document) -> SuggestionPublic:
    """What editors see of one suggestion."""
    return SuggestionPublic(
        id=doc["_id"],
        type=doc["kind"],
        item_id=doc["item_id"],
        item_kind=doc["item_kind"],
        language=doc["language"],
        text=doc["text"],
        html=text_html(doc["text"]),
        field=doc.get("field"),
        credit=doc.get("credit_as"),
        status=doc["status"],
        at=doc["at"].isoformat(),
    )


# ---------------------------------------------------------------------------------------------- readers


def public_router(settings: ContentSettings) -> APIRouter:
    """The anonymous write, rate limited per caller with its own buckets per app."""
    limit = RateLimit.configured("suggestion", settings.suggestion_limit)
    router = APIRouter(tags=["suggestions"])
    router.add_api_route(
        "/cities/{city}/{kind_path}/{item_id}/suggestions",
        suggest,
        methods=["POST"],
        status_code=202,
        summary="Suggest a correction or add a tip to an item (no account needed)",
        **public_write(limit),
    )
    return router


async def suggest(
    city: str, kind_path: str, item_id: str, body: SuggestionCreate, services: ServicesDep
) -> Received:
    """The item's editors see it and decide; if accepted, the pseudonym in `credit_as` is credited."""
    item = await _published(services, city, kind_path, item_id)
    if body.language not in item.languages:
        raise BadRequest(f"The item is not published in '{body.language}'", code="unknown_language")
    if body.field is not None and body.kind is SuggestionKind.TIP:
        raise BadRequest("A tip is about the whole item; 'field' is for corrections", code="field_for_tip")
    now = datetime.now(UTC)
    doc = {
        "_id": uuid.uuid4().hex,
        "city": city,
        "item_id": item_id,
        "item_kind": item.kind.value,
        "kind": body.kind.value,
        "language": body.language,
        "text": body.text,
        "field": body.field,
        "credit_as": body.credit_as,
        "status": "pending",
        "at": now,
        "erase_at": now + timedelta(days=PENDING_DAYS),
    }
    await services.suggestions.insert_one(doc)
    return Received(id=doc["_id"], status="received")


router = APIRouter(tags=["suggestions"])


@router.get(
    "/cities/{city}/{kind_path:kind}/{item_id}/comments",
    summary="What readers added under an item: approved comments and accepted tips, newest first",
)
async def comments(
    city: str,
    kind_path: str,
    item_id: str,
    services: ServicesDep,
    page: Pagination,
    lang: Annotated[
        str | None, Query(max_length=3, description="Only those written in this language")
    ] = None,
) -> Page[CommentPublic]:
    item = await _published(services, city, kind_path, item_id)
    language = {"language": lang} if lang else {}
    tips = await services.suggestions.find(
        {"item_id": item.id, "city": city, "kind": "tip", "status": "accepted", **language}
    ).to_list(None)
    approved = await services.feedback.find(
        {"item_id": item.id, "city": city, "moderation": "approved", **language}
    ).to_list(None)
    rows = [
        _comment(doc, "tip", doc["text"], doc.get("credit_as"), doc.get("decided_at", doc["at"]))
        for doc in tips
    ] + [_comment(doc, "comment", doc["comment"], None, doc["at"]) for doc in approved if doc.get("comment")]
    rows.sort(key=lambda row: (row.at, row.id), reverse=True)
    return Page[CommentPublic].of(rows[page.offset : page.offset + page.limit], len(rows), page)


def _comment(doc: Document, shown_as: str, text: str, credit: str | None, at: datetime) -> CommentPublic:
    return CommentPublic(
        id=doc["_id"],
        type=shown_as,
        language=doc["language"],
        text=text,
        html=text_html(text),
        credit=credit,
        at=at.isoformat(),
    )


# ---------------------------------------------------------------------------------------------- editors


async def editors_scope(services: Services, principal: Principal, city: str) -> dict[str, Any]:
    """Which suggestions the caller decides on: the city's (its editors), or those on the items of
    their organisation (NGO editors). Others see none."""
    if principal.is_platform_admin or (principal.in_city(city) and principal.has(*access.CITY_EDITORS)):
        return {"city": city}
    if principal.in_city(city) and principal.has(Role.NGO_EDITOR) and principal.organisation:
        store = services.items
        owned = await store.items.distinct("_id", {"city": city, "organisation": principal.organisation})
        return {"city": city, "item_id": {"$in": owned}}
    raise ApiError(403, "forbidden", f"Only the editors of '{city}' or of an item's organisation decide here")


@router.get("/cities/{city}/workbench/suggestions", summary="Readers' corrections and tips, oldest first")
async def queue(
    city: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    page: Pagination,
    status: Annotated[str, Query(pattern="^(pending|accepted|rejected)$")] = "pending",
    item_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[SuggestionPublic]:
    query = {**await editors_scope(services, principal, city), "status": status}
    if item_id is not None:
        owned = query.get("item_id", {}).get("$in")
        query["item_id"] = item_id if owned is None or item_id in owned else {"$in": []}
    collection = services.suggestions
    total = await collection.count_documents(query)
    order = ASCENDING if status == "pending" else DESCENDING
    docs = await collection.find(query, sort=[("at", order)], skip=page.offset, limit=page.limit).to_list()
    return Page[SuggestionPublic].of([public(doc) for doc in docs], total, page)


@router.post(
    "/cities/{city}/workbench/suggestions/{suggestion_id}/decision",
    summary="Accept or reject a suggestion (accepting a correction opens an edit with it)",
    response_model_exclude_unset=True,
)
async def decide(
    city: str,
    suggestion_id: str,
    body: SuggestionUpdate,
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> DecisionPublic:
    """Accepting a tip lists it under the item. Accepting a correction answers with `edit`: the item's
    current source text, version and the route to save the edit with (the usual workflow: translations
    become outdated unless the edit is minor). Only the item's editors decide."""
    runtime = services.runtime
    runtime.cities.require(city)
    collection = services.suggestions
    found = await collection.find_one({"_id": suggestion_id, "city": city})
    if found is None:
        raise NotFound(f"The suggestion '{suggestion_id}'")
    store = services.items
    item = await store.get(city, found["item_id"])
    access.require_edit(principal, item)
    if found["status"] != "pending":
        raise Conflict(f"The suggestion was {found['status']} already", code="already_decided")
    now = datetime.now(UTC)
    change: dict[str, Any] = {
        "status": body.decision.value,
        "decided_at": now,
        "decided_by": principal.subject,
    }
    if body.decision is SuggestionDecision.REJECTED:
        update: dict[str, Any] = {"$set": {**change, "erase_at": now + timedelta(days=REJECTED_DAYS)}}
    else:  # accepted: kept while the item is (a tip is shown under it)
        update = {"$set": change, "$unset": {"erase_at": ""}}
    result = await collection.update_one({"_id": suggestion_id, "status": "pending"}, update)
    if result.modified_count != 1:
        raise Conflict("The suggestion was decided meanwhile", code="already_decided")
    suggestion = public({**found, **change})
    if body.decision is SuggestionDecision.REJECTED or found["kind"] != SuggestionKind.CORRECTION.value:
        return DecisionPublic(suggestion=suggestion)
    path = f"/cities/{city}/workbench/{PATH_OF[ContentKind(item['kind'])]}/{item['_id']}"
    edit = EditPublic(
        item_id=item["_id"],
        kind=item["kind"],
        version=item["version"],
        source_language=item["translations"]["source_language"],
        content=item["content"],
        save_with=SaveWith(method="PUT", path=path, if_match=f'"{item["version"]}"'),
    )
    return DecisionPublic(suggestion=suggestion, edit=edit)
