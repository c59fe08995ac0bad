"""pytest fixtures: one broker and one database per test session, isolated names per test.

Loaded for the whole repository from pyproject's `addopts` (`-p witaj.devkit.pytest_plugin`). Tests stay
apart by a unique topic prefix (which also prefixes consumer groups) and a unique database name, so the
expensive servers start once and every test still sees a clean world.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from witaj.devkit.infra import LocalServer, embedded_infrastructure, mongo_url
from witaj.shared.devtokens import DevSigningKey
from witaj.shared.settings import AuthSettings, Environment, KafkaSettings, MongoSettings, ServiceSettings

S = TypeVar("S")


def kafka_settings_for(bootstrap: str, prefix: str) -> KafkaSettings:
    """Kafka settings for the embedded broker, tuned for quick group joins (see the infra notes)."""
    return KafkaSettings(
        bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        topic_partitions=2,
        idempotent_producer=False,
        producer_max_batch_size=1,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
        fetch_max_wait_ms=50,
        retry_attempts=3,
        retry_backoff_ms=10,
        retry_backoff_max_ms=50,
    )


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
def kafka_settings(kafka_bootstrap: str, unique_name: str) -> KafkaSettings:
    return kafka_settings_for(kafka_bootstrap, f"t{unique_name}.")


@pytest.fixture
def mongo_settings(mongo_server_url: str, unique_name: str) -> MongoSettings:
    return MongoSettings(url=mongo_server_url, database=f"t_{unique_name}", server_selection_timeout_ms=5000)


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
def make_settings(
    kafka_settings: KafkaSettings, mongo_settings: MongoSettings, auth_settings: AuthSettings
) -> Callable[..., Any]:
    """Build a service's settings class on the test broker, a fresh database and the dev issuer."""

    def build(settings_class: type[S], **overrides: Any) -> S:
        values: dict[str, Any] = {
            "service": ServiceSettings(environment=Environment.TEST, log_format="console"),
            "kafka": kafka_settings,
            "mongo": mongo_settings,
            "auth": auth_settings,
        }
        values.update(overrides)
        return settings_class(**values)

    return build
