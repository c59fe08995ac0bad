"""Every page type, in a left-to-right and a right-to-left language, in a real browser on a phone screen:
no WCAG 2.2 A/AA violation that axe-core can find, and a screenshot for people to look at."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from agenda_helpers import publish_page, small_weekly_group, take_places, unique, zamosc
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from web_helpers import reader_address, screenshot
from witaj.devkit.cities import new_city
from witaj.shared.events import Feature

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
PROCESS = "processes/lublin-temporary-residence"
PAGE_TYPES = {
    "cities": "/",
    "languages": "/lublin/{lang}/language",
    "home": "/lublin/{lang}",
    "topic": "/lublin/{lang}/topics/residence",
    "list": "/lublin/{lang}/processes",
    "glossary": "/lublin/{lang}/glossary",
    "page": "/lublin/{lang}/pages/lublin-health-insurance",
    "process": f"/lublin/{{lang}}/{PROCESS}",
    "glossary-term": "/lublin/{lang}/glossary/lublin-term-residence-card",
    "organisation": "/lublin/{lang}/organisations/lublin-city-foreigners-point",
    "practice": "/lublin/{lang}/practices/lublin-practice-diversity-strategy",
    "search": "/lublin/{lang}/search?q={query}",
    "search-nothing": "/lublin/{lang}/search?q=zzzqqq",
    "reported": "/lublin/{lang}/search/reported",
    "not-found": "/lublin/{lang}/pages/no-such-page",
    "events": "/lublin/{lang}/events",
    "events-filtered": "/lublin/{lang}/events?free=1&kind=language_course&lat=51.25&lng=22.57",
    "event": "/lublin/{lang}/events/demo-residence-permits",
    "course": "/lublin/{lang}/events/demo-polish-a1",
    "registrations-none": "/lublin/{lang}/registrations",
    "notifications": "/lublin/{lang}/notifications",
    "inbox-none": "/lublin/{lang}/inbox",
    "directory": "/lublin/{lang}/organisations",
    "directory-filtered": "/lublin/{lang}/organisations?topic=education&speaks=uk",
    "offline": "/lublin/{lang}/offline",
    "ask": "/lublin/{lang}/ask",
    "questions-none": "/lublin/{lang}/questions",
}
QUERIES = {"en": "residence", "ar": "الإقامة"}
FIRST_TOPIC = "housing"


def event_with_problems(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    page.goto(f"{base}/lublin/{lang}/events/demo-residence-permits")
    page.locator("#reg-email").fill("olena@")
    page.locator("#reg-phone").fill("call me")
    page.locator("#registration form button[type=submit]").last.click()
    page.locator(".error-summary").wait_for()


def event_full(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    """Every date of a weekly group taken: the notice, each date marked full, the waiting-list button."""
    platform, auth_header = fixtures.getfixturevalue("platform"), fixtures.getfixturevalue("auth_header")
    made = small_weekly_group(platform, auth_header, "Weekly sewing class")
    take_places(platform, made, dates=2)
    page.goto(f"{base}/lublin/{lang}/events/{made['id']}")


def registered(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    page.goto(f"{base}/lublin/{lang}/events/demo-polish-a1")
    page.locator("#registration form button[type=submit]").last.click()
    page.locator(".mine__item").first.wait_for()


def my_registrations(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    registered(page, base, lang, fixtures)
    page.goto(f"{base}/lublin/{lang}/registrations")


def subscribed(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    page.goto(f"{base}/lublin/{lang}/notifications")
    page.locator(f'input[name="topic"][value="{FIRST_TOPIC}"]').check()
    page.locator("#sub-by-email").check()
    page.locator("#sub-email").fill("newcomer@example.org")
    page.locator("form[novalidate] button[type=submit]").click()
    page.wait_for_url(f"**/lublin/{lang}/inbox?done=subscribed")


def notification_settings(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    subscribed(page, base, lang, fixtures)
    page.goto(f"{base}/lublin/{lang}/notifications")


def stop_asked(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    subscribed(page, base, lang, fixtures)
    page.goto(f"{base}/lublin/{lang}/notifications/stop")


def inbox_with_a_message(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    subscribed(page, base, lang, fixtures)
    editor = fixtures.getfixturevalue("auth_header")("pa_editor", city="lublin")
    publish_page(fixtures.getfixturevalue("platform"), editor, unique("News for newcomers"), [FIRST_TOPIC])
    page.locator(".message").first.wait_for(timeout=30_000)


def switched_off(page: Page, base: str, lang: str, fixtures: pytest.FixtureRequest) -> None:
    """A city that sends no notifications through Witaj: the page saying so."""
    admin = fixtures.getfixturevalue("auth_header")("platform_admin")
    content = fixtures.getfixturevalue("platform")["content"]
    city = new_city(content, admin, prefix="z", **zamosc({Feature.NOTIFICATIONS}))
    page.goto(f"{base}/{city}/{lang}/notifications")
    assert page.locator("h1").inner_text() != ""


STATES: dict[str, Callable[[Page, str, str, pytest.FixtureRequest], None]] = {
    "event-problems": event_with_problems,
    "event-full": event_full,
    "event-registered": registered,
    "registrations": my_registrations,
    "notifications-subscribed": notification_settings,
    "notifications-stop": stop_asked,
    "inbox": inbox_with_a_message,
    "switched-off": switched_off,
}
"""Page types reached by doing something first (a form sent, a subscription made, a city set up)."""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("kind", [*PAGE_TYPES, *STATES])
def test_the_page_type_has_no_accessibility_violations(page, web_url, kind, lang, request) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    if kind in STATES:
        STATES[kind](page, web_url, lang, request)
    else:
        address = PAGE_TYPES[kind].format(lang=lang, query=QUERIES[lang])
        if kind == "cities":
            address += f"?lang={lang}"
        page.goto(web_url + address)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    result = Axe().run(page, options=RULES)
    screenshot(page, f"{kind}-{lang}")
    assert result.violations_count == 0, result.generate_report()
