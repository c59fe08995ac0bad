"""Fixtures for notify tests; the helpers they share live in `notify_helpers` beside this file."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from witaj.notify.settings import NotifySettings
from witaj.shared.kafka import EventPublisher

sys.path.insert(0, str(Path(__file__).parent))  # importlib import mode: make notify_helpers importable

from notify_helpers import make_options


@pytest.fixture
def settings(make_settings) -> NotifySettings:
    return make_settings(NotifySettings, notify=make_options())


@pytest.fixture
async def publisher(kafka_settings) -> AsyncIterator[EventPublisher]:
    async with EventPublisher(kafka_settings) as publisher:
        yield publisher
