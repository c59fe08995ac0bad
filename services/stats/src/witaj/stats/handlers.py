"""The domain events the stats API consumes, and what it does with each.

Only the processor's rollups: every replica (a broadcast consumer) hands each to the live-update
listeners of its city. The stream processor that counts the platform's events into rollups is a
separate program with its own consumer (`witaj.stats.processor`).
"""

from __future__ import annotations

from witaj.shared.events import RollupUpdated
from witaj.shared.handlers import Handlers, Subscription
from witaj.shared.topics import STATS_ROLLUPS
from witaj.stats.live import LiveHub


def subscriptions(live: LiveHub) -> list[Subscription]:
    """Every replica serves live updates of every city: a broadcast consumer, no shared group."""
    return [
        Subscription("live", [STATS_ROLLUPS], Handlers().add(RollupUpdated, live.on_rollup), broadcast=True)
    ]
