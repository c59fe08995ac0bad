"""The back office in a real browser: a city editor writes a procedure and publishes it, a translator
translates it into Arabic side by side, and migrants read it, right to left. With JavaScript (the
preview follows the typing) and without (the "Preview" button)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from office_helpers import DESKTOP, browser_sign_in
from playwright.sync_api import Browser, Page, expect
from web_helpers import PHONE, reader_address, screenshot

CITY = "/office/lublin"


@pytest.fixture(scope="module")
def browser_context_args() -> dict[str, Any]:
    """The back office is made for a desk first."""
    return {"viewport": DESKTOP}


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=False)
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    yield context.new_page()
    context.close()


@pytest.fixture
def second_person(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def one_person_each(page: Page) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})


def item_id_of(page: Page) -> str:
    found = re.search(r"/items/([a-z0-9-]+)", page.url)
    assert found, page.url
    return found.group(1)


def test_a_city_editor_writes_a_procedure_publishes_it_and_migrants_read_it(
    page: Page, web_url: str, identity_provider
) -> None:
    browser_sign_in(page, web_url, identity_provider, "pa_editor")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="New procedure").click()

    title = f"Rejestracja psa {uuid.uuid4().hex[:4]}"
    page.locator("#f-title").fill(title)
    page.locator("#f-summary").fill("Jak zarejestrować psa w Lublinie.")
    page.locator("#f-steps-0-title").fill("Wniosek z numerem PESEL")
    page.locator("#f-steps-0-cost-amount").fill("25")
    page.locator("#f-steps-0-documents-needed").fill("Książeczka zdrowia psa\nDowód osobisty")
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name=title)).to_be_visible()  # the preview follows the typing
    expect(preview.locator("button.term")).to_have_count(1)  # "PESEL" is marked as readers will see it
    expect(preview).to_contain_text("25,00")
    screenshot(page, "office-procedure-editing-desktop")

    page.get_by_role("button", name="Add a step").click()
    expect(page.locator("#f-steps-1-title")).to_be_focused()
    page.locator("#f-steps-1-title").fill("Odbiór znaczka")
    page.locator("#f-steps-1-duration-days").fill("7")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    item_id = item_id_of(page)

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("The item is waiting for review.")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The item is published: readers can see it now.")).to_be_visible()
    screenshot(page, "office-item-published-desktop")

    page.goto(f"{web_url}/lublin/pl/processes/{item_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".step")).to_have_count(2)


def test_a_translator_translates_into_arabic_side_by_side_and_migrants_read_it_right_to_left(
    page: Page, second_person: Page, web_url: str, identity_provider, auth_header, platform
) -> None:
    import httpx

    editor = auth_header("pa_editor", city="lublin")
    steps = [{"title": "Wniosek", "documents_needed": ["Paszport"]}, {"title": "Odbiór karty"}]
    content = {
        "title": f"Karta biblioteczna {uuid.uuid4().hex[:4]}",
        "summary": "Jak ją dostać",
        "steps": steps,
    }
    with httpx.Client(base_url=f"{platform['content']}/cities/lublin/workbench", headers=editor) as api:
        item_id = api.post("/processes", json={"content": content}).json()["id"]
        for status in ("in_review", "published"):
            api.post(f"/items/{item_id}/status", json={"status": status}).raise_for_status()

    browser_sign_in(page, web_url, identity_provider, "translator")
    page.goto(f"{web_url}{CITY}/translations/ar")
    page.get_by_role("link", name=f"Translate – {content['title']}").click()
    title = page.locator('textarea[name="text.title"]')
    expect(title).to_have_attribute("dir", "rtl")
    expect(page.locator("#f-title-source")).to_have_attribute("dir", "ltr")
    arabic = {
        "title": "بطاقة المكتبة", "summary": "كيف تحصل عليها", "steps.0.title": "الطلب",
        "steps.0.documents_needed.0": "جواز السفر", "steps.1.title": "استلام البطاقة",
    }  # fmt: skip
    for path, text in arabic.items():
        page.locator(f'textarea[name="text.{path}"]').fill(text)
    source_box, target_box = page.locator("#f-title-source").bounding_box(), title.bounding_box()
    assert source_box and target_box and source_box["x"] < target_box["x"]  # source left, translation right
    page.get_by_label("Translated", exact=True).check()
    page.get_by_role("button", name="Save translation").click()
    expect(page.get_by_text("The translation is saved.")).to_be_visible()
    expect(page.get_by_label("Published", exact=True)).to_have_count(0)  # an editor publishes
    page.get_by_label("Reviewed", exact=True).check()
    page.get_by_role("button", name="Save translation").click()
    expect(page.get_by_text("The translation is saved.")).to_be_visible()
    screenshot(page, "office-translation-arabic-desktop")

    browser_sign_in(second_person, web_url, identity_provider, "pa_editor")
    second_person.goto(f"{web_url}{CITY}/items/{item_id}/translations/ar")
    second_person.get_by_label("Published", exact=True).check()
    second_person.get_by_role("button", name="Save translation").click()
    expect(second_person.get_by_text("The translation is saved.")).to_be_visible()

    second_person.goto(f"{web_url}/lublin/ar/processes/{item_id}")
    expect(second_person.locator("html")).to_have_attribute("dir", "rtl")
    expect(second_person.get_by_role("heading", level=1)).to_have_text("بطاقة المكتبة")
    expect(second_person.locator(".step").first).to_contain_text("جواز السفر")


def test_without_javascript_the_preview_button_shows_the_page_as_readers_will_see_it(
    no_js_page: Page, web_url: str, identity_provider
) -> None:
    page = no_js_page
    browser_sign_in(page, web_url, identity_provider, "ngo_editor", org="homo-faber")
    page.goto(f"{web_url}{CITY}/content/pages/new")
    page.locator("#f-title").fill("Kurs polskiego dla dorosłych")
    page.locator("#f-body").fill("Zapisy z **kartą pobytu** lub paszportem.")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Kurs polskiego dla dorosłych")).to_be_visible()
    expect(preview.locator("strong")).to_contain_text("kartą pobytu")
    expect(page.locator("#f-title")).to_have_value("Kurs polskiego dla dorosłych")
    screenshot(page, "office-preview-without-javascript-phone")

    page.locator("#f-title").fill("")
    page.get_by_role("button", name="Save as draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Title: Fill this in")
    summary.get_by_role("link", name="Title: Fill this in").click()
    assert page.url.endswith("#f-title")
    page.locator("#f-title").fill("Kurs polskiego dla dorosłych")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    expect(
        page.get_by_text("homo-faber").first
    ).to_be_visible()  # an NGO editor's item is their organisation's
