"""The domain events the events service consumes, and what it does with each.

Only readers' views of agenda items: counted once across replicas, per item and language asked for,
for the translators' dashboard (`witaj.shared.demand`), when the deployment counts them. Everything
else the service knows it writes itself.
"""

from __future__ import annotations

from witaj.shared.demand import Demand
from witaj.shared.handlers import Subscription
from witaj.shared.inbox import Inbox


def subscriptions(demand: Demand, counted: Inbox | None) -> list[Subscription]:
    """The service's consumers; views are counted only with an inbox (`counted`) to count them by."""
    return [demand.counting(counted)] if counted is not None else []
