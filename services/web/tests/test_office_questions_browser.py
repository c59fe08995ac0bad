"""A counsellor answers a migrant's question in a real browser on a phone: with JavaScript, an Arabic
question (right to left in the English back office) answered with a link to matching published content;
without JavaScript, a Ukrainian one, with the API's complaint about an empty answer shown next to the
field. An editor accepts a reader's tip. Every page on the way (with JavaScript: axe-core runs in the
page) has no WCAG 2.2 A/AA violation axe-core can find."""

from __future__ import annotations

import uuid

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from office_helpers import browser_sign_in
from playwright.sync_api import Page, expect
from test_office_accessibility import RULES
from test_office_browser import no_js_page  # noqa: F401  (the same phone without JavaScript)
from web_helpers import reader_address, screenshot

ARABIC = "كيف أستأجر شقة وأسجل عنوان السكن في لوبلين؟"
UKRAINIAN = "Як орендувати квартиру в Любліні і зареєструвати місце проживання?"


@pytest.fixture(autouse=True)
def one_person_each(page: Page) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})


def accessible(page: Page, name: str) -> None:
    result = Axe().run(page, options=RULES)
    screenshot(page, f"office-{name}-phone")
    assert result.violations_count == 0, result.generate_report()


def asked(ask_url: str, text: str, language: str) -> tuple[str, str]:
    """A migrant asks about housing and sends the question to the counsellors. (id, token)"""
    headers = {"X-Forwarded-For": reader_address()}
    body = {"text": f"{text} {uuid.uuid4().hex[:4]}", "language": language, "topic": "housing"}
    created = httpx.post(f"{ask_url}/cities/lublin/questions", json=body, headers=headers, timeout=20)
    assert created.status_code == 201, created.text
    question_id, token = created.json()["id"], created.json()["token"]
    sent = httpx.post(
        f"{ask_url}/cities/lublin/questions/{question_id}/send",
        headers={**headers, "X-Question-Token": token},
        timeout=20,
    )
    assert sent.status_code == 200, sent.text
    return question_id, token


def migrant_reads(ask_url: str, question_id: str, token: str) -> dict:
    found = httpx.get(
        f"{ask_url}/cities/lublin/questions/{question_id}", headers={"X-Question-Token": token}, timeout=20
    )
    assert found.status_code == 200, found.text
    return found.json()  # type: ignore[no-any-return]


def set_up_profile(page: Page, language_name: str) -> None:
    """The first visit: the profile page asks what the counsellor answers."""
    expect(page.get_by_role("heading", name="What you answer")).to_be_visible()
    page.get_by_role("checkbox", name=language_name).check()
    page.get_by_role("checkbox", name="Housing", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()


def test_a_counsellor_answers_an_arabic_question_with_a_link(
    page: Page, web_url: str, platform, identity_provider
) -> None:
    question_id, token = asked(platform["ask"], ARABIC, "ar")
    organisation = f"org-{uuid.uuid4().hex[:6]}"
    browser_sign_in(page, web_url, identity_provider, "counsellor", org=organisation)
    page.get_by_role("checkbox", name="Polski").uncheck()
    accessible(page, "counsellor-profile")
    set_up_profile(page, "العربية")

    card = page.locator(f"#question-{question_id}")
    expect(card).to_be_visible()
    expect(card.locator("blockquote")).to_have_attribute("dir", "rtl")
    accessible(page, "questions-queue")
    card.get_by_role("link").click()

    expect(page.get_by_role("heading", name="Question", exact=False).first).to_be_visible()
    question = page.locator(".thread__text").first
    expect(question).to_have_attribute("dir", "rtl")
    expect(question).to_have_attribute("lang", "ar")
    page.get_by_role("button", name="Claim this question").click()
    expect(page.get_by_text("You claimed the question")).to_be_visible()

    page.get_by_role("button", name="Send the answer").click()  # nothing written yet
    expect(page.locator("#f-text-error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    accessible(page, "question-problem")

    answer = page.get_by_role("textbox", name="Your message")
    expect(answer).to_have_attribute("dir", "rtl")
    answer.fill("تفضل بزيارة مكتب المدينة مع عقد الإيجار.")
    links = page.locator("input[name=links]")
    expect(links.first).to_be_visible()
    linked = links.first.get_attribute("value")
    links.first.check()
    accessible(page, "question-arabic")
    page.get_by_role("button", name="Send the answer").click()

    expect(page.get_by_text("Your answer is sent.")).to_be_visible()
    expect(page.locator(".thread__message--counsellor .thread__text")).to_have_attribute("dir", "rtl")
    screenshot(page, "office-question-answered-phone")

    thread = migrant_reads(platform["ask"], question_id, token)
    assert thread["state"] == "answered"
    assert thread["messages"][-1]["text"] == "تفضل بزيارة مكتب المدينة مع عقد الإيجار."
    kind, _, item_id = (linked or "").partition(":")
    assert [(link["kind"], link["item_id"]) for link in thread["messages"][-1]["links"]] == [(kind, item_id)]


def test_without_javascript_a_counsellor_answers_and_sees_what_was_wrong(
    no_js_page: Page,  # noqa: F811
    web_url: str,
    platform,
    identity_provider,
) -> None:
    page = no_js_page
    question_id, token = asked(platform["ask"], UKRAINIAN, "uk")
    browser_sign_in(page, web_url, identity_provider, "counsellor", org=f"org-{uuid.uuid4().hex[:6]}")
    set_up_profile(page, "Українська")
    page.goto(f"{web_url}/office/lublin/questions/{question_id}")

    page.get_by_role("button", name="Send the answer").click()  # nothing written yet
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#f-text-error")).to_be_visible()
    screenshot(page, "office-question-problem-no-js-phone")  # axe-core needs JavaScript: see the test above

    page.get_by_role("textbox", name="Your message").fill(
        "Зверніться до міського відділу з договором оренди."
    )
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Your answer is sent.")).to_be_visible()
    thread = migrant_reads(platform["ask"], question_id, token)
    assert thread["messages"][-1]["text"] == "Зверніться до міського відділу з договором оренди."
    screenshot(page, "office-question-answered-no-js-phone")


def test_an_editor_accepts_a_readers_tip(page: Page, web_url: str, platform, identity_provider) -> None:
    tip = f"Ask the landlord for a written inventory {uuid.uuid4().hex[:4]}."
    sent = httpx.post(
        f"{platform['content']}/cities/lublin/pages/lublin-renting/suggestions",
        json={"kind": "tip", "language": "en", "text": tip, "credit_as": "Olena"},
        headers={"X-Forwarded-For": reader_address()},
        timeout=20,
    )
    assert sent.status_code == 202, sent.text
    browser_sign_in(page, web_url, identity_provider, "pa_editor")
    page.get_by_role("link", name="Readers' suggestions").click()
    page.goto(f"{web_url}/office/lublin/suggestions?item=lublin-renting")
    entry = page.locator(".suggestion-entry", has_text=tip)
    expect(entry).to_contain_text("Credit as: Olena")
    accessible(page, "suggestions-waiting")
    entry.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("The suggestion is accepted and the reader credited.")).to_be_visible()
    expect(page.locator(".suggestion-entry", has_text=tip)).to_have_count(0)
    shown = httpx.get(
        f"{platform['content']}/cities/lublin/pages/lublin-renting/comments", params={"limit": 100}
    )
    assert tip in shown.text  # a tip accepted is shown under the item, credited
