"""Lublin's demo content: seeded through the store, read and searched in Ukrainian and Arabic, seeded once."""

from __future__ import annotations

import pytest
from witaj.content.demo import DEMO_ITEMS, seed_demo_content
from witaj.content.demo_content import GLOSSARY, RESIDENCE_PERMIT, WORK, in_language
from witaj.content.kinds import PATH_OF, PATHS
from witaj.content.main import create_app
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve, wait_until
from witaj.shared.settings import Environment, ServiceSettings

BASE = "/cities/lublin"
PROCESS = f"{BASE}/processes/{RESIDENCE_PERMIT.id}"
CARD = "lublin-term-residence-card"


@pytest.fixture
def settings(make_settings) -> ContentSettings:
    service = ServiceSettings(environment=Environment.TEST, seed_demo=True)
    return make_settings(ContentSettings, count_demand=False, service=service)


def forms(term_id: str, language: str) -> set[str]:
    """Every surface form of a demo glossary term in one language, lower-cased."""
    body = next(t for t in GLOSSARY if t.id == term_id).body(language)
    return {form.lower() for form in [body["title"], *body["synonyms"]]}


def marked(item: dict, term_id: str) -> set[str]:
    """The texts a read item marks as occurrences of a glossary term."""
    return {
        item["content_texts"][m["field"]][m["start"] : m["end"]].lower()
        for m in item["glossary"]
        if m["term_id"] == term_id
    }


def flat(content: dict, prefix: str = "") -> dict[str, str]:
    found = {}
    for key, value in content.items() if isinstance(content, dict) else enumerate(content):
        path = f"{prefix}{key}"
        if isinstance(value, str):
            found[path] = value
        elif isinstance(value, dict | list):
            found.update(flat(value, f"{path}."))
    return found


async def read(client, url: str, language: str) -> dict:
    response = await client.get(url, params={"lang": language})
    assert response.status_code == 200, response.text
    item = response.json()
    item["content_texts"] = flat(item["content"])
    return item


async def test_the_procedure_is_read_and_found_in_ukrainian_and_arabic(client_of_demo) -> None:
    client = client_of_demo
    for language, rtl in (("uk", False), ("ar", True)):
        process = await read(client, PROCESS, language)
        expected = RESIDENCE_PERMIT.body(language)
        assert (process["language"], process["fallback"], process["rtl"]) == (language, False, rtl)
        assert process["content"]["title"] == expected["title"]
        assert [s["title"] for s in process["content"]["steps"]] == [s["title"] for s in expected["steps"]]
        assert process["total_cost"] == {"PLN": 440.0}
        office = process["content"]["steps"][3]
        assert office["organisation_id"] == "lublin-luw-foreigners" and office["location"]["lat"] > 51
        # The residence card is marked wherever it occurs, by the term's own forms in this language.
        spans = marked(process, CARD)
        assert spans and spans <= forms(CARD, language)

        found = await client.get(f"{BASE}/search", params={"q": expected["title"], "lang": language})
        rows = found.json()["items"]
        assert rows[0]["id"] == RESIDENCE_PERMIT.id
        assert rows[0]["rtl"] is rtl and rows[0]["highlights"]

    office = (await client.get(f"{BASE}/organisations/lublin-luw-foreigners", params={"lang": "ar"})).json()
    assert office["rtl"] is True and office["content"]["opening_hours"]
    assert {"uk", "en"} <= set(office["content"]["languages_spoken"])


async def test_every_demo_item_is_published_in_four_languages(client_of_demo) -> None:
    client = client_of_demo
    for kind_path in ("pages", "processes", "glossary", "organisations", "practices"):
        listing = (await client.get(f"{BASE}/{kind_path}", params={"lang": "ar", "limit": 100})).json()
        assert listing["total"] == len([i for i in DEMO_ITEMS if i.kind is PATHS[kind_path]])
        assert {row["language"] for row in listing["items"]} == {"ar"}
        assert all(row["rtl"] for row in listing["items"])
    for item in DEMO_ITEMS:
        english = (await client.get(f"{BASE}/{PATH_OF[item.kind]}/{item.id}", params={"lang": "en"})).json()
        assert english["available_languages"] == ["pl", "en", "uk", "ar"]
        assert english["content"]["title"] == in_language(item.content["title"], "en")

    near = await client.get(
        f"{BASE}/organisations", params={"near": "51.2489,22.5547", "radius_km": 1, "language_spoken": "uk"}
    )
    assert near.json()["items"][0]["id"] == "lublin-luw-foreigners"
    everywhere = (
        await client.get("/practices", params={"category": "study_in_programme", "lang": "uk"})
    ).json()
    assert [p["id"] for p in everywhere["items"]] == ["lublin-practice-study-in-lublin"]
    # Polish terms are marked in Polish pages too.
    renting = await read(client, f"{BASE}/pages/lublin-renting", "pl")
    tenancy = marked(renting, "lublin-term-tenancy-agreement")
    assert "umowa najmu" in tenancy and tenancy <= forms("lublin-term-tenancy-agreement", "pl")


async def test_seeding_again_writes_nothing(client_of_demo, settings) -> None:
    state = client_of_demo._transport.app.state
    items, outbox = state.item_store.items, state.runtime.outbox.collection
    before = {doc["_id"]: doc["version"] async for doc in items.find({}, {"version": 1})}
    events = await outbox.count_documents({})
    assert len(before) == len(DEMO_ITEMS)
    assert await seed_demo_content(state.item_store) == 0
    async with serve(create_app(settings)) as restarted:  # a restart of the service seeds nothing either
        again = restarted._transport.app.state
        assert {
            d["_id"]: d["version"] async for d in again.item_store.items.find({}, {"version": 1})
        } == before
        assert await again.runtime.outbox.collection.count_documents({}) == events


async def test_an_item_an_editor_changed_is_left_to_the_editors(client_of_demo, auth_header) -> None:
    client = client_of_demo
    editor = auth_header("pa_editor", city="lublin", org="lublin-city-hall")
    page = f"{BASE}/workbench/pages/lublin-work"
    edited = {**WORK.body("pl"), "title": "Praca w Lublinie"}
    assert (await client.put(page, json={"content": edited}, headers=editor)).status_code == 200
    state = client._transport.app.state
    assert await seed_demo_content(state.item_store) == 0
    assert (await client.get(f"{BASE}/pages/lublin-work")).json()["content"]["title"] == "Praca w Lublinie"


@pytest.fixture
async def client_of_demo(settings):
    async with serve(create_app(settings)) as client:
        runtime = client._transport.app.state.runtime
        await wait_until(lambda: runtime.cities.get("lublin"), message="Lublin in the catalog")
        yield client
