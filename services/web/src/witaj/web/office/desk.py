"""One back-office request: the person's session (tokens refreshed in time), their city, their language.

    @router.get("/office/{city}/something")
    async def something(desk: CityDesk) -> HTMLResponse:
        listing = await desk.workbench.listing(desk.token, desk.city_id, "pages")
        return desk.render("office/something.html", listing=listing)

`OpenDesk` is any office request (the sign-in page: a session is looked up but not required);
`SignedDesk` needs a session and raises `SignInNeeded` without one; `CityDesk` also needs the city in
the address to exist and be one the person works in (platform admins work in every city). The access
token is refreshed shortly before it expires, one refresh per session at a time; when the provider will
not refresh it (or a service rejects it) the session is over and the person is asked to sign in again.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from witaj.shared.events import CityConfig
from witaj.web.clients.counselling import CounsellingClient
from witaj.web.clients.organiser import OrganiserClient
from witaj.web.clients.workbench import WorkbenchClient
from witaj.web.deps import WebDep, find_city, get_web
from witaj.web.i18n import Translator, babel_locale, reader_language, translated_languages
from witaj.web.office.container import LANGUAGE_COOKIE, PREFIX, Office
from witaj.web.office.forms import FORMS
from witaj.web.office.oidc import ProviderUnavailable, SignInFailed
from witaj.web.office.recurrence import span
from witaj.web.office.sessions import StaffSession, cookie_safe
from witaj.web.office.staff import Staff
from witaj.web.pages import Reader
from witaj.web.views import FEATURE_OF_PATH

BOOK = "office"
SHARED = ("insights",)
"""Books whose texts the back office's pages also show: the information gaps are the insights' page."""
_refreshing: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


class SignInNeeded(Exception):
    """No session, or it is over: `why` is 'none', 'expired' or 'rejected' (a service refused the token)."""

    def __init__(self, why: str = "none") -> None:
        super().__init__(why)
        self.why = why


class NotYours(Exception):
    """Signed in, but this city or this action is not the person's (a 403 page that says so)."""


def office_kinds(city: CityConfig) -> list[str]:
    """The kinds of content the city has switched on, in the order the back office lists them."""
    return [kind_path for kind_path in FORMS if city.has(FEATURE_OF_PATH[kind_path])]


def office_languages() -> tuple[str, ...]:
    return translated_languages(BOOK)


def office_language(request: Request) -> str:
    """The back office's own language: the person's choice (cookie), else their browser's, else English."""
    return reader_language(
        office_languages(),
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default="en",
    )


@dataclass
class Desk(Reader):
    """A back-office request; `render` is a Reader's (headers, form cookie) with the office's texts."""

    office: Office | None = None
    session: StaffSession | None = None
    error_template = "office/error.html"

    @property
    def staff(self) -> Staff:
        assert self.session is not None, "only on signed-in pages"
        return self.session.staff

    @property
    def token(self) -> str:
        assert self.session is not None, "only on signed-in pages"
        return self.session.tokens.access_token

    @property
    def workbench(self) -> WorkbenchClient:
        assert self.office is not None
        return self.office.workbench

    @property
    def organiser(self) -> OrganiserClient:
        assert self.office is not None
        return self.office.organiser

    @property
    def counselling(self) -> CounsellingClient:
        assert self.office is not None
        return self.office.counselling

    @property
    def city_id(self) -> str:
        assert self.city is not None, "only on a city's pages"
        return self.city.id

    def here(self, *parts: str, **query: str | int | None) -> str:
        """A back-office address: here('items', 'x') -> '/office/lublin/items/x' (in the desk's city)."""
        city = [self.city.id] if self.city else []
        path = "/".join([PREFIX, *city, *parts]).rstrip("/")
        kept = {k: v for k, v in query.items() if v not in (None, "")}
        return path + ("?" + urlencode(kept) if kept else "")

    def reader_link(self, kind_path: str, item_id: str, language: str) -> str:
        """The item in the migrant app, as readers see it."""
        return f"/{self.city_id}/{language}/{kind_path}/{item_id}"

    def when(self, moment: str | datetime) -> str:
        """A date and time from an API ('2026-03-02T09:15:00+00:00') in the city's time zone, the
        office's language: revisions of one day differ by their time."""
        value = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
        zone = ZoneInfo(self.city.timezone) if self.city else UTC
        locale = babel_locale(self.t.language)
        return f"{format_date(value.astimezone(zone), 'medium', locale=locale)}, {format_time(value, 'short', tzinfo=zone, locale=locale)}"

    def span(self, start: datetime, end: datetime) -> str:
        """When an event's date happens, in the city's time zone: 'Tue, Mar 4, 2030, 17:00-18:30'."""
        zone = ZoneInfo(self.city.timezone) if self.city else UTC
        return span(self.t, start.astimezone(zone), end.astimezone(zone))

    def render(self, template: str, *, status: int = 200, **context: object) -> HTMLResponse:
        response = super().render(
            template, status=status, desk=self, office_kinds=office_kinds, office_languages=office_languages,
            **context,
        )  # fmt: skip
        response.headers["Cache-Control"] = "no-store"  # staff pages hold drafts: never kept by anyone
        return response


