"""HTTP routes for events and courses: create, edit, translate, move or cancel occurrences, list, read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header
from witaj.events import schedule as sched
from witaj.events.auth import editor_guard, may_edit, organisation_for, translator_guard
from witaj.events.deps import EventsOn, Lang, Registrations, RuntimeDep, Store
from witaj.events.documents import PUBLISHED, localise, public_place, schedule_of, translations_of
from witaj.events.listing import FiltersDep, candidates, expand_all
from witaj.events.schemas import (
    AgendaItemCreate,
    AgendaItemPublic,
    OccurrenceChange,
    OccurrencePublic,
    TranslationUpdate,
)
from witaj.events.store import AgendaStore
from witaj.shared.auth import CurrentPrincipal, MaybePrincipal, forbid_unless
from witaj.shared.envelope import wrap
from witaj.shared.errors import ERROR_RESPONSES, NotFound
from witaj.shared.events import AgendaItemViewed
from witaj.shared.languages import LanguageChoice
from witaj.shared.mongo import Document
from witaj.shared.runtime import Runtime
from witaj.shared.topics import USAGE
from witaj.shared.web import Page, Pagination, SessionId, session_of

router = APIRouter(
    prefix="/cities/{city}/events", tags=["events"], responses=ERROR_RESPONSES, dependencies=[EventsOn]
)


AcceptLanguage = Annotated[str | None, Header(max_length=500)]


def occurrence_out(
    doc: Document, occurrence: sched.Occurrence, choice: LanguageChoice, texts: dict[str, str]
) -> OccurrencePublic:
    return OccurrencePublic(
        event_id=doc["_id"],
        occurrence=occurrence.key,
        start=occurrence.start,
        end=occurrence.end,
        cancelled=occurrence.cancelled,
        note=occurrence.note,
        kind=doc["kind"],
        organisation=doc["organisation"],
        title=(occurrence.title if choice.language == doc["source_language"] else None) or texts["title"],
        language=choice.language,
        fallback=choice.fallback,
        rtl=choice.rtl,
        free=doc["cost"]["free"],
        online=bool(doc["place"].get("online_url")),
        address=doc["place"].get("address"),
    )


def event_out(runtime: Runtime, doc: Document, lang: str | None, accept: str | None) -> AgendaItemPublic:
    choice, texts = localise(runtime, doc, lang, accept)
    place = public_place(doc)
    now = datetime.now(UTC)
    upcoming = sched.expand(
        schedule_of(doc), doc.get("overrides") or {}, now, now + timedelta(days=400), limit=20
    )
    return AgendaItemPublic(
        id=doc["_id"],
        city=doc["city"],
        status=doc["status"],
        revision=doc["revision"],
        kind=doc["kind"],
        organisation=doc["organisation"],
        language=choice.language,
        requested_language=choice.requested,
        fallback=choice.fallback,
        rtl=choice.rtl,
        texts=texts,  # type: ignore[arg-type]
        available_languages=translations_of(doc).published_languages(),
        topics=doc["topics"],
        target_groups=doc["target_groups"],
        languages_of_instruction=doc["languages_of_instruction"],
        cost=doc["cost"],
        place=place,  # type: ignore[arg-type]
        capacity=doc.get("capacity"),
        registration=doc["registration"],
        schedule=doc["schedule"],
        occurrences=[occurrence_out(doc, o, choice, texts) for o in upcoming],
        imported_uid=(doc.get("import") or {}).get("uid"),
    )


@router.post("", status_code=201, summary="Create an event or course for your organisation")
async def create_event(
    city: str, body: AgendaItemCreate, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store
) -> AgendaItemPublic:
    config = runtime.cities.require(city)
    runtime.cities.check_topics(city, body.topics)
    organisation = organisation_for(principal, city, body.organisation)
    doc = AgendaStore.build(city, body, organisation, config.timezone, principal.subject)
    await store.create(doc)
    return event_out(runtime, doc, None, None)


@router.get("", summary="Occurrences in a date range, recurrences expanded, filtered and localised")
async def list_events(
    city: str, where: FiltersDep, page: Pagination, runtime: RuntimeDep, store: Store,
    lang: Lang = None, accept_language: AcceptLanguage = None,
) -> Page[OccurrencePublic]:  # fmt: skip
    runtime.cities.require(city)
    found = await expand_all(await candidates(store, city, where), where)
    chosen = found[page.offset : page.offset + page.limit]
    items = []
    for doc, occurrence in chosen:
        choice, texts = localise(runtime, doc, lang, accept_language)
        items.append(occurrence_out(doc, occurrence, choice, texts))
    return Page.of(items, len(found), page)


@router.get("/{event_id}", summary="One event with its next occurrences")
async def get_event(
    city: str, event_id: str, runtime: RuntimeDep, store: Store, registrations: Registrations,
    principal: MaybePrincipal, lang: Lang = None, accept_language: AcceptLanguage = None,
    x_session_id: SessionId = None,
) -> AgendaItemPublic:  # fmt: skip
    runtime.cities.require(city)
    doc = await store.get(city, event_id)
    if doc["status"] != PUBLISHED and not (principal and may_edit(principal, doc)):
        raise NotFound(f"The event '{event_id}' in '{city}'")
    result = event_out(runtime, doc, lang, accept_language)
    full = await registrations.full(doc, [o.occurrence for o in result.occurrences])
    result.full = full.get(None)
    for occurrence in result.occurrences:
        occurrence.full = full.get(occurrence.occurrence)
    viewed = AgendaItemViewed(
        event_id=event_id, language=result.language, requested_language=result.requested_language,
        fallback=result.fallback, event_kind=doc["kind"], organisation=doc["organisation"],
        topics=doc["topics"], session=session_of(x_session_id),
    )  # fmt: skip
    runtime.publisher.fire_and_forget(
        USAGE, wrap(viewed, source="witaj/events", city=city, subject=event_id), key=city.encode()
    )
    return result


@router.put("/{event_id}", summary="Replace an event's content (your organisation's only)")
async def update_event(
    city: str,
    event_id: str,
    body: AgendaItemCreate,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    store: Store,
) -> AgendaItemPublic:
    config = runtime.cities.require(city)
    runtime.cities.check_topics(city, body.topics)
    current = await store.get(city, event_id)
    forbid_unless(may_edit(principal, current), "Only the organising organisation may change this event")
    new = AgendaStore.build(city, body, current["organisation"], config.timezone, principal.subject)
    if body.organisation and principal.may_administer_city(city):
        new["organisation"] = body.organisation
    doc = await store.replace(city, event_id, new, minor=body.minor_edit, guard=editor_guard(principal))
    return event_out(runtime, doc, None, None)


@router.put("/{event_id}/translations/{language}", summary="Set one language's text and translation state")
async def translate_event(
    city: str,
    event_id: str,
    language: str,
    body: TranslationUpdate,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    store: Store,
) -> AgendaItemPublic:
    config = runtime.cities.require(city)
    if language not in config.languages:
        raise NotFound(f"The language '{language}' in '{city}'")

    guard = translator_guard(principal, body.state)
    doc = await store.translate(city, event_id, language, body, by=principal.subject, guard=guard)
    return event_out(runtime, doc, language, None)


@router.patch("/{event_id}/occurrences/{occurrence}", summary="Move or cancel one occurrence")
async def change_occurrence(
    city: str,
    event_id: str,
    occurrence: datetime,
    body: OccurrenceChange,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    store: Store,
) -> AgendaItemPublic:
    runtime.cities.require(city)
    key = occurrence if occurrence.tzinfo else occurrence.replace(tzinfo=UTC)
    doc = await store.change_occurrence(city, event_id, key, body, guard=editor_guard(principal))
    return event_out(runtime, doc, None, None)


@router.post("/{event_id}/cancel", status_code=204, summary="Cancel the whole event; registrants are told")
async def cancel_event(
    city: str, event_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store
) -> None:
    runtime.cities.require(city)
    await store.cancel(city, event_id, guard=editor_guard(principal))
