"""The processor's pipeline: batches gather while one is stored, and nothing is acknowledged unstored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from witaj.stats.consumer import Message
from witaj.stats.processor import Pipeline
from witaj.stats.rollups import Record


class SlowStore:
    """Stands in for BatchProcessor: each batch is stored only when the test opens the gate."""

    def __init__(self) -> None:
        self.stored: list[list[int]] = []
        self.started = asyncio.Event()
        self.gate = asyncio.Event()

    async def read(self, messages: list[Message]) -> list[Record]:
        return [Record(topic, partition, offset, None) for topic, partition, offset, *_ in messages]

    async def process(self, batch: list[Record]) -> None:
        self.started.set()
        await self.gate.wait()
        self.gate.clear()
        self.stored.append([r.offset for r in batch])


def messages(offsets: range) -> list[Message]:
    return [("t", 0, o, None, b"", []) for o in offsets]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


@asynccontextmanager
async def writing(
    max_size: int, interval: float = 0.0
) -> AsyncIterator[tuple[Pipeline, SlowStore, list[int]]]:
    """A pipeline with its writer running, already busy storing a first batch of offsets 0-9."""
    store, acked = SlowStore(), []
    pipeline = Pipeline(store, max_size, interval)  # type: ignore[arg-type]

    def acknowledge(batch: list[Record]) -> None:
        acked.extend(r.offset for r in batch)

    writer = asyncio.create_task(pipeline.write(acknowledge))
    try:
        await pipeline.add(messages(range(0, 10)))
        await store.started.wait()
        yield pipeline, store, acked
    finally:
        writer.cancel()


async def test_batches_arriving_during_a_write_are_stored_together_and_acknowledged_only_after() -> None:
    async with writing(max_size=100) as (pipeline, store, acked):
        await pipeline.add(messages(range(10, 20)))
        await pipeline.add(messages(range(20, 30)))
        await settle()
        assert acked == [], "nothing may be acknowledged before its transaction"

        store.gate.set()
        await settle()
        assert store.stored == [list(range(10))]
        assert acked == list(range(10))

        store.gate.set()
        await settle()
        assert store.stored[1] == list(range(10, 30)), "what queued during the write goes in one batch"
        assert acked == list(range(30))


async def test_the_queue_behind_a_write_is_bounded_by_the_batch_size() -> None:
    async with writing(max_size=10) as (pipeline, store, _):
        await pipeline.add(messages(range(10, 20)))
        blocked = asyncio.create_task(pipeline.add(messages(range(20, 30))))
        await settle()
        assert not blocked.done(), "a full queue makes the consumer wait"

        store.gate.set()
        await settle()
        assert blocked.done()


async def test_under_a_trickle_a_batch_starts_at_most_once_per_interval() -> None:
    async with writing(max_size=100, interval=0.5) as (pipeline, store, acked):
        store.gate.set()  # the first batch, stored at once after a quiet spell
        await settle()
        assert store.stored == [list(range(10))]
        store.started.clear()

        await pipeline.add(messages(range(10, 12)))
        await settle()
        assert not store.started.is_set(), "a trickle waits for the interval, to be stored together"
        await pipeline.add(messages(range(12, 14)))
        async with asyncio.timeout(5):
            await store.started.wait()
        store.gate.set()
        await settle()
        assert store.stored[1] == list(range(10, 14))
        assert acked == list(range(14))


async def test_a_full_queue_does_not_wait_for_the_interval() -> None:
    async with writing(max_size=10, interval=60.0) as (pipeline, store, _):
        store.gate.set()
        await settle()
        store.started.clear()
        await pipeline.add(messages(range(10, 20)))
        async with asyncio.timeout(5):
            await store.started.wait()  # not a minute later
