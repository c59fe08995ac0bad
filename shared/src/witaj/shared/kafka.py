"""Kafka producer and consumer helpers with the platform's delivery rules built in.

- The publisher waits for the broker's acknowledgement (acks=all) for domain events, and offers a
  bounded fire-and-forget path for usage events so a slow broker never slows a response.
- The consumer commits an offset only after its handler succeeded, retries failures with capped
  exponential back-off, waits out infrastructure outages without skipping anything, and sends messages
  it cannot decode or handle to `<topic>.dlq` with the error in the headers. A poison message never
  stops it: not bytes that are no event, not an event its handler cannot take, and not a record the
  Kafka client itself cannot parse (`read_past_unreadable`). Handlers are made idempotent with
  `witaj.shared.inbox.Inbox`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    CommitFailedError,
    CorruptRecordException,
    KafkaError,
    MessageSizeTooLargeError,
    RecordTooLargeError,
    TopicAlreadyExistsError,
)
from prometheus_client import Counter
from pymongo.errors import ConnectionFailure, OperationFailure
from witaj.shared.envelope import Envelope, EventDecodeError, EventRegistry, registry
from witaj.shared.logging import get_logger
from witaj.shared.settings import KafkaSettings
from witaj.shared.topics import dead_letter

log = get_logger(__name__)

Handler = Callable[[Envelope[Any]], Awaitable[None]]
BatchHandler = Callable[[list[Envelope[Any]]], Awaitable[None]]
"""Handles the decoded events of one fetch of one partition together, in offset order."""

CONSUMED = Counter("witaj_events_consumed_total", "Events handled successfully", ["group", "type"])
DEAD_LETTERED = Counter(
    "witaj_events_dead_lettered_total", "Messages sent to a dead-letter topic", ["group", "reason"]
)
RETRIED = Counter(
    "witaj_event_handler_retries_total", "Handler attempts that failed and were retried", ["group"]
)
DROPPED = Counter("witaj_usage_events_dropped_total", "Fire-and-forget events dropped", ["reason"])


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (the message contradicts stored state)."""


def _is_transient(exc: BaseException) -> bool:
    """Infrastructure trouble: wait and try again for as long as it takes, never dead-letter.

    A record too large for the broker is the message's doing, not an outage: waiting would never end.
    """
    if isinstance(exc, OperationFailure):
        return exc.has_error_label("TransientTransactionError")
    if isinstance(exc, MessageSizeTooLargeError | RecordTooLargeError):
        return False
    return isinstance(exc, ConnectionFailure | KafkaError | ConnectionError | TimeoutError)


def backoff_seconds(attempt: int, base_ms: int, cap_ms: int) -> float:
    """Capped exponential back-off with full jitter, so restarting consumers do not stampede."""
    ceiling = min(cap_ms, base_ms * (2 ** max(0, attempt - 1)))
    return random.uniform(ceiling / 2, ceiling) / 1000  # noqa: S311 - jitter, not security


async def ensure_topics(
    settings: KafkaSettings, topics: Iterable[str], *, with_dead_letters: bool = True
) -> None:
    """Create the service's topics (and their dead-letter twins) if they do not exist yet."""
    if not settings.create_topics:
        return
    namer = settings.topics
    names = {namer(t) for t in topics}
    if with_dead_letters:
        names |= {dead_letter(n) for n in names}
    admin = AIOKafkaAdminClient(**settings.client_options(), client_id=f"{settings.client_id}-admin")  # type: ignore[arg-type]
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(names - existing)
        if missing:
            new = [
                NewTopic(
                    n,
                    num_partitions=settings.topic_partitions,
                    replication_factor=settings.replication_factor,
                )
                for n in missing
            ]
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass  # another replica won the race
            log.info("kafka.topics_created", topics=missing)
    finally:
        await admin.close()


