"""Ask a person, end to end on the real broker and databases: content, ask and notify together.

A migrant subscribes in notify, asks in the ask service, is shown content's instant answers, sends the
question on; a counsellor of the right city, topic and language answers with a link to published
content, and the notice arrives live on the migrant's notify stream while the answer itself is read
from the ask service. With the migrant's consent an editor turns it into a content page draft; then the
migrant erases the question. A counsellor of another city or topic never sees it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from witaj.ask.main import create_app as ask_app
from witaj.ask.settings import AskSettings
from witaj.content.main import create_app as content_app
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import live_server, serve, wait_until
from witaj.notify.main import create_app as notify_app
from witaj.notify.settings import NotifySettings

CITY = {
    "id": "torun",
    "name": "Toruń",
    "country": "PL",
    "timezone": "Europe/Warsaw",
    "default_language": "pl",
    "languages": ["pl", "en", "uk"],
}
PAGE = {
    "title": "Health insurance",
    "summary": "Who is insured and how to sign up.",
    "body": "Children are insured with a parent. Register them at the NFZ office with a birth certificate.",
    "topics": ["health"],
}


@pytest.fixture
async def platform(make_settings, auth_header) -> AsyncIterator[dict[str, Any]]:
    """Content and ask in-process, notify over real HTTP (its stream is read as it is written)."""
    async with AsyncExitStack() as stack:
        content = await stack.enter_async_context(
            serve(content_app(make_settings(ContentSettings, count_demand=False)))
        )
        created = await content.post("/cities", json=CITY, headers=auth_header("platform_admin"))
        assert created.status_code == 201, created.text
        ask = await stack.enter_async_context(serve(ask_app(make_settings(AskSettings))))
        notify_api = notify_app(make_settings(NotifySettings))
        url = await stack.enter_async_context(live_server(notify_api))
        notify = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=10))
        for app in (ask._transport.app, notify_api):  # type: ignore[attr-defined]
            cities = app.state.runtime.cities
            await wait_until(
                lambda c=cities: c.get("torun") and c.topics("torun"), timeout=30, message="Toruń"
            )
        yield {"content": content, "ask": ask, "notify": notify}


async def published_page(content: httpx.AsyncClient, editor: dict[str, str]) -> str:
    base = "/cities/torun/workbench"
    item = (
        await content.post(f"{base}/pages", json={"content": PAGE, "source_language": "en"}, headers=editor)
    ).json()
    for status in ("in_review", "published"):
        assert (
            await content.post(f"{base}/items/{item['id']}/status", json={"status": status}, headers=editor)
        ).is_success
    return str(item["id"])


async def next_notice(lines: Any, source_type: str) -> dict[str, Any]:
    """The next message of that type on the stream (the page's own notice may come first)."""
    event: dict[str, str] = {}
    async with asyncio.timeout(20):
        async for line in lines:
            if line:
                field, _, value = line.partition(": ")
                event[field] = value
                continue
            if event.get("event") == "message" and json.loads(event["data"])["source_type"] == source_type:
                return json.loads(event["data"])  # type: ignore[no-any-return]
            event = {}
    raise AssertionError("the stream ended")


async def test_question_to_counsellor_to_answer_in_the_live_inbox(platform, auth_header) -> None:
    content, ask, notify = platform["content"], platform["ask"], platform["notify"]
    editor = auth_header("pa_editor", city="torun", org="urzad-miasta")
    page = await published_page(content, editor)

    subscription = (await notify.post("/subscriptions", json={"city": "torun", "language": "en"})).json()
    device = {"X-Subscriber-Token": subscription["token"]}
    text = "Are my children insured? I work at a factory since May."
    asked = await ask.post(
        "/cities/torun/questions",
        json={
            "text": text,
            "language": "en",
            "topic": "health",
            "subscriber": subscription["id"],
            "faq_consent": True,
        },
        headers=device,
    )
    assert asked.status_code == 201, asked.text
    question, token = asked.json()["id"], asked.json()["token"]
    migrant = {"X-Question-Token": token}

    instant = (
        await content.get("/cities/torun/answers", params={"q": text, "lang": "en", "topic": "health"})
    ).json()
    assert instant["answers"][0]["id"] == page  # shown first; this migrant still wants a person
    assert (await ask.post(f"/cities/torun/questions/{question}/send", headers=migrant)).json()[
        "state"
    ] == "open"

    counsellor = auth_header("counsellor", city="torun", org="caritas")
    await ask.put(
        "/cities/torun/counselling/profile",
        json={"languages": ["en"], "topics": ["health"]},
        headers=counsellor,
    )
    elsewhere = auth_header("counsellor", city="lublin", org="caritas")
    housing = auth_header("counsellor", city="torun", org="fundacja")
    await ask.put(
        "/cities/torun/counselling/profile",
        json={"languages": ["en"], "topics": ["housing"]},
        headers=housing,
    )
    assert (
        await ask.get(f"/cities/torun/counselling/questions/{question}", headers=elsewhere)
    ).status_code == 403
    assert (
        await ask.get(f"/cities/torun/counselling/questions/{question}", headers=housing)
    ).status_code == 404
    queue = (await ask.get("/cities/torun/counselling/queue", headers=counsellor)).json()
    assert [q["id"] for q in queue["items"]] == [question]

    async with notify.stream(
        "GET",
        f"/subscriptions/{subscription['id']}/stream",
        headers={**device, "Accept": "text/event-stream"},
    ) as stream:
        answer = "Yes: children are insured with a parent who works. Register them at the NFZ office."
        written = await ask.post(
            f"/cities/torun/counselling/questions/{question}/messages",
            json={"kind": "answer", "text": answer, "links": [{"kind": "page", "item_id": page}]},
            headers=counsellor,
        )
        assert written.status_code == 200, written.text
        notice = await next_notice(stream.aiter_lines(), "ask.question_answered")
    assert notice["title"] == "Your question was answered"
    assert answer not in json.dumps(notice)  # the notice points to the thread; the text stays in ask
    thread = (await ask.get(f"/cities/torun/questions/{question}", headers=migrant)).json()
    last = thread["messages"][-1]
    assert (last["text"], last["links"][0]["path"]) == (answer, f"/cities/torun/pages/{page}")

    draft = (await ask.get(f"/cities/torun/counselling/questions/{question}/faq", headers=editor)).json()
    faq = await content.post(
        "/cities/torun/workbench/pages", json={"content": draft["content"]}, headers=editor
    )
    assert faq.status_code == 201, faq.text
    assert faq.json()["status"] == "draft" and faq.json()["content"]["body"] == answer
    recorded = await ask.post(
        f"/cities/torun/counselling/questions/{question}/faq",
        json={"item_id": faq.json()["id"]},
        headers=editor,
    )
    assert recorded.json()["faq_item"] == faq.json()["id"]

    assert (await ask.delete(f"/cities/torun/questions/{question}", headers=migrant)).status_code == 204
    assert (await ask.get(f"/cities/torun/questions/{question}", headers=migrant)).status_code == 404
    assert (
        await ask.get(f"/cities/torun/counselling/questions/{question}", headers=counsellor)
    ).status_code == 404
