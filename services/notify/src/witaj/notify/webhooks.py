"""Signed webhooks for city systems: where they may point, how calls are signed, how to verify them.

Every call is a JSON `POST` with these headers:

- `Witaj-Delivery-Id`: the same for every retry of one message, so receivers can drop repeats;
- `Witaj-Timestamp`: Unix seconds when this attempt was signed;
- `Witaj-Signature`: `v1=<hex>`, the HMAC-SHA256 with the subscription's webhook secret over
  `"<timestamp>.<raw body>"` (bytes of the timestamp, a dot, then the body exactly as received).

A receiver recomputes the HMAC, compares in constant time and refuses timestamps older than a few
minutes (replays). `verify_signature` below is the reference implementation.

Targets are resolved before they are accepted and again before each call (DNS may change): loopback,
private, link-local, multicast and reserved addresses are refused, so a subscription cannot make Witaj
call into the city's internal network.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import httpx
from witaj.shared.errors import ApiError

SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookRefused(ApiError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(422, code, message)


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
        "User-Agent": "Witaj-Webhooks/1",
        "Witaj-Delivery-Id": delivery_id,
        "Witaj-Timestamp": str(timestamp),
        "Witaj-Signature": sign(secret, timestamp, body),
    }


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> bool:
    if address.is_loopback:
        return not allow_loopback
    return not address.is_global or address.is_multicast or address.is_reserved


async def check_target(url: str, *, allow_loopback: bool, require_https: bool) -> None:
    """Refuse malformed URLs and hosts that resolve into private or special networks (a 422)."""
    parts = urlsplit(url)
    allowed = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed or not parts.hostname:
        raise WebhookRefused(
            "invalid_webhook_url", f"The webhook URL must be an absolute {' or '.join(allowed)} URL"
        )
    if parts.username or parts.password:
        raise WebhookRefused("invalid_webhook_url", "The webhook URL must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookRefused("invalid_webhook_url", "The webhook URL has an invalid port") from None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookRefused("webhook_host_unresolvable", "The webhook host does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if _refused(address, allow_loopback):
            raise WebhookRefused(
                "webhook_target_forbidden",
                "The webhook host resolves to a private, loopback or reserved address",
            )


async def post(
    client: httpx.AsyncClient, url: str, secret: str, delivery_id: str, body: bytes, timeout: float
) -> None:
    """One signed attempt; raises on any non-2xx answer (redirects are not followed)."""
    response = await client.post(
        url, content=body, headers=signed_headers(secret, delivery_id, body), timeout=timeout
    )
    if not 200 <= response.status_code < 300:
        raise WebhookRejected(response.status_code)


class WebhookRejected(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"receiver answered {status}")
        self.status = status
