"""A call made once per key within this process: the same form sent twice at once (a double tap, a
reload of the answer) does one thing, and both requests get that one outcome.

The events service makes a resent registration harmless by itself when it comes with the reader's
registration token and an `Idempotency-Key`; but a reader's first registration starts by asking the
service for a token, and two requests each asking would get two tokens (two places booked, and the
browser keeping only one of the tokens). So the web app remembers, for a few minutes, the token asked
for by the key of the form it is for; a second request with that key waits for the first one and gets
the same token (and with it, from the service, the same registration). A failure is not remembered:
the reader may try again.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class OnceOnly:
    def __init__(self, *, size: int = 10_000, keep_seconds: float = 600) -> None:
        self.size = size
        self.keep_seconds = keep_seconds
        self._done: OrderedDict[str, tuple[asyncio.Future[Any], float]] = OrderedDict()

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """`work()`'s outcome; if the key ran moments ago (or runs now), that run's outcome instead."""
        self._forget_old()
        found = self._done.get(key)
        if found is not None:
            return await asyncio.shield(found[0])  # type: ignore[no-any-return]
        task: asyncio.Future[T] = asyncio.ensure_future(work())
        self._done[key] = (task, time.monotonic())
        task.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(task)

    def _settled(self, key: str, done: asyncio.Future[Any]) -> None:
        if done.cancelled() or done.exception() is not None:
            self._done.pop(key, None)
        elif key in self._done:
            self._done[key] = (done, time.monotonic())
            self._done.move_to_end(key)

    def _forget_old(self) -> None:
        horizon = time.monotonic() - self.keep_seconds
        while self._done:
            future, at = next(iter(self._done.values()))
            if len(self._done) <= self.size and (not future.done() or at > horizon):
                break
            self._done.popitem(last=False)
