"""Signed webhooks for city systems: where they may point, how calls are signed, how to verify them.

Every call is a JSON `POST` with these headers:

- `Witaj-Delivery-Id`: the same for every retry of one message, so receivers can drop repeats;
- `Witaj-Timestamp`: Unix seconds when this attempt was signed;
- `Witaj-Signature`: `v1=<hex>`, the HMAC-SHA256 with the subscription's webhook secret over
  `"<timestamp>.<raw body>"` (bytes of the timestamp, a dot, then the body exactly as received).

A receiver recomputes the HMAC, compares in constant time and refuses timestamps older than a few
minutes (replays). `verify_signature` below is the reference implementation.

Calls go through `witaj.shared.outbound`: a target is checked when it is set and again on every call
(DNS may change), loopback, private, link-local, multicast and reserved addresses are refused, the call
goes to the address that was checked, and redirects are not followed, so a subscription cannot make
Witaj call into the city's internal network.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from witaj.notify.settings import NotifySettings
from witaj.shared.outbound import OutboundClient

SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify_signature(
    secret: str,
    body: bytes,
    timestamp_header: str,
    signature_header: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when the call was signed with `secret` recently; what a receiver should run."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, timestamp, body)
    candidates = [part.strip() for part in signature_header.split(",")]
    return any(hmac.compare_digest(expected.encode(), candidate.encode()) for candidate in candidates)


def signed_headers(secret: str, delivery_id: str, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "Witaj-Delivery-Id": delivery_id,
        "Witaj-Timestamp": str(timestamp),
        "Witaj-Signature": sign(secret, timestamp, body),
    }


def client(settings: NotifySettings) -> OutboundClient:
    """The one way webhooks are called (and their URLs checked)."""
    return OutboundClient(
        "webhook",
        settings.outbound,
        deadline=settings.notify.webhook_timeout_seconds,
        require_https=settings.notify.webhook_require_https,
        user_agent="Witaj-Webhooks/1",
    )


async def post(outbound: OutboundClient, url: str, secret: str, delivery_id: str, body: bytes) -> None:
    """One signed attempt; raises on any non-2xx answer (redirects are not followed)."""
    status = await outbound.post(url, body, signed_headers(secret, delivery_id, body))
    if not 200 <= status < 300:
        raise WebhookRejected(status)


class WebhookRejected(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"receiver answered {status}")
        self.status = status
