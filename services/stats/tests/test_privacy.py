"""Small counts of people are hidden in every output, and so is what would let them be recomputed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.shared.envelope import Envelope, EventData, registry, wrap
from witaj.shared.events import EventPublished, RegistrationCreated, RegistrationStatus
from witaj.shared.topics import STATS_ROLLUPS
from witaj.stats.main import create_app
from witaj.stats.privacy import suppress_table

NOON = datetime(2026, 3, 2, 12, 10, tzinfo=UTC)
DAY = "2026-03-02T00:00:00Z"


def event(data: EventData) -> Envelope[Any]:
    return wrap(data, source="witaj/test", city="lublin", subject="s", time=NOON)


def registrations(event_id: str, n: int) -> list[Envelope[Any]]:
    return [
        event(
            RegistrationCreated(
                registration_id=f"{event_id}-{i}",
                event_id=event_id,
                organisation="ngo-1",
                registrant=f"person-{event_id}-{i}",
                status=RegistrationStatus.CONFIRMED,
            )
        )
        for i in range(n)
    ]


def published(event_id: str, capacity: int) -> Envelope[Any]:
    return event(
        EventPublished(
            event_id=event_id,
            revision=1,
            event_kind="workshop",
            organisation="ngo-1",
            capacity=capacity,
            path=f"/events/{event_id}",
        )
    )


def test_one_hidden_cell_takes_the_next_smallest_with_it() -> None:
    figures, total = suppress_table({"a": 10, "b": 3, "c": 6, "d": 0}, 19, threshold=5)
    shown = {f.value: f.count for f in figures}
    assert shown == {"a": 10, "b": None, "c": None, "d": 0}
    assert total is not None and total.count == 19
    # Two hidden cells already protect each other; a small total hides itself.
    figures, total = suppress_table({"a": 3, "b": 2, "c": 9}, 14, threshold=5)
    assert {f.value: f.count for f in figures} == {"a": None, "b": None, "c": 9}
    _, total = suppress_table({"a": 3}, 3, threshold=5)
    assert total is not None and total.suppressed


async def test_people_counts_are_suppressed_in_api_exports_and_streams(settings, feed, auth_header) -> None:
    await feed([published("big", 20), published("small", 10), published("mid", 8)], topic="agenda.events")
    await feed(
        registrations("big", 10) + registrations("small", 3) + registrations("mid", 6),
        topic="agenda.registrations",
    )
    params = {"metric": "registrations", "dimension": "event", "start": DAY}
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        table = (await client.get("/cities/lublin/breakdown", params=params)).json()
        assert table["people"] is True
        assert table["total"] == {"value": "", "count": 19, "suppressed": False}
        assert {c["value"]: c["count"] for c in table["cells"]} == {"big": 10, "small": None, "mid": None}

        csv = (await client.get("/cities/lublin/breakdown", params={**params, "format": "csv"})).text
        assert ",small,2026-03-02T00:00:00+00:00,2026-03-02T00:00:00+00:00,,true" in csv
        assert ",mid,2026-03-02T00:00:00+00:00,2026-03-02T00:00:00+00:00,,true" in csv
        stat = (await client.get("/cities/lublin/breakdown", params={**params, "format": "jsonstat"})).json()
        index = stat["dimension"]["event"]["category"]["index"]
        assert stat["value"][index["small"]] is None and stat["status"][str(index["small"])] == "c"
        assert stat["value"][index["big"]] == 10

        rates = {r["event"]: r for r in (await client.get("/cities/lublin/fill-rates")).json()}
        assert rates["big"]["fill_rate"] == 0.5 and rates["mid"]["fill_rate"] == 0.75
        assert rates["small"]["confirmed"] is None and rates["small"]["fill_rate"] is None

        hourly = await client.get(
            "/cities/lublin/series", params={"metric": "registrations", "granularity": "hour"}
        )
        assert hourly.status_code == 400 and hourly.json()["error"]["code"] == "people_metric_needs_days"
        ranged = await client.get(
            "/cities/lublin/breakdown", params={**params, "end": "2026-03-05T00:00:00Z"}
        )
        assert ranged.status_code == 400

    # The stat stream carries the same table: the last message for it shows the same hidden cells.
    async def latest_table() -> Any:
        records = await read_topic(settings.kafka, STATS_ROLLUPS, count=1, timeout=2)
        tables = [registry.decode(r.value) for r in records]
        found = [t for t in tables if t.data.metric == "registrations" and t.data.dimension == "event"]
        return found and found[-1].data.cells[0].count == 19 and (found[-1], records)

    latest, records = await wait_until(latest_table, message="the registrations table on the stat stream")
    cells = {c.value: c.count for c in latest.data.cells}
    assert cells == {"": 19, "big": 10, "small": None, "mid": None}
    assert "person-" not in json.dumps([r.value.decode() for r in records])
