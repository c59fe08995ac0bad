"""A city's own settings and topic tree, as its administrators change them in the back office.

The content API owns both: the configuration at `/cities/{city}` and the topic tree at
`/cities/{city}/workbench/topics`. Each has a revision (its ETag); every change is sent with the
revision the form was made from (`If-Match`), so two administrators at work at once never silently
undo each other's changes (the second is told to reload). Calls carry the person's token; the API
decides who may change what (platform admins and the city's own admins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from witaj.shared.events import CityConfig, Topic
from witaj.web.clients.workbench import WorkbenchClient


@dataclass(frozen=True)
class TopicTree:
    topics: list[Topic]
    revision: int

    def children(self, parent: str | None) -> list[Topic]:
        return [t for t in self.topics if t.parent == parent]

    def walk(self) -> list[tuple[Topic, int]]:
        """Every topic with its depth, each under its parent, in the tree's own order."""
        found: list[tuple[Topic, int]] = []

        def visit(parent: str | None, depth: int) -> None:
            for topic in self.children(parent):
                found.append((topic, depth))
                visit(topic.id, depth + 1)

        visit(None, 0)
        return found

    def get(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def below(self, topic_id: str) -> set[str]:
        """The topic and everything under it (where it may not move)."""
        found = {topic_id}
        for topic, _ in self.walk():
            if topic.parent in found:
                found.add(topic.id)
        return found


def _revision(etag: str | None) -> int:
    text = (etag or "").removeprefix("W/").strip('"')
    return int(text) if text.isdigit() else 0


def _match(revision: int) -> dict[str, str]:
    return {"If-Match": f'"{revision}"'} if revision else {}


class CityAdministration:
    """Typed calls on the workbench client (one HTTP client, its timeouts and size caps)."""

    def __init__(self, client: WorkbenchClient) -> None:
        self.client = client

    async def config(self, token: str, city: str) -> tuple[CityConfig, int]:
        data, headers = await self.client.send("GET", f"/cities/{city}", token=token)
        return CityConfig.model_validate(data), _revision(headers.get("etag"))

    async def save_config(self, token: str, city: str, config: dict[str, Any], *, revision: int) -> int:
        _, headers = await self.client.send(
            "PUT", f"/cities/{city}", token=token, json=config, headers=_match(revision),
            timeout=self.client.write_timeout,
        )  # fmt: skip
        return _revision(headers.get("etag"))

    async def tree(self, token: str, city: str) -> TopicTree:
        data, _ = await self.client.send("GET", f"/cities/{city}/workbench/topics", token=token)
        return self._tree(data)

    async def add_topic(self, token: str, city: str, body: dict[str, Any], *, revision: int) -> TopicTree:
        return await self._change("POST", f"/cities/{city}/workbench/topics", token, body, revision)

    async def change_topic(
        self, token: str, city: str, topic_id: str, body: dict[str, Any], *, revision: int
    ) -> TopicTree:
        return await self._change(
            "PATCH", f"/cities/{city}/workbench/topics/{topic_id}", token, body, revision
        )

    async def remove_topic(self, token: str, city: str, topic_id: str, *, revision: int) -> TopicTree:
        return await self._change(
            "DELETE", f"/cities/{city}/workbench/topics/{topic_id}", token, None, revision
        )

    async def _change(
        self, method: str, path: str, token: str, body: dict[str, Any] | None, revision: int
    ) -> TopicTree:
        data, _ = await self.client.send(
            method, path, token=token, json=body, headers=_match(revision), timeout=self.client.write_timeout
        )
        return self._tree(data)

    @staticmethod
    def _tree(data: Any) -> TopicTree:
        return TopicTree([Topic.model_validate(t) for t in data["topics"]], int(data["revision"]))
