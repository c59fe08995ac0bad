"""The daily digest: one message a day per subscriber and channel, at their hour in their time zone,
after their quiet hours, listing every item since the last one; driven by a clock the test moves."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from notify_helpers import (
    FakeClock,
    Receiver,
    content_published,
    notify_service,
    publish_content,
    services_of,
    subscribe,
)
from witaj.devkit.testing import wait_until
from witaj.notify.webhooks import verify_signature


def item(n: int):
    titles = {"pl": f"Mieszkanie {n}", "en": f"Housing {n}", "uk": f"Житло {n}"}
    return content_published(["housing"], titles=titles)


async def _received(receiver: Receiver, count: int) -> bool:
    return len(receiver.requests) >= count


async def test_digest_subscribers_get_one_message_a_day_in_their_zone_after_quiet_hours(
    settings, publisher
) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))  # 11:00 in Warsaw, 19:00 in Tokyo
    receivers = {name: Receiver([200]) for name in ("warsaw", "tokyo", "immediate")}
    servers = [await asyncio.start_server(r.handle, "127.0.0.1", 0) for r in receivers.values()]
    url = {
        name: f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}/hook" for name, s in zip(receivers, servers)
    }
    hook = {"topics": ["housing"], "channels": ["webhook"]}
    async with notify_service(settings, publisher, clock=clock) as client:
        box = services_of(client).mailbox.collection
        jobs = services_of(client).fanout.jobs
        warsaw = await subscribe(
            client, **hook, webhook_url=url["warsaw"], language="uk", mode="digest", digest_hour=8,
            timezone="Europe/Warsaw", quiet_hours={"start": "07:00", "end": "09:00"},
        )  # fmt: skip
        tokyo = await subscribe(
            client, **hook, webhook_url=url["tokyo"], language="en", mode="digest", digest_hour=8,
            timezone="Asia/Tokyo",
        )  # fmt: skip
        await subscribe(client, **hook, webhook_url=url["immediate"])

        for n in (1, 2, 3):
            await publish_content(publisher, item(n))
        await wait_until(lambda: _received(receivers["immediate"], 3), message="one webhook per item")
        await wait_until(lambda: _count(jobs, {"state": "done"}, 3), message="three fan-outs done")
        await wait_until(lambda: _count(box, {"status": "delivered"}, 3), message="immediate ones recorded")
        due = {d["subscriber"]: d["due_at"] for d in await box.find({"kind": "digest"}).to_list()}
        assert due == {
            tokyo["id"]: datetime(2026, 3, 10, 23, 0, tzinfo=UTC),  # 08:00 in Tokyo
            warsaw["id"]: datetime(2026, 3, 11, 8, 0, tzinfo=UTC),  # 08:00 is quiet there: 09:00
        }

        clock.now = datetime(2026, 3, 10, 22, 59, tzinfo=UTC)
        assert await box.count_documents({"due_at": {"$lte": clock.now}}) == 0
        clock.now = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
        await wait_until(lambda: _received(receivers["tokyo"], 1), message="Tokyo's digest")
        headers, body = receivers["tokyo"].requests[0]
        assert verify_signature(
            tokyo["webhook_secret"], body, headers["witaj-timestamp"], headers["witaj-signature"]
        )
        digest = json.loads(body)
        assert digest["type"] == "digest" and digest["language"] == "en" and "3 new" in digest["title"]
        # Oldest first; the frozen clock gave the three the same time, so their order is not asserted.
        assert sorted(i["title"] for i in digest["items"]) == [
            "New: Housing 1",
            "New: Housing 2",
            "New: Housing 3",
        ]
        assert headers["witaj-delivery-id"] == digest["id"]

        clock.now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 08:30 in Tokyo: tomorrow's digest there
        await publish_content(publisher, item(4))
        await wait_until(lambda: _count(jobs, {"state": "done"}, 4), message="the fourth fan-out done")
        await wait_until(lambda: _count(box, {"status": "delivered"}, 3 + 3 + 1), message="4th recorded")

        clock.now = datetime(2026, 3, 11, 7, 30, tzinfo=UTC)  # 08:30 in Warsaw, still quiet
        assert await box.count_documents({"due_at": {"$lte": clock.now}}) == 0
        clock.now = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
        await wait_until(lambda: _received(receivers["warsaw"], 1), message="Warsaw's digest")
        digest = json.loads(receivers["warsaw"].requests[0][1])
        assert digest["language"] == "uk" and "4" in digest["title"]
        assert sorted(i["title"] for i in digest["items"]) == [f"Нове: Житло {n}" for n in (1, 2, 3, 4)]
        assert digest["items"][-1]["title"] == "Нове: Житло 4"  # the latest comes last

        clock.now = datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
        await wait_until(lambda: _received(receivers["tokyo"], 2), message="Tokyo's second digest")
        second = json.loads(receivers["tokyo"].requests[1][1])
        assert [i["title"] for i in second["items"]] == ["New: Housing 4"] and second["id"] != digest["id"]

        await wait_until(lambda: _count(box, {"kind": "digest"}, 0), message="no digest left pending")
        assert await box.count_documents({"status": "delivered"}) == 4 + 4 + 4
        assert {name: len(r.requests) for name, r in receivers.items()} == {
            "warsaw": 1,
            "tokyo": 2,
            "immediate": 4,
        }
    for server in servers:
        server.close()


async def _count(collection, query, expected):
    return await collection.count_documents(query) == expected


def test_a_digest_email_lists_every_item_escaped_in_the_reading_direction() -> None:
    from notify_helpers import LUBLIN
    from witaj.notify import email
    from witaj.notify.templates import Rendered, render_digest

    items = [
        Rendered("ar", True, "جديد: <b>السكن</b>", "معلومات جديدة", "https://witaj.example/pages/1"),
        Rendered("ar", True, "جديد: العمل", "معلومات", None),
    ]
    message = render_digest(LUBLIN, items, language="ar", fallbacks=[])
    mail = email.compose(
        "Witaj <no-reply@witaj.local>", "amal@example.org", "digest:s1:email:1", message, "u"
    )
    assert mail["Subject"] == message.title and "2" in message.title and mail["Content-Language"] == "ar"
    html = mail.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and html.count("<li>") == 2 and "&lt;b&gt;" in html and "<b>" not in html
    text = mail.get_body(("plain",)).get_content()
    assert "https://witaj.example/pages/1" in text and "جديد: العمل" in text
