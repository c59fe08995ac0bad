"""Composition root of the events service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.events.settings import EventsSettings
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS, USAGE
from witaj.shared.web import create_service_app, serve_forever

SOURCE = "witaj/events"
DESCRIPTION = """
Events and courses from city offices and NGOs: schedules with recurrence, registration with a waitlist, attendance, iCalendar feeds and import.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    settings = settings or EventsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Runtime(
            settings, source=SOURCE, topics=[AGENDA_EVENTS, AGENDA_REGISTRATIONS, USAGE]
        ) as runtime:
            runtime.attach(app)
            await runtime.start()
            yield

    return create_service_app(
        settings, service="events", title="Witaj events", description=DESCRIPTION, lifespan=lifespan
    )


def main() -> None:
    settings = EventsSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
