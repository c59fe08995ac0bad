"""HTTP routes for registrations: anyone registers with a private token; organisers see and mark them.

Tokens are made by this service only. A client may send back a token it was given, to keep a family's
registrations under one token; a token it made up is refused. Tokens are stored and looked up only by
their SHA-256 and compared in constant time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from witaj.events.auth import may_edit
from witaj.events.deps import EventsOn, Registrations, RuntimeDep, Store
from witaj.events.registrations import new_token, token_matches
from witaj.events.schemas import Attendance, RegistrationCreate, RegistrationForOrganiser, RegistrationPublic
from witaj.shared.auth import CurrentPrincipal, MaybePrincipal, Principal, forbid_unless
from witaj.shared.errors import ERROR_RESPONSES, ApiError
from witaj.shared.events import Feature
from witaj.shared.mongo import Document
from witaj.shared.ratelimit import RateLimit, public_write
from witaj.shared.subscriber_proof import account_key, device_key
from witaj.shared.web import Page, Pagination

router = APIRouter(
    prefix="/cities/{city}", tags=["registrations"], responses=ERROR_RESPONSES, dependencies=[EventsOn]
)
TokenHeader = Annotated[
    str | None,
    Header(alias="X-Registration-Token", min_length=20, max_length=100, description="The token you got when registering"),
]  # fmt: skip


SubscriberTokenHeader = Annotated[
    str | None,
    Header(
        alias="X-Subscriber-Token", min_length=20, max_length=200,
        description="The notify subscription's own token, proving `subscriber` is yours (device subscriptions)",
    ),
]  # fmt: skip


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Your own unique key for this registration (with your token, for this event); "
        "resending it returns the same one",
    ),
]  # fmt: skip


REGISTERING = RateLimit("registration", per_minute=10, burst=5)
"""A family registers a handful of people at once; a script registering hundreds is refused."""
CANCELLING = RateLimit("cancellation", per_minute=20, burst=10)
"""Cancelling is open to token holders, so guessing tokens must stay slow."""


def public(doc: Document, token: str | None = None) -> RegistrationPublic:
    return RegistrationPublic(
        id=doc["_id"], event_id=doc["event_id"], city=doc["city"], occurrence=doc["occurrence"],
        status=doc["status"], attended=doc.get("attended"), created_at=doc["created_at"], token=token,
    )  # fmt: skip


@router.post(
    "/events/{event_id}/registrations", status_code=201, summary="Register (no account needed)",
    **public_write(REGISTERING),
)  # fmt: skip
async def register(
    city: str, event_id: str, body: RegistrationCreate, runtime: RuntimeDep, events: Store,
    registrations: Registrations, principal: MaybePrincipal, token: TokenHeader = None,
    idempotency_key: IdempotencyKey = None, subscriber_token: SubscriberTokenHeader = None,
) -> RegistrationPublic:  # fmt: skip
    """Send back the token from an earlier registration to keep all of yours under one token. With the
    token and an `Idempotency-Key`, resending after a lost answer returns the same registration.

    To be told of changes, name your notify `subscriber` and prove it is yours: send the subscription's
    token as `X-Subscriber-Token` (a device's subscription) or the owning account's bearer token.
    Notify delivers nothing for a subscriber the proof does not match."""
    runtime.cities.require_feature(city, Feature.REGISTRATION)
    event = await events.get(city, event_id)
    if idempotency_key is not None and token is None:
        raise ApiError(
            422, "token_required", "An Idempotency-Key needs the X-Registration-Token it belongs to"
        )
    if token is not None and not await registrations.known_token(token):
        raise ApiError(
            403,
            "unknown_registration_token",
            "This is not a token Witaj gave you; register without one, or ask for one first",
        )
    token = token or new_token()
    proof_key = _subscriber_key(body, subscriber_token, principal)
    doc = await registrations.register(event, body, token, idempotency_key, proof_key)
    return public(doc, token)


def _subscriber_key(
    body: RegistrationCreate, subscriber_token: str | None, principal: Principal | None
) -> str | None:
    """The key of the credential that proves `body.subscriber` (see `witaj.shared.subscriber_proof`)."""
    if body.subscriber is None:
        return None
    if subscriber_token is not None:
        return device_key(subscriber_token)
    if principal is not None:
        return account_key(principal.subject)
    raise ApiError(
        422,
        "subscriber_proof_required",
        "To be told about this registration, send your subscription's X-Subscriber-Token "
        "(or sign in with the account that owns the subscription)",
    )


TOKENS = RateLimit("registration-token", per_minute=10, burst=5)


@router.post(
    "/registration-tokens", status_code=201, summary="A registration token, before registering",
    **public_write(TOKENS),
)  # fmt: skip
async def registration_token(city: str, runtime: RuntimeDep, registrations: Registrations) -> dict[str, str]:
    """Registering without a token makes one and returns it with the registration; a client that wants
    to resend even its first registration safely (with an Idempotency-Key) asks for its token here
    first. Unused, it is forgotten after a week."""
    runtime.cities.require_feature(city, Feature.REGISTRATION)
    return {"token": await registrations.issue_token()}


@router.get("/registrations/mine", summary="Your registrations, by your token")
async def my_registrations(
    city: str, registrations: Registrations, token: TokenHeader = None
) -> list[RegistrationPublic]:
    if token is None:
        raise ApiError(401, "token_required", "Send the X-Registration-Token you got when registering")
    return [public(doc) for doc in await registrations.mine(city, token)]


@router.delete(
    "/registrations/{registration_id}", status_code=204, summary="Cancel a registration",
    **public_write(CANCELLING),
)  # fmt: skip
async def cancel_registration(
    city: str, registration_id: str, registrations: Registrations, events: Store,
    principal: MaybePrincipal, token: TokenHeader = None,
) -> None:  # fmt: skip
    """The registrant cancels with their token; the organiser with their account."""
    reg = await registrations.get(city, registration_id)
    if token_matches(token, reg["token_hash"]):
        await registrations.cancel(reg, by="registrant")
        return
    if principal is not None and may_edit(principal, await events.get(city, reg["event_id"])):
        await registrations.cancel(reg, by="organiser")
        return
    raise ApiError(
        403, "forbidden", "Only the registrant (with their token) or the organiser may cancel this"
    )


@router.get("/events/{event_id}/registrations", summary="Registrations for your event (organisers)")
async def list_registrations(
    city: str, event_id: str, principal: CurrentPrincipal, events: Store, registrations: Registrations,
    page: Pagination, status: Annotated[str | None, Query(pattern="^(confirmed|waitlisted|cancelled)$")] = None,
    occurrence: Annotated[
        datetime | None, Query(description="One occurrence's registrations (its original start)")
    ] = None,
) -> Page[RegistrationForOrganiser]:  # fmt: skip
    """In the order people registered: those holding places first, then the waitlist in its order."""
    event = await events.get(city, event_id)
    forbid_unless(may_edit(principal, event), "Only the organiser sees who registered")
    query: dict[str, Any] = {"event_id": event_id, **({"status": status} if status else {})}
    if occurrence is not None:
        query["occurrence"] = occurrence if occurrence.tzinfo else occurrence.replace(tzinfo=UTC)
    total = await registrations.collection.count_documents(query)
    docs = await registrations.collection.find(
        query, sort=[("slot", 1), ("seq", 1)], skip=page.offset, limit=page.limit
    ).to_list()
    items = [
        RegistrationForOrganiser(
            **public(d).model_dump(), registrant=d["registrant"], contact=d.get("contact")
        )
        for d in docs
    ]
    return Page.of(items, total, page)


@router.put("/events/{event_id}/registrations/{registration_id}/attendance", summary="Mark attendance")
async def mark_attendance(
    city: str, event_id: str, registration_id: str, body: Attendance, principal: CurrentPrincipal,
    events: Store, registrations: Registrations,
) -> RegistrationPublic:  # fmt: skip
    event = await events.get(city, event_id)
    forbid_unless(may_edit(principal, event), "Only the organiser marks attendance")
    reg = await registrations.get(city, registration_id)
    if reg["event_id"] != event_id:
        raise ApiError(404, "not_found", f"The registration '{registration_id}' is not for this event")
    return public(await registrations.record_attendance(reg, body.attended))
