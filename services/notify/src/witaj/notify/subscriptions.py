"""Subscriptions: what a device or an account wants to hear about, and on which channels.

A subscription id is random and carries no meaning: it is the pseudonymous id outcome events use. The
e-mail address and webhook URL are kept only here and in nothing that leaves the service, and only as
long as there is a reason: a subscription switched off (by its owner or by the unsubscribe link) is
erased `notify.retention_days` later unless it is switched on again. An e-mail address is used only
once its owner confirmed it (double opt-in, `witaj.notify.confirmation`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Response
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from witaj.notify import access, confirmation
from witaj.notify.access import OwnedSubscription, ServicesDep
from witaj.notify.confirmation import unconfirmed
from witaj.notify.matching import MATCH_INDEX, match_keys
from witaj.notify.schemas import (
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
    SubscriptionUpdated,
)
from witaj.notify.settings import NotifyOptions
from witaj.shared.auth import MaybePrincipal
from witaj.shared.cities import CityCatalog
from witaj.shared.errors import ApiError
from witaj.shared.events import Channel, Feature
from witaj.shared.mongo import Document, ensure_expiry
from witaj.shared.outbound import OutboundClient
from witaj.shared.ratelimit import RateLimit, public_write


def new_subscriber_id() -> str:
    return "s" + secrets.token_hex(16)


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class SubscriptionStore:
    def __init__(self, db: AsyncDatabase[Document], retention: timedelta = timedelta(days=180)) -> None:
        self.collection = db["subscriptions"]
        self.db = db
        self.retention = retention

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(MATCH_INDEX, name="match")
        await self.collection.create_index([("owner.subject", ASCENDING)], name="account", sparse=True)
        await ensure_expiry(self.collection, "inactive_since", self.retention, name="inactive_retention")

    async def get(self, subscriber: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": subscriber})

    async def insert(self, doc: dict[str, Any]) -> None:
        await self.collection.insert_one(doc)

    async def count_for_account(self, subject: str) -> int:
        return await self.collection.count_documents({"owner.subject": subject})

    async def update(self, subscriber: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        if "active" in changes:  # switched off: the database erases it after the retention period
            changes = {**changes, "inactive_since": None if changes["active"] else datetime.now(UTC)}
        await self.collection.update_one({"_id": subscriber}, {"$set": changes})
        return await self.get(subscriber)

    async def erase(self, subscriber: str) -> None:
        """Remove everything stored about a subscriber (outcome events hold only the random id)."""
        await self.collection.delete_one({"_id": subscriber})
        for name in ("deliveries", "dead_letters"):
            await self.db[name].delete_many({"subscriber": subscriber})


async def validate(
    prefs: dict[str, Any], *, cities: CityCatalog, outbound: OutboundClient, webhook_changed: bool
) -> None:
    """Reject what the schema alone cannot judge: unknown city, topic, language, zone, unsafe webhook."""
    city = cities.require_feature(prefs["city"], Feature.NOTIFICATIONS)
    cities.check_topics(city.id, prefs["topics"])
    for code in [prefs["language"], *prefs["fallbacks"]]:
        if code not in city.languages:
            raise ApiError(
                422,
                "unknown_language",
                f"'{code}' is not offered in {city.name}",
                {"offered": city.languages},
            )
    if prefs["timezone"] not in available_timezones():
        raise ApiError(422, "unknown_timezone", f"Unknown time zone '{prefs['timezone']}'")
    if Channel.EMAIL in prefs["channels"] and not prefs.get("email"):
        raise ApiError(422, "email_required", "The e-mail channel needs an 'email'")
    if Channel.WEBHOOK in prefs["channels"] and not prefs.get("webhook_url"):
        raise ApiError(422, "webhook_url_required", "The webhook channel needs a 'webhook_url'")
    if webhook_changed and prefs.get("webhook_url"):
        await outbound.check(prefs["webhook_url"])


def public(doc: dict[str, Any]) -> SubscriptionPublic:
    return SubscriptionPublic(
        id=doc["_id"],
        owner=doc["owner"]["kind"],
        email_confirmed=bool(doc.get("email_confirmed")),
        **{
            k: doc.get(k)
            for k in SubscriptionPublic.model_fields
            if k not in ("id", "owner", "email_confirmed")
        },
    )


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
    limited.include_router(confirmation.router)
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
