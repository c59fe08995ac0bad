"""Search quality: a small corpus in eight languages, inflected queries, and what must rank first."""

from __future__ import annotations

import pytest
from witaj.devkit.testing import read_topic
from witaj.shared.envelope import registry
from witaj.shared.topics import USAGE

from .conftest import CITY

CORPUS = {
    "pl": [
        ("Karta pobytu czasowego", "Jak złożyć wniosek o kartę pobytu w urzędzie wojewódzkim."),
        ("Ubezpieczenie zdrowotne", "Zgłoszenie do NFZ i wizyta u lekarza rodzinnego."),
        ("Kursy języka polskiego", "Bezpłatne kursy językowe dla dorosłych."),
    ],
    "en": [
        ("Renting an apartment", "Leases, deposits and what landlords may ask."),
        ("Registering with a doctor", "How to choose a family doctor and book visits."),
        ("Finding a job", "Job centres, work permits and contracts."),
    ],
    "uk": [
        ("Медичне страхування", "Як отримати страховку та записатися до лікаря."),
        ("Оренда квартири", "Договір оренди, застава та права орендаря."),
        ("Курси польської мови", "Безкоштовні мовні курси для дорослих."),
    ],
    "ru": [
        ("Медицинская страховка", "Как получить страховку и записаться к врачу."),
        ("Аренда квартиры", "Договор аренды и залог."),
        ("Поиск работы", "Центры занятости и разрешение на работу."),
    ],
    "ar": [
        ("التأمين الصحي", "كيف تسجل في التأمين وتزور الطبيب."),
        ("استئجار شقة", "عقد الإيجار والتأمين المالي."),
        ("البحث عن عمل", "مكاتب العمل وتصاريح العمل."),
    ],
    "de": [
        ("Wohnung mieten", "Mietvertrag, Kaution und Rechte der Mieter."),
        ("Krankenversicherung", "Anmeldung bei der Krankenkasse und beim Hausarzt."),
        ("Arbeit finden", "Arbeitsagentur, Arbeitserlaubnis und Verträge."),
    ],
    "zh": [("医疗保险", "如何办理医疗保险并预约医生。"), ("租房", "租赁合同和押金。")],
    "fa": [
        ("بیمه درمانی", "چگونه بیمه بگیریم و به پزشک مراجعه کنیم."),
        ("اجاره آپارتمان", "قرارداد اجاره و ودیعه."),
    ],
}

QUERIES = [
    ("pl", "kartę pobytu", "Karta pobytu czasowego"),
    ("pl", "ubezpieczenia zdrowotnego", "Ubezpieczenie zdrowotne"),
    ("en", "rent apartments", "Renting an apartment"),
    ("en", "doctors", "Registering with a doctor"),
    ("uk", "оренду квартир", "Оренда квартири"),
    ("uk", "страхуванням", "Медичне страхування"),
    ("ru", "работу", "Поиск работы"),
    ("ru", "квартиру", "Аренда квартиры"),
    ("ar", "الصحي", "التأمين الصحي"),
    ("de", "Wohnungen", "Wohnung mieten"),
    ("de", "Krankenversicherungen", "Krankenversicherung"),
    ("zh", "保险", "医疗保险"),
    ("fa", "بیمه", "بیمه درمانی"),
]


@pytest.fixture
async def corpus(api) -> None:
    for language, documents in CORPUS.items():
        for title, summary in documents:
            item = await api.create(
                "pages", {"title": title, "summary": summary, "topics": ["health"]}, source_language=language
            )
            await api.publish(item["id"])


async def test_inflected_queries_find_the_right_item_first_in_every_language(
    client, corpus, settings
) -> None:
    for language, query, expected in QUERIES:
        response = await client.get(f"/cities/{CITY['id']}/search", params={"q": query, "lang": language})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert items and items[0]["title"] == expected, (language, query, [i["title"] for i in items])
        assert items[0]["highlights"] and items[0]["highlights"][0]["spans"]

    records = await read_topic(settings.kafka, USAGE, count=len(QUERIES))
    searches = [
        registry.decode(r.value).data
        for r in records
        if registry.decode(r.value).type == "usage.search_performed"
    ]
    assert {s.query for s in searches} >= {"kartę pobytu", "保险"}


async def test_unknown_words_give_zero_results_and_say_so(client, corpus, settings) -> None:
    response = await client.get(
        f"/cities/{CITY['id']}/search",
        params={"q": "xylofon", "lang": "pl"},
        headers={"X-Session-Id": "session-123456"},
    )
    assert response.json()["total"] == 0
    records = await read_topic(settings.kafka, USAGE, count=1)
    event = registry.decode(records[-1].value).data
    assert event.zero_results and event.session == "session-123456"


@pytest.mark.parametrize("query", ["!!!", "   "])
async def test_queries_without_words_are_refused(client, query) -> None:
    response = await client.get(f"/cities/{CITY['id']}/search", params={"q": query})
    assert response.status_code in (400, 422)


async def test_search_filters_by_kind_and_follows_unpublishing(client, api, editor) -> None:
    term = await api.published("glossary", {"title": "PESEL", "definition": "Numer identyfikacyjny"})
    page = await api.published("pages", {"title": "Jak dostać PESEL", "body": "Numer PESEL nadaje gmina."})
    found = (
        await client.get(f"/cities/{CITY['id']}/search", params={"q": "pesel", "kind": "glossary_term"})
    ).json()
    assert [i["id"] for i in found["items"]] == [term]
    await client.post(
        f"/cities/{CITY['id']}/workbench/items/{page}/status", json={"status": "archived"}, headers=editor
    )
    found = (await client.get(f"/cities/{CITY['id']}/search", params={"q": "pesel"})).json()
    assert [i["id"] for i in found["items"]] == [term]
