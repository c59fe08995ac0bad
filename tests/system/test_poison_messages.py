"""Messages a consumer cannot use go to the dead-letter topic with the error; the consumer goes on.

The first test sends generated garbage (`garbage.py`) to every topic that any consumer of the running
services or the stats processor reads, found from the running apps themselves, so a new consumer is
covered without touching this test (it only needs a valid event of a new topic, below).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY
from witaj.ask.main import create_app as ask_app
from witaj.ask.settings import AskSettings
from witaj.content.main import create_app as content_app
from witaj.content.settings import ContentSettings
from witaj.devkit.cluster import ManagedProcess
from witaj.devkit.testing import read_topic, read_whole_topic, serve, wait_until
from witaj.events.main import create_app as events_app
from witaj.events.settings import EventsSettings
from witaj.notify.main import create_app as notify_app
from witaj.notify.settings import NotifySettings
from witaj.shared.envelope import MAX_EVENT_BYTES, Envelope, registry, wrap
from witaj.shared.events import (
    AgendaItemPublished,
    Channel,
    CityConfig,
    CityConfigured,
    ContentKind,
    ContentPublished,
    IndicatorDatasetSubmitted,
    IndicatorRow,
    NotificationDelivered,
    PageViewed,
    QuestionAnswered,
    RegistrationCreated,
    RegistrationStatus,
    RollupUpdated,
    TranslationStateChanged,
)
from witaj.shared.kafka import EventConsumer, PermanentError
from witaj.shared.mongo import create_client, database
from witaj.shared.topics import (
    AGENDA_EVENTS,
    AGENDA_REGISTRATIONS,
    ASK_QUESTIONS,
    CITY_CONFIG,
    CONTENT_FEEDBACK,
    CONTENT_ITEMS,
    CONTENT_TRANSLATIONS,
    NOTIFY_DELIVERIES,
    STATS_INDICATOR_DATASETS,
    STATS_ROLLUPS,
    USAGE,
    dead_letter,
)
from witaj.stats.main import create_app as stats_app
from witaj.stats.processor import create_app as processor_app
from witaj.stats.processor import environment as processor_environment
from witaj.stats.rollups import RollupStore, marker
from witaj.stats.settings import StatsSettings

from .conftest import feedback
from .garbage import Garbage, crafted, draw, garbage, send_all

GENERATED = 30
"""Generated garbage messages per topic, besides the crafted ones (`garbage.crafted`)."""

PROCESSOR_GROUP = "witaj-stats-processor"


def valid_events(city: str) -> dict[str, Envelope[Any]]:
    """One valid event for each consumed topic, which every consumer of the topic handles."""
    now = datetime.now(UTC)

    def event(data: Any, subject: str, in_city: str = "lublin") -> Envelope[Any]:
        return wrap(data, source="witaj/test", city=in_city, subject=subject)

    config = CityConfig(id=city, name="Poison", country="PL", default_language="pl", languages=["pl", "uk"])
    registration = {"registration_id": "r1", "event_id": "e1", "organisation": "org", "registrant": "x1"}
    return {
        CITY_CONFIG: event(CityConfigured(config=config, revision=1), city, in_city=city),
        CONTENT_ITEMS: event(
            ContentPublished(kind=ContentKind.PAGE, item_id="p1", revision=1, path="/cities/lublin/pages/p1"),
            "p1",
        ),
        CONTENT_TRANSLATIONS: event(
            TranslationStateChanged(
                kind=ContentKind.PAGE, item_id="p1", language="uk", state="missing", source_revision=1
            ),
            "p1",
        ),
        CONTENT_FEEDBACK: feedback(1),
        USAGE: event(PageViewed(kind=ContentKind.PAGE, item_id="p1", language="uk"), "p1"),
        AGENDA_EVENTS: event(
            AgendaItemPublished(
                event_id="e1", revision=1, event_kind="workshop", organisation="org", path="/e/e1", capacity=5
            ),
            "e1",
        ),
        AGENDA_REGISTRATIONS: event(
            RegistrationCreated(**registration, status=RegistrationStatus.CONFIRMED), "e1"
        ),
        ASK_QUESTIONS: event(
            QuestionAnswered(
                question_id="q1",
                topic="work",
                language="uk",
                asked_on=now.date(),
                path="/cities/lublin/questions/q1",
                first=True,
                wait_seconds=60,
            ),
            "q1",
        ),
        NOTIFY_DELIVERIES: event(
            NotificationDelivered(
                channel=Channel.INBOX,
                subscriber="s1",
                source_event="x",
                source_type="content.published",
                language="uk",
            ),
            "s1",
        ),
        STATS_ROLLUPS: event(
            RollupUpdated(
                metric="page_views",
                dimension="total",
                granularity="minute",
                window_start=now,
                people=False,
                cells=[],
            ),
            "lublin",
        ),
        STATS_INDICATOR_DATASETS: event(
            IndicatorDatasetSubmitted(
                dataset_id="d1", indicator="employment_rate", period="2025", rows=[IndicatorRow(value=50.0)]
            ),
            "lublin",
        ),
    }


@dataclass
class Reader:
    """One consumer of one topic: its dead-letter group name and how to tell it took an event in."""

    name: str
    group: str
    took: Callable[[Envelope[Any], int], Any]
    alive: Callable[[], bool]


@dataclass
class Topic:
    readers: list[Reader] = field(default_factory=list)


def watch(consumer: EventConsumer) -> set[str]:
    """Ids of the events the consumer's handler has completed from now on."""
    done: set[str] = set()
    handle = consumer.handle

    async def handled(envelope: Envelope[Any]) -> None:
        await handle(envelope)
        done.add(str(envelope.id))

    consumer.handle = handled
    if consumer.handle_batch is not None:  # a consumer handling each fetch together
        handle_batch = consumer.handle_batch

        async def handled_together(envelopes: list[Envelope[Any]]) -> None:
            await handle_batch(envelopes)
            done.update(str(envelope.id) for envelope in envelopes)

        consumer.handle_batch = handled_together
    return done


