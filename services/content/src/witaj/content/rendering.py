"""Markdown to safe HTML, and where glossary terms occur in what a reader is shown.

Editors write Markdown and sometimes paste HTML; markdown-it-py renders it and nh3 (the Ammonia
sanitiser) removes everything unsafe, so no filtering is hand-written here. Glossary terms are found
once per rendering: plain-text fields get offsets, Markdown fields also get `<dfn data-term="…">` spans in
their HTML so a frontend can show a definition in place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_TERMS_PER_LANGUAGE = 5_000
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "dfn": {"data-term"},
    "th": {"align"},
    "td": {"align"},
}


@dataclass(frozen=True)
class Glossary:
    """The published terms of one city in one language, compiled into one matcher."""

    pattern: re.Pattern[str] | None
    terms: dict[str, str]  # lower-cased surface form -> term item id

    @classmethod
    def build(cls, surfaces: dict[str, str]) -> Glossary:
        forms = {form.strip().lower(): item for form, item in surfaces.items() if form.strip()}
        if not forms:
            return cls(None, {})
        ordered = sorted(forms, key=len, reverse=True)[:MAX_TERMS_PER_LANGUAGE]
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(f) for f in ordered) + r")(?!\w)", re.IGNORECASE
        )
        return cls(pattern, forms)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        if self.pattern is None or not text:
            return []
        return [(m.start(), m.end(), self.terms[m.group(0).lower()]) for m in self.pattern.finditer(text)]


EMPTY_GLOSSARY = Glossary(None, {})


def _markdown(glossary: Glossary) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")

    def text(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        out, last = [], 0
        for start, end, term in glossary.find(content):
            out.append(html.escape(content[last:start]))
            out.append(f'<dfn data-term="{html.escape(term)}">{html.escape(content[start:end])}</dfn>')
            last = end
        out.append(html.escape(content[last:]))
        return "".join(out)

    md.add_render_rule("text", text)
    return md


def render_markdown(source: str, glossary: Glossary = EMPTY_GLOSSARY) -> str:
    """Sanitised HTML for a Markdown text, glossary terms marked; broken Markdown still renders."""
    raw = _markdown(glossary).render(source)
    return nh3.clean(
        raw,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def glossary_occurrences(
    texts: dict[str, str], glossary: Glossary, *, skip_term: str | None = None
) -> list[dict[str, Any]]:
    """Every occurrence of a term in the given flat texts: field path, character offsets, term id."""
    found = []
    for field, text in texts.items():
        for start, end, term in glossary.find(text):
            if term != skip_term:
                found.append({"field": field, "start": start, "end": end, "term_id": term})
    return found
