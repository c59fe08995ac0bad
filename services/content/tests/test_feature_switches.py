"""A city's feature switches are enforced: a switched-off kind of content is not found (404 with a clear
message) on its pages, its listing, search and feedback; feedback can be switched off on its own; and
public routes answer 404 for a city Witaj does not serve without loading anything for it."""

from __future__ import annotations

import pytest
from witaj.devkit.testing import served_routes, wait_until
from witaj.shared.auth import current_principal
from witaj.shared.events import Feature
from witaj.shared.events.cities import DEFAULT_FEATURES

from .conftest import CITY

BASE = f"/cities/{CITY['id']}"
WORD = "Zorbulon"  # in every title, so one search finds every kind
KINDS = {
    "pages": (Feature.CONTENT, {"title": f"{WORD} strona"}),
    "processes": (Feature.PROCEDURES, {"title": f"{WORD} procedura", "steps": [{"title": "Wniosek"}]}),
    "glossary": (Feature.GLOSSARY, {"title": WORD, "definition": "Termin testowy"}),
    "organisations": (
        Feature.DIRECTORY,
        {"title": f"{WORD} biuro", "address": "ul. Długa 1", "location": {"lat": 54.35, "lon": 18.65}},
    ),
    "practices": (Feature.PRACTICES, {"title": f"{WORD} praktyka", "category": "information_point"}),
}


async def switch_off(client, auth_header, *features: Feature) -> None:
    admin = auth_header("city_admin", city=CITY["id"])
    city = {**CITY, "features": sorted(DEFAULT_FEATURES - set(features))}
    assert (await client.put(BASE, json=city, headers=admin)).status_code == 200
    runtime = client._transport.app.state.runtime
    await wait_until(lambda: all(not runtime.cities.get(CITY["id"]).has(f) for f in features))


def switched_off(response, feature: Feature) -> bool:
    error = response.json()["error"]
    return (
        response.status_code == 404
        and error["code"] == "feature_disabled"
        and feature.value in error["message"]
    )


@pytest.fixture
async def published(api) -> dict[str, str]:
    return {path: await api.published(path, body) for path, (_, body) in KINDS.items()}


@pytest.mark.parametrize("path", sorted(KINDS))
async def test_a_switched_off_kind_of_content_is_not_found_anywhere(
    client, auth_header, published, path
) -> None:
    feature = KINDS[path][0]
    await switch_off(client, auth_header, feature)
    item = published[path]
    feedback = {"language": "pl", "helpful": True}
    assert switched_off(await client.get(f"{BASE}/{path}/{item}"), feature)
    assert switched_off(await client.get(f"{BASE}/{path}"), feature)
    assert switched_off(await client.post(f"{BASE}/{path}/{item}/feedback", json=feedback), feature)
    kind = (
        await client.get(f"{BASE}/workbench/items/{item}", headers=auth_header("city_admin", city=CITY["id"]))
    ).json()["kind"]
    assert switched_off(await client.get(f"{BASE}/search", params={"q": WORD, "kind": kind}), feature)
    found = (await client.get(f"{BASE}/search", params={"q": WORD})).json()["items"]
    assert {row["id"] for row in found} == {i for p, i in published.items() if p != path}
    everywhere = (await client.get("/practices")).json()["items"]
    assert (published["practices"] in {row["id"] for row in everywhere}) is (path != "practices")
    for other, other_item in published.items():  # the rest of the city is as it was
        if other != path:
            assert (await client.get(f"{BASE}/{other}/{other_item}")).status_code == 200


async def test_feedback_can_be_switched_off_alone(client, auth_header, published) -> None:
    await switch_off(client, auth_header, Feature.FEEDBACK)
    page = published["pages"]
    answer = await client.post(f"{BASE}/pages/{page}/feedback", json={"language": "pl", "helpful": True})
    assert switched_off(answer, Feature.FEEDBACK)
    assert (await client.get(f"{BASE}/pages/{page}")).status_code == 200
    assert await client._transport.app.state.content.feedback.count_documents({}) == 0


BODIES = {  # a valid body for each anonymous write, so only the city can be what is refused
    "/cities/{city}/pages/x/feedback": {"language": "pl", "helpful": True},
    "/cities/{city}/gaps": {"query": "praca", "language": "pl"},
    "/cities/{city}/pages/x/suggestions": {"kind": "tip", "language": "pl", "text": "Nowe godziny"},
}


def public_routes(app) -> list[tuple[str, str]]:
    """Every anonymous route of one city (method, path), with its other path parameters filled in."""
    return [
        (
            method,
            served.path.replace("{kind_path:kind}", "pages")
            .replace("{kind_path}", "pages")
            .replace("{item_id}", "x"),
        )
        for served in served_routes(app.routes)
        if "{city}" in served.path and current_principal not in served.calls()
        for method in sorted(served.methods)
    ]


async def test_public_routes_load_nothing_for_a_city_witaj_does_not_serve(client) -> None:
    app = client._transport.app
    cache = app.state.content.published
    routes = public_routes(app)
    paths = {path for _, path in routes}
    assert {"/cities/{city}/pages/x/feedback", "/cities/{city}/pages/x", "/cities/{city}/search"} <= paths
    assert {path for method, path in routes if method == "POST"} == set(BODIES), "add the new write's body"
    loads = cache.loads
    for index, (method, route) in enumerate(routes):
        name = f"made-up-{index}"
        url = route.replace("{city}", name)
        answer = await client.request(method, url, params={"q": "praca"}, json=BODIES.get(route))
        assert answer.status_code == 404, (method, url, answer.text)
        assert cache.loaded(name) is None, url
    assert cache.loads == loads
    assert not [city for city in app.state.content.search_index.cities if city.startswith("made-up")]
