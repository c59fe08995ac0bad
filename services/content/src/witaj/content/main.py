"""Composition root of the content service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.content import (
    answers,
    cities_api,
    feedback,
    gaps,
    handlers,
    machine_translation,
    preview,
    reading,
    search,
    suggestions,
    topics_api,
    translation,
    workbench,
    xliff,
)
from witaj.content.cache import PublishedCache
from witaj.content.cities import CityStore
from witaj.content.deps import Services
from witaj.content.events import SOURCE
from witaj.content.search_index import SearchIndex
from witaj.content.settings import ContentSettings
from witaj.content.store import ItemStore
from witaj.content.topic_tree import TopicTreeStore
from witaj.shared.inbox import Inbox
from witaj.shared.logging import configure_logging
from witaj.shared.machine_translation import translator
from witaj.shared.runtime import Runtime
from witaj.shared.topics import CONTENT_FEEDBACK, CONTENT_ITEMS, CONTENT_TRANSLATIONS, USAGE
from witaj.shared.web import create_service_app, serve_forever

DESCRIPTION = """
Local information for migrants in their own language: information pages, step-by-step procedures,
a glossary, a directory of offices and organisations, a catalogue of good practices, translation
workflow (with optional machine drafts) and search. This service also owns each city's configuration
and topic tree.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    settings = settings or ContentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        topics = [CONTENT_ITEMS, CONTENT_TRANSLATIONS, CONTENT_FEEDBACK, USAGE]
        async with (
            Runtime(settings, source=SOURCE, topics=topics) as runtime,
            translator(settings.machine_translation, user_agent="witaj-content") as engine,
        ):
            runtime.attach(app)
            trees = TopicTreeStore(runtime.db, runtime.outbox)
            # The writing replica applies its own city changes at once; the others follow `city.config`.
            city_store = CityStore(runtime.db, runtime.outbox, trees, applied=runtime.cities.apply)
            store = ItemStore(runtime.db, runtime.outbox, trees)
            await store.ensure_indexes()
            cache = PublishedCache(store)
            index = SearchIndex()
            cache.listeners.append(index.on_change)
            app.state.content = services = Services(
                runtime=runtime, settings=settings, items=store, published=cache, search_index=index,
                cities=city_store, topic_trees=trees, feedback=runtime.db["feedback"],
                gaps=runtime.db["search_gaps"], suggestions=runtime.db["suggestions"],
                demand=translation.page_demand(runtime.db), machine_translator=engine,
            )  # fmt: skip
            await feedback.ensure_indexes(services.feedback, settings.feedback_retention)
            await gaps.ensure_indexes(services.gaps)
            await suggestions.ensure_indexes(services.suggestions)
            demand = services.demand
            await demand.ensure_indexes()
            inbox = None
            if settings.count_demand:
                inbox = Inbox(runtime.client, runtime.db, "demand")
                await inbox.ensure_indexes()
            runtime.subscribe(handlers.subscriptions(trees, cache, demand, counted=inbox))
            await runtime.start()
            for config, _ in await city_store.list():
                await trees.ensure(config.id)
            yield

    app = create_service_app(
        settings, service="content", title="Witaj content", description=DESCRIPTION, lifespan=lifespan
    )
    # Reading first: most requests are reads, and its `{kind_path:kind}` matches only kinds' paths.
    app.include_router(reading.router)
    app.include_router(cities_api.router)
    app.include_router(topics_api.router)
    app.include_router(translation.router)
    app.include_router(xliff.router)
    app.include_router(machine_translation.router)
    app.include_router(feedback.router)
    app.include_router(feedback.public_router(settings))
    app.include_router(gaps.router)
    app.include_router(gaps.public_router(settings))
    app.include_router(suggestions.router)  # before the workbench: its /{kind_path} would take /suggestions
    app.include_router(suggestions.public_router(settings))
    app.include_router(workbench.router)
    app.include_router(preview.router)
    app.include_router(search.router)
    app.include_router(answers.router)
    return app


def main() -> None:
    settings = ContentSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
