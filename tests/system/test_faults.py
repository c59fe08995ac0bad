"""`kill -9` under load: every service and the stats processor die and restart while simulated users keep
going, and nothing the platform acknowledged is lost or stored twice.

The platform runs as separate processes (`LocalPlatform`, as `make run` starts it). The load generator
(`witaj.devkit.load`) retries what failed on a connection error as a client would, and records what was
acknowledged; afterwards each service's database and the stats are compared with that record:
published pages, registrations, subscriptions, inbox notifications and usage counts.

Usage signals are fire-and-forget by design, so a view answered in the last moments before its service
was killed may never be counted; anything else is exact, and nothing may ever be counted twice.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from witaj.devkit.catalog import CITY, Catalog, Editor, seed
from witaj.devkit.cluster import LocalPlatform, local_platform
from witaj.devkit.infra import mongo_url
from witaj.devkit.ledger import Ledger
from witaj.devkit.load import API_MIX, Load
from witaj.devkit.testing import wait_until
from witaj.events.registrations import token_hash
from witaj.shared.devtokens import DevSigningKey
from witaj.stats.rollups import RollupStore

SERVICES = ("CONTENT", "EVENTS", "NOTIFY", "STATS")
ENV = {
    **{f"WITAJ_{s}_SERVICE__RATE_LIMITS": "false" for s in SERVICES},
    # Quick group re-joins after a kill (see the infrastructure notes), and a fan-out job left by a
    # killed notify is taken over after 5 s instead of 30.
    **{f"WITAJ_{s}_KAFKA__SESSION_TIMEOUT_MS": "6000" for s in SERVICES},
    **{f"WITAJ_{s}_KAFKA__HEARTBEAT_INTERVAL_MS": "1000" for s in SERVICES},
    **{f"WITAJ_{s}_KAFKA__FETCH_MAX_WAIT_MS": "50" for s in SERVICES},
    "WITAJ_NOTIFY_NOTIFY__FANOUT_LEASE_SECONDS": "5",
    "WITAJ_NOTIFY_NOTIFY__FANOUT_BATCH_SIZE": "20",
}
FAN_OUT = 400
"""Subscribers of the page the notify service is killed in the middle of announcing."""
AT_RISK = 5.0
"""Seconds before a kill in which an answered read's usage signal may still be lost with its process."""
IN_FLIGHT = 1.0
"""Seconds after a killed process is gone in which an answer it sent may still reach the load (its
usage signal died with it); a restarted process takes longer than this to answer anything."""

pytestmark = pytest.mark.timeout(240)


@dataclass
class World:
    platform: LocalPlatform
    urls: dict[str, str]
    catalog: Catalog
    editor_token: str
    db: AsyncMongoClient[dict[str, Any]]
    ledger: Ledger = field(default_factory=Ledger)
    kills: dict[str, float] = field(default_factory=dict)
    extra_subscribers: set[str] = field(default_factory=set)

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.tail(15)}" for n, p in self.platform.processes.items())


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    with local_platform(extra_env=ENV, log_dir=tmp_path_factory.mktemp("platform")) as running:
        yield running


@pytest.fixture(scope="module")
async def world(platform: LocalPlatform) -> AsyncIterator[World]:
    urls = {name: platform.url(name) for name in platform.plan.ports}
    token = DevSigningKey.load_or_create(platform.plan.dev_key_path).mint(
        roles=["city_admin"], city=CITY, subject="fault-test-editor"
    )
    async with httpx.AsyncClient(timeout=30) as client:
        catalog = await seed(Editor(client, urls["content"], urls["events"], token), pages=8, events=5)
    db: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_url(platform.plan.mongo_port), tz_aware=True
    )
    yield World(platform, urls, catalog, token, db)
    await db.close()


WRITES = {"content": ("editor: create", "editor: status"), "events": ("register",), "notify": ("subscribe",)}
"""Routes whose requests a kill of each service should cut off mid-way, to exercise the client's retries."""


