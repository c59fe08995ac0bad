"""The infrastructure half of every service's composition root.

A service's lifespan opens a `Runtime`, which connects to MongoDB and Kafka (waiting for them while they
start), creates the service's topics, runs the outbox relay, verifies tokens, keeps the city catalog
current, and runs the service's consumers and background workers (`witaj.shared.worker`); it closes
everything in reverse order. The service adds its own stores, handlers and workers on top, so each
`main.py` stays a short list of what the service is made of.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI
from pymongo.errors import PyMongoError
from witaj.shared.auth import TokenVerifier
from witaj.shared.cities import CityCatalog
from witaj.shared.envelope import Envelope
from witaj.shared.events import CityConfigured, TopicTreeChanged
from witaj.shared.handlers import Handlers, Subscription
from witaj.shared.kafka import (
    BatchHandler,
    EventConsumer,
    EventPublisher,
    Handler,
    backoff_seconds,
    ensure_topics,
)
from witaj.shared.logging import get_logger
from witaj.shared.mongo import create_client, database, ping
from witaj.shared.outbox import Outbox, OutboxRelay
from witaj.shared.settings import WitajSettings
from witaj.shared.topics import CITY_CONFIG
from witaj.shared.worker import Worker

log = get_logger(__name__)

STOP_STEP_SECONDS = 15.0
"""Longest wait for one part of a service to stop (the publisher flushes usage events for up to 5 s)."""


async def wait_for(what: str, attempt: Callable[[], Awaitable[Any]], timeout: float) -> None:
    """Retry `attempt` with back-off until it succeeds or `timeout` passes (dependencies start late)."""
    deadline = time.monotonic() + timeout
    tries = 0
    while True:
        try:
            await attempt()
            return
        except Exception as exc:
            tries += 1
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not become reachable within {timeout:.0f}s") from exc
            log.info("runtime.waiting", dependency=what, error=type(exc).__name__)
            await asyncio.sleep(backoff_seconds(tries, 200, 3_000))


class Runtime:
    def __init__(
        self,
        settings: WitajSettings,
        *,
        source: str,
        topics: Sequence[str] = (),
        startup_timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self.source = source
        self.topics = [CITY_CONFIG, *topics]
        self.startup_timeout = startup_timeout
        self.client = create_client(settings.mongo)
        self.db = database(self.client, settings.mongo)
        self.publisher = EventPublisher(settings.kafka)
        self.outbox = Outbox(self.client, self.db)
        self.service = source.rpartition("/")[2]
        self.relay = OutboxRelay(self.outbox, self.publisher, name=f"{self.service}-outbox-relay")
        self.verifier = TokenVerifier(settings.auth)
        self.cities = CityCatalog(self.db, served=settings.service.cities)
        self.consumers: list[EventConsumer] = []
        self.workers: list[Worker] = []
        self.city_listeners: list[Callable[[Envelope[Any]], Awaitable[None]]] = []
        self._started = False

    # --------------------------------------------------------------------------------- consumers

    def serves(self, envelope: Envelope[Any]) -> bool:
        return self.settings.service.serves(envelope.city)

    def group_id(self, group: str) -> str:
        """A consumer group per service and, for a per-city deployment, per set of cities.

        Replicas restricted to some cities must not share a group with replicas serving the others:
        they would split the partitions and each skip (and commit past) the other's cities' events.
        """
        cities = self.settings.service.cities
        suffix = f".cities-{'-'.join(sorted(cities))}" if cities else ""
        return f"{self.source}.{group}{suffix}"

    def consume(
        self,
        topic_names: Sequence[str],
        group: str,
        handle: Handler,
        *,
        broadcast: bool = False,
        accept: Callable[[Envelope[Any]], bool] | None = None,
        together: BatchHandler | None = None,
    ) -> EventConsumer:
        """Register a consumer, started with the runtime. `broadcast` gives every replica every event
        (for in-memory state such as caches); otherwise replicas share the group's partitions."""
        if self._started:
            raise RuntimeError("register consumers before the runtime starts them")
        consumer = EventConsumer(
            self.settings.kafka,
            topics=topic_names,
            group_id=self.group_id(group),
            handle=handle,
            publisher=self.publisher,
            accept=accept or self.serves,
            broadcast=broadcast,
            handle_batch=together,
        )
        self.consumers.append(consumer)
        return consumer

    def subscribe(self, subscriptions: Sequence[Subscription]) -> None:
        """Register the consumers a service's `handlers.py` declares."""
        for subscription in subscriptions:
            self.consume(
                subscription.topics,
                subscription.group,
                subscription.handlers,
                broadcast=subscription.broadcast,
                together=subscription.together,
            )

    def run(self, worker: Worker) -> Worker:
        """Register a background worker, started with the runtime after the consumers and stopped
        before them (see `__aexit__`)."""
        if self._started:
            raise RuntimeError("register workers before the runtime starts them")
        self.workers.append(worker)
        return worker

    async def _on_city_config(self, envelope: Envelope[Any]) -> None:
        if await self.cities.apply(envelope):
            for listener in self.city_listeners:
                await listener(envelope)

    # --------------------------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> Runtime:
        await wait_for("MongoDB", lambda: self.client.admin.command("ping"), self.startup_timeout)
        await wait_for("Kafka", self.publisher.start, self.startup_timeout)
        await wait_for(
            "Kafka topics", lambda: ensure_topics(self.settings.kafka, self.topics), self.startup_timeout
        )
        await self.outbox.ensure_indexes()
        await self.cities.load()
        cities = (
            Handlers().add(CityConfigured, self._on_city_config).add(TopicTreeChanged, self._on_city_config)
        )
        self.consume([CITY_CONFIG], "cities", cities, broadcast=True)
        return self

    async def start(self) -> None:
        """Start the relay, every registered consumer, then every registered worker (call after the
        service registered its own)."""
        self.relay.start()
        for consumer in self.consumers:
            await wait_for(f"consumer {consumer.group_id}", consumer.start, self.startup_timeout)
        self._started = True
        for worker in self.workers:
            worker.start()

    async def _stop_workers(self) -> None:
        """All at once: none waits for another (each one's work is in the database), so a service stops
        within the slowest one's grace rather than their sum."""
        await asyncio.gather(*(worker.stop() for worker in self.workers))

    async def __aexit__(self, *exc: object) -> None:
        """Stop the workers, the consumers, the relay, the publisher and the database client, each step
        within `STOP_STEP_SECONDS`: a step stuck on a broker or database that stopped answering is
        logged and left behind, so a service still stops within its grace period (nothing is lost by it:
        offsets and outbox rows not yet committed are simply taken up again by the next start).

        The order follows who feeds whom: workers and consumers write to the outbox and publish, so
        they stop before the relay's last flush (`OutboxRelay.finish`), and the relay before the
        publisher it sends with."""
        stops: list[Callable[[], Awaitable[None]]] = [self._stop_workers]
        stops += [consumer.stop for consumer in reversed(self.consumers)]
        stops += [self.relay.stop, self.publisher.stop, self.client.close]
        for stop in stops:
            try:
                await asyncio.wait_for(stop(), STOP_STEP_SECONDS)
            except TimeoutError:
                log.error("runtime.stop_timed_out", step=getattr(stop, "__qualname__", repr(stop)))

    def attach(self, app: FastAPI) -> None:
        """Make the runtime, token verifier and readiness checks available to the app's routes."""
        app.state.runtime = self
        app.state.verifier = self.verifier
        app.state.readiness_checks.update(self.readiness_checks())

    async def mongo_ready(self) -> bool:
        try:
            return await asyncio.wait_for(ping(self.client), 2.0)
        except (TimeoutError, PyMongoError):
            return False

    def readiness_checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        return {"mongodb": self.mongo_ready, "kafka": self.publisher.ready}
