"""Live updates: stat-stream messages fanned out to Server-Sent Event listeners of this API replica.

Every replica reads `stats.rollups` as a broadcast consumer and hands each message to the listeners of
its city. The messages are already suppressed by the processor, so nothing new is revealed here. A slow
listener loses old updates rather than slowing the others (its queue is bounded).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from witaj.shared.envelope import Envelope

QUEUE_SIZE = 1000


class LiveHub:
    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def on_rollup(self, envelope: Envelope[Any]) -> None:
        message = envelope.to_document()
        for queue in list(self._listeners.get(envelope.city, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    async def stream(
        self, city: str, *, metric: str | None, limit: int | None, keepalive: float = 15.0
    ) -> AsyncIterator[str]:
        """SSE frames for `city`; ends after `limit` updates when given (handy for scripts and tests)."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._listeners[city].add(queue)
        sent = 0
        try:
            yield ": connected\n\n"
            while limit is None or sent < limit:
                try:
                    message = await asyncio.wait_for(queue.get(), keepalive)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if metric and message["data"]["metric"] != metric:
                    continue
                sent += 1
                yield f"id: {message['id']}\nevent: {message['type']}\ndata: {json.dumps(message)}\n\n"
        finally:
            self._listeners[city].discard(queue)

    def listeners(self, city: str) -> int:
        return len(self._listeners.get(city, ()))
