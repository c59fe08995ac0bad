"""Composition root of the events service: settings, infrastructure, stores, routes, jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from witaj.events import api, calendar_api, handlers, registration_api, workbench, xliff
from witaj.events.deps import Services
from witaj.events.documents import SOURCE
from witaj.events.jobs import Housekeeping
from witaj.events.recent_listings import RecentListings
from witaj.events.registrations import RegistrationStore
from witaj.events.settings import EventsSettings
from witaj.events.store import AgendaStore
from witaj.shared.demand import Demand
from witaj.shared.events import AgendaItemViewed
from witaj.shared.inbox import Inbox
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS, USAGE
from witaj.shared.web import create_service_app, serve_forever

DESCRIPTION = """
Events and courses from city offices and NGOs: schedules with recurrence, registration with a waitlist, attendance, iCalendar feeds and import.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    settings = settings or EventsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            # Opened first so it closes last: the runtime's housekeeping syncs calendars until it stops.
            calendar_api.calendar_client(settings) as calendars,
            Runtime(settings, source=SOURCE, topics=[AGENDA_EVENTS, AGENDA_REGISTRATIONS, USAGE]) as runtime,
        ):
            runtime.attach(app)
            registrations = RegistrationStore(
                runtime.db, runtime.outbox, retention=timedelta(days=settings.agenda.retention_days)
            )
            events = AgendaStore(
                runtime.db, runtime.outbox, cancel_registrations=registrations.cancel_for_event,
                check_capacity=registrations.check_capacity, booked_occurrences=registrations.booked_occurrences,
                listings=RecentListings(settings.agenda.listing_seconds),
            )  # fmt: skip
            await events.ensure_indexes()
            await registrations.ensure_indexes()
            demand = Demand(runtime.db, AgendaItemViewed, lambda view: view.event_id)
            await demand.ensure_indexes()
            inbox = None
            if settings.count_demand:  # for the translators' dashboard: views per event and language
                inbox = Inbox(runtime.client, runtime.db, "demand")
                await inbox.ensure_indexes()
            runtime.subscribe(handlers.subscriptions(demand, counted=inbox))
            housekeeping = Housekeeping(
                events,
                registrations,
                settings.agenda.job_interval_seconds,
                sync_calendars=lambda: calendar_api.sync_sources(runtime, events, calendars),
            )
            app.state.events = Services(
                runtime=runtime, settings=settings, events=events, registrations=registrations, demand=demand,
                calendars=calendars, housekeeping=housekeeping,
            )  # fmt: skip
            runtime.run(housekeeping)
            await runtime.start()
            yield

    app = create_service_app(
        settings, service="events", title="Witaj events", description=DESCRIPTION, lifespan=lifespan,
        max_body_bytes=calendar_api.body_limit(settings),
    )  # fmt: skip
    app.include_router(calendar_api.router)
    app.include_router(api.router)
    app.include_router(registration_api.router)
    app.include_router(workbench.router)
    app.include_router(xliff.router)
    return app


def main() -> None:
    settings = EventsSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
