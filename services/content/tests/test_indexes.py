"""Listing endpoints are answered from indexes: every query they send is explained by the database and
none of them scans a whole collection. Queries are recorded as the service sends them (command
monitoring), so a new listing or a changed filter is checked without touching this test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient, monitoring
from witaj.content.main import create_app
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve, wait_until
from witaj.shared import mongo, runtime

from .conftest import CITY, PAGE, ContentApi

ORGANISATION = {
    "title": "Punkt Informacyjny dla Cudzoziemców",
    "description": "Porady w sprawach pobytu i pracy",
    "address": "ul. Długi Targ 39/40, Gdańsk",
    "location": {"lat": 54.3486, "lon": 18.6530},
    "languages_spoken": ["pl", "uk", "en"],
    "topics": ["residence"],
}


class QueryRecorder(monitoring.CommandListener):
    """Remembers the read commands sent to one database."""

    READS = ("find", "aggregate", "count", "distinct")

    def __init__(self) -> None:
        self.database = ""
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in self.READS and event.database_name == self.database:
            self.commands.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def recorded(
    make_settings: Callable[..., ContentSettings], auth_header: Callable[..., dict[str, str]], monkeypatch
) -> AsyncIterator[tuple[httpx.AsyncClient, QueryRecorder, ContentSettings]]:
    recorder = QueryRecorder()

    def monitored_client(settings: Any) -> AsyncMongoClient[Any]:
        return mongo.create_client(settings, event_listeners=[recorder])

    monkeypatch.setattr(runtime, "create_client", monitored_client)
    settings = make_settings(ContentSettings, count_demand=False)
    recorder.database = settings.mongo.database
    async with serve(create_app(settings)) as http:
        created = await http.post("/cities", json=CITY, headers=auth_header("platform_admin"))
        assert created.status_code == 201, created.text
        state = http._transport.app.state  # type: ignore[attr-defined]
        await wait_until(lambda: state.runtime.cities.get(CITY["id"]), message="the city in the catalog")
        yield http, recorder, settings


async def _plan(db: Any, command: dict[str, Any]) -> dict[str, Any]:
    """The winning plan of a recorded read, asked of the database as a find with the same filter."""
    if "find" in command:
        query = {
            "find": command["find"],
            "filter": command.get("filter", {}),
            "sort": command.get("sort", {}),
        }
    elif "aggregate" in command:
        first = (command.get("pipeline") or [{}])[0]
        query = {"find": command["aggregate"], "filter": first.get("$match", {})}
    else:
        query = {"find": command.get("count") or command["distinct"], "filter": command.get("query", {})}
    explained = await db.command("explain", query, verbosity="queryPlanner")
    return explained["queryPlanner"]["winningPlan"]  # type: ignore[no-any-return]


async def test_every_listing_query_uses_an_index(recorded, auth_header) -> None:
    http, recorder, settings = recorded
    editor = auth_header("pa_editor", city=CITY["id"], org="city-hall")
    api = ContentApi(http, editor)
    pages = [await api.published("pages", {**PAGE, "title": f"Mieszkanie {n}"}) for n in range(3)]
    await api.translate(
        pages[0], "uk", {"title": "Житло", "summary": "Як орендувати", "body": "Договір оренди"}
    )
    await api.published("organisations", ORGANISATION)
    feedback = {"language": "pl", "helpful": False, "comment": "Brakuje informacji o kaucji"}
    assert (await http.post(f"/cities/gdansk/pages/{pages[0]}/feedback", json=feedback)).status_code in (
        201,
        202,
    )

    recorder.commands.clear()
    base = "/cities/gdansk/workbench"
    listings = [
        f"{base}/pages",
        f"{base}/pages?status=published",
        f"{base}/items/{pages[0]}/versions",
        f"{base}/translations",
        f"{base}/translations/uk/xliff",
        f"{base}/feedback",
        f"{base}/feedback/moderation",
        "/cities/gdansk/organisations?near=54.35,18.65&radius_km=5",
    ]
    for path in listings:
        response = await http.get(path, headers=editor)
        assert response.status_code == 200, f"{path}: {response.text}"

    assert recorder.commands, "the listings sent no queries at all? the recorder is broken"
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo.url.get_secret_value())
    try:
        db = client[settings.mongo.database]
        scans = []
        for command in recorder.commands:
            if "_id" in (command.get("filter") or {}):
                continue  # a point read by id: MongoDB answers it from the _id index whatever else is asked
            plan = await _plan(db, command)
            if "COLLSCAN" in json.dumps(plan):
                scans.append(f"{json.dumps(command, default=str)[:300]}\n  -> {json.dumps(plan)[:300]}")
        assert not scans, "queries scanning a whole collection:\n" + "\n".join(scans)
    finally:
        await client.close()
