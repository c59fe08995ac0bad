"""The fake outbox, inbox, publisher and runtime, on the fake database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from witaj.devkit.fakes.database import FakeDatabase
from witaj.shared.cities import CityCatalog
from witaj.shared.envelope import Envelope, EventData, registry
from witaj.shared.inbox import Inbox
from witaj.shared.settings import WitajSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Staged:
    topic: str
    key: bytes
    envelope: Envelope[Any]


class FakeSession:
    """Passed as `session` to a unit of work; the fake collections ignore it."""


@dataclass
class FakeOutbox:
    """`witaj.shared.outbox.Outbox`'s write side: events staged in a unit of work, kept in order."""

    db: FakeDatabase = field(default_factory=FakeDatabase)
    staged: list[Staged] = field(default_factory=list)
    woken: int = 0

    async def add(
        self, session: Any, topic: str, *envelopes: Envelope[Any], key: bytes | None = None
    ) -> None:
        for envelope in envelopes:
            registry.encode(envelope)  # as the real outbox: an event too large fails the transaction
            self.staged.append(Staged(topic, key or envelope.key, envelope))

    async def transaction(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run `work` once; if it raises, neither its writes nor its events remain."""
        restore, staged = self.db.snapshot(), len(self.staged)
        try:
            result = await work(FakeSession())
        except BaseException:
            restore()
            del self.staged[staged:]
            raise
        self.wake()
        return result

    def wake(self) -> None:
        self.woken += 1

    def events(self, *types: type[EventData], topic: str | None = None) -> list[Envelope[Any]]:
        """The staged events, oldest first, of these types (all without) and on `topic` if given."""
        return _select(self.staged, types, topic)


class FakeInbox(Inbox):
    """`witaj.shared.inbox.Inbox` on the fake database: a consumer's marker and the event's effect
    commit together or not at all, as in its real transaction."""

    def __init__(self, db: FakeDatabase, consumer: str) -> None:
        super().__init__(None, db, consumer)  # type: ignore[arg-type]
        self._outbox = FakeOutbox(db)

    async def transaction(self, work: Callable[[Any], Awaitable[T]]) -> T:
        return await self._outbox.transaction(work)


@dataclass(frozen=True)
class Sent:
    topic: str
    envelope: Envelope[Any]
    key: bytes | None


@dataclass
class FakePublisher:
    """`witaj.shared.kafka.EventPublisher`: every event sent, encoded and decoded again as the broker
    would carry it, in order."""

    sent: list[Sent] = field(default_factory=list)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, envelope: Envelope[Any], *, key: bytes | None = None) -> None:
        await self.send_raw(topic, registry.encode(envelope), key=key or envelope.key)

    async def send_raw(self, topic: str, value: bytes, *, key: bytes | None = None, **_: Any) -> None:
        self.sent.append(Sent(topic, registry.decode(value), key))

    async def send_many(self, messages: Iterable[tuple[str, bytes, bytes | None]]) -> None:
        for topic, value, key in messages:
            await self.send_raw(topic, value, key=key)

    def fire_and_forget(self, topic: str, envelope: Envelope[Any], *, key: bytes | None = None) -> None:
        self.sent.append(Sent(topic, registry.decode(registry.encode(envelope)), key or envelope.key))

    async def ready(self, timeout: float = 2.0) -> bool:
        return True

    def events(self, *types: type[EventData], topic: str | None = None) -> list[Envelope[Any]]:
        """What was sent, oldest first, of these types (all without) and on `topic` if given."""
        return _select(self.sent, types, topic)


def _select(
    records: Sequence[Staged | Sent], types: tuple[type[EventData], ...], topic: str | None
) -> list[Envelope[Any]]:
    return [
        r.envelope
        for r in records
        if (topic is None or r.topic == topic) and (not types or isinstance(r.envelope.data, types))
    ]


@dataclass
class FakeRuntime:
    """The parts of `witaj.shared.runtime.Runtime` a service's stores, handlers and workers use, on the
    fakes above; cities become known as in a service, by applying their configuration events."""

    settings: WitajSettings = field(default_factory=WitajSettings)
    db: FakeDatabase = field(default_factory=FakeDatabase)
    publisher: FakePublisher = field(default_factory=FakePublisher)
    outbox: FakeOutbox = field(init=False)
    cities: CityCatalog = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = FakeOutbox(self.db)
        self.cities = CityCatalog(self.db, served=self.settings.service.cities)  # type: ignore[arg-type]
