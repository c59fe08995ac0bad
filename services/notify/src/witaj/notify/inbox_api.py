"""The inbox over HTTP: a subscription's messages newest first, marking one read, and the live stream
of new ones (`mailbox.py` holds the deliveries themselves)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from witaj.notify.deps import OwnedSubscription, ServicesDep
from witaj.notify.schemas import InboxPage, MessagePublic
from witaj.shared.errors import NotFound
from witaj.shared.web import Pagination

router = APIRouter(tags=["inbox"])


@router.get("/subscriptions/{subscription_id}/inbox", summary="Your messages, newest first")
async def inbox(
    subscription: OwnedSubscription, services: ServicesDep, page: Pagination, unread_only: bool = False
) -> InboxPage:
    return await services.mailbox.page(subscription["_id"], page.limit, page.offset, unread_only)


@router.post("/subscriptions/{subscription_id}/inbox/{message_id}/read", summary="Mark a message read")
async def mark_read(message_id: str, subscription: OwnedSubscription, services: ServicesDep) -> MessagePublic:
    if len(message_id) > 200:
        raise NotFound("The message")
    return MessagePublic.model_validate(await services.mailbox.mark_read(subscription["_id"], message_id))


@router.get(
    "/subscriptions/{subscription_id}/stream",
    summary="Live inbox (Server-Sent Events): what you missed, then each new message as `event: message`",
    description="A first connection gets the newest unread messages, then new ones as they arrive. "
    "Reconnecting with `Last-Event-ID` (browsers' EventSource does it by itself) gets every message "
    "stored after that one, oldest first, then new ones; a message may come twice, so keep by `id`.",
    response_class=StreamingResponse,
)
async def stream(
    request: Request,
    subscription: OwnedSubscription,
    services: ServicesDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=200)] = None,
) -> StreamingResponse:
    subscriber = subscription["_id"]
    queue = services.hub.subscribe(subscriber)  # before the backlog query, so nothing falls in between
    return StreamingResponse(
        services.hub.events(
            subscriber,
            queue,
            lambda after: services.mailbox.backlog(subscriber, after),
            last_event_id=last_event_id,
            catch_up_seconds=services.options.stream_catch_up_seconds,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
