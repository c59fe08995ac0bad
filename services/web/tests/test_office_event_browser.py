"""Events in the back office in a real browser on a phone (360x640): an NGO editor imports an .ics file
and edits an imported event, with JavaScript (the dates in words follow the typing) and without (the
"Check the dates" button), and the event's registrations are marked as present or absent."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from event_helpers import CITY, calendar, create_event, next_weekday, organisation, register
from office_helpers import browser_sign_in
from playwright.sync_api import Browser, Page, expect
from web_helpers import PHONE, reader_address, screenshot


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=False)
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def one_person_each(page: Page) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})


def import_and_open(page: Page, web_url: str, org: str, title: str) -> None:
    """Signed in as the organisation's editor: import a calendar with `title`, then open that event."""
    tag = uuid.uuid4().hex[:6]
    ics = calendar(
        (f"course-{tag}@ngo", title, "FREQ=WEEKLY;COUNT=8"), (f"talk-{tag}@ngo", f"Spotkanie {tag}", "")
    )
    page.goto(f"{web_url}{CITY}/events")
    page.get_by_role("link", name="Import a calendar").first.click()
    page.get_by_label("Calendar file (.ics)").set_input_files(
        {"name": "kalendarz.ics", "mimeType": "text/calendar", "buffer": ics}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    result = page.locator("#result")
    expect(result).to_contain_text("New events")
    expect(result.locator(".facts__row").first).to_contain_text("2")
    screenshot(page, "office-events-import-result-phone")
    page.get_by_role("link", name="See your events").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".facts")).to_contain_text("every Tuesday from")


def test_an_ngo_editor_imports_a_calendar_and_edits_an_imported_event(
    page: Page, web_url: str, identity_provider
) -> None:
    org = organisation()
    title = f"Polski A1 {uuid.uuid4().hex[:4]}"
    browser_sign_in(page, web_url, identity_provider, "ngo_editor", org=org)
    import_and_open(page, web_url, org, title)

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_text("This event came from a calendar.")).to_be_visible()
    words = page.locator("#schedule-words")
    expect(words).to_contain_text("every Tuesday from")
    page.locator("#f-repeat-days-thu").check()
    page.locator("#f-repeat-days-tue").check()
    expect(words).to_contain_text("every Tuesday and Thursday from")  # the words follow the typing
    page.get_by_label("Accessibility").fill("Sala na parterze, bez schodów.")
    page.get_by_role("textbox", name="Places (optional)").fill("15")
    page.get_by_label("People must register").check()
    page.get_by_label("The whole course at once").check()
    screenshot(page, "office-events-edit-imported-phone")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    facts = page.locator(".facts")
    expect(facts).to_contain_text("15")
    expect(facts).to_contain_text("Needed, for the whole course")
    expect(facts).to_contain_text("every Tuesday and Thursday from")
    screenshot(page, "office-events-event-phone")


def test_without_javascript_the_import_and_the_edit_work_and_the_dates_are_checked_by_a_button(
    no_js_page: Page, web_url: str, identity_provider
) -> None:
    page = no_js_page
    org = organisation()
    title = f"Polski A2 {uuid.uuid4().hex[:4]}"
    browser_sign_in(page, web_url, identity_provider, "ngo_editor", org=org)
    import_and_open(page, web_url, org, title)
    page.get_by_role("link", name="Edit", exact=True).click()

    page.get_by_label("How often").select_option("monthly")
    page.get_by_label(
        "The same weekday of the month as the first date (for example, the second Tuesday)"
    ).check()
    page.get_by_label("This many times:").check()
    page.get_by_label("Number of times").fill("6")
    page.get_by_role("button", name="Check the dates").click()
    which = ("first", "second", "third", "fourth", "last")[(next_weekday(1).day - 1) // 7]
    expect(page.locator("#schedule-words")).to_contain_text(f"every month on the {which} Tuesday from")
    expect(page.locator("#schedule-words")).to_contain_text("6 times")

    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Title: Fill this in")
    expect(page.get_by_label("Number of times")).to_have_value("6")  # nothing typed is lost
    screenshot(page, "office-events-edit-problems-no-javascript-phone")
    summary.get_by_role("link", name="Title: Fill this in").click()
    assert page.url.endswith("#f-texts-title")
    page.get_by_label("Title").fill(f"{title} (co miesiąc)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{title} (co miesiąc)")
    expect(page.locator(".facts")).to_contain_text(f"every month on the {which} Tuesday")


def test_attendance_is_marked_for_a_whole_list_at_once(
    page: Page, web_url: str, identity_provider, platform, auth_header
) -> None:
    org = organisation()
    day = next_weekday(4)
    event = create_event(
        platform["events"], auth_header("ngo_editor", city="lublin", org=org), capacity=10,
        schedule={"start": f"{day}T10:00:00", "end": f"{day}T12:00:00"}, registration={"required": True},
    )  # fmt: skip
    occurrence = event["occurrences"][0]["occurrence"]
    for name in ("Olena", "Omar", "Ahmad"):
        register(platform["events"], event["id"], occurrence, name=name)
    browser_sign_in(page, web_url, identity_provider, "ngo_editor", org=org)
    page.goto(f"{web_url}{CITY}/events/{event['id']}")
    page.get_by_role("link", name="Registrations and attendance").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    for name, choice in (("Olena", "Present"), ("Omar", "Absent"), ("Ahmad", "Present")):
        rows.filter(has_text=name).get_by_label(choice).check()
    screenshot(page, "office-events-registrations-phone")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved for 3 people.")).to_be_visible()
    expect(rows.filter(has_text="Omar").get_by_label("Absent")).to_be_checked()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download as a spreadsheet")).click()
    saved = download.value.path()
    assert saved and "Olena" in open(saved, encoding="utf-8-sig").read()
