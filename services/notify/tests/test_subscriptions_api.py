"""Subscriptions: who may see and change them, what is refused, and erasure."""

from __future__ import annotations

from notify_helpers import device, notify_service, services_of, subscribe
from witaj.shared.settings import LimitSettings


async def test_device_subscription_is_readable_only_with_its_token(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        mine = await subscribe(client, topics=["housing"], language="uk")
        other = await subscribe(client, topics=["work"])
        assert mine["token"] and mine["language"] == "uk" and mine["timezone"] == "Europe/Warsaw"

        stored = await services_of(client).subscriptions.get(mine["id"])
        assert mine["token"] not in str(stored)  # only the hash is kept

        ok = await client.get(f"/subscriptions/{mine['id']}", headers=device(mine))
        assert ok.status_code == 200 and "token" not in ok.json()
        assert (await client.get(f"/subscriptions/{mine['id']}")).status_code == 401
        assert (await client.get(f"/subscriptions/{mine['id']}", headers=device(other))).status_code == 403
        patched = await client.patch(
            f"/subscriptions/{mine['id']}", json={"topics": ["work"]}, headers=device(other)
        )
        assert patched.status_code == 403
        patched = await client.patch(
            f"/subscriptions/{mine['id']}", json={"topics": ["work", "health"]}, headers=device(mine)
        )
        assert patched.status_code == 200 and patched.json()["topics"] == ["work", "health"]
        stored = await services_of(client).subscriptions.get(mine["id"])
        assert stored["match_keys"] == ["lublin|health", "lublin|work"]


async def test_account_subscription_belongs_to_the_account(settings, publisher, auth_header) -> None:
    async with notify_service(settings, publisher) as client:
        alice = auth_header("migrant", sub="alice")
        created = await client.post("/subscriptions", json={"city": "lublin"}, headers=alice)
        assert created.status_code == 201 and created.json()["token"] is None
        sid = created.json()["id"]
        assert (await client.get(f"/subscriptions/{sid}", headers=alice)).status_code == 200
        bob = auth_header("migrant", sub="bob")
        assert (await client.get(f"/subscriptions/{sid}", headers=bob)).status_code == 403


INVALID = [
    ({"city": "atlantis"}, 404, "city_not_found"),
    ({"city": "lublin", "topics": ["astrology"]}, 422, "unknown_topic"),
    ({"city": "lublin", "language": "de"}, 422, "unknown_language"),
    ({"city": "lublin", "timezone": "Mars/Base"}, 422, "unknown_timezone"),
    ({"city": "lublin", "channels": ["email"]}, 422, "validation_failed"),
    ({"city": "lublin", "channels": ["email"], "email": "not-an-address"}, 422, "validation_failed"),
    (
        {"city": "lublin", "channels": ["webhook"], "webhook_url": "ftp://x.org/h"},
        422,
        "invalid_webhook_url",
    ),
    (
        {"city": "lublin", "channels": ["webhook"], "webhook_url": "http://10.1.2.3/h"},
        422,
        "webhook_target_forbidden",
    ),
    (
        {"city": "lublin", "channels": ["webhook"], "webhook_url": "http://169.254.169.254/"},
        422,
        "webhook_target_forbidden",
    ),
    (
        {"city": "lublin", "channels": ["webhook"], "webhook_url": "http://[fd00::1]/h"},
        422,
        "webhook_target_forbidden",
    ),
    (
        {"city": "lublin", "channels": ["webhook"], "webhook_url": "http://nowhere.invalid/h"},
        422,
        "webhook_host_unresolvable",
    ),
    ({"city": "lublin", "quiet_hours": {"start": "25:00", "end": "07:00"}}, 422, "validation_failed"),
    ({"city": "lublin", "topics": ["housing"] * 31}, 422, "validation_failed"),
    ({"city": "lublin", "unexpected": 1}, 422, "validation_failed"),
]


async def test_invalid_subscriptions_are_refused_clearly(settings, publisher) -> None:
    """One running service for every case: starting it is the slow part."""
    async with notify_service(settings, publisher) as client:
        for body, status, code in INVALID:
            response = await client.post("/subscriptions", json=body)
            assert response.status_code == status, (body, response.text)
            assert response.json()["error"]["code"] == code, body
        assert await services_of(client).subscriptions.collection.count_documents({}) == 0


async def test_loopback_webhooks_are_refused_unless_allowed(make_settings, publisher) -> None:
    from notify_helpers import make_options
    from witaj.notify.settings import NotifySettings

    strict = make_settings(NotifySettings, notify=make_options())  # outbound.allow_loopback off
    async with notify_service(strict, publisher) as client:
        body = {"city": "lublin", "channels": ["webhook"], "webhook_url": "http://127.0.0.1:9/h"}
        response = await client.post("/subscriptions", json=body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "webhook_target_forbidden"


async def test_oversize_payload_is_refused(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        body = '{"city": "lublin", "topics": ["' + "x" * 2_000_000 + '"]}'
        response = await client.post(
            "/subscriptions", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


async def test_erase_removes_the_subscription_and_its_messages(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        mine = await subscribe(client, topics=["housing"])
        box = services_of(client).mailbox.collection
        await box.insert_one({"_id": f"e1:{mine['id']}:inbox", "subscriber": mine["id"], "channel": "inbox"})
        erased = await client.delete(f"/subscriptions/{mine['id']}", headers=device(mine))
        assert erased.status_code == 204
        assert await box.count_documents({"subscriber": mine["id"]}) == 0
        assert (await client.get(f"/subscriptions/{mine['id']}", headers=device(mine))).status_code == 404


def test_odd_unsubscribe_tokens_are_refused_not_crashed_on() -> None:
    from witaj.notify.access import subscriber_from_unsubscribe_token, unsubscribe_token

    assert subscriber_from_unsubscribe_token("k", "żółć.ąę") is None
    assert subscriber_from_unsubscribe_token("k", unsubscribe_token("k", "s1")) == "s1"


async def test_subscribing_beyond_the_burst_is_refused_with_retry_after_and_stores_nothing(
    make_settings, publisher
) -> None:
    from notify_helpers import make_options
    from witaj.notify.settings import NotifySettings
    from witaj.shared.ratelimit import PUBLIC_WRITE

    limited = make_settings(
        NotifySettings, notify=make_options(subscribe_limit=LimitSettings(per_minute=1, burst=3))
    )
    async with notify_service(limited, publisher) as client:
        for _ in range(3):
            await subscribe(client, topics=["housing"])
        refused = await client.post("/subscriptions", json={"city": "lublin", "topics": ["housing"]})
        assert refused.status_code == 429 and refused.headers["content-type"] == "application/json"
        error = refused.json()["error"]
        assert error["code"] == "rate_limited"
        retry_after = int(refused.headers["Retry-After"])
        assert 55 <= retry_after <= 60 and error["details"]["retry_after_seconds"] == retry_after
        assert await services_of(client).subscriptions.collection.count_documents({}) == 3
        schema = (await client.get("/openapi.json")).json()
        assert schema["paths"]["/subscriptions"]["post"][PUBLIC_WRITE] is True
