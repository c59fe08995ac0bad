"""Asking a person through the web app, on the real platform: instant answers first, then a counsellor
answers through the ask API and the answer is on the reader's thread page and in their inbox; erasing;
a browser without the question's token sees nothing; tips under an item once an editor accepts them."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import pytest
from agenda_helpers import token_of, zamosc
from web_helpers import reader_address, web_settings
from witaj.devkit.cities import new_city
from witaj.devkit.infra import free_port
from witaj.devkit.testing import serve, wait_until
from witaj.shared.events import Feature
from witaj.web.main import create_app

QUESTION = "How do I get health insurance for my children?"


async def ask(web: httpx.AsyncClient, text: str = QUESTION, lang: str = "en", **fields: str) -> str:
    """Ask through the form; the question's id (the browser now holds its token)."""
    form = await web.get(f"/lublin/{lang}/ask")
    assert form.status_code == 200
    asked = await web.post(f"/lublin/{lang}/ask", data={"csrf_token": token_of(form), "text": text, **fields})
    assert asked.status_code == 303, asked.text
    found = re.fullmatch(rf"/lublin/{lang}/questions/(q[0-9a-f]{{24}})", asked.headers["location"])
    assert found, asked.headers["location"]
    return found.group(1)


async def post_form(web: httpx.AsyncClient, page: str, action: str, **fields: str) -> httpx.Response:
    """Send one of a page's forms as the browser would (with the page's form token)."""
    shown = await web.get(page)
    return await web.post(action, data={"csrf_token": token_of(shown), **fields})


async def counsellor_answers(
    platform, auth_header, question_id: str, text: str, kind: str = "answer"
) -> None:
    headers = auth_header("counsellor", city="lublin", org="lublin-city-office")
    async with httpx.AsyncClient(base_url=platform["ask"], headers=headers, timeout=20) as ask_api:
        profile = await ask_api.put("/cities/lublin/counselling/profile", json={"languages": ["en"]})
        assert profile.status_code == 200, profile.text
        written = await ask_api.post(
            f"/cities/lublin/counselling/questions/{question_id}/messages",
            json={
                "kind": kind,
                "text": text,
                "links": [{"kind": "page", "item_id": "lublin-health-insurance"}],
            },
        )
        assert written.status_code in (200, 201), written.text


async def test_instant_answers_come_first_with_the_matching_passage_marked(web) -> None:
    question_id = await ask(web)

    async def answered() -> httpx.Response | None:
        """The page once the content service answers (its first instant answers after starting read
        the city's index and may take longer than the page waits: the page then says so, see below)."""
        shown = await web.get(f"/lublin/en/questions/{question_id}")
        return None if "We cannot look for answers right now" in shown.text else shown

    page = await wait_until(answered, timeout=30, message="instant answers")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert QUESTION in page.text
    answers = page.text.split('id="answers"')[1].split('id="send"')[0]
    assert 'href="/lublin/en/pages/lublin-health-insurance"' in answers
    assert "<mark>" in answers  # the passage that matched, with the question's words marked
    assert "This answered my question" in answers


async def test_this_answered_my_question_closes_and_erases_it(web, platform) -> None:
    question_id = await ask(web)
    token = web.cookies.get("witaj_questions")
    assert token and question_id in token
    page = f"/lublin/en/questions/{question_id}"
    closed = await post_form(web, page, f"{page}/close", answered="yes")
    assert closed.status_code == 303 and closed.headers["location"] == "/lublin/en/questions?done=answered"
    mine = await web.get("/lublin/en/questions?done=answered")
    assert "We are glad it helped" in mine.text and "You have no questions here yet." in mine.text
    assert (await web.get(page)).status_code == 404
    held = token.split("~")[0].split(".", 1)[1]
    async with httpx.AsyncClient(base_url=platform["ask"]) as ask_api:
        erased = await ask_api.get(
            f"/cities/lublin/questions/{question_id}", headers={"X-Question-Token": held}
        )
    assert erased.status_code == 404


async def test_a_counsellors_answer_reaches_the_thread_page_and_the_live_inbox(
    web, platform, auth_header
) -> None:
    question_id = await ask(web, topic="health")
    page = f"/lublin/en/questions/{question_id}"
    sent = await post_form(web, page, f"{page}/send", notify="yes", consent="yes")
    assert sent.status_code == 303 and sent.headers["location"] == f"{page}?done=sent"
    waiting = await web.get(sent.headers["location"])
    assert "Your question was sent." in waiting.text and "Waiting for a counsellor" in waiting.text
    assert web.cookies.get("witaj_notifications")  # a message box was made for the notices
    answer = f"Register at the NFZ office with your residence card ({uuid.uuid4().hex[:6]})."
    await counsellor_answers(platform, auth_header, question_id, answer)
    thread = await web.get(page)
    assert answer in thread.text
    assert "Counsellor (\u2068lublin-city-office\u2069)" in thread.text
    assert 'href="/lublin/en/pages/lublin-health-insurance"' in thread.text  # the content linked
    assert "This answered my question" in thread.text

    async def in_inbox() -> bool:
        inbox = await web.get("/lublin/en/inbox")
        return f'href="{page}"' in inbox.text

    await wait_until(in_inbox, timeout=60, message="the answer's notice in the inbox")
    closed = await post_form(web, page, f"{page}/close", answered="yes")
    assert closed.headers["location"] == f"{page}?done=closed"
    assert "Closed" in (await web.get(page)).text


