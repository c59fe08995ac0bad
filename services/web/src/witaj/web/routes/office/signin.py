"""Signing in and out of the back office, and choosing its language.

With an identity provider: /office/sign-in/start keeps the sign-in under way on the server (state,
nonce, PKCE verifier; the browser gets a random id in a short-lived cookie) and sends the person to the
provider; /office/signed-in takes it back once, exchanges the code, checks the ID token and starts a
session under a new id (whatever session cookie the browser had is ended, not reused). Signing out ends
the session here and, when the provider offers it, there too (RP-initiated logout).

In development, /office/sign-in/development lets a person pick a role, city and organisation; it is
there only when `office.dev_key_path` is set, which production settings refuse.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.auth import Role
from witaj.shared.logging import get_logger
from witaj.web.deps import WebDep
from witaj.web.office.container import LANGUAGE_COOKIE, PREFIX, RETURN_PREFIXES, SIGN_IN_COOKIE, Office
from witaj.web.office.desk import Desk, OpenDesk, office_languages
from witaj.web.office.development import ROLES
from witaj.web.office.oidc import ProviderUnavailable, SignedIn, SignInFailed
from witaj.web.office.sessions import SIGN_IN_MINUTES, cookie_safe

router = APIRouter(prefix=PREFIX)
log = get_logger("witaj.web.office")
WHY = ("none", "expired", "rejected", "signed_out", "cancelled", "failed", "unavailable")
YEAR = 365 * 24 * 3600


def safe_next(value: str | None) -> str:
    """Only an address inside the back office (or the insights): a sign-in link must not send anyone
    elsewhere."""
    if (
        value
        and value.startswith(tuple(RETURN_PREFIXES))
        and not value.startswith("//")
        and "\\" not in value
    ):
        return value[:500]
    return PREFIX


def _office(desk: Desk) -> Office:
    assert desk.office is not None
    return desk.office


def _callback(desk: Desk) -> str:
    base = (_office(desk).public_url or str(desk.request.base_url)).rstrip("/")
    return f"{base}{PREFIX}/signed-in"


def _sign_in_page(desk: Desk, *, why: str, next_page: str, status: int = 200) -> HTMLResponse:
    office = _office(desk)
    return desk.render(
        "office/sign_in.html",
        status=status,
        why=why if why in WHY else None,
        next_page=next_page,
        provider=office.provider is not None,
        development=office.development is not None,
    )


@router.get("/sign-in")
async def sign_in(
    desk: OpenDesk,
    why: Annotated[str, Query(max_length=20)] = "",
    next: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    if desk.session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_page(desk, why=why, next_page=safe_next(next))


@router.get("/sign-in/start")
async def start(desk: OpenDesk, next: Annotated[str, Query(max_length=500)] = "") -> Response:
    office = _office(desk)
    if office.provider is None:
        return _sign_in_page(desk, why="failed", next_page=safe_next(next), status=404)
    try:
        url, pending = await office.provider.start(
            _callback(desk), language=desk.t.language, next_page=safe_next(next)
        )
    except ProviderUnavailable:
        return _sign_in_page(desk, why="unavailable", next_page=safe_next(next), status=503)
    pending_id = await office.sessions.begin_sign_in(pending)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        SIGN_IN_COOKIE, pending_id, max_age=SIGN_IN_MINUTES * 60, path=PREFIX,
        httponly=True, samesite="lax", secure=office.secure,
    )  # fmt: skip
    return response


@router.get("/signed-in")
async def signed_in(
    desk: OpenDesk,
    code: Annotated[str, Query(max_length=2_000)] = "",
    state: Annotated[str, Query(max_length=500)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The provider sends the person back here, with a code (or an error: they turned back)."""
    office = _office(desk)
    pending = await office.sessions.take_sign_in(cookie_safe(desk.request.cookies.get(SIGN_IN_COOKIE)))
    if office.provider is None or pending is None:
        page = _sign_in_page(desk, why="failed", next_page=PREFIX, status=400)
    elif error or not code:
        page = _sign_in_page(desk, why="cancelled", next_page=pending.next, status=400)
    else:
        try:
            signed = await office.provider.finish(_callback(desk), pending, code=code, state=state)
        except SignInFailed as failed:
            log.info("office.sign_in_failed", reason=failed.reason)
            page = _sign_in_page(desk, why="failed", next_page=pending.next, status=400)
        except ProviderUnavailable:
            page = _sign_in_page(desk, why="unavailable", next_page=pending.next, status=503)
        else:
            page = await _start_session(desk, signed, method="provider", next_page=pending.next)
    page.delete_cookie(SIGN_IN_COOKIE, path=PREFIX, httponly=True, samesite="lax", secure=office.secure)
    return page


