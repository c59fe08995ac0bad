"""The reader's inbox: their messages, newest first, marked read one by one; new ones appear live.

Without JavaScript the page lists the messages and shows new ones on reload. With it, a small module
(`static/js/inbox.js`) opens an EventSource on `/inbox/stream`, which relays notify's stream for the
reader's subscription (`live.py`), and puts each new message at the top as the page would show it.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Annotated

from fastapi import APIRouter, Form, Header, Query
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from witaj.shared.events import Feature
from witaj.web import live
from witaj.web.agenda import page_of
from witaj.web.browser_keys import NOTIFICATIONS_COOKIE, forget, keep, private, subscribed
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.notify import INBOX, Message
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.pages import Reader
from witaj.web.routes.events import dates_for
from witaj.web.routes.feedback import is_htmx
from witaj.web.routes.notifications import current

router = APIRouter()
INBOX_PAGE = 20
GONE = (401, 403, 404)


def message_context(reader: Reader, message: Message) -> dict[str, object]:
    """What a message's template needs, the same for the page, a marked-read box and the stream."""
    assert reader.city is not None
    return {
        "message": message,
        "dom_id": live.dom_id(message.id),
        "link": page_of(message.link, reader),
        "dates": dates_for(reader),
    }


def render_message(reader: Reader, message: Message) -> str:
    context = {"reader": reader, "t": reader.t, "city": reader.city, **message_context(reader, message)}
    return reader.web.templates.render("partials/message.html", context)


@router.get("/{city}/{lang}/inbox")
async def inbox_page(
    reader: CityReader,
    web: WebDep,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require(reader, Feature.NOTIFICATIONS)
    private(reader)
    held, subscription = await current(reader, web)
    messages = None
    if held is not None and subscription is not None:
        messages = await web.notify.inbox(
            held.id, held.token, limit=INBOX_PAGE, offset=(page - 1) * INBOX_PAGE
        )
        if page > max(1, math.ceil(messages.total / INBOX_PAGE)):
            raise PageNotFound("page", city=reader.city)
    response = reader.render(
        "pages/inbox.html",
        subscription=subscription,
        messages=[message_context(reader, m) for m in messages.items] if messages else [],
        unread=messages.unread if messages else 0,
        page=page,
        pages=max(1, math.ceil(messages.total / INBOX_PAGE)) if messages else 1,
        notice="subscribed" if done == "subscribed" else None,
        live=held is not None and subscription is not None and INBOX in subscription.channels,
    )
    if held is None and subscribed(reader.request) is not None:
        forget(response, reader, NOTIFICATIONS_COOKIE)
    elif held is not None:
        keep(response, reader, NOTIFICATIONS_COOKIE, held.cookie)
    return response


@router.post("/{city}/{lang}/inbox/read")
async def mark_read(
    reader: CityReader, web: WebDep, message: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Mark one message read; htmx gets the message back as it now looks, a form post the inbox."""
    require(reader, Feature.NOTIFICATIONS)
    held = subscribed(reader.request)
    if held is None or not message:
        raise PageNotFound("page", city=reader.city)
    try:
        marked = await web.notify.mark_read(held.id, held.token, message)
    except BackendRefused as refused:
        if refused.status in GONE:
            raise PageNotFound("page", city=reader.city) from None
        raise
    if is_htmx(reader.request):
        private(reader)
        return reader.render("partials/message.html", **message_context(reader, marked))
    return RedirectResponse(reader.path("inbox") + "#" + live.dom_id(marked.id), status_code=303)


@router.get("/{city}/{lang}/inbox/stream")
async def inbox_stream(
    reader: CityReader,
    web: WebDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=300)] = None,
) -> Response:
    """Server-Sent Events: the reader's new messages as they arrive (see `live.py`). 204 when there is
    no subscription to follow (browsers then stop asking); 503 while notify is away (the page's script
    tries again a little later)."""
    require(reader, Feature.NOTIFICATIONS)
    held = subscribed(reader.request)
    if held is None:
        return Response(status_code=204)
    stack = AsyncExitStack()
    try:
        lines = await stack.enter_async_context(
            web.notify.stream(held.id, held.token, last_event_id=last_event_id)
        )
    except BackendRefused:
        return Response(status_code=204)
    except BackendUnavailable:
        return Response(status_code=503, headers={"Retry-After": "15"})

    async def relayed() -> AsyncIterator[str]:
        try:
            async for frame in live.relay(
                lines, lambda m: render_message(reader, m), seconds=web.settings.backend.stream_seconds
            ):
                yield frame
        except BackendUnavailable:
            return  # notify went away mid-stream: the browser reconnects by itself
        finally:
            await stack.aclose()

    return StreamingResponse(
        relayed(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
