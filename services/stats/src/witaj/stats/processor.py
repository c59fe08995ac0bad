"""The stats stream processor: a faust-streaming worker that rolls up usage and domain events.

faust consumes: it joins the group, is assigned partitions and fetches; its consumer hands each fetch
over whole (`witaj.stats.consumer`). Each fetch is read as it arrives — messages that are not valid
Witaj events go to `<topic>.dlq` with the error in the headers, the rest are reduced to what they
count — and the writer counts what was read in one MongoDB transaction together with the offsets it
came from (`witaj.stats.rollups`). Only then are the records acknowledged to faust, which commits
offsets only as far as they are acknowledged (`Pipeline`). That is effectively-once without Kafka
transactions, which the development broker lacks; on real Kafka `kafka.exactly_once` also turns on
faust's own exactly-once guarantee for its internal topics.

Run it as `witaj-stats-processor` (or `python -m witaj.stats.processor`) with the API's settings.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import faust
from witaj.shared.envelope import EventDecodeError, registry
from witaj.shared.events import IndicatorDatasetSubmitted
from witaj.shared.kafka import EventPublisher, _is_transient, backoff_seconds, ensure_topics, park, unreadable
from witaj.shared.logging import configure_logging, get_logger
from witaj.shared.mongo import create_client, database, ping
from witaj.shared.topics import (
    AGENDA_EVENTS,
    AGENDA_REGISTRATIONS,
    ASK_QUESTIONS,
    CONTENT_FEEDBACK,
    CONTENT_TRANSLATIONS,
    NOTIFY_DELIVERIES,
    STATS_INDICATOR_DATASETS,
    STATS_INDICATORS,
    STATS_ROLLUPS,
    USAGE,
)
from witaj.stats import gaps, indicator_release, releases, streams
from witaj.stats.consumer import Message, acknowledger, install
from witaj.stats.credentials import broker_credentials
from witaj.stats.indicators import CATALOGUE
from witaj.stats.metrics import Counter
from witaj.stats.probes import serve_probes
from witaj.stats.rollups import Applied, Record, RollupStore, marker
from witaj.stats.settings import StatsSettings

log = get_logger(__name__)

SOURCE_TOPICS = (
    USAGE,
    ASK_QUESTIONS,
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

FETCH_BYTES = 4 * 1024**2
"""Largest fetch per partition (faust's default is 1 MiB, about 3,000 usage events): each hand-over
from faust's consumer thread costs a round of waits and a wake-up of the reader, so a backlog is read
in fewer, larger pieces."""

YIELD_EVERY = 1_000
"""Messages read between two returns to the event loop (a few milliseconds): reading a large fetch would
otherwise hold up the writer's database round trips, which overlap with it, for its whole length."""


class HandlerRejected(EventDecodeError):
    code = "handler_rejected"


class HandlerFailed(EventDecodeError):
    code = "handler_failed"


class UnreadableRecord(EventDecodeError):
    code = "unreadable_record"


class BatchProcessor:
    """Reads, dead-letters and counts batches; independent of faust so it can be tested alone.

    Two stages, so the pipeline can overlap them: `read` decodes a fetch and works out what each event
    counts, in stream order (CPU only); `process` stores a batch of read records in one transaction.
    """

    def __init__(self, settings: StatsSettings, store: RollupStore, publisher: EventPublisher) -> None:
        self.settings = settings
        self.store = store
        self.publisher = publisher
        self.counter = Counter(settings.privacy.session_salt.get_secret_value())
        self.processed = 0
        self.started = asyncio.Event()
        self._publishing: asyncio.Task[None] | None = None
        self._auditing: asyncio.Task[None] | None = None
        self._audit_again = False
        self._audit_lock = asyncio.Lock()
        # Usage signals are sent once, fire and forget; everything else may be re-sent under its id.
        self.usage_topic = settings.kafka.topics(USAGE)

    async def start(self) -> None:
        await self.store.ensure_indexes(self.settings.privacy.query_retention)
        self.counter.translations = await self.store.load_translations()
        self.started.set()

    async def read(self, messages: list[Message]) -> list[Record]:
        """Decode messages into records; those that are not valid Witaj events go to the dead-letter
        topic (unless an earlier run counted past them already) and are recorded as counting nothing.

        Never raises: the consumer hands fetches over from faust's fetch loop, which a raised error
        would stop (and the worker with it, to crash on the same offset at every restart). Any failure
        on a message, whatever its bytes, parks that message and reading goes on with the next.
        """
        await self.started.wait()  # translation states must be loaded before views are judged
        serves, counter, usage = self.settings.service.serves, self.counter, self.usage_topic
        records: list[Record] = []
        failed: list[tuple[Message, EventDecodeError]] = []
        for start in range(0, len(messages), YIELD_EVERY):
            if start:
                await asyncio.sleep(0)  # let the writer's database round trips through meanwhile
            for message in messages[start : start + YIELD_EVERY]:
                topic, partition, offset, _, value, _ = message
                by_id = topic != usage
                # One `try` per message costs nothing until it raises (Python 3.11's exceptions).
                try:
                    envelope = registry.decode(value or b"")
                    data = envelope.data
                    if type(data) is IndicatorDatasetSubmitted and data.indicator not in CATALOGUE:
                        raise HandlerRejected(f"unknown indicator {data.indicator!r}")
                    if not serves(envelope.city):
                        records.append(Record(topic, partition, offset, None, None, by_id))
                        continue
                    kept = envelope if by_id or counter.has_effects(envelope) else None
                    records.append(Record(topic, partition, offset, counter.read(envelope), kept, by_id))
                except Exception as exc:
                    failed.append((message, _reason(message, exc)))
                    records.append(Record(topic, partition, offset, None, None, by_id))
        if failed:
            await self._park_unless_counted(failed)
        return records

    async def _park_unless_counted(self, failed: list[tuple[Message, EventDecodeError]]) -> None:
        """Dead-letter what an earlier run did not count past already; waits out a database outage."""
        attempt = 0
        while True:
            try:
                markers = await self.store.markers({marker(m[0], m[1]) for m, _ in failed})
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                log.warning("stats.markers_unavailable", error=type(exc).__name__, attempt=attempt)
                await asyncio.sleep(backoff_seconds(attempt, 200, 10_000))
        for message, error in failed:
            if message[2] > markers.get(marker(message[0], message[1]), -1):
                await self._dead_letter(message, error)

    async def process(self, batch: list[Record]) -> None:
        """Count a batch; never raises, because the pipeline acknowledges a batch whose handling raised.

        Infrastructure trouble is retried until it passes (replays are harmless: offsets are marked).
        A batch that keeps failing otherwise is split; a single record that still fails is dead-lettered
        as `handler_failed` and its offset marked, so one bad message never stops the stream.
        """
        attempt = 0
        error = ""
        while True:
            try:
                await self._process(batch)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                error = f"{type(exc).__name__}: {exc}"
                transient = _is_transient(exc)
                log.warning("stats.batch_failed", error=type(exc).__name__, attempt=attempt, size=len(batch))
                kafka = self.settings.kafka
                if transient or attempt < kafka.retry_attempts:
                    cap = 30_000 if transient else kafka.retry_backoff_max_ms
                    await asyncio.sleep(backoff_seconds(attempt, kafka.retry_backoff_ms, cap))
                    continue
            if len(batch) > 1:
                for record in batch:
                    await self.process([record])
                return
            record = batch[0]
            # Only a record's place is kept after reading; the message itself stays in its topic there.
            value = record.envelope.to_json() if record.envelope is not None else None
            await self._dead_letter(
                (record.topic, record.partition, record.offset, None, value, []), HandlerFailed(error)
            )
            await self._process([record._replace(tally=None, envelope=None)])
            return

    async def _process(self, batch: list[Record]) -> None:
        applied = await self.store.apply(batch, self.counter)
        self.processed += applied.counted
        await self.published()  # one publication at a time, in the order the batches committed
        self._publishing = asyncio.create_task(self._publish(applied))

    async def published(self) -> None:
        """Wait for the stat-stream publication of the last stored batch."""
        if self._publishing is not None:
            await self._publishing

    async def _publish(self, applied: Applied) -> None:
        """Publish a committed batch's tables while the next batch is stored. Messages carry absolute
        counts read after the commit, so if one publication fails the next change of the same table
        brings subscribers up to date (as after a crash between a commit and its publication)."""
        try:
            await streams.publish(
                self.publisher, self.store, applied, minutes=self.settings.processor.publish_minutes
            )
        except Exception as exc:
            log.warning("stats.publish_failed", error=type(exc).__name__)
        if applied.datasets:
            # Apart from the batches: an audit of many figures takes a while, and counting goes on.
            self._audit_again = True
            if self._auditing is None or self._auditing.done():
                self._auditing = asyncio.create_task(self._audit_while_new())

    async def _audit_while_new(self) -> None:
        """Audit, and again while batches bring datasets meanwhile (an audit that read the population
        before them stores nothing, so that the next decides with them)."""
        while self._audit_again:
            self._audit_again = False
            await self.audit_indicators()

    async def audit_indicators(self) -> None:
        """Decide the indicator datasets not audited yet, then send those audited and not sent yet (after
        a batch that brought datasets, and on the release timer for any left behind). One at a time."""
        serves = self.settings.service.serves
        async with self._audit_lock:
            try:
                await indicator_release.audit_due(self.store, self.settings.privacy.threshold, serves)
                await streams.publish_indicators(self.publisher, self.store, serves)
            except Exception as exc:
                log.warning("stats.indicator_audit_failed", error=type(exc).__name__)

    async def release(self) -> None:
        """Release the settled days' counts of people and send releases not sent yet, and the settled
        weeks of information gaps (on a timer); audit indicator datasets a failure left behind."""
        privacy, serves = self.settings.privacy, self.settings.service.serves
        try:
            await releases.release_due(self.store, privacy.threshold, privacy.release_delay, serves)
            await streams.publish_releases(self.publisher, self.store, serves)
            await gaps.release_due(self.store, privacy, serves)
        except Exception as exc:
            log.warning("stats.release_failed", error=type(exc).__name__)
        await self.audit_indicators()

    async def _dead_letter(self, message: Message, exc: EventDecodeError) -> None:
        """Park the message with its error (at least once: a replay before the commit may repeat it)."""
        await park(self.publisher, message, exc.code, str(exc), "witaj-stats-processor")


def _reason(message: Message, exc: Exception) -> EventDecodeError:
    """Why a message was not counted, as the code and text its dead letter carries. Reading is pure
    computation on the message, so a failure other than decoding is parked at once (a retry would fail
    the same way); failures of the database, which may pass, are retried by `process`."""
    why = unreadable(message[5])
    if why is not None:
        return UnreadableRecord(why)
    if isinstance(exc, EventDecodeError):
        return exc
    return HandlerFailed(f"{type(exc).__name__}: {exc}")


def create_app(settings: StatsSettings) -> faust.App:
    kafka = settings.kafka
    guarantee = "exactly_once" if kafka.exactly_once else "at_least_once"
    app_id = f"{kafka.topic_prefix}witaj-stats-processor"
    app = faust.App(
        app_id,
        # faust creates a data directory even for in-memory tables; by default in the working
        # directory (a checkout would collect one per test). Nothing in it outlives the process.
        datadir=Path(tempfile.gettempdir()) / f"{app_id}-data",
        broker=[f"kafka://{server.strip()}" for server in kafka.bootstrap_servers.split(",")],
        broker_credentials=broker_credentials(kafka),
        store="memory://",
        processing_guarantee=guarantee,
        broker_session_timeout=kafka.session_timeout_ms / 1000,
        broker_heartbeat_interval=kafka.heartbeat_interval_ms / 1000,
        broker_commit_interval=settings.processor.commit_interval,
        producer_max_batch_size=kafka.producer_max_batch_size or 16384,
        topic_partitions=kafka.topic_partitions,
        consumer_max_fetch_size=FETCH_BYTES,
        topic_replication_factor=kafka.replication_factor,
        topic_allow_declare=kafka.create_topics,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
    )
    client = create_client(settings.mongo)
    publisher = EventPublisher(kafka)
    worker = BatchProcessor(settings, RollupStore(client, database(client, settings.mongo)), publisher)
    pipeline = Pipeline(worker, settings.processor.batch_size, settings.processor.batch_interval)
    install(app, pipeline, [kafka.topics(t) for t in SOURCE_TOPICS], kafka.fetch_max_wait_ms)

    async def mongo_ready() -> bool:
        try:
            return await asyncio.wait_for(ping(client), 2.0)
        except TimeoutError:
            return False

    async def writing() -> bool:
        return worker.started.is_set()

    checks = {"mongodb": mongo_ready, "kafka": publisher.ready, "writer": writing}

    @app.timer(interval=settings.processor.release_interval)
    async def release() -> None:
        await worker.started.wait()
        await worker.release()

    @app.task
    async def rollup() -> None:
        async with serve_probes(settings, checks):
            await publisher.start()
            try:
                await worker.start()
                await pipeline.write(acknowledger(app))
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
    if settings.kafka.sasl_password is not None:
        env["WITAJ_STATS_KAFKA__SASL_PASSWORD"] = settings.kafka.sasl_password.get_secret_value()
    return env


class Pipeline:
    """Reads each fetch as it arrives while the batch before is stored, and acknowledges records only
    once stored.

    A batch costs one transaction whose size is the number of distinct counters it touches (hundreds to
    a few thousand), hardly its number of events. So the consumer only reads and queues what each fetch
    returns, and one writer stores everything queued, up to `batch_size` records at a time: idle, an
    event is stored as soon as it is fetched; under load batches grow and each event costs less to
    store. The queue holds at most `batch_size` records (compact: a page view is kept as what it
    counts); beyond that the consumer waits before fetching more.

    A batch starts at most once per `interval` (unless the queue is full): after a quiet spell the
    first event is stored at once, but under a steady trickle of usage every few events would
    otherwise be a transaction of their own, with its tables read back and published, and the
    database's work per event is then many times what it is in a batch of a second's events. Counts
    are then at most `interval` late, which live figures can bear.

    Records are acknowledged after their transaction commits, so committed offsets never pass an event
    that was not counted, whatever happens to the process: a stop, a rebalance or a `kill -9` leaves the
    rest to be read again, and the offsets stored with the counts make that replay harmless.
    """

    def __init__(self, worker: BatchProcessor, max_size: int, interval: float = 0.0) -> None:
        self.worker = worker
        self.max_size = max_size
        self.interval = interval
        self.waiting: list[Record] = []
        self.changed = asyncio.Condition()

    async def add(self, messages: list[Message]) -> None:
        records = await self.worker.read(messages)
        async with self.changed:
            await self.changed.wait_for(lambda: len(self.waiting) < self.max_size)
            self.waiting.extend(records)
            self.changed.notify_all()

    async def write(self, acknowledge: Callable[[list[Record]], None]) -> None:
        last_start = -math.inf
        while True:
            async with self.changed:
                await self.changed.wait_for(lambda: bool(self.waiting))
                await self._gather(last_start + self.interval - time.monotonic())
                batch, self.waiting = self.waiting[: self.max_size], self.waiting[self.max_size :]
                self.changed.notify_all()
            last_start = time.monotonic()
            started = time.perf_counter()
            await _finish(self.worker.process(batch))
            acknowledge(batch)
            log.debug("stats.batch", size=len(batch), ms=round((time.perf_counter() - started) * 1000))

    async def _gather(self, seconds: float) -> None:
        """Let the queue fill for `seconds` (holding `changed`), or until it holds a full batch."""
        if seconds <= 0:
            return
        try:
            async with asyncio.timeout(seconds):
                await self.changed.wait_for(lambda: len(self.waiting) >= self.max_size)
        except TimeoutError:
            pass


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
