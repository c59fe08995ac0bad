"""The notification texts' translation workflow (witaj-messages): XLIFF out, translated, XLIFF in, with
outdated texts found after an edit of the English, and units refused when their English moved on."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml.ElementTree as SafeET
from witaj.devkit import messages
from witaj.notify.templates import MESSAGES_DIR, fingerprint, read_catalogue
from witaj.shared.xliff import NS


def copy_of_the_messages(tmp_path: Path) -> Path:
    folder = tmp_path / "messages"
    shutil.copytree(Path(str(MESSAGES_DIR)), folder)
    return folder


def translate(document: bytes, texts: dict[str, str]) -> bytes:
    """What a translator's tool does: fill in the targets of some units."""
    root = SafeET.fromstring(document)
    for unit in root.iter(f"{{{NS}}}unit"):
        if unit.get("id") in texts:
            segment = unit.find(f"{{{NS}}}segment")
            target = segment.find(f"{{{NS}}}target")
            if target is None:
                target = ET.SubElement(segment, f"{{{NS}}}target")
            target.text = texts[unit.get("id")]
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def test_an_edited_english_text_is_outdated_until_translated_again_through_xliff(tmp_path: Path) -> None:
    folder = copy_of_the_messages(tmp_path)
    catalogue = read_catalogue(folder)
    assert messages.needs_work(catalogue, "uk") == {}  # every Ukrainian text is current
    english = folder / "en.yaml"
    english.write_text(
        english.read_text(encoding="utf-8").replace('"New: {{ title }}"', '"Just published: {{ title }}"'),
        encoding="utf-8",
    )
    catalogue = read_catalogue(folder)
    assert messages.needs_work(catalogue, "uk") == {"content.published.title": "outdated"}

    exported = messages.export(catalogue, "uk")
    units = [u.get("id") for u in SafeET.fromstring(exported).iter(f"{{{NS}}}unit")]
    assert units == ["content.published.title"]  # only what needs work (--all: every text)
    translated = translate(exported, {"content.published.title": "Щойно опубліковано: {{ title }}"})
    doc, refused = messages.apply(catalogue, "uk", translated, machine=False)
    assert refused == []
    messages.write(doc, "uk", folder)

    catalogue = read_catalogue(folder)
    assert catalogue.texts["uk"]["content.published"]["title"] == "Щойно опубліковано: {{ title }}"
    assert catalogue.made_from["uk"]["content.published.title"] == fingerprint("Just published: {{ title }}")
    assert messages.needs_work(catalogue, "uk") == {}


def test_a_unit_whose_english_moved_on_since_the_export_is_refused(tmp_path: Path) -> None:
    folder = copy_of_the_messages(tmp_path)
    exported = messages.export(read_catalogue(folder), "de", every=True)
    english = folder / "en.yaml"
    english.write_text(
        english.read_text(encoding="utf-8").replace('"Changed: {{ title }}"', '"Moved: {{ title }}"'),
        encoding="utf-8",
    )
    catalogue = read_catalogue(folder)
    translated = translate(exported, {"agenda.event_updated.title": "Verschoben: {{ title }}"})
    doc, refused = messages.apply(catalogue, "de", translated, machine=True)
    assert refused == ["agenda.event_updated.title: the English changed since the export"]
    assert doc["messages"]["agenda.event_updated"]["title"] == "Geändert: {{ title }}"  # left as it was
    assert doc["machine_translated"] is True
    german = next(line for line in messages.status(catalogue).splitlines() if line.startswith("de "))
    assert german.split()[1:] == ["0", "1", "yes"]  # nothing missing, one text outdated, machine-made
