"""When an e-mail or webhook may go out: after quiet hours, or at the daily digest hour, local time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
"""Now, aware, in UTC: what message times and due times are measured against (tests pass their own)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(local: datetime, start: str, end: str) -> bool:
    now, begin, finish = local.time(), _hhmm(start), _hhmm(end)
    if begin == finish:
        return False
    if begin < finish:
        return begin <= now < finish
    return now >= begin or now < finish  # spans midnight, e.g. 22:00-07:00


def _next_local(local: datetime, at: time) -> datetime:
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > local else candidate + timedelta(days=1)


def due_at(now: datetime, subscriber: dict[str, Any]) -> datetime:
    """`now` (UTC, aware) or the first later moment the subscriber accepts messages, as UTC."""
    zone = ZoneInfo(subscriber.get("timezone") or "UTC")
    local = now.astimezone(zone)
    if subscriber.get("mode") == "digest":
        local = _next_local(local, time(int(subscriber.get("digest_hour", 8))))
    quiet = subscriber.get("quiet_hours")
    if quiet and in_quiet_hours(local, quiet["start"], quiet["end"]):
        local = _next_local(local, _hhmm(quiet["end"]))
    # Normalise through UTC so daylight-saving gaps resolve to a real instant.
    return local.astimezone(ZoneInfo("UTC")) if local != now.astimezone(zone) else now