async def test_the_reader_answers_a_question_back(web, platform, auth_header) -> None:
    question_id = await ask(web)
    page = f"/lublin/en/questions/{question_id}"
    await post_form(web, page, f"{page}/send")
    await counsellor_answers(
        platform, auth_header, question_id, "Do you have a residence card?", kind="ask_back"
    )
    thread = await web.get(page)
    assert "The counsellor asked you something" in thread.text and "Answer the counsellor" in thread.text
    empty = await post_form(web, page, f"{page}/replies", text="   ")
    assert empty.status_code == 422 and "Write your reply" in empty.text
    replied = await post_form(web, page, f"{page}/replies", text="Yes, since March.")
    assert replied.headers["location"] == f"{page}?done=replied"
    again = await web.get(page)
    assert "Yes, since March." in again.text and "Waiting for a counsellor" in again.text


async def test_erasing_a_question_removes_it_everywhere(web, platform) -> None:
    question_id = await ask(web)
    page = f"/lublin/en/questions/{question_id}"
    await post_form(web, page, f"{page}/send")
    mine = await web.get("/lublin/en/questions")
    assert f'href="{page}"' in mine.text
    confirm = await web.get(f"{page}/erase")
    assert "will be erased for good" in confirm.text
    erased = await web.post(f"{page}/erase", data={"csrf_token": token_of(confirm)})
    assert erased.headers["location"] == "/lublin/en/questions?done=erased"
    assert "Your question has been erased." in (await web.get(erased.headers["location"])).text
    assert (await web.get(page)).status_code == 404
    assert question_id not in (web.cookies.get("witaj_questions") or "")


async def test_a_browser_without_the_questions_token_sees_nothing(web, web_url) -> None:
    question_id = await ask(web, text="Where do I report a lost passport? (private)")
    page = f"/lublin/en/questions/{question_id}"
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": "198.19.0.9"}) as other:
        nothing = await other.get(page)
        assert nothing.status_code == 404 and "lost passport" not in nothing.text
        assert "asked in another browser" in nothing.text
        other.cookies.set("witaj_questions", f"{question_id}.{'x' * 43}", path="/lublin")
        forged = await other.get(page)
        assert forged.status_code == 404 and "lost passport" not in forged.text
        shown = await other.get("/lublin/en/ask")
        erase = await other.post(f"{page}/erase", data={"csrf_token": token_of(shown)})
        assert erase.status_code == 303
    assert (await web.get(page)).status_code == 200  # the forged erase did nothing


async def test_bad_questions_get_a_message_a_person_understands(web) -> None:
    form = await web.get("/lublin/en/ask?q=rent+deposit")
    assert ">rent deposit</textarea>" in form.text
    empty = await web.post("/lublin/en/ask", data={"csrf_token": token_of(form), "text": " "})
    assert empty.status_code == 422 and "Write your question" in empty.text
    long = await web.post("/lublin/en/ask", data={"csrf_token": token_of(form), "text": "a " * 1_500})
    assert long.status_code == 422 and "Your text is too long" in long.text
    topic = await web.post(
        "/lublin/en/ask", data={"csrf_token": token_of(form), "text": "Rent?", "topic": "no-such"}
    )
    assert topic.status_code == 422 and "Choose a topic from the list" in topic.text
    forged = await web.post("/lublin/en/ask", data={"text": "Rent?"})
    assert forged.status_code == 403


async def test_too_many_questions_in_a_short_time_get_a_page_that_says_so(web) -> None:
    form = await web.get("/lublin/pl/ask")
    statuses = []
    for n in range(7):
        sent = await web.post("/lublin/pl/ask", data={"csrf_token": token_of(form), "text": f"Pytanie {n}?"})
        statuses.append(sent.status_code)
        if sent.status_code == 429:
            assert "Odczekaj minutę i spróbuj ponownie." in sent.text
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {303}


