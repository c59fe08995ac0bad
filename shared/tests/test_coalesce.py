"""Overlapping reads of one key share one fetch; nothing outlives it."""

from __future__ import annotations

import asyncio

import pytest
from witaj.shared.coalesce import InFlight


class Source:
    """A fetch that waits until released, counting how often it ran."""

    def __init__(self) -> None:
        self.fetches = 0
        self.release = asyncio.Event()

    async def fetch(self) -> dict[str, list[int]]:
        self.fetches += 1
        await self.release.wait()
        return {"seen": [self.fetches]}


async def test_overlapping_reads_share_one_fetch_and_each_gets_its_own_copy() -> None:
    reads: InFlight[dict[str, list[int]]] = InFlight()
    source = Source()
    waiting = [asyncio.ensure_future(reads.read("event-1", source.fetch)) for _ in range(50)]
    await asyncio.sleep(0)
    assert len(reads) == 1
    source.release.set()
    answers = await asyncio.gather(*waiting)
    assert source.fetches == 1 and all(a == {"seen": [1]} for a in answers)
    answers[0]["seen"].append(99)
    assert answers[1] == {"seen": [1]}, "a caller's change leaked to another caller"
    assert len(reads) == 0


async def test_a_read_after_the_last_one_finished_fetches_again() -> None:
    reads: InFlight[dict[str, list[int]]] = InFlight()
    source = Source()
    source.release.set()
    assert await reads.read("event-1", source.fetch) == {"seen": [1]}
    assert await reads.read("event-1", source.fetch) == {"seen": [2]}
    assert await reads.read("event-2", source.fetch) == {"seen": [3]}


async def test_a_caller_going_away_does_not_cancel_the_read_for_the_others() -> None:
    reads: InFlight[dict[str, list[int]]] = InFlight()
    source = Source()
    leaving = asyncio.ensure_future(reads.read("event-1", source.fetch))
    staying = asyncio.ensure_future(reads.read("event-1", source.fetch))
    await asyncio.sleep(0)
    leaving.cancel()
    source.release.set()
    assert await staying == {"seen": [1]}
    assert leaving.cancelled()


async def test_a_failure_reaches_every_waiting_caller_and_is_not_kept() -> None:
    reads: InFlight[int] = InFlight()
    failing = asyncio.Event()

    async def broken() -> int:
        await failing.wait()
        raise ConnectionError("database away")

    waiting = [asyncio.ensure_future(reads.read("k", broken)) for _ in range(3)]
    await asyncio.sleep(0)
    failing.set()
    for outcome in await asyncio.gather(*waiting, return_exceptions=True):
        assert isinstance(outcome, ConnectionError)

    async def fine() -> int:
        return 7

    assert await reads.read("k", fine) == 7


@pytest.mark.parametrize("key", [("lublin", "e1"), "plain"])
async def test_keys_may_be_any_hashable(key: object) -> None:
    reads: InFlight[int] = InFlight()

    async def one() -> int:
        return 1

    assert await reads.read(key, one) == 1  # type: ignore[arg-type]