class EventPublisher:
    """The service's one Kafka producer; topics are logical names, prefixed here."""

    def __init__(self, settings: KafkaSettings, *, max_in_flight: int = 10_000) -> None:
        self.settings = settings
        self._namer = settings.topics
        self._producer: AIOKafkaProducer | None = None
        # Usage events wait here for the one background sender: a reader's request only appends to it.
        self._usage: asyncio.Queue[tuple[str, Envelope[Any], bytes | None]] = asyncio.Queue(max_in_flight)
        self._usage_sender: asyncio.Task[None] | None = None
        self.usage_pending = 0
        """Usage events queued or being sent: what a stop would still have to flush."""

    async def start(self) -> None:
        options: dict[str, Any] = {
            **self.settings.client_options(),
            "client_id": self.settings.client_id,
            "acks": "all",
            "enable_idempotence": self.settings.idempotent_producer,
            "compression_type": self.settings.compression_type,
            "linger_ms": self.settings.linger_ms,
        }
        if self.settings.producer_max_batch_size:
            options["max_batch_size"] = self.settings.producer_max_batch_size
        self._producer = AIOKafkaProducer(**options)
        await self._producer.start()

    async def usage_handed_over(self) -> None:
        """Wait until every queued usage event is with the producer (which then sends it on its own)."""
        await self._usage.join()

    async def stop(self) -> None:
        """Send the usage events still queued (for up to five seconds), then close the producer."""
        if self._usage_sender is not None:
            try:
                await asyncio.wait_for(self.usage_handed_over(), timeout=5)
            except TimeoutError:
                DROPPED.labels("shutdown").inc(self._usage.qsize())
            self._usage_sender.cancel()
            await asyncio.gather(self._usage_sender, return_exceptions=True)
            self._usage_sender = None
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def __aenter__(self) -> EventPublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("publisher is not started")
        return self._producer

    async def publish(self, topic: str, envelope: Envelope[Any], *, key: bytes | None = None) -> None:
        """Send one event and wait until the broker has it."""
        await self.send_raw(topic, registry.encode(envelope), key=key or envelope.key)

    async def send_raw(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes | None]] = (),
        prefixed: bool = False,
    ) -> None:
        name = topic if prefixed else self._namer(topic)
        await self.producer.send_and_wait(name, value, key=key, headers=list(headers) or None)

    async def send_many(self, messages: Iterable[tuple[str, bytes, bytes | None]]) -> None:
        """Send a batch concurrently and wait for every acknowledgement (the outbox relay's path)."""
        futures = [await self.producer.send(self._namer(t), v, key=k) for t, v, k in messages]
        await asyncio.gather(*futures)

    def fire_and_forget(self, topic: str, envelope: Envelope[Any], *, key: bytes | None = None) -> None:
        """Queue a usage event without waiting; drops (and counts) it rather than slow the caller.

        One background task hands the queue to the producer (which batches), so a busy read path
        creates no task per event, and stopping the publisher flushes what is queued instead of
        losing it.
        """
        if self._producer is None:
            DROPPED.labels("not_started").inc()
            return
        try:
            self._usage.put_nowait((topic, envelope, key))
        except asyncio.QueueFull:
            DROPPED.labels("backlog").inc()
            return
        self.usage_pending += 1
        if self._usage_sender is None:
            self._usage_sender = asyncio.get_running_loop().create_task(self._send_usage())

    async def _send_usage(self) -> None:
        """Hand queued usage events to the producer, those of `usage_linger_ms` at a time.

        Sent one by one as readers make them, each event or two was a produce request of its own, and
        each consumer of usage fetched it on its own: the broker's work grew with requests, not with
        bytes (a third of its CPU under load). Gathered, they go in one request. Acknowledgements are not
        awaited (a failed one is counted by its callback), so a slow broker never stalls the queue."""
        linger = self.settings.usage_linger_ms / 1000
        while True:
            gathered = [await self._usage.get()]
            if linger:
                await asyncio.sleep(linger)
            while not self._usage.empty():
                gathered.append(self._usage.get_nowait())
            for topic, envelope, key in gathered:
                try:
                    value = registry.encode(envelope)
                    sent = await self.producer.send(self._namer(topic), value, key=key or envelope.key)
                    sent.add_done_callback(self._count_failed_usage)
                except Exception as exc:  # a lost usage signal must never surface to a reader
                    self._drop_usage(exc)
                finally:
                    self.usage_pending -= 1
                    self._usage.task_done()

    def _count_failed_usage(self, sent: asyncio.Future[Any]) -> None:
        if not sent.cancelled() and sent.exception() is not None:
            self._drop_usage(sent.exception())

    @staticmethod
    def _drop_usage(exc: BaseException | None) -> None:
        DROPPED.labels("error").inc()
        log.warning("kafka.usage_event_dropped", error=type(exc).__name__)

    async def ready(self, timeout: float = 2.0) -> bool:
        if self._producer is None:
            return False
        try:
            return bool(await asyncio.wait_for(self._producer.client.force_metadata_update(), timeout))
        except (TimeoutError, KafkaError, OSError):
            return False


