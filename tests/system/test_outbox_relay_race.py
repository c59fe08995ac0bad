"""The outbox relay publishes in commit order per aggregate, and only while it holds the lease.

What is guaranteed (see `witaj.shared.outbox`): every committed event is published at least once; per
aggregate, the first copy of each event is published after the first copy of every event committed
before it; an event is published twice only if its batch was in flight when its relay lost the lease.
Consumers with an inbox therefore apply every event once, in commit order.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import Envelope, wrap
from witaj.shared.events import FeedbackSubmitted
from witaj.shared.events.content import ContentKind
from witaj.shared.mongo import Session
from witaj.shared.outbox import OutboxRelay, encoded_events
from witaj.shared.topics import CONTENT_FEEDBACK

AGGREGATES = 4


def event(aggregate: str, revision: int | str) -> Envelope[FeedbackSubmitted]:
    """An event of `aggregate` (its key) that names its place in the aggregate's history."""
    data = FeedbackSubmitted(kind=ContentKind.PAGE, item_id=f"{aggregate}:{revision}", language="uk")
    return wrap(data, source="witaj/content", city="lublin", subject=aggregate)


def place(value: bytes) -> tuple[str, str]:
    aggregate, _, revision = json.loads(value)["data"]["item_id"].partition(":")
    return aggregate, revision


async def test_events_of_one_aggregate_go_out_in_commit_order_not_write_order(writer, sandbox) -> None:
    """Two transactions on one aggregate that touch no common document: the first to write commits
    last. The events must go out in the order the transactions committed."""
    staged, release = asyncio.Event(), asyncio.Event()
    attempts: Counter[str] = Counter()
    committed: list[str] = []

    async def written_first(session: Session) -> None:
        await writer.outbox.add(session, CONTENT_FEEDBACK, event("page-1", "written-first"))
        staged.set()
        await release.wait()

    async def written_second(session: Session) -> None:
        attempts["written-second"] += 1
        await writer.outbox.add(session, CONTENT_FEEDBACK, event("page-1", "written-second"))

    async def commit(name: str, work: Any) -> None:
        await writer.outbox.transaction(work)
        committed.append(name)

    first = asyncio.create_task(commit("written-first", written_first))
    await staged.wait()
    second = asyncio.create_task(commit("written-second", written_second))
    # The second either commits while the first is open, or must wait for it (and retries meanwhile).
    await wait_until(lambda: second.done() or attempts["written-second"] > 1, timeout=20)
    release.set()
    await asyncio.gather(first, second)

    assert await writer.relay().drain() == 2
    records = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=2)
    assert [place(r.value)[1] for r in records] == committed


class Watched:
    """A relay's publisher that notes, at every send, whether the relay held the lease right then."""

    def __init__(self, relay: OutboxRelay, sends: list[Send]) -> None:
        self.relay, self.inner, self.sends = relay, relay.publisher, sends
        relay.publisher = self  # type: ignore[assignment]

    async def send_many(self, messages: Any) -> None:
        messages = list(messages)
        lease = await self.relay.outbox.leases.find_one({"_id": "relay"}) or {}
        holds = (lease.get("owner"), lease.get("epoch")) == (self.relay.owner, self.relay.epoch)
        self.sends.append(Send(self.relay.owner, holds, [":".join(place(value)) for _, value, _ in messages]))
        await self.inner.send_many(messages)


@dataclass
class Send:
    relay: str
    held_lease: bool
    events: list[str]


@dataclass
class Pauses:
    """Where each relay was stopped (as a long garbage collection or a frozen container would stop
    it) until the other relay took the lease over: (relay, events of the batch, sends made before)."""

    before_marking: tuple[str, list[str], int] | None = None
    before_publishing: tuple[str, list[str], int] | None = None


