"""Who hears of what: a registration's messages go only to a subscriber the registrant proved to hold,
a cancellation only to those who could have heard of the event, and nothing of a switched-off feature."""

from __future__ import annotations

from notify_helpers import (
    LUBLIN,
    content_published,
    device,
    notify_service,
    publish_content,
    runtime_of,
    services_of,
    subscribe,
)
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import (
    AgendaItemCancelled,
    AgendaItemPublished,
    ContentKind,
    Feature,
    RegistrationPromoted,
)
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.shared.subscriber_proof import account_key, device_key, prove
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS

COURSE = AgendaItemPublished(
    event_id="ev-1", revision=1, event_kind="language_course", organisation="ngo-1",
    titles={"en": "Polish A1"}, path="/events/ev-1",
)  # fmt: skip


async def _inbox_total(client, subscription) -> int:
    answer = await client.get(f"/subscriptions/{subscription['id']}/inbox", headers=device(subscription))
    return answer.json()["total"]


async def _has(client, subscription, count: int) -> bool:
    return await _inbox_total(client, subscription) == count


async def _jobs_done(client, count: int) -> bool:
    return await services_of(client).fanout.jobs.count_documents({"state": "done"}) >= count


async def _agenda(publisher, topic: str, data, subject: str = "ev-1") -> None:
    await publisher.publish(topic, wrap(data, source="witaj/events", city="lublin", subject=subject))


def _promotion(registration: str, subscriber: str, proof: str | None) -> RegistrationPromoted:
    return RegistrationPromoted(
        registration_id=registration, event_id="ev-1", organisation="ngo-1", registrant="p-1",
        subscriber=subscriber, subscriber_proof=proof,
    )  # fmt: skip


async def test_registration_messages_reach_only_a_proven_subscriber(settings, publisher, auth_header) -> None:
    async with notify_service(settings, publisher) as client:
        victim = await subscribe(client, topics=["work"])
        await _agenda(publisher, AGENDA_EVENTS, COURSE)
        # Someone names the victim's subscription without holding it: no proof, or one made with
        # another key, or one made for another registration.
        mine = await subscribe(client, topics=["work"])
        forged = [
            _promotion("r-1", victim["id"], None),
            _promotion("r-2", victim["id"], prove(device_key(mine["token"]), victim["id"], "r-2")),
            _promotion("r-3", victim["id"], prove(device_key(victim["token"]), victim["id"], "r-other")),
        ]
        for promotion in forged:
            await _agenda(publisher, AGENDA_REGISTRATIONS, promotion)
        await wait_until(lambda: _jobs_done(client, 4), message="every job done")
        assert await _inbox_total(client, victim) == 0

        proven = prove(device_key(victim["token"]), victim["id"], "r-4")
        await _agenda(publisher, AGENDA_REGISTRATIONS, _promotion("r-4", victim["id"], proven))
        await wait_until(lambda: _inbox_total(client, victim), message="the proven promotion")
        assert await _inbox_total(client, victim) == 1 and await _inbox_total(client, mine) == 0

        olena = auth_header("migrant", sub="olena")
        account = (await client.post("/subscriptions", json={"city": "lublin"}, headers=olena)).json()
        by_account = prove(account_key("olena"), account["id"], "r-5")
        await _agenda(publisher, AGENDA_REGISTRATIONS, _promotion("r-5", account["id"], by_account))
        inbox = f"/subscriptions/{account['id']}/inbox"
        await wait_until(
            lambda: _total(client.get(inbox, headers=olena)), message="the account's promotion message"
        )


async def _total(response_coro) -> int:
    return (await response_coro).json()["total"]


async def test_only_an_event_subscribers_heard_of_is_announced_as_cancelled(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        everything = await subscribe(client)  # a catch-all subscriber: every topic
        draft = AgendaItemCancelled(
            event_id="ev-draft", organisation="ngo-1", titles={"pl": "Szkic"}, path="/e"
        )
        await _agenda(publisher, AGENDA_EVENTS, draft, subject="ev-draft")
        await _agenda(publisher, AGENDA_EVENTS, COURSE)
        cancelled = AgendaItemCancelled(
            event_id="ev-1", organisation="ngo-1", titles=COURSE.titles, path=COURSE.path
        )
        await _agenda(publisher, AGENDA_EVENTS, cancelled)
        await wait_until(lambda: _has(client, everything, 2), message="published and cancelled")
        await wait_until(lambda: _jobs_done(client, 2), message="both jobs done")
        jobs = services_of(client).fanout.jobs
        assert await jobs.count_documents({}) == 2  # the draft's cancellation made no job at all
        page = await client.get(f"/subscriptions/{everything['id']}/inbox", headers=device(everything))
        assert all("Szkic" not in message["title"] for message in page.json()["items"])


async def _switch_off(publisher, client, revision: int, *features: Feature) -> None:
    config = LUBLIN.model_copy(update={"features": sorted(DEFAULT_FEATURES - set(features))})
    await announce_city(publisher, config, revision=revision, runtime=runtime_of(client))


async def test_a_switched_off_kind_of_content_or_events_is_not_announced(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        everything = await subscribe(client)
        await _switch_off(publisher, client, 2, Feature.GLOSSARY, Feature.EVENTS)
        await publish_content(publisher, content_published([], kind=ContentKind.GLOSSARY_TERM))
        await _agenda(publisher, AGENDA_EVENTS, COURSE)
        await publish_content(publisher, content_published([]))  # a page: content is on
        await wait_until(lambda: _jobs_done(client, 3), message="every job done")
        assert await _inbox_total(client, everything) == 1
        skipped = services_of(client).fanout.jobs.find({"skipped": {"$exists": True}})
        assert sorted([job["skipped"] async for job in skipped]) == [
            "feature_off:events",
            "feature_off:glossary",
        ]


async def test_a_city_without_notifications_takes_no_subscriptions_and_sends_nothing(
    settings, publisher
) -> None:
    async with notify_service(settings, publisher) as client:
        earlier = await subscribe(client)
        await _switch_off(publisher, client, 2, Feature.NOTIFICATIONS)
        refused = await client.post("/subscriptions", json={"city": "lublin"})
        error = refused.json()["error"]
        assert refused.status_code == 404 and error["code"] == "feature_disabled"
        assert "notifications" in error["message"]
        await publish_content(publisher, content_published([]))
        await wait_until(lambda: _jobs_done(client, 1), message="the job done")
        assert await _inbox_total(client, earlier) == 0
