"""Demo subscriptions for Lublin, created once when `service.seed_demo` is on."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError
from witaj.notify.access import token_hash
from witaj.notify.matching import match_keys
from witaj.notify.subscriptions import SubscriptionStore
from witaj.shared.logging import get_logger

log = get_logger(__name__)

DEMO = [
    ("sdemo0000000000000000000000000001", ["housing", "work"], "uk", ["pl", "en"]),
    ("sdemo0000000000000000000000000002", [], "ar", ["en"]),
]


async def seed_demo_subscriptions(store: SubscriptionStore) -> None:
    """Insert the demo device subscriptions under fixed ids; existing ones are left alone."""
    for subscriber, topics, language, fallbacks in DEMO:
        doc = {
            "_id": subscriber,
            "city": "lublin",
            "owner": {"kind": "device", "token_hash": token_hash(f"demo-token-{subscriber[-1]}")},
            "active": True,
            "topics": topics,
            "event_kinds": [],
            "target_groups": [],
            "language": language,
            "fallbacks": fallbacks,
            "channels": ["inbox"],
            "email": None,
            "webhook_url": None,
            "webhook_secret": None,
            "timezone": "Europe/Warsaw",
            "quiet_hours": None,
            "mode": "immediate",
            "digest_hour": 8,
            "match_keys": match_keys("lublin", topics),
            "created_at": datetime.now(UTC),
        }
        try:
            await store.insert(doc)
            log.info("demo.subscription_seeded", subscriber=subscriber)
        except DuplicateKeyError:
            pass
