"""'Was this helpful?': readers rate an item in a language, may leave a comment, editors see the scores.

Comments wait in a moderation queue and never leave the service: the FeedbackSubmitted event only says
whether there was one. A comment is free text and may say who wrote it, so feedback is kept
`feedback_retention_days` and then deleted by the database (the stats service keeps the counts). Anyone
may send feedback, so each caller is rate limited (`public_router`), with the limits from the service's
settings.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from pymongo.asynchronous.collection import AsyncCollection
from witaj.content import access
from witaj.content.deps import Services, ServicesDep
from witaj.content.kinds import PATHS
from witaj.content.schemas import (
    FeedbackCreate,
    FeedbackPublic,
    FeedbackScorePublic,
    FeedbackUpdate,
    ModerationPublic,
    Received,
)
from witaj.content.settings import ContentSettings
from witaj.shared.auth import CurrentPrincipal, Principal
from witaj.shared.cities import FEATURE_OF_KIND, require_feature
from witaj.shared.envelope import wrap
from witaj.shared.errors import BadRequest, NotFound
from witaj.shared.events import Feature, FeedbackSubmitted
from witaj.shared.mongo import Document, Session, ensure_expiry
from witaj.shared.outbox import Outbox
from witaj.shared.ratelimit import RateLimit, public_write
from witaj.shared.topics import CONTENT_FEEDBACK
from witaj.shared.web import Page, Pagination, SessionId, session_of

router = APIRouter(tags=["feedback"])


async def scoped(services: Services, principal: Principal, city: str) -> dict[str, Any]:
    """Which feedback the caller sees and moderates: the city's, or for an NGO editor only the feedback
    on their organisation's items."""
    scope = access.workbench_scope(principal, city)
    if not scope:
        return {"city": city}
    items = services.items.items
    return {"city": city, "item_id": {"$in": await items.distinct("_id", {"city": city, **scope})}}


async def ensure_indexes(collection: AsyncCollection[Document], retention: timedelta) -> None:
    """Editors' views: scores per city, and each city's moderation queue oldest first; and the expiry."""
    await collection.create_index([("city", 1), ("moderation", 1), ("at", 1)], name="feedback_queue")
    await ensure_expiry(collection, "at", retention)


def public_router(settings: ContentSettings) -> APIRouter:
    """The anonymous route, with its own buckets per app (so each app, and each test, starts afresh)."""
    limit = RateLimit.configured("feedback", settings.feedback_limit)
    public = APIRouter(tags=["feedback"])
    public.add_api_route(
        "/cities/{city}/{kind_path}/{item_id}/feedback",
        give_feedback,
        methods=["POST"],
        status_code=202,
        summary="Was this helpful?",
        **public_write(limit),
    )
    return public


async def give_feedback(
    city: str,
    kind_path: str,
    item_id: str,
    body: FeedbackCreate,
    services: ServicesDep,
    x_session_id: SessionId = None,
) -> Received:
    # Before the cache: it loads a city on first read, and a made-up name must not cost a load.
    runtime = services.runtime
    config = runtime.cities.require_feature(city, Feature.FEEDBACK)
    content = await services.published.city(city)
    item = content.items.get(item_id)
    if item is None or PATHS.get(kind_path) is not item.kind:
        raise NotFound(f"The published item '{item_id}' in '{city}'")
    require_feature(config, FEATURE_OF_KIND[item.kind])
    if body.language not in item.languages:
        raise BadRequest(f"The item is not published in '{body.language}'", code="unknown_language")
    if body.helpful is None and not body.comment:
        raise BadRequest("Say whether it helped, leave a comment, or both", code="empty_feedback")
    outbox: Outbox = runtime.outbox
    session_id = session_of(x_session_id)
    doc = {
        "_id": uuid.uuid4().hex,
        "city": city,
        "item_id": item_id,
        "kind": item.kind.value,
        "language": body.language,
        "helpful": body.helpful,
        "comment": body.comment or None,
        "moderation": "pending" if body.comment else None,
        "at": datetime.now(UTC),
    }
    event = FeedbackSubmitted(
        kind=item.kind, item_id=item_id, language=body.language, helpful=body.helpful,
        has_comment=bool(body.comment), session=session_id,
    )  # fmt: skip

    async def work(session: Session) -> None:
        await services.feedback.insert_one(doc, session=session)
        await outbox.add(
            session, CONTENT_FEEDBACK, wrap(event, source="witaj/content", city=city, subject=item_id)
        )

    await outbox.transaction(work)
    return Received(id=doc["_id"], status="received")


@router.get("/cities/{city}/workbench/feedback", summary="Helpfulness per item and language")
async def scores(city: str, principal: CurrentPrincipal, services: ServicesDep) -> list[FeedbackScorePublic]:
    pipeline = [
        {"$match": await scoped(services, principal, city)},
        {
            "$group": {
                "_id": {"item": "$item_id", "language": "$language"},
                "helpful": {"$sum": {"$cond": [{"$eq": ["$helpful", True]}, 1, 0]}},
                "not_helpful": {"$sum": {"$cond": [{"$eq": ["$helpful", False]}, 1, 0]}},
                "comments": {"$sum": {"$cond": [{"$ifNull": ["$comment", False]}, 1, 0]}},
            }
        },
        {"$sort": {"_id.item": 1, "_id.language": 1}},
    ]
    cursor = await services.feedback.aggregate(pipeline)
    return [
        FeedbackScorePublic(
            item_id=row["_id"]["item"],
            language=row["_id"]["language"],
            **{k: row[k] for k in ("helpful", "not_helpful", "comments")},
        )
        async for row in cursor
    ]


@router.get("/cities/{city}/workbench/feedback/moderation", summary="Comments waiting for moderation")
async def queue(
    city: str, principal: CurrentPrincipal, services: ServicesDep, page: Pagination
) -> Page[FeedbackPublic]:
    query = {**await scoped(services, principal, city), "moderation": "pending"}
    collection = services.feedback
    total = await collection.count_documents(query)
    docs = await collection.find(query, sort=[("at", 1)], skip=page.offset, limit=page.limit).to_list()
    rows = [
        FeedbackPublic(
            **{k: d[k] for k in ("item_id", "kind", "language", "helpful", "comment")}, id=d["_id"]
        )
        for d in docs
    ]
    return Page[FeedbackPublic].of(rows, total, page)


@router.post(
    "/cities/{city}/workbench/feedback/moderation/{feedback_id}", summary="Approve or reject a comment"
)
async def moderate(
    city: str, feedback_id: str, body: FeedbackUpdate, principal: CurrentPrincipal, services: ServicesDep
) -> ModerationPublic:
    access.require_workbench(principal, city)
    collection = services.feedback
    found = await collection.find_one({"_id": feedback_id, "city": city}, {"item_id": 1})
    if found is None:
        raise NotFound(f"A pending comment '{feedback_id}'")
    access.require_view(principal, await services.items.get(city, found["item_id"]))
    result = await collection.update_one(
        {"_id": feedback_id, "city": city, "moderation": "pending"},
        {"$set": {"moderation": body.decision.value}},
    )
    if result.matched_count != 1:
        raise NotFound(f"A pending comment '{feedback_id}'")
    return ModerationPublic(id=feedback_id, moderation=body.decision)
