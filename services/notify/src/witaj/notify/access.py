"""Who may read or change a subscription: its device (by secret token) or its account (by JWT subject).

Device tokens are random secrets handed out once; only their SHA-256 is stored, so a database leak does
not let anyone act as a device. Unsubscribe links carry an HMAC of the subscription id instead, so they
can be rebuilt for every e-mail without storing anything that would unlock the subscription.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request
from witaj.shared.auth import MaybePrincipal, owner_credential
from witaj.shared.errors import ApiError, NotFound

if TYPE_CHECKING:
    from witaj.notify.main import Services

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


def services(request: Request) -> Services:
    return request.app.state.notify  # type: ignore[no-any-return]


ServicesDep = Annotated["Services", Depends(services)]


@owner_credential
async def owned_subscription(
    subscription_id: str,
    request: Request,
    principal: MaybePrincipal,
    token: Annotated[str | None, Header(alias=TOKEN_HEADER, max_length=200)] = None,
) -> dict[str, Any]:
    """The subscription, if the caller owns it; 401 without credentials, 403 with someone else's."""
    if principal is None and token is None:
        raise ApiError(
            401,
            "authentication_required",
            f"Send the subscription's {TOKEN_HEADER} header or the account's bearer token",
        )
    if len(subscription_id) > 64:
        raise NotFound("The subscription")
    doc = await services(request).subscriptions.get(subscription_id)
    if doc is None:
        raise NotFound("The subscription")
    owner = doc["owner"]
    if principal is not None and owner.get("subject") == principal.subject:
        return doc
    if token is not None and owner.get("token_hash"):
        if hmac.compare_digest(owner["token_hash"], token_hash(token)):
            return doc
    raise ApiError(403, "forbidden", "This subscription belongs to someone else")


OwnedSubscription = Annotated[dict[str, Any], Depends(owned_subscription)]
