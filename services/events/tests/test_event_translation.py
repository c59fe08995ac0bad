"""Events' texts translated as content's are: what needs translating per language (most asked-for first,
counted from readers' views), XLIFF 2.0 out and back in with each refused unit explained; and the calendar
sources an organisation set, with how their last import went."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import serve, wait_until
from witaj.events.main import create_app

from .conftest import LUBLIN, created

DASHBOARD = "/cities/lublin/workbench/translations"
NS = "{urn:oasis:names:tc:xliff:document:2.0}"


async def test_the_dashboard_lists_what_is_missing_outdated_or_unpublished_per_language(
    client, editor, auth_header, make_event
) -> None:
    one = await created(client, editor, make_event(texts={"title": "Jeden", "description": "Opis"}))
    two = await created(client, editor, make_event(texts={"title": "Dwa"}, publish=False))
    url = f"/cities/lublin/events/{one['id']}/translations/en"
    english = {"title": "One", "description": "Description"}
    for state in ("draft", "translated", "reviewed", "published"):
        assert (
            await client.put(url, json={"state": state, "texts": english}, headers=editor)
        ).status_code == 200
    cancelled = await created(client, editor, make_event(texts={"title": "Odwołane"}))
    await client.post(f"/cities/lublin/events/{cancelled['id']}/cancel", headers=editor)

    work = (await client.get(DASHBOARD, headers=auth_header("translator", city="lublin"))).json()
    english_work = work["languages"]["en"]
    assert [(r["id"], r["reason"]) for r in english_work["items"]] == [(two["id"], "missing")]
    assert {r["id"] for r in work["languages"]["uk"]["items"]} == {one["id"], two["id"]}  # not the cancelled
    assert work["languages"]["uk"]["items"][0]["id"] == one["id"]  # published before drafts
    assert "pl" in work["languages"] and work["languages"]["pl"]["items"] == []  # the source language

    view = (await client.get(f"/cities/lublin/workbench/events/{one['id']}", headers=editor)).json()
    edited = {**view["body"], "texts": {"title": "Jeden", "description": "Nowy opis"}}
    assert (
        await client.put(f"/cities/lublin/events/{one['id']}", json=edited, headers=editor)
    ).status_code == 200
    work = (await client.get(DASHBOARD, headers=editor)).json()
    reasons = {r["id"]: r["reason"] for r in work["languages"]["en"]["items"]}
    assert reasons == {one["id"]: "outdated", two["id"]: "missing"}
    others = (
        await client.get(DASHBOARD, headers=auth_header("ngo_editor", city="lublin", org="org-2"))
    ).json()
    assert others["languages"]["en"]["items"] == []  # another organisation's editors see none of these


async def test_most_asked_for_comes_first(make_settings, editor, make_event) -> None:
    """Readers who asked for Ukrainian and got Polish are the demand a Ukrainian translation meets."""
    from witaj.events.settings import EventsSettings

    settings = make_settings(EventsSettings, count_demand=True)
    async with serve(create_app(settings)) as client:
        await announce_city(settings.kafka, LUBLIN)
        runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
        await wait_until(lambda: runtime.cities.get("lublin"), message="the events service to learn Lublin")
        quiet = await created(client, editor, make_event(texts={"title": "Cicho"}))
        wanted = await created(client, editor, make_event(texts={"title": "Popularne"}))
        for _ in range(3):
            assert (
                await client.get(f"/cities/lublin/events/{wanted['id']}", params={"lang": "uk"})
            ).status_code == 200

        async def ukrainian() -> list[dict]:
            work = (await client.get(DASHBOARD, headers=editor)).json()
            rows = work["languages"]["uk"]["items"]
            return rows if rows and rows[0]["demand"] == 3 else []

        rows = await wait_until(ukrainian, message="three Ukrainian views counted", timeout=30, interval=0.2)
        assert [r["id"] for r in rows] == [wanted["id"], quiet["id"]] and rows[0]["views"] == 3


async def test_xliff_goes_out_and_comes_back_with_each_refused_unit_explained(
    client, editor, auth_header, make_event
) -> None:
    texts = {"title": "Kurs", "description": "Dla dorosłych", "accessibility_notes": "Winda"}
    event = await created(client, editor, make_event(texts=texts))
    changed = await created(client, editor, make_event(texts={"title": "Zmienione"}))
    translator = auth_header("translator", city="lublin")
    url = f"{DASHBOARD}/uk/xliff"

    exported = await client.get(url, headers=translator)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith(
        "application/xliff+xml"
    )
    assert "witaj-events-lublin-pl-uk.xlf" in exported.headers["content-disposition"]
    root = ET.fromstring(exported.content)
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "pl", "uk")
    files = {f.get("id"): f for f in root.iter(f"{NS}file")}
    ours = files[f"f{event['id']}"]
    assert ours.get("original") == f"event/{event['id']}/r1"
    assert [u.get("id") for u in ours.iter(f"{NS}unit")] == ["title", "description", "accessibility_notes"]
    for unit in ours.iter(f"{NS}unit"):
        ET.SubElement(unit.find(f"{NS}segment"), f"{NS}target").text = f"uk: {unit.get('id')}"
    theirs = files[f"f{changed['id']}"]
    ET.SubElement(theirs.find(f"{NS}unit/{NS}segment"), f"{NS}target").text = "Змінене"
    for other in [f for f in root.findall(f"{NS}file") if f not in (ours, theirs)]:
        root.remove(other)
    view = (await client.get(f"/cities/lublin/workbench/events/{changed['id']}", headers=editor)).json()
    edited = {**view["body"], "texts": {"title": "Zmienione znowu"}}
    assert (
        await client.put(f"/cities/lublin/events/{changed['id']}", json=edited, headers=editor)
    ).status_code == 200

    document = ET.tostring(root, encoding="utf-8")
    imported = await client.post(
        url, content=document, headers={**translator, "Content-Type": "application/xliff+xml"}
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert report["applied"] == [{"item_id": event["id"], "units": 3}]
    assert report["rejected"] == [
        {"file": f"event/{changed['id']}/r1", "unit": None, "reason": "source_changed"},
        {"file": f"event/{changed['id']}/r1", "unit": "title", "reason": "source_mismatch"},
    ]
    ukrainian = (
        await client.get(f"/cities/lublin/workbench/events/{event['id']}", headers=translator)
    ).json()
    assert ukrainian["translations"]["uk"]["state"] == "translated"  # for the organiser to publish
    assert ukrainian["translations"]["uk"]["fields"]["accessibility_notes"] == "uk: accessibility_notes"

    outsider = auth_header("ngo_editor", city="lublin", org="org-2")
    refused = await client.post(
        url, content=document, headers={**outsider, "Content-Type": "application/xliff+xml"}
    )
    assert refused.status_code == 403  # names events of another organisation: nothing imported
    for broken, code in (
        (b"<xliff/>", "invalid_xliff"),
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", "invalid_xliff"),
    ):
        answer = await client.post(url, content=broken, headers=translator)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == code
    wrong = document.replace(b'trgLang="uk"', b'trgLang="en"')
    assert (await client.post(url, content=wrong, headers=translator)).json()["error"][
        "code"
    ] == "language_mismatch"


@pytest.mark.parametrize("language", ["pl", "xx"])
async def test_no_xliff_for_the_source_language_or_one_the_city_lacks(client, editor, language) -> None:
    answer = await client.get(f"{DASHBOARD}/{language}/xliff", headers=editor)
    assert answer.status_code == (400 if language == "pl" else 404)


async def test_calendar_sources_say_how_their_last_import_went(
    client, editor, auth_header, calendar_server
) -> None:
    calendar = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a@ngo\nSUMMARY:Kurs\nDTSTART:20300101T100000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    server = calendar_server(calendar)
    async with server as address:
        source = "/cities/lublin/calendar-sources/main"
        assert (await client.put(source, json={"url": address}, headers=editor)).status_code == 204
        assert (await client.get("/cities/lublin/calendar-sources", headers=editor)).json()[0][
            "last_result"
        ] is None
        result = await client.post(f"{source}/import", headers=editor)
        assert result.status_code == 200 and result.json()["created"] == 1
        server.status = 500
        failed = await client.post(f"{source}/import", headers=editor)
        assert failed.status_code == 502 and failed.json()["error"]["code"] == "calendar_unreachable"

    [listed] = (await client.get("/cities/lublin/calendar-sources", headers=editor)).json()
    assert listed["name"] == "main" and listed["organisation"] == "org-1" and listed["url"] == address
    assert listed["last_result"]["created"] == 1 and listed["last_error_code"] == "calendar_unreachable"
    admin = auth_header("city_admin", city="lublin")
    assert [
        s["name"] for s in (await client.get("/cities/lublin/calendar-sources", headers=admin)).json()
    ] == ["main"]
    other = auth_header("ngo_editor", city="lublin", org="org-2")
    assert (await client.get("/cities/lublin/calendar-sources", headers=other)).json() == []


async def test_each_problem_of_an_imported_file_has_a_reason(client, editor) -> None:
    calendar = (
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:ok@ngo\nSUMMARY:Dobre\nDTSTART:20300101T100000Z\nEND:VEVENT\n"
        b"BEGIN:VEVENT\nSUMMARY:Bez UID\nDTSTART:20300101T100000Z\nEND:VEVENT\n"
        b"BEGIN:VEVENT\nUID:never@ngo\nDTSTART:20300101T100000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n"
        b"END:VCALENDAR\n"
    )
    answer = await client.post(
        "/cities/lublin/events/import", content=calendar, headers={**editor, "Content-Type": "text/calendar"}
    )
    assert answer.status_code == 200, answer.text
    assert [(e["event"], e["reason"]) for e in answer.json()["errors"]] == [
        (2, "no_uid"),
        (3, "invalid_schedule"),
    ]
