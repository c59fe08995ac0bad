"""Daily digests: one e-mail or webhook a day listing every item, instead of one per item.

A subscriber on `mode: digest` still gets one delivery document per item and channel under the same
key as any other (so the fan-out's at-most-once guarantee holds), but *held*: without a `due_at` of its
own. Beside them, one digest document per subscriber and channel carries `due_at`: the next digest hour
in the subscriber's time zone, moved past their quiet hours (`witaj.notify.send_times`). The fan-out creates
it with the first held item and renews its `stamp` with each later batch, always after storing the
items, also when it redoes a batch after a crash.

When it is due, the delivery worker runs a *round*: it freezes the held items (`sending`; items that
arrive meanwhile wait for the next round), sends one message listing them, then in one transaction
records each item delivered or failed with its outcome event and ends the round. The digest document
goes if nothing is held any more and its stamp is still the one the round began with; otherwise it
moves on to the next digest hour. A fan-out that holds an item after that check renews or re-creates
the document, so a held item is never left without a digest due. A retried round keeps its `round`, so
its message keeps its delivery id (`Witaj-Delivery-Id`, Message-ID) and receivers can drop repeats.

The in-app inbox is not digested: it is a list the subscriber opens, and each item is stored there as
it comes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError
from witaj.notify.mailbox import duplicates
from witaj.notify.send_times import due_at
from witaj.notify.templates import Rendered
from witaj.shared.mongo import Session

HELD = "held"
SENDING = "sending"


def digest_key(subscriber: str, channel: str) -> str:
    return f"digest:{subscriber}:{channel}"


def hold(doc: dict[str, Any], subscriber: dict[str, Any], now: datetime) -> UpdateOne:
    """Make `doc` a held item of its digest; the write that makes sure the digest is due."""
    doc.update(status=HELD, attempts=0, mode="digest", digest=digest_key(doc["subscriber"], doc["channel"]))
    first = {
        "kind": "digest",
        "subscriber": doc["subscriber"],
        "channel": doc["channel"],
        "city": doc["city"],
        "status": "pending",
        "attempts": 0,
        "due_at": due_at(now, subscriber),
        "created_at": now,
    }
    change = {"$setOnInsert": first, "$set": {"stamp": uuid.uuid4().hex}}
    return UpdateOne({"_id": doc["digest"]}, change, upsert=True)


async def schedule(collection: Any, writes: list[UpdateOne]) -> None:
    """Apply `hold`'s writes; an upsert that lost a race with another replica's is applied again."""
    if not writes:
        return
    try:
        await collection.bulk_write(writes, ordered=False)
    except BulkWriteError as exc:
        await collection.bulk_write([writes[index] for index in duplicates(exc)], ordered=False)


async def freeze(collection: Any, digest: dict[str, Any]) -> tuple[datetime, list[dict[str, Any]]]:
    """Begin (or go on with) a round: its scheduled time and the items it lists, oldest first."""
    round_at: datetime = digest.get("round") or digest["due_at"]
    if not digest.get("round"):
        await collection.update_many({"digest": digest["_id"], "status": HELD}, {"$set": {"status": SENDING}})
        await collection.update_one({"_id": digest["_id"]}, {"$set": {"round": round_at}})
    items = await collection.find(
        {"digest": digest["_id"], "status": SENDING}, sort=[("created_at", 1), ("_id", 1)]
    ).to_list()
    return round_at, items


def round_key(digest: dict[str, Any], round_at: datetime) -> str:
    """The delivery id of one round's message: the same on every retry, another the next day."""
    return f"{digest['_id']}:{round_at:%Y%m%dT%H%M%SZ}"


def as_rendered(item: dict[str, Any]) -> Rendered:
    return Rendered(item["language"], item["rtl"], item["title"], item["body"], item.get("link"))


async def end_round(
    collection: Any,
    session: Session,
    digest: dict[str, Any],
    subscriber: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Drop the digest document, or move it to the next digest hour when items are held for it."""
    held = await collection.find_one({"digest": digest["_id"], "status": HELD}, {"_id": 1}, session=session)
    if held is None:
        gone = await collection.delete_one({"_id": digest["_id"], "stamp": digest["stamp"]}, session=session)
        if gone.deleted_count:
            return
    following = due_at(now, subscriber or {"mode": "digest"})
    await collection.update_one(
        {"_id": digest["_id"]},
        {"$set": {"due_at": following, "attempts": 0}, "$unset": {"round": "", "last_error": ""}},
        session=session,
    )
