"""Proof that whoever asked for a registration's or a question's messages holds the notify subscription
they named.

A registration (or a migrant's question, `witaj.shared.question_proof`) may name a notify subscriber to be told of its changes (a promotion, a cancellation).
Naming one proves nothing: subscription ids are not secrets, and anyone could route messages into
someone else's inbox. So the registrant also presents the subscription's own credential (the device's
subscriber token, or a bearer token of the account that owns the subscription) and the events service
turns it into a proof bound to that subscriber and that one registration:

    key   = hex SHA-256 of the device's subscriber token, or of "account:<subject>"
    proof = hex HMAC-SHA256(key, "witaj-<scope>:<subscriber>:<registration or question id>")

Events keeps and publishes only the proof, never the credential. Notify stores exactly that key for
every subscription (a device token's SHA-256; an account's subject), recomputes the proof when it
consumes the registration's events, and delivers nothing for a missing or wrong one.

Why notify checks and events does not: only notify knows which credential belongs to which subscription,
and asking it during registration would make registering depend on notify being up. Why a proof and not
the credential or its hash on the topic: a proof is good for one subscriber and one registration only,
so a reader of the topic can neither act as the device nor reuse it, and the credential never leaves
the request it came with.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal


def device_key(subscriber_token: str) -> str:
    """What notify stores for a device subscription (the SHA-256 of its token)."""
    return hashlib.sha256(subscriber_token.encode()).hexdigest()


def account_key(subject: str) -> str:
    """The key of an account's subscriptions, from the identity provider's subject."""
    return hashlib.sha256(f"account:{subject}".encode()).hexdigest()


Scope = Literal["registration", "question"]
"""What a proof is bound to, so a registration's proof never passes for a question's."""


def prove(key: str, subscriber: str, about: str, scope: Scope = "registration") -> str:
    message = f"witaj-{scope}:{subscriber}:{about}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def verify(key: str, subscriber: str, about: str, proof: str | None, scope: Scope = "registration") -> bool:
    """Constant-time check of a proof against a subscription's key."""
    if not proof:
        return False
    return hmac.compare_digest(
        prove(key, subscriber, about, scope).encode(), proof.encode("utf-8", "replace")
    )
