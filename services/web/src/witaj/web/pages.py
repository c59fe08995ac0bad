"""Rendering a page for one reader: their language, their city, the templates, cookies and headers.

Every route gets a `Reader` (see `deps.py`) and ends with `reader.render("template.html", ...)`. The
reader knows the city and language the address names, collects whether any answer on the page was a
saved copy (the page then says so and answers 503), signs the page's forms, and remembers the reader's
language in a cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from witaj.shared.events import CityConfig, Feature
from witaj.shared.languages import is_rtl
from witaj.web import security, views
from witaj.web.clients.base import Answer
from witaj.web.i18n import LANGUAGE_COOKIE, Translator, native_name
from witaj.web.markup import highlighted
from witaj.web.rendered import FORM_TOKEN_MARK

if TYPE_CHECKING:
    from witaj.web.deps import Web

T = TypeVar("T")
R = TypeVar("R", bound=Response)
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
OFFLINE_WORKER = "js/offline-worker.js"


class Templates:
    """The Jinja environment (autoescaping everything) and cache-busting addresses of static files."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("witaj.web", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.versions = _static_versions()
        every_file = "\n".join(f"{path}={version}" for path, version in sorted(self.versions.items()))
        self.build = hashlib.sha256(every_file.encode()).hexdigest()[:12]
        """Changes whenever any static file does: the service worker's version, naming its caches."""
        self.env.globals.update(
            static=self.static,
            offline_worker=f"/static/{OFFLINE_WORKER}?v={self.build}",
            native_name=native_name,
            is_rtl=is_rtl,
            Feature=Feature,
            opening_hours=views.opening_hours,
            documents_needed=views.documents_needed,
        )
        self.env.filters["highlighted"] = highlighted

    def static(self, path: str) -> str:
        """'/static/<path>?v=<hash of the file>': files can be cached for a year and still change."""
        version = self.versions.get(path)
        if version is None:
            raise LookupError(f"no static file {path!r}")
        return f"/static/{path}?v={version}"

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(context)


