"""What routes depend on: the app's one container (`Web`) and the reader of each request.

    @router.get("/{city}/{lang}/something")
    async def something(reader: CityReader, web: WebDep) -> HTMLResponse:
        data = reader.use(await web.content.something(reader.city.id, reader.language))
        return reader.render("pages/something.html", data=data)

`CityReader` checks the address's city and language against the content API's cities and raises
`PageNotFound` (a 404 page in the reader's language, with a way on) when either is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Annotated

from fastapi import Depends, Request
from witaj.shared.events import CityConfig, Feature
from witaj.web.clients.ask import AskClient
from witaj.web.clients.base import BackendClient
from witaj.web.clients.content import ContentClient
from witaj.web.clients.events import EventsClient
from witaj.web.clients.notify import NotifyClient
from witaj.web.i18n import LANGUAGE_COOKIE, Translator, has_texts, reader_language, translated_languages
from witaj.web.office.container import Office
from witaj.web.once import OnceOnly
from witaj.web.pages import Reader, Templates
from witaj.web.rendered import RenderedPages
from witaj.web.settings import WebSettings
from witaj.web.speech import Speech


@dataclass
class Web:
    """Everything the app holds for its lifetime, built once by the composition root (`main.py`)."""

    settings: WebSettings
    content: ContentClient
    backends: dict[str, BackendClient]
    """Every service by name (content too), for readiness and for the pages that need them."""
    templates: Templates
    office: Office
    """The back office: sessions, sign-in, the workbench (see `office/`)."""
    events: EventsClient
    notify: NotifyClient
    ask: AskClient
    """Instant answers and migrants' questions to counsellors."""
    speech: Speech
    """Read-aloud audio for languages the reader's browser has no voice for."""
    rendered: RenderedPages
    """Pages the same for every reader, kept for a moment (see `rendered.py`)."""
    once: OnceOnly = field(default_factory=OnceOnly)
    """Registration tokens asked for, by the form they are for: a form sent twice gets one token (and
    the events service, seeing the same token and form key again, books once)."""
    clock: Callable[[tzinfo], datetime] = field(default_factory=lambda: datetime.now)
    """The time now in a zone ("open now" in the city's time zone); tests set their own."""

    @property
    def secret(self) -> bytes:
        return self.settings.secret_key.get_secret_value().encode()


class PageNotFound(Exception):
    """The address names a city, language or thing that does not exist; `what` says which."""

    def __init__(
        self,
        what: str,
        *,
        city: CityConfig | None = None,
        language: str | None = None,
        feature: str | None = None,
    ) -> None:
        super().__init__(what)
        self.what = what
        self.city = city
        self.language = language
        self.feature = feature
        """For `what='switched_off'`: the city's switch that is off (a `Feature` value)."""


def get_web(request: Request) -> Web:
    return request.app.state.web  # type: ignore[no-any-return]


async def web_of(request: Request) -> Web:
    """`get_web` as a dependency. Dependencies here are coroutines: FastAPI runs a plain function in a
    worker thread, a hand-over to another thread and back on every request for nothing."""
    return get_web(request)


WebDep = Annotated[Web, Depends(web_of)]


def interface_language(request: Request, preferred: str | None = None) -> str:
    """The language of the interface texts: the one asked for if the app has texts for it, else the
    reader's earlier choice or browser preference among the languages the app speaks, else English."""
    if preferred and has_texts(preferred):
        return preferred
    return reader_language(
        translated_languages(),
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default="en",
    )


async def plain_reader(request: Request, web: WebDep) -> Reader:
    """A reader outside any city (the city picker, error pages): language from cookie or browser."""
    chosen = request.query_params.get("lang")
    language = interface_language(request, chosen if chosen and len(chosen) <= 3 else None)
    reader = Reader(request, web, Translator(language), language, remember_language=chosen == language)
    request.state.reader = reader
    return reader


PlainReader = Annotated[Reader, Depends(plain_reader)]


async def find_city(web: Web, reader: Reader, city: str) -> CityConfig | None:
    """The city's configuration; a city not in the reused list is asked for afresh (it may be new)."""
    for config in reader.use(await web.content.cities()):
        if config.id == city:
            return config
    for config in reader.use(await web.content.cities(afresh=True)):
        if config.id == city:
            return config
    return None


async def city_reader(request: Request, city: str, lang: str, web: WebDep) -> Reader:
    reader = Reader(request, web, Translator(interface_language(request, lang)), lang)
    request.state.reader = reader
    config = await find_city(web, reader, city)
    if config is None:
        raise PageNotFound("city")
    reader.city = config
    if lang not in config.languages:
        reader.language = reader_language(
            config.languages,
            cookie=request.cookies.get(LANGUAGE_COOKIE),
            accept_language=request.headers.get("accept-language"),
            default=config.default_language,
        )
        raise PageNotFound("language", city=config, language=lang)
    reader.remember_language = True
    return reader


CityReader = Annotated[Reader, Depends(city_reader)]


def require(reader: Reader, feature: Feature) -> None:
    """A part of the app the city has switched off is, to its readers, not there: a 404 page that says
    the city does not offer it (rather than that the address is wrong), with a way on."""
    if not reader.has(feature):
        raise PageNotFound("switched_off", city=reader.city, feature=feature.value)