def service_readers(name: str, app: Any) -> dict[str, list[Reader]]:
    out: dict[str, list[Reader]] = defaultdict(list)
    for consumer in app.state.runtime.consumers:
        done = watch(consumer)
        for topic in consumer.topics:
            out[topic].append(
                Reader(
                    f"{name} {consumer.group_id}",
                    consumer.group_id,
                    lambda envelope, _offset, done=done: str(envelope.id) in done,
                    lambda consumer=consumer: consumer.running,
                )
            )
    return out


async def test_generated_garbage_on_every_consumed_topic_is_parked_and_every_consumer_goes_on(
    make_settings, sandbox, tmp_path
) -> None:
    stats_settings = make_settings(StatsSettings)
    apps = {
        "ask": ask_app(make_settings(AskSettings)),
        "content": content_app(make_settings(ContentSettings)),
        "events": events_app(make_settings(EventsSettings)),
        "notify": notify_app(make_settings(NotifySettings)),
        "stats": stats_app(stats_settings),
    }
    processor = ManagedProcess(
        "stats-processor",
        [sys.executable, "-m", "witaj.stats.processor"],
        processor_environment(stats_settings, dict(os.environ)),
        tmp_path / "processor.log",
    )
    client = create_client(stats_settings.mongo)
    store = RollupStore(client, database(client, stats_settings.mongo))
    kafka = sandbox.kafka
    async with AsyncExitStack() as stack:
        stack.push_async_callback(client.close)
        for app in apps.values():
            await stack.enter_async_context(serve(app))
        stack.callback(processor.stop)
        processor.start()

        topics: dict[str, list[Reader]] = defaultdict(list)
        for name, app in apps.items():
            for topic, readers in service_readers(name, app).items():
                topics[topic] += readers

        async def processor_took(_: Envelope[Any], offset: int, topic: str) -> bool:
            markers = await store.markers({marker(kafka.topics(topic), 0)})
            return markers.get(marker(kafka.topics(topic), 0), -1) >= offset

        for subscribed in processor_app(stats_settings).topics:
            for name in subscribed.topics:
                topic = kafka.topics.logical(name)
                topics[topic].append(
                    Reader(
                        "stats processor",
                        PROCESSOR_GROUP,
                        lambda envelope, offset, topic=topic: processor_took(envelope, offset, topic),
                        lambda: processor.alive,
                    )
                )

        valid = valid_events(f"poison-{uuid.uuid4().hex[:6]}")
        missing = sorted(set(topics) - set(valid))
        assert not missing, f"add a valid event for {missing} to valid_events()"
        sent: dict[str, tuple[list[Garbage], list[int], Envelope[Any], int]] = {}
        for topic in sorted(topics):
            good = registry.encode(valid[topic])
            bad = crafted(good) + draw(garbage(good), GENERATED)
            offsets = await send_all(
                kafka.bootstrap_servers, kafka.topics(topic), [*bad, Garbage(b"k", good)]
            )
            sent[topic] = (bad, offsets[:-1], valid[topic], offsets[-1])

        for topic, (_, _, envelope, offset) in sent.items():
            for reader in topics[topic]:
                await wait_until(
                    lambda reader=reader, envelope=envelope, offset=offset: reader.took(envelope, offset),
                    timeout=90,
                    interval=0.1,
                    message=f"{reader.name} to take the valid event sent after the garbage on {topic}\n"
                    f"{processor.tail()}",
                )

        for topic, (bad, offsets, _, _) in sent.items():
            expected = {offset: message.reason() for message, offset in zip(bad, offsets, strict=True)}
            groups = {reader.group for reader in topics[topic]}
            sent_as = {offset: message.summary() for message, offset in zip(bad, offsets, strict=True)}
            parked = await parked_by_group(kafka, topic, groups, expected, sent_as)
            for reader in topics[topic]:
                assert parked[reader.group] == expected, f"{reader.name} on {topic}"
                assert reader.alive(), f"{reader.name} stopped"


