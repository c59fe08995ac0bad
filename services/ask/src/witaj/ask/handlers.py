"""The domain events the ask service consumes: none of its own.

Ask only writes (`ask.questions`, through the outbox); the city configurations it checks questions
against reach it through the runtime's city catalogue, as in every service. A consumer the service
needs later is declared here, as the other services declare theirs.
"""

from __future__ import annotations

from witaj.shared.handlers import Subscription


def subscriptions() -> list[Subscription]:
    return []
