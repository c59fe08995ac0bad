"""Unit tests of the XLIFF 2.0 documents content and events share: out, back in, and why a file is refused."""

from __future__ import annotations

import pytest
from witaj.shared import xliff
from witaj.shared.errors import ApiError
from witaj.shared.translations import TranslationState

EVENT = xliff.Source(
    item_id="e1",
    original="event/e1/r2",
    source_language="pl",
    texts={"title": "Kurs", "description": "Dla dorosłych & dzieci"},
    targets={"title": "Уроки"},
)


def translated(document: bytes, **targets: str) -> bytes:
    """The document with a `<target>` added after the `<source>` of each named unit."""
    for path, text in targets.items():
        source = f"<source>{EVENT.texts[path].replace('&', '&amp;')}</source>".encode()
        document = document.replace(source, source + f"<target>{text}</target>".encode(), 1)
    return document


def test_a_document_goes_out_and_comes_back_with_its_texts() -> None:
    document = xliff.export_document([EVENT], "pl", "uk")
    assert b'original="event/e1/r2"' in document and "<target>Уроки</target>".encode() in document
    parsed = xliff.parse(translated(document, description="Для дорослих"), "uk")
    assert parsed.source_language == "pl" and parsed.item_ids == ["e1"]
    accepted, rejected = xliff.sort_files(parsed, {"e1": {"_id": "e1"}}, lambda _: EVENT, 100)
    assert rejected == [] and accepted == [({"_id": "e1"}, {"title": "Уроки", "description": "Для дорослих"})]


def test_a_file_is_refused_for_a_changed_source_a_foreign_unit_or_a_text_too_long() -> None:
    document = xliff.export_document([EVENT], "pl", "uk")
    newer = xliff.Source(**{**EVENT.__dict__, "original": "event/e1/r3"})
    parsed = xliff.parse(document, "uk")
    _, rejected = xliff.sort_files(parsed, {"e1": {}}, lambda _: newer, 100)
    assert rejected == [{"file": "event/e1/r2", "unit": None, "reason": "source_changed"}]
    edited = xliff.parse(document.replace(b"Kurs</source>", b"Kurs!</source>"), "uk")
    _, rejected = xliff.sort_files(edited, {"e1": {}}, lambda _: EVENT, 100)
    assert rejected == [{"file": "event/e1/r2", "unit": "title", "reason": "source_mismatch"}]
    _, rejected = xliff.sort_files(parsed, {"e1": {}}, lambda _: EVENT, {"title": 3, "description": 100})
    assert rejected == [{"file": "event/e1/r2", "unit": "title", "reason": "too_long"}]
    _, rejected = xliff.sort_files(parsed, {}, lambda _: EVENT, 100)
    assert rejected == [{"file": "event/e1/r2", "unit": None, "reason": "unknown_item"}]
    with pytest.raises(ApiError) as refused:
        xliff.refuse_forbidden(parsed, {"e1": {}}, lambda _: False)
    assert refused.value.status == 403 and refused.value.details == {"files": ["event/e1/r2"]}
    xliff.refuse_forbidden(parsed, {"e1": {}}, lambda _: True)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"not xml", "invalid_xliff"),
        (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="1.2"/>', "invalid_xliff"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>', "invalid_xliff"),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="pl" trgLang="en"/>',
            "language_mismatch",
        ),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="pl" trgLang="uk"/>',
            "invalid_xliff",
        ),
    ],
)
def test_what_is_not_an_xliff_2_document_into_the_language_is_refused(raw: bytes, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        xliff.parse(raw, "uk")
    assert refused.value.status == 400 and refused.value.code == code


@pytest.mark.parametrize(
    ("state", "steps"),
    [
        (TranslationState.MISSING, ["in_translation", "translated"]),
        (TranslationState.DRAFT, ["translated"]),
        (TranslationState.TRANSLATED, ["translated"]),
        (TranslationState.PUBLISHED, ["in_translation", "translated"]),
    ],
)
def test_imported_text_becomes_translated_through_the_workflow(state, steps) -> None:
    assert [s.value for s in xliff.steps_to_translated(state)] == steps
