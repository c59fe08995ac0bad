"""Settings for one isolated test or benchmark on the shared embedded broker and database.

Tests and benchmarks share one broker and one database per run; each gets its own topic prefix (which
also prefixes consumer groups) and its own database name, so they never see each other's data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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


@dataclass
class Sandbox:
    """One isolated world: `sandbox.settings(ContentSettings)` builds a service's settings inside it."""

    kafka_bootstrap: str
    mongo_url: str
    dev_key_path: Path
    name: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    rate_limits: bool = True
    """Off for benchmarks and load generators, which write from one address far faster than a person."""

    @property
    def kafka(self) -> KafkaSettings:
        return kafka_settings_for(self.kafka_bootstrap, f"t{self.name}.")

    def mongo(self, suffix: str = "") -> MongoSettings:
        return MongoSettings(
            url=self.mongo_url, database=f"t_{self.name}{suffix}", server_selection_timeout_ms=5000
        )

    @property
    def auth(self) -> AuthSettings:
        return AuthSettings(dev_key_path=str(self.dev_key_path))

    def settings(self, settings_class: type[S], **overrides: Any) -> S:
        values: dict[str, Any] = {
            "service": ServiceSettings(
                environment=Environment.TEST, log_format="console", rate_limits=self.rate_limits
            ),
            "kafka": self.kafka,
            "mongo": self.mongo(f"_{getattr(settings_class, 'service_name', 'x')}"),
            "auth": self.auth,
        }
        values.update(overrides)
        return settings_class(**values)
