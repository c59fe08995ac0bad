"""E-mail confirmation over HTTP: asking for the e-mail again, the page the e-mail's link opens, and its
button that confirms (`confirmation.py` holds the double opt-in itself)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import HTMLResponse, JSONResponse, Response
from witaj.notify.confirmation import LINK_PATH, ConfirmationMailer, token_fits, token_parts
from witaj.notify.deps import OwnedSubscription, ServicesDep
from witaj.notify.templates import render_confirmation
from witaj.shared.errors import ERROR_RESPONSES, ApiError, Conflict
from witaj.shared.ratelimit import RateLimit, public_write

router = APIRouter(tags=["subscriptions"], responses=ERROR_RESPONSES)
CONFIRMING = RateLimit("confirmation", per_minute=30, burst=10)
"""Anyone holding the link may use it; guessing links must stay slow."""


@router.post(
    "/subscriptions/{subscription_id}/email-confirmation",
    status_code=202,
    summary="Send the e-mail address's confirmation again",
)
async def resend(subscription: OwnedSubscription, services: ServicesDep) -> dict[str, str]:
    if not subscription.get("email"):
        raise Conflict("The subscription has no e-mail address", code="no_email")
    if subscription.get("email_confirmed"):
        raise Conflict("The e-mail address is already confirmed", code="already_confirmed")
    await services.subscriptions.update(
        subscription["_id"], {"confirmation_due_at": services.confirmations.clock()}
    )
    services.confirmations.wake()
    return {"status": "confirmation_due"}


async def _pending(token: str, services: Any) -> tuple[dict[str, Any], Any]:
    """The subscription a valid, unexpired link is for, and its confirmation texts."""
    parts = token_parts(token)
    sub = await services.subscriptions.get(parts[0]) if parts else None
    mailer: ConfirmationMailer = services.confirmations
    if sub is None or parts is None or not token_fits(mailer.secret, token, sub):
        raise ApiError(404, "invalid_confirmation_link", "This confirmation link is not valid")
    if not sub.get("email_confirmed") and parts[1] <= mailer.clock().timestamp():
        raise ApiError(
            404, "confirmation_link_expired", "This confirmation link has expired; subscribe again"
        )
    city = services.runtime.cities.require(sub["city"])
    text = render_confirmation(
        city, language=sub["language"], fallbacks=sub.get("fallbacks") or [], link="", hours=0
    )
    return sub, text


@router.get(
    f"{LINK_PATH}{{token}}",
    summary="The page an e-mail's confirmation link opens: a button that confirms (changes nothing)",
    response_class=Response,
    responses={200: {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def confirmation_page(token: str, services: ServicesDep) -> HTMLResponse:
    sub, text = await _pending(token, services)
    return HTMLResponse(
        text.page(done=bool(sub.get("email_confirmed"))), headers={"Cache-Control": "no-store"}
    )


@router.post(
    f"{LINK_PATH}{{token}}",
    summary="Confirm the e-mail address",
    response_model=dict[str, str],
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
    **public_write(CONFIRMING),
)
async def confirm(
    token: str,
    services: ServicesDep,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    """Confirms the address the link was sent to; from then on notifications go there. A browser's
    form (Accept: text/html) gets the outcome as a page, others as JSON."""
    sub, text = await _pending(token, services)
    await services.subscriptions.collection.update_one(
        {"_id": sub["_id"], "email": sub["email"]},
        {
            "$set": {"email_confirmed": True, "email_expires_at": None},
            "$unset": {"confirmation_due_at": ""},
        },
    )
    if accept and "text/html" in accept:
        return HTMLResponse(text.page(done=True))
    return JSONResponse({"status": "confirmed"})