DEAD_LETTER_VALUE_BYTES = 900_000
"""Largest value a dead letter carries whole; a longer one keeps its first bytes (the original stays
in its own topic at the offset the headers give), so parking it can never fail for its size."""

DEAD_LETTER_HEADER_BYTES = 16_384
"""Largest total of a parked message's own headers that travel with it to the dead-letter topic."""


def dead_letter_headers(
    topic: str,
    partition: int,
    offset: int,
    original: Iterable[tuple[str, bytes | None]] | None,
    code: str,
    error: str,
    group: str,
) -> list[tuple[str, bytes | None]]:
    """The message's own headers plus where it came from and why it was parked, as every dead letter
    on `<topic>.dlq` carries them."""
    return [
        *(original or ()),
        ("witaj.error.code", code.encode()),
        ("witaj.error.message", error[:1000].encode(errors="replace")),
        ("witaj.original.topic", topic.encode()),
        ("witaj.original.partition", str(partition).encode()),
        ("witaj.original.offset", str(offset).encode()),
        ("witaj.consumer.group", group.encode()),
        ("witaj.failed_at", datetime.now(UTC).isoformat().encode()),
    ]


class Unreadable(tuple[tuple[str, bytes | None], ...]):
    """The (empty) headers of a record the Kafka client could not parse, carrying why.

    `read_past_unreadable` puts such a record in place of the one it skipped, so consumers park it
    like any other message they cannot use, in its place in the stream.
    """

    error: str

    def __new__(cls, error: str) -> Unreadable:
        headers = super().__new__(cls)
        headers.error = error
        return headers


def unreadable(headers: object) -> str | None:
    """Why the record with these headers could not be read, if it could not."""
    return headers.error if isinstance(headers, Unreadable) else None


async def park(
    publisher: EventPublisher,
    message: tuple[str, int, int, bytes | None, bytes | None, Any],
    code: str,
    error: str,
    group: str,
) -> None:
    """Put a message (topic, partition, offset, key, value, headers) on its topic's dead-letter twin,
    with why; keep trying while the broker is away, never drop it and never raise for its content.

    A parked message keeps at most `DEAD_LETTER_VALUE_BYTES` of its value and `DEAD_LETTER_HEADER_BYTES`
    of its own headers (headers say what was cut), and if the broker still refuses its size, it goes
    with the first kilobyte only.
    """
    topic, partition, offset, key, value, original = message
    value = value or b""
    extra: list[tuple[str, bytes | None]] = []
    own = [(k, v) for k, v in original or ()]
    if sum(len(k) + len(v or b"") for k, v in own) > DEAD_LETTER_HEADER_BYTES:
        extra.append(("witaj.dlq.headers_dropped", str(len(own)).encode()))
        own = []
    if len(value) > DEAD_LETTER_VALUE_BYTES:
        extra.append(("witaj.dlq.truncated_from", str(len(value)).encode()))
        value = value[:DEAD_LETTER_VALUE_BYTES]
    headers = [*dead_letter_headers(topic, partition, offset, own, code, error, group), *extra]
    attempt = 0
    while True:
        try:
            await publisher.send_raw(dead_letter(topic), value, key=key, headers=headers, prefixed=True)
            break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            attempt += 1
            if _is_transient(exc):
                log.warning("kafka.dead_letter_retry", error=type(exc).__name__)
                await asyncio.sleep(backoff_seconds(attempt, 200, 10_000))
                continue
            if len(value) <= 1024 and not own:
                raise  # nothing left to cut: a bug, not the message
            log.warning("kafka.dead_letter_shrunk", error=type(exc).__name__)
            headers = [
                *dead_letter_headers(topic, partition, offset, (), code, error, group),
                ("witaj.dlq.truncated_from", str(len(message[4] or b"")).encode()),
            ]
            value, own = value[:1024], []
    DEAD_LETTERED.labels(group, code).inc()
    log.warning("kafka.dead_lettered", reason=code, topic=topic, offset=offset)


