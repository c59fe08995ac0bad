"""Free text people write (questions, answers, tips): stored as plain text, shown only escaped.

What migrants and counsellors write is never markup: it is kept as the characters typed (Unicode
normalised, control characters removed, blank lines squeezed) and every API that returns it gives the
text itself and an `html` form that is escaped, with line breaks as `<br>`, so a page can insert that
as it is and a `<script>` typed into a question shows as text.
"""

from __future__ import annotations

import html
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control characters, zero-width spaces and bidirectional embeddings, overrides and isolates (they can
make text read otherwise than it is). Zero-width (non-)joiners and direction marks stay: Persian, Urdu
and mixed right-to-left text need them."""
_BLANK_LINES = re.compile(r"\n{3,}")
_LINE_END = re.compile(r"[ \t]+\n")


def plain_text(value: str) -> str:
    """The text as it is kept: NFC, `\\r\\n` as `\\n`, no control or invisible characters, at most one
    blank line in a row, no trailing spaces, trimmed."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", " "))
    return _BLANK_LINES.sub("\n\n", _LINE_END.sub("\n", text)).strip()


def text_html(value: str) -> str:
    """Plain text as HTML that shows exactly that text: escaped, line breaks as `<br>`."""
    return html.escape(value, quote=True).replace("\n", "<br>\n")
