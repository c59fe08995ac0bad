"""Readers tell the editors what a search did not find; editors see it, most reported first."""

from __future__ import annotations

from witaj.shared.ratelimit import PUBLIC_WRITE

from .conftest import CITY

BASE = f"/cities/{CITY['id']}"


async def test_reports_reach_the_editors_grouped_by_query_with_their_comments(client, editor) -> None:
    reports = [
        {"query": "Zasiłek  dla bezrobotnych", "language": "pl", "comment": "Straciłem pracę, co dalej?"},
        {"query": "zasiłek dla bezrobotnych", "language": "pl"},
        {"query": "дитячий садок", "language": "uk", "comment": "Де записати дитину?"},
    ]
    for report in reports:
        answer = await client.post(f"{BASE}/gaps", json=report)
        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "received"

    listed = await client.get(f"{BASE}/workbench/gaps", headers=editor)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 2
    first, second = page["items"]
    assert (first["query"], first["language"], first["reports"]) == ("zasiłek dla bezrobotnych", "pl", 2)
    assert first["comments"] == ["Straciłem pracę, co dalej?"]
    assert (second["query"], second["reports"], second["comments"]) == (
        "дитячий садок",
        1,
        ["Де записати дитину?"],
    )

    ukrainian = (await client.get(f"{BASE}/workbench/gaps", params={"language": "uk"}, headers=editor)).json()
    assert [gap["query"] for gap in ukrainian["items"]] == ["дитячий садок"]


async def test_a_report_keeps_no_e_mail_address_phone_or_document_number(client, editor) -> None:
    report = {
        "query": "karta pobytu AB1234567 jan.kowalski@example.org",
        "language": "pl",
        "comment": "Proszę o telefon: +48 601 234 567",
    }
    assert (await client.post(f"{BASE}/gaps", json=report)).status_code == 202
    [gap] = [
        g
        for g in (await client.get(f"{BASE}/workbench/gaps", headers=editor)).json()["items"]
        if g["query"].startswith("karta pobytu")
    ]
    stored = gap["query"] + " ".join(gap["comments"])
    assert "AB1234567".lower() not in stored.lower() and "kowalski" not in stored and "601" not in stored
    assert gap["comments"] == ["Proszę o telefon: [number]"]


async def test_only_the_citys_editorial_staff_see_the_reports(client, auth_header) -> None:
    await client.post(f"{BASE}/gaps", json={"query": "praca", "language": "pl"})
    assert (await client.get(f"{BASE}/workbench/gaps")).status_code == 401
    other_city = auth_header("pa_editor", city="lublin")
    assert (await client.get(f"{BASE}/workbench/gaps", headers=other_city)).status_code == 403


async def test_a_report_needs_words_a_known_city_and_one_of_its_languages(client) -> None:
    empty = await client.post(f"{BASE}/gaps", json={"query": " ?! ", "language": "pl"})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_query"
    foreign = await client.post(f"{BASE}/gaps", json={"query": "praca", "language": "sv"})
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "unknown_language"
    nowhere = await client.post("/cities/atlantis/gaps", json={"query": "praca", "language": "pl"})
    assert nowhere.status_code == 404
    too_long = await client.post(f"{BASE}/gaps", json={"query": "x" * 201, "language": "pl"})
    assert too_long.status_code == 422


async def test_the_report_is_a_rate_limited_public_write_whose_records_expire(client) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    route = paths["/cities/{city}/gaps"]["post"]
    assert route[PUBLIC_WRITE] is True and "429" in route["responses"]
    indexes = await client._transport.app.state.content.gaps.index_information()
    assert indexes["retention"]["expireAfterSeconds"] == 365 * 24 * 3600
