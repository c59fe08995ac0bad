"""Free text that leaves a service (search queries on `usage.events`) with obvious identifiers taken out.

People type what they are looking for, and sometimes who they are: an e-mail address, a phone number, a
passport, residence card or PESEL number. None of that is needed to learn what a city should write
about, so it is replaced by a marker before the text is sent anywhere: `[email]`, `[id]` (a word mixing
letters with 5 or more digits, as passport and document numbers do) and `[number]` (a run of 7 or more
digits, with the spaces, dots, dashes, slashes and brackets phone numbers are written with: phone,
PESEL, account numbers). Short numbers stay: "800 plus", "2026", a postcode such as "20-001" say what
someone looks for, not who they are.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
DOCUMENT = re.compile(r"\b(?=\w*\d)(?=\w*[^\W\d_])\w*(?:\d\w*){5,}\b")
NUMBER = re.compile(r"\+?\(?\d(?:[\s./()-]{0,2}\d){6,}\)?")


def redact(text: str) -> str:
    """`text` with e-mail addresses, document numbers and long digit runs (phone numbers) replaced."""
    text = EMAIL.sub("[email]", text)
    text = DOCUMENT.sub("[id]", text)
    return NUMBER.sub("[number]", text)
