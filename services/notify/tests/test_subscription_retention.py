"""A switched-off subscription does not keep its e-mail address for ever: the database erases it
`notify.retention_days` after the unsubscribe link was used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notify_helpers import notify_service, services_of, subscribe
from witaj.notify import access


async def test_an_unsubscribed_address_expires_after_the_retention(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        store = services_of(client).subscriptions
        index = (await store.collection.index_information())["inactive_retention"]
        assert index["key"] == [("inactive_since", 1)]
        assert index["expireAfterSeconds"] == settings.notify.retention_days * 86_400

        mine = await subscribe(client, channels=["email"], email="someone@example.org")
        assert (await store.get(mine["id"])).get("inactive_since") is None, "active: kept while wanted"
        link = access.unsubscribe_token(settings.notify.unsubscribe_secret.get_secret_value(), mine["id"])
        assert (await client.post(f"/unsubscribe/{link}")).status_code == 200
        stored = await store.get(mine["id"])
        assert stored["active"] is False
        assert datetime.now(UTC) - stored["inactive_since"] < timedelta(minutes=1)
