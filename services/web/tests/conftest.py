"""The real platform for the web app's tests, started once per session.

The four services run over real HTTP on the session's broker and database with the demo city seeded, and
the web app is served over real HTTP on top of them (for httpx and for the browser). Tests stay apart by
posing as different readers: each gets its own address (`X-Forwarded-For`, trusted from the loopback as
behind a real proxy), so the services' per-reader rate limits never mix tests up.

Browser tests drive Debian's Chromium (`/usr/bin/chromium`, which `make test` installs) through
pytest-playwright at a 360x640 phone viewport; Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserType, Playwright, sync_playwright
from witaj.devkit.sandbox import Sandbox
from witaj.devkit.testing import LiveServer, running_platform
from witaj.shared.settings import Environment, ServiceSettings
from witaj.web.main import create_app

sys.path.insert(0, str(Path(__file__).parent))  # importlib import mode: make web_helpers importable

from web_helpers import CHROMIUM, PHONE, reader_address, web_settings


@pytest.fixture(scope="session")
def platform(kafka_bootstrap: str, mongo_server_url: str, dev_key_path: Path) -> Iterator[dict[str, str]]:
    sandbox = Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=f"web{uuid.uuid4().hex[:6]}")
    service = ServiceSettings(
        environment=Environment.TEST, log_format="console", log_level="WARNING", seed_demo=True
    )
    with running_platform(sandbox, service) as urls:
        yield urls


@pytest.fixture(scope="session")
def web_url(platform: dict[str, str]) -> Iterator[str]:
    """The web app over real HTTP, on the session's platform."""
    with LiveServer(create_app(web_settings(platform))) as url:
        yield url


@pytest.fixture
async def web(web_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client posing as one new reader (its own address, no cookies yet)."""
    async with httpx.AsyncClient(
        base_url=web_url, headers={"X-Forwarded-For": reader_address()}, timeout=20
    ) as client:
        yield client


# ------------------------------------------------------------------------------------------- browser
# Playwright's synchronous API keeps its own event loop marked as running in the test thread for as long
# as it is started. pytest-playwright starts it once per session, which would leave every async test run
# after the first browser test unable to start (the whole suite shares one thread). Here it lives for one
# module at a time, so async tests before and after the browser modules run as usual.


@pytest.fixture(scope="module")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="module")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**options: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **options})

    return launch


@pytest.fixture(scope="module")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    started = launch_browser()
    yield started
    started.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="module")
def browser_context_args() -> dict[str, Any]:
    """Every page opens on a phone: 360x640, touch."""
    return {"viewport": PHONE, "has_touch": True, "is_mobile": True}
