"""Checking what readers type, before any service sees it, with messages next to each field.

A form with problems comes back as the same page (status 422) with a summary at the top linking to each
field and the message beside the field, in the reader's language (the pattern of GOV.UK's error summary,
which screen readers and keyboards handle well). Only formats are checked here; what a service refuses
for its own reasons (a full course, a closed registration) is shown the same way.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
"""What notify accepts as an address (the events service accepts these too)."""
PHONE = re.compile(r"^\+?[0-9()\- ]{5,40}$")
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def form_key() -> str:
    """A fresh key for one rendering of a form: sending that form again is recognised as a repeat."""
    return secrets.token_urlsafe(18)


@dataclass
class Problems:
    """What is wrong with a form: per field (its id in the page) a catalogue key, and problems that
    concern the whole form (a full course, too many tries) under `None`."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, field_id: str | None, key: str) -> None:
        if field_id is None:
            self.general.append(key)
        else:
            self.fields.setdefault(field_id, key)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def clean_line(value: str, limit: int) -> str:
    """One line of text as typed: spaces squeezed, control characters dropped, cut to the limit."""
    text = " ".join("".join(ch for ch in value if ch.isprintable()).split())
    return text[:limit]
