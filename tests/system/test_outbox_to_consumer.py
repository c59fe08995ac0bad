"""An event written through one service's outbox reaches another service's consumer exactly once."""

from __future__ import annotations

from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import registry
from witaj.shared.mongo import in_transaction
from witaj.shared.outbox import OutboxRelay
from witaj.shared.topics import CONTENT_FEEDBACK

from .conftest import feedback


async def test_each_event_is_applied_once_even_when_the_relay_publishes_it_again(
    writer, reader, consumer_for
) -> None:
    consumer = consumer_for(reader.inbox.handler(reader.apply))
    relay = writer.relay()
    relay.start()
    async with consumer:
        for n in range(20):
            await writer.write(feedback(n))
        await wait_until(lambda: consumer.handled >= 20, timeout=20, message="20 events handled")

        # The relay cannot know whether the broker got a batch it did not mark; it publishes again.
        await writer.outbox.collection.update_many({}, {"$set": {"published_at": None}})
        writer.outbox.wake()
        await wait_until(lambda: consumer.handled >= 40, timeout=20, message="republished events handled")
    await relay.stop()

    assert await reader.applied() == {f"page-{n}": 1 for n in range(20)}
    assert await writer.outbox.pending_count() == 0


async def test_a_write_that_rolls_back_publishes_nothing(writer, reader, consumer_for) -> None:
    async def failing(session) -> None:
        await writer.outbox.add(session, CONTENT_FEEDBACK, feedback(1))
        raise RuntimeError("the business write failed")

    try:
        await writer.outbox.transaction(failing)
    except RuntimeError:
        pass
    assert await writer.outbox.pending_count() == 0
    assert await writer.relay().drain() == 0


async def test_events_of_one_item_arrive_in_the_order_they_were_written(writer, sandbox) -> None:
    envelopes = [feedback(7) for _ in range(10)]
    for envelope in envelopes:

        async def work(session, envelope=envelope) -> None:
            await writer.outbox.add(session, CONTENT_FEEDBACK, envelope)

        await writer.outbox.transaction(work)
    assert await writer.relay().drain() == 10

    records = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=10)
    assert [registry.decode(r.value).id for r in records] == [e.id for e in envelopes]
    assert {r.partition for r in records} == {records[0].partition}


async def test_a_stopping_relay_flushes_what_was_written_before_it_stopped(writer, sandbox) -> None:
    """The runtime stops workers and consumers before the relay, so what they wrote last goes out with
    the relay's last flush instead of waiting for the next start."""
    relay = OutboxRelay(writer.outbox, writer.publisher, poll_interval=3600)  # no poll: only the flush
    relay.start()
    await wait_until(lambda: relay.epoch is not None, message="the relay's lease")
    envelopes = [feedback(n) for n in range(3)]

    async def work(session) -> None:
        await writer.outbox.add(session, CONTENT_FEEDBACK, *envelopes)

    await in_transaction(writer.client, work)  # committed without waking the relay
    assert await writer.outbox.pending_count() == 3
    await relay.stop()

    assert await writer.outbox.pending_count() == 0
    assert await writer.outbox.leases.count_documents({}) == 0  # released for the next replica
    records = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=3)
    assert {registry.decode(r.value).id for r in records} == {e.id for e in envelopes}
