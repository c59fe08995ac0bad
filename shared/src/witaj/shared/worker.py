"""The one shape of a service's background work (due jobs, a periodic sweep, the outbox relay).

A `Worker` runs in a task of its own, registered with the service's `Runtime` (`runtime.run(worker)`),
which starts it after the consumers and stops it before them. `run_once` does one piece of work and
says whether more may be waiting; the loop calls it until there is none, then waits for `wake()` or the
poll interval. A round that fails (the database or broker away) is logged by the error's kind only — a
message may quote the data it was about — and retried with capped back-off while the work stays where
it is. `stop` ends the loop between two pieces of work; a piece still going after `stop_grace` is
cancelled (safe: every worker's work is leased or idempotent, so it is taken up again), and one that
ignores even that is left behind after `stop_timeout`, so a service still stops within its grace period.
Each worker counts its rounds and failures under its name (`witaj_worker_*_total`).
"""

from __future__ import annotations

import asyncio
import time

from prometheus_client import Counter
from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger

log = get_logger(__name__)

ROUNDS = Counter(
    "witaj_worker_rounds_total", "Rounds of background work, each until no work was left", ["worker"]
)
FAILURES = Counter(
    "witaj_worker_failures_total", "Rounds of background work that failed and are retried", ["worker"]
)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event` at most `seconds`.

    Not `asyncio.wait_for`: on Python 3.11 it returns normally when the event is set in the very moment
    the waiting task is cancelled, and a loop that lost its cancellation never ends, so the service
    hangs on shutdown. `asyncio.timeout` tells its own expiry from a cancellation from outside.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass


async def until_woken(wake: asyncio.Event, seconds: float) -> None:
    """Wait for `wake` at most `seconds`, then clear it (see `_wait` for why not `asyncio.wait_for`)."""
    await _wait(wake, seconds)
    wake.clear()


async def stop_task(task: asyncio.Task[None], seconds: float) -> bool:
    """Cancel a loop and wait until it ended, cancelling again while it goes on, for at most `seconds`;
    whether it ended. A library the loop was inside may keep a cancellation to itself (on Python 3.11,
    `asyncio.wait_for` does when what it waits for finishes in the same moment), so one cancellation
    is not always enough; a loop stuck for good is given up on."""
    deadline = time.monotonic() + seconds
    while not task.done():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        task.cancel()
        await asyncio.wait({task}, timeout=min(1.0, left))
    return True


class Worker:
    """A background loop of one replica (see the module). Subclasses give `run_once`, and where they
    need them `each_round`, `finish` and `close`."""

    stop_grace = 3.0
    """Seconds a piece of work in progress may take to end when the worker stops, before it is cancelled."""
    stop_timeout = 10.0
    """Seconds after which a loop that ignores its cancellation is left behind (within the runtime's
    `STOP_STEP_SECONDS`, so `close` still has time)."""
    backoff_base_ms = 200
    backoff_cap_ms = 10_000

    def __init__(self, name: str, poll_seconds: float) -> None:
        self.name = name
        """The worker's name in logs, metrics and its task: `<service>-<work>`."""
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._worker_task: asyncio.Task[None] | None = None

    async def run_once(self) -> bool:
        """Do one piece of work; True when more may be waiting."""
        raise NotImplementedError

    async def each_round(self) -> None:
        """Done before each round of work (nothing unless a worker needs it)."""

    async def finish(self) -> None:
        """Last work of a loop stopped between two pieces of work (nothing unless a worker needs it)."""

    async def close(self) -> None:
        """Release what the worker holds once its loop has ended, or was left behind (a lease, a client)."""

    def wake(self) -> None:
        """Work may be waiting: start a round now instead of at the next poll."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._worker_task is not None and not self._worker_task.done()

    async def run(self) -> None:
        failures = 0
        stopping = self._stopping.is_set
        while not stopping():
            try:
                await self.each_round()
                while not stopping() and await self.run_once():
                    failures = 0
                failures = 0
                ROUNDS.labels(worker=self.name).inc()
                if not stopping():
                    await until_woken(self._wake, self.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # infrastructure away: what is due stays due
                failures += 1
                FAILURES.labels(worker=self.name).inc()
                log.warning("worker.retry", worker=self.name, error=type(exc).__name__, attempt=failures)
                pause = backoff_seconds(failures, self.backoff_base_ms, self.backoff_cap_ms)
                await _wait(self._stopping, pause)  # a stop ends the pause, a wake does not
        try:
            await self.finish()
        except Exception as exc:
            log.warning("worker.finish_failed", worker=self.name, error=type(exc).__name__)

    def start(self) -> None:
        if self.running:
            return
        self._stopping.clear()
        self._worker_task = asyncio.get_running_loop().create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        """End the loop between pieces of work (see the module), then `close`."""
        task, self._worker_task = self._worker_task, None
        if task is not None and not task.done():
            self._stopping.set()
            self._wake.set()
            await asyncio.wait({task}, timeout=self.stop_grace)
            if not await stop_task(task, max(0.0, self.stop_timeout - self.stop_grace)):
                log.error("worker.abandoned", worker=self.name)
        await self.close()
