"""Composition root of the stats service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.topics import STATS_INDICATOR_DATASETS, STATS_INDICATORS, STATS_ROLLUPS
from witaj.shared.web import create_service_app, serve_forever
from witaj.stats import api, districts, handlers, indicators_api, questions_api
from witaj.stats.deps import Services
from witaj.stats.live import LiveHub
from witaj.stats.rollups import RollupStore
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
        topics = [STATS_ROLLUPS, STATS_INDICATORS, STATS_INDICATOR_DATASETS]
        async with Runtime(settings, source=SOURCE, topics=topics) as runtime:
            runtime.attach(app)
            store = RollupStore(runtime.client, runtime.db)
            await store.ensure_indexes(settings.privacy.query_retention)
            live = LiveHub()
            app.state.stats = Services(runtime=runtime, settings=settings, store=store, live=live)
            runtime.subscribe(handlers.subscriptions(live))
            await runtime.start()
            yield

    app = create_service_app(
        settings, service="stats", title="Witaj stats", description=DESCRIPTION, lifespan=lifespan
    )
    app.include_router(api.router)
    app.include_router(indicators_api.router)
    app.include_router(districts.router)
    app.include_router(questions_api.router)
    return app


def main() -> None:
    settings = StatsSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
