"""Events and notifications in a real browser on a phone screen, with JavaScript on and off: register and
cancel, join a waiting list, find events near me, subscribe and see a new message arrive live, stop."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from agenda_helpers import (
    create_event,
    event_body,
    organiser,
    publish_page,
    small_weekly_group,
    take_places,
    token_of,
    unique,
)
from playwright.sync_api import Browser, Page, expect
from test_browser import SMALL_TARGETS
from web_helpers import PHONE, reader_address, screenshot


@pytest.fixture(autouse=True)
def one_reader_each(page: Page) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})


def test_registering_for_an_event_and_cancelling_it(phone: Page, web_url, platform, auth_header) -> None:
    made = create_event(platform, organiser(auth_header), event_body(unique("Tenants' rights")))
    phone.goto(f"{web_url}/lublin/en/events/{made['id']}")
    form = phone.locator("#registration form").last
    form.get_by_label("Your name (optional)").fill("Olena")
    form.get_by_role("button", name="Register").tap()
    expect(phone.locator("#registration [role=status]")).to_contain_text("You are registered.")
    expect(phone).to_have_url(re.compile(r"\?registered=confirmed#registration$"))
    expect(phone.get_by_text("You have a place")).to_be_visible()
    phone.get_by_role("button", name="Cancel this registration").tap()
    expect(phone.locator("#registration [role=status]")).to_contain_text("Your registration is cancelled.")
    expect(phone.get_by_text("You have a place")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_my_registrations_lists_every_event_and_cancels_there(
    phone: Page, web_url, platform, auth_header
) -> None:
    titles = [unique("Tenants' rights"), unique("Bank account basics")]
    for title in titles:
        made = create_event(platform, organiser(auth_header), event_body(title))
        phone.goto(f"{web_url}/lublin/en/events/{made['id']}")
        phone.locator("#registration form").last.get_by_role("button", name="Register").tap()
        expect(phone.get_by_text("You have a place")).to_be_visible()
    phone.get_by_role("link", name="My registrations").last.tap()
    expect(phone).to_have_url(re.compile(r"/lublin/en/registrations$"))
    mine = phone.locator(".mine__item")
    for title in titles:
        expect(mine.filter(has_text=title)).to_have_count(1)
    mine.filter(has_text=titles[0]).get_by_role("button", name="Cancel this registration").tap()
    expect(phone).to_have_url(re.compile(r"/lublin/en/registrations\?cancelled=1$"))
    expect(phone.get_by_role("status")).to_contain_text("Your registration is cancelled.")
    expect(mine.filter(has_text=titles[0])).to_have_count(0)
    expect(mine.filter(has_text=titles[1])).to_have_count(1)
    screenshot(phone, "registrations-after-cancelling-en")


def test_a_full_event_puts_the_reader_on_the_waiting_list(
    phone: Page, web_url, platform, auth_header
) -> None:
    made = create_event(platform, organiser(auth_header), event_body(unique("Sewing class"), capacity=1))
    address = f"{web_url}/lublin/en/events/{made['id']}"
    with httpx.Client(headers={"X-Forwarded-For": reader_address()}) as first:
        shown = first.get(address)
        key = re.search(r'name="key" value="([^"]+)"', shown.text)
        occurrence = re.search(r'name="occurrence" value="([^"]+)"', shown.text)
        assert key and occurrence
        taken = first.post(
            f"{address}/register",
            data={"csrf_token": token_of(shown), "key": key.group(1), "occurrence": occurrence.group(1)},
        )
        assert taken.status_code == 303
    phone.goto(address)
    expect(phone.get_by_text("There are no places left.")).to_be_visible()
    expect(phone.get_by_role("button", name="Register", exact=True)).to_have_count(0)
    screenshot(phone, "event-waitlist-offered-en")
    phone.get_by_role("button", name="Join the waiting list").tap()
    expect(phone.locator("#registration [role=status]")).to_contain_text("you are on the waiting list")
    expect(phone.locator(".mine__status")).to_have_text("You are on the waiting list")
    screenshot(phone, "event-waitlisted-en")


def test_a_full_date_is_marked_before_the_reader_chooses_it_right_to_left(
    page: Page, web_url, platform, auth_header
) -> None:
    made = small_weekly_group(platform, auth_header, "Weekly sewing class")
    take_places(platform, made, dates=1)
    page.goto(f"{web_url}/lublin/ar/events/{made['id']}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    first, second = page.locator("#registration .choice:has(input[type=radio])").all()
    note = first.locator(".choice__note")
    expect(note).to_have_text("لا أماكن: قائمة الانتظار")
    expect(second.locator(".choice__note")).to_have_count(0)
    expect(page.get_by_role("button", name="سجّل (أو انضم إلى قائمة الانتظار)")).to_be_visible()
    label, shown = first.locator("label").bounding_box(), note.bounding_box()
    assert label and shown and abs(label["x"] + label["width"] - (shown["x"] + shown["width"])) < 2  # right
    page.get_by_text("أي موعد؟").scroll_into_view_if_needed()
    screenshot(page, "event-date-full-ar", full_page=False)  # what the phone shows at the choice
    page.locator("#reg-occurrence").tap()  # the full date: the reader may still join its waiting list
    page.get_by_role("button", name="سجّل (أو انضم إلى قائمة الانتظار)").tap()
    expect(page.locator("#registration [role=status]")).to_be_visible()
    expect(page.locator(".mine__item--waitlisted")).to_have_count(1)


def test_mistakes_are_summed_up_at_the_top_and_each_leads_to_its_field(phone: Page, web_url) -> None:
    phone.goto(f"{web_url}/lublin/en/events/demo-residence-permits")
    form = phone.locator("#registration form").last
    form.get_by_label("E-mail address (optional)").fill("olena@")
    form.get_by_role("button", name="Register").tap()
    summary = phone.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(phone).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link", name=re.compile("Enter an e-mail address")).tap()
    expect(phone.locator("#reg-email")).to_be_focused()
    expect(phone.locator("#reg-email")).to_have_value("olena@")


def test_events_near_me_use_the_location_the_browser_shares(browser: Browser, web_url) -> None:
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True,
        geolocation={"latitude": 51.2479, "longitude": 22.5683}, permissions=["geolocation"],
    )  # fmt: skip
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    page = context.new_page()
    try:
        page.goto(f"{web_url}/lublin/en/events")
        page.get_by_text("Filter the list").tap()
        expect(page.get_by_text("needs JavaScript switched on")).to_be_hidden()
        page.get_by_label("Distance").select_option("2")
        page.get_by_role("button", name="Use my location").tap()
        expect(page).to_have_url(re.compile(r"lat=51\.25&lng=22\.57&radius=2"))
        expect(page.get_by_text("Showing events near the place your browser shared.")).to_be_visible()
        expect(page.locator(".card__title", has_text="Residence permit: how to apply").first).to_be_visible()
        screenshot(page, "events-near-en")
    finally:
        context.close()


def test_without_javascript_the_list_says_near_me_needs_it(no_script: Page, web_url) -> None:
    no_script.goto(f"{web_url}/lublin/en/events")
    no_script.get_by_text("Filter the list").tap()
    expect(no_script.get_by_text("needs JavaScript switched on")).to_be_visible()
    expect(no_script.get_by_role("button", name="Use my location")).to_be_hidden()
    no_script.get_by_label("Free only").check()
    no_script.get_by_role("button", name="Show events").tap()
    expect(no_script).to_have_url(re.compile(r"/lublin/en/events\?free=1&"))
    expect(no_script.locator(".filters")).to_have_attribute("open", "")
    expect(no_script.get_by_label("Free only")).to_be_checked()


@pytest.fixture
def no_script(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=False)
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    yield context.new_page()
    context.close()


def subscribe_to(page: Page, web_url: str, topic: str, lang: str = "en") -> None:
    page.goto(f"{web_url}/lublin/{lang}/notifications")
    page.locator(f'input[name="topic"][value="{topic}"]').check()
    page.locator("form").filter(has=page.locator('input[name="topic"]')).locator("button[type=submit]").tap()
    expect(page).to_have_url(re.compile(rf"/lublin/{lang}/inbox\?done=subscribed$"))


def test_a_published_item_appears_in_the_open_inbox_without_a_reload(
    page: Page, web_url, platform, auth_header
) -> None:
    subscribe_to(page, web_url, "housing")
    expect(page.locator("[data-live-status]")).to_have_text(
        "New messages appear here as soon as they arrive."
    )
    page.evaluate("window.witajStillHere = true")  # gone if the page were loaded again
    title = unique("Deposit rules changed")
    publish_page(platform, auth_header("pa_editor", city="lublin"), title, ["housing"])
    message = page.locator(".message", has_text=title)
    expect(message).to_be_visible(timeout=30_000)
    assert page.evaluate("window.witajStillHere") is True
    expect(page.locator("[data-inbox-announce]")).to_contain_text(title)
    expect(page.locator("[data-inbox-empty]")).to_be_hidden()
    screenshot(page, "inbox-live-en")
    message.get_by_role("button", name="Mark as read").tap()
    expect(page.locator(".message", has_text=title).locator(".badge--new")).to_have_count(0)
    assert page.evaluate("window.witajStillHere") is True  # marked in place


def test_without_javascript_the_inbox_shows_new_messages_on_reload(
    no_script: Page, web_url, platform, auth_header
) -> None:
    subscribe_to(no_script, web_url, "work")
    title = unique("Work permits office moves")
    publish_page(platform, auth_header("pa_editor", city="lublin"), title, ["work"])
    message = no_script.locator(".message", has_text=title)
    for _ in range(60):
        no_script.reload()
        if message.count():
            break
        no_script.wait_for_timeout(500)
    expect(message).to_be_visible()
    message.get_by_role("button", name="Mark as read").tap()
    expect(no_script).to_have_url(re.compile(r"/lublin/en/inbox#m-[0-9a-f]{16}$"))
    expect(no_script.locator(".message", has_text=title).locator(".badge--new")).to_have_count(0)


def test_stopping_notifications_erases_them(phone: Page, web_url) -> None:
    subscribe_to(phone, web_url, "health")
    phone.get_by_role("link", name="Change or stop notifications").tap()
    phone.get_by_role("link", name="Stop notifications").tap()
    phone.get_by_role("button", name="Stop and delete everything").tap()
    expect(phone.get_by_role("status")).to_contain_text("Your notifications are stopped")
    phone.goto(f"{web_url}/lublin/en/inbox")
    expect(phone.get_by_text("You have not subscribed to notifications in this browser yet.")).to_be_visible()


@pytest.mark.parametrize(
    "address",
    [
        "/lublin/en/events?free=1",
        "/lublin/ar/events/demo-residence-permits",
        "/lublin/en/registrations",
        "/lublin/en/notifications",
        "/lublin/ar/inbox",
    ],
)
def test_everything_to_tap_on_the_agenda_pages_is_at_least_44_pixels(page: Page, web_url, address) -> None:
    page.goto(web_url + address)
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    assert page.evaluate(SMALL_TARGETS) == []
