"""What routes get from the composition root (`main.py`): one typed container, `Services`, kept on
`app.state.notify`, and the subscription a request may act on (`OwnedSubscription`: its device's token
or its account), as `Annotated` dependencies."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from witaj.notify.access import TOKEN_HEADER, token_hash
from witaj.notify.broadcasts import BroadcastStore
from witaj.notify.confirmation import ConfirmationMailer
from witaj.notify.delivery import DeliveryWorker
from witaj.notify.fanout import Fanout
from witaj.notify.mailbox import Mailbox
from witaj.notify.settings import NotifyOptions
from witaj.notify.stream import StreamHub
from witaj.notify.subscriptions import SubscriptionStore
from witaj.shared.auth import MaybePrincipal, owner_credential
from witaj.shared.deps import from_state
from witaj.shared.errors import ApiError, NotFound
from witaj.shared.runtime import Runtime


@dataclass(frozen=True)
class Services:
    """What routes need, stored on `app.state.notify`."""

    runtime: Runtime
    options: NotifyOptions
    subscriptions: SubscriptionStore
    mailbox: Mailbox
    hub: StreamHub
    fanout: Fanout
    delivery: DeliveryWorker
    confirmations: ConfirmationMailer
    broadcasts: BroadcastStore


ServicesDep = Annotated[Services, Depends(from_state("notify"))]


@owner_credential
async def owned_subscription(
    subscription_id: str,
    services: ServicesDep,
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
    doc = await services.subscriptions.get(subscription_id)
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
