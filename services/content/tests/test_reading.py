"""Reading: language choice by fallback chain, ETags, glossary marks, process totals, the directory."""

from __future__ import annotations

import asyncio
from typing import Any

from witaj.content.main import create_app
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.shared.envelope import registry
from witaj.shared.topics import CONTENT_FEEDBACK, USAGE

from .conftest import CITY, PAGE, ContentApi

BASE = f"/cities/{CITY['id']}"
PROCESS = {
    "title": "Karta pobytu czasowego",
    "summary": "Od wniosku do odbioru karty",
    "topics": ["residence"],
    "steps": [
        {"title": "Złóż wniosek", "office": "Urząd Wojewódzki", "cost": {"amount": 340, "currency": "PLN"},
         "duration_days": 1, "documents_needed": ["Paszport", "Zdjęcie"], "location": {"lat": 54.35, "lon": 18.65}},
        {"title": "Odbierz kartę", "cost": {"amount": 100, "currency": "PLN"}, "duration_days": 60,
         "documents_produced": ["Karta pobytu"]},
    ],
}  # fmt: skip


async def test_the_reader_gets_their_language_or_the_citys_fallback(client, api) -> None:
    item = await api.published(
        "pages", PAGE, en={"title": "Renting a flat", "body": "A lease must be **written**."}
    )
    english = (await client.get(f"{BASE}/pages/{item}", headers={"Accept-Language": "en-GB,en;q=0.9"})).json()
    assert english["language"] == "en" and english["fallback"] is False
    assert (
        english["content"]["title"] == "Renting a flat" and english["content"]["summary"] == PAGE["summary"]
    )
    # Ukrainian readers fall back to Polish by Gdańsk's chain; Arabic ones to English, flagged right-to-left.
    ukrainian = (await client.get(f"{BASE}/pages/{item}", params={"lang": "uk"})).json()
    assert (ukrainian["language"], ukrainian["fallback"], ukrainian["requested_language"]) == (
        "pl",
        True,
        "uk",
    )
    arabic = await client.get(f"{BASE}/pages/{item}", headers={"Accept-Language": "ar"})
    assert arabic.json()["language"] == "en" and arabic.headers["Content-Language"] == "en"
    unknown = await client.get(f"{BASE}/pages/{item}", params={"lang": "xx"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_language"


async def test_arabic_text_is_flagged_right_to_left(client, api) -> None:
    item = await api.published("pages", PAGE, ar={"title": "استئجار شقة"})
    arabic = (await client.get(f"{BASE}/pages/{item}", params={"lang": "ar"})).json()
    assert arabic["rtl"] is True and arabic["content"]["title"] == "استئجار شقة"


async def test_etag_answers_not_modified_until_the_item_changes(client, api) -> None:
    item = await api.published("pages", PAGE)
    first = await client.get(f"{BASE}/pages/{item}")
    again = await client.get(f"{BASE}/pages/{item}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    await client.put(
        f"{BASE}/workbench/pages/{item}", json={"content": {**PAGE, "title": "Inny"}}, headers=api.headers
    )
    changed = await client.get(f"{BASE}/pages/{item}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.json()["content"]["title"] == "Inny"


async def test_glossary_terms_are_located_in_every_rendered_text(client, api) -> None:
    term = await api.published(
        "glossary",
        {"title": "umowa najmu", "definition": "Umowa o wynajem mieszkania", "synonyms": ["kaucja"]},
    )
    item = await api.published(
        "pages", {**PAGE, "body": "Podpisz **umowę**. Umowa najmu i kaucja. <script>alert(1)</script>"}
    )
    page = (await client.get(f"{BASE}/pages/{item}")).json()
    marks = [(m["field"], page["content"][m["field"]][m["start"] : m["end"]]) for m in page["glossary"]]
    assert ("body", "Umowa najmu") in marks and ("body", "kaucja") in marks
    assert all(m["term_id"] == term for m in page["glossary"])
    assert f'<dfn data-term="{term}">Umowa najmu</dfn>' in page["html"]["body"]
    assert "<script>" not in page["html"]["body"]


async def test_a_process_adds_up_its_cost_and_duration(client, api) -> None:
    item = await api.published("processes", PROCESS)
    process = (await client.get(f"{BASE}/processes/{item}")).json()
    assert process["total_cost"] == {"PLN": 440.0} and process["total_duration_days"] == 61
    assert process["content"]["steps"][0]["documents_needed"] == ["Paszport", "Zdjęcie"]


async def test_directory_finds_organisations_near_the_reader(client, api) -> None:
    def org(name: str, lat: float, lon: float, spoken: list[str]) -> dict:
        return {"title": name, "address": "ul. Długa 1", "location": {"lat": lat, "lon": lon}, "languages_spoken": spoken,
                "topics": ["work"], "opening_hours": [{"day": "mon", "opens": "09:00", "closes": "17:00"}]}  # fmt: skip

    near = await api.published("organisations", org("Centrum Wsparcia", 54.352, 18.646, ["pl", "uk"]))
    farther = await api.published("organisations", org("Punkt Informacyjny", 54.37, 18.62, ["pl", "en"]))
    await api.published("organisations", org("Biuro w Warszawie", 52.23, 21.01, ["pl", "uk"]))
    found = (
        await client.get(f"{BASE}/organisations", params={"near": "54.35,18.65", "radius_km": 10})
    ).json()
    assert [i["id"] for i in found["items"]] == [near, farther]
    assert found["items"][0]["distance_km"] < found["items"][1]["distance_km"] < 10
    speaking = (
        await client.get(
            f"{BASE}/organisations", params={"near": "54.35,18.65", "radius_km": 10, "language_spoken": "uk"}
        )
    ).json()
    assert [i["id"] for i in speaking["items"]] == [near]
    bad = await client.get(f"{BASE}/organisations", params={"near": "north"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_near"


async def test_a_listing_by_id_gives_each_organisations_directory_facts(client, api) -> None:
    office = {"title": "Urząd Wojewódzki", "type": "public_office", "address": "ul. Okopowa 21",
              "location": {"lat": 54.35, "lon": 18.65}, "languages_spoken": ["pl", "en"],
              "opening_hours": [{"day": "mon", "opens": "08:00", "closes": "16:00"}],
              "contact": {"phone": "+48 58 307 77 77"}}  # fmt: skip
    wanted = await api.published("organisations", office)
    await api.published("organisations", {**office, "title": "Urząd Miasta"})
    found = (await client.get(f"{BASE}/organisations", params={"id": [wanted, "no-such-item"]})).json()
    assert [row["id"] for row in found["items"]] == [wanted]
    row = found["items"][0]
    assert row["address"] == "ul. Okopowa 21" and row["type"] == "public_office"
    assert row["opening_hours"] == [{"day": "mon", "opens": "08:00", "closes": "16:00"}]
    assert row["location"] == {"lat": 54.35, "lon": 18.65} and row["languages_spoken"] == ["pl", "en"]
    assert row["contact"]["phone"] == "+48 58 307 77 77"
    too_many = await client.get(f"{BASE}/organisations", params={"id": [f"item-{n}" for n in range(51)]})
    assert too_many.status_code == 422


async def test_an_answer_carries_only_the_fields_that_apply_to_its_item(client, api) -> None:
    """Answers are models with optional fields for some kinds only: those stay out, never null."""
    page = await api.published("pages", PAGE)
    practice = await api.published("practices", {"title": "Punkt wynajem", "category": "information_point"})
    other = await api.published("practices", {"title": "Rada migrantów", "category": "governance"})
    read = (await client.get(f"{BASE}/pages/{page}")).json()
    assert (
        "total_cost" not in read and "total_duration_days" not in read and read["organisation"] == "city-hall"
    )
    facts = {"type", "address", "location", "opening_hours", "languages_spoken", "contact"}
    listed = (await client.get(f"{BASE}/pages")).json()["items"][0]
    assert listed["id"] == page and not (facts | {"distance_km", "category"}) & listed.keys()
    found = (await client.get(f"{BASE}/search", params={"q": "wynajem"})).json()["items"]
    assert {row["id"] for row in found} == {page, practice}
    assert all(not (facts | {"distance_km", "category"}) & row.keys() for row in found)
    everywhere = (await client.get("/practices")).json()["items"]
    assert [(row["id"], row["category"]) for row in everywhere] == [
        (practice, "information_point"),
        (other, "governance"),
    ]
    assert not facts & everywhere[0].keys()
    governance = (await client.get("/practices", params={"category": "governance"})).json()["items"]
    assert [row["id"] for row in governance] == [other]


async def test_every_route_documents_what_it_answers(client) -> None:
    """Each route names the model of its answer in the OpenAPI document (the XLIFF export: its media
    type), so a client sees the shape of every answer."""
    spec = (await client.get("/openapi.json")).json()
    undocumented = []
    for path, operations in spec["paths"].items():
        if path in ("/health", "/ready", "/metrics"):
            continue
        for method, operation in operations.items():
            answers = [v for code, v in operation["responses"].items() if code.startswith("2")]
            media = answers[0].get("content", {}) if answers else {}
            schema = media.get("application/json", {}).get("schema", {})
            if not ("$ref" in str(schema) or "application/xliff+xml" in media):
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []
    reading = spec["paths"]["/cities/{city}/{kind_path}/{item_id}"]["get"]["responses"]["200"]
    assert reading["content"]["application/json"]["schema"]["$ref"].endswith("/ItemPublic")


async def test_views_and_feedback_become_events_and_scores(client, api, settings) -> None:
    item = await api.published("pages", PAGE)
    await client.get(f"{BASE}/pages/{item}", params={"lang": "uk"}, headers={"X-Session-Id": "abcdefgh1234"})
    view = registry.decode((await read_topic(settings.kafka, USAGE, count=1))[0].value)
    assert (
        view.data.item_id == item
        and view.data.requested_language == "uk"
        and view.data.session == "abcdefgh1234"
    )

    sent = await client.post(
        f"{BASE}/pages/{item}/feedback", json={"language": "pl", "helpful": False, "comment": "Brak adresu"}
    )
    assert sent.status_code == 202
    await client.post(f"{BASE}/pages/{item}/feedback", json={"language": "pl", "helpful": True})
    event = registry.decode((await read_topic(settings.kafka, CONTENT_FEEDBACK, count=1))[0].value).data
    assert event.has_comment is True and "Brak" not in event.model_dump_json()
    scores = (await client.get(f"{BASE}/workbench/feedback", headers=api.headers)).json()
    assert scores == [{"item_id": item, "language": "pl", "helpful": 1, "not_helpful": 1, "comments": 1}]
    queue = (await client.get(f"{BASE}/workbench/feedback/moderation", headers=api.headers)).json()
    assert [c["comment"] for c in queue["items"]] == ["Brak adresu"]
    assert (await client.get(f"{BASE}/workbench/feedback", headers={})).status_code == 401


async def test_the_optional_parameters_of_a_read_are_documented_and_checked(client, api) -> None:
    item = await api.published("pages", PAGE)
    spec = (await client.get("/openapi.json")).json()
    parameters = spec["paths"]["/cities/{city}/{kind_path}/{item_id}"]["get"]["parameters"]
    assert [(p["in"], p["name"], p["schema"]["anyOf"][0]["maxLength"]) for p in parameters[3:]] == [
        ("query", "lang", 35),
        ("header", "accept-language", 500),
        ("header", "if-none-match", 200),
        ("header", "X-Session-Id", 64),
    ]
    refused = await client.get(
        f"{BASE}/pages/{item}", params={"lang": "x" * 36}, headers={"X-Session-Id": "s" * 65}
    )
    error = refused.json()["error"]
    assert refused.status_code == 422 and error["code"] == "validation_failed"
    assert [d["field"] for d in error["details"]] == ["query.lang", "header.X-Session-Id"]
    assert error["message"] == (
        "The request is invalid in 'query.lang': String should have at most 35 characters (and 1 more problem)"
    )


async def test_each_view_carries_only_its_own_session(client, api, settings) -> None:
    item = await api.published("pages", PAGE)
    for session in ("abcdefgh1234", None, "me@example.org"):
        headers = {"X-Session-Id": session} if session else {}
        read = await client.get(f"{BASE}/pages/{item}", params={"lang": "en"}, headers=headers)
        assert read.status_code == 200
    views = [registry.decode(r.value).data for r in await read_topic(settings.kafka, USAGE, count=3)]
    assert sorted(str(v.session) for v in views) == ["None", "None", "abcdefgh1234"]
    assert all(v.item_id == item and v.topics == ["housing"] for v in views)


async def test_dashboard_lists_missing_and_outdated_work_by_demand(make_settings, auth_header) -> None:
    settings = make_settings(ContentSettings)
    assert settings.count_demand
    async with serve(create_app(settings)) as client:
        assert (
            await client.post("/cities", json=CITY, headers=auth_header("platform_admin"))
        ).status_code == 201
        runtime = client._transport.app.state.runtime
        await wait_until(lambda: runtime.cities.get(CITY["id"]), message="the city in the catalog")
        await _dashboard_by_demand(
            client, ContentApi(client, auth_header("pa_editor", city=CITY["id"], org="city-hall"))
        )


async def _dashboard_by_demand(client, api) -> None:
    rarely = await api.published("pages", {**PAGE, "title": "Rzadko czytana"})
    often = await api.published("pages", {**PAGE, "title": "Często czytana"}, en={"title": "Often read"})
    for _ in range(3):
        await client.get(f"{BASE}/pages/{often}", params={"lang": "uk"})
    await client.put(
        f"{BASE}/workbench/pages/{often}",
        json={"content": {**PAGE, "title": "Często czytana!"}},
        headers=api.headers,
    )

    async def counted() -> dict:
        board = (await client.get(f"{BASE}/workbench/translations", headers=api.headers)).json()
        return board if board["languages"]["uk"]["items"][0]["demand"] == 3 else {}

    board = await wait_until(counted, message="views to be counted as demand")
    assert [r["id"] for r in board["languages"]["uk"]["items"]] == [often, rarely]
    english = {r["id"]: r["reason"] for r in board["languages"]["en"]["items"]}
    assert english == {often: "outdated", rarely: "missing"}
    assert "pl" in board["languages"] and board["languages"]["pl"]["items"] == []


async def test_an_item_published_while_the_cache_loads_its_city_is_not_lost(client, api) -> None:
    """The first read of a city (after every start) loads it from the database; a publication that
    commits after that snapshot but is announced before the load ends must still reach readers."""
    created = await api.create("pages", PAGE)
    state = client._transport.app.state.content
    consumer = next(c for c in state.runtime.consumers if c.group_id.endswith("published-cache"))
    load_city = state.published.store.published
    snapshot_taken, let_load_finish = asyncio.Event(), asyncio.Event()

    async def slow_load(city: str) -> list[dict[str, Any]]:
        docs = await load_city(city)
        snapshot_taken.set()
        await let_load_finish.wait()
        return docs

    state.published.store.published = slow_load
    first_read = asyncio.create_task(client.get(f"{BASE}/pages"))
    await snapshot_taken.wait()
    handled = consumer.handled
    await api.publish(created["id"])
    await wait_until(lambda: consumer.handled > handled, message="the cache's own event to arrive")
    let_load_finish.set()
    assert (await first_read).status_code == 200

    listed = (await client.get(f"{BASE}/pages")).json()
    assert [row["id"] for row in listed["items"]] == [created["id"]]
    assert (await client.get(f"{BASE}/pages/{created['id']}")).status_code == 200
