"""'Tell us what you were looking for': readers report a search that found nothing, editors see the list.

A search with no result is already counted by the stats service (anonymous, shown only once enough
people asked it); a reader who takes the trouble to say so, perhaps with a word on what they needed, is a
stronger signal and goes straight to the city's editors. Reports stay in this service (no event carries
the text) and expire after a year (`RETENTION`). E-mail addresses, phone and document numbers in a
report are replaced before it is stored (`witaj.shared.redaction`): editors need to know what to write,
not who asked. Anyone may report, so each caller is rate limited like feedback (`feedback_limit`, in
buckets of its own).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pymongo.asynchronous.collection import AsyncCollection
from witaj.content import access
from witaj.content.deps import ServicesDep
from witaj.content.schemas import GapCreate, GapPublic, Received
from witaj.content.settings import ContentSettings
from witaj.content.stemming import normalise, words
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import BadRequest
from witaj.shared.events.usage import MAX_QUERY_CHARS
from witaj.shared.mongo import Document, ensure_expiry
from witaj.shared.ratelimit import RateLimit, public_write
from witaj.shared.redaction import redact
from witaj.shared.web import Page, Pagination

RETENTION = timedelta(days=365)
MAX_COMMENTS_SHOWN = 5
MAX_GROUPS = 1_000


async def ensure_indexes(collection: AsyncCollection[Document]) -> None:
    await collection.create_index([("city", 1), ("language", 1), ("at", -1)], name="gaps_by_city")
    await ensure_expiry(collection, "at", RETENTION)


def public_router(settings: ContentSettings) -> APIRouter:
    """The anonymous report, with its own buckets per app (so each app, and each test, starts afresh)."""
    limit = RateLimit.configured("gap report", settings.feedback_limit)
    public = APIRouter(tags=["search"])
    public.add_api_route(
        "/cities/{city}/gaps",
        report_gap,
        methods=["POST"],
        status_code=202,
        summary="Tell the city's editors what a search did not find",
        **public_write(limit),
    )
    return public


async def report_gap(city: str, body: GapCreate, services: ServicesDep) -> Received:
    runtime = services.runtime
    config = runtime.cities.require(city)
    if body.language not in config.languages:
        raise BadRequest(f"'{city}' does not offer the language '{body.language}'", code="unknown_language")
    query = " ".join(normalise(redact(body.query)).split())[:MAX_QUERY_CHARS]
    if not any(True for _ in words(query)):
        raise BadRequest("The query has no words in it", code="empty_query")
    doc = {
        "_id": uuid.uuid4().hex,
        "city": city,
        "language": body.language,
        "query": query,
        "comment": redact(body.comment) if body.comment else None,
        "at": datetime.now(UTC),
    }
    await services.gaps.insert_one(doc)
    return Received(id=doc["_id"], status="received")


router = APIRouter(tags=["search"])


@router.get("/cities/{city}/workbench/gaps", summary="What readers searched for and did not find")
async def list_gaps(
    city: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    page: Pagination,
    language: Annotated[str | None, Query(max_length=3)] = None,
) -> Page[GapPublic]:
    """Most reported first; a query's latest comments come with it (the city's editorial staff only)."""
    access.require_workbench(principal, city)
    match: dict[str, Any] = {"city": city}
    if language:
        match["language"] = language
    pipeline: list[dict[str, Any]] = [
        {"$match": match},
        {"$sort": {"at": -1}},
        {
            "$group": {
                "_id": {"language": "$language", "query": "$query"},
                "reports": {"$sum": 1},
                "last": {"$max": "$at"},
                "comments": {"$push": "$comment"},
            }
        },
        {"$sort": {"reports": -1, "last": -1}},
        {"$limit": MAX_GROUPS},
    ]
    rows = [
        GapPublic(
            query=row["_id"]["query"],
            language=row["_id"]["language"],
            reports=row["reports"],
            last_reported_at=row["last"],
            comments=[c for c in row["comments"] if c][:MAX_COMMENTS_SHOWN],
        )
        async for row in await services.gaps.aggregate(pipeline)
    ]
    return Page[GapPublic].of(rows[page.offset : page.offset + page.limit], len(rows), page)
