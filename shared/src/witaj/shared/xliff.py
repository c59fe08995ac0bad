"""XLIFF 2.0 documents of one language's translations, for content and events alike.

No maintained Python library reads and writes XLIFF 2.0 (translate-toolkit speaks 1.2), so documents are
built with ElementTree and parsed with defusedxml, which refuses entity bombs, external entities and
DTDs. Each item is a `<file>` whose `original` names the item and the source revision it was exported
from (`<kind>/<id>/r<revision>`); each translatable text is a `<unit>` named by its field path. On
import each file is checked against the item as it is now: an unknown item or unit, a changed source
revision or an edited `<source>` rejects that item's file whole, and the report says why, unit by unit.
A service applies the accepted files together, in one transaction, through `steps_to_translated`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from pydantic import BaseModel, Field
from witaj.shared.errors import ApiError, BadRequest
from witaj.shared.mongo import Document as Stored
from witaj.shared.mongo import Session
from witaj.shared.outbox import Outbox
from witaj.shared.translations import ALLOWED, TranslationState, translations_of

NS = "urn:oasis:names:tc:xliff:document:2.0"
MAX_FILES = 2_000
MEDIA_TYPE = "application/xliff+xml"
REASONS = (
    "unknown_item", "source_changed", "source_language_mismatch", "unknown_unit", "source_mismatch",
    "too_long",
)  # fmt: skip
"""Why a file or unit is refused; a frontend words each in its reader's language."""


@dataclass(frozen=True)
class Source:
    """One item as it is now: what its file must say to be accepted."""

    item_id: str
    original: str
    """`<kind>/<id>/r<source revision>`: a file exported from an older revision is refused."""
    source_language: str
    texts: dict[str, str]
    """The translatable texts by path."""
    targets: dict[str, str] = field(default_factory=dict)
    """The translation as it is (exported as `<target>`s, for the translator to revise)."""


def original(kind: str, item_id: str, revision: int) -> str:
    return f"{kind}/{item_id}/r{revision}"


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def build_document(
    files: Iterable[tuple[str, str, Iterable[tuple[str, str, str | None]]]], source: str, target: str
) -> bytes:
    """An XLIFF 2.0 document: each file as (id, original, units), each unit as (id, source text, target
    text or None). Content, events and Witaj's own texts (notification messages) are exchanged so."""
    ET.register_namespace("", NS)
    root = ET.Element(_tag("xliff"), {"version": "2.0", "srcLang": source, "trgLang": target})
    for file_id, named, units in files:
        file = ET.SubElement(root, _tag("file"), {"id": file_id, "original": named})
        for unit_id, text, translated in units:
            unit = ET.SubElement(file, _tag("unit"), {"id": unit_id})
            segment = ET.SubElement(unit, _tag("segment"))
            ET.SubElement(segment, _tag("source")).text = text
            if translated is not None:
                ET.SubElement(segment, _tag("target")).text = translated
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_document(sources: Iterable[Source], source_language: str, target_language: str) -> bytes:
    """Items' texts to translate, each with its translation as it is."""
    files = (
        (f"f{item.item_id}", item.original, [(p, t, item.targets.get(p)) for p, t in item.texts.items()])
        for item in sources
    )
    return build_document(files, source_language, target_language)


def attachment(city: str, source_language: str, target_language: str, prefix: str = "witaj") -> str:
    """The Content-Disposition of an exported document."""
    return f'attachment; filename="{prefix}-{city}-{source_language}-{target_language}.xlf"'


@dataclass(frozen=True)
class Document:
    source_language: str
    files: list[ET.Element]

    @property
    def item_ids(self) -> list[str]:
        """Each file's item id, in order ('' for a file without one)."""
        return [f.get("id", "").removeprefix("f") for f in self.files]


def parse_document(raw: bytes, target_language: str) -> tuple[ET.Element, str]:
    """A safely parsed XLIFF 2.0 document into `target_language`, and its source language (400 otherwise)."""
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise BadRequest(f"The file is not well-formed XLIFF: {exc}", code="invalid_xliff") from None
    if root.tag != _tag("xliff") or root.get("version") != "2.0":
        raise BadRequest("Only XLIFF 2.0 documents are accepted", code="invalid_xliff")
    if root.get("trgLang") != target_language or not root.get("srcLang"):
        raise BadRequest(f"The document's trgLang must be '{target_language}'", code="language_mismatch")
    return root, str(root.get("srcLang"))


def parse(raw: bytes, target_language: str) -> Document:
    """The document's files, once it is well-formed XLIFF 2.0 into `target_language` (400 otherwise)."""
    root, source = parse_document(raw, target_language)
    files = root.findall(_tag("file"))
    if not files or len(files) > MAX_FILES:
        raise BadRequest(f"A document carries 1 to {MAX_FILES} files", code="invalid_xliff")
    return Document(source, files)


def unit_texts(unit: ET.Element) -> tuple[str | None, str | None]:
    """A unit's source text and its translation (None where either is absent, or the target is blank)."""
    source = unit.find(f"{_tag('segment')}/{_tag('source')}")
    target = unit.find(f"{_tag('segment')}/{_tag('target')}")
    translated = "".join(target.itertext()) if target is not None else None
    return (
        "".join(source.itertext()) if source is not None else None,
        translated if translated is not None and translated.strip() else None,
    )


