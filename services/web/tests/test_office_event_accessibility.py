"""Every back-office page of events in a real browser on a phone screen, with JavaScript and without: no
WCAG 2.2 A/AA violation that axe-core can find, and screenshots (phone and desk) for people to look at.
The forms are checked empty, with problems, and in Polish and Ukrainian; right-to-left text is checked
in an Arabic translation and in an event written in Arabic (its page, form, registrations, translation).

axe-core is a script, and Chromium with JavaScript switched off does not run its checks; so a page
"without JavaScript" is one whose scripts the browser never gets (every script request is refused): what
is then on the screen is what a browser without JavaScript shows, and axe still runs. The back office
has no <noscript> content that this would leave out."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from event_helpers import CITY, calendar, create_event, next_weekday, organisation, register
from office_helpers import browser_sign_in
from playwright.sync_api import Page
from test_office_accessibility import check
from web_helpers import PHONE, reader_address


@pytest.fixture(scope="module")
def agenda(platform: dict[str, str], auth_header: Any) -> dict[str, Any]:
    """An organisation's course with a moved and a cancelled date, people registered, a translation."""
    org = organisation()
    editor = auth_header("ngo_editor", city="lublin", org=org)
    day = next_weekday(1)
    event = create_event(
        platform["events"], editor, kind="language_course", capacity=2, registration={"required": True},
        texts={"title": "Kurs polskiego A1", "description": "Dwa razy w tygodniu.", "accessibility_notes": "Winda"},
        schedule={"start": f"{day}T17:00:00", "end": f"{day}T18:30:00", "rrule": "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10"},
    )  # fmt: skip
    first, second = (o["occurrence"] for o in event["occurrences"][:2])
    with httpx.Client(
        base_url=f"{platform['events']}/cities/lublin/events/{event['id']}", headers=editor
    ) as api:
        api.patch(f"/occurrences/{second}", json={"cancelled": True, "note": "Święto"}).raise_for_status()
        arabic = {"title": "دورة اللغة البولندية", "description": "مرتين في الأسبوع."}
        api.put("/translations/ar", json={"state": "draft", "texts": arabic}).raise_for_status()
    for name in ("Olena", "Omar", "Ahmad"):
        register(platform["events"], event["id"], first, name=name, email=f"{name.lower()}@example.org")
    written_in_arabic = create_event(
        platform["events"], editor, source_language="ar", capacity=10, registration={"required": True},
        texts={"title": "ورشة كتابة السيرة الذاتية", "description": "كيف تكتب سيرتك الذاتية بالبولندية.",
               "accessibility_notes": "المدخل بدون درج"},
        place={"name": "مركز الأجانب", "address": "ul. Narutowicza 4, Lublin"},
    )  # fmt: skip
    arabic_date = written_in_arabic["occurrences"][0]["occurrence"]
    for name in ("مريم", "Omar"):
        register(platform["events"], written_in_arabic["id"], arabic_date, name=name)
    return {"org": org, "event": event["id"], "first": first, "arabic": written_in_arabic["id"]}


PAGE_TYPES = {
    # name: (who, address after /office/lublin/events, with {event} and {first})
    "events-list": ("ngo_editor", ""),
    "events-new": ("ngo_editor", "/new"),
    "events-event": ("ngo_editor", "/{event}"),
    "events-edit": ("ngo_editor", "/{event}/edit"),
    "events-date": ("ngo_editor", "/{event}/dates/{first}"),
    "events-cancel": ("ngo_editor", "/{event}/cancel"),
    "events-registrations": ("ngo_editor", "/{event}/registrations"),
    "events-import": ("ngo_editor", "/import"),
    "events-translations": ("translator", "/translations"),
    "events-translation-language": ("translator", "/translations/ar"),
    "events-translate-arabic": ("translator", "/{event}/translations/ar"),
    "events-admin-new": ("city_admin", "/new"),
    "events-arabic-event": ("ngo_editor", "/{arabic}"),
    "events-arabic-edit": ("ngo_editor", "/{arabic}/edit"),
    "events-arabic-registrations": ("ngo_editor", "/{arabic}/registrations"),
    "events-arabic-translate-polish": ("translator", "/{arabic}/translations/pl"),
}
RIGHT_TO_LEFT = {  # page type: what must be marked as Arabic, right to left
    "events-translate-arabic": "textarea",
    "events-arabic-event": "h1",
    "events-arabic-edit": "#f-texts-title",
    "events-arabic-registrations": "h1 .h1-sub",
    "events-arabic-translate-polish": ".translate__text",
}
SCRIPT = ("with-javascript", "without-javascript")


