"""pytest fixtures: one broker and one database per test session, isolated names per test.

Loaded for the whole repository from pyproject's `addopts` (`-p witaj.devkit.pytest_plugin`). Tests stay
apart by a unique topic prefix (which also prefixes consumer groups) and a unique database name, so the
expensive servers start once and every test still sees a clean world.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from witaj.devkit.infra import LocalServer, embedded_infrastructure, mongo_url
from witaj.devkit.sandbox import Sandbox
from witaj.shared.devtokens import DevSigningKey
from witaj.shared.settings import AuthSettings, KafkaSettings, MongoSettings


def pytest_configure(config: pytest.Config) -> None:
    """Quieter, readable test logs: each HTTP call the tests make is not logged (httpx logs them at
    INFO), and a log line sent to a stream pytest has already closed (a handler a test's logging set up
    on its captured stderr) is dropped instead of printing a traceback in the middle of the report."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.raiseExceptions = False


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, LocalServer]]:
    with embedded_infrastructure(tmp_path_factory.mktemp("infra")) as servers:
        yield servers


@pytest.fixture(scope="session")
def kafka_bootstrap(infrastructure: tuple[LocalServer, LocalServer]) -> str:
    return f"127.0.0.1:{infrastructure[0].port}"


@pytest.fixture(scope="session")
def mongo_server_url(infrastructure: tuple[LocalServer, LocalServer]) -> str:
    return mongo_url(infrastructure[1].port)


@pytest.fixture
def unique_name() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def kafka_settings(sandbox: Sandbox) -> KafkaSettings:
    return sandbox.kafka


@pytest.fixture
def mongo_settings(sandbox: Sandbox) -> MongoSettings:
    return sandbox.mongo()


@pytest.fixture(scope="session")
def dev_key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("auth") / "dev-key.pem"
    DevSigningKey.load_or_create(path)
    return path


@pytest.fixture(scope="session")
def dev_key(dev_key_path: Path) -> DevSigningKey:
    return DevSigningKey.load_or_create(dev_key_path)


@pytest.fixture(scope="session")
def auth_settings(dev_key_path: Path) -> AuthSettings:
    return AuthSettings(dev_key_path=str(dev_key_path))


@pytest.fixture(scope="session")
def mint(dev_key: DevSigningKey) -> Callable[..., str]:
    """mint('pa_editor', city='lublin', org='org-1') -> bearer token string."""

    def make(*roles: str, city: str | None = None, org: str | None = None, sub: str | None = None) -> str:
        return dev_key.mint(roles=list(roles), city=city, organisation=org, subject=sub)

    return make


@pytest.fixture(scope="session")
def auth_header(mint: Callable[..., str]) -> Callable[..., dict[str, str]]:
    def make(
        *roles: str, city: str | None = None, org: str | None = None, sub: str | None = None
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint(*roles, city=city, org=org, sub=sub)}"}

    return make


@pytest.fixture
def sandbox(kafka_bootstrap: str, mongo_server_url: str, dev_key_path: Path, unique_name: str) -> Sandbox:
    return Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=unique_name)


@pytest.fixture
def make_settings(sandbox: Sandbox) -> Callable[..., Any]:
    """Build a service's settings on the test broker and the dev issuer; every service of one test gets
    the same topic prefix (so they talk to each other) and its own database (as in production)."""
    return sandbox.settings
