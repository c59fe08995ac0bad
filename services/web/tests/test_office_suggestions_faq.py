"""Readers' suggestions for an item's editors and FAQ pages from consenting questions, in the back
office on the real content and ask APIs."""

from __future__ import annotations

import random
import re
import string
import uuid

import httpx
from counselling_helpers import ask, counsellor, org
from office_helpers import form_token, sign_in, text_of
from web_helpers import reader_address

ITEM = "lublin-renting"


async def suggest(content_url: str, kind: str, text: str, credit: str | None = None) -> None:
    """As a reader of the migrant app, on the content API (no account)."""
    body = {"kind": kind, "language": "en", "text": text, "credit_as": credit}
    async with httpx.AsyncClient(
        base_url=content_url, headers={"X-Forwarded-For": reader_address()}
    ) as reader:
        sent = await reader.post(f"/cities/lublin/pages/{ITEM}/suggestions", json=body)
    assert sent.status_code == 202, sent.text


async def find(web: httpx.AsyncClient, text: str, **params: str) -> tuple[str, httpx.Response]:
    """The suggestion's id and the page listing it (oldest first, so page on past other tests')."""
    for offset in range(0, 2000, 20):
        page = await web.get("/office/lublin/suggestions", params={**params, "offset": offset})
        assert page.status_code == 200, page.text
        found = re.search(rf'id="suggestion-([^"]+)">(?:(?!</li>).)*{re.escape(text)}', page.text, re.S)
        if found:
            return found.group(1), page
        if "Older" not in page.text and "More suggestions" not in page.text:
            break
    raise AssertionError(f"{text!r} is not listed")


async def test_an_editor_accepts_a_correction_and_is_led_to_the_items_edit_form(
    web, platform, identity_provider
) -> None:
    text = f"The deposit is now two months of rent. {uuid.uuid4().hex[:6]}"
    await suggest(platform["content"], "correction", text, credit="Marta from Kalinowszczyzna")
    await sign_in(web, identity_provider, "pa_editor")
    suggestion_id, page = await find(web, text, item=ITEM)
    entry = re.search(rf'id="suggestion-{suggestion_id}">.*?</li>', page.text, re.S)
    assert (
        entry
        and "Correction" in entry.group(0)
        and "Credit as: Marta from Kalinowszczyzna" in text_of_html(entry.group(0))
    )

    accepted = await web.post(
        f"/office/lublin/suggestions/{suggestion_id}",
        data={"csrf_token": form_token(page), "decision": "accepted"},
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/office/lublin/suggestions?done=accepted&edit={ITEM}"
    after = await web.get(accepted.headers["location"])
    assert "The suggestion is accepted" in text_of(after)
    assert f'href="/office/lublin/items/{ITEM}/edit"' in after.text
    assert text not in after.text  # no longer waiting
    _, listed = await find(web, text, status="accepted")
    assert listed.status_code == 200

    again = await web.post(
        f"/office/lublin/suggestions/{suggestion_id}",
        data={"csrf_token": form_token(after), "decision": "rejected"},
    )
    assert again.status_code == 409 and "decided on meanwhile" in text_of(again)


async def test_a_rejected_tip_is_never_shown_under_the_item(web, platform, identity_provider) -> None:
    text = f"Buy flowers for the landlord. {uuid.uuid4().hex[:6]}"
    await suggest(platform["content"], "tip", text)
    await sign_in(web, identity_provider, "ngo_editor", org="lublin-city-hall")  # the item's organisation
    suggestion_id, page = await find(web, text)
    rejected = await web.post(
        f"/office/lublin/suggestions/{suggestion_id}",
        data={"csrf_token": form_token(page), "decision": "rejected"},
    )
    assert rejected.status_code == 303 and rejected.headers["location"].endswith("done=rejected")
    async with httpx.AsyncClient(base_url=platform["content"]) as reader:
        shown = await reader.get(f"/cities/lublin/pages/{ITEM}/comments", params={"limit": 100})
    assert text not in shown.text


async def test_an_editor_of_another_organisation_does_not_see_the_suggestion(
    web, platform, identity_provider
) -> None:
    text = f"Not for you. {uuid.uuid4().hex[:6]}"
    await suggest(platform["content"], "tip", text)
    await sign_in(web, identity_provider, "ngo_editor", org=org())
    page = await web.get("/office/lublin/suggestions", params={"item": ITEM})
    assert page.status_code == 200 and text not in page.text


def text_of_html(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).replace("&#39;", "'").split())


async def test_an_editor_makes_an_faq_page_from_a_consenting_answered_question(
    web, web_url, platform, identity_provider, auth_header
) -> None:
    mark = "".join(random.choices(string.ascii_lowercase, k=8))  # letters only: digits would be "a number"
    question_id, _ = await ask(
        platform["ask"], f"Як зареєструватися {mark}? Пишіть на olena@example.com", faq_consent=True
    )
    async with httpx.AsyncClient(base_url=web_url, timeout=20) as desk:
        await counsellor(desk, identity_provider, org())
        page = await desk.get(f"/office/lublin/questions/{question_id}")
        assert "may become one, anonymised" in text_of(page)
        answer = f"Прийдіть до відділу реєстрації {mark}, тел. +48 81 466 10 00."
        sent = await desk.post(
            f"/office/lublin/questions/{question_id}/messages",
            data={"csrf_token": form_token(page), "kind": "answer", "text": answer},
        )
        assert sent.status_code == 303

    await sign_in(web, identity_provider, "pa_editor")
    listing = await web.get("/office/lublin/faq")
    assert listing.status_code == 200
    assert f'href="/office/lublin/faq/{question_id}"' in listing.text
    draft = await web.get(f"/office/lublin/faq/{question_id}")
    assert draft.status_code == 200
    shown = text_of(draft)
    assert "olena@example.com" not in draft.text and "466 10 00" not in draft.text
    assert "[e-mail]" in draft.text and "[phone]" in draft.text
    assert "Taken out: e-mail addresses, phone numbers." in shown
    assert re.search(r'<option value="uk"[^>]*selected', draft.text)  # written in the asker's language

    title = f"Як зареєструватися {mark}?"
    body = f"Прийдіть до відділу реєстрації {mark}."
    empty = await web.post(
        f"/office/lublin/faq/{question_id}",
        data={"csrf_token": form_token(draft), "intent": "save", "language": "uk", "title": "", "body": body},
    )
    assert empty.status_code == 422 and 'id="f-title-error"' in empty.text

    created = await web.post(
        f"/office/lublin/faq/{question_id}",
        data={
            "csrf_token": form_token(draft),
            "intent": "save",
            "language": "uk",
            "title": title,
            "body": body,
        },
    )
    assert created.status_code == 303, created.text
    found = re.match(r"/office/lublin/items/([a-z0-9-]+)\?done=created$", created.headers["location"])
    assert found, created.headers["location"]
    item_id = found.group(1)
    item = await web.get(created.headers["location"])
    assert title in text_of(item)

    async with httpx.AsyncClient(base_url=platform["ask"], timeout=20) as api:
        recorded = await api.get(
            f"/cities/lublin/counselling/questions/{question_id}/faq",
            headers=auth_header("pa_editor", city="lublin"),
        )
    assert recorded.status_code == 200 and recorded.json()["faq_item"] == item_id
    assert f'href="/office/lublin/faq/{question_id}"' not in (await web.get("/office/lublin/faq")).text
    back = await web.get(f"/office/lublin/faq/{question_id}")  # made already: to the page it became
    assert back.status_code == 303 and back.headers["location"] == f"/office/lublin/items/{item_id}"