def _static_versions() -> dict[str, str]:
    root = resources.files("witaj.web").joinpath("static")
    versions: dict[str, str] = {}

    def walk(folder: Any, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.is_file():
                versions[prefix + entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()[:12]

    walk(root, "")
    return versions


@dataclass
class Reader:
    """One reader's request: who they are to the pages (language, city), and what the page used."""

    request: Request
    web: Web
    t: Translator
    language: str
    """The language the reader chose (in the address, asked of the services); `t.language` is the
    language of the interface texts, which is the same unless the web app has no texts for it."""
    city: CityConfig | None = None
    remember_language: bool = False
    saved_at: datetime | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    carried: dict[str, Callable[[Response], None]] = field(default_factory=dict)
    """What every answer to this request must carry, whatever the page turns out to be (a key the
    browser is to keep once a service gave it, even if the rest then failed), by what it sets (the
    last one set wins); see `carry`."""
    marking_tokens: bool = False
    """While rendering: form tokens are written as FORM_TOKEN_MARK, the reader's own put in after."""
    error_template = "errors/error.html"
    """The error page for this kind of reader (the back office has its own layout)."""

    def use(self, answer: Answer[T]) -> T:
        """The answer's data; a saved copy marks the page as shown from memory."""
        if answer.saved_at is not None and (self.saved_at is None or answer.saved_at < self.saved_at):
            self.saved_at = answer.saved_at
        return answer.data

    def has(self, feature: Feature) -> bool:
        return self.city is not None and self.city.has(feature)

    def path(self, *parts: str, lang: str | None = None) -> str:
        """An address in the reader's city: path('processes', 'x') -> '/lublin/uk/processes/x'."""
        assert self.city is not None
        return "/".join([f"/{self.city.id}/{lang or self.language}", *parts]).rstrip("/") or "/"

    def lang_attrs(self, language: str) -> Markup:
        """` lang=".." dir=".."` for content in another language than the interface, else nothing."""
        if language == self.t.language:
            return Markup("")
        return Markup(' lang="{}" dir="{}"').format(language, "rtl" if is_rtl(language) else "ltr")

    def language_link(self) -> str:
        """The language picker, told which page to come back to in the chosen language."""
        prefix = f"/{self.city.id}/{self.language}" if self.city else ""
        path = self.request.url.path
        rest = path[len(prefix) :] if prefix and path.startswith(prefix) else ""
        if rest.startswith("/language"):
            rest = ""
        query = self.request.query_params.get("q")
        if rest and query:
            rest += "?" + urlencode({"q": query})
        return self.path("language") + ("?" + urlencode({"from": rest}) if rest else "")

    def csrf_token(self) -> str:
        if self.marking_tokens:
            return FORM_TOKEN_MARK  # written in per reader after rendering (see `render`)
        return security.form_token(self.request, self.web.secret)

    @property
    def session(self) -> str:
        """A pseudonymous id for usage statistics: a keyed hash of the address and browser, changing
        every day. Nothing is stored and no cookie is needed; the address never leaves the web app."""
        client = self.request.client.host if self.request.client else "-"
        agent = self.request.headers.get("user-agent", "")[:200]
        day = datetime.now(UTC).date().isoformat()
        message = f"{day}\n{client}\n{agent}".encode()
        digest = hmac.new(self.web.secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def identity_headers(self) -> dict[str, str]:
        """What a public write tells a service about the reader: the address (so the rate limit is the
        reader's own, not the web app's) and the pseudonymous session. The address is the one the web
        app's trusted proxies named (`ForwardedClient`); the services must trust the web app's replicas
        (their `SERVICE__TRUSTED_PROXIES`) to believe it."""
        client = self.request.client.host if self.request.client else None
        headers = {"X-Session-Id": self.session}
        if client:
            headers["X-Forwarded-For"] = client
        return headers

    def carry(self, response: R) -> R:
        """`response` with what this request's answer must carry (rendered pages, error pages included,
        get it by themselves; a route answering otherwise, with a redirect, passes its answer here)."""
        for apply in self.carried.values():
            apply(response)
        return response

    @property
    def _personal(self) -> bool:
        return "no-store" in self.extra_headers.get("Cache-Control", "")

    def _rendered(self, template: str, context: dict[str, Any]) -> str:
        """The template's HTML with FORM_TOKEN_MARK where the reader's form token goes."""
        self.marking_tokens = True
        try:
            return self.web.templates.render(
                template, {"reader": self, "t": self.t, "city": self.city, **context}
            )
        finally:
            self.marking_tokens = False

    def render(
        self, template: str, *, status: int = 200, same_for: Hashable | None = None, **context: Any
    ) -> HTMLResponse:
        """The page; `same_for` says it is the same for every reader of this address who is shown this
        version of its answers (`rendered.version_of`), so it may be reused (see `rendered.py`)."""
        if self.saved_at is not None and status < 400:
            status = 503  # the page is a saved copy because a service is not answering
        key = None
        if same_for is not None and status == 200 and self.request.method == "GET" and not self._personal:
            url = self.request.url
            key = (template, url.path, url.query, self.language, self.t.language, same_for)
        html = self.web.rendered.get(key) if key is not None else None
        if html is None:
            html = self._rendered(template, context)
            if key is not None:
                self.web.rendered.put(key, html)
        if FORM_TOKEN_MARK in html:  # only a page with a form starts the reader's cookie
            html = html.replace(FORM_TOKEN_MARK, self.csrf_token())
        headers = {
            "Content-Language": self.t.language,
            "Cache-Control": "private, no-cache",
            "Vary": "Cookie, Accept-Language",
            **self.extra_headers,
        }
        response = self.carry(HTMLResponse(html, status_code=status, headers=headers))
        secure = self.web.settings.cookies_secure
        security.set_cookie(self.request, response, secure=secure)
        if self.remember_language and self.request.cookies.get(LANGUAGE_COOKIE) != self.language:
            response.set_cookie(
                LANGUAGE_COOKIE,
                self.language,
                max_age=LANGUAGE_COOKIE_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=secure,
            )
        return response
