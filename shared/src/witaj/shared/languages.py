"""Languages Witaj knows, their script direction, and choosing the language to serve a reader.

Every service localizes the same way: the reader's explicit `lang`, then their `Accept-Language`
preferences, then the city's fallback chain for their first choice, then the city's default language.
Frontends get told which language was served, whether it is a fallback, and whether it is right-to-left.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

# code -> (English name, native name, right-to-left)
LANGUAGES: dict[str, tuple[str, str, bool]] = {
    "am": ("Amharic", "አማርኛ", False),
    "ar": ("Arabic", "العربية", True),
    "be": ("Belarusian", "беларуская", False),
    "bg": ("Bulgarian", "български", False),
    "bn": ("Bengali", "বাংলা", False),
    "bs": ("Bosnian", "bosanski", False),
    "ckb": ("Central Kurdish (Sorani)", "کوردیی ناوەندی", True),
    "cs": ("Czech", "čeština", False),
    "da": ("Danish", "dansk", False),
    "de": ("German", "Deutsch", False),
    "el": ("Greek", "Ελληνικά", False),
    "en": ("English", "English", False),
    "es": ("Spanish", "español", False),
    "et": ("Estonian", "eesti", False),
    "fa": ("Persian", "فارسی", True),
    "fi": ("Finnish", "suomi", False),
    "fr": ("French", "français", False),
    "he": ("Hebrew", "עברית", True),
    "hi": ("Hindi", "हिन्दी", False),
    "hr": ("Croatian", "hrvatski", False),
    "hu": ("Hungarian", "magyar", False),
    "hy": ("Armenian", "հայերեն", False),
    "it": ("Italian", "italiano", False),
    "ka": ("Georgian", "ქართული", False),
    "kk": ("Kazakh", "қазақ тілі", False),
    "kmr": ("Northern Kurdish (Kurmanji)", "kurmancî", False),
    "ky": ("Kyrgyz", "кыргызча", False),
    "lt": ("Lithuanian", "lietuvių", False),
    "lv": ("Latvian", "latviešu", False),
    "nb": ("Norwegian Bokmål", "norsk bokmål", False),
    "ne": ("Nepali", "नेपाली", False),
    "nl": ("Dutch", "Nederlands", False),
    "pl": ("Polish", "polski", False),
    "prs": ("Dari", "دری", True),
    "ps": ("Pashto", "پښتو", True),
    "pt": ("Portuguese", "português", False),
    "ro": ("Romanian", "română", False),
    "ru": ("Russian", "русский", False),
    "sk": ("Slovak", "slovenčina", False),
    "sl": ("Slovenian", "slovenščina", False),
    "so": ("Somali", "Soomaali", False),
    "sq": ("Albanian", "shqip", False),
    "sr": ("Serbian", "српски", False),
    "sv": ("Swedish", "svenska", False),
    "sw": ("Swahili", "Kiswahili", False),
    "ta": ("Tamil", "தமிழ்", False),
    "tg": ("Tajik", "тоҷикӣ", False),
    "th": ("Thai", "ไทย", False),
    "ti": ("Tigrinya", "ትግርኛ", False),
    "tl": ("Tagalog", "Tagalog", False),
    "tr": ("Turkish", "Türkçe", False),
    "uk": ("Ukrainian", "українська", False),
    "ur": ("Urdu", "اردو", True),
    "uz": ("Uzbek", "oʻzbekcha", False),
    "vi": ("Vietnamese", "Tiếng Việt", False),
    "zh": ("Chinese", "中文", False),
}

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
MAX_ACCEPT_LANGUAGE_ENTRIES = 20


def is_known(code: str) -> bool:
    return code in LANGUAGES


def is_rtl(code: str) -> bool:
    entry = LANGUAGES.get(code)
    return bool(entry and entry[2])


def normalise(tag: str) -> str | None:
    """Reduce a BCP 47 tag to a code Witaj knows ('uk-UA' -> 'uk', 'fa-AF' -> 'fa'), or None."""
    tag = tag.strip()
    if not _TAG.match(tag):
        return None
    primary = re.split(r"[-_]", tag)[0].lower()
    return primary if primary in LANGUAGES else None


def parse_accept_language(header: str | None) -> list[str]:
    """Known languages from an Accept-Language header, best first, without duplicates.

    Malformed entries are ignored rather than rejected: browsers send odd headers and a reader should
    still get a page.
    """
    return list(_parse_accept_language(header)) if header else []


@lru_cache(maxsize=1024)
def _parse_accept_language(header: str) -> tuple[str, ...]:
    """Memoised: browsers send the same few headers again and again, and parsing one was most of choosing
    a reader's language. Bounded, so a stream of odd headers cannot grow it."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE_ENTRIES]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        code = normalise(tag)
        if code and quality > 0:
            weighted.append((-quality, position, code))
    seen: list[str] = []
    for _, _, code in sorted(weighted):
        if code not in seen:
            seen.append(code)
    return tuple(seen)


@dataclass(frozen=True)
class LanguageChoice:
    """The language served for one item and how it was reached."""

    language: str
    requested: str | None
    fallback: bool
    rtl: bool


def fallback_chain(
    first: str | None,
    *,
    default_language: str,
    fallbacks: dict[str, list[str]],
) -> list[str]:
    """The order in which languages are tried for a reader whose first choice is `first`."""
    first = first or default_language
    chain: list[str] = []
    for code in [first, *fallbacks.get(first, []), *fallbacks.get("*", []), default_language]:
        if code and code not in chain:
            chain.append(code)
    return chain


def choose_language(
    preferences: Iterable[str],
    available: Collection[str],
    *,
    default_language: str,
    fallbacks: dict[str, list[str]],
) -> LanguageChoice | None:
    """Pick the best available language; None only when nothing at all is available.

    A reader's own stated preferences win over the city's chain, and a language counts as a fallback
    whenever it is not the reader's first preference (or, with no preference, not the city default).
    """
    prefs = [p for p in preferences if p]
    first = prefs[0] if prefs else None
    order = [*prefs]
    for code in fallback_chain(first, default_language=default_language, fallbacks=fallbacks):
        if code not in order:
            order.append(code)
    order.extend(sorted(c for c in available if c not in order))
    wanted = first or default_language
    for code in order:
        if code in available:
            return LanguageChoice(language=code, requested=first, fallback=code != wanted, rtl=is_rtl(code))
    return None
