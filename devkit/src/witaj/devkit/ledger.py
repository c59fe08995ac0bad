"""What a load run measured and what the platform acknowledged to it, for benchmarks and fault tests."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (0-100); NaN without samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class RouteStats:
    latency: list[float] = field(default_factory=list)
    """Seconds from the planned start to the answer (coordinated omission corrected)."""
    service: list[float] = field(default_factory=list)
    """Seconds from sending to the answer."""
    errors: int = 0


@dataclass
class Published:
    topics: list[str]
    sent_at: float
    """When the publishing request was first sent (monotonic)."""
    acked_at: float = 0.0


@dataclass
class Subscribed:
    topics: list[str]
    token: str
    acked_at: float


@dataclass
class Ledger:
    """What the platform acknowledged to the generator, to compare with what it stored."""

    published: dict[str, Published] = field(default_factory=dict)
    registrations: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    subscriptions: dict[str, Subscribed] = field(default_factory=dict)
    views: dict[str, list[float]] = field(default_factory=dict)
    event_views: dict[str, list[float]] = field(default_factory=dict)
    searches: list[float] = field(default_factory=list)
    registration_tokens: set[str] = field(default_factory=set)
    """Every user's token, registered or not: what the registrations store may hold under them."""
    retried: Counter[str] = field(default_factory=Counter)
    unanswered: Counter[str] = field(default_factory=Counter)
    """Requests that reached a service whose answer was lost: the client cannot know if they took effect."""
    reconciled: Counter[str] = field(default_factory=Counter)
    ambiguous: Counter[str] = field(default_factory=Counter)


@dataclass
class Report:
    routes: dict[str, RouteStats]
    elapsed: float
    errors: list[str]
    abandoned: int = 0
    """Planned requests never sent because the platform fell too far behind (overload, not errors)."""

    @property
    def requests(self) -> int:
        return sum(len(r.latency) + r.errors for r in self.routes.values())

    @property
    def error_count(self) -> int:
        return sum(r.errors for r in self.routes.values())

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def overall(self, p: float) -> float:
        return percentile([s for r in self.routes.values() for s in r.latency], p)
