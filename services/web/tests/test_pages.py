"""Each page of the migrant app, read over HTTP from the web app running on the real platform."""

from __future__ import annotations

import re

import httpx

PROCESS = "/lublin/ar/processes/lublin-temporary-residence"


def html_lang(page: httpx.Response) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page.text)
    assert found, page.text[:300]
    return found.group(1), found.group(2)


async def test_the_front_door_lists_each_city_with_its_languages_in_their_own_names(web) -> None:
    page = await web.get("/", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert html_lang(page) == ("uk", "ltr")
    assert 'href="/lublin"' in page.text
    for name in ("polski", "українська", "العربية", "English"):
        assert name in page.text
    assert "Виберіть своє місто" in page.text


async def test_a_citys_door_guesses_the_language_from_the_browser_then_remembers_the_choice(web) -> None:
    first = await web.get("/lublin", headers={"Accept-Language": "ar,en;q=0.8"})
    assert first.status_code == 303 and first.headers["location"] == "/lublin/ar"
    chosen = await web.get("/lublin/uk")
    assert chosen.status_code == 200 and chosen.cookies.get("witaj_lang") == "uk"
    again = await web.get("/lublin", headers={"Accept-Language": "ar,en;q=0.8"})
    assert again.headers["location"] == "/lublin/uk"


async def test_the_home_page_shows_the_topic_tree_in_the_readers_language(web) -> None:
    page = await web.get("/lublin/uk")
    assert page.status_code == 200
    assert html_lang(page) == ("uk", "ltr") and page.headers["content-language"] == "uk"
    assert 'href="/lublin/uk/topics/housing"' in page.text and "Житло" in page.text
    assert "Оренда житла" in page.text  # a subtopic, named under its topic
    assert 'action="/lublin/uk/search"' in page.text


async def test_a_topic_page_lists_what_is_written_on_it(web) -> None:
    page = await web.get("/lublin/en/topics/residence")
    assert page.status_code == 200
    assert 'href="/lublin/en/processes/lublin-temporary-residence"' in page.text
    assert 'href="/lublin/en/topics/temporary-residence"' in page.text  # its subtopics
    missing = await web.get("/lublin/en/topics/no-such-topic")
    assert missing.status_code == 404


async def test_a_procedure_in_arabic_is_right_to_left_with_offices_costs_documents_and_terms(web) -> None:
    page = await web.get(PROCESS)
    assert page.status_code == 200
    assert html_lang(page) == ("ar", "rtl")
    text = page.text
    assert text.count('class="step"') == 5
    assert "440" in text and "PLN" in text  # the total cost
    assert "الوثائق التي ستحتاج إليها" in text  # documents needed, gathered from every step
    # The office of a step comes with its address and its opening hours, day names in Arabic.
    assert "ul. Spokojna 4" in text and "الاثنين" in text
    assert 'href="/lublin/ar/organisations/lublin-luw-foreigners"' in text
    # Glossary terms are buttons opening an explanation in place, in the reader's language.
    assert 'popovertarget="term-lublin-term-residence-card"' in text
    popover = re.search(r'<div id="term-lublin-term-residence-card"[^>]*popover[^>]*>(.*?)</div>', text, re.S)
    assert popover and "وثيقة بلاستيكية" in popover.group(1)
    # Tick boxes come from the script; without it they stay hidden and the steps read in full.
    assert text.count('class="step__done" hidden') == 5


async def test_a_page_not_yet_translated_says_which_language_it_is_shown_in(
    web, platform, auth_header
) -> None:
    # The demo is translated into every language the city offers: send one translation back to draft.
    editor = auth_header("pa_editor", city="lublin", org="lublin-city-hall")
    async with httpx.AsyncClient(base_url=platform["content"], headers=editor) as content:
        url = "/cities/lublin/workbench/items/lublin-health-insurance/translations/ru"
        withdrawn = await content.put(url, json={"state": "draft"})
        assert withdrawn.status_code == 200, withdrawn.text
    page = await web.get("/lublin/ru/pages/lublin-health-insurance")
    assert page.status_code == 200
    assert html_lang(page) == ("ru", "ltr")
    assert "поэтому она показана на языке: English" in page.text
    assert '<h1 lang="en" dir="ltr">' in page.text


async def test_every_kind_of_content_has_its_page(web) -> None:
    for address, expected in [
        ("/lublin/en/pages/lublin-renting", "tenancy agreement"),
        ("/lublin/en/glossary/lublin-term-pesel", "eleven-digit number"),
        ("/lublin/en/organisations/lublin-city-foreigners-point", "Opening hours"),
        ("/lublin/en/practices/lublin-practice-diversity-strategy", "Similar practices in other cities"),
        ("/lublin/en/glossary", "lublin-term-nfz"),
        ("/lublin/en/processes", "lublin-temporary-residence"),
        ("/lublin/en/organisations", "lublin-nfz-branch"),
        ("/lublin/en/practices", "lublin-practice-diversity-strategy"),
        ("/lublin/en/pages", "lublin-work"),
    ]:
        page = await web.get(address)
        assert page.status_code == 200, address
        assert expected in page.text, address


async def test_search_in_ukrainian_marks_the_readers_words(web) -> None:
    page = await web.get("/lublin/uk/search", params={"q": "медичне страхування"})
    assert page.status_code == 200
    assert "Результати для «медичне страхування»" in page.text
    assert 'href="/lublin/uk/pages/lublin-health-insurance"' in page.text
    assert re.search(r"<mark>[^<]*страхуван[^<]*</mark>", page.text)


async def test_a_search_that_finds_nothing_offers_to_tell_the_city(web) -> None:
    page = await web.get("/lublin/en/search", params={"q": "zzzqqq"})
    assert page.status_code == 200
    assert "Nothing found for “zzzqqq”" in page.text
    assert 'action="/lublin/en/search/gap"' in page.text and 'name="q" value="zzzqqq"' in page.text
    empty = await web.get("/lublin/en/search", params={"q": "  "})
    assert empty.status_code == 200 and "Nothing found" not in empty.text


async def test_the_language_picker_offers_the_citys_languages_and_leads_back(web) -> None:
    page = await web.get("/lublin/en/language", params={"from": "/processes/lublin-temporary-residence"})
    assert page.status_code == 200
    assert 'href="/lublin/ar/processes/lublin-temporary-residence" lang="ar"' in page.text
    assert "українська" in page.text and "русский" in page.text
    hostile = await web.get("/lublin/en/language", params={"from": "//elsewhere.example/x"})
    assert "elsewhere.example" not in hostile.text


async def test_operations_endpoints_answer_like_every_service(web) -> None:
    assert (await web.get("/health")).json() == {"status": "ok", "service": "web", "version": "0.1.0"}
    ready = await web.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {
            "content": True,
            "events": True,
            "notify": True,
            "stats": True,
            "ask": True,
            "sessions": True,
        },
    }
    await web.get("/lublin/en")
    metrics = await web.get("/metrics")
    assert 'witaj_http_requests_total{method="GET",route="/{city}/{lang}",service="web",status="200"}' in (
        metrics.text
    )
