"""Composition root of the stats service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.web import create_service_app, serve_forever
from witaj.stats.settings import StatsSettings

SOURCE = "witaj/stats"
DESCRIPTION = """
Real-time usage and integration indicators per city: time series, breakdowns, top lists, live updates, CSV and JSON-stat exports, with small counts suppressed.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: StatsSettings | None = None) -> FastAPI:
    settings = settings or StatsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Runtime(settings, source=SOURCE) as runtime:
            runtime.attach(app)
            await runtime.start()
            yield

    return create_service_app(
        settings, service="stats", title="Witaj stats", description=DESCRIPTION, lifespan=lifespan
    )


def main() -> None:
    settings = StatsSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
