"""City administration and moderation in a real browser: a city admin adds a language and migrants are offered it; a
topic is added without JavaScript; the settings and topic pages have no WCAG 2.2 A/AA violation on a
phone. Each test has a city of its own, created through the content API by a platform admin."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from office_helpers import browser_sign_in
from playwright.sync_api import Page, expect
from test_office_accessibility import check
from test_office_browser import no_js_page  # noqa: F401  (the same phone without JavaScript)
from web_helpers import reader_address, screenshot


@pytest.fixture
def city(platform: dict[str, str], auth_header: Callable[..., dict[str, str]]) -> str:
    city = f"c{uuid.uuid4().hex[:8]}"
    body = {
        "id": city, "name": f"Miasto {city}", "country": "PL", "default_language": "pl",
        "languages": ["pl", "en", "uk"],
    }  # fmt: skip
    created = httpx.post(
        f"{platform['content']}/cities", json=body, headers=auth_header("platform_admin"), timeout=20
    )
    assert created.status_code == 201, created.text
    return city


@pytest.fixture(autouse=True)
def one_person_each(page: Page) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})


def test_a_city_admin_adds_a_language_and_the_migrant_app_offers_it(
    page: Page, web_url: str, identity_provider, city: str
) -> None:
    browser_sign_in(page, web_url, identity_provider, "city_admin", city=city)
    page.get_by_role("link", name="City settings").click()
    expect(page.get_by_role("heading", name="City settings")).to_be_visible()
    page.get_by_role("checkbox", name="Tiếng Việt").check()
    page.locator("#f-fallbacks-uk").fill("pl")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The settings are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Tiếng Việt")).to_be_checked()
    expect(page.locator("#f-fallbacks-vi")).to_be_visible()  # the new language has its own fallback row
    screenshot(page, "office-city-language-added-phone")

    page.goto(f"{web_url}/{city}/pl/language")
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_url(f"{web_url}/{city}/vi**")
    screenshot(page, "office-city-language-offered-phone")


def test_a_topic_is_added_and_renamed_without_javascript(
    no_js_page: Page,  # noqa: F811
    web_url: str,
    identity_provider,
    city: str,
) -> None:
    page = no_js_page
    browser_sign_in(page, web_url, identity_provider, "city_admin", city=city)
    page.goto(f"{web_url}/office/{city}/topics")
    page.locator("#f-id").fill("bikes")
    page.locator("#f-parent").select_option("housing")
    page.locator("#f-labels-pl").fill("Rowery")
    page.get_by_role("button", name="Add the topic").click()
    expect(page.get_by_text("The topic is added.")).to_be_visible()
    entry = page.locator("#topic-bikes")
    expect(entry).to_contain_text("Label missing")

    entry.get_by_role("link", name="Rowery").click()
    page.locator("#f-labels-en").fill("Bicycles")
    page.locator("#f-labels-uk").fill("Велосипеди")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#topic-bikes")).to_contain_text("Labelled in every language of the city.")

    page.locator("#f-id").fill("bikes")  # the same id again: the API's refusal, next to the input
    page.locator("#f-labels-pl").fill("Rowery")
    page.get_by_role("button", name="Add the topic").click()
    expect(page.locator("#f-id-error")).to_contain_text("A topic with this id exists already")


@pytest.mark.parametrize("address", ["settings", "topics", "topics/housing", "settings-with-problems"])
def test_the_city_administration_pages_have_no_accessibility_violations(
    page: Page, web_url: str, identity_provider, city: str, address: str
) -> None:
    browser_sign_in(page, web_url, identity_provider, "city_admin", city=city)
    if address == "settings-with-problems":
        page.goto(f"{web_url}/office/{city}/settings")
        page.locator("#f-default-language").select_option("vi")
        page.locator("#f-timezone").fill("Mars/Olympus")
        page.get_by_role("button", name="Save settings").click()
        page.locator(".error-summary").wait_for()
    else:
        page.goto(f"{web_url}/office/{city}/{address}")
    check(page, "city-" + address.replace("/", "-"))


def test_an_editor_moderates_a_readers_comment_without_javascript(
    no_js_page: Page,  # noqa: F811
    web_url: str,
    identity_provider,
) -> None:
    page = no_js_page
    comment = f"Is the deposit given back? {uuid.uuid4().hex[:6]}"
    for _ in range(3):  # a platform that has only just started may answer its first page slowly (503)
        page.goto(f"{web_url}/lublin/en/pages/lublin-renting")
        if page.locator("#feedback textarea").count():
            break
    page.locator("#feedback textarea").fill(comment)
    page.locator("#feedback button[type=submit]").last.click()
    page.wait_for_url("**feedback=sent**")

    browser_sign_in(page, web_url, identity_provider, "pa_editor")
    page.get_by_role("link", name="Feedback").click()
    entry = page.locator(".moderation__comment", has_text=comment)
    expect(entry).to_have_count(1)
    entry.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("The comment is approved")).to_be_visible()
    expect(page.locator(".moderation__comment", has_text=comment)).to_have_count(0)
    screenshot(page, "office-feedback-approved-phone")


def test_the_feedback_page_has_no_accessibility_violations(
    page: Page, web_url: str, identity_provider
) -> None:
    browser_sign_in(page, web_url, identity_provider, "pa_editor")
    page.goto(f"{web_url}/office/lublin/feedback")
    expect(page.get_by_role("heading", name="Readers' feedback")).to_be_visible()
    check(page, "feedback")