async def _start_session(desk: Desk, signed: SignedIn, *, method: str, next_page: str) -> Response:
    office = _office(desk)
    await office.sessions.end(cookie_safe(desk.request.cookies.get(office.session_cookie)))
    session = await office.sessions.create(signed.staff, signed.tokens, method=method)
    response = RedirectResponse(next_page, status_code=303)
    response.set_cookie(
        office.session_cookie, session.id, path="/", httponly=True, samesite="lax", secure=office.secure
    )  # a browser-session cookie: the server decides how long the session lasts
    return response


@router.post("/sign-out")
async def sign_out(desk: OpenDesk) -> Response:
    office = _office(desk)
    session = desk.session
    target = f"{PREFIX}/signed-out"
    if session is not None:
        await office.sessions.end(session.id)
        if session.method == "provider" and office.provider is not None:
            base = (office.public_url or str(desk.request.base_url)).rstrip("/")
            target = await office.provider.logout_url(session.tokens, base + target) or target
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(
        office.session_cookie, path="/", httponly=True, samesite="lax", secure=office.secure
    )
    return response


@router.get("/signed-out")
async def signed_out(desk: OpenDesk) -> Response:
    if desk.session is not None:  # came back without signing out (an old link): nothing to say
        return RedirectResponse(PREFIX, status_code=303)
    return _sign_in_page(desk, why="signed_out", next_page=PREFIX)


# ------------------------------------------------------------------------------------- development


@router.get("/sign-in/development")
async def development_page(
    desk: OpenDesk, web: WebDep, next: Annotated[str, Query(max_length=500)] = ""
) -> HTMLResponse:
    if _office(desk).development is None:
        return _sign_in_page(desk, why="failed", next_page=PREFIX, status=404)
    cities = sorted(desk.use(await web.content.cities()), key=lambda c: c.name)
    return desk.render(
        "office/dev_sign_in.html", roles=ROLES, cities=cities, next_page=safe_next(next), problem=None
    )


@router.post("/sign-in/development")
async def development_sign_in(
    desk: OpenDesk,
    web: WebDep,
    role: Annotated[str, Form(max_length=40)] = "",
    city: Annotated[str, Form(max_length=64)] = "",
    organisation: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    office = _office(desk)
    if office.development is None:
        return _sign_in_page(desk, why="failed", next_page=PREFIX, status=404)
    cities = sorted(desk.use(await web.content.cities()), key=lambda c: c.name)
    chosen = Role(role) if role in {r.value for r in ROLES} else None
    if chosen is None or (chosen is not Role.PLATFORM_ADMIN and city not in {c.id for c in cities}):
        return desk.render(
            "office/dev_sign_in.html", status=422, roles=ROLES, cities=cities, next_page=safe_next(next),
            problem="role" if chosen is None else "city",
        )  # fmt: skip
    signed = office.development.sign_in(chosen, city=city or None, organisation=organisation.strip() or None)
    return await _start_session(desk, signed, method="development", next_page=safe_next(next))


# ---------------------------------------------------------------------------------------- language


@router.post("/language")
async def choose_language(
    desk: OpenDesk,
    language: Annotated[str, Form(max_length=3)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    response = RedirectResponse(safe_next(back), status_code=303)
    if language in office_languages():
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=YEAR,
            httponly=True,
            samesite="lax",
            secure=_office(desk).secure,
        )
    return response
