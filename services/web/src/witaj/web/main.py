"""Composition root of the web app: settings, the backend clients, templates, middleware, routes.

    python -m witaj.web.main      (or `witaj-web`), reading WITAJ_WEB_* settings

Nothing connects at import: `create_app(settings)` builds the app and its lifespan opens the clients.
Tests build it with their own settings and, if they like, their own transports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, tzinfo
from typing import Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope
from witaj.shared.forwarded import ForwardedClient, TrustedProxies
from witaj.shared.logging import configure_logging
from witaj.shared.web import PlatformMiddleware, admission, serve_forever
from witaj.web import errors, operations, security
from witaj.web.clients.ask import AskClient
from witaj.web.clients.base import BackendClient
from witaj.web.clients.content import ContentClient
from witaj.web.clients.events import EventsClient
from witaj.web.clients.notify import NotifyClient
from witaj.web.clients.stats import StatsClient
from witaj.web.compression import Compression
from witaj.web.deps import Web, get_web
from witaj.web.office.container import Office
from witaj.web.pages import OFFLINE_WORKER, Templates
from witaj.web.rendered import RenderedPages
from witaj.web.routes import (
    cities,
    directory,
    events,
    feedback,
    inbox,
    insights,
    items,
    notifications,
    office,
    offline,
    question_actions,
    questions,
    registrations,
    search,
    speech,
    topics,
)
from witaj.web.settings import WebSettings
from witaj.web.speech import Speech


class Static(StaticFiles):
    """Static files: a versioned address (`?v=`, see `Templates.static`) may be cached for a year. The
    service worker may serve a city's pages although it lives under /static/."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
        )
        if path == OFFLINE_WORKER:
            response.headers["Service-Worker-Allowed"] = "/"  # its scope is a city, above /static/
        return response


async def csrf_guard(request: Request) -> None:
    """Every unsafe request to every route carries a valid form token (see `security.check_form`)."""
    await security.check_form(request, get_web(request).secret)


def create_app(
    settings: WebSettings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[tzinfo], datetime] | None = None,
) -> FastAPI:
    settings = settings or WebSettings()
    urls = {
        "content": settings.content_url,
        "events": settings.events_url,
        "notify": settings.notify_url,
        "stats": settings.stats_url,
        "ask": settings.ask_url,
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        content = ContentClient(urls["content"], settings.backend, transport=transport)
        events = EventsClient(urls["events"], settings.backend, transport=transport)
        notify = NotifyClient(urls["notify"], settings.backend, transport=transport)
        stats = StatsClient(urls["stats"], settings.backend, transport=transport)
        ask = AskClient(urls["ask"], settings.backend, transport=transport)
        backends: dict[str, BackendClient] = {
            "content": content,
            "events": events,
            "notify": notify,
            "stats": stats,
            "ask": ask,
        }
        back_office = Office.build(settings, transport=transport)
        app.state.web = Web(
            settings=settings, content=content, backends=backends, templates=templates, office=back_office,
            events=events, notify=notify, ask=ask, speech=voices,
            rendered=RenderedPages(seconds=settings.backend.fresh_seconds),
        )  # fmt: skip
        if clock is not None:
            app.state.web.clock = clock
        try:
            yield
        finally:
            voices.close()
            for client in backends.values():
                await client.aclose()
            await back_office.aclose()

    templates = Templates()
    voices = Speech(settings.speech)
    templates.env.globals["read_limit"] = settings.speech.max_chars
    templates.env.tests["has_voice"] = voices.has_voice
    app = FastAPI(
        title="Witaj",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(Compression, minimum_size=500)
    refusal: Any = errors.refusal(app)
    app.add_middleware(
        PlatformMiddleware,
        service="web",
        max_body_bytes=office.body_limit(settings),
        max_json_depth=settings.service.max_json_depth,
        refusal=refusal,
        **admission(settings.service, "web"),
    )
    app.add_middleware(
        security.SecurityHeaders, https=settings.cookies_secure, tile_origin=settings.map.tile_origin
    )
    # outermost: everything inside sees the reader the trusted proxies named (the gateway, in production)
    app.add_middleware(ForwardedClient, proxies=TrustedProxies(settings.service.trusted_proxies))
    app.mount("/static", Static(packages=[("witaj.web", "static")]), name="static")
    app.include_router(operations.router)
    app.include_router(speech.router)
    office.install(app)  # before the migrant routes, whose /{city}/{lang} would match /office/...
    insights.install(app)  # likewise /insights/... and /open-data/...
    app.include_router(cities.router)
    app.include_router(search.router)
    app.include_router(topics.router)
    # events, notifications and questions: before items, whose /{city}/{lang}/{kind_path} would match them first
    for area in (events, registrations, notifications, inbox, questions, question_actions):
        app.include_router(area.router)
    app.include_router(feedback.router)
    app.include_router(directory.router)
    app.include_router(offline.router)
    app.include_router(items.router)
    return app


def main() -> None:
    settings = WebSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
