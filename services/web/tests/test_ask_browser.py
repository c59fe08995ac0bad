"""Asking a person in a real browser on a phone screen, in Arabic (right to left) and in English, with
JavaScript on and off: write a question, read the instant answers, send it to a counsellor, read the
counsellor's answer on the thread page, erase it; every page axe-clean; and a tip under an item."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from web_helpers import PHONE, reader_address, screenshot
from witaj.web.i18n import catalogue

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
TEXTS = {
    "ar": {
        "question": "كيف أحصل على بطاقة الإقامة المؤقتة في لوبلين؟",
        "look": "ابحث عن إجابات",
        "send": "أرسل إلى مستشار",
        "sent": "أُرسل سؤالك. سيجيبك مستشار هنا.",
        "answer": "قدّم الطلب في مكتب الأجانب مع جواز سفرك",
        "counsellor": "مستشار (\u2068lublin-city-office\u2069)",
        "erase": "امحه الآن",
        "erase_now": "امحُ نهائياً",
        "erased": "مُحي سؤالك.",
    },
    "en": {
        "question": "How do I get a temporary residence card in Lublin?",
        "look": "Look for answers",
        "send": "Send to a counsellor",
        "sent": "Your question was sent. A counsellor will answer here.",
        "answer": "Apply at the foreigners' office with your passport",
        "counsellor": "Counsellor (\u2068lublin-city-office\u2069)",
        "erase": "Erase it now",
        "erase_now": "Erase for good",
        "erased": "Your question has been erased.",
    },
}


def axe_clean(page: Page, scripted: bool) -> None:
    """No WCAG 2.2 A/AA violation axe-core finds, and nothing wider than the phone. Both run scripts in
    the page: a phone with JavaScript off is checked on the same pages by the run with it on."""
    if not scripted:
        return
    result = Axe().run(page, options=RULES)
    assert result.violations_count == 0, result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def answer_as_counsellor(
    platform: dict[str, str], auth_header, question_id: str, text: str, lang: str
) -> None:
    headers = auth_header("counsellor", city="lublin", org="lublin-city-office")
    with httpx.Client(base_url=platform["ask"], headers=headers, timeout=20) as ask_api:
        assert (
            ask_api.put("/cities/lublin/counselling/profile", json={"languages": [lang]}).status_code == 200
        )
        written = ask_api.post(
            f"/cities/lublin/counselling/questions/{question_id}/messages",
            json={
                "kind": "answer",
                "text": text,
                "links": [{"kind": "process", "item_id": "lublin-temporary-residence"}],
            },
        )
        assert written.status_code in (200, 201), written.text


def instant_answers(phone: Page) -> None:
    """Wait for the instant answers: the content service's first ones after it started read the city's
    index and may take longer than the page waits (the page then says so and is loaded again)."""
    deadline = time.monotonic() + 30
    while phone.locator("#answers .card").count() == 0:
        assert time.monotonic() < deadline, "no instant answers"
        phone.reload()


def ends_at_the_right(inner: dict[str, float] | None, outer: dict[str, float] | None) -> bool:
    assert inner and outer
    return abs((inner["x"] + inner["width"]) - (outer["x"] + outer["width"])) < 40


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_asking_reading_the_answer_and_erasing(
    phone: Page, web_url, platform, auth_header, lang, request
) -> None:
    words = TEXTS[lang]
    mode = request.node.callspec.params["phone"]
    scripted = mode == "script"
    phone.goto(f"{web_url}/lublin/{lang}/processes/lublin-temporary-residence")
    phone.locator(".ask-band a").tap()  # "Ask a question" at the end of every page
    expect(phone).to_have_url(re.compile(rf"/lublin/{lang}/ask$"))
    assert phone.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    axe_clean(phone, scripted)
    phone.locator("#ask-text").fill(words["question"])
    if scripted:
        screenshot(phone, f"ask-{lang}", full_page=False)
    phone.get_by_role("button", name=words["look"]).tap()

    expect(phone).to_have_url(re.compile(rf"/lublin/{lang}/questions/q[0-9a-f]{{24}}$"))
    question_id = phone.url.rsplit("/", 1)[1]
    instant_answers(phone)
    answers = phone.locator("#answers .card")
    expect(answers.first).to_be_visible()
    expect(phone.locator("#answers mark").first).to_be_visible()  # the passage, the question's words marked
    if lang == "ar":
        box, card = phone.locator(".asked").bounding_box(), answers.first.bounding_box()
        assert ends_at_the_right(box, card)
        title = answers.first.locator(".card__title").bounding_box()
        assert ends_at_the_right(title, card)  # right to left: text starts at the right
    axe_clean(phone, scripted)
    screenshot(phone, f"ask-instant-answers-{lang}-{mode}")

    phone.get_by_role("button", name=words["send"]).tap()
    expect(phone.get_by_role("status").first).to_contain_text(words["sent"])
    answer = f"{words['answer']} ({uuid.uuid4().hex[:4]})"
    answer_as_counsellor(platform, auth_header, question_id, answer, lang)
    phone.reload()
    message = phone.locator(".thread__message--counsellor")
    expect(message).to_contain_text(answer)
    expect(message).to_contain_text(words["counsellor"])
    expect(message.locator(f'a[href="/lublin/{lang}/processes/lublin-temporary-residence"]')).to_be_visible()
    if lang == "ar":
        assert ends_at_the_right(message.bounding_box(), phone.locator(".thread").bounding_box())
        if scripted:  # the counsellor's mark on the start side, which is the right
            assert message.evaluate("e => getComputedStyle(e).borderRightWidth") == "5px"
    axe_clean(phone, scripted)
    screenshot(phone, f"question-thread-{lang}-{mode}")

    phone.get_by_role("link", name=words["erase"]).tap()
    expect(phone).to_have_url(re.compile(rf"/questions/{question_id}/erase$"))
    axe_clean(phone, scripted)
    phone.get_by_role("button", name=words["erase_now"]).tap()
    expect(phone).to_have_url(re.compile(rf"/lublin/{lang}/questions\?done=erased$"))
    expect(phone.get_by_role("status").first).to_contain_text(words["erased"])
    axe_clean(phone, scripted)
    assert phone.goto(f"{web_url}/lublin/{lang}/questions/{question_id}").status == 404


def test_a_tip_sent_from_the_item_page_with_and_without_script(phone: Page, web_url, request) -> None:
    phone.goto(f"{web_url}/lublin/ar/pages/lublin-health-insurance")
    box = phone.locator("#suggest")
    box.locator("#suggest-text").fill("المكتب يطلب الآن موعداً مسبقاً.")
    box.get_by_role("button", name="أرسل إلى المحررين").tap()
    expect(phone.locator("#suggest [role=status]")).to_contain_text("شكراً لك. سيقرؤه محررو هذه الصفحة.")
    scripted = request.node.callspec.params["phone"] == "script"
    if scripted:
        expect(phone).to_have_url(re.compile(r"/pages/lublin-health-insurance$"))  # swapped in place
    else:
        expect(phone).to_have_url(re.compile(r"\?suggested=sent#suggest$"))
    axe_clean(phone, scripted)


def test_the_answer_arrives_live_in_the_open_inbox_right_to_left(
    browser: Browser, web_url, platform, auth_header
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    phone = context.new_page()
    try:
        words = TEXTS["ar"]
        phone.goto(f"{web_url}/lublin/ar/ask")
        phone.locator("#ask-text").fill(words["question"])
        phone.get_by_role("button", name=words["look"]).tap()
        expect(phone).to_have_url(re.compile(r"/lublin/ar/questions/q[0-9a-f]{24}$"))
        question_id = phone.url.rsplit("/", 1)[1]
        expect(phone.locator("#send-notify")).to_be_checked()  # told in the inbox unless unticked
        phone.get_by_role("button", name=words["send"]).tap()
        expect(phone.get_by_role("status").first).to_contain_text(words["sent"])
        phone.get_by_role("link", name=catalogue("ar")["inbox.title"]).last.tap()
        expect(phone.locator("[data-live-status]")).to_have_text(catalogue("ar")["inbox.live"])
        phone.evaluate("window.witajStillHere = true")  # gone if the page were loaded again
        answer_as_counsellor(platform, auth_header, question_id, words["answer"], "ar")
        notice = phone.locator(f'.message a[href="/lublin/ar/questions/{question_id}"]')
        expect(notice).to_be_visible(timeout=30_000)
        assert phone.evaluate("window.witajStillHere") is True
        expect(notice).to_have_text("تمت الإجابة على سؤالك")
        screenshot(phone, "inbox-answer-arrived-ar", full_page=False)
        notice.tap()
        expect(phone.locator(".thread__message--counsellor")).to_contain_text(words["answer"])
    finally:
        context.close()
