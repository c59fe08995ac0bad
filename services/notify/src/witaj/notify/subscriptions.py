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

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from witaj.notify.matching import MATCH_INDEX
from witaj.notify.schemas import (
    SubscriptionPublic,
)
from witaj.shared.cities import CityCatalog
from witaj.shared.errors import ApiError
from witaj.shared.events import Channel, Feature
from witaj.shared.events.cities import known_timezones
from witaj.shared.mongo import Document, ensure_expiry
from witaj.shared.outbound import OutboundClient


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
    if prefs["timezone"] not in known_timezones():
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
