"""Sending e-mails and webhooks that are due, with back-off, jitter and a dead-letter record.

A due delivery is claimed by pushing its `due_at` forward by a lease before sending, so two replicas do
not send it together. Success and final failure change the delivery and stage the outcome event in one
transaction (the shared outbox). After `max_attempts` the delivery gets a `dead_letters` record (error
class only, never the address) and a NotificationFailed event. If a process dies after the receiver
accepted a message but before this is recorded, the message is sent again once the lease runs out;
e-mails keep their Message-ID and webhooks their `Witaj-Delivery-Id`, so receivers can drop the repeat.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from witaj.notify import email, webhooks
from witaj.notify.access import unsubscribe_token
from witaj.notify.mailbox import outcome
from witaj.notify.settings import NotifyOptions
from witaj.shared.events import NotificationDelivered, NotificationFailed
from witaj.shared.kafka import backoff_seconds
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.topics import NOTIFY_DELIVERIES

log = get_logger(__name__)


class Gone(Exception):
    """The subscription or its target disappeared: nothing left to send to."""


class DeliveryWorker:
    def __init__(
        self, db: AsyncDatabase[Document], outbox: Outbox, options: NotifyOptions, public_url: str | None
    ) -> None:
        self.deliveries = db["deliveries"]
        self.subscriptions = db["subscriptions"]
        self.dead_letters = db["dead_letters"]
        self.outbox = outbox
        self.options = options
        self.public_url = (public_url or "").rstrip("/")
        self.http = httpx.AsyncClient(follow_redirects=False)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def claim(self) -> dict[str, Any] | None:
        now = datetime.now(UTC)
        return await self.deliveries.find_one_and_update(
            {"due_at": {"$lte": now}},
            {"$set": {"due_at": now + timedelta(seconds=self.options.send_lease_seconds)}},
            return_document=ReturnDocument.BEFORE,
        )

    async def run_once(self) -> bool:
        delivery = await self.claim()
        if delivery is None:
            return False
        try:
            await self._send(delivery)
        except Exception as exc:
            await self._failed(delivery, exc)
        else:
            await self._finish(
                delivery, "delivered", NotificationDelivered, attempts=delivery["attempts"] + 1
            )
        return True

    async def _send(self, delivery: dict[str, Any]) -> None:
        sub = await self.subscriptions.find_one({"_id": delivery["subscriber"], "active": True})
        if sub is None or delivery["channel"] not in sub["channels"]:
            raise Gone("subscription gone")
        if delivery["channel"] == "email":
            token = unsubscribe_token(self.options.unsubscribe_secret.get_secret_value(), sub["_id"])
            message = email.compose(
                self.options.smtp.sender, sub["email"], delivery, f"{self.public_url}/unsubscribe/{token}"
            )
            await email.send(self.options.smtp, message)
        else:
            await webhooks.check_target(
                sub["webhook_url"],
                allow_loopback=self.options.webhook_allow_loopback,
                require_https=self.options.webhook_require_https,
            )
            body = json.dumps(
                {
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
                },
                ensure_ascii=False,
            ).encode()
            await webhooks.post(
                self.http,
                sub["webhook_url"],
                sub["webhook_secret"],
                delivery["_id"],
                body,
                self.options.webhook_timeout_seconds,
            )

    async def _failed(self, delivery: dict[str, Any], exc: Exception) -> None:
        attempts = delivery["attempts"] + 1
        error = type(exc).__name__
        log.warning("delivery.attempt_failed", channel=delivery["channel"], error=error, attempts=attempts)
        if isinstance(exc, Gone | webhooks.WebhookRefused) or attempts >= self.options.max_attempts:
            await self._finish(delivery, "failed", NotificationFailed, attempts=attempts, error=error)
            return
        retry = backoff_seconds(attempts, self.options.retry_base_ms, self.options.retry_cap_ms)
        await self.deliveries.update_one(
            {"_id": delivery["_id"]},
            {
                "$set": {
                    "attempts": attempts,
                    "last_error": error,
                    "due_at": datetime.now(UTC) + timedelta(seconds=retry),
                }
            },
        )

    async def _finish(self, delivery: dict[str, Any], status: str, event: type[Any], **fields: Any) -> None:
        async def work(session: Session) -> None:
            await self.deliveries.update_one(
                {"_id": delivery["_id"]},
                {
                    "$set": {
                        "status": status,
                        "attempts": fields["attempts"],
                        "finished_at": datetime.now(UTC),
                    },
                    "$unset": {"due_at": ""},
                },
                session=session,
            )
            if status == "failed":
                await self.dead_letters.update_one(
                    {"_id": delivery["_id"]},
                    {
                        "$set": {
                            "subscriber": delivery["subscriber"],
                            "channel": delivery["channel"],
                            "source_event": delivery["source_event"],
                            "attempts": fields["attempts"],
                            "error": fields["error"],
                            "at": datetime.now(UTC),
                        }
                    },
                    upsert=True,
                    session=session,
                )
            envelope = outcome(delivery, event, **fields)
            await self.outbox.add(session, NOTIFY_DELIVERIES, envelope, key=delivery["subscriber"].encode())

        await self.outbox.transaction(work)

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                while await self.run_once():
                    failures = 0
                try:
                    await asyncio.wait_for(self._wake.wait(), self.options.delivery_poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                log.warning("delivery.worker_retry", error=type(exc).__name__, attempt=failures)
                await asyncio.sleep(backoff_seconds(failures, 200, 10_000))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run(), name="notify-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.http.aclose()
