"""Double opt-in for e-mail: nothing goes to an address until someone confirms it from that mailbox.

Setting or changing a subscription's address makes it unconfirmed (`email_confirmed: false`), gives it
`email_expires_at` (`email_confirmation_hours` ahead) and asks for a confirmation e-mail
(`confirmation_due_at`); the fan-out makes no e-mail delivery for an unconfirmed address and the
delivery worker sends none. The worker here sends the confirmation through the usual e-mail channel, in
the subscriber's language, retrying failures with back-off, and forgets unconfirmed addresses whose
time is up (the address and the e-mail channel go; the rest of the subscription stays).

The link in the e-mail names the subscription, the expiry and an HMAC over both and the address, so it
confirms that address only, until it expires, and checking it needs nothing stored; a changed address
voids every earlier link. Opening it shows a page with a button, and only the button's POST confirms, so
mail scanners that fetch links do not confirm for the owner.

One address receives at most `confirmation_mails_per_day` confirmations in 24 hours, counted under a
keyed hash of the address (not the address itself): many subscriptions naming someone else's address,
or many changes to it, cannot flood that mailbox. Further confirmations wait until the day is over.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.notify import email
from witaj.notify.access import unsubscribe_token
from witaj.notify.send_times import Clock, utc_now
from witaj.notify.settings import NotifyOptions
from witaj.notify.templates import render_confirmation
from witaj.shared.cities import CityCatalog
from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, ensure_expiry
from witaj.shared.worker import Worker

log = get_logger(__name__)
DAY = timedelta(hours=24)
SWEEP_SECONDS = 60.0
LINK_PATH = "/email-confirmations/"


def _mac(secret: str, subscriber: str, expires: int, address: str) -> str:
    message = f"confirm-email:{subscriber}:{expires}:{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def link_token(secret: str, subscriber: str, address: str, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{subscriber}.{expires}.{_mac(secret, subscriber, expires, address)}"


def token_parts(token: str) -> tuple[str, int] | None:
    """The subscription and expiry a link token names (its MAC is checked against the address)."""
    subscriber, _, rest = token.partition(".")
    expires, _, mac = rest.partition(".")
    if not subscriber or len(token) > 200 or not expires.isdigit() or not mac:
        return None
    return subscriber, int(expires)


def token_fits(secret: str, token: str, subscription: dict[str, Any]) -> bool:
    """Whether `token` confirms this subscription's current address (constant-time comparison)."""
    parts = token_parts(token)
    address = subscription.get("email")
    if parts is None or not address or parts[0] != subscription["_id"]:
        return False
    expected = f"{parts[0]}.{parts[1]}.{_mac(secret, parts[0], parts[1], address)}"
    return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))


def unconfirmed(address: str | None, now: datetime, options: NotifyOptions) -> dict[str, Any]:
    """The fields that set (or clear) a subscription's address and start its confirmation over."""
    if address is None:
        return {
            "email": None,
            "email_confirmed": False,
            "email_expires_at": None,
            "confirmation_due_at": None,
        }
    return {
        "email": address,
        "email_confirmed": False,
        "email_expires_at": now + timedelta(hours=options.email_confirmation_hours),
        "confirmation_due_at": now,
        "confirmation_attempts": 0,
    }


