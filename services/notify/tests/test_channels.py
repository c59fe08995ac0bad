"""E-mail against a real SMTP server process, signed webhooks against a real HTTP receiver, retries."""

from __future__ import annotations

import asyncio
from email.header import decode_header, make_header

from notify_helpers import (
    Receiver,
    confirm_address,
    content_published,
    device,
    make_options,
    notifications,
    notify_service,
    publish_content,
    services_of,
    smtp_server,
    subscribe,
)
from witaj.devkit.testing import read_topic, wait_until
from witaj.notify.settings import NotifySettings
from witaj.notify.webhooks import verify_signature
from witaj.shared.envelope import registry
from witaj.shared.topics import NOTIFY_DELIVERIES


async def test_webhooks_are_signed_retried_and_dead_lettered(settings, publisher, kafka_settings) -> None:
    flaky, broken = Receiver([500, 200]), Receiver([503])
    servers = [await asyncio.start_server(r.handle, "127.0.0.1", 0) for r in (flaky, broken)]
    urls = [f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}/hook" for s in servers]
    async with notify_service(settings, publisher) as client:
        good = await subscribe(client, topics=["housing"], channels=["webhook"], webhook_url=urls[0])
        bad = await subscribe(client, topics=["housing"], channels=["webhook"], webhook_url=urls[1])
        await publish_content(publisher, content_published(["housing"]))

        box = services_of(client).mailbox.collection
        await wait_until(
            lambda: box.count_documents({"status": {"$in": ["delivered", "failed"]}}), timeout=15
        )
        await wait_until(
            lambda: _count(box, {"status": {"$in": ["delivered", "failed"]}}, 2),
            timeout=15,
            message="both webhooks finished",
        )
        assert len(flaky.requests) == 2 and len(broken.requests) == 3  # max_attempts = 3
        headers, body = flaky.requests[-1]
        assert verify_signature(
            good["webhook_secret"], body, headers["witaj-timestamp"], headers["witaj-signature"]
        )
        assert not verify_signature(
            bad["webhook_secret"], body, headers["witaj-timestamp"], headers["witaj-signature"]
        )
        assert flaky.requests[0][0]["witaj-delivery-id"] == headers["witaj-delivery-id"]
        dead = await services_of(client).delivery.dead_letters.find_one({"subscriber": bad["id"]})
        assert dead["attempts"] == 3 and dead["error"] == "WebhookRejected"
        records = await read_topic(kafka_settings, NOTIFY_DELIVERIES, count=2)
        kinds = {(registry.decode(r.value).type, registry.decode(r.value).data.subscriber) for r in records}
        assert ("notify.delivered", good["id"]) in kinds and ("notify.failed", bad["id"]) in kinds
        assert all(b"127.0.0.1" not in r.value for r in records)
    for server in servers:
        server.close()


async def test_email_goes_through_a_real_smtp_server_with_unsubscribe_headers(
    make_settings, publisher, tmp_path
) -> None:
    async with smtp_server(tmp_path) as (smtp, maildir):
        settings = make_settings(NotifySettings, notify=make_options(smtp=smtp))
        async with notify_service(settings, publisher) as client:
            mine = await subscribe(
                client,
                topics=["housing"],
                channels=["email", "inbox"],
                email="olena@example.org",
                language="uk",
            )
            await confirm_address(client, maildir, "olena@example.org")
            await publish_content(publisher, content_published(["housing"], titles={"uk": "<b>Житло</b>"}))
            [message] = await wait_until(lambda: notifications(maildir), timeout=15, message="e-mail arrived")
            assert message["To"] == "olena@example.org" and "Житло" in str(
                make_header(decode_header(message["Subject"]))
            )
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(
                decode=True
            )
            assert b"&lt;b&gt;" in html and b"<b>" not in html  # titles are escaped in HTML
            link = str(make_header(decode_header(message["List-Unsubscribe"]))).strip("<>")
            gone = await client.post(link[link.index("/unsubscribe/") :])
            assert gone.status_code == 200, (link, gone.text)
            stored = await services_of(client).subscriptions.get(mine["id"])
            assert stored["active"] is False and stored["match_keys"] == []


async def _count(collection, query, expected):
    return await collection.count_documents(query) == expected


async def test_a_webhook_added_later_gets_its_secret_and_is_delivered(settings, publisher) -> None:
    """A webhook set by PATCH used to get no secret, so every call to it failed and was dead-lettered."""
    receiver = Receiver([200])
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
    async with notify_service(settings, publisher) as client:
        sub = await subscribe(client, topics=["housing"], channels=["inbox"])
        assert sub["webhook_secret"] is None
        path, owner = f"/subscriptions/{sub['id']}", device(sub)
        added = await client.patch(
            path, json={"channels": ["inbox", "webhook"], "webhook_url": url}, headers=owner
        )
        assert added.status_code == 200, added.text
        secret = added.json()["webhook_secret"]
        assert secret and len(secret) >= 32
        assert "webhook_secret" not in (await client.get(path, headers=owner)).json()  # shown once
        again = await client.patch(path, json={"webhook_url": url + "?v=2"}, headers=owner)
        assert again.json()["webhook_secret"] is None  # the webhook keeps the secret its owner holds

        await publish_content(publisher, content_published(["housing"]))
        delivery = services_of(client).delivery
        await wait_until(lambda: receiver.requests, timeout=15, message="the webhook call")
        headers, body = receiver.requests[0]
        assert verify_signature(secret, body, headers["witaj-timestamp"], headers["witaj-signature"])
        assert await delivery.dead_letters.count_documents({}) == 0

        inside = await client.patch(path, json={"webhook_url": "http://10.0.0.9/hook"}, headers=owner)
        assert inside.status_code == 422 and inside.json()["error"]["code"] == "webhook_target_forbidden"
    server.close()
