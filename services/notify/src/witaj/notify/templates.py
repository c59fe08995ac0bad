"""Messages rendered per subscriber language from translatable texts in `messages/` (one file per language,
English the source; see README.md there), through sandboxed, auto-escaping Jinja templates.

The language is chosen among those that have both the message and a title for the item, by the
subscriber's own language and fallbacks first, then the city's chain (`witaj.shared.languages`). Titles
come from editors, so the HTML variant escapes them and templates run in Jinja's sandbox. Every value put
into a text is isolated where scripts of both directions could meet, and a right-to-left text gets a
leading mark where its first letter would mislead a plain-text viewer (`witaj.shared.bidi`). Rendering is
cached per job and (language, fallbacks), since a fan-out renders the same few variants many times.

A city's urgent notices are the exception: editors write their whole text, per language
(`WrittenTexts`); the language is chosen the same way among those written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment
from witaj.shared.bidi import anchored, isolate
from witaj.shared.events import CityConfig
from witaj.shared.languages import choose_language, is_rtl

MESSAGES_DIR: Traversable = files("witaj.notify").joinpath("messages")
SOURCE_LANGUAGE = "en"
KINDS = (
    "content.published",
    "content.updated",
    "agenda.event_published",
    "agenda.event_updated",
    "agenda.event_cancelled",
    "agenda.registration_promoted",
    "agenda.registration_cancelled",
)
"""The messages about an item or event (title and body); the notices below, `digest`, `email` and
`subscription.confirm` are the others."""
NOTICES = ("ask.question_answered", "ask.question_asked_back")
"""That a counsellor wrote to a migrant (title and body, with the city only): the counsellor's text is
read in the thread, in the ask service, and never copied into a message."""


@dataclass(frozen=True)
class Catalogue:
    """Every language's texts (message key -> field -> text), which were made by a machine, and for each
    translated text the fingerprint of the English it was made from (so an edited source shows)."""

    texts: dict[str, dict[str, dict[str, str]]]
    machine_translated: dict[str, bool]
    made_from: dict[str, dict[str, str]]

    def languages(self, key: str) -> set[str]:
        """The languages that have every field the source has for `key`."""
        fields = set(self.texts[SOURCE_LANGUAGE][key])
        return {code for code, texts in self.texts.items() if fields <= set(texts.get(key, {}))}


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def read_catalogue(folder: Traversable = MESSAGES_DIR) -> Catalogue:
    texts, machine, made = {}, {}, {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            doc = yaml.safe_load(entry.read_text(encoding="utf-8"))
            code = doc["language"]
            texts[code] = doc["messages"]
            machine[code] = bool(doc.get("machine_translated", False))
            made[code] = dict(doc.get("made_from") or {})
    return Catalogue(texts, machine, made)


CATALOGUE = read_catalogue()
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    kind: {code: (t[kind]["title"], t[kind]["body"]) for code, t in CATALOGUE.texts.items() if kind in t}
    for kind in KINDS
}
DIGEST: dict[str, tuple[str, str]] = {
    code: (t["digest"]["title"], t["digest"]["intro"]) for code, t in CATALOGUE.texts.items() if "digest" in t
}

HTML = (
    '<div dir="{{ dir }}" lang="{{ lang }}"><p>{{ body }}</p>'
    '{% if link %}<p><a href="{{ link }}">{{ title }}</a></p>{% endif %}</div>'
)
DIGEST_HTML = (
    '<div dir="{{ dir }}" lang="{{ lang }}"><p>{{ intro }}</p><ul>{% for item in items %}<li>'
    '{% if item.link %}<a href="{{ item.link }}">{{ item.title }}</a>{% else %}{{ item.title }}{% endif %}'
    "<br>{{ item.body }}</li>{% endfor %}</ul></div>"
)

CONFIRMATION_PAGE = (
    '<!doctype html><html lang="{{ lang }}" dir="{{ dir }}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1>{% if confirmed %}<p>{{ confirmed }}</p>{% else %}"
    '<form method="post"><button type="submit">{{ button }}</button></form>{% endif %}</main></body></html>'
)

_text = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_html = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_HTML = _html.from_string(HTML)
_DIGEST_HTML = _html.from_string(DIGEST_HTML)
_CONFIRMATION_PAGE = _html.from_string(CONFIRMATION_PAGE)


@cache
def _template(language: str, key: str, field: str) -> Template:
    return _text.from_string(CATALOGUE.texts[language][key][field])


def _fill(language: str, key: str, field: str, values: dict[str, Any]) -> str:
    """One text, its values isolated for the text's direction and the whole anchored to it."""
    rtl = is_rtl(language)
    placed = {
        name: isolate(v, rtl=rtl) if isinstance(v, str) and name != "link" else v
        for name, v in values.items()
    }
    return anchored(_template(language, key, field).render(placed), rtl)


def _choose(
    key: str, city: CityConfig, language: str, fallbacks: list[str], among: set[str] | None = None
) -> str:
    available = CATALOGUE.languages(key)
    if among:
        available = available & among or available
    return best_language(city, language, fallbacks, available) or SOURCE_LANGUAGE


@dataclass(frozen=True)
class Rendered:
    language: str
    rtl: bool
    title: str
    body: str
    link: str | None

    def text(self) -> str:
        return self.body + (f"\n\n{self.link}" if self.link else "")

    def html(self) -> str:
        return _HTML.render(
            dir="rtl" if self.rtl else "ltr",
            lang=self.language,
            body=self.body,
            link=self.link,
            title=self.title,
        )


