"""Urgent notices from a city's editors: who gets them and in which language, the preview's counts,
exactly once, past quiet hours and digests, who may send them, and their limits."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from notify_helpers import (
    LUBLIN,
    TOPIC_TREE,
    FakeClock,
    Receiver,
    content_published,
    device,
    live_notify_service,
    make_options,
    notify_service,
    open_stream,
    publish_content,
    runtime_of,
    services_of,
    subscribe,
)
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.notify.main import create_app
from witaj.notify.settings import NotifySettings
from witaj.shared.envelope import registry
from witaj.shared.events import Feature
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.shared.topics import NOTIFY_DELIVERIES

BROADCASTS = "/cities/lublin/broadcasts"
CLOSED = {
    "pl": {"title": "Wydział Mieszkań nieczynny jutro", "body": "W piątek 14 marca biuro przy ul. Narutowicza 4\nbędzie zamknięte."},
    "en": {"title": "Housing office closed tomorrow", "body": "On Friday 14 March the office at Narutowicza 4 is closed."},
    "ar": {"title": "مكتب السكن مغلق غدا", "body": "يوم الجمعة 14 مارس المكتب مغلق."},
}  # fmt: skip


def editor(auth_header, role: str = "pa_editor", city: str = "lublin") -> dict[str, str]:
    return auth_header(role, city=city)


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def notice(**overrides: Any) -> dict[str, Any]:
    return {"topics": ["housing"], "texts": CLOSED, **overrides}


async def inbox(client: httpx.AsyncClient, subscription: dict[str, Any]) -> list[dict[str, Any]]:
    answer = await client.get(f"/subscriptions/{subscription['id']}/inbox", headers=device(subscription))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


async def sent(
    client: httpx.AsyncClient, broadcast_id: str, headers: dict[str, str]
) -> dict[str, Any] | None:
    """The broadcast once its fan-out is done."""
    answer = await client.get(f"{BROADCASTS}/{broadcast_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json() if answer.json()["state"] == "sent" else None


async def test_a_broadcast_reaches_the_topics_subscribers_in_their_language_once(
    settings, publisher, auth_header, kafka_settings
) -> None:
    pa = auth_header("pa_editor", city="lublin", sub="editor-of-lublin")
    async with live_notify_service(settings, publisher) as (client, app):
        housing_pl = await subscribe(client, topics=["housing"], language="pl")
        housing_ar = await subscribe(client, topics=["housing", "work"], language="ar")
        housing_ru = await subscribe(client, topics=["housing"], language="ru")  # no Russian text: English
        housing_uk = await subscribe(client, topics=["housing"], language="uk", fallbacks=["ru"])  # uk->pl
        everything = await subscribe(client, language="en")  # every topic: housing too
        renting = await subscribe(client, topics=["renting"], language="pl")  # a subtopic only
        health = await subscribe(client, topics=["health"], language="pl")

        preview = await client.post(f"{BROADCASTS}/preview", json=notice(), headers=pa)
        assert preview.status_code == 200, preview.text
        shown = preview.json()
        assert shown["subscribers"] == 5
        by_language = {row["language"]: row for row in shown["languages"]}
        assert [row["language"] for row in shown["languages"]] == ["pl", "en", "ar"]  # the city's order
        assert by_language["pl"]["subscribers"] == 2 and by_language["pl"]["instead_of"] == {"uk": 1}
        assert by_language["en"]["subscribers"] == 2 and by_language["en"]["instead_of"] == {"ru": 1}
        assert by_language["ar"]["subscribers"] == 1 and by_language["ar"]["rtl"] is True
        assert by_language["ar"]["title"].endswith(CLOSED["ar"]["title"])
        assert "\n" in by_language["pl"]["body"]
        subscribers = [housing_pl, housing_ar, housing_ru, housing_uk, everything, renting, health]
        assert not any(sub["id"] in preview.text for sub in subscribers)  # counts, never who

        async with open_stream(client, housing_ar) as stream:
            headers = {**pa, **key()}
            answer = await client.post(BROADCASTS, json=notice(), headers=headers)
            assert answer.status_code == 202, answer.text
            broadcast = answer.json()
            assert broadcast["state"] in ("sending", "sent") and broadcast["subscribers"] == 5
            live = await stream.next_message()
        assert live["title"] == CLOSED["ar"]["title"] and live["rtl"] is True
        assert live["source_type"] == "notify.broadcast"

        done = await wait_until(lambda: sent(client, broadcast["id"], pa), message="the broadcast sent")
        assert done["messages"] == 5
        got = {name: await inbox(client, sub) for name, sub in [
            ("pl", housing_pl), ("ar", housing_ar), ("ru", housing_ru), ("uk", housing_uk),
            ("everything", everything), ("renting", renting), ("health", health),
        ]}  # fmt: skip
        assert [m["title"] for m in got["pl"]] == [CLOSED["pl"]["title"]]
        assert [(m["language"], m["title"]) for m in got["ru"]] == [("en", CLOSED["en"]["title"])]
        assert [m["language"] for m in got["uk"]] == ["pl"]  # their fallback Russian has no text either
        assert [m["language"] for m in got["everything"]] == ["en"]
        assert got["renting"] == [] and got["health"] == []
        assert got["pl"][0]["body"] == CLOSED["pl"]["body"]

        # Sent again with the same key (a lost answer, a second click): the same broadcast, nothing new.
        again = await client.post(BROADCASTS, json=notice(), headers=headers)
        assert again.status_code == 200 and again.json()["id"] == broadcast["id"]
        other = await client.post(BROADCASTS, json=notice(topics=["health"]), headers=headers)
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
        await publish_content(publisher, content_published(["housing"]))  # something after, to wait for
        await wait_until(lambda: _total(client, housing_pl, 2), message="the page after the broadcast")
        assert [m["source_type"] for m in await inbox(client, housing_pl)].count("notify.broadcast") == 1
        assert await app.state.notify.fanout.jobs.count_documents({"kind": "notify.broadcast"}) == 1

        records = await read_topic(kafka_settings, NOTIFY_DELIVERIES, count=1 + 5 + 5)
        events = [registry.decode(r.value) for r in records]
        [announced] = [e for e in events if e.type == "notify.broadcast_sent"]
        assert announced.data.broadcast_id == broadcast["id"] and announced.data.audience == 5
        assert announced.data.languages == ["ar", "en", "pl"] and announced.data.topics == ["housing"]
        raw = next(r.value for r in records if b"broadcast_sent" in r.value).decode()
        assert CLOSED["pl"]["title"] not in raw and "editor-of-lublin" not in raw  # no texts, no sender
        assert not any(sub["id"] in raw for sub in subscribers)
        delivered = [
            e for e in events if e.type == "notify.delivered" and e.data.source_event == broadcast["id"]
        ]
        assert {e.data.source_type for e in delivered} == {"notify.broadcast"} and len(delivered) == 5


async def _total(client: httpx.AsyncClient, subscription: dict[str, Any], count: int) -> bool:
    return len(await inbox(client, subscription)) >= count


async def test_target_groups_alone_reach_their_subscribers_of_every_topic(
    settings, publisher, auth_header
) -> None:
    pa = editor(auth_header, "city_admin")
    async with notify_service(settings, publisher) as client:
        refugee = await subscribe(client, topics=["health"], target_groups=["refugee"])
        any_group = await subscribe(client, topics=["work", "family"])
        worker = await subscribe(client, topics=["housing"], target_groups=["worker"])
        both = await subscribe(client, target_groups=["refugee", "student"])
        anyone = await subscribe(client)  # every topic, every group

        body = {"target_groups": ["refugee"], "texts": {"pl": CLOSED["pl"]}}
        preview = (await client.post(f"{BROADCASTS}/preview", json=body, headers=pa)).json()
        assert preview["subscribers"] == 4 and preview["languages"][0]["subscribers"] == 4

        answer = await client.post(BROADCASTS, json=body, headers={**pa, **key()})
        assert answer.status_code == 202, answer.text
        await wait_until(lambda: sent(client, answer.json()["id"], pa), message="the broadcast sent")
        reached = {name: len(await inbox(client, sub)) for name, sub in [
            ("refugee", refugee), ("any", any_group), ("worker", worker), ("both", both), ("anyone", anyone)
        ]}  # fmt: skip
        assert reached == {"refugee": 1, "any": 1, "worker": 0, "both": 1, "anyone": 1}

        # Topics and groups together: both must match.
        body = {"topics": ["health", "housing"], "target_groups": ["worker"], "texts": {"pl": CLOSED["pl"]}}
        preview = (await client.post(f"{BROADCASTS}/preview", json=body, headers=pa)).json()
        assert preview["subscribers"] == 2  # the worker of housing, and the one of every topic and group
        answer = await client.post(BROADCASTS, json=body, headers={**pa, **key()})
        await wait_until(lambda: sent(client, answer.json()["id"], pa), message="the second broadcast sent")
        assert (len(await inbox(client, worker)), len(await inbox(client, anyone))) == (1, 2)
        assert len(await inbox(client, both)) == 1


async def test_urgent_notices_skip_quiet_hours_and_digests(settings, publisher, auth_header) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw
    receivers = {name: Receiver([200]) for name in ("quiet", "digest")}
    servers = [await asyncio.start_server(r.handle, "127.0.0.1", 0) for r in receivers.values()]
    url = {
        name: f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}/hook" for name, s in zip(receivers, servers)
    }
    hook = {"topics": ["housing"], "channels": ["webhook", "inbox"], "timezone": "Europe/Warsaw"}
    pa = editor(auth_header)
    async with notify_service(settings, publisher, clock=clock) as client:
        quiet = await subscribe(
            client, **hook, webhook_url=url["quiet"], quiet_hours={"start": "22:00", "end": "07:00"}
        )
        await subscribe(client, **hook, webhook_url=url["digest"], mode="digest", digest_hour=8)
        await publish_content(publisher, content_published(["housing"]))  # this one waits
        box, jobs = services_of(client).mailbox.collection, services_of(client).fanout.jobs
        await wait_until(lambda: jobs.count_documents({"state": "done"}), message="the page's fan-out")

        answer = await client.post(BROADCASTS, json=notice(), headers={**pa, **key()})
        assert answer.status_code == 202, answer.text
        for receiver in receivers.values():
            await wait_until(lambda r=receiver: len(r.requests) >= 1, message="the notice's webhook at once")
        payloads = [json.loads(r.requests[0][1]) for r in receivers.values()]
        assert {p["type"] for p in payloads} == {"notify.broadcast"}
        assert {p["title"] for p in payloads} == {CLOSED["pl"]["title"]}
        page = {"channel": "webhook", "source_type": "content.published", "subscriber": quiet["id"]}
        held = await box.find(page).to_list()
        assert len(held) == 1 and held[0]["due_at"] > clock.now  # the page waits for the quiet hours' end
        assert await box.count_documents({"kind": "digest"}) == 1  # the page waits for tomorrow's digest
        assert len(await inbox(client, quiet)) == 2
    for server in servers:
        server.close()


async def test_only_the_citys_pa_editors_and_admins_may_broadcast(settings, publisher, auth_header) -> None:
    async with notify_service(settings, publisher) as client:
        await subscribe(client, topics=["housing"])
        for role, city, status in [
            ("pa_editor", "lublin", 200), ("city_admin", "lublin", 200), ("platform_admin", None, 200),
            ("ngo_editor", "lublin", 403), ("translator", "lublin", 403), ("migrant", "lublin", 403),
            ("analyst", "lublin", 403), ("pa_editor", "gdansk", 403), ("city_admin", "gdansk", 403),
        ]:  # fmt: skip
            headers = auth_header(role, city=city, org="caritas" if role == "ngo_editor" else None)
            for method, path in (
                ("POST", f"{BROADCASTS}/preview"),
                ("POST", BROADCASTS),
                ("GET", BROADCASTS),
            ):
                answer = await client.request(
                    method, path, json=notice() if method == "POST" else None, headers={**headers, **key()}
                )
                expected = 202 if status == 200 and path == BROADCASTS and method == "POST" else status
                assert answer.status_code == expected, (role, city, method, path, answer.text)
        anonymous = await client.post(f"{BROADCASTS}/preview", json=notice())
        assert anonymous.status_code == 401
        listing = (await client.get(BROADCASTS, headers=editor(auth_header))).json()
        assert listing["total"] == 3  # one each by the PA editor, the city admin and the platform admin


async def test_a_broadcasts_limits_are_explicit(make_settings, publisher, auth_header) -> None:
    settings = make_settings(NotifySettings, notify=make_options(broadcasts_per_day=2))
    pa = editor(auth_header)
    long_title = {"pl": {"title": "x" * 201, "body": "b"}}
    cases = [
        (notice(texts=long_title), 422, "validation_failed", "body.texts.pl.title"),
        (notice(texts={"pl": {"title": "a", "body": "b" * 2001}}), 422, "validation_failed", "body.texts.pl.body"),
        (notice(texts={"pl": {"title": "a\nb", "body": "b"}}), 422, "validation_failed", "body.texts.pl.title"),
        (notice(texts={"pl": {"title": "  ", "body": "b"}}), 422, "validation_failed", "body.texts.pl.title"),
        (notice(texts={"pl": {"title": "a", "body": "b\x00"}}), 422, "validation_failed", "body.texts.pl.body"),
        (notice(texts={"pl": {"title": "a", "body": "b"}, "de": {"title": "a", "body": "b"}}), 422,
         "unknown_language", "body.texts.de"),
        (notice(texts={"en": CLOSED["en"]}), 422, "default_language_required", "body.texts.pl"),
        (notice(topics=[]), 422, "audience_required", "body.topics"),
        (notice(topics=["astrology"]), 422, "unknown_topic", None),
        (notice(topics=[f"t{n}" for n in range(11)]), 422, "validation_failed", "body.topics"),
        (notice(target_groups=["pirates"]), 422, "validation_failed", "body.target_groups.0"),
        (notice(texts={}), 422, "validation_failed", "body.texts"),
    ]  # fmt: skip
    async with notify_service(settings, publisher) as client:
        for body, status, code, field in cases:
            for path in (f"{BROADCASTS}/preview", BROADCASTS):
                answer = await client.post(path, json=body, headers={**pa, **key()})
                error = answer.json()["error"]
                assert (answer.status_code, error["code"]) == (status, code), (body, answer.text)
                if field:
                    assert field in [d.get("field") for d in error["details"]], error
        missing_key = await client.post(BROADCASTS, json=notice(), headers=pa)
        assert missing_key.status_code == 422 and "Idempotency-Key" in missing_key.text
        for _ in range(2):
            assert (await client.post(BROADCASTS, json=notice(), headers={**pa, **key()})).status_code == 202
        third = await client.post(BROADCASTS, json=notice(), headers={**pa, **key()})
        assert third.status_code == 429 and third.json()["error"]["code"] == "too_many_broadcasts"
        assert third.headers["retry-after"]
        assert (await client.get(BROADCASTS, headers=pa)).json()["total"] == 2


async def test_a_city_without_notifications_has_no_broadcasts(settings, publisher, auth_header) -> None:
    pa = editor(auth_header)
    async with notify_service(settings, publisher) as client:
        subscriber = await subscribe(client, topics=["housing"])
        fanout = services_of(client).fanout
        await fanout.stop()  # so the switch is off before the broadcast's fan-out runs
        queued = await client.post(BROADCASTS, json=notice(), headers={**pa, **key()})
        assert queued.status_code == 202
        await _switch(client, publisher, off={Feature.NOTIFICATIONS}, revision=2)
        for method, path in (("POST", f"{BROADCASTS}/preview"), ("POST", BROADCASTS), ("GET", BROADCASTS)):
            answer = await client.request(method, path, json=notice() if method == "POST" else None,
                                          headers={**pa, **key()})  # fmt: skip
            assert answer.status_code == 404 and answer.json()["error"]["code"] == "feature_disabled"
        fanout.start()
        await wait_until(lambda: fanout.jobs.count_documents({"state": "done"}), message="the job finished")
        await _switch(client, publisher, off=set(), revision=3)
        stored = (await client.get(f"{BROADCASTS}/{queued.json()['id']}", headers=pa)).json()
        assert stored["state"] == "not_sent" and stored["messages"] == 0
        assert await inbox(client, subscriber) == []


async def _switch(client: httpx.AsyncClient, publisher, *, off: set[Feature], revision: int) -> None:
    config = LUBLIN.model_copy(update={"features": sorted(DEFAULT_FEATURES - off)})
    await announce_city(publisher, config, revision=revision, runtime=runtime_of(client))


async def test_a_broadcast_accepted_while_the_fan_out_is_down_is_sent_once_it_is_back(
    settings, publisher, auth_header
) -> None:
    """The broadcast and its job are one transaction: whatever happens to this replica after it
    answered, the job is in the database and any replica sends it, once."""
    pa = editor(auth_header)
    async with notify_service(settings, publisher) as client:
        subscriber = await subscribe(client, topics=["housing"], language="en")
        await services_of(client).fanout.stop()  # this replica stops fanning out
        answer = await client.post(BROADCASTS, json=notice(), headers={**pa, **key()})
        assert answer.status_code == 202
        assert answer.json()["state"] == "sending" and await inbox(client, subscriber) == []
        broadcast_id = answer.json()["id"]
    async with serve(create_app(settings)) as client:  # another replica, later
        await announce_city(publisher, LUBLIN, topics=TOPIC_TREE, runtime=runtime_of(client))
        done = await wait_until(lambda: sent(client, broadcast_id, pa), message="sent by the next replica")
        assert done["messages"] == 1
        assert [m["title"] for m in await inbox(client, subscriber)] == [CLOSED["en"]["title"]]
