"""Fixtures of the stats tests: settings on the test broker and database, the processor as a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from witaj.shared.kafka import EventPublisher, ensure_topics
from witaj.shared.mongo import create_client, database
from witaj.shared.topics import STATS_INDICATORS, STATS_ROLLUPS
from witaj.stats.processor import SOURCE_TOPICS
from witaj.stats.processor import environment as processor_environment
from witaj.stats.rollups import RollupStore
from witaj.stats.settings import ProcessorSettings, StatsSettings

sys.path.insert(0, str(Path(__file__).parent))  # importlib import mode: make stats_adversary importable


@pytest.fixture
def settings(make_settings: Callable[..., StatsSettings]) -> StatsSettings:
    return make_settings(StatsSettings, processor=ProcessorSettings(batch_size=200, release_interval=0.5))


def environment(settings: StatsSettings) -> dict[str, str]:
    env = processor_environment(settings, dict(os.environ))
    env["WITAJ_STATS_SERVICE__LOG_LEVEL"] = "INFO"  # faust start-up lines help when a test fails
    return env


class ProcessorProcess:
    """`python -m witaj.stats.processor` in its own process, as the platform runs it."""

    def __init__(self, settings: StatsSettings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "witaj.stats.processor"],
            env=environment(self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def processor(settings: StatsSettings, tmp_path: Path) -> Iterator[ProcessorProcess]:
    process = ProcessorProcess(settings, tmp_path / "processor.log")
    yield process
    process.stop()


@pytest.fixture
async def store(settings: StatsSettings) -> AsyncIterator[RollupStore]:
    client = create_client(settings.mongo)
    yield RollupStore(client, database(client, settings.mongo))
    await client.close()


@pytest.fixture
async def publisher(settings: StatsSettings) -> AsyncIterator[EventPublisher]:
    await ensure_topics(settings.kafka, [*SOURCE_TOPICS, STATS_ROLLUPS, STATS_INDICATORS])
    async with EventPublisher(settings.kafka) as publisher:
        yield publisher


@pytest.fixture
async def feed(settings: StatsSettings, store: RollupStore, publisher: EventPublisher) -> Any:
    """Run batches through the processor's own batch logic in-process (fast; the faust worker itself is
    covered by the processor tests), then what the processor's timer does: release settled days of
    counts of people and publish them. Offsets keep growing so each call is new data."""
    from witaj.shared.envelope import registry
    from witaj.stats.processor import BatchProcessor

    processor = BatchProcessor(settings, store, publisher)
    await processor.start()
    offset = 0

    async def run(envelopes: list[Any], topic: str = "usage.events") -> None:
        nonlocal offset
        batch = []
        for envelope in envelopes:
            raw = envelope if isinstance(envelope, bytes) else registry.encode(envelope)
            batch.append((settings.kafka.topics(topic), 0, offset, None, raw, []))
            offset += 1
        await processor.process(await processor.read(batch))
        await processor.published()
        await processor.release()

    return run