def check_file(
    file: ET.Element, item: Source | None, source_language: str, max_chars: int | Mapping[str, int]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The file's translated texts, or why it is refused: a list of problems, per unit where it can.
    `max_chars`: the longest translated text, or the longest per path (a title is shorter than a body)."""
    named = file.get("original", "")
    if item is None:
        return {}, [{"file": named, "unit": None, "reason": "unknown_item"}]
    problems: list[dict[str, Any]] = []
    if named != item.original:
        problems.append({"file": named, "unit": None, "reason": "source_changed"})
    if item.source_language != source_language:
        problems.append({"file": named, "unit": None, "reason": "source_language_mismatch"})
    targets: dict[str, str] = {}
    for unit in file.iter(_tag("unit")):
        path = unit.get("id", "")
        source, text = unit_texts(unit)
        if path not in item.texts:
            problems.append({"file": named, "unit": path, "reason": "unknown_unit"})
        elif source != item.texts[path]:
            problems.append({"file": named, "unit": path, "reason": "source_mismatch"})
        elif text is not None:
            longest = max_chars if isinstance(max_chars, int) else max_chars.get(path, 0)
            if len(text) > longest:
                problems.append({"file": named, "unit": path, "reason": "too_long"})
            targets[path] = text
    return targets, problems


def refuse_forbidden(
    document: Document, stored: Mapping[str, Stored], allowed: Callable[[Stored], bool]
) -> None:
    """403 for a document naming an item the caller may not translate: a question of who is asking, not
    of the file, so nothing of it is imported."""
    forbidden = [
        file.get("original")
        for file, item_id in zip(document.files, document.item_ids, strict=True)
        if item_id in stored and not allowed(stored[item_id])
    ]
    if forbidden:
        raise ApiError(
            403, "forbidden", "The document names items you may not translate; nothing was imported",
            details={"files": forbidden[:50]},
        )  # fmt: skip


def sort_files(
    document: Document,
    stored: Mapping[str, Stored],
    source_of: Callable[[Stored], Source],
    max_chars: int | Mapping[str, int],
) -> tuple[list[tuple[Stored, dict[str, str]]], list[dict[str, Any]]]:
    """The files to apply (each stored item with its new texts) and every problem of the others.
    `stored`: the items the document names, by id."""
    accepted: list[tuple[Stored, dict[str, str]]] = []
    rejected: list[dict[str, Any]] = []
    for file, item_id in zip(document.files, document.item_ids, strict=True):
        doc = stored.get(item_id)
        item = source_of(doc) if doc is not None else None
        targets, problems = check_file(file, item, document.source_language, max_chars)
        if problems or doc is None:
            rejected.extend(problems)
        elif targets:
            accepted.append((doc, targets))
    return accepted, rejected


def steps_to_translated(current: TranslationState) -> list[TranslationState]:
    """The states imported text passes through to become "translated": it is new work, so from where
    "translated" cannot be reached directly it goes through "in translation", as a translator's would."""
    done = TranslationState.TRANSLATED
    if current is done or done in ALLOWED[current]:
        return [done]
    return [TranslationState.IN_TRANSLATION, done]


class Translate(Protocol):
    """A store's step of one language in the workflow, inside the caller's transaction."""

    def __call__(
        self, session: Session, current: Stored, language: str, *, state: TranslationState,
        fields: dict[str, str] | None, by: str,
    ) -> Awaitable[Stored]: ...  # fmt: skip


async def apply(
    outbox: Outbox,
    accepted: list[tuple[Stored, dict[str, str]]],
    language: str,
    *,
    by: str,
    reload: Callable[[Session, Stored], Awaitable[Stored]],
    translate: Translate,
) -> list[Stored]:
    """Write every accepted file's texts in one transaction, each as "translated" (merged with what the
    language had): all of them or, if any write is refused, none (409 `import_failed`)."""

    async def work(session: Session) -> list[Stored]:
        written = []
        for doc, targets in accepted:
            current = await reload(session, doc)
            translation = translations_of(current).get(language)
            fields = {**translation.fields, **targets}
            for state in steps_to_translated(translation.state):
                current = await translate(session, current, language, state=state, fields=fields, by=by)
            written.append(current)
        return written

    if not accepted:
        return []
    try:
        return await outbox.transaction(work)
    except ApiError as exc:
        raise ApiError(
            409, "import_failed", f"Nothing was imported: {exc.message}", details=exc.details
        ) from None


class AppliedFile(BaseModel):
    item_id: str
    units: int = Field(description="How many texts were translated")


class RefusedUnit(BaseModel):
    file: str = Field(description="The file's `original`, e.g. 'page/rent/r3'")
    unit: str | None = Field(description="The unit's field path; null: the whole file was refused")
    reason: str = Field(examples=["unknown_item", "source_changed", "source_mismatch", "too_long"])


class ImportReport(BaseModel):
    """What an import answers: the items translated (with how many units) and every refused unit."""

    applied: list[AppliedFile]
    rejected: list[RefusedUnit]


def report(applied: list[tuple[str, int]], rejected: list[dict[str, Any]]) -> ImportReport:
    return ImportReport.model_validate(
        {
            "applied": [{"item_id": item_id, "units": units} for item_id, units in applied],
            "rejected": rejected,
        }
    )
