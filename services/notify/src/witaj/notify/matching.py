"""Which subscribers a platform event concerns, found through an index, never by scanning everyone.

Each subscription stores `match_keys`: one `"<city>|<topic>"` per chosen topic, or `"<city>|*"` when it
wants every topic. A multikey index on `(match_keys, _id)` turns "subscribers of Lublin interested in
housing" into one equality lookup. An item with topics T is fanned out as one *stream* per topic in T
plus the `*` stream, each read in `_id` order; a subscriber who chose several of T is taken only from
the first stream that reaches them. The remaining criteria (target groups, kinds of event) are checked
on the few fields the stream returns.

Why equality streams and not `$in`: the development database plans `$in` and `_id` ranges as full
scans, and an equality stream read through one cursor costs one pass over the matching keys, which is
also what resuming from a recorded `_id` costs. (Reading page by page with `limit` would cost a
quadratic number of key reads there, so a job keeps one cursor per stream.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANY = "*"
PROJECTION = {
    "_id": 1,
    "topics": 1,
    "event_kinds": 1,
    "target_groups": 1,
    "language": 1,
    "fallbacks": 1,
    "channels": 1,
    "timezone": 1,
    "quiet_hours": 1,
    "mode": 1,
    "digest_hour": 1,
}
MATCH_INDEX = [("match_keys", 1), ("_id", 1)]
STREAM_ORDER = [("_id", 1)]
"""How a stream is read. With `match_keys` fixed by equality the index already yields `_id` order, so
the sort names `_id` alone: a database that still sorts (the development one does) then sorts on one
plain field rather than on the multikey pair, which costs far less; MongoDB walks the index either way."""


def match_keys(city: str, topics: list[str], *, active: bool = True) -> list[str]:
    """The index keys a subscription is found under; none while it is unsubscribed."""
    if not active:
        return []
    return [f"{city}|{topic}" for topic in sorted(set(topics))] or [f"{city}|{ANY}"]


@dataclass(frozen=True)
class Criteria:
    """What a platform event is about; empty lists mean 'for everyone'."""

    city: str
    topics: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    event_kind: str | None = None

    def streams(self) -> list[str]:
        return [f"{self.city}|{topic}" for topic in sorted(set(self.topics))] + [f"{self.city}|{ANY}"]

    def first_stream_of(self, subscriber: dict[str, Any]) -> int:
        """Index of the first stream this subscriber appears in (they are delivered from that one)."""
        chosen = set(subscriber.get("topics") or [])
        for index, topic in enumerate(sorted(set(self.topics))):
            if topic in chosen:
                return index
        return len(set(self.topics))

    def wants(self, subscriber: dict[str, Any]) -> bool:
        groups = subscriber.get("target_groups") or []
        if self.target_groups and groups and not set(groups) & set(self.target_groups):
            return False
        kinds = subscriber.get("event_kinds") or []
        return not (self.event_kind and kinds and self.event_kind not in kinds)

    def as_document(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "topics": self.topics,
            "target_groups": self.target_groups,
            "event_kind": self.event_kind,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Criteria:
        return cls(
            city=doc["city"],
            topics=list(doc.get("topics") or []),
            target_groups=list(doc.get("target_groups") or []),
            event_kind=doc.get("event_kind"),
        )
