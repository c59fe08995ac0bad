"""Tumbling time windows (minute, hour, day) in UTC: where an event's count lands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Granularity(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


STEP = {
    Granularity.MINUTE: timedelta(minutes=1),
    Granularity.HOUR: timedelta(hours=1),
    Granularity.DAY: timedelta(days=1),
}

MAX_POINTS = 2_000
"""Longest time series one request may ask for (e.g. 33 hours of minutes or 5 years of days)."""


def window_start(moment: datetime, granularity: Granularity) -> datetime:
    """Start of the tumbling window holding `moment`; naive times are taken as UTC."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if granularity is Granularity.MINUTE:
        return moment.replace(second=0, microsecond=0)
    if granularity is Granularity.HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def windows(start: datetime, end: datetime, granularity: Granularity) -> list[datetime]:
    """Every window start from the one holding `start` up to the one holding `end`."""
    current, last = window_start(start, granularity), window_start(end, granularity)
    out: list[datetime] = []
    while current <= last and len(out) <= MAX_POINTS:
        out.append(current)
        current += STEP[granularity]
    return out
