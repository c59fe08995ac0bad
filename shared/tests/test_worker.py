"""The one background-worker loop every service runs under its runtime: woken at once, backing off
while its infrastructure is away and recovering after, stopping between pieces of work, never holding
up a service's stop, and counted in Prometheus. No broker or database: the work here is in memory."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs
from witaj.devkit.testing import wait_until
from witaj.shared.worker import Worker, stop_task, until_woken


class Queue(Worker):
    """Takes items from a list one piece at a time; `failing` pieces raise first."""

    def __init__(self, poll_seconds: float = 3600) -> None:
        super().__init__(f"test-{uuid.uuid4().hex[:8]}", poll_seconds)
        self.waiting: list[str] = []
        self.done: list[str] = []
        self.failing = 0
        self.closed = False
        self.backoff_base_ms, self.backoff_cap_ms = 1, 5

    async def run_once(self) -> bool:
        if self.failing:
            self.failing -= 1
            raise ConnectionError("could not write the note of jan.kowalski@example.org")
        if not self.waiting:
            return False
        self.done.append(self.waiting.pop(0))
        return True

    async def close(self) -> None:
        self.closed = True


def metric(name: str, worker: Worker) -> float:
    return REGISTRY.get_sample_value(f"witaj_worker_{name}_total", {"worker": worker.name}) or 0.0


async def test_a_woken_worker_works_at_once_not_at_its_next_poll() -> None:
    worker = Queue(poll_seconds=3600)
    worker.start()
    try:
        await wait_until(lambda: metric("rounds", worker) == 1, message="the first round")
        worker.waiting += ["a", "b"]
        worker.wake()
        await wait_until(lambda: worker.done == ["a", "b"], timeout=5, message="the woken round")
    finally:
        await worker.stop()


async def test_rounds_are_counted_per_worker() -> None:
    worker, other = Queue(), Queue()
    worker.start()
    try:
        for round_ in (1, 2, 3):
            await wait_until(lambda r=round_: metric("rounds", worker) == r, message=f"round {round_}")
            worker.wake()
    finally:
        await worker.stop()
    assert metric("rounds", worker) == 3
    assert metric("rounds", other) == 0 and metric("failures", worker) == 0


async def test_a_failing_worker_backs_off_logs_no_personal_data_and_recovers() -> None:
    worker = Queue()
    worker.failing = 3
    worker.waiting = ["a"]
    with capture_logs() as logs:
        worker.start()
        try:
            await wait_until(lambda: worker.done == ["a"], timeout=5, message="recovery")
            assert metric("failures", worker) == 3
            worker.failing = 1  # later, once more: the back-off starts over, the earlier ones are past
            worker.waiting.append("b")
            worker.wake()
            await wait_until(lambda: worker.done == ["a", "b"], timeout=5, message="second recovery")
        finally:
            await worker.stop()
    retries = [line for line in logs if line["event"] == "worker.retry"]
    assert [line["attempt"] for line in retries] == [1, 2, 3, 1]
    assert all(line["worker"] == worker.name and line["error"] == "ConnectionError" for line in retries)
    assert "kowalski" not in repr(logs)
    assert metric("failures", worker) == 4


async def test_a_stop_lets_the_piece_in_progress_finish_and_starts_no_other() -> None:
    started, release = asyncio.Event(), asyncio.Event()

    class Slow(Queue):
        async def run_once(self) -> bool:
            if not self.waiting:
                return False
            started.set()
            await release.wait()
            return await super().run_once()

    worker = Slow()
    worker.waiting = ["a", "b"]
    worker.start()
    await started.wait()
    stopping = asyncio.ensure_future(worker.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waiting for "a", within the grace
    release.set()
    await stopping
    assert worker.done == ["a"] and worker.waiting == ["b"] and worker.closed


async def test_a_piece_past_its_grace_is_cancelled_and_a_stopped_worker_starts_again() -> None:
    class Hanging(Queue):
        async def run_once(self) -> bool:
            if self.waiting == ["hang"]:
                await asyncio.Event().wait()  # a database that stopped answering
            return await super().run_once()

    worker = Hanging()
    worker.stop_grace = 0.05
    worker.waiting = ["hang"]
    worker.start()
    await wait_until(lambda: worker.running, message="running")
    await asyncio.sleep(0.01)
    await asyncio.wait_for(worker.stop(), 5)
    assert worker.closed and not worker.running and worker.waiting == ["hang"]

    worker.waiting = ["a"]
    worker.start()
    await wait_until(lambda: worker.done == ["a"], message="the restarted worker")
    await worker.stop()


async def test_a_stuck_piece_is_left_behind_within_the_stop_deadline() -> None:
    """A piece that keeps even its cancellations to itself (a library swallowing them) cannot hold up
    the service's stop: the worker gives up on it, logs it and still closes."""
    released = asyncio.Event()

    class Stuck(Queue):
        async def run_once(self) -> bool:
            while not released.is_set():
                try:
                    await released.wait()
                except asyncio.CancelledError:
                    pass  # swallowed
            return False

    worker = Stuck()
    worker.stop_grace, worker.stop_timeout = 0.05, 0.3
    worker.start()
    task = worker._worker_task
    await asyncio.sleep(0.01)
    started = time.monotonic()
    with capture_logs() as logs:
        await worker.stop()
    assert time.monotonic() - started < 2
    assert worker.closed
    assert [line["worker"] for line in logs if line["event"] == "worker.abandoned"] == [worker.name]
    released.set()  # let the left-behind task end before the test's loop closes
    assert task is not None
    await asyncio.wait({task}, timeout=2)


async def _woken_as_cancelled(wait) -> bool:
    """Whether a loop waiting with `wait` ends when it is woken and cancelled together."""
    wake = asyncio.Event()

    async def loop() -> None:
        while True:
            await wait(wake)

    task = asyncio.get_running_loop().create_task(loop())
    await asyncio.sleep(0)  # one turn of the loop: it is now waiting
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


async def test_a_loop_whose_cancellation_was_kept_by_a_library_still_stops() -> None:
    """What a worker's stop does when a library it was inside (a driver or an SMTP client using
    `asyncio.wait_for`) kept the first cancellation to itself."""
    kept = []

    async def loop() -> None:
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if kept:
                    raise
                kept.append(True)  # the first cancellation is lost inside the "library"

    task = asyncio.get_running_loop().create_task(loop())
    await asyncio.sleep(0)
    assert await stop_task(task, 5)
    assert kept and task.cancelled()
