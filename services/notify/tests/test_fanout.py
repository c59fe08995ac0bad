"""From a platform event to inbox messages: matching, language, exactly once, resuming after a kill."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from notify_helpers import (
    LUBLIN,
    TOPIC_TREE,
    content_published,
    device,
    notify_service,
    publish_content,
    runtime_of,
    services_of,
    subscribe,
    subscriber_doc,
)
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.notify.main import create_app
from witaj.shared.envelope import registry, wrap
from witaj.shared.events import AgendaItemPublished, ContentKind, ContentUpdated, RegistrationPromoted
from witaj.shared.mongo import create_client, database
from witaj.shared.subscriber_proof import device_key, prove
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS, CONTENT_ITEMS, NOTIFY_DELIVERIES


async def inbox(client, subscription) -> dict:
    response = await client.get(f"/subscriptions/{subscription['id']}/inbox", headers=device(subscription))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_topic_includes_its_subtopics_and_unknown_topics_are_refused(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        health = await subscribe(client, topics=["health"], language="en")
        insurance = await subscribe(client, topics=["health-insurance"], language="en")
        housing = await subscribe(client, topics=["housing"], language="en")
        refused = await client.post("/subscriptions", json={"city": "lublin", "topics": ["astrology"]})
        assert refused.status_code == 422 and "'astrology'" in refused.json()["error"]["message"]

        await publish_content(publisher, content_published(["health-insurance"]))
        jobs = services_of(client).fanout.jobs
        await wait_until(lambda: jobs.count_documents({"state": "done"}), message="fan-out done")
        assert (await inbox(client, health))["total"] == 1  # the parent topic's follower hears of it
        assert (await inbox(client, insurance))["total"] == 1
        assert (await inbox(client, housing))["total"] == 0


async def test_published_content_reaches_each_matching_inbox_once_in_its_language(
    settings, publisher, kafka_settings
) -> None:
    async with notify_service(settings, publisher) as client:
        housing_uk = await subscribe(client, topics=["housing"], language="uk")
        both = await subscribe(client, topics=["housing", "work"], language="en")
        everything_ar = await subscribe(client, language="ar")
        health = await subscribe(client, topics=["health"])
        refugees_only = await subscribe(client, topics=["housing"], target_groups=["refugee"])

        event = content_published(["housing", "work"], user_types=["worker"])
        await publish_content(publisher, event)
        await publish_content(publisher, event)  # redelivered: must not double anything
        unimportant = ContentUpdated(
            kind=ContentKind.PAGE, item_id="page-1", revision=2, topics=["housing"], path="/pages/page-1"
        )
        await publisher.publish(
            CONTENT_ITEMS, wrap(unimportant, source="witaj/content", city="lublin", subject="page-1")
        )

        box = services_of(client).mailbox.collection
        await wait_until(lambda: box.count_documents({}), message="first deliveries")
        jobs = services_of(client).fanout.jobs
        await wait_until(lambda: jobs.count_documents({"state": "done"}), message="fan-out done")

        uk = await inbox(client, housing_uk)
        assert uk["total"] == 1 and uk["unread"] == 1
        assert uk["items"][0]["language"] == "uk" and "Житло" in uk["items"][0]["title"]
        assert (await inbox(client, both))["items"][0]["language"] == "en"
        ar = (await inbox(client, everything_ar))["items"][0]
        assert ar["rtl"] is True and ar["language"] == "ar"
        assert (await inbox(client, health))["total"] == 0
        assert (await inbox(client, refugees_only))["total"] == 0
        assert await box.count_documents({}) == 3

        message = uk["items"][0]
        for _ in range(2):
            read = await client.post(
                f"/subscriptions/{housing_uk['id']}/inbox/{message['id']}/read", headers=device(housing_uk)
            )
            assert read.status_code == 200 and read.json()["read"] is True
        assert (await inbox(client, housing_uk))["unread"] == 0
        other = await client.post(
            f"/subscriptions/{health['id']}/inbox/{message['id']}/read", headers=device(health)
        )
        assert other.status_code == 404

        records = await read_topic(kafka_settings, NOTIFY_DELIVERIES, count=4)
        events = [registry.decode(r.value) for r in records]
        delivered = {e.id for e in events if e.type == "notify.delivered"}
        opened = [e for e in events if e.type == "notify.opened"]
        assert len(delivered) == 3 and len(opened) == 1
        assert opened[0].data.subscriber == housing_uk["id"]
        assert all("@" not in r.value.decode() and "token" not in r.value.decode() for r in records)


async def test_waitlist_promotion_reaches_only_that_registrant_even_before_the_event_is_known(
    settings, publisher
) -> None:
    async with notify_service(settings, publisher) as client:
        promoted = await subscribe(client, topics=["language"], language="en")
        bystander = await subscribe(client, topics=["language"], language="en")
        course = AgendaItemPublished(
            event_id="ev-1",
            revision=1,
            event_kind="language_course",
            organisation="ngo-1",
            topics=["education"],
            titles={"en": "Polish A1", "pl": "Polski A1"},
            path="/events/ev-1",
        )
        promotion = RegistrationPromoted(
            registration_id="r-1",
            event_id="ev-1",
            organisation="ngo-1",
            registrant="p-1",
            subscriber=promoted["id"],
            subscriber_proof=prove(device_key(promoted["token"]), promoted["id"], "r-1"),
        )
        # The promotion comes first: nothing orders the two topics, and its message needs the title.
        await publisher.publish(
            AGENDA_REGISTRATIONS, wrap(promotion, source="witaj/events", city="lublin", subject="ev-1")
        )
        await publisher.publish(
            AGENDA_EVENTS, wrap(course, source="witaj/events", city="lublin", subject="ev-1")
        )
        got = await wait_until(lambda: _with_items(inbox(client, promoted)), message="promotion message")
        assert "Polish A1" in got["items"][0]["title"]
        jobs = services_of(client).fanout.jobs
        await wait_until(lambda: _count(jobs, {"state": "done"}, 2), message="both jobs done")
        assert (await inbox(client, bystander))["total"] == 0


async def _with_items(page_coro):
    page = await page_coro
    return page if page["items"] else None


async def _count(collection, query, expected):
    return await collection.count_documents(query) == expected


async def test_a_fanout_killed_half_way_resumes_without_losses_or_duplicates(
    settings, publisher, sandbox
) -> None:
    total = 1200
    async with notify_service(settings, publisher) as client:
        await services_of(client).fanout.stop()  # this test runs the fan-out in a child process
        db = runtime_of(client).db
        docs = [subscriber_doc(i, topics=["housing"] if i % 3 else []) for i in range(total)]
        docs += [subscriber_doc(total + i, topics=["work"]) for i in range(100)]  # not matching
        await db["subscriptions"].insert_many(docs, ordered=False)
        event = content_published(["housing"])
    child = await asyncio.create_subprocess_exec(
        *[
            sys.executable,
            str(Path(__file__).with_name("fanout_child.py")),
            sandbox.kafka_bootstrap,
            sandbox.mongo_url,
            str(sandbox.dev_key_path),
            sandbox.name,
            event.to_json().decode(),
        ],
        stdout=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    client_db = create_client(settings.mongo)
    box = database(client_db, settings.mongo)["deliveries"]
    try:
        await wait_until(lambda: _at_least(box, 300), timeout=30, message="child half-way")
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        await child.wait()
        stopped_at = await box.count_documents({})
        await client_db.close()
    assert 0 < stopped_at < total, "the kill must land in the middle of the fan-out"

    async with serve(create_app(settings)) as client:  # a restarted service takes the job over
        jobs = services_of(client).fanout.jobs
        assert (await jobs.find_one({"_id": str(event.id)}))["stream"] >= 0
        await wait_until(lambda: _count(jobs, {"state": "done"}, 1), timeout=30, message="resumed job done")
        box = services_of(client).mailbox.collection
        assert await box.count_documents({}) == total
        subscribers = await box.distinct("subscriber")
        assert len(subscribers) == total and all(int(s[1:], 16) < total for s in subscribers)
        await publish_content(publisher, event)  # the event arriving again changes nothing
        await announce_city(
            publisher, LUBLIN, topics=TOPIC_TREE, runtime=runtime_of(client)
        )  # a later message: the first was consumed
        assert await box.count_documents({}) == total and await jobs.count_documents({}) == 1


async def _at_least(collection, count):
    return await collection.count_documents({}) >= count
