"""A notify worker woken in the very moment it is stopped still stops (the service would hang on
shutdown otherwise, as it did with `asyncio.wait_for`)."""

from __future__ import annotations

import asyncio
import sys

import pytest
from witaj.notify.waking import stop_task, until_woken


async def _woken_as_cancelled(wait) -> bool:
    """Whether a worker loop waiting with `wait` ends when it is woken and cancelled together."""
    wake = asyncio.Event()

    async def worker() -> None:
        while True:
            await wait(wake)

    task = asyncio.get_running_loop().create_task(worker())
    await asyncio.sleep(0)  # one turn of the loop: the worker is now waiting
    wake.set()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=2)
    return bool(done)


async def test_a_worker_woken_as_it_is_cancelled_stops() -> None:
    assert await _woken_as_cancelled(lambda wake: until_woken(wake, 10))


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="asyncio.wait_for keeps cancellations from 3.12 on")
async def test_the_standard_wait_for_would_lose_that_cancellation() -> None:
    """Why `until_woken` exists: on this Python, `asyncio.wait_for` returns normally in that moment."""

    async def wait_for(wake: asyncio.Event) -> None:
        try:
            await asyncio.wait_for(wake.wait(), 10)
        except TimeoutError:
            pass
        wake.clear()

    assert not await _woken_as_cancelled(wait_for)


async def test_a_worker_whose_cancellation_was_kept_by_a_library_still_stops() -> None:
    """What the delivery, fan-out and confirmation workers' stop does when a library they were inside
    (a driver or an SMTP client using `asyncio.wait_for`) kept the cancellation to itself."""
    kept = []

    async def worker() -> None:
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if kept:
                    raise
                kept.append(True)  # the first cancellation is lost inside the "library"

    task = asyncio.get_running_loop().create_task(worker())
    await asyncio.sleep(0)
    async with asyncio.timeout(5):
        await stop_task(task)
    assert kept and task.cancelled()
