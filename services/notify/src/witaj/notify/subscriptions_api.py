"""Subscriptions over HTTP: subscribing a device (no account, rate limited) or an account, reading,
changing and erasing one's own subscription, and the one-click unsubscribe link (`subscriptions.py`
holds the store and the rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response
from witaj.notify import access
from witaj.notify.confirmation import unconfirmed
from witaj.notify.deps import OwnedSubscription, ServicesDep
from witaj.notify.matching import match_keys
from witaj.notify.schemas import (
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
    SubscriptionUpdated,
)
from witaj.notify.settings import NotifyOptions
from witaj.notify.subscriptions import new_subscriber_id, new_webhook_secret, public, validate
from witaj.shared.auth import MaybePrincipal
from witaj.shared.errors import ApiError
from witaj.shared.ratelimit import RateLimit, public_write

router = APIRouter(tags=["subscriptions"])


def routes(options: NotifyOptions) -> APIRouter:
    """The subscription routes, creation limited per caller as settings say (one limit per app).

    Creating needs no account, so it is a public write; the rest needs the subscription's own token.
    """
    limited = APIRouter(tags=["subscriptions"])
    limited.add_api_route(
        "/subscriptions",
        create_subscription,
        methods=["POST"],
        status_code=201,
        summary="Subscribe a device (no account) or an account",
        **public_write(RateLimit.configured("subscription", options.subscribe_limit)),
    )
    limited.include_router(router)
    return limited


async def create_subscription(
    body: SubscriptionCreate, services: ServicesDep, principal: MaybePrincipal
) -> SubscriptionCreated:
    """Without a bearer token the subscription belongs to the calling device: the answer's `token` is
    its only key. With a token it belongs to the account. Secrets are shown in this answer only.
    Each caller may create a few at once and then a steady number per minute; beyond that the answer
    is 429 with `Retry-After`."""
    options = services.options
    city = services.runtime.cities.require(body.city)
    prefs = body.model_dump(mode="json")
    prefs["language"] = prefs["language"] or city.default_language
    prefs["timezone"] = prefs["timezone"] or city.timezone
    await validate(
        prefs, cities=services.runtime.cities, outbound=services.delivery.webhooks, webhook_changed=True
    )
    token: str | None = None
    if principal is not None:
        if (
            await services.subscriptions.count_for_account(principal.subject)
            >= options.max_subscriptions_per_account
        ):
            raise ApiError(429, "too_many_subscriptions", "This account has reached its subscription limit")
        owner: dict[str, Any] = {"kind": "account", "subject": principal.subject}
    else:
        token = access.new_token()
        owner = {"kind": "device", "token_hash": access.token_hash(token)}
    secret = new_webhook_secret() if prefs.get("webhook_url") else None
    now = services.confirmations.clock()
    doc = {
        **prefs,
        **unconfirmed(prefs.get("email"), now, options),
        "_id": new_subscriber_id(),
        "owner": owner,
        "active": True,
        "webhook_secret": secret,
        "match_keys": match_keys(body.city, prefs["topics"]),
        "created_at": datetime.now(UTC),
    }
    await services.subscriptions.insert(doc)
    services.confirmations.wake()
    return SubscriptionCreated(**public(doc).model_dump(), token=token, webhook_secret=secret)


@router.get("/subscriptions/{subscription_id}", summary="Read your subscription")
async def get_subscription(subscription: OwnedSubscription) -> SubscriptionPublic:
    return public(subscription)


@router.patch("/subscriptions/{subscription_id}", summary="Change your subscription (fields sent only)")
async def update_subscription(
    body: SubscriptionUpdate, subscription: OwnedSubscription, services: ServicesDep
) -> SubscriptionUpdated:
    """A webhook added here gets its signing secret as at creation: in this answer, shown once."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    prefs = {**subscription, **changes}
    await validate(
        prefs,
        cities=services.runtime.cities,
        outbound=services.delivery.webhooks,
        webhook_changed="webhook_url" in changes
        and changes["webhook_url"] != subscription.get("webhook_url"),
    )
    secret = None
    if prefs.get("webhook_url") and not subscription.get("webhook_secret"):
        secret = changes["webhook_secret"] = new_webhook_secret()
    changes["match_keys"] = match_keys(prefs["city"], prefs["topics"], active=prefs["active"])
    address_changed = "email" in changes and changes["email"] != subscription.get("email")
    if address_changed:  # a new address is confirmed anew before anything is sent to it
        changes.update(unconfirmed(changes["email"], services.confirmations.clock(), services.options))
    updated = await services.subscriptions.update(subscription["_id"], changes)
    assert updated is not None
    if address_changed:
        services.confirmations.wake()
    return SubscriptionUpdated(**public(updated).model_dump(), webhook_secret=secret)


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Erase everything about you")
async def erase_subscription(subscription: OwnedSubscription, services: ServicesDep) -> Response:
    await services.subscriptions.erase(subscription["_id"])
    services.hub.close(subscription["_id"])
    return Response(status_code=204)


@router.get("/unsubscribe/{token}", summary="What the unsubscribe link does (changes nothing)")
async def unsubscribe_info(token: str, services: ServicesDep) -> dict[str, str]:
    _subscriber_for(token, services)
    return {"message": "Send POST to this address to stop all notifications of this subscription."}


UNSUBSCRIBING = RateLimit("unsubscribe", per_minute=30, burst=10)
"""Anyone holding the link may use it; guessing links must stay slow."""


@router.post(
    "/unsubscribe/{token}",
    summary="One-click unsubscribe (RFC 8058), as linked from e-mails",
    **public_write(UNSUBSCRIBING),
)
async def unsubscribe(token: str, services: ServicesDep) -> dict[str, str]:
    subscriber = _subscriber_for(token, services)
    doc = await services.subscriptions.get(subscriber)
    if doc is not None:
        await services.subscriptions.update(subscriber, {"active": False, "match_keys": []})
    return {"status": "unsubscribed"}


def _subscriber_for(token: str, services: Any) -> str:
    subscriber = access.subscriber_from_unsubscribe_token(
        services.options.unsubscribe_secret.get_secret_value(), token
    )
    if subscriber is None:
        raise ApiError(404, "invalid_unsubscribe_link", "This unsubscribe link is not valid")
    return subscriber
