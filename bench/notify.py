"""Notify benchmarks: fan-out of one item to many inboxes, and publish-to-live-stream latency.

- Fan-out: one ContentPublished for `housing` reaches 100,000 matching subscribers (mixed languages,
  some on that topic, some on every topic; a tenth more subscribers do not match). Timed from the event
  being on the broker until the job records itself done, so consuming, matching, rendering, the inbox
  writes, the NotificationDelivered events and the job's cursor all count. Baseline in the same run and
  database: `insert_many` of the very same inbox documents, same batch size, into a collection with the
  inbox's indexes.
- Live stream: a client holds the real HTTP Server-Sent Events endpoint open (uvicorn on a socket);
  each sample publishes one matching item and waits for its message on the stream. Baseline: the raw
  produce-to-consume latency of an event on the same broker.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from witaj.devkit.testing import live_server, wait_until
from witaj.notify.access import token_hash
from witaj.notify.mailbox import delivery_key
from witaj.notify.main import create_app
from witaj.notify.matching import match_keys
from witaj.notify.settings import NotifyOptions, NotifySettings
from witaj.notify.templates import RenderCache
from witaj.shared.envelope import Envelope, registry, wrap
from witaj.shared.events import CityConfig, CityConfigured, ContentKind, ContentPublished
from witaj.shared.kafka import EventPublisher, ensure_topics
from witaj.shared.topics import CITY_CONFIG, CONTENT_ITEMS

from bench.env import BenchEnv, raw_latency
from bench.results import Result, percentile

CITY = CityConfig(
    id="lublin", name="Lublin", country="PL", timezone="Europe/Warsaw", default_language="pl",
    languages=["pl", "en", "uk", "ru", "ar"], fallbacks={"*": ["en", "pl"]},
)  # fmt: skip
LANGUAGES = ("uk", "pl", "en", "ar", "ru")
TITLES = {"pl": "Mieszkanie", "en": "Housing", "uk": "Житло", "ar": "السكن", "ru": "Жильё"}
BATCH = 1000


def _subscriber(i: int, topics: list[str]) -> dict[str, Any]:
    return {
        "_id": f"s{i:032x}", "city": "lublin", "owner": {"kind": "device", "token_hash": token_hash(f"t{i}")},
        "active": True, "topics": topics, "event_kinds": [], "target_groups": [],
        "language": LANGUAGES[i % len(LANGUAGES)], "fallbacks": [], "channels": ["inbox"], "email": None,
        "webhook_url": None, "webhook_secret": None, "timezone": "Europe/Warsaw", "quiet_hours": None,
        "mode": "immediate", "digest_hour": 8, "match_keys": match_keys("lublin", topics),
        "created_at": datetime.now(UTC),
    }  # fmt: skip


def _item(n: int, topic: str = "housing") -> Envelope[Any]:
    data = ContentPublished(
        kind=ContentKind.PAGE, item_id=f"page-{n}", revision=1, topics=[topic], titles=TITLES,
        path=f"/pages/page-{n}",
    )  # fmt: skip
    return wrap(data, source="witaj/content", city="lublin", subject=f"page-{n}")


def _inbox_docs(event: Envelope[Any], subscribers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inbox documents the fan-out writes for `event`, built the same way, for the baseline."""
    cache = RenderCache(event.type, CITY, TITLES, link=f"/pages/{event.subject}", when=None)
    now = datetime.now(UTC)
    docs = []
    for sub in subscribers:
        rendered = cache.get(sub["language"], sub["fallbacks"])
        docs.append({
            "_id": delivery_key(str(event.id), sub["_id"], "inbox"), "subscriber": sub["_id"],
            "city": "lublin", "channel": "inbox", "source_event": str(event.id), "source_type": event.type,
            "topics": ["housing"], "language": rendered.language, "rtl": rendered.rtl, "title": rendered.title,
            "body": rendered.body, "link": rendered.link, "created_at": now, "status": "delivered",
            "read_at": None,
        })  # fmt: skip
    return docs


async def run(env: BenchEnv) -> list[Result]:
    sandbox = env.sandbox()
    settings = sandbox.settings(NotifySettings, notify=NotifyOptions(fanout_batch_size=BATCH))
    # The notify service runs no faust tables, so it needs no one-record producer batches (see INFRA).
    settings.kafka = settings.kafka.model_copy(update={"producer_max_batch_size": None})
    app = create_app(settings)
    async with EventPublisher(settings.kafka) as publisher, live_server(app) as url:
        await _configure_city(publisher, app.state.runtime)
        live = await _live_stream(env, settings, publisher, url)  # first: its items reach only its client
        return [await _fanout(env, app.state.runtime.db, publisher), *live]


