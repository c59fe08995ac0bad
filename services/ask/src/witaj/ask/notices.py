"""Proof that whoever asked to be told of a question's answers holds the notify subscription they named.

A migrant who wants notices (in their Witaj inbox, and by e-mail if they confirmed an address there)
names their notify subscription and presents its own credential: the device's subscriber token, or a
sign-in of the account that owns it. The ask service keeps neither; it turns the credential into a
proof bound to that subscription and that one question, and the question's events carry the proof.
Notify, which alone knows each subscription's credential, recomputes it and tells nobody for a missing
or wrong one, so nobody can route notices into someone else's inbox by naming it:

    key   = hex SHA-256 of the device's subscriber token, or of "account:<subject>"
    proof = hex HMAC-SHA256(key, "witaj-question:<subscriber>:<question id>")
"""

from __future__ import annotations

import hashlib
import hmac

from witaj.shared.auth import Principal
from witaj.shared.errors import ApiError

SUBSCRIBER_TOKEN = "X-Subscriber-Token"  # noqa: S105 - a header name, not a secret


def device_key(subscriber_token: str) -> str:
    """What notify stores for a device subscription (the SHA-256 of its token)."""
    return hashlib.sha256(subscriber_token.encode()).hexdigest()


def account_key(subject: str) -> str:
    return hashlib.sha256(f"account:{subject}".encode()).hexdigest()


def prove(key: str, subscriber: str, question_id: str) -> str:
    message = f"witaj-question:{subscriber}:{question_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def verify(key: str, subscriber: str, question_id: str, proof: str | None) -> bool:
    """Constant-time check of a proof against a subscription's key (what notify does)."""
    if not proof:
        return False
    return hmac.compare_digest(prove(key, subscriber, question_id).encode(), proof.encode("utf-8", "replace"))


def proof_for(
    subscriber: str | None, question_id: str, token: str | None, principal: Principal | None
) -> str | None:
    """The proof for naming `subscriber`, from the credential the migrant sent (None when none named)."""
    if subscriber is None:
        return None
    if token:
        return prove(device_key(token), subscriber, question_id)
    if principal is not None:
        return prove(account_key(principal.subject), subscriber, question_id)
    raise ApiError(
        422,
        "subscriber_credential_required",
        f"To be told in a subscription's inbox, send its {SUBSCRIBER_TOKEN} (or sign in as its account)",
    )