async def test_search_and_every_page_lead_to_asking(web) -> None:
    nothing = await web.get("/lublin/en/search?q=zzzqqq")
    assert 'href="/lublin/en/ask?q=zzzqqq"' in nothing.text
    home = await web.get("/lublin/en")
    assert 'href="/lublin/en/ask"' in home.text and 'href="/lublin/en/questions"' in home.text


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_a_tip_is_shown_under_the_item_once_an_editor_accepts_it(
    web, platform, auth_header, lang
) -> None:
    item = f"/lublin/{lang}/pages/lublin-health-insurance"
    tip = f"The office now wants an appointment ({uuid.uuid4().hex[:6]})."
    sent = await post_form(
        web, item, f"{item}/suggestions", kind="tip", text=tip, credit="Olena", language="en"
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?suggested=sent#suggest")
    editor = auth_header("pa_editor", city="lublin")
    async with httpx.AsyncClient(base_url=platform["content"], headers=editor, timeout=20) as content:
        queue = await content.get(
            "/cities/lublin/workbench/suggestions", params={"item_id": "lublin-health-insurance"}
        )
        found = [s for s in queue.json()["items"] if s["text"] == tip]
        assert found, queue.text
        decided = await content.post(
            f"/cities/lublin/workbench/suggestions/{found[0]['id']}/decision", json={"decision": "accepted"}
        )
        assert decided.status_code == 200, decided.text

    async def shown() -> bool:
        return tip in (await web.get(item)).text

    await wait_until(shown, timeout=10, message="the accepted tip under the item")
    page = (await web.get(item)).text
    assert "\u2068Olena\u2069" in page


async def test_a_suggestion_without_text_or_too_long_is_refused_with_a_message(web) -> None:
    item = "/lublin/en/processes/lublin-temporary-residence"
    empty = await post_form(web, item, f"{item}/suggestions", kind="tip", text="")
    assert empty.headers["location"].endswith("?suggested=missing#suggest")
    assert "Write what you want to tell the editors." in (await web.get(empty.headers["location"])).text
    shown = await web.get(item)
    long = await web.post(
        f"{item}/suggestions",
        data={"csrf_token": token_of(shown), "kind": "correction", "text": "x" * 2_500},
        headers={"HX-Request": "true"},
    )
    assert long.status_code == 200 and 'id="suggest"' in long.text and "Your text is too long" in long.text


async def test_with_the_ask_service_down_the_pages_say_so(platform) -> None:
    app = create_app(web_settings(platform, ask_url=f"http://127.0.0.1:{free_port()}"))
    async with serve(app) as web:
        form = await web.get("/lublin/uk/ask")
        assert form.status_code == 200  # the form needs only the city's topics
        asked = await web.post("/lublin/uk/ask", data={"csrf_token": token_of(form), "text": "Де лікар?"})
        assert asked.status_code == 503 and "Сервіс зараз недоступний" in asked.text
        assert "Traceback" not in asked.text
        web.cookies.set("witaj_questions", f"q{'0' * 24}.{'x' * 43}", path="/lublin")
        mine = await web.get("/lublin/uk/questions")
        assert mine.status_code == 503 and mine.headers["retry-after"] == "30"
        assert "Зараз ми не можемо показати ваші запитання." in mine.text
        assert web.cookies.get("witaj_questions")  # kept: the questions may well still be there


async def test_a_city_that_takes_no_questions_offers_no_asking(web, platform, auth_header) -> None:
    admin = auth_header("platform_admin")
    city = await asyncio.to_thread(
        new_city, platform["content"], admin, prefix="z", **zamosc({Feature.QUESTIONS})
    )

    async def home() -> httpx.Response | None:
        page = await web.get(f"/{city}/en")
        return page if page.status_code == 200 else None

    page = await wait_until(home, timeout=20, message="the new city's home page")
    assert f'href="/{city}/en/ask"' not in page.text and "ask-band" not in page.text
    off = await web.get(f"/{city}/en/ask")
    assert off.status_code == 404 and "ask-text" not in off.text
    assert (await web.get(f"/{city}/en/questions")).status_code == 404


async def test_too_many_changes_are_limited_per_reader_not_for_everyone(web, web_url) -> None:
    question_id = await ask(web)
    page = f"/lublin/en/questions/{question_id}"
    await post_form(web, page, f"{page}/send")
    shown = await web.get(page)
    statuses = []
    for n in range(12):
        sent = await web.post(f"{page}/replies", data={"csrf_token": token_of(shown), "text": f"And {n}?"})
        statuses.append(sent.status_code)
        if sent.status_code == 429:
            assert "You have made several changes in a short time." in sent.text
            assert f"And {n}?" in sent.text  # what the reader wrote is still in the form
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {303}
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as other:
        theirs = await ask(other)
        sent = await post_form(other, f"/lublin/en/questions/{theirs}", f"/lublin/en/questions/{theirs}/send")
        assert sent.status_code == 303  # another reader is not held back by this one's changes
