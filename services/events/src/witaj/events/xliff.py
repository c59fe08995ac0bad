"""XLIFF 2.0 export and import of a city's event texts in one language, as content's (`witaj.shared.xliff`).

Each event still to come is a `<file>` whose `original` is `event/<id>/r<source revision>`; its title,
description and accessibility notes are `<unit>`s. An import checks each file against the event as it is
now, refuses whole any document naming an event the caller may not translate (403), and applies the rest
in one transaction: imported text becomes "translated", for an editor of the event to publish.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from witaj.events.auth import may_translate, workbench_scope
from witaj.events.deps import EventsOn, RuntimeDep, Store
from witaj.events.documents import NEEDS_TRANSLATING, source_texts, translations_of
from witaj.events.schemas import TEXT_LIMITS
from witaj.shared import xliff
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import ERROR_RESPONSES, BadRequest, NotFound
from witaj.shared.events import CityConfig
from witaj.shared.mongo import Document, Session

router = APIRouter(
    prefix="/cities/{city}/workbench/translations",
    tags=["translation"],
    responses=ERROR_RESPONSES,
    dependencies=[EventsOn],
)


def source_of(doc: Document, target: str) -> xliff.Source:
    translations = translations_of(doc)
    return xliff.Source(
        item_id=doc["_id"],
        original=xliff.original("event", doc["_id"], translations.source_revision),
        source_language=doc["source_language"],
        texts=source_texts(doc),
        targets=translations.get(target).fields,
    )


def _language(config: CityConfig, language: str) -> None:
    if language not in config.languages:
        raise NotFound(f"The language '{language}' in '{config.id}'")


@router.get("/{language}/xliff", summary="Export the events' texts that need translating, as XLIFF 2.0")
async def export(
    city: str, language: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store,
    source: Annotated[str | None, Query(max_length=12, description="Default: the city's language")] = None,
) -> Response:  # fmt: skip
    config = runtime.cities.require(city)
    _language(config, language)
    source = source or config.default_language
    if source == language:
        raise BadRequest("The target language is the source language", code="same_language")
    query = {
        "city": city, "status": {"$in": NEEDS_TRANSLATING}, "source_language": source,
        **workbench_scope(principal, city),
    }  # fmt: skip
    docs = [
        doc
        for doc in await store.collection.find(query, limit=xliff.MAX_FILES).to_list()
        if language in translations_of(doc).needs_work(config.languages)
    ]
    body = xliff.export_document((source_of(d, language) for d in docs), source, language)
    disposition = xliff.attachment(city, source, language, prefix="witaj-events")
    return Response(body, media_type=xliff.MEDIA_TYPE, headers={"Content-Disposition": disposition})


@router.post("/{language}/xliff", summary="Import event translations from XLIFF 2.0, with a report")
async def import_xliff(
    city: str, language: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: Store, request: Request
) -> xliff.ImportReport:
    """Body: an XLIFF 2.0 document. Answers `applied` (events translated, with how many texts) and
    `rejected` (each refused file or unit, with why)."""
    config = runtime.cities.require(city)
    _language(config, language)
    workbench_scope(principal, city)
    document = xliff.parse(await request.body(), language)
    ids = document.item_ids
    docs = {d["_id"]: d for d in await store.collection.find({"_id": {"$in": ids}, "city": city}).to_list()}
    xliff.refuse_forbidden(document, docs, lambda doc: may_translate(principal, doc))
    accepted, rejected = xliff.sort_files(document, docs, lambda doc: source_of(doc, language), TEXT_LIMITS)

    async def reload(session: Session, doc: Document) -> Document:
        return await store.get(city, doc["_id"], session)

    await xliff.apply(
        store.outbox, accepted, language, by=principal.subject, reload=reload, translate=store.translate_in
    )
    return xliff.report([(d["_id"], len(t)) for d, t in accepted], rejected)
