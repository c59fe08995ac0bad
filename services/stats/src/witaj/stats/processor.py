"""The stats stream processor: a faust-streaming worker that rolls up usage and domain events.

faust consumes, partitions and batches (`stream.noack_take`); each batch is decoded, messages that are
not valid Witaj events go to `<topic>.dlq` with the error in the headers, and the rest are counted in
one MongoDB transaction together with the offsets they came from (`witaj.stats.rollups`). Only then
are its events acknowledged to faust, which commits offsets only as far as they are acknowledged
(`Pipeline`). That is effectively-once without Kafka transactions, which the development broker
lacks; on real Kafka `kafka.exactly_once` also turns on faust's own exactly-once guarantee for its
internal topics.

Run it as `witaj-stats-processor` (or `python -m witaj.stats.processor`) with the API's settings.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, cast

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import EventT
from witaj.shared.envelope import Envelope, EventDecodeError, registry
from witaj.shared.events import IndicatorDatasetSubmitted
from witaj.shared.kafka import EventPublisher, _is_transient, backoff_seconds, ensure_topics
from witaj.shared.logging import configure_logging, get_logger
from witaj.shared.mongo import create_client, database
from witaj.shared.topics import (
    AGENDA_EVENTS,
    AGENDA_REGISTRATIONS,
    CONTENT_FEEDBACK,
    CONTENT_TRANSLATIONS,
    NOTIFY_DELIVERIES,
    STATS_INDICATOR_DATASETS,
    STATS_INDICATORS,
    STATS_ROLLUPS,
    USAGE,
    dead_letter,
)
from witaj.stats import streams
from witaj.stats.indicators import CATALOGUE
from witaj.stats.metrics import Counter
from witaj.stats.rollups import Record, RollupStore
from witaj.stats.settings import StatsSettings

log = get_logger(__name__)

SOURCE_TOPICS = (
    USAGE,
    CONTENT_TRANSLATIONS,
    CONTENT_FEEDBACK,
    AGENDA_EVENTS,
    AGENDA_REGISTRATIONS,
    NOTIFY_DELIVERIES,
    STATS_INDICATOR_DATASETS,
)
"""What the processor reads; `stats.indicator_datasets` brings validated uploads from the API."""


GC_THRESHOLD = 50_000
"""Allocations between young-generation collections (CPython's default is 700); see `_tune_gc`."""

Message = tuple[str, int, int, bytes | None, bytes | None, Any]
"""(topic, partition, offset, key, value, headers) of one consumed message."""


class HandlerRejected(EventDecodeError):
    code = "handler_rejected"


class HandlerFailed(EventDecodeError):
    code = "handler_failed"


class BatchProcessor:
    """Decodes, dead-letters and counts one batch; independent of faust so it can be tested alone."""

    def __init__(self, settings: StatsSettings, store: RollupStore, publisher: EventPublisher) -> None:
        self.settings = settings
        self.store = store
        self.publisher = publisher
        self.counter = Counter(settings.privacy.session_salt.get_secret_value())
        self.processed = 0
        # Usage signals are sent once, fire and forget; everything else may be re-sent under its id.
        self.usage_topic = settings.kafka.topics(USAGE)

    async def start(self) -> None:
        await self.store.ensure_indexes()
        self.counter.translations = await self.store.load_translations()

    async def process(self, messages: list[Message]) -> None:
        """Count a batch; never raises, because faust acknowledges a batch whose handling raised.

        Infrastructure trouble is retried until it passes (replays are harmless: offsets are marked).
        A batch that keeps failing otherwise is split; a single message that still fails is dead-lettered
        as `handler_failed` and its offset marked, so one bad message never stops the stream.
        """
        attempt = 0
        error = ""
        while True:
            try:
                await self._process(messages)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                error = f"{type(exc).__name__}: {exc}"
                transient = _is_transient(exc)
                log.warning(
                    "stats.batch_failed", error=type(exc).__name__, attempt=attempt, size=len(messages)
                )
                kafka = self.settings.kafka
                if transient or attempt < kafka.retry_attempts:
                    cap = 30_000 if transient else kafka.retry_backoff_max_ms
                    await asyncio.sleep(backoff_seconds(attempt, kafka.retry_backoff_ms, cap))
                    continue
            if len(messages) > 1:
                for message in messages:
                    await self.process([message])
                return
            topic, partition, offset, key, value, headers = messages[0]
            await self._dead_letter(topic, partition, offset, key, value, headers, HandlerFailed(error))
            await self._process(messages, skip=True)
            return

    async def _process(self, messages: list[Message], *, skip: bool = False) -> None:
        markers = await self.store.markers({f"{t}:{p}" for t, p, *_ in messages})
        records: list[Record] = []
        for topic, partition, offset, key, value, headers in messages:
            envelope = None
            try:
                envelope = None if skip else self._decode(value)
            except EventDecodeError as exc:
                if offset > markers.get(f"{topic}:{partition}", -1):
                    await self._dead_letter(topic, partition, offset, key, value, headers, exc)
            if envelope is not None and not self.settings.service.serves(envelope.city):
                envelope = None
            records.append(Record(topic, partition, offset, envelope, by_id=topic != self.usage_topic))
        applied = await self.store.apply(records, self.counter)
        self.processed += applied.counted
        await streams.publish(
            self.publisher,
            self.store,
            applied,
            self.settings.privacy.threshold,
            minutes=self.settings.processor.publish_minutes,
        )

    def _decode(self, value: bytes | None) -> Envelope[Any]:
        envelope = registry.decode(value or b"")
        if isinstance(envelope.data, IndicatorDatasetSubmitted) and envelope.data.indicator not in CATALOGUE:
            raise HandlerRejected(f"unknown indicator {envelope.data.indicator!r}")
        return envelope

    async def _dead_letter(
        self,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        headers: Any,
        exc: EventDecodeError,
    ) -> None:
        """Park the message with its error (at least once: a replay before the commit may repeat it)."""
        extra = [
            ("witaj.error.code", exc.code.encode()),
            ("witaj.error.message", str(exc)[:1000].encode()),
            ("witaj.original.topic", topic.encode()),
            ("witaj.original.partition", str(partition).encode()),
            ("witaj.original.offset", str(offset).encode()),
            ("witaj.consumer.group", b"witaj-stats-processor"),
            ("witaj.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        original = [(k, v) for k, v in (headers or ()) if isinstance(k, str)]
        await self.publisher.send_raw(
            dead_letter(topic), value or b"", key=key, headers=[*original, *extra], prefixed=True
        )
        log.warning("stats.dead_lettered", reason=exc.code, topic=topic, offset=offset)


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """faust fixes the fetch wait at 1.5 s; brokers that hold a fetch that long (the development one
    does) would make every count 1.5 s late, so the wait follows `kafka.fetch_max_wait_ms`."""

    fetch_max_wait_ms = 1500

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = self.fetch_max_wait_ms
        return consumer


def _consumer_class(fetch_max_wait_ms: int) -> type[faust_aiokafka.Consumer]:
    thread = type("ConsumerThread", (_ConsumerThread,), {"fetch_max_wait_ms": fetch_max_wait_ms})

    class Consumer(faust_aiokafka.Consumer):
        def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
            return thread(self, loop=self.loop, beacon=self.beacon)  # type: ignore[no-any-return]

    return Consumer


def create_app(settings: StatsSettings) -> faust.App:
    kafka = settings.kafka
    guarantee = "exactly_once" if kafka.exactly_once else "at_least_once"
    app = faust.App(
        f"{kafka.topic_prefix}witaj-stats-processor",
        broker=[f"kafka://{server.strip()}" for server in kafka.bootstrap_servers.split(",")],
        store="memory://",
        processing_guarantee=guarantee,
        broker_session_timeout=kafka.session_timeout_ms / 1000,
        broker_heartbeat_interval=kafka.heartbeat_interval_ms / 1000,
        broker_commit_interval=settings.processor.commit_interval,
        producer_max_batch_size=kafka.producer_max_batch_size or 16384,
        topic_partitions=kafka.topic_partitions,
        topic_replication_factor=kafka.replication_factor,
        topic_allow_declare=kafka.create_topics,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
    )
    app.transport.Consumer = _consumer_class(kafka.fetch_max_wait_ms)  # type: ignore[misc]
    source = app.topic(
        *(kafka.topics(t) for t in SOURCE_TOPICS), key_serializer="raw", value_serializer="raw"
    )

    @app.agent(source)
    async def rollup(stream: faust.StreamT[bytes]) -> None:
        client = create_client(settings.mongo)
        publisher = EventPublisher(kafka)
        await publisher.start()
        worker = BatchProcessor(settings, RollupStore(client, database(client, settings.mongo)), publisher)
        await worker.start()
        pipeline = Pipeline(worker, stream, settings.processor.batch_size)
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(pipeline.write())
                async for events in cast(faust.Stream[bytes], stream).noack_take(
                    settings.processor.batch_size, within=settings.processor.batch_within
                ):
                    await pipeline.add(cast(list[EventT], events))
        finally:
            await publisher.stop()
            await client.close()

    return app


def environment(settings: StatsSettings, base: dict[str, str] | None = None) -> dict[str, str]:
    """`settings` as the environment variables `witaj-stats-processor` reads, to start it as a process."""
    env = {k: v for k, v in (base or {}).items() if not k.startswith("WITAJ_STATS_")}
    blocks = settings.model_dump(mode="json", include={"service", "kafka", "processor", "privacy"})
    for block, values in blocks.items():
        for name, value in values.items():
            if value is not None and not isinstance(value, dict | list) and "*" not in str(value):
                env[f"WITAJ_STATS_{block.upper()}__{name.upper()}"] = str(value)
    env["WITAJ_STATS_SERVICE__CITIES"] = json.dumps(settings.service.cities)
    env["WITAJ_STATS_MONGO__URL"] = settings.mongo.url.get_secret_value()
    env["WITAJ_STATS_MONGO__DATABASE"] = str(settings.mongo.database)
    env["WITAJ_STATS_PRIVACY__SESSION_SALT"] = settings.privacy.session_salt.get_secret_value()
    return env


class Pipeline:
    """Stores one batch while faust gathers the next, and acknowledges events only once stored.

    A batch costs one transaction whose size is the number of distinct counters it touches (hundreds to
    a few thousand), hardly its number of events, and faust's per-event delivery is slow enough that
    waiting for the database would leave the consumer idle. So the agent only queues what faust hands it
    every `batch_within` seconds, and one writer stores what has queued, up to `batch_size` events at a
    time: idle, an event is stored about `batch_within` seconds after it arrives; under load batches
    grow and each event costs less to store. The queue holds at most `batch_size` events; beyond that
    the agent waits.

    Events are taken from faust unacknowledged (`noack_take`) and acknowledged after their transaction
    commits, so faust's offsets never pass an event that was not counted, whatever happens to the
    process: a stop, a rebalance or a `kill -9` leaves the rest to be read again, and the offsets stored
    with the counts make that replay harmless.
    """

    def __init__(self, worker: BatchProcessor, stream: faust.StreamT[bytes], max_size: int) -> None:
        self.worker = worker
        self.stream = stream
        self.max_size = max_size
        self.waiting: list[EventT] = []
        self.changed = asyncio.Condition()

    async def add(self, events: list[EventT]) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: len(self.waiting) < self.max_size)
            self.waiting.extend(events)
            self.changed.notify_all()

    async def write(self) -> None:
        while True:
            async with self.changed:
                await self.changed.wait_for(lambda: bool(self.waiting))
                events, self.waiting = self.waiting[: self.max_size], self.waiting[self.max_size :]
                self.changed.notify_all()
            started = time.perf_counter()
            await _finish(self.worker.process([_message(e) for e in events]))
            for event in events:
                await self.stream.ack(event)
            log.debug("stats.batch", size=len(events), ms=round((time.perf_counter() - started) * 1000))


def _message(event: EventT) -> Message:
    m = event.message
    return (m.topic, m.partition, m.offset, m.key, m.value, m.headers)


async def _finish(work: Coroutine[Any, Any, None]) -> None:
    """On stop, let a started batch end its transaction cleanly rather than abandon it on the server
    (its events are not acknowledged yet, so if it does not finish they are simply read again)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task], timeout=30)
        raise


def main() -> None:
    settings = StatsSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(ensure_topics(settings.kafka, [*SOURCE_TOPICS, STATS_ROLLUPS, STATS_INDICATORS]))
    app = create_app(settings)
    _tune_gc()
    worker = faust.Worker(app, loop=loop, loglevel=settings.service.log_level.lower(), quiet=True)
    worker.execute_from_commandline()


def _tune_gc() -> None:
    """Collect cycles less often. A batch keeps tens of thousands of young objects alive (faust events,
    decoded envelopes) and faust allocates several per message, so with the default threshold (700)
    the collector ran every few events and rescanned the whole batch each time: about half of the time
    spent decoding, a fifth of the processor's CPU. Freezing moves what start-up built (modules,
    settings, the app) out of its sight."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 50)


if __name__ == "__main__":
    main()
