"""Scheduled housekeeping: sync calendar URLs, unpublish past events, erase contact data when due.

The jobs are idempotent, so every replica may run them; the lifespan runs them every
`agenda.job_interval_seconds`, and tests call `run_once` with the time they want.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from witaj.events.registrations import RegistrationStore
from witaj.events.store import EventStore
from witaj.shared.logging import get_logger

log = get_logger(__name__)


@dataclass
class Housekeeping:
    events: EventStore
    registrations: RegistrationStore
    interval: float
    sync_calendars: Callable[[], Awaitable[int]] | None = None

    async def run_once(self, now: datetime | None = None) -> tuple[int, int]:
        """(events unpublished, registrations erased); configured calendars are re-imported first."""
        now = now or datetime.now(UTC)
        if self.sync_calendars is not None:
            await self.sync_calendars()
        unpublished = await self.events.unpublish_ended(now)
        erased = await self.registrations.erase_expired(now)
        if unpublished or erased:
            log.info("events.housekeeping", unpublished=unpublished, erased=erased)
        return unpublished, erased

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be away for a while: try again next round
                log.warning("events.housekeeping_failed", error=type(exc).__name__)
            await asyncio.sleep(self.interval)
