"""Migrants' questions in the back office, on the real ask and content APIs: a counsellor's profile, the
queue, a question's page and every step on it (claim, answer with a link, ask back, hand over, close,
report), and who does not see a question at all."""

from __future__ import annotations

import re
import uuid

import httpx
from counselling_helpers import ask, counsellor, in_queue, org, thread
from office_helpers import form_token, sign_in, text_of

RENTING = "Як орендувати квартиру в Любліні і зареєструвати місце проживання?"


def unique(text: str) -> str:
    return f"{text} ({uuid.uuid4().hex[:6]})"


async def test_without_a_profile_the_counsellor_is_asked_for_one_and_a_profile_needs_a_language(
    web, identity_provider
) -> None:
    await sign_in(web, identity_provider, "counsellor", org=org())
    start = await web.get("/office")
    assert start.status_code == 303 and start.headers["location"] == "/office/lublin"
    dashboard = await web.get("/office/lublin")  # a counsellor who edits nothing starts at the questions
    assert dashboard.status_code == 303 and dashboard.headers["location"] == "/office/lublin/questions"
    queue = await web.get("/office/lublin/questions")
    assert queue.status_code == 303 and queue.headers["location"] == "/office/lublin/questions/profile"

    form = await web.get("/office/lublin/questions/profile")
    assert "Before you see questions" in text_of(form)
    nav = re.search(r'<nav class="office-nav".*?</nav>', form.text, re.S)
    assert nav and "Questions" in nav.group(0)
    assert "Readers&#39; suggestions" not in nav.group(0) and "Pages" not in nav.group(0)

    refused = await web.post(
        "/office/lublin/questions/profile", data={"csrf_token": form_token(form), "topics": ["housing"]}
    )
    assert refused.status_code == 422
    assert 'id="f-languages-error"' in refused.text  # next to the languages, the topic kept
    assert re.search(r'value="housing" checked', refused.text)

    saved = await web.post(
        "/office/lublin/questions/profile",
        data={"csrf_token": form_token(form), "topics": ["housing"], "languages": ["uk", "ar"]},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/office/lublin/questions?done=profile"
    again = await web.get("/office/lublin/questions/profile")
    assert re.search(r'value="ar" checked', again.text) and re.search(r'value="housing" checked', again.text)


async def test_a_counsellor_claims_and_answers_with_a_link_and_the_answer_reaches_the_migrants_thread(
    web, platform, identity_provider
) -> None:
    text = unique(RENTING)
    question_id, token = await ask(platform["ask"], text, topic="housing")
    await counsellor(web, identity_provider, org(), topics=("housing",))
    assert await in_queue(web, question_id)

    page = await web.get(f"/office/lublin/questions/{question_id}")
    assert page.status_code == 200
    assert text in text_of(page)
    assert re.search(r'<div class="thread__text" lang="uk" dir="ltr">', page.text)
    links = re.findall(r'name="links" value="([^"]+)"', page.text)
    assert links, "published content that answers the question is offered to link"
    assert "page:lublin-renting" in links

    claimed = await web.post(
        f"/office/lublin/questions/{question_id}/claim", data={"csrf_token": form_token(page)}
    )
    assert claimed.status_code == 303
    page = await web.get(claimed.headers["location"])
    assert "You claimed the question" in text_of(page) and "Give the claim up" in text_of(page)

    empty = await web.post(
        f"/office/lublin/questions/{question_id}/messages",
        data={"csrf_token": form_token(page), "kind": "answer", "text": "", "links": [links[0]]},
    )
    assert empty.status_code == 422 and 'id="f-text-error"' in empty.text
    assert re.search(rf'value="{re.escape(links[0])}" checked', empty.text)  # what was chosen is kept

    answer = f"Зверніться до міського відділу. {uuid.uuid4().hex[:6]}"
    sent = await web.post(
        f"/office/lublin/questions/{question_id}/messages",
        data={
            "csrf_token": form_token(page),
            "kind": "answer",
            "text": answer,
            "links": ["page:lublin-renting"],
        },
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=answer")
    after = await web.get(sent.headers["location"])
    assert "Your answer is sent" in text_of(after) and answer in text_of(after)

    seen = await thread(platform["ask"], question_id, token)
    assert seen["state"] == "answered"
    last = seen["messages"][-1]
    assert last["kind"] == "answer" and last["text"] == answer
    assert [link["item_id"] for link in last["links"]] == ["lublin-renting"]


async def test_asking_back_waits_for_the_migrant(web, platform, identity_provider) -> None:
    question_id, token = await ask(platform["ask"], unique("Де подати заяву на карту побиту?"))
    await counsellor(web, identity_provider, org())
    page = await web.get(f"/office/lublin/questions/{question_id}")
    sent = await web.post(
        f"/office/lublin/questions/{question_id}/messages",
        data={"csrf_token": form_token(page), "kind": "ask_back", "text": "Яка у вас підстава перебування?"},
    )
    assert sent.status_code == 303
    assert (await thread(platform["ask"], question_id, token))["state"] == "awaiting_migrant"
    assert await in_queue(web, question_id, state="awaiting_migrant")
    assert not await in_queue(web, question_id)


async def test_a_hand_over_moves_the_question_to_the_other_organisations_queue(
    web_url, platform, identity_provider
) -> None:
    question_id, _ = await ask(platform["ask"], unique("Чи можу я працювати з картою побиту?"))
    first, second = org(), org()
    async with (
        httpx.AsyncClient(base_url=web_url, timeout=20) as mine,
        httpx.AsyncClient(base_url=web_url, timeout=20) as theirs,
    ):
        await counsellor(mine, identity_provider, first)
        await counsellor(theirs, identity_provider, second)
        page = await mine.get(f"/office/lublin/questions/{question_id}")
        assert f'<option value="{second}"' in page.text and f'<option value="{first}"' not in page.text

        same = await mine.post(
            f"/office/lublin/questions/{question_id}/hand-over",
            data={"csrf_token": form_token(page), "organisation": "nobody-reads-it"},
        )
        assert same.status_code == 422 and 'id="f-organisation-error"' in same.text
        assert "No counsellor of that organisation reads" in text_of(same)

        handed = await mine.post(
            f"/office/lublin/questions/{question_id}/hand-over",
            data={"csrf_token": form_token(page), "organisation": second},
        )
        assert handed.status_code == 303 and handed.headers["location"].endswith("?done=handed_over")
        assert "The question is handed over" in text_of(await mine.get(handed.headers["location"]))
        gone = await mine.get(f"/office/lublin/questions/{question_id}")
        assert gone.status_code == 404 and "Чи можу я" not in gone.text
        assert not await in_queue(mine, question_id)

        assert await in_queue(theirs, question_id)
        there = await theirs.get(f"/office/lublin/questions/{question_id}")
        assert there.status_code == 200 and f"Handed over to {second}" in text_of(there)


async def test_a_counsellor_of_another_topic_or_city_does_not_see_the_question(
    web, web_url, platform, identity_provider
) -> None:
    text = unique("Як знайти лікаря сімейної медицини?")
    question_id, _ = await ask(platform["ask"], text, topic="work")
    await counsellor(web, identity_provider, org(), topics=("housing",))
    assert not await in_queue(web, question_id)
    hidden = await web.get(f"/office/lublin/questions/{question_id}")
    assert hidden.status_code == 404 and text not in hidden.text

    async with httpx.AsyncClient(base_url=web_url, timeout=20) as elsewhere:
        await sign_in(elsewhere, identity_provider, "counsellor", city="gdansk", org=org())
        other_city = await elsewhere.get(f"/office/lublin/questions/{question_id}")
        assert other_city.status_code == 403 and text not in other_city.text
        queue = await elsewhere.get("/office/lublin/questions")
        assert queue.status_code == 403

    async with httpx.AsyncClient(base_url=web_url, timeout=20) as reader:  # another language: not theirs
        await counsellor(reader, identity_provider, org(), languages=("ar",))
        assert (await reader.get(f"/office/lublin/questions/{question_id}")).status_code == 404


async def test_closing_and_reporting_take_the_question_out_of_the_queue(
    web, platform, identity_provider
) -> None:
    closed_id, closed_token = await ask(platform["ask"], unique("Дякую, вже не треба."))
    reported_id, _ = await ask(platform["ask"], unique("Spam spam spam"))
    await counsellor(web, identity_provider, org())

    page = await web.get(f"/office/lublin/questions/{closed_id}")
    closed = await web.post(
        f"/office/lublin/questions/{closed_id}/close",
        data={"csrf_token": form_token(page), "note": "Asked twice"},
    )
    assert closed.status_code == 303 and closed.headers["location"].endswith("?done=closed")
    assert (await thread(platform["ask"], closed_id, closed_token))["state"] == "closed"

    page = await web.get(f"/office/lublin/questions/{reported_id}")
    odd = await web.post(
        f"/office/lublin/questions/{reported_id}/report",
        data={"csrf_token": form_token(page), "reason": "boring"},
    )
    assert odd.status_code == 422 and 'id="f-reason-error"' in odd.text
    reported = await web.post(
        f"/office/lublin/questions/{reported_id}/report",
        data={"csrf_token": form_token(page), "reason": "spam"},
    )
    assert reported.status_code == 303
    assert "hidden from every queue" in text_of(await web.get(reported.headers["location"]))
    for question_id in (closed_id, reported_id):
        assert (await web.get(f"/office/lublin/questions/{question_id}")).status_code == 404


async def test_a_form_without_its_token_is_refused(web, platform, identity_provider) -> None:
    question_id, token = await ask(platform["ask"], unique("Де отримати PESEL?"))
    await counsellor(web, identity_provider, org())
    refused = await web.post(
        f"/office/lublin/questions/{question_id}/messages", data={"kind": "answer", "text": "Без токена"}
    )
    assert refused.status_code == 403
    assert len((await thread(platform["ask"], question_id, token))["messages"]) == 1


async def test_who_sees_the_questions_suggestions_and_faq_entries(web_url, identity_provider) -> None:
    """Navigation: counsellors (with an organisation) get the questions; editors the suggestions and FAQ."""
    cases = {
        ("counsellor", "ngo-x"): ({"Questions"}, {"Readers&#39; suggestions", "FAQ from questions"}),
        ("ngo_editor", "ngo-x"): ({"Questions", "Readers&#39; suggestions", "FAQ from questions"}, set()),
        ("pa_editor", None): ({"Readers&#39; suggestions", "FAQ from questions"}, {"Questions"}),
        ("translator", None): (set(), {"Questions", "Readers&#39; suggestions", "FAQ from questions"}),
    }
    for (role, organisation), (shown, hidden) in cases.items():
        async with httpx.AsyncClient(base_url=web_url, timeout=20) as client:
            await sign_in(client, identity_provider, role, org=organisation)
            target = (
                "/office/lublin/translations" if role == "translator" else "/office/lublin/questions/profile"
            )
            if role == "pa_editor":
                target = "/office/lublin"
            page = await client.get(target)
            nav = re.search(r'<nav class="office-nav".*?</nav>', page.text, re.S)
            assert nav, (role, page.status_code)
            links = set(re.findall(r">([^<]+)</a></li>", nav.group(0)))
            assert shown <= links and not (hidden & links), (role, links)
