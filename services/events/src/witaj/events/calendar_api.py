"""iCalendar routes: a feed per city with the listing's filters, and imports by upload or from a URL.

An import belongs to one organisation and one source ("upload" or a configured calendar's name). It
matches events by UID: new ones are created, changed ones updated (fields the calendar does not carry,
such as capacity, topics set in Witaj or translations, are kept), unchanged ones left alone, and events
that vanished from the source are cancelled, which tells their registrants. One transaction does it all.
An event of the file that cannot be imported is reported in `errors` and its stored copy left alone.

Calendar URLs are fetched through `witaj.shared.outbound` (never a private address, a deadline and a
size cap), and what a fetched calendar says is never repeated in an error message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.types import Scope
from witaj.events.auth import organisation_for
from witaj.events.deps import EventsOn, Lang, RuntimeDep, Services, ServicesDep, Store
from witaj.events.documents import CANCELLED, localise
from witaj.events.ical import ImportedEvent, ParsedCalendar, parse, render
from witaj.events.listing import FiltersDep, candidates, expand_all
from witaj.events.schemas import (
    AgendaItemCreate,
    CalendarSourcePublic,
    CalendarSourceUpdate,
    Cost,
    ImportProblem,
    ImportResult,
    RegistrationRules,
)
from witaj.events.settings import EventsSettings
from witaj.events.store import AgendaStore
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import ERROR_RESPONSES, ApiError, NotFound
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session
from witaj.shared.outbound import OutboundClient
from witaj.shared.runtime import Runtime

log = get_logger(__name__)
router = APIRouter(
    prefix="/cities/{city}", tags=["icalendar"], responses=ERROR_RESPONSES, dependencies=[EventsOn]
)
CALENDAR_FIELDS = ("texts", "schedule", "place", "overrides", "kind")
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SourceName = Annotated[str, Query(min_length=1, max_length=60, pattern=SOURCE_PATTERN)]
SourcePath = Annotated[str, Path(min_length=1, max_length=60, pattern=SOURCE_PATTERN)]


def calendar_client(settings: EventsSettings) -> OutboundClient:
    """The one way calendar URLs are fetched (see `witaj.shared.outbound`)."""
    limits = {
        "deadline": settings.agenda.import_timeout_seconds,
        "max_bytes": settings.agenda.max_import_bytes,
    }
    return OutboundClient("calendar", settings.outbound, user_agent="Witaj-Calendar-Import/1", **limits)


UPLOAD_PATH = re.compile(r"^/cities/[^/]+/events/import$")


def body_limit(settings: EventsSettings) -> Callable[[Scope], int]:
    """An uploaded calendar may be as large as a fetched one (`agenda.max_import_bytes`, which editors
    are told); every other request keeps the service's smaller limit."""
    calendars, others = settings.agenda.max_import_bytes, settings.service.max_body_bytes

    def limit(scope: Scope) -> int:
        upload = scope.get("method") == "POST" and UPLOAD_PATH.match(str(scope.get("path", "")))
        return calendars if upload else others

    return limit


@router.get("/events.ics", summary="iCalendar feed of the city's events, with the listing's filters")
async def feed(
    city: str, where: FiltersDep, runtime: RuntimeDep, store: Store, lang: Lang = None
) -> Response:
    config = runtime.cities.require(city)
    docs = await candidates(store, city, where)
    in_window = {doc["_id"]: doc for doc, _ in await expand_all(docs, where)}
    full = await store.collection.find({"_id": {"$in": list(in_window)}}).to_list()
    localised = []
    for doc in full:
        choice, texts = localise(runtime, doc, lang, None)
        localised.append((doc, texts, choice.language == doc["source_language"]))
    base = runtime.settings.service.public_url or ""
    body = render(localised, name=f"Witaj {config.name}", base_url=base)
    return Response(body, media_type="text/calendar; charset=utf-8")


