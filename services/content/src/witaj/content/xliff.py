"""XLIFF 2.0 export and import of one city's translations into one language (see `witaj.shared.xliff`).

Each item is a `<file>` whose `original` carries the item's kind and revision; each translatable text is
a `<unit>` named by its field path. The valid files of an import are applied together in one
transaction, and the report says what was refused, unit by unit. A document naming an item the caller
may not translate is refused whole (403).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from witaj.content import access
from witaj.content.deps import ServicesDep
from witaj.content.store import (
    MAX_TRANSLATED_CHARS,
    NOT_ARCHIVED,
    source_texts,
    translations_of,
)
from witaj.content.writing import after_write, city_language
from witaj.shared import xliff
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import BadRequest
from witaj.shared.mongo import Document, Session

router = APIRouter(prefix="/cities/{city}/workbench/translations", tags=["translation"])


def source_of(doc: Document, target: str) -> xliff.Source:
    return xliff.Source(
        item_id=doc["_id"],
        original=xliff.original(doc["kind"], doc["_id"], doc["revision"]),
        source_language=translations_of(doc).source_language,
        texts=source_texts(doc),
        targets=translations_of(doc).get(target).fields,
    )


@router.get(
    "/{language}/xliff",
    summary="Export what needs translating into a language as XLIFF 2.0",
    response_class=Response,
    responses={200: {"content": {xliff.MEDIA_TYPE: {}}, "description": "An XLIFF 2.0 document"}},
)
async def export(
    city: str, language: str, principal: CurrentPrincipal, services: ServicesDep, source: str | None = None
) -> Response:
    scope = access.workbench_scope(principal, city)
    languages = city_language(services, city, language).languages
    runtime = services.runtime
    source = source or runtime.cities.require(city).default_language
    if source == language:
        raise BadRequest("The target language is the source language", code="same_language")
    store = services.items
    query = {"city": city, "status": NOT_ARCHIVED, "translations.source_language": source, **scope}
    docs = [
        d
        for d in await store.items.find(query, limit=xliff.MAX_FILES).to_list()
        if language in translations_of(d).needs_work(languages)
    ]
    body = xliff.export_document((source_of(d, language) for d in docs), source, language)
    return Response(
        body,
        media_type=xliff.MEDIA_TYPE,
        headers={"Content-Disposition": xliff.attachment(city, source, language)},
    )


@router.post(
    "/{language}/xliff", summary="Import translations from XLIFF 2.0; a report says what was refused"
)
async def import_xliff(
    city: str, language: str, principal: CurrentPrincipal, request: Request, services: ServicesDep
) -> xliff.ImportReport:
    access.require_workbench(principal, city)
    city_language(services, city, language)
    document = xliff.parse(await request.body(), language)
    store = services.items
    ids = document.item_ids
    docs = {d["_id"]: d for d in await store.items.find({"_id": {"$in": ids}, "city": city}).to_list()}
    xliff.refuse_forbidden(document, docs, lambda doc: access.may_translate(principal, doc))
    accepted, rejected = xliff.sort_files(
        document, docs, lambda doc: source_of(doc, language), MAX_TRANSLATED_CHARS
    )

    async def reload(session: Session, doc: Document) -> Document:
        return await store.get(city, doc["_id"], session)

    written = await xliff.apply(
        store.outbox, accepted, language, by=principal.subject, reload=reload, translate=store.translate_in
    )
    for doc in written:
        await after_write(services, doc)
    return xliff.report([(d["_id"], len(t)) for d, t in accepted], rejected)
