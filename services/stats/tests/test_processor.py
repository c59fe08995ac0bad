"""The processor as a separate process: exact totals across a kill -9, and poison messages dead-lettered;
and in-process: an event its producer sent twice is counted once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import Envelope, EventData, registry, wrap
from witaj.shared.events import Channel, ContentKind, NotificationDelivered, PageViewed, SearchPerformed
from witaj.shared.kafka import EventPublisher
from witaj.shared.topics import NOTIFY_DELIVERIES, USAGE, dead_letter
from witaj.stats.rollups import RollupStore

LANGUAGES = ("uk", "ar", "en")
NOON = datetime(2026, 3, 2, 12, 0, 30, tzinfo=UTC)


def event(data: EventData, subject: str = "s") -> Envelope[Any]:
    return wrap(data, source="witaj/test", city="lublin", subject=subject, time=NOON)


def encoded(envelope: Envelope[Any]) -> bytes:
    return registry.encode(envelope)


async def produce(publisher: EventPublisher, topic: str, values: list[bytes]) -> dict[str, int]:
    """Send and return the last offset written per partition, as the processor's markers will name them."""
    name = publisher.settings.topics(topic)
    futures = [await publisher.producer.send(name, v, key=str(i % 7).encode()) for i, v in enumerate(values)]
    last: dict[str, int] = {}
    for meta in await asyncio.gather(*futures):
        marker = f"{meta.topic}:{meta.partition}"
        last[marker] = max(last.get(marker, -1), meta.offset)
    return last


async def day_count(store: RollupStore, dimension: str = "total", value: str = "") -> int:
    return await store.counted("page_views", dimension, value, city="lublin")


async def caught_up(store: RollupStore, last: dict[str, int]) -> bool:
    return await store.markers(set(last)) == last


def page_view(i: int) -> bytes:
    data = PageViewed(
        kind=ContentKind.PAGE, item_id=f"item-{i % 4}", language=LANGUAGES[i % 3], topics=["housing"]
    )
    return encoded(event(data, subject=f"s{i}"))


async def test_a_killed_worker_restarts_without_losing_or_repeating_a_count(
    publisher, processor, store
) -> None:
    total = 3000
    last = await produce(publisher, USAGE, [page_view(i) for i in range(total)])

    processor.start()
    mid = await wait_until(
        lambda: day_count(store), timeout=60, interval=0.05, message="the first batches to be counted"
    )
    processor.kill()
    counted_at_kill = await day_count(store)
    assert 0 < mid <= counted_at_kill < total, "the kill must land in the middle of the stream"

    processor.start()
    await wait_until(
        lambda: caught_up(store, last), timeout=90, interval=0.25, message="the restarted worker to catch up"
    )
    assert await day_count(store) == total
    for n, language in enumerate(LANGUAGES):
        assert await day_count(store, "language", language) == len(range(n, total, 3))
    assert await day_count(store, "item", "item-1") == len(range(1, total, 4))
    assert await day_count(store, "topic", "housing") == total
    assert await store.counted("page_views", granularity="minute") == total


