"""The back office's pages under /office: one module per area, installed together by `install(app)`.

    signin.py       signing in and out (identity provider; development sign-in), the office's language
    home.py         /office (where to go) and a city's dashboard
    content.py      lists, new items, the item page, its workflow and history
    editing.py      the editing form of every kind, with its live preview
    translation.py  translators' dashboard, a language's work, the side-by-side editor, machine drafts
    xliff.py        XLIFF 2.0 download and upload
    city.py         the city's settings and topic tree (city admins)
    feedback.py     readers' feedback: helpfulness, the moderation queue
    gaps.py         what readers looked for and did not find, the languages in demand
    suggestions.py  readers' corrections and tips for an item's editors
    questions.py    migrants' questions: a counsellor's profile, the queue, a question's page
    question_actions.py         claim, answer or ask back, hand over, close, report
    faq.py          a frequently asked question (a page) from a question whose asker consented
    events.py       events and courses: the list, an event's page, its workflow, moving or cancelling a date
    event_editing.py            the event form (new and edit) with the schedule in words
    event_registrations.py      who registered, attendance, a CSV file
    event_import.py             iCalendar files and calendar URLs
    event_translation.py        events' translation: what needs it, side by side, XLIFF
    broadcasts.py   urgent notices to the city's subscribers: write, preview, send; what was sent

Besides its routes the back office brings: bigger forms under /office/ (a procedure's steps, an XLIFF
file; `security.LARGE_FORMS`), a larger body limit there (`office.max_body_bytes`), its own error pages
(`errors.AREAS`), and what happens when a session is missing or over (sign in again), a city is not the
person's (403), or a service refuses the person's token (the session ends).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import Scope
from witaj.web import errors, security
from witaj.web.clients.workbench import Refused, TokenRejected
from witaj.web.deps import get_web
from witaj.web.i18n import Translator
from witaj.web.office.container import PREFIX, RETURN_PREFIXES
from witaj.web.office.desk import BOOK, Desk, NotYours, SignInNeeded, office_language
from witaj.web.office.sessions import cookie_safe
from witaj.web.routes.office import (
    broadcasts,
    city,
    content,
    editing,
    event_editing,
    event_import,
    event_registrations,
    event_translation,
    events,
    faq,
    feedback,
    gaps,
    home,
    question_actions,
    questions,
    signin,
    suggestions,
    translation,
    xliff,
)
from witaj.web.settings import WebSettings

LARGE_FORM = (3_000, 1)
"""Fields and files a back-office form may have: a 40-step procedure, a translation of all its texts."""


def body_limit(settings: WebSettings) -> Callable[[Scope], int]:
    """The back office (and the areas signed in through it: the insights' dataset uploads) takes long
    texts and files; every other address keeps the app's small limit."""
    public, office = settings.service.max_body_bytes, settings.office.max_body_bytes

    def limit(scope: Scope) -> int:
        path = str(scope.get("path", ""))
        return office if path.startswith(tuple(p + "/" for p in RETURN_PREFIXES)) else public

    return limit


def _bare_desk(request: Request) -> Desk:
    """For errors raised before a page's own desk was made (an unknown address under /office)."""
    web = get_web(request)
    language = office_language(request)
    return Desk(request, web, Translator(language, book=BOOK), language, office=web.office)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def sign_in_address(request: Request, why: str) -> str:
    back = request.url.path if request.method == "GET" and not _is_htmx(request) else ""
    if back and request.url.query:
        back += "?" + request.url.query
    query = {"why": why, **({"next": back} if back.startswith(tuple(RETURN_PREFIXES)) else {})}
    return f"{PREFIX}/sign-in?{urlencode(query)}"


def _to_sign_in(request: Request, why: str) -> Response:
    target = sign_in_address(request, why)
    if _is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def install(app: FastAPI) -> None:
    security.LARGE_FORMS[PREFIX + "/"] = LARGE_FORM
    errors.AREAS[PREFIX] = _bare_desk

    async def sign_in_needed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInNeeded)
        return _to_sign_in(request, exc.why)

    async def token_rejected(request: Request, exc: Exception) -> Response:
        office = get_web(request).office
        await office.sessions.end(cookie_safe(request.cookies.get(office.session_cookie)))
        return _to_sign_in(request, "rejected")

    async def not_yours(request: Request, exc: Exception) -> Response:
        desk = getattr(request.state, "reader", None)
        desk = desk if isinstance(desk, Desk) else _bare_desk(request)
        return desk.render("office/not_yours.html", status=403)

    app.add_exception_handler(SignInNeeded, sign_in_needed)
    app.add_exception_handler(TokenRejected, token_rejected)
    app.add_exception_handler(NotYours, not_yours)
    app.add_exception_handler(Refused, not_yours)
    for module in (signin, home, content, editing, translation, xliff, city, feedback, gaps, broadcasts):
        app.include_router(module.router)
    for module in (suggestions, faq, questions, question_actions):  # /questions/profile before /{question_id}
        app.include_router(module.router)
    # Events: the addresses with a fixed word (new, import, translations) before /events/{event_id}.
    for module in (event_editing, event_import, event_translation, event_registrations, events):
        app.include_router(module.router)
