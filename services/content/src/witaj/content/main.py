"""Composition root of the content service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.content import cities
from witaj.content.demo import seed_demo_city
from witaj.content.settings import ContentSettings
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.web import create_service_app, serve_forever

DESCRIPTION = """
Local information for migrants in their own language: information pages, step-by-step procedures,
a glossary, a directory of offices and organisations, a catalogue of good practices, translation
workflow and search. This service also owns each city's configuration.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    settings = settings or ContentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Runtime(settings, source=cities.SOURCE) as runtime:
            runtime.attach(app)
            app.state.city_store = cities.CityStore(runtime.db, runtime.outbox)
            await runtime.start()
            if settings.service.seed_demo:
                await seed_demo_city(app.state.city_store)
            yield

    app = create_service_app(
        settings, service="content", title="Witaj content", description=DESCRIPTION, lifespan=lifespan
    )
    app.include_router(cities.router)
    return app


def main() -> None:
    settings = ContentSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
