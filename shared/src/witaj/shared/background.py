"""A service's background work (a queue of due jobs, a periodic sweep) in a task of its own.

`run_once` does one piece and says whether there may be more; the loop calls it until there is none,
then waits for `wake()` or the poll interval. A failure (the database or broker away) is logged without
personal data and retried with capped back-off; cancelling the task stops it between pieces of work.
"""

from __future__ import annotations

import asyncio

from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger

log = get_logger(__name__)


class Background:
    def __init__(self, name: str, poll_seconds: float) -> None:
        self.name = name
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> bool:
        """Do one piece of work; True when more may be waiting."""
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                while await self.run_once():
                    failures = 0
                failures = 0
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # infrastructure away: what is due stays due
                failures += 1
                log.warning("background.retry", worker=self.name, error=type(exc).__name__, attempt=failures)
                await asyncio.sleep(backoff_seconds(failures, 200, 10_000))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
