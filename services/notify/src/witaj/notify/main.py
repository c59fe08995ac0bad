"""Composition root of the notify service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.notify.settings import NotifySettings
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.topics import NOTIFY_DELIVERIES
from witaj.shared.web import create_service_app, serve_forever

SOURCE = "witaj/notify"
DESCRIPTION = """
Subscriptions for anonymous devices and accounts; localized notifications to an in-app inbox with a live stream, e-mail and signed webhooks.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Runtime(settings, source=SOURCE, topics=[NOTIFY_DELIVERIES]) as runtime:
            runtime.attach(app)
            await runtime.start()
            yield

    return create_service_app(
        settings, service="notify", title="Witaj notify", description=DESCRIPTION, lifespan=lifespan
    )


def main() -> None:
    settings = NotifySettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
