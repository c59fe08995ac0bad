"""Usage events are fire-and-forget for the reader, but a service that stops still sends what it queued."""

from __future__ import annotations

import asyncio
import json
import time

from prometheus_client import REGISTRY
from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import ContentKind, PageViewed
from witaj.shared.kafka import EventPublisher, ensure_topics
from witaj.shared.topics import USAGE


def view(n: int):
    data = PageViewed(kind=ContentKind.PAGE, item_id=f"page-{n}", language="uk", topics=["health"])
    return wrap(data, source="witaj/content", city="lublin", subject=f"page-{n}")


async def test_queued_usage_events_are_sent_when_the_publisher_stops(sandbox) -> None:
    kafka = sandbox.kafka
    await ensure_topics(kafka, [USAGE])
    publisher = EventPublisher(kafka)
    await publisher.start()
    for n in range(1_200):  # more than one batch of the background sender
        publisher.fire_and_forget(USAGE, view(n), key=b"lublin")
    await publisher.stop()  # straight away: nothing has been awaited yet

    records = await read_topic(kafka, USAGE, count=1_200, timeout=30)
    items = [json.loads(r.value)["data"]["item_id"] for r in records]
    assert sorted(items) == sorted(f"page-{n}" for n in range(1_200))


def dropped_for_backlog() -> float:
    return REGISTRY.get_sample_value("witaj_usage_events_dropped_total", {"reason": "backlog"}) or 0.0


async def test_a_full_queue_drops_usage_events_instead_of_slowing_readers(sandbox) -> None:
    kafka = sandbox.kafka
    await ensure_topics(kafka, [USAGE])
    before = dropped_for_backlog()
    async with EventPublisher(kafka, max_in_flight=10) as publisher:
        for n in range(50):
            publisher.fire_and_forget(USAGE, view(n), key=b"lublin")  # returns at once, never blocks
        assert publisher.usage_pending == 10  # the sender had no turn yet: the rest were refused
    assert dropped_for_backlog() - before == 40
    records = await read_topic(kafka, USAGE, count=10, timeout=30)
    assert sorted(json.loads(r.value)["data"]["item_id"] for r in records) == sorted(
        f"page-{n}" for n in range(10)
    )


async def test_usage_events_made_close_together_go_to_the_broker_together(sandbox) -> None:
    """Readers' events of `usage_linger_ms` are handed to the producer at once (one produce request),
    not each as it comes: the broker's and the consumers' work follows requests, not events."""
    kafka = sandbox.kafka.model_copy(update={"usage_linger_ms": 300})
    await ensure_topics(kafka, [USAGE])
    async with EventPublisher(kafka) as publisher:
        handed: list[float] = []
        send = publisher.producer.send

        async def timed(*args, **kwargs):
            handed.append(time.monotonic())
            return await send(*args, **kwargs)

        publisher.producer.send = timed  # type: ignore[method-assign]
        first = time.monotonic()
        for n in range(10):  # a reader's view every 20 ms
            publisher.fire_and_forget(USAGE, view(n), key=b"lublin")
            await asyncio.sleep(0.02)
        assert handed == []  # all of them still gathering
        await wait_until(lambda: len(handed) == 10, timeout=5, message="the gathered events handed over")
        assert min(handed) - first >= 0.3  # none before the linger was over
        assert max(handed) - min(handed) < 0.1  # and then all of them together
    records = await read_topic(kafka, USAGE, count=10, timeout=30)
    assert sorted(json.loads(r.value)["data"]["item_id"] for r in records) == sorted(
        f"page-{n}" for n in range(10)
    )