def _desk(request: Request, web: WebDep) -> Desk:
    language = office_language(request)
    office: Office = web.office
    desk = Desk(request, web, Translator(language, book=BOOK, shares=SHARED), language, office=office)
    request.state.reader = desk
    return desk


async def open_desk(request: Request, web: WebDep) -> Desk:
    desk = _desk(request, web)
    office = desk.office
    assert office is not None
    desk.session = await office.sessions.load(cookie_safe(request.cookies.get(office.session_cookie)))
    return desk


OpenDesk = Annotated[Desk, Depends(open_desk)]


async def signed_desk(desk: OpenDesk) -> Desk:
    if desk.session is None:
        raise SignInNeeded("none")
    await _keep_fresh(desk)
    assert desk.office is not None and desk.session is not None
    await desk.office.sessions.touch(desk.session)
    return desk


SignedDesk = Annotated[Desk, Depends(signed_desk)]


async def city_desk(city: str, desk: SignedDesk) -> Desk:
    config = await find_city(desk.web, desk, city) if len(city) <= 64 else None
    if config is None or not desk.staff.works_in(config.id):
        raise NotYours(city)
    desk.city = config
    return desk


CityDesk = Annotated[Desk, Depends(city_desk)]


async def _keep_fresh(desk: Desk) -> None:
    """Refresh the access token when it is about to expire; end the session when that is refused."""
    office, session = desk.office, desk.session
    assert office is not None and session is not None
    margin = office.settings.refresh_margin_seconds
    if not session.tokens.expires_within(margin, time.time()):
        return
    if office.provider is None or not session.tokens.refresh_token:
        if session.tokens.expires_within(0, time.time()):
            await office.sessions.end(session.id)
            raise SignInNeeded("expired")
        return
    lock = _refreshing.setdefault(session.id, asyncio.Lock())
    async with lock:
        latest = await office.sessions.load(session.id)  # another request may have refreshed meanwhile
        if latest is None:
            raise SignInNeeded("expired")
        if not latest.tokens.expires_within(margin, time.time()):
            desk.session = latest
            return
        try:
            tokens = await office.provider.refresh(latest.tokens)
        except SignInFailed:
            await office.sessions.end(session.id)
            raise SignInNeeded("expired") from None
        except ProviderUnavailable:
            if latest.tokens.expires_within(0, time.time()):
                raise
            desk.session = latest  # still valid for a little while: try again on the next request
            return
        if not await office.sessions.replace_tokens(latest, tokens):
            latest = await office.sessions.load(session.id) or latest  # another replica refreshed first
        desk.session = latest


def city_config(desk: Desk) -> CityConfig:
    assert desk.city is not None
    return desk.city


def office_of(request: Request) -> Office:
    return get_web(request).office
