"""Machine drafts of translations, off unless a LibreTranslate-compatible server is configured.

A machine's text is only a start: it is stored as a *draft* marked `machine_translated`, with the source
revision it was made from, and reaches readers only through the usual review and publishing. A
translation that is reviewed or published, or that a person wrote, is replaced only when the caller says
`overwrite`. The server is asked before anything is written, and the write checks the source did not
change meanwhile, so an error, a time-out or a concurrent edit leaves the item as it was.

The city must have the `machine_translation` feature (off by default: texts leave the platform for the
server; 404 while it is off), and the deployment must name a server (`WITAJ_CONTENT_MACHINE_TRANSLATION__URL`).
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from witaj.content import access
from witaj.content.deps import ServicesDep
from witaj.content.schemas import MachineDraftCreate, WorkbenchItemPublic
from witaj.content.store import source_texts, translations_of
from witaj.content.writing import after_write, city_language, respond
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.cities import require_feature
from witaj.shared.errors import ApiError, Conflict, ErrorResponse
from witaj.shared.events import Feature
from witaj.shared.mongo import Document, Session
from witaj.shared.translations import Translation, TranslationState

# ---------------------------------------------------------------------------------------------- HTTP


router = APIRouter(prefix="/cities/{city}/workbench", tags=["translation"])


def _refuse_to_replace(language: str, existing: Translation, overwrite: bool) -> None:
    if overwrite or existing.state is TranslationState.MISSING:
        return
    by_person = bool(existing.fields) and not existing.machine_translated
    if by_person or existing.state in (TranslationState.REVIEWED, TranslationState.PUBLISHED):
        who = " and was written by a person" if by_person else ""
        raise Conflict(
            f"The '{language}' translation is {existing.state.value}{who}; "
            "send overwrite: true to replace it with a machine draft",
            code="translation_exists",
            details={"state": existing.state.value, "machine_translated": existing.machine_translated},
        )


@router.post(
    "/items/{item_id}/translations/{language}/machine-draft",
    summary="Ask the machine translation server for a draft of this item in a language",
    responses={
        502: {"model": ErrorResponse, "description": "The machine translation server failed"},
        503: {"model": ErrorResponse, "description": "Machine translation is not configured"},
        504: {"model": ErrorResponse, "description": "The machine translation server did not answer in time"},
    },
)
async def machine_draft(
    city: str,
    item_id: str,
    language: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    response: Response,
    body: MachineDraftCreate | None = None,
) -> WorkbenchItemPublic:
    overwrite = body.overwrite if body else False
    config = city_language(services, city, language)
    store = services.items
    current = await store.get(city, item_id)
    access.require_translate(principal, current)
    require_feature(config, Feature.MACHINE_TRANSLATION)
    engine = services.machine_translator
    if engine is None:
        raise ApiError(
            503,
            "machine_translation_not_configured",
            "Machine translation is not configured on this deployment (no translation server is set)",
        )
    translations = translations_of(current)
    if language == translations.source_language:
        raise Conflict(f"'{language}' is the item's source language", code="source_language")
    _refuse_to_replace(language, translations.get(language), overwrite)
    texts = source_texts(current)
    limit = services.settings.machine_translation.max_chars
    if sum(len(text) for text in texts.values()) > limit:
        raise ApiError(
            413, "too_long_for_machine", f"Machine drafts are made for items of up to {limit} characters"
        )
    drafted = await engine.translate(
        list(texts.values()), source=translations.source_language, target=language
    )
    fields = dict(zip(texts, drafted, strict=True))

    async def work(session: Session) -> Document:
        latest = await store.get(city, item_id, session)
        _refuse_to_replace(language, translations_of(latest).get(language), overwrite)
        return await store.translate_in(
            session, latest, language, state=TranslationState.DRAFT, fields=fields, by=principal.subject,
            machine_translated=True, expected_revision=current["revision"],
        )  # fmt: skip

    doc = await store.outbox.transaction(work)
    await after_write(services, doc)
    return respond(response, doc, services)
