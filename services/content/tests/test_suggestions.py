"""Readers suggest corrections and add tips; the item's editors decide; accepted tips show under the item."""

from __future__ import annotations

import pytest
from witaj.content.settings import ContentSettings
from witaj.shared.ratelimit import PUBLIC_WRITE
from witaj.shared.settings import LimitSettings

from .conftest import CITY, PAGE, ContentApi

BASE = f"/cities/{CITY['id']}"
BURST = 8


@pytest.fixture
def settings(make_settings) -> ContentSettings:
    return make_settings(
        ContentSettings, count_demand=False, suggestion_limit=LimitSettings(per_minute=1, burst=BURST)
    )


@pytest.fixture
def ngo(client, auth_header) -> ContentApi:
    return ContentApi(client, auth_header("ngo_editor", city=CITY["id"], org="caritas"))


async def suggest(client, item: str, **body) -> str:
    response = await client.post(f"{BASE}/pages/{item}/suggestions", json={"language": "pl", **body})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def test_an_accepted_tip_is_listed_under_the_item_with_its_pseudonym(client, api) -> None:
    item = await api.published("pages", PAGE)
    tip = await suggest(
        client, item, kind="tip", text="Urząd chce teraz\n\n\n\nwcześniejszej rejestracji.", credit_as="Olena"
    )
    queue = (await client.get(f"{BASE}/workbench/suggestions", headers=api.headers)).json()
    assert [s["id"] for s in queue["items"]] == [tip] and queue["items"][0]["credit"] == "Olena"
    before = (await client.get(f"{BASE}/pages/{item}/comments")).json()
    assert before["items"] == []  # not shown until accepted

    decided = await client.post(
        f"{BASE}/workbench/suggestions/{tip}/decision", json={"decision": "accepted"}, headers=api.headers
    )
    assert decided.status_code == 200, decided.text
    assert "edit" not in decided.json()
    shown = (await client.get(f"{BASE}/pages/{item}/comments")).json()["items"]
    assert [(s["type"], s["credit"]) for s in shown] == [("tip", "Olena")]
    assert shown[0]["text"] == "Urząd chce teraz\n\nwcześniejszej rejestracji."


async def test_accepting_a_correction_opens_an_edit_of_the_current_source(client, api) -> None:
    item = await api.published("pages", PAGE)
    correction = await suggest(client, item, kind="correction", text="Kaucja to dwa czynsze.", field="body")
    answer = await client.post(
        f"{BASE}/workbench/suggestions/{correction}/decision",
        json={"decision": "accepted"},
        headers=api.headers,
    )
    edit = answer.json()["edit"]
    assert edit["content"]["body"] == PAGE["body"] and edit["save_with"]["method"] == "PUT"
    # The editor saves the edit the usual way; the If-Match it was given still holds.
    saved = await client.put(
        edit["save_with"]["path"],
        json={"content": {**edit["content"], "body": PAGE["body"] + " Kaucja to dwa czynsze."}},
        headers={**api.headers, "If-Match": edit["save_with"]["if_match"]},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 2
    again = await client.post(
        f"{BASE}/workbench/suggestions/{correction}/decision",
        json={"decision": "rejected"},
        headers=api.headers,
    )
    assert again.status_code == 409
    tips = (await client.get(f"{BASE}/pages/{item}/comments")).json()["items"]
    assert tips == []  # a correction becomes part of the text, not a tip


async def test_approved_feedback_comments_are_shown_with_tips_and_markup_stays_text(client, api) -> None:
    item = await api.published("pages", PAGE)
    feedback = {"language": "pl", "helpful": True, "comment": "<b>Bardzo</b> pomocne"}
    sent = await client.post(f"{BASE}/pages/{item}/feedback", json=feedback)
    await client.post(f"{BASE}/pages/{item}/feedback", json={**feedback, "comment": "Spam spam"})
    queue = (await client.get(f"{BASE}/workbench/feedback/moderation", headers=api.headers)).json()["items"]
    decisions = {sent.json()["id"]: "approved"}
    for pending in queue:
        decision = decisions.get(pending["id"], "rejected")
        await client.post(
            f"{BASE}/workbench/feedback/moderation/{pending['id']}",
            json={"decision": decision},
            headers=api.headers,
        )
    shown = (await client.get(f"{BASE}/pages/{item}/comments")).json()["items"]
    assert [(s["type"], s["text"]) for s in shown] == [("comment", "<b>Bardzo</b> pomocne")]
    assert shown[0]["html"] == "&lt;b&gt;Bardzo&lt;/b&gt; pomocne"


async def test_ngo_editors_see_and_decide_only_on_their_organisations_items(client, api, ngo) -> None:
    city_page = await api.published("pages", PAGE)
    caritas_page = await ngo.create("pages", {**PAGE, "title": "Pomoc Caritas"})
    await api.publish(caritas_page["id"])
    on_city = await suggest(client, city_page, kind="tip", text="Wskazówka dla miasta")
    on_caritas = await suggest(client, caritas_page["id"], kind="tip", text="Wskazówka dla Caritas")
    seen = (await client.get(f"{BASE}/workbench/suggestions", headers=ngo.headers)).json()["items"]
    assert [s["id"] for s in seen] == [on_caritas]
    refused = await client.post(
        f"{BASE}/workbench/suggestions/{on_city}/decision", json={"decision": "accepted"}, headers=ngo.headers
    )
    assert refused.status_code == 403
    mine = await client.post(
        f"{BASE}/workbench/suggestions/{on_caritas}/decision",
        json={"decision": "rejected"},
        headers=ngo.headers,
    )
    assert mine.status_code == 200
    stored = await client._transport.app.state.content.suggestions.find_one({"_id": on_caritas})
    assert stored["erase_at"] > stored["decided_at"]  # a rejected suggestion is erased after a while


async def test_suggestions_are_refused_clearly(client, api, auth_header) -> None:
    item = await api.published("pages", PAGE)
    url = f"{BASE}/pages/{item}/suggestions"
    assert (await client.post(url, json={"kind": "tip", "language": "de", "text": "x"})).status_code == 400
    assert (await client.post(url, json={"kind": "tip", "language": "pl", "text": " \n "})).status_code == 422
    too_long = {"kind": "tip", "language": "pl", "text": "x" * 2001}
    assert (await client.post(url, json=too_long)).status_code == 422
    tip_field = {"kind": "tip", "language": "pl", "text": "x", "field": "body"}
    assert (await client.post(url, json=tip_field)).json()["error"]["code"] == "field_for_tip"
    missing = await client.post(
        f"{BASE}/pages/nope/suggestions", json={"kind": "tip", "language": "pl", "text": "x"}
    )
    assert missing.status_code == 404
    translator = auth_header("translator", city=CITY["id"])
    assert (await client.get(f"{BASE}/workbench/suggestions", headers=translator)).status_code == 403
    assert (await client.get(f"{BASE}/workbench/suggestions")).status_code == 401


async def test_a_burst_of_suggestions_is_limited_and_the_route_is_a_public_write(client, api) -> None:
    item = await api.published("pages", PAGE)
    url = f"{BASE}/pages/{item}/suggestions"
    tip = {"kind": "tip", "language": "pl", "text": "Wskazówka"}
    codes = [(await client.post(url, json=tip)).status_code for _ in range(BURST + 1)]
    assert codes == [202] * BURST + [429]
    assert await client._transport.app.state.content.suggestions.count_documents({"item_id": item}) == BURST
    route = (await client.get("/openapi.json")).json()["paths"][
        "/cities/{city}/{kind_path}/{item_id}/suggestions"
    ]
    assert route["post"][PUBLIC_WRITE] is True
