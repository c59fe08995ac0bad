"""Seeding the demo through the services' stores: what readers then find, and seeding being repeatable."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from witaj.content.kinds import PATH_OF
from witaj.content.main import create_app as content_app
from witaj.content.settings import ContentSettings
from witaj.devkit.demo.files import load_all
from witaj.devkit.demo.seeding import Stores, seed
from witaj.devkit.sandbox import Sandbox
from witaj.devkit.testing import serve, wait_until
from witaj.events.main import create_app as events_app
from witaj.events.settings import EventsSettings
from witaj.notify.main import create_app as notify_app
from witaj.notify.settings import NotifySettings
from witaj.shared.events import ContentKind

LUBLIN, BOLOGNA = load_all()
BASE = "/cities/lublin"
PROCESS = f"{BASE}/processes/lublin-temporary-residence"


def state(client: httpx.AsyncClient) -> Any:
    return client._transport.app.state  # type: ignore[attr-defined]


def flat_topics(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [node for topic in tree for node in (topic, *flat_topics(topic["children"]))]


def content_stores(client: httpx.AsyncClient) -> Stores:
    return Stores(cities=state(client).content.cities, items=state(client).content.items)


@pytest.fixture(scope="module")
def world(kafka_bootstrap: str, mongo_server_url: str, dev_key_path: Path) -> Sandbox:
    """One sandbox for the module: the demo is seeded once and only read by most tests."""
    return Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=f"demo{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
async def content(world: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(content_app(world.settings(ContentSettings, count_demand=False))) as client:
        written = await seed(content_stores(client), [LUBLIN, BOLOGNA])
        assert written["items"] == len(LUBLIN.items) + len(BOLOGNA.items)
        runtime = state(client).runtime
        await wait_until(lambda: runtime.cities.get("bologna"), message="the demo cities in the catalog")
        yield client


async def test_the_procedure_is_read_in_each_language_with_its_provenance(content) -> None:
    item = LUBLIN.item("lublin-temporary-residence")
    for language in LUBLIN.config.languages:
        process = (await content.get(PROCESS, params={"lang": language})).json()
        assert (process["language"], process["fallback"]) == (language, False)
        assert process["content"]["title"] == item.texts(language)["title"]
        assert process["machine_translated"] is (language in LUBLIN.machine_translated)
        assert process["rtl"] is (language in ("ar", "prs", "ur"))
        assert process["total_cost"] == {"PLN": 440.0}
        assert process["available_languages"] == LUBLIN.config.languages


async def test_every_item_of_both_cities_is_published_in_every_language(content) -> None:
    for city in (LUBLIN, BOLOGNA):
        base = f"/cities/{city.config.id}"
        for kind in ContentKind:
            listing = (
                await content.get(f"{base}/{PATH_OF[kind]}", params={"lang": "zh", "limit": 100})
            ).json()
            assert listing["total"] == len(city.of_kind(kind))
            assert {row["language"] for row in listing["items"]} <= {"zh"}
        for item in city.items:
            read = (await content.get(f"{base}/{PATH_OF[item.kind]}/{item.id}", params={"lang": "ur"})).json()
            assert sorted(read["available_languages"]) == sorted(city.config.languages)
            assert read["content"]["title"] == item.texts("ur")["title"] and read["rtl"] is True


async def test_the_second_city_has_its_own_topic_tree_and_practices_meet_across_cities(content) -> None:
    tree = (await content.get("/cities/bologna/topics", params={"lang": "prs"})).json()
    topics = flat_topics(tree["topics"])
    assert {topic["id"] for topic in topics} == {topic.id for topic in BOLOGNA.topics or []}
    assert {(topic["language"], topic["fallback"]) for topic in topics} == {("prs", False)}
    everywhere = (await content.get("/practices", params={"lang": "it", "limit": 100})).json()
    assert {row["city"] for row in everywhere["items"]} == {"lublin", "bologna"}


async def test_seeding_again_writes_nothing_a_restart_nothing_and_edits_are_left_alone(
    make_settings, auth_header
) -> None:
    settings = make_settings(ContentSettings, count_demand=False)
    async with serve(content_app(settings)) as content:
        assert await seed(content_stores(content), [LUBLIN, BOLOGNA])
        await wait_until(lambda: state(content).runtime.cities.get("bologna"), message="the demo cities")
        items, outbox = state(content).content.items.items, state(content).runtime.outbox.collection
        before = {doc["_id"]: doc["version"] async for doc in items.find({}, {"version": 1})}
        events = await outbox.count_documents({})
        assert not await seed(content_stores(content), [LUBLIN, BOLOGNA])
        await edit_and_rename(content, auth_header)
    async with serve(content_app(settings)) as restarted:
        assert not await seed(content_stores(restarted), [LUBLIN, BOLOGNA])
        again = state(restarted)
        after = {d["_id"]: d["version"] async for d in again.content.items.items.find({}, {"version": 1})}
        assert after == {**before, "lublin-work": before["lublin-work"] + 1}
        assert await again.runtime.outbox.collection.count_documents({}) == events + 2  # the two edits
        page = (await restarted.get(f"{BASE}/pages/lublin-work")).json()
        assert page["content"]["title"] == "Praca w Lublinie"
        # As stored (a new replica's copy catches up later).
        stored = await again.content.topic_trees.get("bologna")
        assert {topic.id: topic.labels["it"] for topic in stored.topics}["casa"] == "Abitare"


async def edit_and_rename(content: httpx.AsyncClient, auth_header: Any) -> None:
    """An editor changes a seeded page and a city admin renames a seeded topic."""
    editor = auth_header("pa_editor", city="lublin", org="lublin-city-hall")
    edited = {**LUBLIN.item("lublin-work").source.model_dump(mode="json"), "title": "Praca w Lublinie"}
    changed = await content.put(
        f"{BASE}/workbench/pages/lublin-work", json={"content": edited}, headers=editor
    )
    assert changed.status_code == 200, changed.text
    admin = auth_header("city_admin", city="bologna")
    renamed = await content.patch(
        "/cities/bologna/workbench/topics/casa", json={"labels": {"it": "Abitare"}}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text


async def test_the_agenda_and_the_subscriptions_are_seeded_once(world: Sandbox, content) -> None:
    async with (
        serve(events_app(world.settings(EventsSettings))) as events,
        serve(notify_app(world.settings(NotifySettings))) as notify,
    ):
        stores = Stores(events=state(events).events.events, subscriptions=state(notify).notify.subscriptions)
        written = await seed(stores, [LUBLIN, BOLOGNA])
        assert written["events"] == len(LUBLIN.events) + len(BOLOGNA.events)
        assert written["subscriptions"] == len(LUBLIN.subscriptions) + len(BOLOGNA.subscriptions)
        assert not await seed(stores, [LUBLIN, BOLOGNA])
        # The cities reach the events service from the content service's outbox, as in `make run`.
        await wait_until(lambda: state(events).runtime.cities.get("bologna"), timeout=30, message="cities")
        for city in (LUBLIN, BOLOGNA):
            for language in ("en", "ar", "zh"):
                listed = await events.get(
                    f"/cities/{city.config.id}/events", params={"lang": language, "limit": 100}
                )
                titles = {row["title"] for row in listed.json()["items"]}
                assert {event.texts[language].title for event in city.events} <= titles
        subscription = LUBLIN.subscriptions[0]
        inbox = await notify.get(
            f"/subscriptions/{subscription.id}/inbox", headers={"X-Subscriber-Token": subscription.token}
        )
        assert inbox.status_code == 200, inbox.text
