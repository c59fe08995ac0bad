"""Notifications over HTTP on the real platform: subscribing to topics and target groups, the inbox as
notify fills it, marking read, the live stream relayed by the web app, and stopping (which erases)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
from agenda_helpers import create_event, event_body, form_key_of, organiser, publish_page, token_of, unique
from web_helpers import reader_address
from witaj.devkit.testing import wait_until

NOTIFICATIONS = "/lublin/en/notifications"
INBOX = "/lublin/en/inbox"


async def subscribe(web: httpx.AsyncClient, **choices: Any) -> httpx.Response:
    page = await web.get(NOTIFICATIONS)
    form = {"csrf_token": token_of(page), "channel": "inbox", **choices}
    return await web.post(NOTIFICATIONS, data=form)


def held(web: httpx.AsyncClient) -> tuple[str, str]:
    value = web.cookies.get("witaj_notifications")
    assert value, "the browser holds no subscription"
    subscription_id, _, token = value.partition(".")
    return subscription_id, token


async def at_notify(platform: dict[str, str], web: httpx.AsyncClient, path: str = "") -> httpx.Response:
    subscription_id, token = held(web)
    async with httpx.AsyncClient(base_url=platform["notify"]) as notify:
        return await notify.get(
            f"/subscriptions/{subscription_id}{path}", headers={"X-Subscriber-Token": token}
        )


async def test_subscribing_keeps_the_key_in_the_browser_and_the_choices_at_notify(web, platform) -> None:
    page = await web.get(NOTIFICATIONS)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'name="topic" value="housing"' in page.text and 'name="group" value="refugee"' in page.text
    sent = await subscribe(web, topic=["housing", "work"], group=["refugee"])
    assert sent.status_code == 303 and sent.headers["location"] == f"{INBOX}?done=subscribed"
    cookie = next(v for v in sent.headers.get_list("set-cookie") if v.startswith("witaj_notifications="))
    assert "Path=/lublin" in cookie and "HttpOnly" in cookie
    subscription_id, token = held(web)
    assert subscription_id not in sent.headers["location"] and token not in sent.headers["location"]
    stored = (await at_notify(platform, web)).json()
    assert stored["topics"] == ["housing", "work"] and stored["target_groups"] == ["refugee"]
    assert stored["channels"] == ["inbox"] and stored["language"] == "en"

    inbox = await web.get(f"{INBOX}?done=subscribed")
    assert "You are subscribed. New messages will appear here." in inbox.text
    assert 'data-inbox-stream="/lublin/en/inbox/stream"' in inbox.text
    settings = await web.get(NOTIFICATIONS)
    assert "Your notifications" in settings.text and "Save my choices" in settings.text
    assert 'value="housing" checked' in settings.text and 'value="culture"' not in settings.text
    # Changing the choices changes the same subscription, in the language of the page.
    changed = await web.post(
        "/lublin/uk/notifications",
        data={"csrf_token": token_of(settings), "channel": "inbox", "topic": "health"},
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/lublin/uk/notifications?done=saved"
    stored = (await at_notify(platform, web)).json()
    assert stored["topics"] == ["health"] and stored["target_groups"] == [] and stored["language"] == "uk"


async def test_mistakes_in_the_subscription_form_come_back_beside_their_fields(web) -> None:
    page = await web.get(NOTIFICATIONS)
    nothing = await web.post(NOTIFICATIONS, data={"csrf_token": token_of(page)})
    assert nothing.status_code == 422
    assert '<a href="#sub-inbox">Choose how you want to get messages</a>' in nothing.text
    no_address = await web.post(NOTIFICATIONS, data={"csrf_token": token_of(page), "channel": "email"})
    assert '<a href="#sub-email">Enter your e-mail address, or untick “By e-mail”</a>' in no_address.text
    bad = await web.post(
        NOTIFICATIONS, data={"csrf_token": token_of(page), "channel": "email", "email": "me@home"}
    )
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text and 'value="me@home"' in bad.text
    unknown = await web.post(
        NOTIFICATIONS, data={"csrf_token": token_of(page), "channel": "inbox", "topic": "no-such-topic"}
    )
    assert '<a href="#sub-topics">Choose topics from the list</a>' in unknown.text
    assert web.cookies.get("witaj_notifications") is None


async def test_subscribing_is_limited_per_reader_like_the_api(web, web_url) -> None:
    outcomes = []
    for _ in range(80):  # notify lets one caller make 30 at once, then one every two seconds
        web.cookies.clear()  # a browser that forgets its subscription each time, from the same address
        sent = await subscribe(web, topic=["education"])
        outcomes.append(sent.status_code)
        if sent.status_code != 303:
            break
    assert outcomes[0] == 303 and outcomes[-1] == 429
    assert "You have subscribed many times in a short time." in sent.text
    assert 'value="education" checked' in sent.text  # the choices stay for the next try
    assert web.cookies.get("witaj_notifications") is None
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as other:
        assert (await subscribe(other, topic=["education"])).status_code == 303  # nobody else is held up


def plain(page: httpx.Response) -> str:
    """The page's text without the marks that isolate an address from the text's direction."""
    return page.text.replace("\u2068", "").replace("\u2069", "")


async def test_an_e_mail_address_waits_for_its_confirmation_and_the_link_can_be_sent_again(
    web, platform
) -> None:
    sent = await subscribe(web, channel=["inbox", "email"], email="newcomer@example.org")
    assert sent.status_code == 303
    stored = (await at_notify(platform, web)).json()
    assert stored["email"] == "newcomer@example.org" and stored["email_confirmed"] is False
    pending = "We sent a link to newcomer@example.org. Open it to confirm your address."
    # Right after subscribing, and on the settings page, the reader learns to look in that mailbox.
    inbox = await web.get(sent.headers["location"])
    assert "You are subscribed." in inbox.text and pending in plain(inbox)
    page = await web.get(NOTIFICATIONS)
    assert pending in plain(page) and "Messages are also sent by e-mail" not in plain(page)
    assert 'action="/lublin/en/notifications/confirmation"' in page.text

    again = await web.post(f"{NOTIFICATIONS}/confirmation", data={"csrf_token": token_of(page)})
    assert again.status_code == 303 and again.headers["location"] == f"{NOTIFICATIONS}?done=sent_again"
    told = await web.get(again.headers["location"])
    assert "We are sending the link again." in told.text and pending in plain(told)

    # A new address is confirmed anew; without one, there is nothing to confirm or send again.
    changed = await web.post(
        NOTIFICATIONS, data={"csrf_token": token_of(told), "channel": "inbox", "email": ""}
    )
    assert changed.status_code == 303
    settled = await web.get(NOTIFICATIONS)
    assert "We sent a link" not in settled.text and "/notifications/confirmation" not in settled.text
    nothing = await web.post(f"{NOTIFICATIONS}/confirmation", data={"csrf_token": token_of(settled)})
    assert nothing.status_code == 303 and nothing.headers["location"] == NOTIFICATIONS


async def test_a_published_item_reaches_the_inbox_and_can_be_marked_read(web, platform, auth_header) -> None:
    await subscribe(web, topic=["housing"])
    title = unique("New rules for renting")
    publish_page(platform, auth_header("pa_editor", city="lublin"), title, ["housing", "renting"])

    async def arrived() -> httpx.Response | None:
        page = await web.get(INBOX)
        return page if title in page.text else None

    page = await wait_until(arrived, timeout=30, message="the message in the inbox")
    assert "1 unread message" in page.text
    item = re.search(r'<li class="message message--unread" id="(m-[0-9a-f]{16})">(.*?)</li>', page.text, re.S)
    assert item and title in item.group(2)
    link = re.search(r'<a href="(/lublin/en/pages/[^"]+)">', item.group(2))
    assert link, "the message links to the page in the app, not to the API"
    message_id = re.search(r'name="message" value="([^"]+)"', item.group(2))
    assert message_id
    boxed = await web.post(
        f"{INBOX}/read",
        data={"csrf_token": token_of(page), "message": message_id.group(1)},
        headers={"HX-Request": "true"},
    )
    assert boxed.status_code == 200 and boxed.text.lstrip().startswith(
        f'<li class="message" id="{item.group(1)}"'
    )
    assert "Mark as read" not in boxed.text
    read = (await at_notify(platform, web, "/inbox")).json()
    assert read["unread"] == 0


async def test_the_stream_relays_new_messages_as_the_inbox_shows_them(web, platform, auth_header) -> None:
    await subscribe(web, topic=["work"])
    title = unique("Job fair")
    frames: list[dict[str, Any]] = []

    async def listen() -> None:
        async with web.stream("GET", f"{INBOX}/stream") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            event = None
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "message":
                    frames.append(json.loads(line.removeprefix("data: ")))
                    return

    listening = asyncio.create_task(listen())
    await asyncio.sleep(0)  # the stream is asked for before anything is published
    publish_page(platform, auth_header("pa_editor", city="lublin"), title, ["work"])
    await asyncio.wait_for(listening, 30)
    [message] = frames
    assert re.fullmatch(r"m-[0-9a-f]{16}", message["id"])
    assert message["html"].startswith(f'<li class="message message--unread" id="{message["id"]}">')
    assert title in message["html"] and 'name="csrf_token"' in message["html"]
    _, held_token = held(web)
    assert held_token not in message["html"]


async def test_without_a_subscription_the_inbox_invites_and_the_stream_says_there_is_nothing(web) -> None:
    page = await web.get(INBOX)
    assert "You have not subscribed to notifications in this browser yet." in page.text
    assert "data-inbox-stream" not in page.text
    assert (await web.get(f"{INBOX}/stream")).status_code == 204
    assert (await web.get(f"{NOTIFICATIONS}/stop")).headers["location"] == NOTIFICATIONS


async def test_stopping_erases_everything_at_notify_and_in_the_browser(web, platform) -> None:
    await subscribe(web, topic=["health"])
    gone_before = await at_notify(platform, web)
    assert gone_before.status_code == 200
    subscription_id, token = held(web)
    confirm = await web.get(f"{NOTIFICATIONS}/stop")
    assert "This deletes your choices and all your messages." in confirm.text
    stopped = await web.post(f"{NOTIFICATIONS}/stop", data={"csrf_token": token_of(confirm)})
    assert stopped.status_code == 303 and stopped.headers["location"] == f"{NOTIFICATIONS}?done=erased"
    assert web.cookies.get("witaj_notifications") is None
    async with httpx.AsyncClient(base_url=platform["notify"]) as notify:
        erased = await notify.get(f"/subscriptions/{subscription_id}", headers={"X-Subscriber-Token": token})
    assert erased.status_code == 404
    page = await web.get(f"{NOTIFICATIONS}?done=erased")
    assert "Your notifications are stopped, and everything about them is deleted." in page.text


async def test_a_waiting_reader_who_asked_to_be_told_gets_a_message_with_the_place(
    web_url, platform, auth_header
) -> None:
    made = create_event(platform, organiser(auth_header), event_body(unique("Tiny workshop"), capacity=1))
    address = f"/lublin/en/events/{made['id']}"
    first, second = (
        httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}, timeout=20)
        for _ in range(2)
    )
    async with first, second:
        page = await first.get(address)
        await first.post(
            f"{address}/register",
            data={"csrf_token": token_of(page), "key": form_key_of(page), "occurrence": occurrence_of(page)},
        )
        await subscribe(second)
        page = await second.get(address)
        assert 'name="notify" value="yes" checked' in page.text
        sent = await second.post(
            f"{address}/register",
            data={
                "csrf_token": token_of(page), "key": form_key_of(page), "occurrence": occurrence_of(page),
                "notify": "yes",
            },
        )  # fmt: skip
        assert sent.headers["location"].endswith("?registered=waitlisted#registration")
        mine = await first.get(address)
        cancel = re.search(r'action="(/lublin/en/registrations/[^"/]+/cancel)"', mine.text)
        assert cancel
        await first.post(cancel.group(1), data={"csrf_token": token_of(mine), "event": made["id"]})

        async def told() -> bool:
            inbox = await second.get(INBOX)
            return made["texts"]["title"] in inbox.text

        await wait_until(told, timeout=30, message="the promotion in the waiting reader's inbox")


def occurrence_of(page: httpx.Response) -> str:
    found = re.search(r'name="occurrence" value="([^"]+)"', page.text)
    assert found
    return found.group(1)
