"""The publishing workflow: draft → in review → published → archived, with history and events."""

from __future__ import annotations

import json

from witaj.content.main import create_app
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.shared.envelope import registry
from witaj.shared.topics import CONTENT_ITEMS, CONTENT_TRANSLATIONS

from .conftest import CITY, PAGE, ContentApi

BASE = f"/cities/{CITY['id']}"


async def test_a_draft_is_invisible_until_published_then_readable(client, editor, api) -> None:
    item = await api.create("pages", PAGE)
    assert item["status"] == "draft" and item["organisation"] == "city-hall"
    assert (await client.get(f"{BASE}/pages/{item['id']}")).status_code == 404

    published = await api.publish(item["id"])
    assert published["status"] == "published"
    page = await client.get(f"{BASE}/pages/{item['id']}")
    assert page.status_code == 200
    body = page.json()
    assert body["content"]["title"] == PAGE["title"]
    assert "<strong>na piśmie</strong>" in body["html"]["body"]
    assert body["language"] == "pl" and body["fallback"] is False and body["rtl"] is False


async def test_publishing_and_archiving_announce_events_through_the_outbox(
    client, editor, api, settings
) -> None:
    item = await api.create("pages", PAGE)
    await api.publish(item["id"])
    archived = await client.post(
        f"{BASE}/workbench/items/{item['id']}/status", json={"status": "archived"}, headers=editor
    )
    assert archived.status_code == 200
    records = await read_topic(settings.kafka, CONTENT_ITEMS, count=2)
    events = [registry.decode(r.value) for r in records]
    assert [e.type for e in events] == ["content.published", "content.unpublished"]
    assert events[0].data.titles == {"pl": PAGE["title"]} and events[0].subject == item["id"]
    assert (await client.get(f"{BASE}/pages/{item['id']}")).status_code == 404


async def test_illegal_status_jumps_are_refused(client, editor, api) -> None:
    item = await api.create("pages", PAGE)
    jump = await client.post(
        f"{BASE}/workbench/items/{item['id']}/status", json={"status": "published"}, headers=editor
    )
    assert jump.status_code == 409 and jump.json()["error"]["code"] == "invalid_status_transition"


async def test_edits_keep_history_and_mark_translations_outdated(client, editor, api, settings) -> None:
    item = await api.create("pages", PAGE)
    await api.publish(item["id"])
    await api.translate(item["id"], "en", {"title": "Renting a flat", "body": "Get a **written** lease."})

    etag = (await client.get(f"{BASE}/workbench/items/{item['id']}", headers=editor)).headers["ETag"]
    edited = await client.put(
        f"{BASE}/workbench/pages/{item['id']}",
        json={"content": {**PAGE, "body": "Umowa najmu musi być na piśmie."}},
        headers={**editor, "If-Match": etag},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["revision"] == 2
    assert edited.json()["translations"]["en"]["outdated"] is True
    stale = await client.put(
        f"{BASE}/workbench/pages/{item['id']}", json={"content": PAGE}, headers={**editor, "If-Match": '"1"'}
    )
    assert stale.status_code == 412

    history = (await client.get(f"{BASE}/workbench/items/{item['id']}/versions", headers=editor)).json()
    assert [v["revision"] for v in history] == [2, 1]
    assert history[1]["content"]["body"] == PAGE["body"]

    # The outdated English text is still served (readers are not left without text) and flagged.
    english = (await client.get(f"{BASE}/pages/{item['id']}", params={"lang": "en"})).json()
    assert english["language"] == "en" and english["outdated"] is True
    states = [
        registry.decode(r.value).data.state
        for r in await read_topic(settings.kafka, CONTENT_TRANSLATIONS, count=4)
    ]
    assert states == ["draft", "translated", "reviewed", "published"]


async def test_minor_edits_keep_translations_current(client, editor, api) -> None:
    item = await api.create("pages", PAGE)
    await api.translate(item["id"], "en", {"title": "Renting a flat"})
    edited = await client.put(
        f"{BASE}/workbench/pages/{item['id']}",
        json={"content": {**PAGE, "title": "Mieszkanie na wynajem."}, "minor": True},
        headers=editor,
    )
    assert edited.json()["translations"]["en"]["outdated"] is False


async def test_reading_follows_a_publish_made_by_another_replica(
    make_settings, auth_header, settings
) -> None:
    """Two replicas on one database: a write on one reaches the other's cache through Kafka."""
    editor = auth_header("pa_editor", city=CITY["id"], org="city-hall")
    async with serve(create_app(settings)) as writer, serve(create_app(settings)) as reader:
        assert (
            await writer.post("/cities", json=CITY, headers=auth_header("platform_admin"))
        ).status_code == 201
        for http in (writer, reader):
            runtime = http._transport.app.state.runtime
            await wait_until(lambda runtime=runtime: runtime.cities.get(CITY["id"]), message="city")
        writing = ContentApi(writer, editor)
        item = await writing.create("pages", PAGE)
        assert (await reader.get(f"{BASE}/pages")).json()["total"] == 0  # loads the reader's cache
        await writing.publish(item["id"])

        async def visible() -> bool:
            return (await reader.get(f"{BASE}/pages/{item['id']}")).status_code == 200

        await wait_until(visible, timeout=5, message="the other replica to serve the published page")
        await writer.put(
            f"{BASE}/workbench/pages/{item['id']}",
            json={"content": {**PAGE, "title": "Nowy tytuł"}},
            headers=editor,
        )

        async def renamed() -> bool:
            return (
                json.loads((await reader.get(f"{BASE}/pages/{item['id']}")).content)["content"]["title"]
                == "Nowy tytuł"
            )

        await wait_until(renamed, timeout=5, message="the other replica to serve the edit")
