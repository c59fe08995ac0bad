"""Every back-office page of events in a real browser on a phone screen: no WCAG 2.2 A/AA violation that
axe-core can find, and screenshots (phone and desk) for people to look at. The forms are checked empty,
with problems, and in Polish and Ukrainian; the Arabic translation holds right-to-left text."""

from __future__ import annotations

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
    return {"org": org, "event": event["id"], "first": first}


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
}


def signed_in(page: Page, web_url: str, provider: Any, who: str, agenda: dict[str, Any]) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    browser_sign_in(page, web_url, provider, who, org=agenda["org"] if who == "ngo_editor" else None)


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_the_events_page_type_has_no_accessibility_violations(
    page: Page, web_url: str, identity_provider, agenda, name
) -> None:
    who, address = PAGE_TYPES[name]
    signed_in(page, web_url, identity_provider, who, agenda)
    page.goto(f"{web_url}{CITY}/events" + address.format(**agenda))
    assert page.locator("html").get_attribute("lang") == "en"
    check(page, name)


def test_the_event_form_with_problems_and_an_import_report_have_no_violations(
    page: Page, web_url: str, identity_provider, agenda
) -> None:
    signed_in(page, web_url, identity_provider, "ngo_editor", agenda)
    page.goto(f"{web_url}{CITY}/events/new")
    page.get_by_label("Title").fill("Warsztaty")  # no date, no times, no place
    page.get_by_role("button", name="Publish", exact=True).click()
    page.locator(".error-summary").wait_for()
    check(page, "events-new-with-problems")

    page.set_viewport_size(PHONE)
    page.goto(f"{web_url}{CITY}/events/import")
    bad = calendar(("ok@ngo", "Dobre", ""), ("never@ngo", "Nigdy", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"))
    page.get_by_label("Calendar file (.ics)").set_input_files(
        {"name": "k.ics", "mimeType": "text/calendar", "buffer": bad}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    page.locator("#result").wait_for()
    check(page, "events-import-report")


@pytest.mark.parametrize(("language", "button"), [("pl", "Change"), ("uk", "Zmień")])
def test_the_event_form_in_polish_and_ukrainian_has_no_violations(
    page: Page, web_url: str, identity_provider, agenda, language, button
) -> None:
    signed_in(page, web_url, identity_provider, "ngo_editor", agenda)
    page.goto(f"{web_url}{CITY}/events")
    if language == "uk":  # the language is changed from Polish to Ukrainian, as a person would
        page.locator("#office-language").select_option("pl")
        page.get_by_role("button", name="Change").click()
    page.locator("#office-language").select_option(language)
    page.get_by_role("button", name=button).click()
    page.goto(f"{web_url}{CITY}/events/{agenda['event']}/edit")
    assert page.locator("html").get_attribute("lang") == language
    check(page, f"events-edit-{language}")
