"""Counts of people: released once per settled day, the same everywhere, suppressed so nothing small can
be worked out; fill rates per occurrence; search queries kept only as long as stated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from test_feature_switches import configure
from witaj.devkit.testing import read_topic, serve
from witaj.shared.envelope import Envelope, EventData, registry, wrap
from witaj.shared.events import AgendaItemPublished, RegistrationCreated, RegistrationStatus, SearchPerformed
from witaj.shared.topics import STATS_ROLLUPS
from witaj.stats.gaps import week_of
from witaj.stats.main import create_app
from witaj.stats.releases import Occurrence, build

DAY = datetime(2026, 3, 2, tzinfo=UTC)
EVENING = DAY + timedelta(hours=18)


def event(data: EventData, time: datetime = DAY + timedelta(hours=8)) -> Envelope[Any]:
    return wrap(data, source="witaj/test", city="lublin", subject="s", time=time)


def registrations(
    event_id: str, n: int, occurrence: datetime | None = EVENING, **at: Any
) -> list[Envelope[Any]]:
    return [
        event(
            RegistrationCreated(
                registration_id=f"{event_id}-{occurrence}-{i}",
                event_id=event_id,
                occurrence=occurrence,
                organisation="ngo-1",
                registrant=f"person-{event_id}-{i}",
                status=RegistrationStatus.CONFIRMED,
            ),
            **at,
        )
        for i in range(n)
    ]


def published(event_id: str, capacity: int) -> Envelope[Any]:
    data = AgendaItemPublished(
        event_id=event_id, revision=1, event_kind="workshop", organisation="ngo-1", capacity=capacity,
        path=f"/events/{event_id}",
    )  # fmt: skip
    return event(data, DAY - timedelta(days=10))


def test_two_small_cells_beside_a_total_do_not_give_each_other_away() -> None:
    """{1, 1, 10} with a total of 12: hiding the two ones alone would show both are 1."""
    day = [
        Occurrence(e, "ngo-1", EVENING, 30, {"registrations": n, "confirmed": n})
        for e, n in (("big", 10), ("one", 1), ("other", 1))
    ]
    cells = {
        (c["dimension"], c["value"]): c["count"]
        for c in build(day, 5)["cells"]
        if c["metric"] == "registrations"
    }
    assert cells[("event", "one")] is None and cells[("event", "other")] is None
    shown = [v for k, v in cells.items() if k[0] in ("total", "event") and v is not None]
    assert shown != [12, 10], "the total and the big cell would leave 2 for two non-zero cells"


async def stream_tables(settings: Any) -> list[Any]:
    records = await read_topic(settings.kafka, STATS_ROLLUPS, count=100_000, timeout=2)
    return [m.data for m in (registry.decode(r.value) for r in records) if m.data.people]


async def test_people_are_published_once_per_settled_day_and_the_same_everywhere(
    settings, feed, auth_header
) -> None:
    await feed([published("big", 20), published("small", 10), published("mid", 8)], topic="agenda.events")
    await feed(
        registrations("big", 10) + registrations("small", 3) + registrations("mid", 6),
        topic="agenda.registrations",
    )
    params = {"metric": "registrations", "dimension": "event", "start": DAY.isoformat()}
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        table = (await client.get("/cities/lublin/breakdown", params=params)).json()
        assert table["people"] is True
        shown = {c["value"]: c["count"] for c in table["cells"]}
        assert shown["small"] is None and shown["big"] == 10
        assert shown["mid"] is None or table["total"]["count"] is None, "3 = total - 10 - 6 otherwise"

        csv = (await client.get("/cities/lublin/breakdown", params={**params, "format": "csv"})).text
        assert ",small,2026-03-02T00:00:00+00:00,2026-03-02T00:00:00+00:00,,true" in csv
        stat = (await client.get("/cities/lublin/breakdown", params={**params, "format": "jsonstat"})).json()
        index = stat["dimension"]["event"]["category"]["index"]
        assert stat["value"][index["small"]] is None and stat["status"][str(index["small"])] == "c"
        for event_id, count in shown.items():  # the series of each cell says the same
            series = await client.get(
                "/cities/lublin/series",
                params={"metric": "registrations", "granularity": "day", "dimension": "event", "value": event_id,
                        "start": DAY.isoformat(), "end": DAY.isoformat()},
            )  # fmt: skip
            assert series.json()["points"][0]["count"] == count, event_id

        for granularity in ("hour", "minute"):
            finer = await client.get(
                "/cities/lublin/series", params={"metric": "registrations", "granularity": granularity}
            )
            assert finer.status_code == 400 and finer.json()["error"]["code"] == "people_metric_needs_days"
        ranged = await client.get(
            "/cities/lublin/breakdown", params={**params, "end": "2026-03-05T00:00:00Z"}
        )
        assert ranged.status_code == 400

        # The stream carried that very table, once.
        tables = [
            t for t in await stream_tables(settings) if t.metric == "registrations" and t.dimension == "event"
        ]
        assert len(tables) == 1 and tables[0].window_start == DAY
        assert {c.value: c.count for c in tables[0].cells} == {"": table["total"]["count"], **shown}

        # A registration arriving after the release changes nothing anyone can see.
        await feed(
            registrations("big", 1, occurrence=EVENING, time=DAY + timedelta(days=5)),
            topic="agenda.registrations",
        )
        again = (await client.get("/cities/lublin/breakdown", params=params)).json()
        assert again == table
        assert len([t for t in await stream_tables(settings) if t.metric == "registrations"]) == 3
    assert "person-" not in json.dumps([t.model_dump(mode="json") for t in await stream_tables(settings)])


async def test_a_city_that_raises_its_threshold_hides_more(settings, feed, auth_header) -> None:
    """Lublin asks for at least 12 people per figure (the platform: 5): the big event's 10 registrations,
    shown in the test above, are hidden, and so is a search six visitors made in a settled week."""
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        await configure(settings, client, "lublin", privacy_threshold=12)
        await feed([published("big", 20), published("small", 10)], topic="agenda.events")
        await feed(registrations("big", 10) + registrations("small", 3), topic="agenda.registrations")
        week = week_of(datetime.now(UTC)) - timedelta(days=14)
        searches = [
            event(SearchPerformed(query="meldunek", language="uk", result_count=0, session=f"s{n}"), week)
            for n in range(6)
        ]
        await feed(searches)
        params = {"metric": "registrations", "dimension": "event", "start": DAY.isoformat()}
        table = (await client.get("/cities/lublin/breakdown", params=params)).json()
        assert {c["value"]: c["count"] for c in table["cells"]} == {"big": None, "small": None}
        span = {"start": week.isoformat(), "end": week.isoformat()}
        gaps = await client.get("/cities/lublin/information-gaps", params=span)
        assert gaps.status_code == 200 and gaps.json() == []


async def test_a_day_not_settled_has_no_counts_of_people_yet(settings, feed, auth_header) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    later = today + timedelta(hours=23)
    await feed(registrations("soon", 12, occurrence=later, time=today), topic="agenda.registrations")
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        params = {"metric": "registrations", "dimension": "event", "start": today.isoformat()}
        early = await client.get("/cities/lublin/breakdown", params=params)
        assert early.status_code == 409 and early.json()["error"]["code"] == "not_released"
        series = (
            await client.get(
                "/cities/lublin/series",
                params={
                    "metric": "registrations",
                    "granularity": "day",
                    "start": (today - timedelta(days=3)).isoformat(),
                    "end": today.isoformat(),
                },
            )
        ).json()
        assert [p["pending"] for p in series["points"]] == [False, True, True, True]  # 48 hours to settle
        assert series["points"][-1]["count"] is None
    assert not [t for t in await stream_tables(settings) if t.window_start == today]


async def test_fill_rates_are_per_occurrence_and_never_pass_a_full_house(settings, feed, auth_header) -> None:
    """A course of two sessions for 5 people each, both full: 100% each, not 10 places out of 5."""
    first, second = DAY + timedelta(hours=10), DAY + timedelta(hours=16)
    await feed([published("course", 5), published("talk", 30)], topic="agenda.events")
    await feed(
        registrations("course", 5, occurrence=first)
        + registrations("course", 5, occurrence=second)
        + registrations("talk", 6)
        + registrations("talk", 2, occurrence=first),
        topic="agenda.registrations",
    )
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        rates = (
            await client.get(
                "/cities/lublin/fill-rates", params={"start": DAY.isoformat(), "end": DAY.isoformat()}
            )
        ).json()
    by = {(r["event"], r["occurrence"]): r for r in rates}
    assert all(r["fill_rate"] is None or r["fill_rate"] <= 1 for r in rates)
    for start in (first, second):
        rate = by[("course", start.isoformat().replace("+00:00", "Z"))]
        assert rate["capacity"] == 5 and rate["day"].startswith("2026-03-02")
        assert rate["suppressed"] or (rate["confirmed"] == 5 and rate["fill_rate"] == 1.0)
    evening = by[("talk", EVENING.isoformat().replace("+00:00", "Z"))]
    assert evening["suppressed"] or evening["fill_rate"] == 0.2  # it gives 2 away against the talk's 8
    small = by[("talk", first.isoformat().replace("+00:00", "Z"))]
    assert small["suppressed"] and small["confirmed"] is None and small["fill_rate"] is None


async def test_zero_result_queries_expire_and_carry_no_identifiers(settings, feed, store) -> None:
    typed = "jan@example.com 600 123 456 karta pobytu"
    await feed([event(SearchPerformed(query=typed, language="pl", result_count=0, session="s1"))])
    [stored] = [d async for d in store.queries.find({})]
    assert stored["query"] == "[email] [number] karta pobytu"
    index = (await store.queries.index_information())["retention"]
    assert index["key"] == [("day", 1)]
    assert index["expireAfterSeconds"] == (settings.privacy.query_retention_days + 1) * 86_400
