"""Markdown to safe HTML, and where glossary terms occur in what a reader is shown.

Editors write Markdown and sometimes paste HTML; markdown-it-py renders it and nh3 (the Ammonia
sanitiser) removes everything unsafe, so no filtering is hand-written here. Glossary terms are found
once per rendering, in their inflected forms too (by search's terms, `stemming.py`): plain-text fields get
offsets, Markdown fields also get `<dfn data-term="…">` spans in their HTML so a frontend can show a
definition in place.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from witaj.content.stemming import tokens

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
    """The published terms of one city in one language, matched by the same terms search uses.

    A term is found in its inflected forms ("kartę pobytu" for "karta pobytu", "карти побиту" for
    "карта побиту"), never inside another word, and a term of several words only where those words follow
    each other with nothing but spaces between them ("karta, pobytu" is not the term).
    """

    language: str
    forms: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    """First term of a form -> (the form's terms, term item id), longest first."""

    @classmethod
    def build(cls, surfaces: dict[str, str], language: str) -> Glossary:
        forms: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for form, item in list(surfaces.items())[:MAX_TERMS_PER_LANGUAGE]:
            sequence = tuple(term for _, _, term in tokens(form, language))
            if sequence and (sequence, item) not in forms[sequence[0]]:
                forms[sequence[0]].append((sequence, item))
        ordered = {first: tuple(sorted(found, key=lambda f: -len(f[0]))) for first, found in forms.items()}
        return cls(language, ordered)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        if not self.forms or not text:
            return []
        found = []
        marks = tokens(text, self.language)
        i = 0
        while i < len(marks):
            for sequence, item in self.forms.get(marks[i][2], ()):
                end = i + len(sequence)
                if end <= len(marks) and _follows(text, marks[i:end], sequence):
                    found.append((marks[i][0], marks[end - 1][1], item))
                    i = end
                    break
            else:
                i += 1
        return found


def _follows(text: str, marks: list[tuple[int, int, str]], sequence: tuple[str, ...]) -> bool:
    """The marks are the sequence's terms, each right after the one before: a space between words, or
    the next character pair of the same Chinese or Japanese run."""
    if any(mark[2] != term for mark, term in zip(marks, sequence, strict=True)):
        return False
    return all(b[0] == a[0] + 1 if b[0] < a[1] else not text[a[1] : b[0]].strip() for a, b in pairwise(marks))


EMPTY_GLOSSARY = Glossary("", {})


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
