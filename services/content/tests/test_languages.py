# ruff: noqa: RUF001  (texts in the twelve languages are meant)
"""Every language end to end on the demo city: search in each of the twelve, across the reader's language
and the city's own, typo tolerance, and glossary terms marked in their inflected forms."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from witaj.content.main import create_app
from witaj.content.settings import ContentSettings
from witaj.content.stemming import stem
from witaj.devkit.demo.files import load_city
from witaj.devkit.demo.seeding import Stores, seed
from witaj.devkit.sandbox import Sandbox
from witaj.devkit.testing import serve, wait_until

LUBLIN = load_city("lublin")
BASE = "/cities/lublin"
PROCESS = "lublin-temporary-residence"
HEALTH, RENTING, WORK = "lublin-health-insurance", "lublin-renting", "lublin-work"
CARD, OFFICE = "lublin-term-residence-card", "lublin-luw-foreigners"
RTL = {"ar", "prs", "ur"}

# A search in each language, typed as a reader would (inflected), and the item it must find.
SEARCHES = [
    ("pl", "ubezpieczenia zdrowotnego", HEALTH),
    ("en", "renting flats", RENTING),
    ("uk", "медичного страхування", HEALTH),
    ("ru", "карты побыту", PROCESS),
    ("ar", "عقود العمل", WORK),
    ("zh", "医疗保险", HEALTH),
    ("prs", "بیمه‌های صحی", HEALTH),
    ("es", "seguros de salud", HEALTH),
    ("nl", "zorgverzekeringen", HEALTH),
    ("de", "Krankenversicherungen", HEALTH),
    ("ur", "صحت بیمے", HEALTH),
    ("it", "contratti di locazione", RENTING),
]
# The residence card is marked in the office's description in each language, in an inflected form
# wherever the language inflects (Chinese does not).
MARKED = {
    "pl": "karty pobytu", "en": "residence cards", "uk": "карти побиту", "ru": "карты побыту",
    "ar": "بطاقات الإقامة", "zh": "居留卡", "prs": "کارت‌های اقامت", "es": "tarjetas de residencia",
    "nl": "verblijfskaarten", "de": "Aufenthaltskarten", "ur": "رہائشی کارڈوں", "it": "carte di soggiorno",
}  # fmt: skip


@pytest.fixture(scope="module")
async def client(
    kafka_bootstrap: str, mongo_server_url: str, dev_key_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    sandbox = Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=f"lang{uuid.uuid4().hex[:6]}")
    async with serve(create_app(sandbox.settings(ContentSettings, count_demand=False))) as http:
        state = http._transport.app.state.content  # type: ignore[attr-defined]
        await seed(Stores(cities=state.cities, items=state.items), [LUBLIN])
        await wait_until(lambda: state.runtime.cities.get("lublin"), message="Lublin in the catalog")
        yield http


async def search(client: httpx.AsyncClient, query: str, language: str) -> list[dict[str, Any]]:
    response = await client.get(f"{BASE}/search", params={"q": query, "lang": language})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_a_search_in_each_of_the_twelve_languages_finds_the_demo_item(client) -> None:
    assert {language for language, _, _ in SEARCHES} == set(LUBLIN.config.languages)
    for language, query, expected in SEARCHES:
        rows = await search(client, query, language)
        top = [row["id"] for row in rows[:3]]
        assert expected in top, (language, query, top)
        row = rows[top.index(expected)]
        assert (row["language"], row["rtl"]) == (language, language in RTL)
        assert row["title"] == LUBLIN.item(expected).texts(language)["title"]
        assert row["matched_languages"][0] == language
        assert row["highlights"] and row["highlights"][0]["language"] == language


async def test_a_ukrainian_reader_finds_the_residence_permit_by_its_polish_name(client) -> None:
    for query in ("karta pobytu", "karty pobytu", "karta pobitu"):  # as written, inflected, misspelt
        rows = await search(client, query, "uk")
        found = next(row for row in rows[:3] if row["id"] == PROCESS)
        assert found["language"] == "uk" and found["title"] == LUBLIN.item(PROCESS).texts("uk")["title"]
        assert "pl" in found["matched_languages"]
        polish = [h for h in found["highlights"] if h["language"] == "pl"]
        assert polish and any(
            h["snippet"][s:e].lower().startswith("kart") for h in polish for s, e in h["spans"]
        )
    # The reader's own words still come first: the city's language adds matches, it does not replace them.
    rows = await search(client, "карта побиту", "uk")
    assert PROCESS in [row["id"] for row in rows[:3]]
    assert all(row["matched_languages"][0] == "uk" for row in rows[:3])


async def test_one_typo_in_a_word_of_five_letters_or_more_is_forgiven_in_any_script(client) -> None:
    typos = [
        ("pl", "ubezpieczene zdrowotne", HEALTH),
        ("en", "helth insurence", HEALTH),
        ("uk", "медичне страхуванння", HEALTH),
        ("ar", "التأمن الصحي", HEALTH),
        ("de", "Krankenversicherug", HEALTH),
        ("es", "tarjeta de residensia", PROCESS),
    ]
    for language, query, expected in typos:
        assert expected in [row["id"] for row in (await search(client, query, language))[:3]], (
            language,
            query,
        )
    assert await search(client, "xylofonista", "pl") == []  # nothing is near it: still no results


async def test_a_glossary_term_is_marked_in_an_inflected_form_in_each_language(client) -> None:
    for language in LUBLIN.config.languages:
        office = (await client.get(f"{BASE}/organisations/{OFFICE}", params={"lang": language})).json()
        text = office["content"]["description"]
        marks = [text[m["start"] : m["end"]] for m in office["glossary"] if m["term_id"] == CARD]
        assert MARKED[language] in marks, (language, marks)
        assert f'<dfn data-term="{CARD}">{MARKED[language]}</dfn>' in office["html"]["description"]
        forms = LUBLIN.item(CARD).texts(language)
        inflected = MARKED[language] not in {forms["title"], forms["synonyms.0"], forms["synonyms.1"]}
        assert inflected or language == "zh", language


def test_dari_uses_the_persian_stemmer_and_urdu_and_arabic_fold_their_forms() -> None:
    assert stem("کارتهای", "prs") == stem("کارت", "prs") == stem("کارت\u200cهای".replace("\u200c", ""), "fa")
    assert stem("کارڈوں", "ur") == stem("کارڈ", "ur")
    assert stem("بطاقات", "ar") == stem("البطاقة", "ar") == stem("بطاقة", "ar")
    assert stem("كارت", "prs") == stem("کارت", "prs")  # Arabic kaf typed for Persian keheh
