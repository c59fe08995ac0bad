"""XLIFF 2.0 export and import of one city's translations into one language.

No maintained Python library reads and writes XLIFF 2.0 (translate-toolkit speaks 1.2), so the
document is built with ElementTree and parsed with defusedxml, which refuses entity bombs and external
entities. Each item is a `<file>` whose `original` carries the source revision; each translatable text
is a `<unit>` named by its field path. On import every unit is checked against the current source: an
unknown item or unit, a changed source revision or an edited `<source>` rejects that item's file whole,
and the report says why; the valid files are applied together in one transaction. A document naming an
item the caller may not translate is refused whole (403).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from fastapi import APIRouter, Request, Response
from witaj.content import access
from witaj.content.store import (
    MAX_TRANSLATED_CHARS,
    NOT_ARCHIVED,
    ItemStore,
    source_texts,
    translations_of,
)
from witaj.content.workbench import after_write, city_language
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import ApiError, BadRequest
from witaj.shared.mongo import Document, Session
from witaj.shared.runtime import Runtime
from witaj.shared.translations import ALLOWED, TranslationState

NS = "urn:oasis:names:tc:xliff:document:2.0"
MAX_FILES = 2_000
router = APIRouter(prefix="/cities/{city}/workbench/translations", tags=["translation"])


def build_document(
    files: Iterable[tuple[str, str, Iterable[tuple[str, str, str | None]]]], source: str, target: str
) -> bytes:
    """An XLIFF 2.0 document: each file as (id, original, units), each unit as (id, source text, target
    text or None). Witaj's other translatable texts (notification messages) are exchanged the same way."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}xliff", {"version": "2.0", "srcLang": source, "trgLang": target})
    for file_id, original, units in files:
        file = ET.SubElement(root, f"{{{NS}}}file", {"id": file_id, "original": original})
        for unit_id, text, translated in units:
            unit = ET.SubElement(file, f"{{{NS}}}unit", {"id": unit_id})
            segment = ET.SubElement(unit, f"{{{NS}}}segment")
            ET.SubElement(segment, f"{{{NS}}}source").text = text
            if translated is not None:
                ET.SubElement(segment, f"{{{NS}}}target").text = translated
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_document(docs: list[Document], source: str, target: str) -> bytes:
    def units(doc: Document) -> Iterator[tuple[str, str, str | None]]:
        existing = translations_of(doc).get(target).fields
        for path, text in source_texts(doc).items():
            yield path, text, existing.get(path)

    return build_document(
        ((f"f{doc['_id']}", f"{doc['kind']}/{doc['_id']}/r{doc['revision']}", units(doc)) for doc in docs),
        source,
        target,
    )


