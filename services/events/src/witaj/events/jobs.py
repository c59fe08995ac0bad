"""Scheduled housekeeping: sync calendar URLs, unpublish past events, erase contact data when due.

The jobs are idempotent, so every replica may run them; the runtime runs them every
`agenda.job_interval_seconds` (a `witaj.shared.worker.Worker`), and tests call `sweep` with the time
they want. Each task runs on its own: one that fails (a calendar source the sync chokes on, the
database away for a moment) is logged and counted in `witaj_housekeeping_failures_total`, and the
others still run, so a broken calendar URL can never keep ended events published or expired contact
data stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from prometheus_client import Counter
from witaj.events.registrations import RegistrationStore
from witaj.events.store import AgendaStore
from witaj.shared.logging import get_logger
from witaj.shared.worker import Worker

log = get_logger(__name__)
FAILURES = Counter(
    "witaj_housekeeping_failures_total", "Housekeeping tasks that failed, by task", ["service", "task"]
)


class Housekeeping(Worker):
    def __init__(
        self,
        events: AgendaStore,
        registrations: RegistrationStore,
        interval: float,
        sync_calendars: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        super().__init__("events-housekeeping", interval)
        self.events = events
        self.registrations = registrations
        self.sync_calendars = sync_calendars

    async def run_once(self) -> bool:
        await self.sweep()
        return False

    async def sweep(self, now: datetime | None = None) -> tuple[int, int]:
        """(events unpublished, registrations erased); configured calendars are re-imported first."""
        now = now or datetime.now(UTC)
        if self.sync_calendars is not None:
            await self._task("calendar_sync", self.sync_calendars)
        unpublished = await self._task("unpublish_ended", lambda: self.events.unpublish_ended(now))
        erased = await self._task("erase_expired", lambda: self.registrations.erase_expired(now))
        if unpublished or erased:
            log.info("events.housekeeping", unpublished=unpublished, erased=erased)
        return unpublished, erased

    @staticmethod
    async def _task(name: str, run: Callable[[], Awaitable[int]]) -> int:
        """Run one task; a failure is logged by its kind only (never its message, which may hold data
        about people) and counted, and counts as nothing done."""
        try:
            return await run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            FAILURES.labels(service="events", task=name).inc()
            log.warning("events.housekeeping_failed", task=name, error=type(exc).__name__)
            return 0
