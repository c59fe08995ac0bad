"""`witaj-messages`: the notification texts' translation workflow, with the same XLIFF 2.0 as content's.

Notify's texts live in files (`services/notify/src/witaj/notify/messages/<language>.yaml`, English the
source). A translator gets an XLIFF file with what is missing or outdated in their language, translates
it in any CAT tool, and the import writes it back into that language's file, remembering which English
each text was made from, so that an edited English text shows up as outdated in every language:

    witaj-messages status                       # per language: missing, outdated, machine-made
    witaj-messages export uk > messages-uk.xlf   # what needs translating (--all: every text)
    witaj-messages import uk messages-uk.xlf     # write the translations (--machine: machine-made)

A unit whose English changed since the export, or that the source does not have, is refused and named.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from witaj.notify.templates import MESSAGES_DIR, SOURCE_LANGUAGE, Catalogue, fingerprint, read_catalogue
from witaj.shared.errors import ApiError
from witaj.shared.languages import is_known
from witaj.shared.xliff import NS as XLIFF
from witaj.shared.xliff import build_document, parse_document, unit_texts

ORIGINAL = "witaj/notify/messages"
HEADER = """# Notification texts in {name}, translated from en.yaml (see README.md beside this file).
# Keep the Jinja placeholders ({{{{ title }}}}, {{{{ city }}}}, …) as they are. `made_from` is written by
# witaj-messages: the fingerprint of the English each text was translated from.
"""


def folder() -> Path:
    return Path(str(MESSAGES_DIR))


def units(catalogue: Catalogue) -> list[tuple[str, str]]:
    """Every source text as (unit id "key.field", English text), in the source file's order."""
    return [
        (f"{key}.{field}", text)
        for key, fields in catalogue.texts[SOURCE_LANGUAGE].items()
        for field, text in fields.items()
    ]


def translation(catalogue: Catalogue, language: str, unit: str) -> str | None:
    key, _, field = unit.rpartition(".")
    return catalogue.texts.get(language, {}).get(key, {}).get(field)


def needs_work(catalogue: Catalogue, language: str) -> dict[str, str]:
    """Unit id -> 'missing' or 'outdated' (its English changed since it was translated)."""
    made = catalogue.made_from.get(language, {})
    found = {}
    for unit, text in units(catalogue):
        if translation(catalogue, language, unit) is None:
            found[unit] = "missing"
        elif made.get(unit) != fingerprint(text):
            found[unit] = "outdated"
    return found


def export(catalogue: Catalogue, language: str, *, every: bool = False) -> bytes:
    wanted = needs_work(catalogue, language)
    chosen = [
        (u, t, translation(catalogue, language, u)) for u, t in units(catalogue) if every or u in wanted
    ]
    return build_document([("messages", ORIGINAL, chosen)], SOURCE_LANGUAGE, language)


def apply(
    catalogue: Catalogue, language: str, raw: bytes, *, machine: bool
) -> tuple[dict[str, Any], list[str]]:
    """The language's file contents with the document's translations written in, and what was refused."""
    root, source = parse_document(raw, language)
    if source != SOURCE_LANGUAGE:
        raise ApiError(
            400, "source_language_mismatch", f"Notification texts are translated from '{SOURCE_LANGUAGE}'"
        )
    english = dict(units(catalogue))
    texts = {key: dict(fields) for key, fields in catalogue.texts.get(language, {}).items()}
    made = dict(catalogue.made_from.get(language, {}))
    refused = []
    for unit in root.iter(f"{{{XLIFF}}}unit"):
        name = unit.get("id", "")
        source_text, target = unit_texts(unit)
        if name not in english:
            refused.append(f"{name}: not a text of the source")
        elif source_text != english[name]:
            refused.append(f"{name}: the English changed since the export")
        elif target is not None:
            key, _, field = name.rpartition(".")
            texts.setdefault(key, {})[field] = target
            made[name] = fingerprint(english[name])
    order = list(catalogue.texts[SOURCE_LANGUAGE])
    doc = {
        "language": language,
        "machine_translated": machine or catalogue.machine_translated.get(language, False),
        "messages": {
            key: texts[key]
            for key in sorted(texts, key=lambda k: order.index(k) if k in order else len(order))
        },
        "made_from": {u: made[u] for u, _ in units(catalogue) if u in made},
    }
    return doc, refused


def write(doc: dict[str, Any], language: str, into: Path | None = None) -> Path:
    from witaj.shared.languages import LANGUAGES

    path = (into or folder()) / f"{language}.yaml"
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1_000)
    path.write_text(HEADER.format(name=LANGUAGES[language][0]) + body, encoding="utf-8")
    return path


def status(catalogue: Catalogue) -> str:
    lines = [f"{'language':<9} {'missing':>7} {'outdated':>8}  machine-made"]
    for language in sorted(catalogue.texts):
        if language == SOURCE_LANGUAGE:
            continue
        work = needs_work(catalogue, language)
        missing = sum(reason == "missing" for reason in work.values())
        machine = "yes" if catalogue.machine_translated.get(language) else "no"
        lines.append(f"{language:<9} {missing:>7} {len(work) - missing:>8}  {machine}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="witaj-messages", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="what is missing or outdated in each language")
    exporting = commands.add_parser("export", help="XLIFF 2.0 of what a language needs, on standard output")
    exporting.add_argument("language")
    exporting.add_argument("--all", action="store_true", help="every text, not only what needs work")
    importing = commands.add_parser("import", help="write a translated XLIFF file into the language's file")
    importing.add_argument("language")
    importing.add_argument("file", type=Path)
    importing.add_argument("--machine", action="store_true", help="the translations were made by a machine")
    args = parser.parse_args(argv)
    catalogue = read_catalogue()
    if args.command == "status":
        print(status(catalogue))
        return
    if not is_known(args.language) or args.language == SOURCE_LANGUAGE:
        parser.error(f"'{args.language}' is not a language to translate into")
    if args.command == "export":
        sys.stdout.buffer.write(export(catalogue, args.language, every=args.all))
        return
    try:
        doc, refused = apply(catalogue, args.language, args.file.read_bytes(), machine=args.machine)
    except ApiError as exc:
        parser.error(exc.message)
    print(f"written {write(doc, args.language)}")
    for problem in refused:
        print(f"refused {problem}", file=sys.stderr)


if __name__ == "__main__":
    main()
