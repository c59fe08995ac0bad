"""What a service does with the domain events it consumes: one table per consumer, event class to handlers.

Each service's `handlers.py` declares its consumers as `Subscription`s: the topics and consumer group,
and a `Handlers` table from `EventData` class to the handlers of that event, run in the order they were
added. The runtime registers them (`Runtime.subscribe`) and the consumer calls the table, which looks
the handlers up by the payload's class. So a reader sees in one place which events a service reacts to
and how, and no handler tests the type of what it was given.

A known event with no handler in the table (another event sharing the topic) is acknowledged and
skipped: topics carry several types and a consumer wants only some. Bytes that are no known event never
reach the table: the consumer parks them on the dead-letter topic as before (`witaj.shared.kafka`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from witaj.shared.envelope import Envelope, EventData
from witaj.shared.kafka import BatchHandler

D = TypeVar("D", bound=EventData)

EventHandler = Callable[[Envelope[D]], Awaitable[None]]
"""Handles one event of the class it is registered for (its payload is that class)."""


class Handlers:
    """A dispatch table from event class to its handlers; the table itself is a consumer's handler."""

    def __init__(self) -> None:
        self._table: dict[type[EventData], list[EventHandler[Any]]] = {}

    def add(self, event: type[D], *handlers: EventHandler[D]) -> Handlers:
        """Run `handlers`, in this order and after any added before, for every event of class `event`."""
        if not event.event_type:
            raise TypeError(f"{event.__name__} is not a registered event type")
        if not handlers:
            raise ValueError(f"no handler given for {event.__name__}")
        self._table.setdefault(event, []).extend(handlers)
        return self

    @property
    def events(self) -> tuple[type[EventData], ...]:
        """The event classes something is done with, in the order they were first added."""
        return tuple(self._table)

    async def __call__(self, envelope: Envelope[Any]) -> None:
        """Run the handlers of the event's class one after the other; none: the event is not ours.

        A handler that raises stops the rest, and the consumer retries the event or parks it, so
        handlers of one event must each be idempotent (they may run again after an earlier one did)."""
        for handler in self._table.get(type(envelope.data), ()):
            await handler(envelope)


@dataclass(frozen=True)
class Subscription:
    """One consumer of a service: what it reads, under which group, and what it does with each event.

    `broadcast`: every replica reads every event (state held in memory, such as caches) instead of the
    replicas sharing the group's partitions."""

    group: str
    topics: Sequence[str]
    handlers: Handlers
    broadcast: bool = False
    together: BatchHandler | None = None
    """Handles the events of one fetch at once, where their effects commute (counts): one transaction
    for the fetch rather than one per event. If it fails for good, `handlers` take the events one by
    one (each retried and dead-lettered alone), so it must be idempotent as they are."""
