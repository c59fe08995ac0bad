"""Fixtures for notify tests; the helpers they share live in `notify_helpers` beside this file."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from witaj.notify.settings import NotifySettings
from witaj.shared.kafka import EventPublisher
from witaj.shared.outbound import OutboundSettings

sys.path.insert(0, str(Path(__file__).parent))  # importlib import mode: make notify_helpers importable

from notify_helpers import make_options


@pytest.fixture
def settings(make_settings) -> NotifySettings:
    """Webhooks may target 127.0.0.1, where the tests' receivers run."""
    return make_settings(
        NotifySettings, notify=make_options(), outbound=OutboundSettings(allow_loopback=True)
    )


@pytest.fixture
async def publisher(kafka_settings) -> AsyncIterator[EventPublisher]:
    async with EventPublisher(kafka_settings) as publisher:
        yield publisher
