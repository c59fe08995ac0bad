"""faust's Kafka consumer, adapted for the stats processor: fetches are handed over whole.

faust delivers every message to its streams separately, and its fetch loop waits on four futures per
message, which costs several times what reading and counting one does (`docs/benchmarks.md`).
`BatchConsumer` keeps the rest of faust — group membership, partition assignment and rebalances, flow
control, the commit timer and exactly-once commits through its transaction manager — and gives a
receiver (the processor's `Pipeline`) what each fetch returned as one list. The receiver acknowledges
records once they are stored (`acknowledge`), and faust's commit timer commits what was acknowledged.

A record the Kafka client cannot parse would make every fetch fail, and faust's fetch loop with it; the
consumer thread reads past it instead (`witaj.shared.kafka.read_past_unreadable`) and hands it over in
its place, empty, for the processor to dead-letter.

This is the one module that uses faust's internals (subclassed consumer and consumer thread, their
underscore methods and attributes, the transport's consumer class, the conductor): the rest of the
processor keeps to faust's documented app, timer and task API. `tests/test_faust_internals.py` pins
every internal this module relies on against the faust-streaming version in `uv.lock`, so an upgrade
that changes one fails there, by name, rather than in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, cast

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from witaj.shared.kafka import fetch_readable

Message = tuple[str, int, int, bytes | None, bytes | None, Any]
"""(topic, partition, offset, key, value, headers) of one consumed message."""


class Receiver(Protocol):
    async def add(self, messages: list[Message]) -> None: ...


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """faust fixes the fetch wait at 1.5 s; brokers that hold a fetch that long (the development one
    does) would make every count 1.5 s late, so the wait follows `kafka.fetch_max_wait_ms`."""

    fetch_max_wait_ms = 1500

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = self.fetch_max_wait_ms
        return consumer

    async def _fetch_records(
        self,
        consumer: Any,
        active_partitions: set[TP],
        timeout: float | None = None,
        max_records: int | None = None,
    ) -> Any:
        """faust's fetch, reading past a record the client cannot parse (see the module)."""
        return await fetch_readable(
            lambda: super(_ConsumerThread, self)._fetch_records(
                consumer, active_partitions, timeout=timeout, max_records=max_records
            ),
            consumer,
            active_partitions or consumer.assignment(),
            self.consumer.resume,  # type: ignore[attr-defined]
            grouped=True,
            max_records=max_records or 500,
            wait_ms=max(1000, 2 * self.fetch_max_wait_ms),
        )


class BatchConsumer(faust_aiokafka.Consumer):
    """faust's Kafka consumer with its fetch loop replaced (see the module): offsets never pass an
    event that was not stored, since only what the receiver acknowledged is committed."""

    pipeline: Receiver
    thread: type[_ConsumerThread] = _ConsumerThread

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stored: dict[TP, int] = {}
        """Per partition, the offset after the last stored event: what the next commit may commit."""
        self.resume: dict[TP, int] = {}
        """Per partition, the offset after the last one handed over: where reading goes on after a
        fetch that failed part-way (read from the consumer thread)."""

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return self.thread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: Any) -> None:
        """faust's fetch loop (`Consumer._drain_messages`), one hand-over per fetch."""
        stopped, fetcher_stopped = self._stopped.is_set, fetcher._stopped.is_set
        while not (stopped() or fetcher_stopped()):
            generation = self.app.consumer_generation_id
            records, active = await self._wait_next_records(timeout=1.0)
            batch: list[Message] = []
            read: dict[TP, int] = {}
            for tp, fetched in (records or {}).items():
                if active is not None and tp not in active and tp not in self._buffered_partitions:
                    continue
                # faust's own test: a fetch from before a seek may repeat records. Its read offset is
                # the last offset read, or after a seek the next to read, hence `>=` (a record read
                # twice is harmless: the offsets stored with the counts skip it).
                last = self._read_offset[tp]
                fresh = [r for r in fetched if last is None or r.offset >= last]
                if fresh:
                    batch += [(tp.topic, tp.partition, r.offset, r.key, r.value, r.headers) for r in fresh]
                    read[tp] = fresh[-1].offset
            # A rebalance during the fetch may hand these partitions to another worker: drop the batch
            # (nothing of it was acknowledged, so it is read again from the committed offsets).
            if batch and self.flow_active and generation == self.app.consumer_generation_id:
                for tp, offset in read.items():
                    self._read_offset[tp] = offset
                    self.resume[tp] = offset + 1
                    self.app.monitor.track_tp_end_offset(tp, self.highwater(tp))
                await self.pipeline.add(batch)

    def acknowledge(self, records: Iterable[tuple[Any, ...]]) -> None:
        """Mark a stored batch: its offsets may be committed (partitions still assigned only)."""
        # A partition's records come in offset order, so the last one seen is its latest.
        latest = {(record[0], record[1]): record[2] for record in records}
        assigned, now = self.assignment(), time.monotonic()
        for (topic, partition), offset in latest.items():
            tp = TP(topic, partition)
            if tp in assigned and offset >= self._stored.get(tp, 0):
                self._stored[tp] = offset + 1
                self.app.monitor.stream_inbound_time[tp] = now

    def _filter_tps_with_pending_acks(self, topics: Any = None) -> Iterator[TP]:
        return (tp for tp in list(self._stored) if topics is None or tp in topics or tp.topic in topics)

    def _new_offset(self, tp: TP) -> int | None:
        return self._stored.get(tp)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        for tp in revoked:
            self._stored.pop(tp, None)
            self.resume.pop(tp, None)
        await super().on_partitions_revoked(revoked)


def consumer_class(pipeline: Receiver, fetch_max_wait_ms: int) -> type[BatchConsumer]:
    """The consumer class for one app: faust instantiates it itself, so its receiver is a class attribute."""
    thread = type("ConsumerThread", (_ConsumerThread,), {"fetch_max_wait_ms": fetch_max_wait_ms})
    return type("Consumer", (BatchConsumer,), {"pipeline": pipeline, "thread": thread})


def install(app: faust.App, pipeline: Receiver, topics: Sequence[str], fetch_max_wait_ms: int) -> None:
    """Make `app` consume `topics` with a `BatchConsumer` handing its fetches to `pipeline`.

    The topics are subscribed through faust's conductor as an agent's would be, but no agent reads them:
    the consumer hands its records over itself."""
    app.transport.Consumer = consumer_class(pipeline, fetch_max_wait_ms)  # type: ignore[misc]
    app.topics.add(app.topic(*topics, key_serializer="raw", value_serializer="raw"))


def acknowledger(app: faust.App) -> Callable[[Iterable[tuple[Any, ...]]], None]:
    """How the writer acknowledges stored records to `app`'s consumer (call once the app runs: faust
    creates its consumer when it starts)."""
    return cast(BatchConsumer, app.consumer).acknowledge
