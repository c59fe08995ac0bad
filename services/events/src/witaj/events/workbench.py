"""The organisers' and translators' side of events: their events in any status, each as it is stored
(to edit it), its source texts' history, and what needs translating in each language.

Routes live under `/cities/{city}/workbench/`, as content's do, so they never collide with public
reading. Who sees what follows `auth.workbench_scope`: editors their organisation's events (drafts
included), admins and translators the whole city's.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from witaj.events import schedule as sched
from witaj.events.auth import may_translate, workbench_scope
from witaj.events.deps import EventsOn, RuntimeDep, ServicesDep, Store
from witaj.events.documents import (
    CANCELLED,
    DRAFT,
    NEEDS_TRANSLATING,
    PUBLISHED,
    UNPUBLISHED,
    body_of,
    next_start,
    overrides_of,
    schedule_of,
    source_texts,
    translations_of,
)
from witaj.events.schemas import (
    AgendaItemKind,
    EventForEditors,
    EventRow,
    LanguageState,
    OccurrenceForEditors,
    TextVersion,
)
from witaj.shared.auth import CurrentPrincipal, Principal, forbid_unless
from witaj.shared.demand import by_language
from witaj.shared.errors import ERROR_RESPONSES
from witaj.shared.mongo import Document
from witaj.shared.web import Page, Pagination

router = APIRouter(
    prefix="/cities/{city}/workbench", tags=["workbench"], responses=ERROR_RESPONSES, dependencies=[EventsOn]
)
STATUSES = (DRAFT, PUBLISHED, CANCELLED, UNPUBLISHED)
StatusFilter = Annotated[str | None, Query(pattern=f"^({'|'.join(STATUSES)})$")]
PAST = timedelta(days=31)
"""How far back an event's occurrences are listed for its editors (attendance is marked afterwards)."""
MAX_OCCURRENCES = 100
MAX_DASHBOARD_EVENTS = 5_000


def languages_of(doc: Document, languages: list[str]) -> dict[str, LanguageState]:
    translations = translations_of(doc)
    return {
        language: LanguageState(**status.model_dump(), fields=translations.get(language).fields)
        for language, status in translations.status(languages).items()
    }


def _occurrence(o: sched.Occurrence) -> OccurrenceForEditors:
    moved = o.start != o.key
    return OccurrenceForEditors(
        occurrence=o.key, start=o.start, end=o.end, cancelled=o.cancelled, moved=moved, note=o.note,
        title=o.title,
    )  # fmt: skip


def _occurrences(doc: Document) -> tuple[list[OccurrenceForEditors], list[OccurrenceForEditors]]:
    """From a month ago on, and every changed one (past ones too)."""
    now = datetime.now(UTC)
    overrides, schedule = overrides_of(doc), schedule_of(doc)
    listed = sched.expand(schedule, overrides, now - PAST, now + sched.LOOK_AHEAD, limit=MAX_OCCURRENCES)
    duration = schedule.end - schedule.start
    changes = [
        _occurrence(sched.Occurrence(
            key=(original := datetime.fromisoformat(key)), start=change.get("start") or original,
            end=change.get("end") or original + duration, cancelled=bool(change.get("cancelled")),
            note=change.get("note"), title=change.get("title"),
        ))
        for key, change in sorted(overrides.items())
    ]  # fmt: skip
    return [_occurrence(o) for o in listed], changes


def editor_view(doc: Document, languages: list[str]) -> EventForEditors:
    occurrences, changes = _occurrences(doc)
    imported = doc.get("import")
    return EventForEditors(
        id=doc["_id"], city=doc["city"], organisation=doc["organisation"], status=doc["status"],
        revision=doc["revision"], source_revision=translations_of(doc).source_revision, kind=doc["kind"],
        source_language=doc["source_language"], texts=source_texts(doc), body=body_of(doc),
        translations=languages_of(doc, languages), occurrences=occurrences, changes=changes,
        imported={"source": imported["source"], "uid": imported["uid"]} if imported else None,
        first_start=doc["first_start"], last_end=doc.get("last_end"), created_at=doc["created_at"],
        updated_at=doc["updated_at"],
    )  # fmt: skip


