"""The back office's preview: an unsaved body rendered exactly as a published read, and what translators
need beside the source (its texts flat by path, and the texts of each earlier revision)."""

from __future__ import annotations

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}/workbench"


async def test_a_preview_renders_an_unsaved_body_as_readers_will_read_it(client, api) -> None:
    term = await api.published("glossary", {"title": "kaucja", "definition": "Pieniądze na zabezpieczenie"})
    body = {**PAGE, "body": "Zapłać **kaucję** albo kaucja. <script>alert(1)</script>"}
    preview = await client.post(
        f"{BASE}/preview/pages", json={"content": body, "language": "pl"}, headers=api.headers
    )
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["language"] == "pl" and shown["rtl"] is False and shown["fallback"] is False
    html = shown["html"]["body"]
    assert "<script>" not in html
    # Markdown rendered, and the term marked in its own and in an inflected form, as readers see it.
    assert f'<strong><dfn data-term="{term}">kaucję</dfn></strong>' in html
    assert f'<dfn data-term="{term}">kaucja</dfn>' in html
    assert shown["content"]["title"] == PAGE["title"]
    # Nothing was saved: the city's listing for editors has only the glossary term.
    listed = await client.get(f"{BASE}/pages", headers=api.headers)
    assert listed.json()["total"] == 0


async def test_a_preview_of_an_invalid_body_names_the_fields(client, api) -> None:
    process = {"title": "", "steps": [{"title": "Wniosek", "cost": {"amount": -1}}]}
    refused = await client.post(
        f"{BASE}/preview/processes", json={"content": process, "language": "pl"}, headers=api.headers
    )
    assert refused.status_code == 422
    fields = {d["field"] for d in refused.json()["error"]["details"]}
    assert {"body.content.title", "body.content.steps.0.cost.amount"} <= fields


async def test_a_preview_adds_up_a_procedure_and_reads_right_to_left_in_arabic(client, api) -> None:
    steps = [
        {"title": "طلب", "cost": {"amount": 100, "currency": "PLN"}, "duration_days": 3},
        {"title": "بطاقة", "cost": {"amount": 50, "currency": "PLN"}, "duration_days": 30},
    ]
    shown = await client.post(
        f"{BASE}/preview/processes",
        json={"content": {"title": "الإقامة", "steps": steps}, "language": "ar"},
        headers=api.headers,
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["rtl"] is True
    assert shown.json()["total_cost"] == {"PLN": 150.0} and shown.json()["total_duration_days"] == 33


async def test_a_preview_is_for_the_city_s_staff_in_the_city_s_languages(client, api, auth_header) -> None:
    body = {"content": PAGE, "language": "pl"}
    reader = await client.post(
        f"{BASE}/preview/pages", json=body, headers=auth_header("migrant", city="gdansk")
    )
    assert reader.status_code == 403
    foreign = await client.post(f"{BASE}/preview/pages", json={**body, "language": "sw"}, headers=api.headers)
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "unknown_language"


async def test_translators_see_the_source_texts_of_every_revision(client, api, auth_header) -> None:
    item = await api.create("pages", PAGE)
    assert item["texts"] == {"title": PAGE["title"], "summary": PAGE["summary"], "body": PAGE["body"]}
    await client.put(
        f"{BASE}/pages/{item['id']}", json={"content": {**PAGE, "title": "Nowy tytuł"}}, headers=api.headers
    )
    translator = auth_header("translator", city=CITY["id"])
    history = await client.get(f"{BASE}/items/{item['id']}/versions", headers=translator)
    assert history.status_code == 200, history.text
    assert [v["texts"]["title"] for v in history.json()] == ["Nowy tytuł", PAGE["title"]]
    outsider = auth_header("translator", city="lublin")
    assert (await client.get(f"{BASE}/items/{item['id']}/versions", headers=outsider)).status_code == 403
