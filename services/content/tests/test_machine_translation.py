"""Machine drafts against a real LibreTranslate-compatible HTTP server started here on a loopback port.

The server (`witaj.devkit.machine_translation`) "translates" by prefixing each text with the target
language, so every draft can be checked against the item's own source texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from witaj.content.main import create_app
from witaj.content.settings import ContentSettings, MachineTranslationSettings
from witaj.content.store import source_texts
from witaj.devkit.infra import free_port
from witaj.devkit.machine_translation import KEY, FakeLibreTranslate, translation_server
from witaj.devkit.testing import serve, wait_until
from witaj.shared.events import Feature
from witaj.shared.events.cities import DEFAULT_FEATURES

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}"
PROCESS = {
    "title": "Karta pobytu",
    "topics": ["residence"],
    "steps": [
        {"title": "Złóż wniosek", "documents_needed": ["Paszport", "Zdjęcie"]},
        {"title": "Odbierz kartę", "description": "W urzędzie, **osobiście**."},
    ],
}


@pytest.fixture
def server() -> Iterator[tuple[FakeLibreTranslate, str]]:
    with translation_server() as found:
        yield found


@pytest.fixture
def settings(make_settings, server) -> ContentSettings:
    mt = MachineTranslationSettings(url=server[1], api_key=KEY, timeout_seconds=0.5)
    return make_settings(ContentSettings, count_demand=False, machine_translation=mt)


@pytest.fixture
async def enabled(client, auth_header) -> None:
    """Gdańsk's admin switches machine translation on; the service's catalog follows."""
    features = sorted(DEFAULT_FEATURES | {Feature.MACHINE_TRANSLATION})
    admin = auth_header("city_admin", city=CITY["id"])
    assert (await client.put(BASE, json={**CITY, "features": features}, headers=admin)).status_code == 200
    runtime = client._transport.app.state.runtime
    await wait_until(lambda: runtime.cities.get(CITY["id"]).has(Feature.MACHINE_TRANSLATION))


@pytest.fixture
def translator(auth_header) -> dict[str, str]:
    return auth_header("translator", city=CITY["id"])


def draft_url(item_id: str, language: str) -> str:
    return f"{BASE}/workbench/items/{item_id}/translations/{language}/machine-draft"


async def stored(client, item_id: str) -> dict[str, Any]:
    return await client._transport.app.state.content.items.get(CITY["id"], item_id)


async def staged_translation_events(client) -> int:
    outbox = client._transport.app.state.runtime.outbox.collection
    return await outbox.count_documents({"type": "content.translation_state_changed"})


async def test_a_machine_draft_is_a_draft_marked_as_machine_made(client, api, enabled, translator, server):
    fake, _ = server
    item = await api.create("processes", PROCESS)
    answer = await client.post(draft_url(item["id"], "uk"), headers=translator)
    assert answer.status_code == 200, answer.text
    uk = answer.json()["translations"]["uk"]
    assert uk["state"] == "draft" and uk["machine_translated"] is True
    assert uk["source_revision"] == item["revision"]
    source = source_texts(await stored(client, item["id"]))
    assert uk["fields"] == {path: f"[uk] {text}" for path, text in source.items()}
    assert fake.calls[-1] == {
        "q": list(source.values()),
        "source": "pl",
        "target": "uk",
        "format": "text",
        "api_key": KEY,
    }
    assert await staged_translation_events(client) == 1

    # A machine draft may be drafted again without asking; readers never saw it.
    again = await client.post(draft_url(item["id"], "uk"), json={}, headers=translator)
    assert again.status_code == 200 and len(fake.calls) == 2
    await api.publish(item["id"])
    reader = (await client.get(f"{BASE}/processes/{item['id']}", params={"lang": "uk"})).json()
    assert reader["language"] == "pl" and reader["fallback"] is True


async def test_a_translation_by_a_person_is_replaced_only_when_asked(client, api, enabled, server):
    fake, _ = server
    item = await api.published("pages", PAGE, en={"title": "Renting a flat"})
    kept = await client.post(draft_url(item, "en"), headers=api.headers)
    assert kept.status_code == 409
    error = kept.json()["error"]
    assert error["code"] == "translation_exists" and "overwrite" in error["message"]
    assert fake.calls == []  # the server was not even asked
    english = (await client.get(f"{BASE}/pages/{item}", params={"lang": "en"})).json()
    assert english["language"] == "en" and english["content"]["title"] == "Renting a flat"

    replaced = await client.post(draft_url(item, "en"), json={"overwrite": True}, headers=api.headers)
    assert replaced.status_code == 200, replaced.text
    en = replaced.json()["translations"]["en"]
    assert (en["state"], en["machine_translated"]) == ("draft", True)
    assert en["fields"]["title"] == f"[en] {PAGE['title']}"


@pytest.mark.parametrize(
    ("misbehave", "status", "code"),
    [
        ({"status": 500}, 502, "machine_translation_failed"),
        ({"key": "wrong"}, 502, "machine_translation_failed"),
        ({"delay": 2.0}, 504, "machine_translation_timeout"),
        ({"unreachable": True}, 502, "machine_translation_failed"),
    ],
)
async def test_server_errors_and_time_outs_are_clear_and_write_nothing(
    client, api, enabled, translator, server, misbehave, status, code
):
    fake, _ = server
    fake.status = misbehave.get("status", 200)
    fake.delay = misbehave.get("delay", 0.0)
    engine = client._transport.app.state.content.machine_translator
    if "key" in misbehave:
        engine.api_key = misbehave["key"]
    if "unreachable" in misbehave:
        engine.url = f"http://127.0.0.1:{free_port()}/translate"
    item = await api.create("pages", PAGE)
    before = await stored(client, item["id"])

    answer = await client.post(draft_url(item["id"], "uk"), headers=translator)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["code"] == code and "nothing was saved" in error["message"]
    assert KEY not in answer.text
    assert await stored(client, item["id"]) == before
    assert await staged_translation_events(client) == 0


async def test_it_is_off_for_a_city_that_did_not_switch_it_on(client, api, translator, auth_header):
    item = await api.create("pages", PAGE)
    off = await client.post(draft_url(item["id"], "uk"), headers=translator)
    assert off.status_code == 404 and off.json()["error"]["code"] == "feature_disabled"
    assert "machine_translation" in off.json()["error"]["message"]
    # Permissions are the translation workflow's: another organisation's NGO editor may not.
    ngo = auth_header("ngo_editor", city=CITY["id"], org="caritas")
    assert (await client.post(draft_url(item["id"], "uk"), headers=ngo)).status_code == 403
    assert (await client.post(draft_url(item["id"], "uk"))).status_code == 401


async def test_without_a_server_it_answers_that_it_is_not_configured(make_settings, auth_header):
    unconfigured = make_settings(ContentSettings, count_demand=False)
    assert unconfigured.machine_translation.url is None
    features = sorted(DEFAULT_FEATURES | {Feature.MACHINE_TRANSLATION})
    async with serve(create_app(unconfigured)) as client:
        admin = auth_header("platform_admin")
        city = {**CITY, "features": features}
        assert (await client.post("/cities", json=city, headers=admin)).status_code == 201
        runtime = client._transport.app.state.runtime
        await wait_until(lambda: runtime.cities.get(CITY["id"]), message="the city in the catalog")
        editor = auth_header("pa_editor", city=CITY["id"])
        created = await client.post(f"{BASE}/workbench/pages", json={"content": PAGE}, headers=editor)
        answer = await client.post(draft_url(created.json()["id"], "uk"), headers=editor)
        assert answer.status_code == 503
        error = answer.json()["error"]
        assert error["code"] == "machine_translation_not_configured" and "not configured" in error["message"]