def _row(doc: Document, languages: list[str]) -> EventRow:
    return EventRow(
        id=doc["_id"], organisation=doc["organisation"], status=doc["status"], kind=doc["kind"],
        title=doc["texts"]["title"], source_language=doc["source_language"], first_start=doc["first_start"],
        last_end=doc.get("last_end"), recurring=bool(doc["schedule"].get("rrule") or doc["schedule"].get("rdates")),
        imported="import" in doc, translations=languages_of(doc, languages), updated_at=doc["updated_at"],
    )  # fmt: skip


def _scope(principal: Principal, city: str, organisation: str | None) -> dict[str, Any]:
    scope: dict[str, Any] = workbench_scope(principal, city)
    if organisation and "organisation" not in scope:
        scope["organisation"] = organisation
    return scope


@router.get("/events", summary="Your events in any status, most recently changed first (editors)")
async def list_for_editors(
    city: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store, page: Pagination,
    status: StatusFilter = None, kind: AgendaItemKind | None = None,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[EventRow]:  # fmt: skip
    """Editors see their organisation's events; admins and translators every event of the city, or one
    organisation's with `organisation`."""
    config = runtime.cities.require(city)
    query: dict[str, Any] = {"city": city, **_scope(principal, city, organisation)}
    if status:
        query["status"] = status
    if kind:
        query["kind"] = kind.value
    total = await store.collection.count_documents(query)
    docs = await store.collection.find(
        query, sort=[("updated_at", -1), ("_id", 1)], skip=page.offset, limit=page.limit
    ).to_list()
    return Page.of([_row(d, config.languages) for d in docs], total, page)


@router.get("/events/{event_id}", summary="One event as stored, with every language's translation")
async def get_for_editors(
    city: str, event_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store
) -> EventForEditors:
    config = runtime.cities.require(city)
    doc = await store.get(city, event_id)
    forbid_unless(may_translate(principal, doc), "Only the organisers and the city's translators see this")
    return await asyncio.to_thread(editor_view, doc, config.languages)


@router.get("/events/{event_id}/versions", summary="Every revision of the event's source texts")
async def versions(
    city: str, event_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store
) -> list[TextVersion]:
    """Newest first, so a translator sees what changed since the revision they translated from."""
    runtime.cities.require(city)
    doc = await store.get(city, event_id)
    forbid_unless(may_translate(principal, doc), "Only the organisers and the city's translators see this")
    return [TextVersion(**v) for v in await store.history.of(event_id)]


@router.get("/translations", summary="What needs translating, per language, most asked-for first")
async def dashboard(city: str, principal: CurrentPrincipal, services: ServicesDep) -> dict[str, Any]:
    """Every event still to come (drafts included) whose text is missing, outdated or unpublished in a
    language: most asked-for in that language first (readers who wanted it and got another), then the
    most viewed, then published before drafts, then the soonest."""
    config = services.runtime.cities.require(city)
    query = {"city": city, "status": {"$in": NEEDS_TRANSLATING}, **workbench_scope(principal, city)}
    fields = ["kind", "status", "translations", "texts.title", "schedule", "overrides", "organisation"]
    docs = await services.events.collection.find(
        query, projection=fields, limit=MAX_DASHBOARD_EVENTS
    ).to_list()
    demand = await services.demand.of_city(city)
    rows: dict[str, list[dict[str, Any]]] = {language: [] for language in config.languages}
    soon = await asyncio.to_thread(lambda: {d["_id"]: _soonest(d) for d in docs})
    for doc in docs:
        wanted = demand.get(doc["_id"], {})
        for language, reason in translations_of(doc).needs_work(config.languages).items():
            row = {
                "id": doc["_id"], "kind": doc["kind"], "status": doc["status"], "title": doc["texts"]["title"],
                "organisation": doc["organisation"], "reason": reason, "next_start": soon[doc["_id"]],
                "demand": wanted.get("languages", {}).get(language, 0), "views": wanted.get("views", 0),
            }  # fmt: skip
            rows[language].append(row)
    far = datetime.max.replace(tzinfo=UTC)
    first = (lambda r: r["status"] != PUBLISHED, lambda r: r["next_start"] or far)
    return {"city": city, "languages": by_language(rows, *first)}


def _soonest(doc: Document) -> datetime | None:
    try:
        return next_start(doc)
    except sched.TooMuchWork:
        return None
