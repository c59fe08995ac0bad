"""NGO editors act on and see only their own organisation's content; without an organisation claim in
their token they have no NGO rights at all (never "the organisation of every city-owned item")."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import CITY, PAGE, ContentApi

BASE = f"/cities/{CITY['id']}"


async def _workbench_answers(client: httpx.AsyncClient, headers: dict[str, str], item: str) -> dict[str, Any]:
    work = f"{BASE}/workbench"
    return {
        "create": await client.post(f"{work}/pages", json={"content": PAGE}, headers=headers),
        "edit": await client.put(
            f"{work}/pages/{item}", json={"content": {**PAGE, "title": "X"}}, headers=headers
        ),
        "status": await client.post(f"{work}/items/{item}/status", json={"status": "draft"}, headers=headers),
        "translate": await client.put(
            f"{work}/items/{item}/translations/en",
            json={"state": "draft", "fields": {"title": "A flat"}},
            headers=headers,
        ),
        "see": await client.get(f"{work}/items/{item}", headers=headers),
        "versions": await client.get(f"{work}/items/{item}/versions", headers=headers),
        "list": await client.get(f"{work}/pages", headers=headers),
        "dashboard": await client.get(f"{work}/translations", headers=headers),
        "xliff": await client.get(f"{work}/translations/en/xliff", headers=headers),
        "feedback": await client.get(f"{work}/feedback", headers=headers),
        "moderation": await client.get(f"{work}/feedback/moderation", headers=headers),
    }


async def test_an_ngo_editor_without_an_organisation_has_no_rights_over_city_content(
    client, auth_header
) -> None:
    city = ContentApi(client, auth_header("city_admin", city=CITY["id"]))
    owned = await city.create("pages", PAGE)
    assert owned["organisation"] is None  # city-owned
    answers = await _workbench_answers(client, auth_header("ngo_editor", city=CITY["id"]), owned["id"])
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 403)
    stored = await client._transport.app.state.content.items.get(CITY["id"], owned["id"])
    assert stored["content"]["title"] == PAGE["title"] and stored["status"] == "draft"


async def test_ngo_editors_see_and_act_on_their_own_organisations_items_only(client, auth_header) -> None:
    caritas = ContentApi(client, auth_header("ngo_editor", city=CITY["id"], org="caritas"))
    city = ContentApi(client, auth_header("city_admin", city=CITY["id"]))
    ours = await caritas.create("pages", {**PAGE, "title": "Nasza strona"})
    theirs = await city.create("pages", {**PAGE, "title": "Strona miasta"})
    city_hall = ContentApi(client, auth_header("pa_editor", city=CITY["id"], org="city-hall"))
    others = await city_hall.create("pages", {**PAGE, "title": "Strona urzędu"})
    for item in (ours, theirs):
        await city.publish(item["id"])
        comment = {"language": "pl", "helpful": False, "comment": "Brakuje adresu"}
        assert (await client.post(f"{BASE}/pages/{item['id']}/feedback", json=comment)).status_code == 202

    mine = await _workbench_answers(client, caritas.headers, ours["id"])
    assert {name: a.status_code for name, a in mine.items()} == {**dict.fromkeys(mine, 200), "create": 201}, {
        name: a.text for name, a in mine.items() if a.status_code >= 300
    }
    own = {ours["id"], mine["create"].json()["id"]}
    assert {i["id"] for i in mine["list"].json()["items"]} == own
    assert {i["id"] for rows in mine["dashboard"].json()["languages"].values() for i in rows["items"]} == own
    assert ours["id"] in mine["xliff"].text and theirs["id"] not in mine["xliff"].text
    assert {r["item_id"] for r in mine["feedback"].json()} == {ours["id"]}
    assert [r["item_id"] for r in mine["moderation"].json()["items"]] == [ours["id"]]

    for item in (theirs, others):
        answers = await _workbench_answers(client, caritas.headers, item["id"])
        refused = {
            name: a.status_code
            for name, a in answers.items()
            if name in {"edit", "status", "translate", "see", "versions"}
        }
        assert refused == dict.fromkeys(refused, 403)
    asked = await client.get(
        f"{BASE}/workbench/pages", params={"organisation": "city-hall"}, headers=caritas.headers
    )
    assert asked.status_code == 403

    queue = (await client.get(f"{BASE}/workbench/feedback/moderation", headers=city.headers)).json()["items"]
    comment_on = {row["item_id"]: row["id"] for row in queue}
    decide = f"{BASE}/workbench/feedback/moderation"
    refused = await client.post(
        f"{decide}/{comment_on[theirs['id']]}", json={"decision": "rejected"}, headers=caritas.headers
    )
    assert refused.status_code == 403
    allowed = await client.post(
        f"{decide}/{comment_on[ours['id']]}", json={"decision": "approved"}, headers=caritas.headers
    )
    assert allowed.status_code == 200

    # The city's translators still see every item they may have to translate.
    translator = auth_header("translator", city=CITY["id"])
    listed = (await client.get(f"{BASE}/workbench/pages", headers=translator)).json()["items"]
    assert {ours["id"], theirs["id"], others["id"]} <= {i["id"] for i in listed}


async def test_an_xliff_import_naming_another_organisations_item_imports_nothing(client, auth_header) -> None:
    city = ContentApi(client, auth_header("city_admin", city=CITY["id"]))
    caritas = ContentApi(client, auth_header("ngo_editor", city=CITY["id"], org="caritas"))
    ours = await caritas.create("pages", {**PAGE, "title": "Nasza strona"})
    theirs = await city.create("pages", {**PAGE, "title": "Strona miasta"})
    exported = await client.get(f"{BASE}/workbench/translations/en/xliff", headers=city.headers)
    assert ours["id"] in exported.text and theirs["id"] in exported.text
    translated = exported.text.replace(
        "</source></segment>", "</source><target>Translated</target></segment>"
    )
    headers = {**caritas.headers, "Content-Type": "application/xliff+xml"}
    refused = await client.post(
        f"{BASE}/workbench/translations/en/xliff", content=translated.encode(), headers=headers
    )
    assert refused.status_code == 403 and refused.json()["error"]["details"]["files"] == [
        f"page/{theirs['id']}/r1"
    ]
    for item in (ours, theirs):
        stored = await client._transport.app.state.content.items.get(CITY["id"], item["id"])
        assert stored["translations"]["translations"] == {}
