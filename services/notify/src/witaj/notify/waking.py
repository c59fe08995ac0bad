"""How the notify workers (fan-out, delivery, confirmation) wait for work: until woken, or until a poll
interval has passed, without ever swallowing a cancellation; and the loop they share."""

from __future__ import annotations

import asyncio

from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger

log = get_logger(__name__)


async def until_woken(wake: asyncio.Event, seconds: float) -> None:
    """Wait for `wake` at most `seconds`, then clear it.

    Not `asyncio.wait_for`: on Python 3.11 it returns normally when the event is set in the very moment
    the waiting task is cancelled, and a worker loop that lost its cancellation never ends, so the
    service hangs on shutdown. `asyncio.timeout` tells its own expiry from a cancellation from outside.
    """
    try:
        async with asyncio.timeout(seconds):
            await wake.wait()
    except TimeoutError:
        pass
    wake.clear()


class Worker:
    """A background loop of one replica: `run_once` until nothing is left, then wait to be woken (or
    for `poll_seconds`). A failing round is logged and retried with back-off: the database or the
    broker may be away for a while, and the work stays where it is until they are back."""

    name = "worker"
    poll_seconds = 1.0

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> bool:
        """Do one piece of work; False when there was none."""
        raise NotImplementedError

    async def each_round(self) -> None:
        """Done before each round of work (nothing unless a worker needs it)."""

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                await self.each_round()
                while await self.run_once():
                    failures = 0
                await until_woken(self._wake, self.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                log.warning(f"{self.name}.retry", error=type(exc).__name__, attempt=failures)
                await asyncio.sleep(backoff_seconds(failures, 200, 10_000))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run(), name=f"notify-{self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stop_task(task)


async def stop_task(task: asyncio.Task[None] | None) -> None:
    """Cancel a worker's loop and wait until it has ended, cancelling again while it goes on: a library
    the loop was inside may keep a cancellation to itself (on Python 3.11, `asyncio.wait_for` does when
    what it waits for finishes in the same moment), and a stop that waited for one cancellation would
    then wait for ever."""
    while task is not None and not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
