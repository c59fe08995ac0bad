"""Live inbox stream: Server-Sent Events to the clients connected to this replica.

The fan-out hands each new inbox message to the hub right after storing it; a client that connects
(or reconnects with `Last-Event-ID`) first gets what it missed from the database
(`Mailbox.backlog`), so the stream is a fast path and the stored inbox stays the source of truth.
Only fan-outs running in this process reach the hub at once; with several replicas, a message fanned
out by another one is found by each idle connection's catch-up read of its own inbox (one indexed
query every `CATCH_UP_SECONDS`), so it arrives within seconds without a reconnect. Each connection
has a bounded queue: a client that stops reading is dropped rather than slowing the fan-out.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

_CLOSE = object()
QUEUE_LIMIT = 1000
HEARTBEAT_SECONDS = 15.0
CATCH_UP_SECONDS = 3.0


class StreamHub:
    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[Any]]] = {}

    def listening(self, subscriber: str) -> bool:
        return subscriber in self._listeners

    def publish(self, subscriber: str, message: dict[str, Any]) -> None:
        for queue in list(self._listeners.get(subscriber, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:  # the client stopped reading: end its stream, it can reconnect
                self._drop(subscriber, queue)
                _replace_with_close(queue)

    def close(self, subscriber: str) -> None:
        for queue in list(self._listeners.get(subscriber, ())):
            self._drop(subscriber, queue)
            _replace_with_close(queue)

    def _drop(self, subscriber: str, queue: asyncio.Queue[Any]) -> None:
        listeners = self._listeners.get(subscriber)
        if listeners is not None:
            listeners.discard(queue)
            if not listeners:
                del self._listeners[subscriber]

    def subscribe(self, subscriber: str) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_LIMIT)
        self._listeners.setdefault(subscriber, set()).add(queue)
        return queue

    async def events(
        self,
        subscriber: str,
        queue: asyncio.Queue[Any],
        backlog: Callable[[str | None], AsyncIterable[dict[str, Any]]],
        *,
        last_event_id: str | None = None,
        catch_up_seconds: float = CATCH_UP_SECONDS,
    ) -> AsyncIterator[str]:
        """The SSE text of one connection: a hello, the backlog, then live messages, what other
        replicas stored (read back when the connection is idle) and heartbeats.

        `backlog(after)` reads the stored inbox after the message id `after` (see `Mailbox.backlog`).
        Every catch-up reads from the connection's own starting point and skips what was sent: an
        anchor moved to the newest message sent could pass over one another replica stored with an
        earlier time but committed later.
        """
        try:
            yield "retry: 3000\n: connected\n\n"
            sent: set[str] = set()
            async for message in backlog(last_event_id):
                sent.add(message["id"])
                yield frame(message)
            quiet_since = time.monotonic()
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), catch_up_seconds)
                except TimeoutError:
                    async for message in backlog(last_event_id):
                        if message["id"] not in sent:
                            sent.add(message["id"])
                            quiet_since = time.monotonic()
                            yield frame(message)
                    if time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                        quiet_since = time.monotonic()
                        yield ": heartbeat\n\n"
                    continue
                if item is _CLOSE:
                    return
                if item["id"] not in sent:
                    sent.add(item["id"])
                    quiet_since = time.monotonic()
                    yield frame(item)
        finally:
            self._drop(subscriber, queue)


def _replace_with_close(queue: asyncio.Queue[Any]) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(_CLOSE)


def frame(message: dict[str, Any]) -> str:
    return f"id: {message['id']}\nevent: message\ndata: {json.dumps(message, default=str)}\n\n"