async def _configure_city(publisher: EventPublisher, runtime: Any) -> None:
    event = wrap(CityConfigured(config=CITY, revision=1), source="bench", city=CITY.id, subject=CITY.id)
    await publisher.publish(CITY_CONFIG, event, key=CITY.id.encode())
    await wait_until(lambda: runtime.cities.get("lublin"), timeout=30, message="city configured")


async def _fanout(env: BenchEnv, db: Any, publisher: EventPublisher) -> Result:
    total = env.size(100_000, 5_000)
    matching = [_subscriber(i, ["housing"] if i % 4 else []) for i in range(total)]
    others = [_subscriber(total + i, ["work"]) for i in range(total // 10)]
    subscribers = matching + others
    for start in range(0, len(subscribers), BATCH):
        await db["subscriptions"].insert_many(subscribers[start : start + BATCH], ordered=False)

    event = _item(0)
    baseline = db["bench_inbox_baseline"]
    for index in await (await db["deliveries"].list_indexes()).to_list():
        if index["name"] != "_id_":
            options = {k: v for k, v in index.items() if k not in ("v", "key", "ns")}
            await baseline.create_index(list(index["key"].items()), **options)
    docs = _inbox_docs(event, matching)
    began = time.perf_counter()
    for start in range(0, total, BATCH):
        await baseline.insert_many(docs[start : start + BATCH], ordered=False)
    inserts = total / (time.perf_counter() - began)
    await baseline.drop()

    sent = datetime.now(UTC)
    await publisher.publish(CONTENT_ITEMS, event)
    job = await wait_until(
        lambda: db["fanout_jobs"].find_one({"_id": str(event.id), "state": "done"}),
        timeout=3600,
        interval=0.2,
        message="the fan-out job done",
    )
    delivered = await db["deliveries"].count_documents({"source_event": str(event.id)})
    assert delivered == total, (delivered, total)
    stored = await db["deliveries"].find_one({"_id": docs[-1]["_id"]}, {"created_at": 0})
    assert stored == {k: v for k, v in docs[-1].items() if k != "created_at"}, "the baseline writes the same"
    rate = total / (job["done_at"] - sent).total_seconds()
    return Result(
        "notify fan-out to inboxes", rate, "deliveries/s", baseline=inserts, goal=0.5,
        note=f"one item to {total} matching of {len(subscribers)} subscribers, publish to job done; "
        f"baseline: insert_many of the same inbox documents, batches of {BATCH}, same database",
    )  # fmt: skip


async def _live_stream(
    env: BenchEnv, settings: NotifySettings, publisher: EventPublisher, url: str
) -> list[Result]:
    samples = env.size(30, 5)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        created = await client.post("/subscriptions", json={"city": "lublin", "topics": ["health"]})
        assert created.status_code == 201, created.text
        sub = created.json()
        headers = {"X-Subscriber-Token": sub["token"], "Accept": "text/event-stream"}
        latencies = []
        async with client.stream("GET", f"/subscriptions/{sub['id']}/stream", headers=headers) as stream:
            assert stream.status_code == 200, await stream.aread()
            lines = stream.aiter_lines()
            for n in range(samples):
                event = _item(1000 + n, "health")
                began = time.perf_counter()
                await publisher.publish(CONTENT_ITEMS, event)
                await _next_message(lines, str(event.id))
                latencies.append(time.perf_counter() - began)
    await ensure_topics(settings.kafka, ["bench.latency"], with_dead_letters=False)
    raw = await raw_latency(settings.kafka, publisher, samples, lambda n: registry.encode(_item(n)))
    note = f"{samples} items, each to the one subscriber connected over HTTP (SSE); baseline: raw produce->consume"
    return [
        Result(f"notify publish -> live stream p{p}", percentile(latencies, p), "s",
               baseline=percentile(raw, p), note=f"{note} p{p}, same broker")
        for p in (50, 95)
    ]  # fmt: skip


async def _next_message(lines: Any, source_event: str) -> dict[str, Any]:
    """Read the stream until the message about `source_event` arrives."""
    async for line in lines:
        if line.startswith("data: "):
            message = json.loads(line[6:])
            if message["id"].startswith(source_event):
                return message  # type: ignore[no-any-return]
    raise AssertionError("the stream ended")
