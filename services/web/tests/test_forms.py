"""Forms: feedback and 'tell us what you were looking for' reach the content service; forged forms do not."""

from __future__ import annotations

import html
import re
import uuid

import httpx
from web_helpers import reader_address

ITEM = "/lublin/en/pages/lublin-renting"


def token_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


async def scores(platform: dict[str, str], editor: dict[str, str], item_id: str) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=platform["content"], headers=editor) as content:
        rows = (await content.get("/cities/lublin/workbench/feedback")).json()
    found = [r for r in rows if r["item_id"] == item_id and r["language"] == "en"]
    return found[0] if found else {"helpful": 0, "not_helpful": 0, "comments": 0}


async def test_feedback_without_javascript_posts_redirects_and_reaches_the_editors(
    web, platform, auth_header
) -> None:
    editor = auth_header("pa_editor", city="lublin")
    before = await scores(platform, editor, "lublin-renting")
    page = await web.get(ITEM)
    form = {
        "csrf_token": token_of(page),
        "language": "en",
        "helpful": "no",
        "comment": "Which deposit is usual?",
    }
    sent = await web.post(f"{ITEM}/feedback", data=form)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{ITEM}?feedback=sent#feedback"
    thanked = await web.get(f"{ITEM}?feedback=sent")
    assert "Thank you for your feedback." in thanked.text and 'name="helpful"' not in thanked.text

    after = await scores(platform, editor, "lublin-renting")
    assert after["not_helpful"] == before["not_helpful"] + 1
    assert after["comments"] == before["comments"] + 1


async def test_feedback_through_htmx_answers_the_box_alone(web) -> None:
    page = await web.get(ITEM)
    form = {"csrf_token": token_of(page), "language": "en", "helpful": "yes"}
    box = await web.post(f"{ITEM}/feedback", data=form, headers={"HX-Request": "true"})
    assert box.status_code == 200
    assert box.text.lstrip().startswith('<section id="feedback"')
    assert "Thank you for your feedback." in box.text and "<html" not in box.text


async def test_feedback_with_nothing_in_it_asks_for_an_answer(web) -> None:
    page = await web.get(ITEM)
    empty = {"csrf_token": token_of(page), "language": "en", "comment": "   "}
    sent = await web.post(f"{ITEM}/feedback", data=empty)
    assert sent.headers["location"] == f"{ITEM}?feedback=missing#feedback"
    shown = await web.get(f"{ITEM}?feedback=missing")
    assert "Please choose “Yes” or “No”, or write a comment." in shown.text
    assert 'role="alert"' in shown.text


async def test_a_reader_sending_too_much_feedback_is_told_to_wait(web) -> None:
    """The content service limits each reader (not the web app): the reader's address travels along."""
    page = await web.get(ITEM)
    form = {"csrf_token": token_of(page), "language": "en", "helpful": "yes"}
    outcomes = []
    for _ in range(15):
        answer = await web.post(f"{ITEM}/feedback", data=form, headers={"HX-Request": "true"})
        outcomes.append("limited" if "many messages in a short time" in answer.text else "sent")
    assert outcomes[0] == "sent" and outcomes[-1] == "limited"
    other_reader = await web.post(
        f"{ITEM}/feedback", data=form, headers={"HX-Request": "true", "X-Forwarded-For": reader_address()}
    )
    assert "Thank you for your feedback." in other_reader.text


async def test_telling_the_city_what_was_missing_reaches_its_editors(web, platform, auth_header) -> None:
    # letters only: digits could look like a document number, which the content API blanks out
    query = "Kindergartenzq " + uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))
    page = await web.get("/lublin/en/search", params={"q": query})
    assert "Nothing found" in page.text, page.text[:2000]
    form = {"csrf_token": token_of(page), "q": query, "comment": "How do I find a place for my son?"}
    sent = await web.post("/lublin/en/search/gap", data=form)
    assert sent.status_code == 303 and sent.headers["location"] == "/lublin/en/search/reported"
    thanked = await web.get(sent.headers["location"])
    assert "The city's editors will see what you were looking for." in html.unescape(thanked.text)
    editor = auth_header("pa_editor", city="lublin")
    async with httpx.AsyncClient(base_url=platform["content"], headers=editor) as content:
        gaps = (await content.get("/cities/lublin/workbench/gaps", params={"language": "en"})).json()
    reported = [g for g in gaps["items"] if g["query"] == query.lower()]
    assert reported and reported[0]["comments"] == ["How do I find a place for my son?"]


async def test_a_form_without_a_valid_token_is_refused_with_a_page_in_the_readers_language(web) -> None:
    await web.get("/lublin/uk")  # the reader has a form cookie, but sends no token
    forged = await web.post(
        f"{ITEM}/feedback".replace("/en/", "/uk/"), data={"helpful": "yes", "language": "en"}
    )
    assert forged.status_code == 403
    assert "Не вдалося надіслати форму" in forged.text and forged.headers["content-type"].startswith(
        "text/html"
    )
    wrong = await web.post(f"{ITEM}/feedback", data={"csrf_token": "x" * 43, "helpful": "yes"})
    assert wrong.status_code == 403
    page = await web.get(ITEM)
    cross_site = await web.post(
        f"{ITEM}/feedback",
        data={"csrf_token": token_of(page), "helpful": "yes", "language": "en"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross_site.status_code == 403


async def test_a_token_from_another_readers_cookie_is_refused(web, web_url) -> None:
    page = await web.get(ITEM)
    stolen = token_of(page)
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as other:
        await other.get(ITEM)  # the other reader's own cookie
        forged = await other.post(f"{ITEM}/feedback", data={"csrf_token": stolen, "helpful": "yes"})
    assert forged.status_code == 403


async def test_an_oversized_form_gets_a_page_not_json(web) -> None:
    page = await web.get(ITEM)
    huge = {"csrf_token": token_of(page), "helpful": "yes", "comment": "x" * 100_000}
    refused = await web.post(f"{ITEM}/feedback", data=huge)
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    assert "Your message is too long" in refused.text
    page = await web.get(ITEM)
    too_long = {"csrf_token": token_of(page), "helpful": "yes", "comment": "x" * 3_000}
    refused = await web.post(f"{ITEM}/feedback", data=too_long)
    assert refused.status_code == 400 and "Your message is too long" in refused.text
