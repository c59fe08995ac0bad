"""What a benchmark gets: the embedded broker and database, and a sandbox per benchmark."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from witaj.devkit.sandbox import Sandbox
from witaj.shared.kafka import EventPublisher
from witaj.shared.settings import KafkaSettings


@dataclass(frozen=True)
class BenchEnv:
    kafka_bootstrap: str
    mongo_url: str
    dev_key_path: Path
    quick: bool = False
    """Smaller sizes, for a smoke run inside the test suite."""

    def sandbox(self) -> Sandbox:
        return Sandbox(self.kafka_bootstrap, self.mongo_url, self.dev_key_path, rate_limits=False)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def platform_logs(area: str) -> Path | None:
    """Where an area that starts a platform of its own keeps its processes' logs: under
    `WITAJ_BENCH_LOGS`, when set, so a stall or an error in a run can be read afterwards (a directory per
    area and run: the platform keeps state there too); otherwise in a temporary directory removed with
    the platform."""
    root = os.environ.get("WITAJ_BENCH_LOGS")
    if not root:
        return None
    path = Path(root) / f"{area}-{time.strftime('%Y%m%dT%H%M%S')}"
    path.mkdir(parents=True)
    return path


async def raw_latency(
    kafka: KafkaSettings, publisher: EventPublisher, samples: int, message: Callable[[int], bytes]
) -> list[float]:
    """Seconds from producing each message on `bench.latency` until a plain consumer has it: the
    baseline of latency figures, on the same broker with the same settings (create the topic first)."""
    topic = "bench.latency"
    consumer = AIOKafkaConsumer(
        kafka.topics(topic),
        bootstrap_servers=kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    out = []
    try:
        for i in range(samples):
            sent = time.perf_counter()
            await publisher.send_raw(topic, message(i))
            while not await consumer.getmany(timeout_ms=100):
                pass
            out.append(time.perf_counter() - sent)
    finally:
        await consumer.stop()
    return out
