"""Error pages: whatever goes wrong, the reader gets a calm page in their language with a way on.

Unknown city, item or language: 404. A part of Witaj the city switched off (the web app's own check, or
a service's `feature_disabled`): 404, saying the city does not offer it. A service down or slow: 503, saying so (pages that could use a
saved copy show that instead, see `pages.Reader.use`). An expired or forged form: 403. Anything else:
500, logged, never a stack trace. Error pages ask no service for anything, so they render even when
every service is down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope
from witaj.shared.events import Feature
from witaj.shared.logging import get_logger
from witaj.web.clients.base import BackendNotFound, BackendRefused, BackendSwitchedOff, BackendUnavailable
from witaj.web.deps import PageNotFound, get_web, interface_language
from witaj.web.i18n import Translator
from witaj.web.pages import Reader
from witaj.web.security import CsrfRefused

log = get_logger("witaj.web")


@dataclass(frozen=True)
class Problem:
    status: int
    title: str
    """Catalogue keys of the page's heading and text."""
    text: str


PROBLEMS = {
    "city": Problem(404, "error.not_found.title", "error.not_found.city"),
    "language": Problem(404, "error.not_found.title", "error.not_found.language"),
    "page": Problem(404, "error.not_found.title", "error.not_found.page"),
    "question": Problem(404, "error.not_found.title", "error.not_found.question"),
    "bad_address": Problem(400, "error.bad_address.title", "error.bad_address.text"),
    "unavailable": Problem(503, "error.unavailable.title", "error.unavailable.text"),
    "form_expired": Problem(403, "error.form_expired.title", "error.form_expired.text"),
    "too_large": Problem(413, "error.too_large.title", "error.too_large.text"),
    "too_long": Problem(400, "error.too_large.title", "error.too_large.text"),
    "broken": Problem(500, "error.broken.title", "error.broken.text"),
}
SWITCHED_OFF = {
    Feature.EVENTS.value: "off.events",
    Feature.REGISTRATION.value: "off.registration",
    Feature.NOTIFICATIONS.value: "off.notifications",
}
"""What a reader is told of a part the city switched off; any other part gets `off.feature`."""


def switched_off(feature: str | None) -> Problem:
    return Problem(404, "off.title", SWITCHED_OFF.get(feature or "", "off.feature"))


AREAS: dict[str, Callable[[Request], Reader]] = {}
"""Address prefixes with readers of their own (the back office): errors there use its layout and texts."""


def _reader(request: Request) -> Reader:
    """The request's reader if it got that far, else one in the language the address or cookie says."""
    existing = getattr(request.state, "reader", None)
    if isinstance(existing, Reader):
        return existing
    for prefix, make in AREAS.items():
        if request.url.path == prefix or request.url.path.startswith(prefix + "/"):
            return make(request)
    lang = request.path_params.get("lang") if isinstance(request.path_params.get("lang"), str) else None
    language = interface_language(request, lang)
    return Reader(request, get_web(request), Translator(language), language)


def problem_page(
    request: Request, kind: str, *, asked_language: str | None = None, feature: str | None = None
) -> HTMLResponse:
    reader = _reader(request)
    if kind == "switched_off" and reader.city is None:
        kind = "page"  # only a city switches parts off; without one there is nothing more to say
    problem = switched_off(feature) if kind == "switched_off" else PROBLEMS[kind]
    reader.remember_language = False
    if problem.status == 503:
        reader.extra_headers["Retry-After"] = "30"
    return reader.render(
        reader.error_template,
        status=problem.status,
        problem=problem,
        kind=kind,
        asked_language=asked_language,
    )


def install(app: FastAPI) -> None:
    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageNotFound)
        return problem_page(request, exc.what, asked_language=exc.language, feature=exc.feature)

    async def gone(request: Request, exc: Exception) -> Response:
        if isinstance(exc, BackendSwitchedOff):
            return problem_page(request, "switched_off", feature=exc.feature)
        return problem_page(request, "page")

    async def unavailable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BackendUnavailable)
        return problem_page(request, "unavailable")

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BackendRefused)
        log.error("web.unexpected_refusal", service=exc.service, status=exc.status, code=exc.code)
        return problem_page(request, "broken")

    async def form_expired(request: Request, exc: Exception) -> Response:
        return problem_page(request, "form_expired")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return problem_page(request, "page")
        if exc.status_code == 413:
            return problem_page(request, "too_large")
        page = problem_page(request, "bad_address")
        page.status_code = exc.status_code if 400 <= exc.status_code < 500 else 400
        return page

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        too_long = any(error.get("type") == "string_too_long" for error in exc.errors())
        return problem_page(request, "too_long" if too_long else "bad_address")

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("http.unhandled_error", error=type(exc).__name__)
        return problem_page(request, "broken")

    app.add_exception_handler(PageNotFound, not_found)
    app.add_exception_handler(BackendNotFound, gone)
    app.add_exception_handler(BackendUnavailable, unavailable)
    app.add_exception_handler(BackendRefused, refused)
    app.add_exception_handler(CsrfRefused, form_expired)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)


def refusal(app: FastAPI) -> object:
    """For the platform middleware: a body too large gets the 413 page, a replica too busy to take the
    request on (503) the page saying the service is not available right now, not the APIs' JSON."""
    kinds = {413: "too_large", 503: "unavailable"}

    def refuse(scope: Scope, status: int) -> Response:
        request = Request({**scope, "app": app})
        return problem_page(request, kinds.get(status, "bad_address"))

    return refuse
