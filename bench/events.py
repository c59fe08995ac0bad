"""Events service benchmarks: registrations under contention, and listing with recurrence expansion.

- Registrations per second when everyone wants the same 50 places (counter updates, transaction,
  outbox), against plain one-by-one inserts into the same database in the same run.
- Listing a 30-day window of a city holding 5,000 events (a fifth of them weekly), recurrences expanded,
  against the plain `find` of the same candidate documents without expansion or localisation.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from witaj.devkit.testing import serve, wait_until
from witaj.events.main import create_app
from witaj.events.schemas import AgendaItemCreate
from witaj.events.settings import EventsSettings
from witaj.events.store import AgendaStore
from witaj.shared.envelope import wrap
from witaj.shared.events import CityConfig, CityConfigured
from witaj.shared.kafka import EventPublisher
from witaj.shared.topics import CITY_CONFIG

from bench.env import BenchEnv
from bench.results import Result

CITY = CityConfig(
    id="lublin", name="Lublin", country="PL", timezone="Europe/Warsaw", default_language="pl",
    languages=["pl", "en", "uk"],
)  # fmt: skip


async def _with_city(settings: EventsSettings) -> None:
    async with EventPublisher(settings.kafka) as publisher:
        event = wrap(CityConfigured(config=CITY, revision=1), source="bench", city=CITY.id, subject=CITY.id)
        await publisher.publish(CITY_CONFIG, event, key=CITY.id.encode())


def _event(start: datetime, *, weekly: bool, capacity: int | None = None) -> AgendaItemCreate:
    return AgendaItemCreate.model_validate({
        "kind": "workshop", "source_language": "pl", "texts": {"title": f"Wydarzenie {start:%d.%m %H:%M}"},
        "topics": ["work"], "place": {"address": "Rynek 1, Lublin", "location": {"lat": 51.25, "lng": 22.57}},
        "capacity": capacity,
        "schedule": {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
                     **({"rrule": "FREQ=WEEKLY;COUNT=30"} if weekly else {})},
    })  # fmt: skip


async def run(env: BenchEnv) -> list[Result]:
    settings = env.sandbox().settings(EventsSettings)
    # everyone at once is the contention being measured, not a surge for admission to shed
    service = settings.service.model_copy(update={"max_in_flight": 1000})
    settings = settings.model_copy(update={"service": service})
    async with serve(create_app(settings)) as client:
        state = client._transport.app.state.events  # type: ignore[attr-defined]
        await _with_city(settings)
        await wait_until(lambda: state.runtime.cities.get("lublin"), timeout=30, message="city")
        return [*await _registrations(env, client, state), *await _listing(env, client, state)]


async def _registrations(env: BenchEnv, client, state) -> list[Result]:  # type: ignore[no-untyped-def]
    people = env.size(500, 100)
    start = datetime.now(UTC) + timedelta(days=3)

    async def registering() -> tuple[str, dict[str, str]]:
        doc = await state.events.create(
            AgendaStore.build(
                "lublin", _event(start, weekly=False, capacity=50), "org-1", "Europe/Warsaw", "bench"
            )
        )
        return f"/cities/lublin/events/{doc['_id']}/registrations", {
            "occurrence": doc["first_start"].isoformat()
        }

    # warm-up on another event: the first transaction of a fresh database is many times slower than
    # the others, and the baseline's inserts meet a database that is already warm
    url, body = await registering()
    await asyncio.gather(*(client.post(url, json=body) for _ in range(10)))
    url, body = await registering()
    began = time.perf_counter()
    answers = await asyncio.gather(*(client.post(url, json=body) for _ in range(people)))
    registrations = people / (time.perf_counter() - began)
    assert sum(a.json()["status"] == "confirmed" for a in answers) == 50

    plain = state.runtime.db["bench_plain_inserts"]
    began = time.perf_counter()
    await asyncio.gather(*(plain.insert_one({"n": i, "at": datetime.now(UTC)}) for i in range(people)))
    inserts = people / (time.perf_counter() - began)
    return [
        Result(
            "events.registrations_under_contention", registrations, "registrations/s", baseline=inserts,
            goal=0.3, goal_kind="ratio_at_least",
            note=f"{people} at once for 50 places, exactly 50 confirmed (no overbooking), vs plain "
            "concurrent inserts into the same database",
        )
    ]  # fmt: skip


async def _listing(env: BenchEnv, client, state) -> list[Result]:  # type: ignore[no-untyped-def]
    count = env.size(5_000, 500)
    first = datetime(2030, 3, 1, 8, tzinfo=UTC)
    docs = [
        AgendaStore.build("lublin", _event(first + timedelta(hours=i % 1400), weekly=i % 5 == 0), f"org-{i % 40}", "Europe/Warsaw", "bench")
        for i in range(count)
    ]  # fmt: skip
    for chunk in range(0, count, 1000):
        await state.events.collection.insert_many(docs[chunk : chunk + 1000])
    params = {"from": "2030-03-10T00:00:00Z", "to": "2030-04-09T00:00:00Z", "limit": 50}
    query = {
        "city": "lublin",
        "status": "published",
        "first_start": {"$lt": datetime(2030, 4, 9, tzinfo=UTC)},
    }

    async def listing() -> int:
        response = await client.get("/cities/lublin/events", params=params)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    async def plain_find() -> int:
        return len(await state.events.collection.find(query).to_list())

    rounds = env.size(5, 2)
    total = await listing()  # warm up
    expanded = [await _timed(listing) for _ in range(rounds)]
    plain = [await _timed(plain_find) for _ in range(rounds)]
    return [
        Result(
            "events.listing_with_recurrence_expansion", statistics.median(expanded) * 1000, "ms",
            baseline=statistics.median(plain) * 1000, goal=3.0, goal_kind="ratio_at_most",
            note=f"{count} events, {total} occurrences in 30 days; baseline: plain find of the candidates",
        )
    ]  # fmt: skip


async def _timed(action) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    await action()
    return time.perf_counter() - began