async def rewind(
    consumer: AIOKafkaConsumer,
    partitions: Collection[TopicPartition],
    resume: Mapping[TopicPartition, int],
    *,
    grouped: bool,
) -> list[TopicPartition]:
    """Move each assigned partition back to `resume` (the next offset its consumer has not handled),
    else to the committed offset, else to the beginning (the consumers here start from the earliest
    offset): what a fetch or a round that failed part-way read but nobody handled is read again."""
    assigned = sorted(set(partitions) & consumer.assignment())
    for tp in assigned:
        start = resume.get(tp)
        if start is None and grouped:
            start = await consumer.committed(tp)
        if start is None:
            start = (await consumer.beginning_offsets([tp]))[tp]
        consumer.seek(tp, start)
    return assigned


def _unparsable(exc: Exception) -> bool:
    """A fetch failed on what it read, not on the broker: a record the client cannot parse."""
    return isinstance(exc, CorruptRecordException) or not isinstance(exc, KafkaError)


Fetched = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


async def fetch_readable(
    fetch: Callable[[], Awaitable[Fetched]],
    consumer: AIOKafkaConsumer,
    partitions: Collection[TopicPartition],
    resume: Mapping[TopicPartition, int],
    *,
    grouped: bool,
    max_records: int,
    wait_ms: int,
) -> Fetched:
    """`fetch()`, or if it failed on a record the client cannot parse, `read_past_unreadable`."""
    try:
        return await fetch()
    except Exception as exc:
        if not _unparsable(exc):
            raise
        return await read_past_unreadable(
            consumer, partitions, resume, exc, grouped=grouped, max_records=max_records, wait_ms=wait_ms
        )


async def read_past_unreadable(
    consumer: AIOKafkaConsumer,
    partitions: Collection[TopicPartition],
    resume: Mapping[TopicPartition, int],
    error: BaseException,
    *,
    grouped: bool,
    max_records: int,
    wait_ms: int,
) -> Fetched:
    """Read on after a fetch failed on a record the Kafka client cannot parse (a header key that is
    not UTF-8, a corrupt batch): what each partition holds up to and past such records, each of them
    in its place as an empty record whose headers are `Unreadable`, with positions moved past them.

    A failed fetch loses what it had already read of other partitions, so every partition goes back
    (`rewind`) to what its consumer handled. Then each partition is read one
    record at a time, so a record that fails is the one at the partition's position. The client parses
    a producer's batch from its start, so the records a (hostile) producer sent after an unreadable one
    in the same batch cannot be read either: they are skipped the same way, one by one. Nothing else is
    skipped, and each skipped record is parked by the caller like any poison message (its value stays
    in its topic, at the offset the dead letter names).
    """
    log.warning("kafka.unreadable_record", error=type(error).__name__, detail=str(error)[:200])
    assigned = await rewind(consumer, partitions, resume, grouped=grouped)

    async def read(tp: TopicPartition) -> list[ConsumerRecord[bytes, bytes]]:
        records: list[ConsumerRecord[bytes, bytes]] = []
        while len(records) < max_records:
            try:
                fetched = await consumer.getmany(tp, timeout_ms=wait_ms, max_records=1)
            except Exception as exc:
                if not _unparsable(exc):
                    raise
                failure = exc
            else:
                if not fetched.get(tp):
                    break  # nothing more to read here now
                records += fetched[tp]
                continue
            offset = await consumer.position(tp)
            why = Unreadable(f"{type(failure).__name__}: {failure}")
            records.append(
                ConsumerRecord(tp.topic, tp.partition, offset, -1, 0, None, None, None, -1, -1, why)
            )
            consumer.seek(tp, offset + 1)
        return records

    # Each partition on its own, all at once: a partition with nothing to read waits for `wait_ms`.
    found = await asyncio.gather(*(read(tp) for tp in assigned))
    return {tp: records for tp, records in zip(assigned, found, strict=True) if records}


