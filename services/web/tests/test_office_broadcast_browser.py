"""Urgent notices in a real browser on a phone screen: a PA editor, working in Polish, writes a notice in
Polish and Arabic, previews it (the Arabic right to left inside the Polish page), is stopped until they
confirm, sends it, and a migrant with the Arabic inbox open sees it arrive. The editor's browser runs
JavaScript, and then does not: every step is a form. axe-core (which runs in the page, so with
JavaScript on) finds no WCAG 2.2 A/AA violation on any of the pages, the one with a problem included."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from office_helpers import browser_sign_in
from playwright.sync_api import Browser, Page, expect
from web_helpers import PHONE, reader_address, screenshot
from witaj.devkit.cities import new_city

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
TITLE_AR = "مكتب السكن مغلق غدا"
BODY_AR = "يوم الجمعة 14 مارس المكتب في شارع ناروتوفيتشا 4 مغلق."


def phone(browser: Browser, *, script: bool) -> Page:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=script)
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    return context.new_page()


@pytest.fixture(params=["script", "no-script"])
def script(request: pytest.FixtureRequest) -> bool:
    return request.param == "script"  # type: ignore[no-any-return]


@pytest.fixture
def editor(browser: Browser, script: bool) -> Iterator[Page]:
    page = phone(browser, script=script)
    yield page
    page.context.close()


@pytest.fixture
def migrant(browser: Browser) -> Iterator[Page]:
    page = phone(browser, script=True)
    yield page
    page.context.close()


def accessible(page: Page, name: str, *, script: bool) -> None:
    screenshot(page, f"office-broadcast-{name}-{'phone' if script else 'phone-no-script'}")
    if script:
        result = Axe().run(page, options=RULES)
        assert result.violations_count == 0, result.generate_report()


def test_a_pa_editor_previews_and_sends_a_notice_the_migrants_open_inbox_shows(
    editor: Page, migrant: Page, script: bool, web_url: str, platform, auth_header, identity_provider
) -> None:
    city = new_city(
        platform["content"], auth_header("platform_admin"), languages=["pl", "en", "ar"], prefix="alert"
    )
    migrant.goto(f"{web_url}/{city}/ar/notifications")
    migrant.locator('input[name="topic"][value="housing"]').check()
    migrant.locator("form").filter(has=migrant.locator('input[name="topic"]')).locator(
        "button[type=submit]"
    ).tap()
    expect(migrant).to_have_url(re.compile(rf"/{city}/ar/inbox\?done=subscribed$"))

    browser_sign_in(editor, web_url, identity_provider, "pa_editor", city=city)
    editor.locator("#office-language").select_option("pl")
    editor.get_by_role("button", name="Change").click()
    expect(editor.locator("html")).to_have_attribute("lang", "pl")
    editor.get_by_role("link", name="Pilne komunikaty").click()
    expect(editor.get_by_text("Nie wysłano jeszcze żadnego pilnego komunikatu.")).to_be_visible()
    accessible(editor, "list-empty-pl", script=script)

    editor.get_by_role("link", name="Nowy pilny komunikat").first.click()
    expect(editor.get_by_role("heading", name="Nowy pilny komunikat")).to_be_visible()
    title_pl = f"Wydział Mieszkań nieczynny jutro {uuid.uuid4().hex[:4]}"
    editor.locator("#topic-housing").check()
    editor.locator("#f-texts-pl-title").fill(title_pl)
    editor.locator("#f-texts-pl-body").fill("W piątek 14 marca biuro przy ul. Narutowicza 4 jest zamknięte.")
    arabic = editor.locator("#f-texts-ar-title")
    expect(arabic).to_have_attribute("dir", "rtl")
    arabic.fill(TITLE_AR)
    editor.locator("#f-texts-ar-body").fill(BODY_AR)
    accessible(editor, "new-pl", script=script)

    editor.get_by_role("button", name="Podgląd").click()
    expect(editor.get_by_role("heading", name="Sprawdź komunikat przed wysłaniem")).to_be_visible()
    expect(editor.get_by_text("Ten komunikat trafi teraz do 1 subskrybenta.")).to_be_visible()
    message = editor.locator('.broadcast-message[lang="ar"]')
    expect(message).to_contain_text(TITLE_AR)
    if script:  # the style as the browser computed it (reading it runs a script in the page)
        assert message.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert editor.locator("html").get_attribute("dir") == "ltr"  # a Polish page around it
    box, title = message.bounding_box(), message.locator(".broadcast-message__title").bounding_box()
    assert box and title and title["x"] + title["width"] > box["x"] + box["width"] - 30  # starts at the right
    accessible(editor, "preview-pl-with-arabic", script=script)

    editor.get_by_role("button", name="Wyślij teraz").click()
    expect(editor.locator(".error-summary")).to_contain_text("Zaznacz pole")
    accessible(editor, "preview-unconfirmed-pl", script=script)
    editor.get_by_label("Sprawdziłem/sprawdziłam wszystkie języki: wyślij komunikat teraz").check()
    editor.get_by_role("button", name="Wyślij teraz").click()
    expect(editor.get_by_text("Komunikat jest w drodze do subskrybentów.")).to_be_visible()
    expect(editor).to_have_url(re.compile(rf"/office/{city}/broadcasts/b[0-9a-f]{{31}}\?done=sent$"))
    accessible(editor, "sent-pl", script=script)

    arrived = migrant.locator(".message", has_text=TITLE_AR)
    expect(arrived).to_be_visible(timeout=30_000)  # live, without a reload
    expect(arrived).to_contain_text(BODY_AR)
    assert migrant.locator("html").get_attribute("dir") == "rtl"
    screenshot(migrant, "inbox-broadcast-ar")

    editor.get_by_role("link", name="Pilne komunikaty").first.click()
    expect(editor.get_by_role("link", name=title_pl)).to_be_visible()
    accessible(editor, "list-pl", script=script)
