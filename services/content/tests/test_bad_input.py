"""Bad input gets a clear 4xx in the platform's error shape, and nothing is half-written."""

from __future__ import annotations

import pytest

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}"


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/workbench/pages", {"content": {**PAGE, "title": ""}}, 422, "validation_failed"),
        ("/workbench/pages", {"content": {**PAGE, "title": "x" * 201}}, 422, "validation_failed"),
        ("/workbench/pages", {"content": {**PAGE, "colour": "red"}}, 422, "validation_failed"),
        ("/workbench/pages", {"content": {**PAGE, "topics": ["Not A Slug"]}}, 422, "validation_failed"),
        ("/workbench/pages", {"content": PAGE, "source_language": "tlh"}, 400, "unknown_language"),
        ("/workbench/processes", {"content": {"title": "Bez kroków", "steps": []}}, 422, "validation_failed"),
        (
            "/workbench/organisations",
            {"content": {"title": "X", "address": "A", "location": {"lat": 91, "lon": 0}}},
            422,
            "validation_failed",
        ),
        ("/workbench/unicorns", {"content": PAGE}, 405, "method_not_allowed"),
    ],
)
async def test_invalid_bodies_are_refused_clearly(client, editor, path, body, status, code) -> None:
    response = await client.post(BASE + path, json=body, headers=editor)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    listing = await client.get(f"{BASE}/workbench/pages", headers=editor)
    assert listing.json()["total"] == 0


async def test_oversize_bodies_are_refused_before_parsing(client, editor) -> None:
    response = await client.post(
        f"{BASE}/workbench/pages", json={"content": {**PAGE, "body": "x" * 2_000_000}}, headers=editor
    )
    assert response.status_code == 413


async def test_broken_markdown_and_html_render_safely(client, api) -> None:
    item = await api.published(
        "pages",
        {**PAGE, "body": "**unclosed [link](javascript:alert(1)) <img src=x onerror=alert(1)> <div><p>"},
    )
    html = (await client.get(f"{BASE}/pages/{item}")).json()["html"]["body"]
    assert "onerror" not in html and 'href="javascript' not in html and "<img" in html


async def test_translations_must_match_the_source_fields(client, api) -> None:
    item = await api.create("pages", PAGE)
    path = f"{BASE}/workbench/items/{item['id']}/translations"
    unknown = await client.put(
        f"{path}/en", json={"state": "draft", "fields": {"subtitle": "x"}}, headers=api.headers
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_fields"
    assert (await client.put(f"{path}/xx", json={"state": "draft"}, headers=api.headers)).status_code == 400
    assert (await client.put(f"{path}/pl", json={"state": "draft"}, headers=api.headers)).status_code == 409
    skipped = await client.put(
        f"{path}/en", json={"state": "published", "fields": {"title": "A"}}, headers=api.headers
    )
    assert skipped.status_code == 409 and skipped.json()["error"]["code"] == "invalid_translation_transition"


@pytest.mark.parametrize("path", ["/pages/nope", "/unicorns/nope", "/workbench/items/nope"])
async def test_unknown_things_are_404(client, editor, path) -> None:
    response = await client.get(BASE + path, headers=editor)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_unknown_city_is_404(client) -> None:
    response = await client.get("/cities/atlantis/pages")
    assert response.status_code == 404 and response.json()["error"]["code"] == "city_not_found"
