"""The faust internals `witaj.stats.consumer` relies on are still there and behave as it assumes.

The stats processor subclasses faust-streaming's Kafka consumer and its consumer thread, overrides some
of their underscore methods and reads some of their underscore attributes (see that module). None of
that is faust's documented API, so a faust upgrade may change it without notice; these tests run
without a broker and fail, naming what changed, before the processor could fail in production. When
one fails after an upgrade: read the new faust's version of what it names, adapt `consumer.py`, then
this test.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from witaj.stats.consumer import BatchConsumer, _ConsumerThread
from witaj.stats.processor import SOURCE_TOPICS, create_app
from witaj.stats.settings import StatsSettings

FAUST = version("faust-streaming")


def pinned(holds: bool, what: str) -> None:
    assert holds, (
        f"faust-streaming {FAUST}: {what} changed, and witaj.stats.consumer relies on it; "
        "adapt that module to the new faust before upgrading"
    )


OVERRIDDEN = [
    # (faust class, method, its parameters as consumer.py overrides or calls it)
    (faust_aiokafka.AIOKafkaConsumerThread, "_create_worker_consumer", ["self", "transport"]),
    (
        faust_aiokafka.AIOKafkaConsumerThread,
        "_fetch_records",
        ["self", "consumer", "active_partitions", "timeout", "max_records"],
    ),
    (faust_aiokafka.Consumer, "_new_consumer_thread", ["self"]),
    (faust_aiokafka.Consumer, "_drain_messages", ["self", "fetcher"]),
    (faust_aiokafka.Consumer, "_wait_next_records", ["self", "timeout"]),
    (faust_aiokafka.Consumer, "_filter_tps_with_pending_acks", ["self", "topics"]),
    (faust_aiokafka.Consumer, "_new_offset", ["self", "tp"]),
    (faust_aiokafka.Consumer, "on_partitions_revoked", ["self", "revoked"]),
    (faust_aiokafka.Consumer, "highwater", ["self", "tp"]),
    (faust_aiokafka.Consumer, "assignment", ["self"]),
]


@pytest.mark.parametrize(("cls", "method", "parameters"), OVERRIDDEN, ids=[m for _, m, _ in OVERRIDDEN])
def test_the_faust_methods_the_consumer_overrides_or_calls_keep_their_signatures(
    cls: type, method: str, parameters: list[str]
) -> None:
    found = getattr(cls, method, None)
    pinned(found is not None, f"{cls.__qualname__}.{method} (gone)")
    pinned(
        list(inspect.signature(found).parameters) == parameters, f"{cls.__qualname__}.{method}'s parameters"
    )


def test_faust_calls_the_replaced_fetch_loop_fetch_and_thread_where_the_consumer_expects() -> None:
    """What faust itself calls: overriding a method nobody calls any more would silently do nothing."""
    fetcher = inspect.getsource(faust_consumer.Fetcher)
    pinned("consumer._drain_messages(self)" in fetcher, "Fetcher running Consumer._drain_messages")
    getmany = inspect.getsource(faust_aiokafka.AIOKafkaConsumerThread.getmany)
    pinned("self._fetch_records" in getmany, "AIOKafkaConsumerThread.getmany calling _fetch_records")
    delegate = inspect.getsource(faust_consumer.ThreadDelegateConsumer.__init__)
    pinned("self._new_consumer_thread()" in delegate, "the consumer thread made by _new_consumer_thread")
    revoked = inspect.getsource(faust_consumer.ThreadDelegateConsumer.threadsafe_partitions_revoked)
    pinned("self.on_partitions_revoked" in revoked, "a rebalance calling Consumer.on_partitions_revoked")
    # The consumer sets the wait on the aiokafka consumer faust made; aiokafka reads it when it starts.
    start = inspect.getsource(AIOKafkaConsumer.start)
    pinned(
        "fetch_max_wait_ms=self._fetch_max_wait_ms" in start, "aiokafka's fetcher wait (_fetch_max_wait_ms)"
    )
    # `acknowledge` marks the stream as moving, or faust's stuck-stream check would log it as idle.
    stuck = inspect.getsource(faust_aiokafka.AIOKafkaConsumerThread.verify_event_path)
    pinned("monitor.stream_inbound_time.get(tp)" in stuck, "the stuck-stream check (stream_inbound_time)")


@pytest.fixture
async def app() -> Any:
    settings = StatsSettings()
    return create_app(
        settings.model_copy(update={"kafka": settings.kafka.model_copy(update={"fetch_max_wait_ms": 321})})
    )


async def test_faust_builds_the_installed_consumer_with_its_thread_and_fetch_wait(app: Any) -> None:
    consumer = app.consumer
    pinned(isinstance(consumer, BatchConsumer), "app.transport.Consumer as the class of app.consumer")
    thread = consumer._thread
    pinned(isinstance(thread, _ConsumerThread), "ThreadDelegateConsumer._thread")
    pinned(thread.consumer is consumer, "the consumer thread's .consumer")
    client = thread._create_worker_consumer(app.transport)
    try:
        pinned(isinstance(client, AIOKafkaConsumer), "_create_worker_consumer's aiokafka consumer")
        pinned(getattr(client, "_fetch_max_wait_ms", None) == 321, "AIOKafkaConsumer._fetch_max_wait_ms")
    finally:
        await client.stop()


async def test_the_consumer_state_read_in_the_fetch_loop_is_still_there(app: Any) -> None:
    consumer = app.consumer
    tp = TP("usage.events", 0)
    pinned(consumer._read_offset[tp] is None, "Consumer._read_offset (None for a partition not read yet)")
    pinned(isinstance(consumer._buffered_partitions, set), "Consumer._buffered_partitions")
    pinned(consumer.flow_active is True, "Consumer.flow_active")
    pinned(callable(consumer._stopped.is_set) and not consumer._stopped.is_set(), "Service._stopped")
    pinned(isinstance(app.consumer_generation_id, int), "App.consumer_generation_id")
    pinned(isinstance(app.monitor.stream_inbound_time, dict), "Monitor.stream_inbound_time")
    pinned(callable(app.monitor.track_tp_end_offset), "Monitor.track_tp_end_offset")


async def test_faust_commits_what_was_acknowledged_and_nothing_of_a_revoked_partition(app: Any) -> None:
    consumer = app.consumer
    stored, other = TP("usage.events", 0), TP("usage.events", 1)
    consumer.assignment = lambda: {stored, other}  # no broker: what a rebalance assigned
    committed: dict[TP, int] = {}

    async def commit_offsets(offsets: dict[TP, int], start_new_transaction: bool = True) -> bool:
        committed.update(offsets)
        return True

    consumer._commit_offsets = commit_offsets  # where faust's commit reaches the broker
    consumer.acknowledge([("usage.events", 0, 5), ("usage.events", 0, 7), ("usage.events", 1, 3)])
    pinned(await consumer.force_commit(), "Consumer.force_commit committing acknowledged offsets")
    pinned(committed == {stored: 8, other: 4}, "the offsets force_commit takes from _new_offset")

    committed.clear()
    consumer.acknowledge([("usage.events", 0, 9), ("usage.events", 1, 4)])
    consumer.assignment = lambda: {stored}
    await consumer.on_partitions_revoked({other})
    await consumer.force_commit()
    pinned(committed == {stored: 10}, "force_commit over _filter_tps_with_pending_acks")


async def test_the_source_topics_are_subscribed_through_the_conductor(app: Any) -> None:
    subscribed = await app.topics._update_indices()
    pinned(
        set(SOURCE_TOPICS) <= set(subscribed), "the conductor subscribing a topic added with app.topics.add"
    )