async def test_two_racing_relays_publish_everything_in_commit_order_and_only_while_holding_the_lease(
    writer, reader, consumer_for, sandbox
) -> None:
    sends: list[Send] = []
    pauses = Pauses()

    async def deposed(relay: OutboxRelay) -> bool:
        lease = await relay.outbox.leases.find_one({"_id": "relay"}) or {}
        return lease.get("owner") not in (None, relay.owner)

    def seams(index: int) -> dict[str, Any]:
        def me() -> OutboxRelay:
            return relays[index]

        async def before_mark(batch: list[dict[str, Any]]) -> None:
            # Once, after a few batches: published, not yet marked, and the lease lost meanwhile.
            if pauses.before_marking is None and len(sends) >= 3:
                pauses.before_marking = (me().owner, events_of(batch), len(sends))
                await wait_until(lambda: deposed(me()), timeout=30, interval=0.05, message="a take-over")

        async def before_publish(batch: list[dict[str, Any]]) -> None:
            # Then the other relay, once it published a batch of its own: read, not yet sent.
            first = pauses.before_marking
            if pauses.before_publishing or first is None or first[0] == me().owner:
                return
            if any(send.relay == me().owner for send in sends[first[2] :]):
                pauses.before_publishing = (me().owner, events_of(batch), len(sends))
                await wait_until(lambda: deposed(me()), timeout=30, interval=0.05, message="a take-over")

        return {"before_mark": before_mark, "before_publish": before_publish}

    # A lease far longer than any stall of this busy test machine between a renewal and its send.
    relays = [writer.relay(lease_seconds=4, batch_size=7, **seams(n)) for n in range(2)]
    for relay in relays:
        Watched(relay, sends)

    revisions: Counter[str] = Counter()

    async def write(count: int) -> None:
        async def one(aggregate: str) -> None:
            async def work(session: Session) -> None:
                # A read-modify-write of the aggregate: its revisions follow commit order.
                doc = await writer.outbox.collection.database["pages"].find_one_and_update(
                    {"_id": aggregate},
                    {"$inc": {"revision": 1}},
                    upsert=True,
                    return_document=True,
                    session=session,
                )
                await writer.outbox.add(session, CONTENT_FEEDBACK, event(aggregate, doc["revision"]))

            await writer.outbox.transaction(work)
            revisions[aggregate] += 1

        await asyncio.gather(*(one(f"page-{n % AGGREGATES}") for n in range(count)))

    applied: dict[str, list[int]] = defaultdict(list)

    async def apply(envelope: Envelope[Any], session: Session) -> None:
        aggregate, revision = place(envelope.to_json())
        applied[aggregate].append(int(revision))

    for relay in relays:
        relay.start()
    try:
        async with consumer_for(reader.inbox.handler(apply)):
            await write(40)
            await wait_until(lambda: pauses.before_marking, timeout=60, message="the first relay's pause")
            await write(40)
            await wait_until(lambda: pauses.before_publishing, timeout=60, message="the second relay's pause")
            await write(40)
            await wait_until(
                lambda: sum(map(len, applied.values())) == 120, timeout=60, message="every event applied"
            )
            await wait_until(lambda: no_pending(writer), timeout=30, message="every event marked")
    finally:
        for relay in relays:
            await relay.stop()

    records = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=120)
    copies = Counter(":".join(place(r.value)) for r in records)
    assert set(copies) == {f"{a}:{r}" for a, n in revisions.items() for r in range(1, n + 1)}
    first_copies: dict[str, list[int]] = defaultdict(list)
    for record in records:
        aggregate, revision = place(record.value)
        if int(revision) not in first_copies[aggregate]:
            first_copies[aggregate].append(int(revision))
    expected = {a: list(range(1, n + 1)) for a, n in revisions.items()}
    assert first_copies == expected, "first copies out of commit order"
    assert applied == expected, "the inbox applied something twice or out of order"

    assert all(send.held_lease for send in sends), "a relay published without holding the lease"
    paused_relay, paused_batch, before = pauses.before_publishing
    resent = [s for s in sends[before:] if s.relay == paused_relay and set(s.events) & set(paused_batch)]
    assert not resent, "a deposed relay published the batch it had read"
    # Only the batch in flight while its relay lost the lease may have gone out twice.
    twice = {key for key, n in copies.items() if n > 1}
    assert twice <= set(pauses.before_marking[1]), twice


def events_of(batch: list[dict[str, Any]]) -> list[str]:
    return [":".join(place(value)) for doc in batch for value in encoded_events(doc)]


async def no_pending(writer: Any) -> bool:
    return await writer.outbox.pending_count() == 0
