"""What a migrant does, in a real browser on a phone screen, with JavaScript on and off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from web_helpers import PHONE, reader_address, screenshot

PROCESS = "/lublin/{lang}/processes/lublin-temporary-residence"
ITEM = "/lublin/en/pages/lublin-renting"


@pytest.fixture(autouse=True)
def one_reader_each(page: Page) -> None:
    """Each test is a different reader to the services' rate limits."""
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return found


def test_a_procedure_in_arabic_reads_right_to_left_with_the_layout_mirrored(page: Page, web_url: str) -> None:
    page.goto(web_url + PROCESS.format(lang="ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    width = PHONE["width"]
    # The header mirrors: the city's name on the right, the language and search on the left.
    brand, nav = box(page.locator(".brand")), box(page.locator(".site-nav"))
    assert brand["x"] > nav["x"] and brand["x"] + brand["width"] > width - 40
    # Each step's number sits to the right of its title, and its coloured edge is on the right.
    number, name = box(page.locator(".step__number").first), box(page.locator(".step__name").first)
    assert number["x"] > name["x"] + name["width"] - 1
    edge = page.locator(".step").first.evaluate("e => getComputedStyle(e).borderRightWidth")
    assert edge == "5px"
    # Text runs from the right edge; nothing spills sideways on a phone.
    heading = box(page.locator("h1"))
    assert heading["x"] + heading["width"] > width - 30
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_procedure_in_english_is_laid_out_left_to_right(page: Page, web_url: str) -> None:
    page.goto(web_url + PROCESS.format(lang="en"))
    number, name = box(page.locator(".step__number").first), box(page.locator(".step__name").first)
    assert number["x"] < name["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_searching_in_ukrainian_finds_and_marks_the_words(page: Page, web_url: str) -> None:
    page.goto(web_url + "/lublin/uk")
    page.get_by_label("Що ви шукаєте?").fill("медичне страхування")
    page.get_by_role("button", name="Шукати").click()
    expect(page).to_have_url(re.compile(r"/lublin/uk/search\?q="))
    expect(page.get_by_role("heading", name="Результати для «медичне страхування»")).to_be_visible()
    result = page.locator(".results .card").first
    expect(result.locator("mark").first).to_be_visible()
    result.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/lublin/uk/pages/lublin-health-insurance$"))


def test_a_glossary_term_opens_on_tap_and_closes_again(page: Page, web_url: str) -> None:
    page.goto(web_url + PROCESS.format(lang="en"))
    term = page.locator('button.term[popovertarget="term-lublin-term-residence-card"]').first
    explanation = page.locator("#term-lublin-term-residence-card")
    expect(explanation).to_be_hidden()
    term.tap()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("A plastic card that proves your identity")
    screenshot(page, "glossary-term-open-en", full_page=False)
    explanation.get_by_role("button", name="Close").tap()
    expect(explanation).to_be_hidden()
    # By keyboard too: focus the term and press Enter.
    term.focus()
    page.keyboard.press("Enter")
    expect(explanation).to_be_visible()
    page.keyboard.press("Escape")
    expect(explanation).to_be_hidden()


def test_a_glossary_term_opens_on_tap_without_javascript(no_js_page: Page, web_url: str) -> None:
    no_js_page.goto(web_url + PROCESS.format(lang="ar"))
    explanation = no_js_page.locator("#term-lublin-term-residence-card")
    no_js_page.locator('button.term[popovertarget="term-lublin-term-residence-card"]').first.tap()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("وثيقة بلاستيكية")
    screenshot(no_js_page, "glossary-term-open-ar", full_page=False)


def test_ticked_steps_are_kept_in_the_browser_after_a_reload(page: Page, web_url: str) -> None:
    page.goto(web_url + PROCESS.format(lang="en"))
    boxes = page.locator(".step__done input")
    expect(boxes).to_have_count(5)
    expect(page.locator("[data-steps-progress]")).to_have_text("Steps done: 0 of 5")
    boxes.nth(0).check()
    boxes.nth(2).check()
    expect(page.locator("[data-steps-progress]")).to_have_text("Steps done: 2 of 5")
    page.reload()
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).not_to_be_checked()
    expect(boxes.nth(2)).to_be_checked()
    expect(page.locator(".step").nth(0)).to_have_class(re.compile(r"\bis-done\b"))
    expect(page.locator("[data-steps-progress]")).to_have_text("Steps done: 2 of 5")
    boxes.nth(0).uncheck()
    page.reload()
    expect(boxes.nth(0)).not_to_be_checked()


def test_without_javascript_every_step_is_there_to_read_and_no_tick_box_pretends(
    no_js_page: Page, web_url: str
) -> None:
    no_js_page.goto(web_url + PROCESS.format(lang="en"))
    expect(no_js_page.locator(".step")).to_have_count(5)
    expect(no_js_page.locator(".step__done").first).to_be_hidden()
    expect(no_js_page.get_by_text("What to bring").first).to_be_visible()


def test_feedback_with_javascript_answers_in_place(page: Page, web_url: str) -> None:
    page.goto(web_url + ITEM)
    address = page.url
    feedback = page.locator("#feedback")
    feedback.get_by_label("Yes").check()
    feedback.get_by_label("How can we make this page better? (optional)").fill("Clear, thank you")
    feedback.get_by_role("button", name="Send").click()
    expect(page.locator("#feedback")).to_contain_text("Thank you for your feedback.")
    assert page.url == address  # answered in place: no new page was loaded
    expect(page.locator("#feedback [role=status]")).to_be_focused()


def test_feedback_without_javascript_posts_and_comes_back(no_js_page: Page, web_url: str) -> None:
    no_js_page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    no_js_page.goto(web_url + ITEM)
    no_js_page.locator("#feedback").get_by_label("No").check()
    no_js_page.locator("#feedback").get_by_role("button", name="Send").click()
    expect(no_js_page).to_have_url(re.compile(r"\?feedback=sent#feedback$"))
    expect(no_js_page.locator("#feedback")).to_contain_text("Thank you for your feedback.")


def test_telling_the_city_what_was_missing_works_without_javascript(no_js_page: Page, web_url: str) -> None:
    no_js_page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    no_js_page.goto(web_url + "/lublin/en/search?q=qqqzzz+ferry")
    no_js_page.get_by_role("button", name="Send to the city").click()
    expect(no_js_page).to_have_url(re.compile(r"/lublin/en/search/reported$"))
    expect(no_js_page.get_by_role("status")).to_contain_text("The city's editors will see")


def test_the_language_can_be_changed_from_any_page_and_is_remembered(page: Page, web_url: str) -> None:
    page.goto(web_url + PROCESS.format(lang="en"))
    page.locator(".site-nav").get_by_role("link", name=re.compile("English")).click()
    page.get_by_role("link", name="українська").click()
    expect(page).to_have_url(re.compile(r"/lublin/uk/processes/lublin-temporary-residence$"))
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    page.goto(web_url + "/lublin")
    expect(page).to_have_url(re.compile(r"/lublin/uk$"))


SMALL_TARGETS = """() => {
  const inText = ".prose, .lead, .card__summary, .hint, .term-popover__text, .notice";
  const found = [];
  for (const element of document.querySelectorAll("a, button, input, textarea")) {
    if (element.closest(inText) || element.matches(".term, .skip-link")) continue;
    const target = element.matches("input[type=radio], input[type=checkbox]")
      ? element.closest("label, .choice") : element;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (hidden, or a closed popover)
    if (box.height < 44 || box.width < 44) found.push(`${target.outerHTML.slice(0, 90)} ${box.width}x${box.height}`);
  }
  return found;
}"""


@pytest.mark.parametrize(
    "address",
    [
        "/lublin/ar",
        PROCESS.format(lang="ar"),
        "/lublin/en/organisations/lublin-city-foreigners-point",
        "/lublin/en/practices/lublin-practice-diversity-strategy",
        "/lublin/en/search?q=zzzqqq",
        "/lublin/en/glossary/lublin-term-pesel",
        "/lublin/en/no-such-area",
        "/lublin/ar/organisations?topic=residence",
    ],
)
def test_everything_to_tap_outside_running_text_is_at_least_44_pixels(
    page: Page, web_url: str, address
) -> None:
    page.goto(web_url + address)
    assert page.evaluate(SMALL_TARGETS) == []
