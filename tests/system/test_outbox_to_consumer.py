"""An event written through one service's outbox reaches another service's consumer exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import registry
from witaj.shared.kafka import PermanentError
from witaj.shared.mongo import in_transaction
from witaj.shared.outbox import BUNDLE_EVENTS, OutboxRelay
from witaj.shared.topics import CONTENT_FEEDBACK, dead_letter

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


async def test_one_transaction_s_events_for_one_item_share_a_document_and_go_out_in_order(
    writer, sandbox
) -> None:
    """A registration batch stages a hundred events for one event's key: one outbox write, not a hundred
    (bundles of at most `BUNDLE_EVENTS`), published in order even by a relay whose batch is smaller."""
    first = [feedback(n) for n in range(BUNDLE_EVENTS + 50)]
    then = [feedback(n) for n in range(3)]
    for envelopes in (first, then):

        async def work(session, envelopes=envelopes) -> None:
            await writer.outbox.add(session, CONTENT_FEEDBACK, *envelopes, key=b"one-item")

        await writer.outbox.transaction(work)
    bundles = await writer.outbox.collection.find({}, sort=[("aggregate_seq", 1)]).to_list()
    assert [(doc["aggregate_seq"], len(doc["values"])) for doc in bundles] == [
        (1, BUNDLE_EVENTS),
        (BUNDLE_EVENTS + 1, 50),
        (BUNDLE_EVENTS + 51, 3),
    ]
    assert bundles[0]["type"] == "content.feedback_submitted"

    relay = writer.relay(batch_size=100)
    assert await relay.publish_pending() == BUNDLE_EVENTS  # a bundle is never split
    assert await relay.drain() == 53
    records = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=len(first) + len(then))
    assert [registry.decode(r.value).id for r in records] == [e.id for e in first + then]
    assert {r.partition for r in records} == {records[0].partition}


async def test_a_document_staged_before_bundles_is_still_published(writer, sandbox) -> None:
    """Replicas of the last version may have left single-event documents behind at an upgrade."""
    envelope = feedback(4)
    await writer.outbox.collection.insert_one(
        {
            "_id": str(envelope.id),
            "aggregate_seq": 1,
            "topic": CONTENT_FEEDBACK,
            "key": envelope.key,
            "value": registry.encode(envelope),
            "type": envelope.type,
            "city": envelope.city,
            "created_at": datetime.now(UTC),
            "published_at": None,
        }
    )
    assert await writer.relay().drain() == 1
    [record] = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=1)
    assert registry.decode(record.value).id == envelope.id


async def test_the_relay_removes_what_was_published_past_the_retention_and_nothing_else(writer) -> None:
    """Expiry is the relay's, through the index it reads pending events by: no expiry index of its own
    for every outbox write to update (an older one is dropped)."""
    await writer.outbox.collection.create_index("published_at", expireAfterSeconds=3600, name="outbox_ttl")
    await writer.outbox.ensure_indexes()
    assert "outbox_ttl" not in await writer.outbox.collection.index_information()

    published = [feedback(n) for n in range(3)]
    for envelope in published:
        await writer.write(envelope)
    first = writer.relay()
    assert await first.drain() == 3
    await first.release_lease()
    old = datetime.now(UTC) - writer.outbox.retention - timedelta(minutes=1)
    await writer.outbox.collection.update_one({"_id": str(published[0].id)}, {"$set": {"published_at": old}})
    await in_transaction(
        writer.client, lambda session: writer.outbox.add(session, CONTENT_FEEDBACK, feedback(3))
    )

    relay = writer.relay(expire_every=3600)  # expires in its first round, then not for an hour
    relay.start()

    async def expired_and_sent() -> bool:
        old_left = await writer.outbox.collection.count_documents({"_id": str(published[0].id)})
        return old_left == 0 and await writer.outbox.pending_count() == 0

    await wait_until(expired_and_sent, message="the relay to expire the old event and send the new one")
    await relay.stop()
    assert await writer.outbox.collection.count_documents({}) == 3  # two published, one just now
    assert await writer.outbox.expire() == 0
    later = datetime.now(UTC) + writer.outbox.retention + timedelta(minutes=1)
    assert await writer.outbox.expire(later) == 3


async def test_a_held_lease_is_written_once_a_quarter_of_it_has_passed_not_at_every_batch(writer) -> None:
    relay = writer.relay(lease_seconds=2.0)
    leases = writer.outbox.leases

    async def expiry() -> object:
        return (await leases.find_one({"_id": "relay"}) or {}).get("expires_at")

    assert await relay.acquire_lease()
    taken = await expiry()
    for _ in range(5):  # a relay woken by every write asks for its lease twice per batch
        assert await relay.acquire_lease()
    assert await expiry() == taken, "a lease renewed just now was written again"

    async def renewed() -> bool:
        return await relay.acquire_lease() and await expiry() != taken

    await wait_until(renewed, timeout=10, interval=0.1)

    # Once another relay took it over (it had expired), the next check finds it lost, whenever it comes.
    await leases.update_one({"_id": "relay"}, {"$set": {"owner": "elsewhere"}, "$inc": {"epoch": 1}})
    await wait_until(lambda: _lost(relay), timeout=10, interval=0.1)


async def _lost(relay) -> bool:
    return not await relay.acquire_lease() and relay.epoch is None


async def test_a_consumer_handling_fetches_together_applies_each_event_once_and_parks_only_the_bad_one(
    writer, reader, consumer_for, sandbox
) -> None:
    batches: list[int] = []

    async def apply_all(envelopes, session) -> None:
        for envelope in envelopes:
            await apply_one(envelope, session)

    async def apply_one(envelope, session) -> None:
        if envelope.data.item_id == "page-7":
            raise PermanentError("page-7 cannot be applied")
        await reader.apply(envelope, session)

    async def together(envelopes) -> None:
        batches.append(len(envelopes))
        await reader.inbox.apply_many(envelopes, apply_all)

    for n in range(20):
        await writer.write(feedback(n))
    relay = writer.relay()
    assert await relay.drain() == 20
    consumer = consumer_for(reader.inbox.handler(apply_one), handle_batch=together)
    async with consumer:
        await wait_until(lambda: consumer.handled >= 19, timeout=20, message="19 events handled")
        parked = await read_topic(sandbox.kafka, dead_letter(CONTENT_FEEDBACK), count=1, timeout=20)
        # Published again (the relay could not know the broker had them): applied once all the same.
        await writer.outbox.collection.update_many({}, {"$set": {"published_at": None}})
        assert await relay.drain() == 20
        await wait_until(lambda: consumer.handled >= 38, timeout=20, message="republished events handled")

    assert await reader.applied() == {f"page-{n}": 1 for n in range(20) if n != 7}
    assert [registry.decode(m.value).data.item_id for m in parked] == ["page-7"]
    assert len(batches) < sum(batches) == 40, "every event went through `together`, several at a time"
