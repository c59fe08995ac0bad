"""Who may read or change a subscription: its device (by secret token) or its account (by JWT subject).

Device tokens are random secrets handed out once; only their SHA-256 is stored, so a database leak does
not let anyone act as a device. Unsubscribe links carry an HMAC of the subscription id instead, so they
can be rebuilt for every e-mail without storing anything that would unlock the subscription.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_HEADER = "X-Subscriber-Token"  # noqa: S105 - a header name, not a secret


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(secret: str, subscriber: str) -> str:
    mac = hmac.new(secret.encode(), f"unsubscribe:{subscriber}".encode(), hashlib.sha256).hexdigest()
    return f"{subscriber}.{mac[:40]}"


def subscriber_from_unsubscribe_token(secret: str, token: str) -> str | None:
    subscriber, _, _ = token.partition(".")
    if not subscriber or len(token) > 200:
        return None
    # Bytes, not str: compare_digest refuses non-ASCII text, and a token in a URL can be anything.
    expected = unsubscribe_token(secret, subscriber).encode()
    return subscriber if hmac.compare_digest(expected, token.encode()) else None
