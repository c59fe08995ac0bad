"""One insights request: the analyst's session (signed in as in the back office), their city, the language.

    @router.get("/insights/{city}/something")
    async def something(desk: CityAnalyst) -> HTMLResponse:
        data = await desk.stats.series(desk.token, desk.city_id, ...)
        return desk.render("insights/something.html", data=data)

Analysts sign in exactly like back-office staff (the same sessions, the same identity provider, the
development sign-in); the pages are theirs when the token carries `analyst`, `city_admin` or
`platform_admin` and the city is theirs (platform admins read every city), the same rule the stats API
applies. `OpenCity` serves the public open-data pages: no session, any visitor.

The insights keep their own texts (`locales/insights/`, in ar, en, pl and uk) and their own language
cookie, so a right-to-left interface is there for the public pages and for analysts who read Arabic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from witaj.shared.auth import Role
from witaj.web.clients.stats import StatsClient, StatsRefused
from witaj.web.deps import PageNotFound, WebDep, find_city
from witaj.web.i18n import Translator, reader_language, translated_languages
from witaj.web.office.desk import Desk, signed_desk
from witaj.web.office.sessions import cookie_safe
from witaj.web.pages import Reader

BOOK = "insights"
PREFIX = "/insights"
OPEN_PREFIX = "/open-data"
LANGUAGE_COOKIE = "witaj_insights_lang"
READERS = (Role.ANALYST, Role.CITY_ADMIN, Role.PLATFORM_ADMIN)
__all__ = ["StatsRefused"]


class NotAnalyst(Exception):
    """Signed in, but these statistics are not the person's to read (a 403 page that says so)."""


def insights_languages() -> tuple[str, ...]:
    return translated_languages(BOOK)


def insights_language(request: Request) -> str:
    chosen = request.query_params.get("lang")
    if chosen in insights_languages():
        return chosen
    return reader_language(
        insights_languages(),
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default="en",
    )


@dataclass
class Analyst(Desk):
    """A Desk (session, token, refreshing) that renders the insights' pages in their texts."""

    public: bool = False
    """An open-data page: nobody signed in, addresses under /open-data."""
    error_template = "insights/error.html"

    @property
    def stats(self) -> StatsClient:
        return cast(StatsClient, self.web.backends["stats"])

    def here(self, *parts: str, **query: str | int | None) -> str:
        """An insights address in the desk's city: here('gaps') -> '/insights/lublin/gaps'."""
        root = OPEN_PREFIX if self.public else PREFIX
        base = root if self.city is None else f"{root}/{self.city.id}"
        path = "/".join([base, *parts]).rstrip("/")
        kept = {k: v for k, v in query.items() if v not in (None, "")}
        return path + ("?" + urlencode(kept) if kept else "")

    @property
    def may_administer(self) -> bool:
        """City admins decide what their city publishes as open data."""
        return (
            self.session is not None
            and self.city is not None
            and self.staff.principal.may_administer_city(self.city.id)
        )

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        response = Reader.render(
            self, template, status=status, desk=self, insights_languages=insights_languages, **context
        )
        if self.session is not None:
            response.headers["Cache-Control"] = "no-store"
        return response


def make_analyst(request: Request, web: Any, *, public: bool = False) -> Analyst:
    language = insights_language(request)
    desk = Analyst(request, web, Translator(language, book=BOOK), language, office=web.office, public=public)
    request.state.reader = desk
    return desk


async def signed_analyst(request: Request, web: WebDep) -> Analyst:
    desk = make_analyst(request, web)
    office = web.office
    desk.session = await office.sessions.load(cookie_safe(request.cookies.get(office.session_cookie)))
    await signed_desk(desk)
    return desk


SignedAnalyst = Annotated[Analyst, Depends(signed_analyst)]


async def city_analyst(city: str, desk: SignedAnalyst) -> Analyst:
    staff = desk.staff
    config = await find_city(desk.web, desk, city) if len(city) <= 64 else None
    if config is None or not (staff.has(*READERS) and staff.in_city(config.id)):
        raise NotAnalyst(city)
    desk.city = config
    return desk


CityAnalyst = Annotated[Analyst, Depends(city_analyst)]


async def open_city(city: str, request: Request, web: WebDep) -> Analyst:
    desk = make_analyst(request, web, public=True)
    config = await find_city(web, desk, city) if len(city) <= 64 else None
    if config is None:
        raise PageNotFound("city")
    desk.city = config
    return desk


OpenCity = Annotated[Analyst, Depends(open_city)]


async def open_reader(request: Request, web: WebDep) -> Analyst:
    return make_analyst(request, web, public=True)


OpenReader = Annotated[Analyst, Depends(open_reader)]
