"""Every back-office page type in a real browser on a phone screen: no WCAG 2.2 A/AA violation that
axe-core can find, and screenshots (phone and desk) for people to look at. The Arabic translation editor
holds right-to-left text in a left-to-right interface."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from office_helpers import DESKTOP, browser_sign_in
from playwright.sync_api import Page
from web_helpers import reader_address, screenshot

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
PROCESS = "lublin-temporary-residence"
PAGE_TYPES = {
    # name: (who, address)
    "sign-in": (None, "/office/sign-in"),
    "sign-in-expired": (None, "/office/sign-in?why=expired"),
    "signed-out": (None, "/office/signed-out"),
    "dashboard": ("pa_editor", "/office/lublin"),
    "cities": ("platform_admin", "/office"),
    "no-work": ("ngo_editor", "/office"),  # without an organisation claim
    "not-yours": ("translator", "/office/lublin/items/lublin-renting/edit"),
    "not-found": ("pa_editor", "/office/lublin/items/no-such-item"),
    "list": ("pa_editor", "/office/lublin/content/processes"),
    "new-procedure": ("pa_editor", "/office/lublin/content/processes/new"),
    "edit-organisation": ("pa_editor", "/office/lublin/items/lublin-homo-faber/edit"),
    "item": ("pa_editor", f"/office/lublin/items/{PROCESS}"),
    "history": ("pa_editor", f"/office/lublin/items/{PROCESS}/history"),
    "translations": ("translator", "/office/lublin/translations"),
    "translation-language": ("translator", "/office/lublin/translations/ar"),
    "translate-arabic": ("translator", f"/office/lublin/items/{PROCESS}/translations/ar"),
    "translate-ukrainian": ("pa_editor", f"/office/lublin/items/{PROCESS}/translations/uk"),
    "information-gaps": ("translator", "/office/lublin/gaps"),
    "suggestions": ("pa_editor", "/office/lublin/suggestions?status=accepted"),
    "faq-from-questions": ("pa_editor", "/office/lublin/faq"),
}


def check(page: Page, name: str) -> None:
    result = Axe().run(page, options=RULES)
    screenshot(page, f"office-{name}-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"office-{name}-desktop")
    assert result.violations_count == 0, result.generate_report()


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_the_page_type_has_no_accessibility_violations(
    page: Page, web_url: str, identity_provider, name
) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    who, address = PAGE_TYPES[name]
    if who:
        browser_sign_in(
            page, web_url, identity_provider, who, city=None if who == "platform_admin" else "lublin"
        )
    page.goto(web_url + address)
    assert page.locator("html").get_attribute("lang") == "en"
    check(page, name)


def test_an_edit_with_problems_and_its_preview_have_no_accessibility_violations(
    page: Page, web_url: str, identity_provider
) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    browser_sign_in(page, web_url, identity_provider, "pa_editor")
    page.goto(f"{web_url}/office/lublin/items/{PROCESS}/edit")
    page.locator("#preview").get_by_role("heading", level=1).wait_for()  # the preview of what is saved
    page.locator("#f-steps-0-duration-days").fill("a week")
    page.locator("#f-title").fill("")
    page.get_by_role("button", name="Save changes").click()
    page.locator(".error-summary").wait_for()
    check(page, "edit-with-problems")


def test_the_back_office_in_polish_and_ukrainian_has_no_accessibility_violations(
    page: Page, web_url: str, identity_provider
) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    browser_sign_in(page, web_url, identity_provider, "pa_editor")
    for language, heading in (("pl", "Pulpit"), ("uk", "Огляд")):
        page.goto(f"{web_url}/office/lublin")
        page.locator("#office-language").select_option(language)
        page.get_by_role("button", name={"pl": "Change", "uk": "Zmień"}[language]).click()
        page.get_by_role("heading", name=heading).wait_for()
        assert page.locator("html").get_attribute("lang") == language
        page.set_viewport_size({"width": 360, "height": 640})
        check(page, f"dashboard-{language}")
