"""Notify's handlers on fakes: which events call for a fan-out job, and for whom.

The jobs are recorded by the real `Fanout` on `witaj.devkit.fakes`; the service tests (`test_fanout.py`,
`test_who_is_told.py`) run the same on the real broker and database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from witaj.devkit.fakes import FakeRuntime
from witaj.notify import handlers
from witaj.notify.fanout import Fanout
from witaj.notify.mailbox import Mailbox
from witaj.notify.matching import match_keys
from witaj.notify.settings import NotifyOptions
from witaj.notify.stream import StreamHub
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.events import (
    AgendaItemCancelled,
    AgendaItemPublished,
    AgendaItemUpdated,
    CityConfig,
    CityConfigured,
    ContentKind,
    ContentPublished,
    ContentUnpublished,
    ContentUpdated,
    NotificationDelivered,
    QuestionAnswered,
    QuestionAsked,
    RegistrationPromoted,
    Topic,
    TopicTreeChanged,
)
from witaj.shared.handlers import Handlers
from witaj.shared.topics import NOTIFY_DELIVERIES

pytestmark = pytest.mark.unit

CITY = "lublin"
START = datetime(2031, 5, 6, 16, 0, tzinfo=UTC)


def event(data: EventData, subject: str = "x") -> Envelope[Any]:
    return wrap(data, source="witaj/test", city=CITY, subject=subject)


@pytest.fixture
async def world() -> tuple[FakeRuntime, Fanout, Handlers]:
    runtime = FakeRuntime()
    config = CityConfig(id=CITY, name="Lublin", country="PL", default_language="pl", languages=["pl", "uk"])
    tree = [
        Topic(id="health", labels={"pl": "Zdrowie"}),
        Topic(id="insurance", parent="health", labels={"pl": "Ubezpieczenie"}),
    ]
    await runtime.cities.apply(event(CityConfigured(config=config, revision=1), CITY))
    await runtime.cities.apply(event(TopicTreeChanged(topics=tree, revision=1), f"{CITY}/topics"))
    options = NotifyOptions()
    fanout = Fanout(
        runtime, runtime.db, Mailbox(runtime.db, runtime.outbox, options.retention), StreamHub(), options
    )  # type: ignore[arg-type]
    return runtime, fanout, handlers.fanout(fanout)


def jobs(runtime: FakeRuntime) -> list[dict[str, Any]]:
    return list(runtime.db["fanout_jobs"].docs.values())


def page(cls: type[ContentPublished | ContentUpdated] = ContentPublished, **extra: Any) -> Envelope[Any]:
    data = cls(
        kind=ContentKind.PAGE, item_id="p1", revision=1, topics=["insurance"], user_types=["worker"],
        titles={"pl": "Ubezpieczenie", "uk": "Страхування"}, path="/cities/lublin/pages/p1", **extra,
    )  # fmt: skip
    return event(data, "p1")


def agenda_item(
    cls: type[AgendaItemPublished | AgendaItemUpdated] = AgendaItemPublished, **extra: Any
) -> Envelope[Any]:
    data = cls(
        event_id="e1", revision=extra.pop("revision", 1), event_kind="workshop", organisation="org",
        topics=["insurance"], target_groups=["refugee"], titles={"pl": "Warsztat"}, next_start=START,
        path="/cities/lublin/events/e1", **extra,
    )  # fmt: skip
    return event(data, "e1")


def cancelled() -> Envelope[AgendaItemCancelled]:
    data = AgendaItemCancelled(event_id="e1", organisation="org", titles={"pl": "Warsztat"}, path="/e/e1")
    return event(data, "e1")


async def test_published_content_reaches_the_subscribers_of_its_topics_and_those_above_them(world) -> None:
    runtime, _, table = world
    published = page()
    await table(published)
    [job] = jobs(runtime)
    assert job["_id"] == str(published.id)
    assert job["criteria"] == {
        "city": CITY,
        "topics": ["insurance", "health"],
        "target_groups": ["worker"],
        "event_kind": None,
    }
    assert job["feature"] == "content"
    assert (job["path"], job["titles"]["uk"]) == ("/cities/lublin/pages/p1", "Страхування")


async def test_a_redelivered_event_records_its_job_once(world) -> None:
    runtime, _, table = world
    published = page()
    await table(published)
    await table(published)
    assert len(jobs(runtime)) == 1


async def test_only_an_important_update_is_news(world) -> None:
    runtime, _, table = world
    await table(page(ContentUpdated, important=False))
    assert jobs(runtime) == []
    important = page(ContentUpdated, important=True)
    await table(important)
    assert [job["_id"] for job in jobs(runtime)] == [str(important.id)]


async def test_unpublished_content_and_a_question_asked_tell_nobody(world) -> None:
    runtime, _, table = world
    await table(event(ContentUnpublished(kind=ContentKind.PAGE, item_id="p1", revision=2), "p1"))
    await table(event(QuestionAsked(question_id="q1", language="uk"), "q1"))
    assert jobs(runtime) == []


async def test_every_agenda_item_version_is_remembered_but_only_news_is_fanned_out(world) -> None:
    runtime, _, table = world
    await table(agenda_item(AgendaItemUpdated, revision=2, important=False))
    facts = runtime.db["agenda_facts"].docs[f"{CITY}:e1"]
    assert (facts["revision"], facts["target_groups"]) == (2, ["refugee"])
    assert jobs(runtime) == []

    await table(agenda_item(revision=1))  # an older revision read late: the facts keep the newer one
    assert runtime.db["agenda_facts"].docs[f"{CITY}:e1"]["revision"] == 2
    [job] = jobs(runtime)
    assert job["criteria"]["event_kind"] == "workshop"
    assert job["criteria"]["topics"] == ["insurance", "health"]
    assert (job["feature"], job["when"]) == ("events", START.isoformat())


async def test_a_cancellation_is_news_only_for_an_item_people_were_told_of(world) -> None:
    runtime, _, table = world
    await table(cancelled())
    assert jobs(runtime) == []

    await table(agenda_item())
    news = cancelled()
    await table(news)
    job = runtime.db["fanout_jobs"].docs[str(news.id)]
    assert job["facts"] == f"{CITY}:e1"
    assert "criteria" not in job  # completed from the facts when the worker takes it


async def test_a_promotion_goes_only_to_the_subscription_the_registrant_named_with_its_proof(world) -> None:
    runtime, _, table = world
    facts = {"registration_id": "r1", "event_id": "e1", "organisation": "org", "registrant": "x1"}
    await table(event(RegistrationPromoted(**facts), "e1"))
    assert jobs(runtime) == []

    await table(event(RegistrationPromoted(**facts, subscriber="s1", subscriber_proof="proof"), "e1"))
    [job] = jobs(runtime)
    assert job["target"] == "s1"
    assert job["proof"] == {"registration": "r1", "value": "proof"}


async def test_an_answer_goes_to_the_migrants_subscription_only_when_they_named_one(world) -> None:
    runtime, _, table = world
    answer = {"question_id": "q1", "language": "uk", "path": "/q/q1", "first": True, "wait_seconds": 60}
    await table(event(QuestionAnswered(**answer), "q1"))
    assert jobs(runtime) == []
    await table(event(QuestionAnswered(**answer, subscriber="s2", subscriber_proof="p"), "q1"))
    [job] = jobs(runtime)
    assert (job["target"], job["proof"]) == ("s2", {"question": "q1", "value": "p"})


async def test_the_worker_delivers_a_recorded_job_to_the_matching_subscribers_in_their_language(
    world,
) -> None:
    runtime, fanout, table = world
    subscribers = runtime.db["subscriptions"]
    for sub_id, topics in (("s-health", ["health"]), ("s-work", ["work"])):
        await subscribers.insert_one({
            "_id": sub_id, "city": CITY, "active": True, "topics": topics, "match_keys": match_keys(CITY, topics),
            "language": "uk", "fallbacks": [], "channels": ["inbox"], "target_groups": [], "event_kinds": [],
        })  # fmt: skip
    await table(page())
    assert await fanout.run_once()

    [delivery] = runtime.db["deliveries"].docs.values()
    assert (delivery["subscriber"], delivery["language"]) == ("s-health", "uk")
    assert "Страхування" in delivery["title"] + delivery["body"]
    [sent] = runtime.publisher.events(NotificationDelivered, topic=NOTIFY_DELIVERIES)
    assert sent.data.subscriber == "s-health"
    assert jobs(runtime)[0]["state"] == "done"
    assert not await fanout.run_once()


async def test_a_job_for_a_city_with_notifications_switched_off_delivers_nothing(world) -> None:
    runtime, fanout, table = world
    config = CityConfig(
        id=CITY, name="Lublin", country="PL", default_language="pl", languages=["pl"], features=[]
    )
    await runtime.cities.apply(event(CityConfigured(config=config, revision=2), CITY))
    await runtime.db["subscriptions"].insert_one({
        "_id": "s1", "city": CITY, "active": True, "topics": [], "match_keys": match_keys(CITY, []),
        "language": "pl", "fallbacks": [], "channels": ["inbox"],
    })  # fmt: skip
    await table(page())
    assert await fanout.run_once()
    assert runtime.db["deliveries"].docs == {}
    assert jobs(runtime)[0]["skipped"] == "feature_off:notifications"


def test_the_fanout_consumer_reads_the_topics_of_every_event_it_handles() -> None:
    [subscription] = handlers.subscriptions(None)  # type: ignore[arg-type]
    assert subscription.group == "fanout" and not subscription.broadcast
    assert set(subscription.topics) == {
        "content.items",
        "agenda.events",
        "agenda.registrations",
        "ask.questions",
    }
    assert ContentUnpublished not in subscription.handlers.events