async def kill(world: World, name: str) -> None:
    await asyncio.to_thread(world.platform.processes[name].kill)
    # When it is gone (the kill waits for that): until then it may still answer, as CI once saw.
    world.kills[name] = time.monotonic()


async def kill_and_restart(world: World, name: str, load: Load) -> None:
    """`kill -9` one process at a moment a write to it is in flight, if one comes soon; restart it."""
    if name in WRITES:
        try:
            await wait_until(
                lambda: any(load.in_flight[route] for route in WRITES[name]),
                timeout=10, interval=0.001, message=f"a write to {name} in flight",
            )  # fmt: skip
        except AssertionError:
            pass  # kill it anyway: the load goes on around the kill either way
    await kill(world, name)
    await asyncio.to_thread(world.platform.restart, name)


async def keep_going(world: World, load: Load) -> None:
    """Let the users get 80 more answers and the editor publish two more pages."""
    answered, published = load.answered(), len(world.ledger.published)
    await wait_until(
        lambda: load.answered() > answered + 80 and len(world.ledger.published) > published + 1,
        timeout=60, interval=0.1, message="the load to go on",
    )  # fmt: skip


async def test_killing_each_service_under_load_loses_and_repeats_nothing(world: World) -> None:
    load = Load(
        world.urls, world.catalog, users=16, duration=600, think=0.4, retry_for=90,
        editor_token=world.editor_token, publish_every=0.7, ledger=world.ledger, mix=API_MIX,
    )  # fmt: skip
    running = asyncio.create_task(load.run())
    for name in ("content", "events", "notify", "stats-processor"):
        await keep_going(world, load)
        await kill_and_restart(world, name, load)
    await keep_going(world, load)
    load.stop()
    report = await running
    ledger = world.ledger
    assert report.error_count == 0, f"{report.errors}\n{world.logs()}"
    assert ledger.retried, "no request met a killed service: the kills missed the load"
    print(f"answered {load.answered()}, retried {dict(ledger.retried)}, unanswered {dict(ledger.unanswered)}")
    print(f"of those found done {dict(ledger.reconciled)}, sent again blindly {dict(ledger.ambiguous)}")

    stored = Stored(world)
    await wait_until(stored.notifications_done, timeout=60, interval=0.5, message="every fan-out to finish")
    await stored.check_pages()
    await stored.check_registrations()
    await stored.check_subscriptions()
    await stored.check_notifications()
    await stored.check_stats()


async def test_notify_killed_in_the_middle_of_a_fan_out_delivers_and_counts_each_message_once(
    world: World,
) -> None:
    notify, content = world.urls["notify"], world.urls["content"]
    async with httpx.AsyncClient(timeout=30) as client:
        gate = asyncio.Semaphore(12)

        async def subscribe(n: int) -> str:
            body = {"city": CITY, "topics": ["family"], "language": ("uk", "ar", "en")[n % 3]}
            async with gate:
                response = await client.post(f"{notify}/subscriptions", json=body)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        world.extra_subscribers |= set(await asyncio.gather(*(subscribe(n) for n in range(FAN_OUT))))
        editor = Editor(client, content, world.urls["events"], world.editor_token)
        item = await editor.create_page(editor.page_body(random.Random(3), "Rodzina: zasiłki", ["family"]))
        await editor.publish(item)

    stored = Stored(world)
    job = await wait_until(
        lambda: stored.notify["fanout_jobs"].find_one({"path": {"$regex": f"/{item}$"}}),
        timeout=30, interval=0.02, message="the fan-out job",
    )  # fmt: skip
    deliveries = stored.notify["deliveries"]
    await wait_until(
        lambda: deliveries.count_documents({"source_event": job["_id"]}),
        timeout=30, interval=0.01, message="the first deliveries",
    )  # fmt: skip
    await kill(world, "notify")
    job = await stored.notify["fanout_jobs"].find_one({"_id": job["_id"]})
    assert job["state"] != "done", "the fan-out finished before the kill: nothing was tested"
    await asyncio.to_thread(world.platform.restart, "notify")

    await wait_until(
        lambda: stored.notify["fanout_jobs"].find_one({"_id": job["_id"], "state": "done"}),
        timeout=60, interval=0.2, message="the fan-out to finish after the restart",
    )  # fmt: skip
    received = Counter([d["subscriber"] async for d in deliveries.find({"source_event": job["_id"]})])
    everyone = {s for s, sub in world.ledger.subscriptions.items() if not sub.topics}  # all topics
    wanted = world.extra_subscribers | everyone
    assert {s: received[s] for s in wanted} == dict.fromkeys(wanted, 1)
    await stored.check_stats()