def _event_in(item: ImportedEvent, current: Document | None, source_language: str) -> AgendaItemCreate:
    """The calendar's fields, and for a known event everything else as it is stored now."""
    keep: dict[str, Any] = {}
    if current is not None:
        keep = {
            "topics": current["topics"], "target_groups": current["target_groups"],
            "languages_of_instruction": current["languages_of_instruction"], "capacity": current.get("capacity"),
            "cost": Cost(**current["cost"]), "registration": RegistrationRules(**current["registration"]),
        }  # fmt: skip
        source_language = current["source_language"]
    texts = item.texts
    if current is not None:
        texts = texts.model_copy(
            update={"accessibility_notes": current["texts"].get("accessibility_notes", "")}
        )
    return AgendaItemCreate(
        kind=item.kind, source_language=source_language, texts=texts, place=item.place, schedule=item.schedule,
        **({"topics": item.topics} | keep),
    )  # fmt: skip


async def apply_import(
    store: AgendaStore, city: str, organisation: str, source: str, items: list[ImportedEvent], *,
    language: str, timezone: str, by: str, skipped: set[str] | frozenset[str] = frozenset(),
) -> ImportResult:  # fmt: skip
    """`skipped`: UIDs of the file's events that could not be read, left as they are (not cancelled)."""

    async def work(session: Session) -> ImportResult:
        result = ImportResult()
        query = {"city": city, "import.source": f"{organisation}/{source}"}
        existing = {
            d["import"]["uid"]: d for d in await store.collection.find(query, session=session).to_list()
        }
        for item in items:
            current = existing.pop(item.uid, None)
            origin = {"source": f"{organisation}/{source}", "uid": item.uid}
            doc = AgendaStore.build(
                city, _event_in(item, current, language), organisation, timezone, by, imported=origin
            )
            doc["overrides"] = item.overrides
            if current is None:
                await store.insert(session, store.with_bounds(doc))
                result.created += 1
            elif current["status"] == CANCELLED or all(current.get(f) == doc.get(f) for f in CALENDAR_FIELDS):
                result.unchanged += 1
            else:
                await store.replace_in(session, current, doc, minor=False, overrides=item.overrides)
                result.updated += 1
        for uid, gone in existing.items():
            if gone["status"] != CANCELLED and uid not in skipped:
                await store.cancel_in(session, gone)
                result.cancelled += 1
        return result

    return await store.outbox.transaction(work)


async def import_calendar(
    runtime: Runtime, store: AgendaStore, city: str, owner: str, source: str, data: bytes, *, by: str,
    fetched: bool = False,
) -> ImportResult:  # fmt: skip
    """Parse completely, then apply in one transaction: a file that is not a calendar changes nothing.

    Parsing expands every recurrence to check it, so it runs in a worker thread (bounded in work by
    `ical.IMPORT_WORK_LIMIT`) while the event loop goes on serving. `fetched`: the data came from a URL,
    so messages must not repeat it."""
    config = runtime.cities.require(city)
    parsed: ParsedCalendar = await asyncio.to_thread(
        parse, data, timezone=config.timezone, city_name=config.name, quote=not fetched
    )
    known = runtime.cities.topics(city)
    if known is not None:  # a calendar's categories are free text: keep only the city's topics
        for item in parsed.events:
            item.topics = [topic for topic in item.topics if topic in known]
    result = await apply_import(
        store, city, owner, source, parsed.events, language=config.default_language,
        timezone=config.timezone, by=by, skipped=parsed.skipped,
    )  # fmt: skip
    result.errors = [ImportProblem(**p.public(quote=not fetched)) for p in parsed.problems[:100]]
    return result


async def _import(
    services: Services, city: str, data: bytes, source: str, organisation: str | None, principal: Any
) -> ImportResult:
    services.runtime.cities.require(city)
    owner = organisation_for(principal, city, organisation)
    return await import_calendar(
        services.runtime, services.events, city, owner, source, data, by=principal.subject
    )