class ConfirmationMailer(Worker):
    def __init__(
        self,
        db: AsyncDatabase[Document],
        options: NotifyOptions,
        public_url: str | None,
        cities: CityCatalog,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__("notify-confirmation", options.delivery_poll_seconds)
        self.subscriptions = db["subscriptions"]
        self.sent = db["confirmation_mails"]
        self.options = options
        self.public_url = (public_url or "").rstrip("/")
        self.cities = cities
        self.clock = clock
        self.secret = options.unsubscribe_secret.get_secret_value()
        self._next_sweep = 0.0

    async def ensure_indexes(self) -> None:
        await self.subscriptions.create_index("confirmation_due_at", name="confirmation_due", sparse=True)
        await self.subscriptions.create_index("email_expires_at", name="email_expiry", sparse=True)
        await ensure_expiry(self.sent, "window_ends", timedelta(0), name="window")

    def link(self, subscription: dict[str, Any]) -> str:
        token = link_token(
            self.secret, subscription["_id"], subscription["email"], subscription["email_expires_at"]
        )
        return f"{self.public_url}{LINK_PATH}{token}"

    async def forget_expired(self) -> int:
        """Unconfirmed addresses whose time is up are forgotten, with the e-mail channel."""
        result = await self.subscriptions.update_many(
            {"email_confirmed": False, "email_expires_at": {"$lte": self.clock()}},
            {
                "$set": {"email": None, "email_expires_at": None},
                "$unset": {"confirmation_due_at": ""},
                "$pull": {"channels": "email"},
            },
        )
        return result.modified_count

    async def _reserve(self, address: str, now: datetime) -> datetime | None:
        """Count one more confirmation to `address` in its 24-hour window; or, when the window is full,
        the time it ends."""
        key = hmac.new(
            self.secret.encode(), f"address:{address.lower()}".encode(), hashlib.sha256
        ).hexdigest()
        limit = self.options.confirmation_mails_per_day
        counted = await self.sent.update_one(
            {"_id": key, "window_ends": {"$gt": now}, "count": {"$lt": limit}}, {"$inc": {"count": 1}}
        )
        if counted.modified_count:
            return None
        renewed = await self.sent.update_one(
            {"_id": key, "window_ends": {"$lte": now}}, {"$set": {"window_ends": now + DAY, "count": 1}}
        )
        if renewed.modified_count:
            return None
        try:
            await self.sent.insert_one({"_id": key, "window_ends": now + DAY, "count": 1})
        except DuplicateKeyError:
            full = await self.sent.find_one({"_id": key})
            return full["window_ends"] if full else now + timedelta(minutes=1)
        return None

    async def run_once(self) -> bool:
        """Send one due confirmation; False when none is due."""
        now = self.clock()
        lease = timedelta(seconds=self.options.send_lease_seconds)
        sub = await self.subscriptions.find_one_and_update(
            {"confirmation_due_at": {"$lte": now}},
            {"$set": {"confirmation_due_at": now + lease}},
            return_document=ReturnDocument.BEFORE,
        )
        if sub is None:
            return False
        if not sub.get("email") or sub.get("email_confirmed"):
            await self._settle(sub, {"$unset": {"confirmation_due_at": ""}})
            return True
        city = self.cities.get(sub["city"])
        if city is None:
            return True  # its configuration has not arrived: the lease brings it back
        later = await self._reserve(sub["email"], now)
        if later is not None:
            await self._settle(sub, {"$set": {"confirmation_due_at": later}})
            return True
        hours = max(1, int((sub["email_expires_at"] - now).total_seconds() // 3600))
        text = render_confirmation(
            city,
            language=sub["language"],
            fallbacks=sub.get("fallbacks") or [],
            link=self.link(sub),
            hours=hours,
        )
        sends = sub.get("confirmation_sends", 0)
        unsubscribe = unsubscribe_token(self.secret, sub["_id"])
        mail = email.compose(
            self.options.smtp.sender,
            sub["email"],
            f"confirm:{sub['_id']}:{int(sub['email_expires_at'].timestamp())}:{sends}",
            text.mail,
            f"{self.public_url}/unsubscribe/{unsubscribe}",
        )
        try:
            await email.send(self.options.smtp, mail)
        except Exception as exc:
            attempts = sub.get("confirmation_attempts", 0) + 1
            log.warning("confirmation.attempt_failed", error=type(exc).__name__, attempts=attempts)
            if attempts >= self.options.max_attempts:
                await self._settle(
                    sub, {"$unset": {"confirmation_due_at": ""}, "$set": {"confirmation_attempts": attempts}}
                )
            else:
                retry = backoff_seconds(attempts, self.options.retry_base_ms, self.options.retry_cap_ms)
                change = {
                    "confirmation_due_at": now + timedelta(seconds=retry),
                    "confirmation_attempts": attempts,
                }
                await self._settle(sub, {"$set": change})
            return True
        await self._settle(
            sub,
            {
                "$unset": {"confirmation_due_at": ""},
                "$set": {"confirmation_attempts": 0, "confirmation_sends": sends + 1},
            },
        )
        return True

    async def _settle(self, sub: dict[str, Any], change: dict[str, Any]) -> None:
        """Record the outcome, unless the address changed meanwhile (its own confirmation is due)."""
        await self.subscriptions.update_one({"_id": sub["_id"], "email": sub.get("email")}, change)

    async def each_round(self) -> None:
        if time.monotonic() >= self._next_sweep:  # a sweep now and then: expiry is measured in hours
            await self.forget_expired()
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