async def committed(settings: Any, last: dict[str, int]) -> dict[str, int]:
    """The processor's consumer group offsets in Kafka, per partition, for the markers in `last`."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        group_id=f"{settings.kafka.topic_prefix}witaj-stats-processor",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        out = {}
        for name in last:
            topic, partition = name.rsplit(":", 1)
            out[name] = await consumer.committed(TopicPartition(topic, int(partition))) or -1
        return out
    finally:
        await consumer.stop()


async def test_stored_batches_are_committed_to_kafka_so_a_restart_resumes_there(
    publisher, processor, store, settings
) -> None:
    """The processor hands faust's fetches over whole and acknowledges them once stored; faust's commit
    timer must still move the group's offsets, or every restart would re-read the topic from its start."""
    last = await produce(publisher, USAGE, [page_view(i) for i in range(500)])
    processor.start()
    await wait_until(lambda: caught_up(store, last), timeout=60, interval=0.25, message="the worker to count")
    expected = {name: offset + 1 for name, offset in last.items()}

    async def moved() -> bool:
        return await committed(settings, last) == expected

    await wait_until(moved, timeout=30, interval=0.5, message="the stored offsets to be committed")
    processor.stop()

    more = await produce(publisher, USAGE, [page_view(i) for i in range(500, 520)])
    processor.start()
    await wait_until(
        lambda: caught_up(store, {**last, **more}), timeout=60, interval=0.25, message="the restart to count"
    )
    assert await day_count(store) == 520


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_stream_goes_on(
    publisher, processor, store, settings
) -> None:
    search = SearchPerformed(query="meldunek", language="uk", result_count=0)
    values = [
        page_view(0),
        b"not json at all",
        b'{"type": "usage.unknown_thing", "version": 1, "data": {}}',
        encoded(event(search)),
        page_view(1),
    ]
    last = await produce(publisher, USAGE, values)
    processor.start()
    await wait_until(
        lambda: caught_up(store, last), timeout=60, interval=0.25, message="the worker to pass the poison"
    )
    assert await day_count(store) == 2

    parked = await read_topic(settings.kafka, dead_letter(USAGE), count=2, timeout=10)
    codes = sorted(dict(r.headers)["witaj.error.code"].decode() for r in parked)
    assert codes == ["malformed_event", "unknown_event_type"]
    assert {r.value for r in parked} == {values[1], values[2]}
    assert await store.counted("zero_result_searches", "language", "uk") == 1


async def test_an_event_its_producer_sent_again_is_counted_once(feed, store) -> None:
    """A notify fan-out resuming a batch, or an outbox relay killed between publishing and marking,
    sends the same event again at a new offset: it must not be counted again."""

    def delivered(subscriber: str) -> Envelope[Any]:
        data = NotificationDelivered(
            channel=Channel.INBOX, subscriber=subscriber, source_event="e1", source_type="t", language="uk"
        )
        return event(data, subject=subscriber)

    first, second = delivered("s1"), delivered("s2")
    await feed([first, second, first], topic=NOTIFY_DELIVERIES)  # a copy in the same batch
    await feed([second], topic=NOTIFY_DELIVERIES)  # and one in a later batch
    await feed([delivered("s3")], topic=NOTIFY_DELIVERIES)
    assert await store.counted("notifications_delivered") == 3


async def test_the_worker_releases_settled_days_of_people_on_its_timer(
    publisher, processor, store, settings
) -> None:
    """Counts of people reach the stat stream only through a day release, which the worker makes on its
    own once the day has settled; the release is published once and stays as it was made."""
    from witaj.shared.events import RegistrationCreated, RegistrationStatus
    from witaj.shared.topics import AGENDA_REGISTRATIONS, STATS_ROLLUPS

    day = datetime(2026, 3, 2, tzinfo=UTC)
    registrations = [
        encoded(
            event(
                RegistrationCreated(
                    registration_id=f"r{i}",
                    event_id="course",
                    occurrence=day.replace(hour=18),
                    organisation="ngo-1",
                    registrant=f"p{i}",
                    status=RegistrationStatus.CONFIRMED,
                ),
                subject=f"r{i}",
            )
        )
        for i in range(7)
    ]
    last = await produce(publisher, AGENDA_REGISTRATIONS, registrations)
    processor.start()  # its release timer runs every half second here
    await wait_until(lambda: caught_up(store, last), timeout=60, interval=0.25, message="the registrations")

    async def released() -> Any:
        return await store.releases.find_one({"_id": "lublin|2026-03-02", "published": True})

    release = await wait_until(released, timeout=30, interval=0.25, message="the day's release")
    cells = {
        (c["metric"], c["dimension"]): c["count"] for c in release["cells"] if c["value"] in ("", "course")
    }
    assert cells[("registrations", "total")] == 7 and cells[("registrations", "event")] == 7
    records = await read_topic(settings.kafka, STATS_ROLLUPS, count=18, timeout=10)
    tables = [registry.decode(r.value).data for r in records]
    people = [t for t in tables if t.people and t.metric == "registrations" and t.dimension == "event"]
    assert len(people) == 1 and {c.value: c.count for c in people[0].cells} == {"": 7, "course": 7}
