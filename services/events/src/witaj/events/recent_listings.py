"""The candidates of recent listings, kept a moment, so readers browsing the agenda share one read.

Every listing (the JSON list, the web app's agenda page, the iCalendar feed) first asks the database for
the published events that may fall in its window, then expands their recurrences. At a few listings a
second that query was the largest share of the database's work for the agenda (`docs/benchmarks.md`),
and it answers the same for every reader of a city with the same filters: its window starts "now" and
is rounded out to whole minutes (`witaj.events.listing`), so readers share it, and the expansion still
cuts each occurrence to the reader's exact window.

Staleness is bounded two ways. This replica forgets a city's listings when it changes one of the
city's agenda items: at the change (`changing`, called where the change stages its event) and again once
its transaction committed (`committed`, the outbox's wake), and a read that overlapped either is not
kept, so a reader never sees this replica's committed change late. Another replica's change shows once
the entry is `seconds` old. Entries are documents as stored; callers must not change them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable

from witaj.shared.mongo import Document

MOST_DOCUMENTS = 20_000
"""Documents kept at most over all listings (oldest listings dropped first; a larger listing is not
kept): filters come from outside, and each different one would otherwise keep up to a whole city's
agenda in memory."""


class RecentListings:
    def __init__(self, seconds: float, most: int = MOST_DOCUMENTS) -> None:
        """`seconds`: how long a listing's candidates are kept (0: never, every listing reads);
        `most`: documents kept at most over all listings."""
        self.seconds = seconds
        self.most = most
        self._kept = 0
        self._entries: dict[tuple[str, Hashable], tuple[float, list[Document]]] = {}
        self._generation: defaultdict[str, int] = defaultdict(int)
        self._changing: set[str] = set()

    async def read(
        self, city: str, key: Hashable, fetch: Callable[[], Awaitable[list[Document]]]
    ) -> list[Document]:
        """The candidates under `key` in `city`: kept ones while fresh, else `fetch`ed and kept."""
        if self.seconds <= 0:
            return await fetch()
        entry = self._entries.get((city, key))
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation[city]
        docs = await fetch()
        if generation == self._generation[city] and city not in self._changing and len(docs) <= self.most:
            self._drop((city, key))
            while self._kept + len(docs) > self.most:
                self._drop(next(iter(self._entries)))
            self._entries[(city, key)] = (now + self.seconds, docs)
            self._kept += len(docs)
        return docs

    def changing(self, city: str) -> None:
        """An agenda item of `city` is being changed in a transaction not committed yet."""
        self._changing.add(city)
        self._forget(city)

    def committed(self) -> None:
        """A transaction committed: forget again the cities it changed (a read meanwhile saw the old)."""
        for city in self._changing:
            self._forget(city)
        self._changing.clear()

    def _forget(self, city: str) -> None:
        self._generation[city] += 1
        for key in [k for k in self._entries if k[0] == city]:
            self._drop(key)

    def _drop(self, key: tuple[str, Hashable]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._kept -= len(entry[1])
