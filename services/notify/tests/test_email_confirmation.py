"""Double opt-in: an e-mail address hears nothing from Witaj but its confirmation until someone confirms
it from that mailbox; a changed address is confirmed anew; an unconfirmed one is forgotten; and one
address gets only a few confirmations a day, however many subscriptions name it."""

from __future__ import annotations

from datetime import timedelta

from notify_helpers import (
    FakeClock,
    confirm_address,
    confirmations,
    content_published,
    device,
    make_options,
    notifications,
    notify_service,
    publish_content,
    services_of,
    smtp_server,
    subscribe,
    text_of,
)
from witaj.devkit.testing import wait_until
from witaj.notify.send_times import utc_now
from witaj.notify.settings import NotifySettings


async def _inbox_has(client, subscription, count: int) -> bool:
    page = await client.get(f"/subscriptions/{subscription['id']}/inbox", headers=device(subscription))
    return page.json()["total"] == count


async def test_nothing_but_the_confirmation_goes_to_an_unconfirmed_address(
    make_settings, publisher, tmp_path
) -> None:
    async with smtp_server(tmp_path) as (smtp, maildir):
        settings = make_settings(NotifySettings, notify=make_options(smtp=smtp))
        async with notify_service(settings, publisher) as client:
            mine = await subscribe(
                client, channels=["email", "inbox"], email="amal@example.org", language="ar"
            )
            assert mine["email_confirmed"] is False
            [link] = await wait_until(lambda: confirmations(maildir, "amal@example.org"), timeout=15)
            [mail] = list(maildir)
            assert mail["Content-Language"] == "ar" and "طلبت تلقي إشعارات Witaj" in text_of(mail)
            assert 'dir="rtl"' in (await client.get(link)).text

            await publish_content(publisher, content_published([]))
            await wait_until(lambda: _inbox_has(client, mine, 1), message="the inbox message")
            deliveries = services_of(client).mailbox.collection
            assert await deliveries.count_documents({"subscriber": mine["id"], "channel": "email"}) == 0

            await confirm_address(client, maildir, "amal@example.org")
            read = (await client.get(f"/subscriptions/{mine['id']}", headers=device(mine))).json()
            assert read["email_confirmed"] is True
            await publish_content(publisher, content_published([]))
            await wait_until(
                lambda: notifications(maildir), timeout=15, message="the first notification e-mail"
            )
            assert [m["To"] for m in notifications(maildir)] == ["amal@example.org"]


async def test_a_changed_address_is_confirmed_anew(make_settings, publisher, tmp_path) -> None:
    async with smtp_server(tmp_path) as (smtp, maildir):
        settings = make_settings(NotifySettings, notify=make_options(smtp=smtp))
        async with notify_service(settings, publisher) as client:
            mine = await subscribe(client, channels=["email"], email="olena@example.org", language="uk")
            first = await confirm_address(client, maildir, "olena@example.org")
            url = f"/subscriptions/{mine['id']}"
            changed = await client.patch(url, json={"email": "victim@example.org"}, headers=device(mine))
            assert changed.status_code == 200 and changed.json()["email_confirmed"] is False
            assert (await client.post(first)).status_code == 404  # the old link confirms nothing now
            await wait_until(lambda: confirmations(maildir, "victim@example.org"), timeout=15)

            await publish_content(publisher, content_published([]))
            jobs = services_of(client).fanout.jobs
            await wait_until(lambda: jobs.count_documents({"state": "done"}), message="the fan-out done")
            assert notifications(maildir) == []
            deliveries = services_of(client).mailbox.collection
            assert await deliveries.count_documents({"subscriber": mine["id"]}) == 0

            again = await client.post(f"{url}/email-confirmation", headers=device(mine))
            assert again.status_code == 202
            await wait_until(lambda: len(confirmations(maildir, "victim@example.org")) == 2, timeout=15)


async def test_an_unconfirmed_address_is_forgotten_when_its_time_is_up(settings, publisher) -> None:
    clock = FakeClock(utc_now())
    async with notify_service(settings, publisher, clock=clock) as client:
        mine = await subscribe(client, channels=["email", "inbox"], email="olena@example.org")
        kept = await subscribe(client, channels=["email"], email="kept@example.org")
        mailer = services_of(client).confirmations
        url = f"/subscriptions/{mine['id']}"
        await services_of(client).subscriptions.update(
            kept["id"], {"email_confirmed": True, "email_expires_at": None}
        )

        clock.now += timedelta(hours=settings.notify.email_confirmation_hours) - timedelta(minutes=1)
        assert await mailer.forget_expired() == 0
        clock.now += timedelta(minutes=2)
        assert await mailer.forget_expired() == 1
        read = (await client.get(url, headers=device(mine))).json()
        assert (read["email"], read["email_confirmed"], read["channels"]) == (None, False, ["inbox"])
        stored = await services_of(client).subscriptions.get(kept["id"])
        assert stored["email"] == "kept@example.org" and stored["channels"] == ["email"]


async def test_one_address_gets_a_few_confirmations_a_day_however_many_ask(
    make_settings, publisher, tmp_path
) -> None:
    async with smtp_server(tmp_path) as (smtp, maildir):
        options = make_options(smtp=smtp, confirmation_mails_per_day=2)
        settings = make_settings(NotifySettings, notify=options)
        async with notify_service(settings, publisher) as client:
            for _ in range(5):
                await subscribe(client, channels=["email"], email="Victim@Example.org")
            collection = services_of(client).subscriptions.collection

            async def settled() -> bool:
                pending = await collection.count_documents(
                    {"confirmation_due_at": {"$lte": utc_now() + timedelta(hours=1)}}
                )
                return pending == 0

            await wait_until(settled, timeout=15, message="every confirmation sent or put off")
            assert len(confirmations(maildir, "Victim@Example.org")) == 2
            later = await collection.count_documents(
                {"confirmation_due_at": {"$gt": utc_now() + timedelta(hours=23)}}
            )
            assert later == 3
