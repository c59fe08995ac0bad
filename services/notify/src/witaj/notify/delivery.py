"""Sending e-mails and webhooks that are due, with back-off, jitter and a dead-letter record.

A due document is either one delivery or a subscriber's daily digest (`witaj.notify.digest`), which
sends one message for the items it holds and records each of them as delivered or failed.

A due delivery is claimed by pushing its `due_at` forward by a lease before sending, so two replicas do
not send it together. Success and final failure change the delivery and stage the outcome event in one
transaction (the shared outbox). After `max_attempts` the delivery gets a `dead_letters` record (error
class only, never the address) and a NotificationFailed event. If a process dies after the receiver
accepted a message but before this is recorded, the message is sent again once the lease runs out;
e-mails keep their Message-ID and webhooks their `Witaj-Delivery-Id`, so receivers can drop the repeat.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from witaj.notify import email, webhooks
from witaj.notify.access import unsubscribe_token
from witaj.notify.digest import as_rendered, end_round, freeze, round_key
from witaj.notify.mailbox import outcome
from witaj.notify.send_times import Clock, utc_now
from witaj.notify.settings import NotifyOptions
from witaj.notify.templates import Rendered, RenderedDigest, render_digest
from witaj.shared.cities import CityCatalog
from witaj.shared.events import NotificationDelivered, NotificationFailed
from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session
from witaj.shared.outbound import OutboundClient, Refused
from witaj.shared.outbox import Outbox
from witaj.shared.topics import NOTIFY_DELIVERIES
from witaj.shared.worker import Worker

log = get_logger(__name__)


class Gone(Exception):
    """The subscription or its target disappeared: nothing left to send to."""


class DeliveryWorker(Worker):
    def __init__(
        self,
        db: AsyncDatabase[Document],
        outbox: Outbox,
        options: NotifyOptions,
        public_url: str | None,
        cities: CityCatalog,
        webhook_client: OutboundClient,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__("notify-delivery", options.delivery_poll_seconds)
        self.deliveries = db["deliveries"]
        self.subscriptions = db["subscriptions"]
        self.dead_letters = db["dead_letters"]
        self.outbox = outbox
        self.options = options
        self.public_url = (public_url or "").rstrip("/")
        self.cities = cities
        self.clock = clock
        self.webhooks = webhook_client

    async def claim(self) -> dict[str, Any] | None:
        now = self.clock()
        return await self.deliveries.find_one_and_update(
            {"due_at": {"$lte": now}},
            {"$set": {"due_at": now + timedelta(seconds=self.options.send_lease_seconds)}},
            return_document=ReturnDocument.BEFORE,
        )

    async def run_once(self) -> bool:
        due = await self.claim()
        if due is None:
            return False
        if due.get("kind") == "digest":
            await self._digest_round(due)
            return True
        try:
            sub = await self._subscription(due)
            await self._send(sub, due["channel"], due["_id"], as_rendered(due), self._payload(due))
        except Exception as exc:
            await self._failed(due, [due], exc)
        else:
            await self._finish(due, [due], "delivered", NotificationDelivered, attempts=due["attempts"] + 1)
        return True

    async def _digest_round(self, digest: dict[str, Any]) -> None:
        round_at, items = await freeze(self.deliveries, digest)
        sub = None
        try:
            sub = await self._subscription(digest)
            if items:
                message = render_digest(
                    self.cities.require(digest["city"]),
                    [as_rendered(item) for item in items],
                    language=sub["language"],
                    fallbacks=sub.get("fallbacks") or [],
                )
                key = round_key(digest, round_at)
                await self._send(
                    sub, digest["channel"], key, message, self._digest_payload(key, message, items)
                )
        except Exception as exc:
            await self._failed(digest, items, exc, sub)
        else:
            attempts = digest["attempts"] + 1
            await self._finish(digest, items, "delivered", NotificationDelivered, attempts=attempts, sub=sub)

    async def _subscription(self, due: dict[str, Any]) -> dict[str, Any]:
        sub = await self.subscriptions.find_one({"_id": due["subscriber"], "active": True})
        if sub is None or due["channel"] not in sub["channels"]:
            raise Gone("subscription gone")
        if due["channel"] == "email" and not sub.get("email_confirmed"):
            raise Gone("address not confirmed")  # it changed since the fan-out: confirmed anew first
        return sub

    async def _send(
        self,
        sub: dict[str, Any],
        channel: str,
        key: str,
        message: Rendered | RenderedDigest,
        payload: dict[str, Any],
    ) -> None:
        if channel == "email":
            token = unsubscribe_token(self.options.unsubscribe_secret.get_secret_value(), sub["_id"])
            mail = email.compose(
                self.options.smtp.sender, sub["email"], key, message, f"{self.public_url}/unsubscribe/{token}"
            )
            await email.send(self.options.smtp, mail)
            return
        body = json.dumps(payload, ensure_ascii=False).encode()
        await webhooks.post(self.webhooks, sub["webhook_url"], sub["webhook_secret"], key, body)

    @staticmethod
    def _payload(delivery: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": delivery["_id"],
            "city": delivery["city"],
            "type": delivery["source_type"],
            "source_event": delivery["source_event"],
            "language": delivery["language"],
            "rtl": delivery["rtl"],
            "title": delivery["title"],
            "body": delivery["body"],
            "link": delivery.get("link"),
            "created_at": delivery["created_at"].isoformat(),
        }

    def _digest_payload(
        self, key: str, message: RenderedDigest, items: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "id": key,
            "city": items[0]["city"],
            "type": "digest",
            "language": message.language,
            "rtl": message.rtl,
            "title": message.title,
            "body": message.intro,
            "items": [self._payload(item) for item in items],
            "created_at": self.clock().isoformat(),
        }

    async def _failed(
        self,
        due: dict[str, Any],
        items: list[dict[str, Any]],
        exc: Exception,
        sub: dict[str, Any] | None = None,
    ) -> None:
        attempts = due["attempts"] + 1
        error = type(exc).__name__
        log.warning("delivery.attempt_failed", channel=due["channel"], error=error, attempts=attempts)
        if isinstance(exc, Gone | Refused) or attempts >= self.options.max_attempts:
            await self._finish(
                due, items, "failed", NotificationFailed, attempts=attempts, error=error, sub=sub
            )
            return
        retry = backoff_seconds(attempts, self.options.retry_base_ms, self.options.retry_cap_ms)
        await self.deliveries.update_one(
            {"_id": due["_id"]},
            {
                "$set": {
                    "attempts": attempts,
                    "last_error": error,
                    "due_at": self.clock() + timedelta(seconds=retry),
                }
            },
        )

    async def _finish(
        self,
        due: dict[str, Any],
        items: list[dict[str, Any]],
        status: str,
        event: type[Any],
        *,
        sub: dict[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Record the outcome of `items` with their events in one transaction; end a digest's round."""
        now = self.clock()

        async def work(session: Session) -> None:
            await self.deliveries.update_many(
                {"_id": {"$in": [item["_id"] for item in items]}},
                {
                    "$set": {"status": status, "attempts": fields["attempts"], "finished_at": now},
                    "$unset": {"due_at": ""},
                },
                session=session,
            )
            for item in items:
                if status == "failed":
                    await self.dead_letters.update_one(
                        {"_id": item["_id"]},
                        {
                            "$set": {
                                "subscriber": item["subscriber"],
                                "channel": item["channel"],
                                "source_event": item["source_event"],
                                "attempts": fields["attempts"],
                                "error": fields["error"],
                                "at": now,
                            }
                        },
                        upsert=True,
                        session=session,
                    )
                envelope = outcome(item, event, **fields)
                await self.outbox.add(session, NOTIFY_DELIVERIES, envelope, key=item["subscriber"].encode())
            if due.get("kind") == "digest":
                await end_round(self.deliveries, session, due, sub, now)

        await self.outbox.transaction(work)

    async def close(self) -> None:
        await self.webhooks.aclose()