@dataclass(frozen=True)
class RenderedDigest:
    """One message listing a day's items, each as it was rendered for the subscriber when it came."""

    language: str
    rtl: bool
    title: str
    intro: str
    items: tuple[Rendered, ...]

    def text(self) -> str:
        lines = [self.intro, ""]
        for item in self.items:
            lines.append(f"- {item.title}")
            lines.extend(f"  {part}" for part in (item.body, item.link) if part)
        return "\n".join(lines)

    def html(self) -> str:
        return _DIGEST_HTML.render(
            dir="rtl" if self.rtl else "ltr", lang=self.language, intro=self.intro, items=self.items
        )


def render_digest(
    city: CityConfig, items: list[Rendered], *, language: str, fallbacks: list[str]
) -> RenderedDigest:
    lang = _choose("digest", city, language, fallbacks)
    values = {"count": len(items), "city": city.name}
    title, intro = (_fill(lang, "digest", field, values) for field in ("title", "intro"))
    return RenderedDigest(lang, is_rtl(lang), title, intro, tuple(items))


def render_message(
    key: str, city: CityConfig, *, language: str, fallbacks: list[str], link: str | None = None, **values: Any
) -> Rendered:
    """Any message with a title and a body (`subscription.confirm`, …) in the subscriber's best language."""
    lang = _choose(key, city, language, fallbacks)
    filled = {"city": city.name, "link": link, **values}
    return Rendered(
        lang, is_rtl(lang), _fill(lang, key, "title", filled), _fill(lang, key, "body", filled), link
    )


def render(
    kind: str,
    city: CityConfig,
    titles: dict[str, str],
    *,
    language: str,
    fallbacks: list[str],
    link: str | None = None,
    when: str | None = None,
) -> Rendered:
    lang = _choose(kind, city, language, fallbacks, among=set(titles))
    title = titles.get(lang) or _any_title(titles, city, language)
    values: dict[str, Any] = {"title": title, "city": city.name, "when": when, "link": link}
    return Rendered(
        lang, is_rtl(lang), _fill(lang, kind, "title", values), _fill(lang, kind, "body", values), link
    )


def unsubscribe_text(language: str, link: str) -> str:
    """The line under every e-mail saying why it came and how to stop it, in the message's language."""
    lang = language if language in CATALOGUE.languages("email") else SOURCE_LANGUAGE
    return _fill(lang, "email", "unsubscribe", {"link": link})


@dataclass(frozen=True)
class Confirmation:
    """The double opt-in texts in one language: the e-mail (`mail`) and the page its link opens."""

    mail: Rendered
    button: str
    confirmed: str

    def page(self, *, done: bool) -> str:
        """A complete page that works without scripts: a button that confirms (POST), or the outcome."""
        return _CONFIRMATION_PAGE.render(
            lang=self.mail.language, dir="rtl" if self.mail.rtl else "ltr", title=self.mail.title,
            button=self.button, confirmed=self.confirmed if done else None,
        )  # fmt: skip


def render_confirmation(
    city: CityConfig, *, language: str, fallbacks: list[str], link: str, hours: int
) -> Confirmation:
    """The confirmation of an e-mail address, in the subscriber's language (or the city's next best)."""
    mail = render_message(
        "subscription.confirm", city, language=language, fallbacks=fallbacks, link=link, hours=hours
    )
    button, confirmed = (_fill(mail.language, "subscription.confirm", f, {}) for f in ("button", "confirmed"))
    return Confirmation(mail, button, confirmed)


def _any_title(titles: dict[str, str], city: CityConfig, language: str) -> str:
    for code in [language, city.default_language, *sorted(titles)]:
        if titles.get(code):
            return titles[code]
    return ""


class RenderCache:
    """One rendering per (language, fallbacks) within a fan-out job."""

    def __init__(self, kind: str, city: CityConfig, titles: dict[str, str], **extra: Any) -> None:
        self.args = (kind, city, titles)
        self.extra = extra
        self._cache: dict[tuple[str, tuple[str, ...]], Rendered] = {}

    def get(self, language: str, fallbacks: list[str]) -> Rendered:
        key = (language, tuple(fallbacks))
        if key not in self._cache:
            self._cache[key] = render(*self.args, language=language, fallbacks=fallbacks, **self.extra)
        return self._cache[key]


def best_language(city: CityConfig, language: str, fallbacks: list[str], available: set[str]) -> str | None:
    """The language a subscriber gets among `available`: their own, their fallbacks, then the city's
    chain and default (None only when nothing is available)."""
    choice = choose_language(
        [language, *fallbacks], available, default_language=city.default_language, fallbacks=city.fallbacks
    )
    return choice.language if choice else None


class WrittenTexts:
    """A message editors wrote themselves in some of the city's languages (an urgent notice), as each
    subscriber gets it: in the best language it was written in (`best_language`), anchored for its
    direction like every other text notify sends. Same interface as `RenderCache`, for the fan-out."""

    def __init__(self, city: CityConfig, texts: dict[str, dict[str, str]]) -> None:
        self.city = city
        self.texts = texts
        self._cache: dict[tuple[str, tuple[str, ...]], Rendered] = {}

    def written(self, language: str) -> Rendered:
        text, rtl = self.texts[language], is_rtl(language)
        return Rendered(language, rtl, anchored(text["title"], rtl), anchored(text["body"], rtl), None)

    def get(self, language: str, fallbacks: list[str]) -> Rendered:
        key = (language, tuple(fallbacks))
        if key not in self._cache:
            chosen = best_language(self.city, language, fallbacks, set(self.texts))
            self._cache[key] = self.written(chosen or self.city.default_language)
        return self._cache[key]
