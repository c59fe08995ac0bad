"""Every service served over real HTTP on the session's broker and database, for fuzzing and the
authorisation matrix. The content service runs too, so the demo city reaches the others' catalogs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from witaj.ask.main import create_app as ask_app
from witaj.ask.settings import AskSettings
from witaj.content.main import create_app as content_app
from witaj.content.settings import ContentSettings
from witaj.devkit.sandbox import Sandbox
from witaj.devkit.testing import running_platform
from witaj.events.main import create_app as events_app
from witaj.events.settings import EventsSettings
from witaj.notify.main import create_app as notify_app
from witaj.notify.settings import NotifySettings
from witaj.shared.settings import Environment, ServiceSettings
from witaj.stats.main import create_app as stats_app
from witaj.stats.settings import StatsSettings

APPS: dict[str, tuple[Any, type]] = {
    "content": (content_app, ContentSettings),
    "events": (events_app, EventsSettings),
    "notify": (notify_app, NotifySettings),
    "stats": (stats_app, StatsSettings),
    "ask": (ask_app, AskSettings),
}


@pytest.fixture(scope="session")
def live_platform(
    kafka_bootstrap: str, mongo_server_url: str, dev_key_path: Path
) -> Iterator[dict[str, str]]:
    """Base URL per service; one platform for the whole session, seeded with the demo city."""
    sandbox = Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=f"live{uuid.uuid4().hex[:6]}")
    service = ServiceSettings(
        environment=Environment.TEST,
        log_format="console",
        log_level="WARNING",
        rate_limits=False,
    )
    with running_platform(sandbox, service) as urls:
        assert httpx.get(f"{urls['content']}/cities/lublin", timeout=10).status_code == 200
        yield urls
