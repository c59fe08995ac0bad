"""Rendered pages kept for a moment and shown to the next reader of the same address.

Rendering a procedure (its steps, offices, glossary terms, money and dates in the reader's language) costs
far more than the reads it is made of, and busy pages are read by many people at once. A page whose HTML
is the same for every reader of its address is kept under a key naming what it shows: its template and
address, the reader's languages and a digest of the answers the page was made of (`version_of`), so an
item that changed, or a list with a new entry, is rendered afresh at once. What every page also uses but
the web app reuses for `backend.fresh_seconds` anyway (the city's settings, its glossary, the offices of a
procedure's steps) may be that much older again: a kept page is dropped after `backend.fresh_seconds`.
The one part of a page that is the reader's own, the token in its forms, is written in per request: pages
are rendered with a mark where the token goes (`FORM_TOKEN_MARK`).

Only routes that say their page is the same for everyone use it (never personal pages), and never for a
saved copy shown while a service is down (see `Reader.render`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from pydantic import BaseModel

FORM_TOKEN_MARK = "witajformtoken" + secrets.token_hex(12)
"""Stands where each reader's form token goes; random per process, so no content can contain it."""
MAX_PAGES = 500


def version_of(*shown: BaseModel | Iterable[BaseModel]) -> str:
    """A digest of the answers a page shows: the same answers give the same digest, any change another."""
    digest = hashlib.blake2b(digest_size=16)
    for part in shown:
        for model in [part] if isinstance(part, BaseModel) else part:
            digest.update(model.model_dump_json().encode())
            digest.update(b"\x00")
        digest.update(b"\x01")  # where one part ends: [a], [b] is not [a, b], []
    return digest.hexdigest()


class RenderedPages:
    """At most `entries` pages, each for `seconds`; the least recently shown goes first."""

    def __init__(self, *, seconds: float, entries: int = MAX_PAGES) -> None:
        self.seconds = seconds
        self.entries = entries
        self.pages: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()

    def get(self, key: Hashable) -> str | None:
        found = self.pages.get(key)
        if found is None:
            return None
        if time.monotonic() - found[0] > self.seconds:
            del self.pages[key]
            return None
        self.pages.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, html: str) -> None:
        if self.seconds <= 0 or self.entries <= 0:
            return
        self.pages[key] = (time.monotonic(), html)
        self.pages.move_to_end(key)
        while len(self.pages) > self.entries:
            self.pages.popitem(last=False)
