"""What the web app's tests share besides fixtures (imported by name: see conftest.py)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from witaj.shared.settings import Environment
from witaj.web.settings import BackendSettings, WebServiceSettings, WebSettings

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 640}
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
_addresses = itertools.count(1)


def reader_address() -> str:
    """A different made-up reader address for each call (198.18.0.0/15 is reserved for tests; these are
    only ever written in a header, never connected to)."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


SECRET = "web-tests-secret-" + "x" * 32
"""The web app's secret in the tests, so a test can open the back office's sealed sessions itself."""


def web_settings(platform: dict[str, str], **overrides: Any) -> WebSettings:
    values: dict[str, Any] = {
        "service": WebServiceSettings(
            environment=Environment.TEST, log_format="console", log_level="WARNING"
        ),
        "content_url": platform["content"],
        "events_url": platform["events"],
        "notify_url": platform["notify"],
        "stats_url": platform["stats"],
        "ask_url": platform["ask"],
        "backend": BackendSettings(fresh_seconds=2),
        "secret_key": SECRET,
    }
    values.update(overrides)
    return WebSettings(**values)


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """A phone-size picture of the page under test-output/screenshots/, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
