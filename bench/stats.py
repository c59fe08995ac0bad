"""Stats processor benchmarks: throughput against a raw consumer, and freshness from produce to the API.

Throughput: 200,000 usage events on one topic; a raw aiokafka consumer reads them all (the baseline),
then the real `witaj-stats-processor` process counts them (rate measured from its first counted batch to
its last, so start-up and group join are left out). Freshness: single page views produced one by one
while the processor runs; each is timed until the API's top list shows it. Baseline: the raw
produce-to-consume latency of the same kind of message on the same broker.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from witaj.devkit.testing import serve, wait_until
from witaj.shared.envelope import registry, wrap
from witaj.shared.events import ContentKind, PageViewed
from witaj.shared.kafka import EventPublisher, ensure_topics
from witaj.shared.mongo import create_client, database
from witaj.shared.topics import STATS_INDICATORS, STATS_ROLLUPS, USAGE
from witaj.stats.main import create_app
from witaj.stats.processor import SOURCE_TOPICS, environment
from witaj.stats.rollups import RollupStore
from witaj.stats.settings import ProcessorSettings, StatsSettings

from bench.env import BenchEnv, raw_latency
from bench.results import Result, percentile

LANGUAGES = ("uk", "ar", "en", "ru", "pl")


def _view(i: int, city: str = "bench", item: str | None = None) -> bytes:
    data = PageViewed(
        kind=ContentKind.PAGE, item_id=item or f"item-{i % 500}", language=LANGUAGES[i % 5], topics=["work"]
    )
    return registry.encode(wrap(data, source="witaj/bench", city=city, subject=f"s{i % 97}"))


async def _raw_rate(settings: StatsSettings, total: int) -> float:
    consumer = AIOKafkaConsumer(
        settings.kafka.topics(USAGE),
        bootstrap_servers=settings.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    seen, first, started = 0, 0, None
    opened = time.perf_counter()
    try:
        while seen < total:
            batch = await consumer.getmany(timeout_ms=500, max_records=10_000)
            count = sum(len(b) for b in batch.values())
            if count and started is None:
                # Timed like the processor: from the first batch on, that batch itself not counted.
                started, first = time.perf_counter(), count
            seen += count
    finally:
        await consumer.stop()
    if seen > first and started is not None:
        return (seen - first) / (time.perf_counter() - started)
    return seen / (time.perf_counter() - opened)  # everything came in one fetch (quick runs)


async def _counted(store: RollupStore, city: str) -> int:
    return await store.counted("page_views", city=city)


async def _processor_rate(store: RollupStore, total: int) -> float:
    first = await wait_until(lambda: _counted(store, "bench"), timeout=120, interval=0.05, message="a count")
    started = time.perf_counter()

    async def done() -> int:
        now = await _counted(store, "bench")
        return now if now >= total else 0

    now = await wait_until(done, timeout=1800, interval=0.1, message="every event counted")
    return (now - first) / (time.perf_counter() - started)


async def _freshness(
    settings: StatsSettings, publisher: EventPublisher, samples: int, token: str
) -> list[float]:
    """Seconds from producing a view of a new item until the API's top list names that item."""
    out = []
    async with serve(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as client:
        for i in range(samples):
            item = f"fresh-{i}"
            sent = time.perf_counter()
            await publisher.send_raw(USAGE, _view(i, city="fresh", item=item))
            params = {
                "metric": "page_views",
                "dimension": "item",
                "limit": 100,
                "start": datetime.now(UTC).date().isoformat(),
            }
            while True:
                body = (await client.get("/cities/fresh/top", params=params)).json()
                if any(c["value"] == item for c in body["cells"]):
                    break
                await asyncio.sleep(0.01)
            out.append(time.perf_counter() - sent)
    return out


async def run(env: BenchEnv) -> list[Result]:
    from witaj.shared.devtokens import DevSigningKey

    sandbox = env.sandbox()
    settings = sandbox.settings(
        # The shipped batch size; quick runs use small ones, so even their few events take several batches.
        StatsSettings,
        processor=ProcessorSettings(batch_size=env.size(ProcessorSettings().batch_size, 1_000)),
    )
    token = DevSigningKey.load_or_create(env.dev_key_path).mint(roles=["analyst"], city="fresh")
    total = env.size(200_000, 5_000)
    await ensure_topics(settings.kafka, [*SOURCE_TOPICS, STATS_ROLLUPS, STATS_INDICATORS, "bench.latency"])
    fast = settings.kafka.model_copy(update={"producer_max_batch_size": None, "linger_ms": 20})
    async with EventPublisher(fast) as bulk:
        for start in range(0, total, 10_000):
            await bulk.send_many((USAGE, _view(i), None) for i in range(start, min(total, start + 10_000)))
    raw = await _raw_rate(settings, total)

    client = create_client(settings.mongo)
    store = RollupStore(client, database(client, settings.mongo))
    process = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, not a blocking call
        [sys.executable, "-m", "witaj.stats.processor"],
        env=environment(settings, dict(os.environ)) | {"WITAJ_STATS_SERVICE__LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        rate = await _processor_rate(store, total)
        samples = env.size(100, 10)
        async with EventPublisher(settings.kafka) as publisher:
            baseline = await raw_latency(settings.kafka, publisher, samples, _view)
            fresh = await _freshness(settings, publisher, samples, token)
    finally:
        process.terminate()
        process.wait(timeout=20)
        await client.close()
    return [
        Result(
            "stats processor throughput",
            rate,
            "events/s",
            baseline=raw,
            goal=0.25,
            note=f"{total} usage events; baseline: raw aiokafka consumer, same topic",
        ),
        Result(
            "stats freshness p95 (produce -> API)",
            percentile(fresh, 95),
            "s",
            baseline=percentile(baseline, 95),
            goal=2.0,
            goal_kind="value_at_most",
            note=f"{samples} events; baseline: raw produce->consume p95",
        ),
    ]