class Stored:
    """What the services stored, from their databases and public APIs, against the generator's ledger."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ledger = world.ledger
        self.content = world.db["witaj_content"]
        self.events = world.db["witaj_events"]
        self.notify = world.db["witaj_notify"]
        self.rollups = RollupStore(world.db, world.db["witaj_stats"])

    async def jobs(self) -> dict[str, list[dict[str, Any]]]:
        """Fan-out jobs of the content.published events of each published page."""
        found: dict[str, list[dict[str, Any]]] = {item: [] for item in self.ledger.published}
        async for job in self.notify["fanout_jobs"].find({"kind": "content.published"}):
            item = str(job.get("path") or "").rsplit("/", 1)[-1]
            if item in found:
                found[item].append(job)
        return found

    async def notifications_done(self) -> bool:
        jobs = await self.jobs()
        return all(js and all(j["state"] == "done" for j in js) for js in jobs.values())

    async def check_pages(self) -> None:
        """Each acknowledged page is published once, readable once, and no retry made a second draft."""
        listed: Counter[str] = Counter()
        offset: int | None = 0
        async with httpx.AsyncClient(base_url=self.world.urls["content"], timeout=30) as client:
            while offset is not None:
                page = (
                    await client.get(f"/cities/{CITY}/pages", params={"limit": 100, "offset": offset})
                ).json()
                listed.update(row["id"] for row in page["items"])
                offset = page["next_offset"]
        wanted = set(self.ledger.published) | set(self.world.catalog.pages)
        assert {item: listed[item] for item in wanted} == dict.fromkeys(wanted, 1)
        references: Counter[str] = Counter()
        async for doc in self.content["items"].find({"content.title": {"$regex": r"\[[0-9a-f]{12}\]$"}}):
            references[doc["content"]["title"].rsplit("[", 1)[-1]] += 1
            assert doc["_id"] in self.ledger.published, f"a page nobody was told about: {doc['_id']}"
        assert set(references.values()) == {1}, "a retried request created a page twice"

    async def check_registrations(self) -> None:
        """Each acknowledged registration is stored once, none other, and places add up per slot."""
        hashes = [token_hash(t) for t in self.ledger.registration_tokens]
        stored = [d["_id"] async for d in self.events["registrations"].find({"token_hash": {"$in": hashes}})]
        assert Counter(stored) == Counter(list(self.ledger.registrations))
        confirmed: Counter[str] = Counter()
        waiting: Counter[str] = Counter()
        async for reg in self.events["registrations"].find({"event_id": {"$in": self.world.catalog.events}}):
            (confirmed if reg["status"] == "confirmed" else waiting)[reg["slot"]] += 1
        async for slot in self.events["slots"].find({"event_id": {"$in": self.world.catalog.events}}):
            assert slot["confirmed"] == confirmed[slot["_id"]], slot
            if slot["capacity"] is not None:
                assert slot["remaining"] == slot["capacity"] - slot["confirmed"], slot
                assert slot["remaining"] == 0 or not waiting[slot["_id"]], (
                    slot,
                    "waitlisted beside a free place",
                )

    async def subscriber_ids(self) -> set[str]:
        docs = self.notify["subscriptions"].find({"_id": {"$not": {"$regex": "^sdemo"}}}, {"_id": 1})
        return {d["_id"] async for d in docs} - self.world.extra_subscribers

    async def check_subscriptions(self) -> None:
        """Every acknowledged subscription is stored; at most the ambiguous retries left one more each."""
        stored = await self.subscriber_ids()
        assert set(self.ledger.subscriptions) <= stored
        assert len(stored - set(self.ledger.subscriptions)) <= self.ledger.ambiguous["subscribe"]

    async def check_notifications(self) -> None:
        """One inbox message per page and matching subscriber: certain for subscribers acknowledged before
        the page was published, possible for later ones, never two."""
        jobs = await self.jobs()
        assert {item: len(js) for item, js in jobs.items()} == dict.fromkeys(jobs, 1), (
            "a page was announced twice"
        )
        source = {js[0]["_id"]: item for item, js in jobs.items()}
        received: Counter[tuple[str, str]] = Counter()
        async for d in self.notify["deliveries"].find(
            {"source_event": {"$in": list(source)}, "channel": "inbox"}
        ):
            received[(source[d["source_event"]], d["subscriber"])] += 1
        assert set(received.values()) <= {1}
        for item, page in self.ledger.published.items():
            for subscriber, sub in self.ledger.subscriptions.items():
                matches = not sub.topics or bool(set(sub.topics) & set(page.topics))
                if not matches:
                    assert received[(item, subscriber)] == 0, (item, subscriber)
                elif sub.acked_at < page.sent_at:
                    assert received[(item, subscriber)] == 1, (item, subscriber, "lost")

    async def counted(self, metric: str, dimension: str = "total", value: str = "") -> int:
        return await self.rollups.counted(metric, dimension, value, city=CITY)

    def bounds(self, answered: list[float], service: str) -> tuple[int, int]:
        """(fewest, most) counts for reads answered at these times, given when `service` was killed."""
        killed = self.world.kills.get(service)
        lost = 0 if killed is None else sum(killed - AT_RISK <= t <= killed + IN_FLIGHT for t in answered)
        return len(answered) - lost, len(answered)

    async def check_stats(self) -> None:
        """Registrations and notifications are counted exactly; usage within its at-risk bounds."""
        registrations: Counter[str] = Counter()
        async for d in self.events["registrations"].find({"event_id": {"$in": self.world.catalog.events}}):
            registrations[d["event_id"]] += 1
        delivered = await self.notify["deliveries"].count_documents({"channel": "inbox", "city": CITY})
        answered = {("page_views", "item", item): self.ledger.views.get(item, [])
                    for item in self.world.catalog.pages}  # fmt: skip
        answered |= {("event_views", "event", e): self.ledger.event_views.get(e, [])
                     for e in self.world.catalog.events}  # fmt: skip
        answered[("searches", "total", "")] = self.ledger.searches
        usage = {key: self.bounds(times, "events" if key[0] == "event_views" else "content")
                 for key, times in answered.items()}  # fmt: skip

        async def figures() -> dict[Any, int]:
            found = {
                ("registrations", e): await self.counted("registrations", "event", e) for e in registrations
            }
            found["notifications_delivered"] = await self.counted("notifications_delivered")
            for key in usage:
                found[key] = await self.counted(*key)
            return found

        expected = {("registrations", e): n for e, n in registrations.items()}
        expected["notifications_delivered"] = delivered

        async def settled() -> bool:
            now = await figures()
            exact = all(now[k] == v for k, v in expected.items())
            return exact and all(low <= now[k] for k, (low, _) in usage.items())

        try:
            await wait_until(settled, timeout=90, interval=0.5, message="the stats to catch up")
        except AssertionError:
            pass  # the comparison below says what differs
        now = await figures()
        assert {k: now[k] for k in expected} == expected
        for key, (low, high) in usage.items():
            assert low <= now[key] <= high, (
                f"{key}: {now[key]} not in {(low, high)}; {self.timeline(answered[key])}"
            )

    def timeline(self, answered: list[float]) -> str:
        """When the reads were answered and each process was killed, in seconds from the first read."""
        start = min([*answered, *self.world.kills.values()], default=0.0)
        kills = {name: round(t - start, 1) for name, t in self.world.kills.items()}
        return f"answered at {[round(t - start, 1) for t in answered]}, killed at {kills}"
