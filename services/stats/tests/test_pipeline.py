"""The processor's pipeline: batches gather while one is stored, and nothing is acknowledged unstored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

from witaj.stats.processor import Message, Pipeline


class SlowStore:
    """Stands in for BatchProcessor: each batch is stored only when the test opens the gate."""

    def __init__(self) -> None:
        self.stored: list[list[int]] = []
        self.started = asyncio.Event()
        self.gate = asyncio.Event()

    async def process(self, messages: list[Message]) -> None:
        self.started.set()
        await self.gate.wait()
        self.gate.clear()
        self.stored.append([offset for _, _, offset, *_ in messages])


class Stream:
    def __init__(self) -> None:
        self.acked: list[int] = []

    async def ack(self, event: Any) -> bool:
        self.acked.append(event.message.offset)
        return True


def events(offsets: range) -> list[Any]:
    return [
        SimpleNamespace(
            message=SimpleNamespace(topic="t", partition=0, offset=o, key=None, value=b"", headers=[])
        )
        for o in offsets
    ]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


@asynccontextmanager
async def writing(max_size: int) -> AsyncIterator[tuple[Pipeline, SlowStore, Stream]]:
    """A pipeline with its writer running, already busy storing a first batch of offsets 0-9."""
    store, stream = SlowStore(), Stream()
    pipeline = Pipeline(store, stream, max_size)  # type: ignore[arg-type]
    writer = asyncio.create_task(pipeline.write())
    try:
        await pipeline.add(events(range(0, 10)))
        await store.started.wait()
        yield pipeline, store, stream
    finally:
        writer.cancel()


async def test_batches_arriving_during_a_write_are_stored_together_and_acknowledged_only_after() -> None:
    async with writing(max_size=100) as (pipeline, store, stream):
        await pipeline.add(events(range(10, 20)))
        await pipeline.add(events(range(20, 30)))
        await settle()
        assert stream.acked == [], "nothing may be acknowledged before its transaction"

        store.gate.set()
        await settle()
        assert store.stored == [list(range(10))]
        assert stream.acked == list(range(10))

        store.gate.set()
        await settle()
        assert store.stored[1] == list(range(10, 30)), "what queued during the write goes in one batch"
        assert stream.acked == list(range(30))


async def test_the_queue_behind_a_write_is_bounded_by_the_batch_size() -> None:
    async with writing(max_size=10) as (pipeline, store, _):
        await pipeline.add(events(range(10, 20)))
        blocked = asyncio.create_task(pipeline.add(events(range(20, 30))))
        await settle()
        assert not blocked.done(), "a full queue makes the agent wait"

        store.gate.set()
        await settle()
        assert blocked.done()
