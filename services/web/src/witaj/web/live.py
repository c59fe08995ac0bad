"""The live inbox relayed: notify's Server-Sent Events for one subscription, re-emitted by the web app.

The browser never talks to notify (it would need the subscription's token, which stays in an HttpOnly
cookie). The web app reads notify's stream with the token and re-emits each message as the inbox page
shows it: the same HTML the page renders without JavaScript, so the script only puts it in place.
Heartbeats and the reconnection delay pass through; the message id stays the SSE id, so a browser that
reconnects (by itself, sending `Last-Event-ID`) gets what it missed and nothing twice.

A relayed stream lasts at most `backend.stream_seconds`: then it ends, the browser reconnects where it
was, and a replica being stopped is never held up by readers' open inboxes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable

from pydantic import ValidationError
from witaj.web.clients.notify import Message

MAX_EVENT_LINES = 1_000


def dom_id(message_id: str) -> str:
    """The page's id for a message: short, safe in any selector, and the same in the page and the stream."""
    return "m-" + hashlib.sha256(message_id.encode()).hexdigest()[:16]


def frame(event: str | None, data: str, event_id: str | None = None) -> str:
    lines = []
    if event_id:
        lines.append("id: " + event_id.replace("\r", "").replace("\n", ""))
    if event:
        lines.append("event: " + event)
    lines.extend("data: " + line for line in data.splitlines() or [""])
    return "\n".join(lines) + "\n\n"


async def relay(
    lines: AsyncIterator[str], render: Callable[[Message], str], *, seconds: float
) -> AsyncIterator[str]:
    """notify's SSE lines in, the inbox's SSE frames out: each message as `{id, html}`; comments as a
    heartbeat; the retry delay as sent. Ends after `seconds` (at the next line: notify sends one at
    least every 15 seconds) or when notify's stream ends."""
    deadline = time.monotonic() + seconds
    event, data, event_id = "message", [], None
    async for line in lines:
        if line == "":
            if data and event == "message":
                shown = _message("\n".join(data), render)
                if shown is not None:
                    yield frame("message", shown, event_id)
            event, data, event_id = "message", [], None
        elif line.startswith(":"):
            yield ": heartbeat\n\n"
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data" and len(data) < MAX_EVENT_LINES:
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id":
                event_id = value
            elif name == "retry" and value.isdigit():
                yield f"retry: {value}\n\n"
        if time.monotonic() > deadline and not data:
            return


def _message(data: str, render: Callable[[Message], str]) -> str | None:
    try:
        message = Message.model_validate_json(data)
    except ValidationError:
        return None  # not a message this inbox can show: left out, the stream goes on
    return json.dumps({"id": dom_id(message.id), "html": render(message)}, ensure_ascii=False)
