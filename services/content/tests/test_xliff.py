"""XLIFF 2.0 round trip, and imports that are refused with a clear report."""

from __future__ import annotations

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}/workbench/translations"


async def export(client, headers, language: str = "en") -> str:
    response = await client.get(f"{BASE}/{language}/xliff", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xliff+xml")
    return response.text


async def test_export_translate_import_round_trip(client, api) -> None:
    item = await api.create("pages", PAGE)
    document = await export(client, api.headers)
    assert (
        'version="2.0"' in document
        and 'trgLang="en"' in document
        and f"<source>{PAGE['title']}</source>" in document
    )
    translated = document.replace(
        f"<source>{PAGE['title']}</source>", f"<source>{PAGE['title']}</source><target>Flat for rent</target>"
    )
    report = await client.post(
        f"{BASE}/en/xliff",
        content=translated.encode(),
        headers={**api.headers, "Content-Type": "application/xliff+xml"},
    )
    assert report.status_code == 200, report.text
    assert report.json() == {"applied": [{"item_id": item["id"], "units": 1}], "rejected": []}
    status = (
        await client.get(f"/cities/{CITY['id']}/workbench/items/{item['id']}", headers=api.headers)
    ).json()
    assert status["translations"]["en"]["state"] == "translated" and status["translations"]["en"][
        "fields"
    ] == {"title": "Flat for rent"}


async def test_tampered_and_stale_units_are_rejected_with_reasons(client, api) -> None:
    first = await api.create("pages", PAGE)
    second = await api.create("pages", {**PAGE, "title": "Drugi"})
    document = await export(client, api.headers)
    tampered = document.replace(
        f"<source>{PAGE['summary']}</source>", "<source>Zmienione</source><target>Changed</target>"
    )
    tampered = tampered.replace("<source>Drugi</source>", "<source>Drugi</source><target>Second</target>")
    await client.put(
        f"/cities/{CITY['id']}/workbench/pages/{second['id']}",
        json={"content": {**PAGE, "title": "Drugi!"}},
        headers=api.headers,
    )
    report = (await client.post(f"{BASE}/en/xliff", content=tampered.encode(), headers=api.headers)).json()
    reasons = {(r["file"].split("/")[1], r["reason"]) for r in report["rejected"]}
    assert (first["id"], "source_mismatch") in reasons and (second["id"], "source_changed") in reasons
    assert report["applied"] == []


async def test_broken_or_foreign_documents_are_refused(client, api) -> None:
    await api.create("pages", PAGE)
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    for body, code in [
        (b"<xliff", "invalid_xliff"),
        (bomb, "invalid_xliff"),
        (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"/>', "invalid_xliff"),
        ((await export(client, api.headers)).encode(), "language_mismatch"),
    ]:
        response = await client.post(f"{BASE}/de/xliff", content=body, headers=api.headers)
        assert response.status_code == 400 and response.json()["error"]["code"] == code, (
            body[:40],
            response.text,
        )
