"""The real platform for the web app's tests, started once per session.

The four services run over real HTTP on the session's broker and database with the demo city seeded, and
the web app is served over real HTTP on top of them (for httpx and for the browser). Tests stay apart by
posing as different readers: each gets its own address (`X-Forwarded-For`, trusted from the loopback as
behind a real proxy), so the services' per-reader rate limits never mix tests up.

Staff sign in to the back office through a real OpenID Connect provider the session starts
(`witaj.devkit.oidc.IdentityProvider`), and the services trust its keys and issuer as they trust
Keycloak's; `auth_header` here gives tokens that provider issued (through the code flow), so every
test's bearer token is one the platform accepts.

Browser tests drive Debian's Chromium (`/usr/bin/chromium`, which `make test` installs) through
pytest-playwright at a 360x640 phone viewport; Playwright's own browser download is never used.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserType, Page, Playwright, sync_playwright
from witaj.devkit.oidc import IdentityProvider
from witaj.devkit.sandbox import Sandbox
from witaj.devkit.testing import LiveServer, running_platform, wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import ContentKind, PageViewed
from witaj.shared.kafka import EventPublisher
from witaj.shared.mongo import create_client, database
from witaj.shared.outbound import OutboundSettings
from witaj.shared.settings import Environment, MongoSettings, ServiceSettings
from witaj.shared.topics import USAGE
from witaj.stats.processor import environment as processor_environment
from witaj.stats.settings import ProcessorSettings, StatsSettings
from witaj.web.main import create_app
from witaj.web.office.settings import OfficeSettings

sys.path.insert(0, str(Path(__file__).parent))  # importlib import mode: make web_helpers importable

from web_helpers import CHROMIUM, PHONE, reader_address, web_settings


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    """The OpenID Connect provider staff sign in with (and whose tokens the services trust)."""
    with IdentityProvider() as provider:
        yield provider


@pytest.fixture(scope="session")
def sessions_db(mongo_server_url: str) -> MongoSettings:
    """The web app's own database (back-office sessions), on the session's database server."""
    return MongoSettings(url=mongo_server_url, database=f"t_web{uuid.uuid4().hex[:6]}_sessions")


@pytest.fixture(scope="session")
def web_sandbox(kafka_bootstrap: str, mongo_server_url: str, dev_key_path: Path) -> Sandbox:
    """The session's platform's topics and databases (the insights' tests also start its stats processor)."""
    return Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=f"web{uuid.uuid4().hex[:6]}")


PLATFORM_SERVICE = ServiceSettings(environment=Environment.TEST, log_format="console", log_level="WARNING")
PLATFORM_EXTRA = {"events": {"outbound": OutboundSettings(allow_loopback=True)}}
"""The events service may fetch calendars from 127.0.0.1, where the tests serve them."""


@pytest.fixture(scope="session")
def platform(web_sandbox: Sandbox, identity_provider: IdentityProvider) -> Iterator[dict[str, str]]:
    with running_platform(
        web_sandbox, PLATFORM_SERVICE, identity_provider.auth_settings(), PLATFORM_EXTRA
    ) as urls:
        yield urls


@pytest.fixture(scope="session")
def stats_processor(
    platform: dict[str, str], web_sandbox: Sandbox, identity_provider: IdentityProvider, tmp_path_factory: Any
) -> Iterator[StatsSettings]:
    """The stats stream processor on the session's platform, as `make run` starts it (its own process);
    yields the stats settings it shares with the platform's stats API."""
    settings = web_sandbox.settings(
        StatsSettings, service=PLATFORM_SERVICE, auth=identity_provider.auth_settings(),
        # Its timer releases a settled day as soon as it has counts of people, and tests back-date their
        # occurrences to settled days: the timer could release a day with half its registrations counted.
        # Pages release the days they read themselves (the stats API does so on reading).
        processor=ProcessorSettings(release_interval=3600),
    )  # fmt: skip
    log = (tmp_path_factory.mktemp("stats") / "processor.log").open("ab")
    env = processor_environment(settings, dict(os.environ))
    env["WITAJ_STATS_SERVICE__LOG_LEVEL"] = "INFO"  # its start-up lines say where it got to, if it fails
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "witaj.stats.processor"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        asyncio.run(_processor_ready(settings))
        yield settings
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def office_settings(identity_provider: IdentityProvider) -> OfficeSettings:
    return OfficeSettings(
        issuer=identity_provider.url, client_id=identity_provider.client_id,
        client_secret=identity_provider.client_secret,
    )  # fmt: skip


@pytest.fixture(scope="session")
def web_url(
    platform: dict[str, str], sessions_db: MongoSettings, office_settings: OfficeSettings
) -> Iterator[str]:
    """The web app over real HTTP, on the session's platform, its staff signing in with the provider."""
    with LiveServer(create_app(web_settings(platform, mongo=sessions_db, office=office_settings))) as url:
        yield url


@pytest.fixture(scope="session")
def auth_header(identity_provider: IdentityProvider) -> Callable[..., dict[str, str]]:
    """A bearer header for a person with these roles, from the provider the platform trusts."""

    def make(
        *roles: str, city: str | None = None, org: str | None = None, sub: str | None = None
    ) -> dict[str, str]:
        subject = sub or f"api-{uuid.uuid4().hex[:8]}"
        identity_provider.add_user(subject, roles=list(roles), city=city, organisation=org)
        return {"Authorization": f"Bearer {identity_provider.token(subject)['access_token']}"}

    return make


@pytest.fixture
async def web(web_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client posing as one new reader (its own address, no cookies yet)."""
    async with httpx.AsyncClient(
        base_url=web_url, headers={"X-Forwarded-For": reader_address()}, timeout=20
    ) as client:
        yield client


async def _processor_ready(settings: StatsSettings) -> None:
    """Wait until the processor counts what arrives (faust started, partitions assigned, backlog read):
    a page view in a city of its own, so no page of a real city shows it."""
    probe = wrap(
        PageViewed(kind=ContentKind.PAGE, item_id="probe", language="en"),
        source="witaj/test", city="processor-probe", subject="probe",
    )  # fmt: skip
    async with EventPublisher(settings.kafka) as publisher:
        await publisher.publish(USAGE, probe, key=b"processor-probe")
    client = create_client(settings.mongo)
    rollups = database(client, settings.mongo)["rollup_tables"]
    try:
        await wait_until(
            lambda: rollups.find_one({"city": "processor-probe"}), timeout=300, message="the stats processor"
        )
    finally:
        await client.close()


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


@pytest.fixture(params=["script", "no-script"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A phone with JavaScript on, and one with it off; each a different reader to the rate limits."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=request.param == "script"
    )
    context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    """A phone whose browser runs no JavaScript at all."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=False)
    yield context.new_page()
    context.close()