def signed_in(page: Page, web_url: str, provider: Any, who: str, agenda: dict[str, Any], script: str) -> None:
    if script == "without-javascript":
        page.route(re.compile(r"\.m?js(\?.*)?$"), lambda route: route.abort())
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    browser_sign_in(page, web_url, provider, who, org=agenda["org"] if who == "ngo_editor" else None)


def scripts_ran(page: Page) -> bool:
    """Whether the page's own scripts ran (htmx defines itself on the window)."""
    return bool(page.evaluate("typeof window.htmx !== 'undefined'"))


@pytest.mark.parametrize("script", SCRIPT)
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_the_events_page_type_has_no_accessibility_violations(
    page: Page, web_url: str, identity_provider, agenda, name, script
) -> None:
    who, address = PAGE_TYPES[name]
    signed_in(page, web_url, identity_provider, who, agenda, script)
    page.goto(f"{web_url}{CITY}/events" + address.format(**agenda))
    assert page.locator("html").get_attribute("lang") == "en"
    assert scripts_ran(page) == (script == "with-javascript")
    if name in RIGHT_TO_LEFT:
        marked = page.locator(RIGHT_TO_LEFT[name]).first
        language = "e => [e.closest('[lang]').lang, getComputedStyle(e).direction]"
        assert marked.evaluate(language) == ["ar", "rtl"]
    if name == "events-new":  # its language not chosen yet: what is typed sets the direction
        assert page.locator("#f-texts-title").get_attribute("dir") == "auto"
    if name == "events-arabic-edit":  # the office's words stay left to right around the title
        assert page.locator("h1").evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert page.locator("h1 [lang=ar]").inner_text() == "ورشة كتابة السيرة الذاتية"
    check(page, f"{name}-{script}")


@pytest.mark.parametrize("script", SCRIPT)
def test_the_event_form_with_problems_and_an_import_report_have_no_violations(
    page: Page, web_url: str, identity_provider, agenda, script
) -> None:
    signed_in(page, web_url, identity_provider, "ngo_editor", agenda, script)
    page.goto(f"{web_url}{CITY}/events/new")
    page.get_by_label("Title").fill("Warsztaty")  # no date, no times, no place
    page.get_by_role("button", name="Publish", exact=True).click()
    page.locator(".error-summary").wait_for()
    check(page, f"events-new-with-problems-{script}")

    page.set_viewport_size(PHONE)
    page.goto(f"{web_url}{CITY}/events/import")
    bad = calendar(("ok@ngo", "Dobre", ""), ("never@ngo", "Nigdy", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"))
    page.get_by_label("Calendar file (.ics)").set_input_files(
        {"name": "k.ics", "mimeType": "text/calendar", "buffer": bad}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    page.locator("#result").wait_for()
    check(page, f"events-import-report-{script}")


@pytest.mark.parametrize(("language", "button"), [("pl", "Change"), ("uk", "Zmień")])
def test_the_event_form_in_polish_and_ukrainian_has_no_violations(
    page: Page, web_url: str, identity_provider, agenda, language, button
) -> None:
    signed_in(page, web_url, identity_provider, "ngo_editor", agenda, "with-javascript")
    page.goto(f"{web_url}{CITY}/events")
    if language == "uk":  # the language is changed from Polish to Ukrainian, as a person would
        page.locator("#office-language").select_option("pl")
        page.get_by_role("button", name="Change").click()
    page.locator("#office-language").select_option(language)
    page.get_by_role("button", name=button).click()
    page.goto(f"{web_url}{CITY}/events/{agenda['event']}/edit")
    assert page.locator("html").get_attribute("lang") == language
    check(page, f"events-edit-{language}")
