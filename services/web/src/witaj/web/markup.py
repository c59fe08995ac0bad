"""The HTML the pages put around content: sanitised text, glossary terms to tap, search highlights.

The content API already sanitises what editors write; the web app cleans it once more with its own,
narrower policy (no images, which would load from elsewhere, no layout elements), since what a page
shows is the web app's responsibility. Glossary terms arrive as `<dfn data-term>` in HTML and as
character offsets in plain text; both become buttons that open the term's explanation in place (a
native popover: a tap or a key opens it, no hover and no script needed), for terms the reader's
language has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import nh3
from markupsafe import Markup, escape
from witaj.web.clients.content import Occurrence, Row

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dfn", "dl", "dt", "em", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "dfn": {"data-term"}, "ol": {"start"}, "th": {"scope"}}
_DFN = re.compile(r'<dfn data-term="([a-z0-9][a-z0-9-]{0,63})">([^<]*)</dfn>')
_STUCK = re.compile(r'([^\s<>]*)(<button type="button" class="term"[^>]*>[^<]*</button>)([^\s<]*)')
"""A term button with the characters touching it ('(', '.', a suffix): kept on one line together, as
the button is one box and a line could otherwise break between it and its full stop."""


def _glued(html: str) -> str:
    return _STUCK.sub(
        lambda m: f'<span class="term-glue">{m.group(0)}</span>' if m.group(1) or m.group(3) else m.group(0),
        html,
    )


def clean(html: str) -> str:
    """Editors' HTML with only text-level and structural elements left; links open nothing in-page."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def term_id(item_id: str) -> str:
    return f"term-{item_id}"


@dataclass
class Terms:
    """The glossary in the reader's language, and the terms a page has used (their popovers follow)."""

    known: dict[str, Row]
    used: dict[str, Row] = field(default_factory=dict)

    def button(self, item_id: str, text: str) -> Markup:
        row = self.known.get(item_id)
        if row is None:
            return escape(text)
        self.used.setdefault(item_id, row)
        return Markup('<button type="button" class="term" popovertarget="{}" lang="{}">{}</button>').format(
            term_id(item_id), row.language, text
        )

    def html(self, html: str) -> Markup:
        """Sanitised HTML with each marked term made a button."""
        marked = _DFN.sub(lambda m: str(self.button(m.group(1), unescape(m.group(2)))), clean(html))
        return Markup(_glued(marked))  # noqa: S704 - sanitised by `clean`, buttons built from escaped parts

    def text(self, text: str, path: str, occurrences: Iterable[Occurrence]) -> Markup:
        """Plain text with the terms the API found in field `path` made buttons."""
        spans = sorted((o.start, o.end, o.term_id) for o in occurrences if o.field == path)
        parts: list[Markup] = []
        last = 0
        for start, end, item_id in spans:
            if start < last or end > len(text):
                continue  # overlapping or stale offsets: leave the text as it is
            parts += [escape(text[last:start]), self.button(item_id, text[start:end])]
            last = end
        parts.append(escape(text[last:]))
        joined = Markup("").join(parts)
        return Markup(_glued(joined)) if self.used else joined  # noqa: S704 - built from escaped parts


def highlighted(highlight: dict[str, Any]) -> Markup:
    """A search snippet with the reader's words marked; a snippet cut from the middle of a text starts
    at its first whole word."""
    snippet = str(highlight.get("snippet", ""))
    spans = sorted((int(s), int(e)) for s, e in highlight.get("spans", []))
    cut = 0
    if highlight.get("offset"):
        space = snippet.find(" ", 0, spans[0][0] if spans else len(snippet))
        cut = space + 1 if space >= 0 else 0
    snippet = snippet[cut:]
    parts: list[Markup] = [escape("… ") if highlight.get("offset") else Markup("")]
    last = 0
    for start, end in ((s - cut, e - cut) for s, e in spans if s >= cut):
        if start < last or end > len(snippet):
            continue
        parts += [escape(snippet[last:start]), Markup("<mark>{}</mark>").format(snippet[start:end])]
        last = end
    parts.append(escape(snippet[last:]))
    return Markup("").join(parts)