@router.get("/{language}/xliff", summary="Export what needs translating into a language as XLIFF 2.0")
async def export(
    city: str, language: str, principal: CurrentPrincipal, request: Request, source: str | None = None
) -> Response:
    scope = access.workbench_scope(principal, city)
    languages = city_language(request, city, language).languages
    runtime: Runtime = request.app.state.runtime
    source = source or runtime.cities.require(city).default_language
    if source == language:
        raise BadRequest("The target language is the source language", code="same_language")
    store: ItemStore = request.app.state.item_store
    query = {"city": city, "status": NOT_ARCHIVED, "translations.source_language": source, **scope}
    docs = [
        d
        for d in await store.items.find(query, limit=MAX_FILES).to_list()
        if language in translations_of(d).needs_work(languages)
    ]
    body = export_document(docs, source, language)
    filename = f"witaj-{city}-{source}-{language}.xlf"
    return Response(
        body,
        media_type="application/xliff+xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def parse_document(raw: bytes, language: str) -> tuple[ET.Element, str]:
    """A safely parsed XLIFF 2.0 document into `language`, and its source language (400 otherwise)."""
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise BadRequest(f"The file is not well-formed XLIFF: {exc}", code="invalid_xliff") from None
    if root.tag != f"{{{NS}}}xliff" or root.get("version") != "2.0":
        raise BadRequest("Only XLIFF 2.0 documents are accepted", code="invalid_xliff")
    if root.get("trgLang") != language or not root.get("srcLang"):
        raise BadRequest(f"The document's trgLang must be '{language}'", code="language_mismatch")
    return root, str(root.get("srcLang"))


def unit_texts(unit: ET.Element) -> tuple[str | None, str | None]:
    """A unit's source text and its translation (None where either is absent, or the target is blank)."""
    source = unit.find(f"{{{NS}}}segment/{{{NS}}}source")
    target = unit.find(f"{{{NS}}}segment/{{{NS}}}target")
    translated = "".join(target.itertext()) if target is not None else None
    return (
        "".join(source.itertext()) if source is not None else None,
        translated if translated is not None and translated.strip() else None,
    )


def _check_file(
    file: ET.Element, doc: Document | None, source: str
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The file's translated texts, or why it is rejected (a list of problems per unit)."""
    original = file.get("original", "")
    if doc is None:
        return {}, [{"file": original, "unit": None, "reason": "unknown_item"}]
    problems = []
    if original != f"{doc['kind']}/{doc['_id']}/r{doc['revision']}":
        problems.append({"file": original, "unit": None, "reason": "source_changed"})
    if translations_of(doc).source_language != source:
        problems.append({"file": original, "unit": None, "reason": "source_language_mismatch"})
    expected = source_texts(doc)
    targets: dict[str, str] = {}
    for unit in file.iter(f"{{{NS}}}unit"):
        path = unit.get("id", "")
        source_text, text = unit_texts(unit)
        if path not in expected:
            problems.append({"file": original, "unit": path, "reason": "unknown_unit"})
        elif source_text != expected[path]:
            problems.append({"file": original, "unit": path, "reason": "source_mismatch"})
        elif text is not None:
            if len(text) > MAX_TRANSLATED_CHARS:
                problems.append({"file": original, "unit": path, "reason": "too_long"})
            targets[path] = text
    return targets, problems


@router.post(
    "/{language}/xliff", summary="Import translations from XLIFF 2.0; a report says what was refused"
)
async def import_xliff(
    city: str, language: str, principal: CurrentPrincipal, request: Request
) -> dict[str, Any]:
    access.require_workbench(principal, city)
    city_language(request, city, language)
    root, source = parse_document(await request.body(), language)
    files = root.findall(f"{{{NS}}}file")
    if not files or len(files) > MAX_FILES:
        raise BadRequest(f"A document carries 1 to {MAX_FILES} files", code="invalid_xliff")
    store: ItemStore = request.app.state.item_store
    ids = [f.get("id", "").removeprefix("f") for f in files]
    docs = {d["_id"]: d for d in await store.items.find({"_id": {"$in": ids}, "city": city}).to_list()}
    forbidden = [
        f.get("original")
        for f, i in zip(files, ids, strict=True)
        if i in docs and not access.may_translate(principal, docs[i])
    ]
    if forbidden:  # a question of who is asking, not of the file: nothing is imported
        raise ApiError(
            403, "forbidden", "The document has items you may not translate; nothing was imported",
            details={"files": forbidden[:50]},
        )  # fmt: skip
    accepted: list[tuple[Document, dict[str, str]]] = []
    rejected: list[dict[str, Any]] = []
    for file, item_id in zip(files, ids, strict=True):
        doc = docs.get(item_id)
        targets, problems = _check_file(file, doc, source)
        if problems or doc is None:
            rejected.extend(problems)
        elif targets:
            accepted.append((doc, targets))

    async def work(session: Session) -> list[Document]:
        written = []
        for doc, targets in accepted:
            current = await store.get(city, doc["_id"], session)
            translation = translations_of(current).get(language)
            fields = {**translation.fields, **targets}
            done = TranslationState.TRANSLATED
            if translation.state is not done and done not in ALLOWED[translation.state]:
                # Imported text is new work: it passes through "in translation" as a translator's would.
                current = await store.translate_in(
                    session,
                    current,
                    language,
                    state=TranslationState.IN_TRANSLATION,
                    fields=fields,
                    by=principal.subject,
                )
            written.append(
                await store.translate_in(
                    session,
                    current,
                    language,
                    state=TranslationState.TRANSLATED,
                    fields=fields,
                    by=principal.subject,
                )
            )
        return written

    try:
        written = await store.outbox.transaction(work) if accepted else []
    except ApiError as exc:
        raise ApiError(
            409, "import_failed", f"Nothing was imported: {exc.message}", details=exc.details
        ) from None
    for doc in written:
        await after_write(request, doc)
    return {
        "applied": [{"item_id": d["_id"], "units": len(t)} for d, t in accepted],
        "rejected": rejected,
    }
