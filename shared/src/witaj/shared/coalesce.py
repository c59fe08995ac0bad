"""Reads of the same thing that overlap share one trip to the database (as do idempotent writes, such as
creating a counter that may already exist).

When hundreds of people register for the same popular course within the same second, each request
would otherwise read the same event document, and those identical reads cost as much as the
registrations themselves. A read that starts while an identical one is under way waits for that one and
gets its answer; nothing is kept after it finishes, so no caller ever sees an answer older than its own
request. Every caller gets its own copy, since callers may change what they got.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class InFlight(Generic[T]):
    def __init__(self) -> None:
        self._reads: dict[Hashable, asyncio.Future[T]] = {}

    async def read(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        """`fetch()`'s answer, shared with every other caller asking for `key` while it runs."""
        shared = self._reads.get(key)
        if shared is None:
            shared = asyncio.ensure_future(fetch())
            self._reads[key] = shared
            shared.add_done_callback(lambda _: self._reads.pop(key, None))
        # shielded: a caller that goes away does not cancel the read for the others
        return copy.deepcopy(await asyncio.shield(shared))

    def __len__(self) -> int:
        return len(self._reads)
