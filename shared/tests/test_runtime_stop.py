"""A service stops within its grace period even when one part never finishes stopping, and its parts
stop in the order that loses nothing: workers, consumers, the relay's last flush, the publisher, the
database client."""

from __future__ import annotations

import asyncio
import time

import pytest
from witaj.shared import runtime as runtime_module
from witaj.shared.runtime import Runtime
from witaj.shared.worker import Worker


class Part:
    def __init__(self, name: str, stopped: list[str], hangs: bool = False) -> None:
        self.name, self.stopped, self.hangs = name, stopped, hangs
        self.started = False

    def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        if self.hangs:
            await asyncio.Event().wait()  # a broker or database that stopped answering
        self.stopped.append(self.name)

    close = stop


class Consumer(Part):
    group_id = "test"

    async def start(self) -> None:  # type: ignore[override]
        self.started = True


class Idle(Worker):
    def __init__(self, name: str, stopped: list[str]) -> None:
        super().__init__(name, poll_seconds=3600)
        self.stopped = stopped

    async def run_once(self) -> bool:
        return False

    async def close(self) -> None:
        self.stopped.append(self.name)


def bare_runtime(stopped: list[str], *, consumers: list[Part], workers: list[Worker]) -> Runtime:
    runtime = Runtime.__new__(Runtime)  # only what starting and stopping touch: no broker or database
    runtime.consumers = consumers  # type: ignore[assignment]
    runtime.workers, runtime._started, runtime.startup_timeout = [], False, 1
    runtime.relay = Part("relay", stopped)  # type: ignore[assignment]
    runtime.publisher = Part("publisher", stopped)  # type: ignore[assignment]
    runtime.client = Part("client", stopped)  # type: ignore[assignment]
    for worker in workers:
        runtime.run(worker)
    return runtime


async def test_a_stuck_part_is_left_behind_and_the_rest_still_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_module, "STOP_STEP_SECONDS", 0.05)
    stopped: list[str] = []
    consumers = [Part("consumer", stopped), Part("stuck", stopped, hangs=True)]
    runtime = bare_runtime(stopped, consumers=consumers, workers=[])

    started = time.monotonic()
    await runtime.__aexit__(None, None, None)

    assert time.monotonic() - started < 1
    assert stopped == ["consumer", "relay", "publisher", "client"]


async def test_workers_start_with_the_runtime_and_stop_first() -> None:
    stopped: list[str] = []
    workers: list[Worker] = [Idle("fanout", stopped), Idle("delivery", stopped)]
    runtime = bare_runtime(stopped, consumers=[Consumer("consumer", stopped)], workers=workers)

    await runtime.start()
    assert runtime.relay.started and all(worker.running for worker in workers)  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="before the runtime starts"):
        runtime.run(Idle("late", stopped))
    await runtime.__aexit__(None, None, None)

    assert not any(worker.running for worker in workers)
    assert sorted(stopped[:2]) == ["delivery", "fanout"]  # together, in the first step
    assert stopped[2:] == ["consumer", "relay", "publisher", "client"]


async def test_a_stuck_worker_does_not_hold_up_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_module, "STOP_STEP_SECONDS", 0.2)
    stopped: list[str] = []
    released = asyncio.Event()

    class Stuck(Idle):
        async def run_once(self) -> bool:
            while not released.is_set():
                try:
                    await released.wait()
                except asyncio.CancelledError:
                    pass  # a library that swallows cancellations
            return False

    stuck = Stuck("stuck", stopped)
    runtime = bare_runtime(stopped, consumers=[Consumer("consumer", stopped)], workers=[stuck])
    await runtime.start()
    await asyncio.sleep(0.01)

    started = time.monotonic()
    await runtime.__aexit__(None, None, None)

    assert time.monotonic() - started < 2
    assert stopped == ["consumer", "relay", "publisher", "client"]  # the stuck worker was left behind
    released.set()
    await asyncio.sleep(0.05)