async def parked_by_group(
    kafka: Any, topic: str, groups: set[str], expected: dict[int, str | None], sent_as: dict[int, str]
) -> dict[str, dict[int, str]]:
    """What each consumer group parked from `topic`, by original offset: its dead letters' codes (a
    dead letter may come twice, at least once as it is). If some never come, the error shows what was
    sent at those offsets (the garbage is drawn afresh each run)."""
    found: dict[str, dict[int, str]] = {}

    async def complete() -> bool:
        records = await read_whole_topic(kafka, dead_letter(topic))
        found.clear()
        for record in records:
            headers = dict(record.headers)
            assert headers["witaj.error.message"], headers
            assert headers["witaj.original.topic"].decode() == kafka.topics(topic)
            by_group = found.setdefault(headers["witaj.consumer.group"].decode(), {})
            by_group[int(headers["witaj.original.offset"])] = headers["witaj.error.code"].decode()
            if len(record.value or b"") > MAX_EVENT_BYTES:
                raise AssertionError("a dead letter larger than any event")
        return all(set(found.get(group, {})) >= set(expected) for group in groups)

    try:
        await wait_until(complete, timeout=60, interval=0.5, message=f"every garbage message on {topic}.dlq")
    except AssertionError as exc:
        missing = {group: sorted(set(expected) - set(found.get(group, {}))) for group in groups}
        what = {offset: sent_as[offset] for offsets in missing.values() for offset in offsets}
        raise AssertionError(f"{exc}; offsets not parked, by group: {missing}; sent there: {what}") from None
    return found


async def test_a_handler_that_rejects_an_event_parks_it_and_goes_on(
    writer, reader, consumer_for, sandbox
) -> None:
    async def handle(envelope) -> None:
        if envelope.data.item_id == "page-13":
            raise PermanentError("page-13 contradicts what this service knows")
        await reader.inbox.apply(envelope, reader.apply)

    consumer = consumer_for(handle)
    async with consumer:
        for n in (12, 13, 14):
            await writer.publisher.publish(CONTENT_FEEDBACK, feedback(n), key=b"same-partition")
        await wait_until(lambda: consumer.handled >= 2, timeout=20, message="good events handled")
        assert consumer.running

    assert await reader.applied() == {"page-12": 1, "page-14": 1}
    parked = await read_topic(sandbox.kafka, dead_letter(CONTENT_FEEDBACK), count=1)
    headers = dict(parked[0].headers)
    assert headers["witaj.error.code"] == b"handler_rejected"
    assert json.loads(parked[0].value)["data"]["item_id"] == "page-13"


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered(
    writer, consumer_for, sandbox
) -> None:
    attempts: dict[str, int] = {}

    async def handle(envelope) -> None:
        attempts[envelope.data.item_id] = attempts.get(envelope.data.item_id, 0) + 1
        if envelope.data.item_id == "page-1":
            raise ValueError("a bug in the handler")

    consumer = consumer_for(handle)
    async with consumer:
        for n in range(3):
            await writer.publisher.publish(CONTENT_FEEDBACK, feedback(n), key=b"k")
        await wait_until(
            lambda: attempts.get("page-2"), timeout=20, message="the event after the failing one"
        )

    assert attempts["page-1"] == sandbox.kafka.retry_attempts
    parked = await read_topic(sandbox.kafka, dead_letter(CONTENT_FEEDBACK), count=1)
    headers = dict(parked[0].headers)
    assert headers["witaj.error.code"] == b"handler_failed"
    assert b"a bug in the handler" in headers["witaj.error.message"]


async def test_an_infrastructure_failure_is_waited_out_not_dead_lettered(
    writer, consumer_for, sandbox
) -> None:
    failures = {"left": sandbox.kafka.retry_attempts + 2}  # more than the attempts a bug would get

    async def handle(envelope) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("the database is away")

    def parked() -> float:
        labels = {"group": consumer.group_id, "reason": "handler_failed"}
        return REGISTRY.get_sample_value("witaj_events_dead_lettered_total", labels) or 0.0

    consumer = consumer_for(handle)
    before = parked()
    async with consumer:
        await writer.publisher.publish(CONTENT_FEEDBACK, feedback(1), key=b"k")
        await wait_until(
            lambda: consumer.handled == 1, timeout=30, message="the event handled after the outage"
        )
    assert failures["left"] == 0
    assert parked() == before