class EventConsumer:
    """Runs a handler over a consumer group's share of some topics, never skipping and never dying.

    Offsets are committed per partition after every message of a fetched batch was handled or
    dead-lettered, so a crash re-delivers at most one batch: handlers must be idempotent. A broadcast
    consumer has no group: every replica reads every partition from the start, for in-memory state.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        topics: Sequence[str],
        group_id: str,
        handle: Handler,
        publisher: EventPublisher,
        accept: Callable[[Envelope[Any]], bool] | None = None,
        broadcast: bool = False,
        event_registry: EventRegistry = registry,
        handle_batch: BatchHandler | None = None,
    ) -> None:
        """`handle_batch`: handles a fetch's events together (see `Subscription.together`); when it
        fails for good, `handle` takes them one by one."""
        self.settings = settings
        self.topics = list(topics)
        self.group_id = group_id
        self.handle = handle
        self.handle_batch = handle_batch
        self.publisher = publisher
        self.accept = accept
        self.broadcast = broadcast
        self.registry = event_registry
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._resume: dict[TopicPartition, int] = {}
        """Per partition, the offset after the last message handled: where to read again after a fetch
        that failed part-way (see `read_past_unreadable`)."""
        self.handled = 0

    async def start(self) -> None:
        namer = self.settings.topics
        self._consumer = AIOKafkaConsumer(
            *(namer(t) for t in self.topics),
            **self.settings.client_options(),
            client_id=f"{self.settings.client_id}-{self.group_id}",
            # Broadcast consumers (in-memory state in every replica) read all partitions without a group.
            group_id=None if self.broadcast else namer(self.group_id),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self.settings.session_timeout_ms,
            heartbeat_interval_ms=self.settings.heartbeat_interval_ms,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
            max_poll_records=self.settings.max_poll_records,
        )
        await self._consumer.start()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"consumer:{self.group_id}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def __aenter__(self) -> EventConsumer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        failures = 0
        rewinding = False
        while not self._stopping.is_set():
            try:
                if rewinding:  # read again what the failed round fetched but did not handle
                    await rewind(consumer, consumer.assignment(), self._resume, grouped=not self.broadcast)
                    rewinding = False
                batches = await self._fetch(consumer)
                for partition, messages in batches.items():
                    if self.handle_batch is not None:
                        await self._process_together(messages)
                    else:
                        for message in messages:
                            await self._process(message)
                    self._resume[partition] = messages[-1].offset + 1
                    if not self.broadcast:
                        await self._commit(consumer, partition, messages[-1].offset + 1)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker went away mid-way (or a bug): wait, then rewind
                failures += 1
                rewinding = True
                log.warning("kafka.consume_failed", group=self.group_id, error=type(exc).__name__)
                await asyncio.sleep(backoff_seconds(failures, 200, 10_000))

    async def _fetch(self, consumer: AIOKafkaConsumer) -> Fetched:
        limit = self.settings.max_poll_records
        return await fetch_readable(
            lambda: consumer.getmany(timeout_ms=1000, max_records=limit),
            consumer,
            consumer.assignment(),
            self._resume,
            grouped=not self.broadcast,
            max_records=limit,
            wait_ms=max(1000, 2 * self.settings.fetch_max_wait_ms),
        )

    async def _commit(self, consumer: AIOKafkaConsumer, partition: TopicPartition, offset: int) -> None:
        try:
            await consumer.commit({partition: offset})
        except CommitFailedError:
            # The group rebalanced; the new owner re-reads from the last commit and idempotency covers it.
            log.info("kafka.commit_after_rebalance", group=self.group_id, partition=partition.partition)
        except KafkaError as exc:
            log.warning("kafka.commit_failed", group=self.group_id, error=type(exc).__name__)

    async def _process(self, message: ConsumerRecord[bytes, bytes]) -> None:
        envelope = await self._decode(message)
        if envelope is not None:
            await self._handle_one(message, envelope)

    async def _decode(self, message: ConsumerRecord[bytes, bytes]) -> Envelope[Any] | None:
        """The message's event, or None when it is not ours (another city) or was dead-lettered."""
        try:
            envelope = self.registry.decode(message.value or b"")
            if self.accept is not None and not self.accept(envelope):
                return None
            return envelope
        except Exception as exc:
            why = unreadable(message.headers)
            if why is not None:
                await self._dead_letter(message, "unreadable_record", why)
            elif isinstance(exc, EventDecodeError):
                await self._dead_letter(message, exc.code, str(exc))
            else:
                await self._dead_letter(message, "invalid_event", f"{type(exc).__name__}: {exc}")
            return None

    async def _handle_one(self, message: ConsumerRecord[bytes, bytes], envelope: Envelope[Any]) -> None:
        with structlog.contextvars.bound_contextvars(
            event_id=str(envelope.id), type=envelope.type, city=envelope.city
        ):
            await self._handle_with_retries(message, envelope)

    async def _process_together(self, messages: list[ConsumerRecord[bytes, bytes]]) -> None:
        """A fetch's events through `handle_batch` at once; if that fails for good, one by one, so that
        only an event that fails alone is parked."""
        assert self.handle_batch is not None
        handle_batch = self.handle_batch
        decoded = [(m, e) for m in messages if (e := await self._decode(m)) is not None]
        if not decoded:
            return
        envelopes = [envelope for _, envelope in decoded]
        error = await self._retrying(lambda: handle_batch(envelopes))
        if error is None:
            self._count(envelopes)
            return
        log.warning("kafka.batch_handled_one_by_one", error=type(error).__name__, size=len(decoded))
        for message, envelope in decoded:
            await self._handle_one(message, envelope)

    async def _handle_with_retries(
        self, message: ConsumerRecord[bytes, bytes], envelope: Envelope[Any]
    ) -> None:
        error = await self._retrying(lambda: self.handle(envelope))
        if error is None:
            self._count([envelope])
        elif isinstance(error, PermanentError):
            await self._dead_letter(message, "handler_rejected", str(error))
        else:
            log.error(
                "kafka.handler_failed", error=type(error).__name__, attempts=self.settings.retry_attempts
            )
            await self._dead_letter(message, "handler_failed", f"{type(error).__name__}: {error}")

    async def _retrying(self, attempt: Callable[[], Awaitable[None]]) -> Exception | None:
        """Run `attempt` until it passes (None), waiting out the infrastructure for as long as it is
        away; the error it gave up on: at once for a `PermanentError`, after `retry_attempts` failures
        for any other."""
        failures = 0
        outage = 0
        while True:
            try:
                await attempt()
                return None
            except asyncio.CancelledError:
                raise
            except PermanentError as exc:
                return exc
            except Exception as exc:
                if _is_transient(exc):
                    outage += 1
                    log.warning("kafka.handler_waiting_for_infrastructure", error=type(exc).__name__)
                    await asyncio.sleep(backoff_seconds(outage, self.settings.retry_backoff_ms, 30_000))
                    continue
                failures += 1
                RETRIED.labels(self.group_id).inc()
                if failures >= self.settings.retry_attempts:
                    return exc
                await asyncio.sleep(
                    backoff_seconds(
                        failures, self.settings.retry_backoff_ms, self.settings.retry_backoff_max_ms
                    )
                )

    def _count(self, envelopes: list[Envelope[Any]]) -> None:
        self.handled += len(envelopes)
        for envelope in envelopes:
            CONSUMED.labels(self.group_id, envelope.type).inc()

    async def _dead_letter(self, message: ConsumerRecord[bytes, bytes], code: str, error: str) -> None:
        """Park the message with its error; keep trying until the broker takes it (never drop it)."""
        parked = (
            message.topic,
            message.partition,
            message.offset,
            message.key,
            message.value,
            message.headers,
        )
        await park(self.publisher, parked, code, error, self.group_id)
