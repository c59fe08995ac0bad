"""The settings the local platform (`make run`, the benchmarks, the system tests) gives its services."""

from __future__ import annotations

import pytest
from witaj.ask.settings import AskSettings
from witaj.content.settings import ContentSettings
from witaj.devkit.platform import PlatformPlan
from witaj.events.settings import EventsSettings
from witaj.notify.settings import NotifySettings
from witaj.stats.settings import StatsSettings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "kind", [ContentSettings, EventsSettings, NotifySettings, StatsSettings, AskSettings]
)
def test_services_send_whole_batches_to_the_embedded_broker(
    kind: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its in-memory storage costs per stored batch, and more the more batches a partition holds: capped
    at one record a batch, the broker's CPU grew from 0.14 to 0.7 cores within two minutes of mixed load
    at 140 requests/s and the platform stalled for seconds (docs/benchmarks.md)."""
    for name, value in PlatformPlan().environment().items():
        monkeypatch.setenv(name, value)
    kafka = kind().kafka
    assert kafka.producer_max_batch_size is None
    assert not kafka.idempotent_producer, "the embedded broker cannot"
