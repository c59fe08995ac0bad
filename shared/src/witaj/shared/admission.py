"""Admission: past its limit a process sheds the excess politely instead of serving everyone slowly.

An asyncio process answers every request it has accepted on one core; taking on more than it can finish
makes every answer late, those already accepted included, until clients time out and retry, which adds
more. So each process works on at most `max_in_flight` requests at once; a few more (`max_queued`) wait
at most `queue_wait_seconds` for a place, first come first served; the rest are refused at once with 503
and `Retry-After`, before their body is read or anything is written. A request that was admitted is
served as usual: nothing it writes is lost or half done.

A request holds its place until its answer starts: a stream (Server-Sent Events) then waits for news
without occupying it. Operational routes (`/health`, `/ready`, `/metrics`) are never held back: an
orchestrator must see a busy replica as alive and ready, not restart it in the middle of a surge.
"""

from __future__ import annotations

import asyncio
from collections import deque

from prometheus_client import Counter, Gauge

SHED = Counter(
    "witaj_http_shed_total", "Requests refused with 503 because the process was at its limit", ["service"]
)
IN_FLIGHT = Gauge("witaj_http_in_flight", "Requests being worked on (until their answer starts)", ["service"])
QUEUED = Gauge("witaj_http_queued", "Requests waiting for a place", ["service"])

ALWAYS_ADMITTED = frozenset({"/health", "/ready", "/metrics"})


class Admission:
    """Places for requests in one process, with a short bounded queue in front of them."""

    def __init__(
        self, service: str, *, max_in_flight: int, max_queued: int, queue_wait_seconds: float
    ) -> None:
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.queue_wait_seconds = queue_wait_seconds
        self.in_flight = 0
        self._waiting: deque[asyncio.Future[bool]] = deque()
        self._shed = SHED.labels(service)
        self._in_flight_gauge = IN_FLIGHT.labels(service)
        self._queued_gauge = QUEUED.labels(service)

    @property
    def queued(self) -> int:
        return len(self._waiting)

    async def enter(self) -> bool:
        """Take a place, waiting briefly for one; False when the request is to be shed."""
        if self.in_flight < self.max_in_flight and not self._waiting:
            self._take()
            return True
        if len(self._waiting) >= self.max_queued:
            self._shed.inc()
            return False
        loop = asyncio.get_running_loop()
        place: asyncio.Future[bool] = loop.create_future()
        self._waiting.append(place)
        self._queued_gauge.set(len(self._waiting))
        timer = loop.call_later(self.queue_wait_seconds, _give_up, place)
        try:
            admitted = await place
        except asyncio.CancelledError:  # the client left, or the server stops
            if _handed_over(place):
                self.leave()  # a place was handed over just before: pass it on
            raise
        finally:
            timer.cancel()
            if not _handed_over(place):
                self._forget(place)
        if not admitted:
            self._shed.inc()
        return admitted

    def leave(self) -> None:
        """Give the place back: to the first request still waiting, else free it."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(True)  # the place passes on; in_flight stays as it is
                self._queued_gauge.set(len(self._waiting))
                return
        self.in_flight -= 1
        self._in_flight_gauge.set(self.in_flight)
        self._queued_gauge.set(0)

    def _take(self) -> None:
        self.in_flight += 1
        self._in_flight_gauge.set(self.in_flight)

    def _forget(self, place: asyncio.Future[bool]) -> None:
        try:
            self._waiting.remove(place)
        except ValueError:
            pass
        self._queued_gauge.set(len(self._waiting))


def _handed_over(place: asyncio.Future[bool]) -> bool:
    return place.done() and not place.cancelled() and place.result()


def _give_up(place: asyncio.Future[bool]) -> None:
    if not place.done():
        place.set_result(False)