async def sync_sources(runtime: Runtime, store: AgendaStore, calendars: OutboundClient) -> int:
    """Re-import every configured calendar URL. A failing source (whatever fails) is recorded and
    skipped until next time; the others are synced all the same."""
    synced = 0
    sources = runtime.db["calendar_sources"]
    async for source in sources.find({}, limit=1000):
        if runtime.cities.get(source["city"]) is None:
            continue
        update: dict[str, Any]
        try:
            data = await calendars.get(source["url"])
            result = await import_calendar(
                runtime, store, source["city"], source["organisation"], source["name"], data,
                by="calendar-sync", fetched=True,
            )  # fmt: skip
            update = _succeeded(result)
            synced += 1
        except ApiError as exc:
            update = _failed(exc)
            log.warning("events.calendar_sync_failed", source=source["_id"], code=exc.code)
        except Exception as exc:
            failure = "The calendar could not be synced because of an internal error"
            update = _failed(ApiError(500, "calendar_sync_failed", failure))
            log.warning("events.calendar_sync_failed", source=source["_id"], error=type(exc).__name__)
        await sources.update_one({"_id": source["_id"]}, {"$set": update})
    return synced


def _succeeded(result: ImportResult) -> dict[str, Any]:
    return {
        "last_synced_at": datetime.now(UTC), "last_error": None, "last_error_code": None,
        "last_result": result.model_dump(),
    }  # fmt: skip


def _failed(exc: ApiError) -> dict[str, Any]:
    return {"last_error": exc.message, "last_error_code": exc.code}


@router.post("/events/import", summary="Import an uploaded iCalendar file (body: text/calendar)")
async def import_upload(
    city: str, request: Request, services: ServicesDep, principal: CurrentPrincipal,
    source: SourceName = "upload", organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> ImportResult:  # fmt: skip
    return await _import(services, city, await request.body(), source, organisation, principal)


@router.put(
    "/calendar-sources/{name}", status_code=204, summary="Configure a calendar URL for your organisation"
)
async def configure_source(
    city: str, name: SourcePath, body: CalendarSourceUpdate, services: ServicesDep, principal: CurrentPrincipal,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> None:  # fmt: skip
    services.runtime.cities.require(city)
    owner = organisation_for(principal, city, organisation)
    await services.calendars.check(body.url)  # 422 for a malformed URL or one leading inside
    await services.runtime.db["calendar_sources"].update_one(
        {"_id": f"{city}/{owner}/{name}"},
        {"$set": {"city": city, "organisation": owner, "name": name, "url": body.url}},
        upsert=True,
    )


@router.get("/calendar-sources", summary="Your organisation's calendar URLs and how their imports went")
async def list_sources(
    city: str, runtime: RuntimeDep, principal: CurrentPrincipal,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> list[CalendarSourcePublic]:  # fmt: skip
    """Editors see their organisation's; city admins one organisation's with `organisation`, or all."""
    runtime.cities.require(city)
    query: dict[str, Any] = {"city": city}
    if organisation or not principal.may_administer_city(city):
        query["organisation"] = organisation_for(principal, city, organisation)
    found = await runtime.db["calendar_sources"].find(query, sort=[("_id", 1)], limit=200).to_list()
    return [CalendarSourcePublic(**source) for source in found]


@router.post("/calendar-sources/{name}/import", summary="Fetch a configured calendar now and import it")
async def import_source(
    city: str, name: SourcePath, services: ServicesDep, principal: CurrentPrincipal,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> ImportResult:  # fmt: skip
    """How it went is kept with the source (see `GET /calendar-sources`), as after a scheduled sync."""
    services.runtime.cities.require(city)
    owner = organisation_for(principal, city, organisation)
    sources = services.runtime.db["calendar_sources"]
    source = await sources.find_one({"_id": f"{city}/{owner}/{name}"})
    if source is None:
        raise NotFound(f"The calendar source '{name}'")
    try:
        data = await services.calendars.get(source["url"])
        result = await import_calendar(
            services.runtime, services.events, city, owner, name, data, by=principal.subject, fetched=True
        )
    except ApiError as exc:
        await sources.update_one({"_id": source["_id"]}, {"$set": _failed(exc)})
        raise
    await sources.update_one({"_id": source["_id"]}, {"$set": _succeeded(result)})
    return result
