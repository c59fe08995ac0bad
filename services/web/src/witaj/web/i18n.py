"""The words of the web app itself, in the readers' languages, and the reader's language choice.

Interface texts live as data in `locales/<code>.json` (one flat `key -> text` map per language, `{name}`
placeholders; a text that depends on a number is a map of CLDR plural categories); a part of the migrant
app may keep its own in `locales/<part>/<code>.json` (`PARTS`, e.g. the agenda's), merged in. A language
without a file of its own borrows a close one (`BORROWED`) or English, key by key, so a missing text
never breaks a page. The back office keeps its own texts apart, in `locales/office/<code>.json` (a
"book", never merged in, with chapters of its own such as `locales/office/events/`), so the migrant app's twelve catalogues stay about what migrants read; office
pages look there first. Content comes from the services in whatever language they served; this module
only labels it.
Dates, money, numbers, day names and plural rules come from CLDR through Babel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from markupsafe import Markup
from witaj.shared.languages import LANGUAGES, is_rtl, parse_accept_language

SOURCE = "en"
BORROWED = {"fa": "prs"}
"""Persian readers get the Dari texts (one script, nearly one vocabulary) until Persian has its own."""
BABEL_LOCALES = {"prs": "fa_AF", "zh": "zh_Hans"}
"""CLDR's names where they differ from Witaj's language codes (Dari is Afghan Persian in CLDR)."""
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGE_COOKIE = "witaj_lang"
PARTS = ("agenda", "ask")
"""Parts of the migrant app with texts in a folder of their own (`locales/<part>/`), merged into its
catalogue; a book such as the back office's (`locales/office/`) is looked up apart, never merged."""


@cache
def catalogue(code: str, book: str = "") -> dict[str, Any]:
    """One language's texts as shipped, or {} when it has none: `locales/<code>.json` with the texts of
    each part of the migrant app that keeps its own (`PARTS`), or of a book (`locales/<book>/<code>.json`)
    with its chapters (`locales/<book>/<chapter>/<code>.json`, e.g. the back office's events): one
    area's texts stay in their own files, and a key defined twice is refused."""
    folder = resources.files("witaj.web").joinpath("locales", *([book] if book else []))
    path = folder.joinpath(f"{code}.json")
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for part in chapters(book) if book else PARTS:
        extra = folder.joinpath(part, f"{code}.json")
        if extra.is_file():
            texts: dict[str, Any] = json.loads(extra.read_text(encoding="utf-8"))
            twice = sorted(set(texts) & set(data))
            if twice:
                raise ValueError(f"texts defined twice in locales ({part}/{code}.json): {twice}")
            data.update(texts)
    return data


def chapters(book: str) -> list[str]:
    """The chapters of a book: its folders (`locales/office/events/`)."""
    folder = resources.files("witaj.web").joinpath("locales", book)
    return sorted(entry.name for entry in folder.iterdir() if entry.is_dir())


@cache
def translated_languages(book: str = "") -> tuple[str, ...]:
    """Languages with a catalogue of their own, in the order of the file names."""
    folder = resources.files("witaj.web").joinpath("locales", *([book] if book else []))
    return tuple(sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")))


def has_texts(code: str) -> bool:
    """Only codes Witaj knows are looked up, so odd addresses cannot grow the catalogue cache."""
    return code in LANGUAGES and (bool(catalogue(code)) or code in BORROWED)


def native_name(code: str) -> str:
    """A language's name in itself, as readers look for it in a list."""
    entry = LANGUAGES.get(code)
    return entry[1] if entry else code


@cache
def babel_locale(code: str) -> Locale:
    try:
        return Locale.parse(BABEL_LOCALES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE)


@dataclass(frozen=True)
class Translator:
    """The interface in one language: `t("key", name=...)`, `t.plural("key", n)`, and CLDR formats."""

    language: str
    book: str = ""
    """The back office's pages say "office": their own texts first, then the app's."""
    shares: tuple[str, ...] = ()
    """Books looked up after the page's own and before the app's, for parts a page shows from another
    area (the back office's information gaps are the insights' page)."""

    @property
    def rtl(self) -> bool:
        return is_rtl(self.language)

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    def _lookup(self, key: str) -> Any:
        for book in (self.book, *self.shares, "") if self.book else ("",):
            for code in (self.language, BORROWED.get(self.language), SOURCE):
                if code and key in catalogue(code, book):
                    return catalogue(code, book)[key]
        return key  # a missing key shows itself rather than breaking the page (the tests forbid it)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._lookup(key)
        if isinstance(text, dict):
            text = text.get("other", key)
        return str(text).format(**values) if values else str(text)

    def markup(self, key: str, **values: Any) -> Markup:
        """A text with parts of a page put in (each value escaped unless it is markup already), such as a
        title marked with its own language inside the office's words."""
        text = self._lookup(key)
        return Markup(text.get("other", key) if isinstance(text, dict) else text).format(**values)  # noqa: S704 - the shipped catalogue's text; values escaped

    def plural(self, key: str, count: int, **values: Any) -> str:
        forms = self._lookup(key)
        if not isinstance(forms, dict):
            return str(forms).format(count=self.number(count), **values)
        category = babel_locale(self.language).plural_form(count)
        text = forms.get(category, forms.get("other", key))
        return str(text).format(count=self.number(count), **values)

    def number(self, value: float) -> str:
        return str(format_decimal(value, locale=babel_locale(self.language)))

    def money(self, amount: float, currency: str) -> str:
        return str(format_currency(amount, currency, locale=babel_locale(self.language)))

    def date(self, value: date | datetime | str) -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return str(format_date(value, format="long", locale=babel_locale(self.language)))

    def day(self, code: str) -> str:
        """'mon' -> 'poniedziałek', 'الاثنين', ..."""
        return str(babel_locale(self.language).days["format"]["wide"][DAYS.index(code)])

    def language_name(self, code: str) -> str:
        return native_name(code)


def reader_language(
    offered: Iterable[str], *, cookie: str | None, accept_language: str | None, default: str
) -> str:
    """The first guess of a reader's language among those offered: what they chose before (the cookie),
    then their browser's preferences, then the default."""
    offered = list(offered)
    if cookie in offered:
        return cookie  # type: ignore[return-value]
    for code in parse_accept_language(accept_language):
        if code in offered:
            return code
        if BORROWED.get(code) in offered:
            return BORROWED[code]
    return default
