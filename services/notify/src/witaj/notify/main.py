"""Composition root of the notify service: settings, infrastructure, stores, routes, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from witaj.notify import (
    broadcast_api,
    confirmation_api,
    handlers,
    inbox_api,
    subscriptions_api,
    webhooks,
)
from witaj.notify.broadcasts import BroadcastStore
from witaj.notify.confirmation import ConfirmationMailer
from witaj.notify.delivery import DeliveryWorker
from witaj.notify.deps import Services
from witaj.notify.fanout import Fanout
from witaj.notify.mailbox import Mailbox
from witaj.notify.send_times import Clock, utc_now
from witaj.notify.settings import NotifySettings
from witaj.notify.stream import StreamHub
from witaj.notify.subscriptions import SubscriptionStore
from witaj.shared.envelope import Envelope
from witaj.shared.logging import configure_logging
from witaj.shared.runtime import Runtime
from witaj.shared.topics import (
    AGENDA_EVENTS,
    AGENDA_REGISTRATIONS,
    ASK_QUESTIONS,
    CONTENT_ITEMS,
    NOTIFY_DELIVERIES,
)
from witaj.shared.web import create_service_app, serve_forever

SOURCE = "witaj/notify"
DESCRIPTION = """
Subscriptions for anonymous devices and accounts; localized notifications to an in-app inbox with a
live stream (Server-Sent Events), e-mail and signed webhooks.

A migrant who asked the city's counsellors a question (the ask service) and named a subscription is
told there when a counsellor answers or asks back: a notice linking to the thread, never the text,
and only if the question's event proves the migrant held that subscription's credential.

**Subscribers** create a subscription with `POST /subscriptions`. Without a bearer token it belongs to
the device: the answer's `token` (shown once) goes in the `X-Subscriber-Token` header of every later
call. With a bearer token it belongs to the account. Nobody can read or change another's subscription;
`DELETE /subscriptions/{id}` erases everything stored about it.

**E-mail** is double opt-in: a new or changed address first gets one confirmation e-mail (in the
subscriber's language) whose link opens a page with a button; nothing else is sent to it until that
is pressed, and an address left unconfirmed is forgotten after `notify.email_confirmation_hours`.

**Registrations** (events service) may name a subscriber to be told of promotions and cancellations
only with that subscription's own token (or its account's sign-in); the events carry a proof that is
checked here, and nothing is delivered without it.

**Broadcasts** are urgent notices (an office closed tomorrow) a city's PA editors and admins send to
the subscribers of topics or target groups, written in the city's languages: each subscriber gets their
own language, else their fallback's, else the city's default. `POST /cities/{city}/broadcasts/preview`
shows each language's text and how many subscribers get it (counts only); `POST /cities/{city}/broadcasts`
with an `Idempotency-Key` sends it once, past quiet hours and digests.

**Webhooks** are JSON `POST`s signed with the subscription's `webhook_secret` (shown once):
`Witaj-Signature: v1=<hex>` is HMAC-SHA256 over `"<Witaj-Timestamp>.<raw body>"`. Recompute it, compare
in constant time, refuse timestamps more than 5 minutes off, and use `Witaj-Delivery-Id` to drop
repeats (`witaj.notify.webhooks.verify_signature` is the reference). Targets on private, loopback,
link-local or reserved addresses are refused, and redirects are not followed.

Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: NotifySettings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    """`clock` dates messages and decides when e-mails and webhooks are due (tests move it)."""
    settings = settings or NotifySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        topics = [NOTIFY_DELIVERIES, CONTENT_ITEMS, AGENDA_EVENTS, AGENDA_REGISTRATIONS, ASK_QUESTIONS]
        async with Runtime(settings, source=SOURCE, topics=topics) as runtime:
            runtime.attach(app)
            store = SubscriptionStore(runtime.db, settings.notify.retention)
            box = Mailbox(runtime.db, runtime.outbox, settings.notify.retention)
            hub = StreamHub()
            fanout = Fanout(runtime, runtime.db, box, hub, settings.notify, clock)
            delivery = DeliveryWorker(
                runtime.db,
                runtime.outbox,
                settings.notify,
                settings.service.public_url,
                runtime.cities,
                webhooks.client(settings),
                clock,
            )
            fanout.on_pending_channel.append(delivery.wake)
            confirmations = ConfirmationMailer(
                runtime.db, settings.notify, settings.service.public_url, runtime.cities, clock
            )
            broadcasts = BroadcastStore(runtime.db, runtime.outbox, runtime.cities, fanout, settings.notify)
            for part in (store, box, fanout, confirmations, broadcasts):
                await part.ensure_indexes()
            app.state.notify = Services(
                runtime, settings.notify, store, box, hub, fanout, delivery, confirmations, broadcasts
            )

            async def city_changed(_: Envelope[Any]) -> None:
                fanout.wake()  # jobs waiting for this city's configuration can go on

            runtime.city_listeners.append(city_changed)
            runtime.subscribe(handlers.subscriptions(fanout))
            for worker in (fanout, delivery, confirmations):
                runtime.run(worker)
            await runtime.start()
            yield

    app = create_service_app(
        settings, service="notify", title="Witaj notify", description=DESCRIPTION, lifespan=lifespan
    )
    app.include_router(subscriptions_api.routes(settings.notify))
    app.include_router(confirmation_api.router)
    app.include_router(inbox_api.router)
    app.include_router(broadcast_api.router)
    return app


def main() -> None:
    settings = NotifySettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
