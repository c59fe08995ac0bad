"""Settings blocks shared by every service, and the base class each service's settings extend.

Each service reads its environment under its own prefix with `__` between nested names, for example
`WITAJ_CONTENT_KAFKA__BOOTSTRAP_SERVERS` or `WITAJ_EVENTS_MONGO__DATABASE`. Nothing is read at import:
a service's composition root builds its settings, and tests pass their own.

Broker differences live here, not in code: the embedded development broker lacks idempotent producers
and transactions, so those are switches that production turns on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from witaj.shared.forwarded import parse_network
from witaj.shared.topics import TopicNamer


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class KafkaSettings(BaseModel):
    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str | None = Field(default=None, description="Defaults to witaj-<service>")
    topic_prefix: str = Field(default="", description="Prepended to every topic name (isolation)")
    topic_partitions: int = Field(default=6, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    create_topics: bool = Field(default=True, description="Create the topics a service uses at start-up")
    idempotent_producer: bool = Field(
        default=True, description="Kafka's idempotent producer; the embedded broker cannot, switch off there"
    )
    exactly_once: bool = Field(
        default=False, description="faust processing guarantee exactly_once (needs broker transactions)"
    )
    producer_max_batch_size: int | None = Field(
        default=None,
        description="Cap producer batches (bytes). Tests set 1 on the embedded broker, which reports a "
        "partition's end offset wrongly after a batch of several records; leave unset elsewhere",
    )
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = None
    linger_ms: int = Field(default=5, ge=0, le=1000)
    usage_linger_ms: int = Field(
        default=200,
        ge=0,
        le=5_000,
        description="How long usage events gather in the service before they go to the broker together: one "
        "produce request, and one fetch for each consumer, per gathering instead of per event or two",
    )
    session_timeout_ms: int = Field(default=10_000, ge=1000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    fetch_max_wait_ms: int = Field(default=100, ge=0, le=10_000)
    max_poll_records: int = Field(default=500, ge=1, le=10_000)
    request_timeout_ms: int = Field(default=30_000, ge=1000)
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description="SASL_SSL or SASL_PLAINTEXT in production: the brokers know each service by its own "
        "user and let it touch only its topics (deploy/kafka/access.yaml)",
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        default=None, description="SCRAM-SHA-512 with the deployments in deploy/"
    )
    sasl_username: str | None = Field(default=None, description="This service's Kafka user")
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = Field(
        default=None,
        description="PEM file of the CA that signed the brokers' certificates (SSL, SASL_SSL); unset: the "
        "system's CAs",
    )
    retry_attempts: int = Field(default=5, ge=1, le=100, description="Handler attempts before dead-lettering")
    retry_backoff_ms: int = Field(default=200, ge=0)
    retry_backoff_max_ms: int = Field(default=10_000, ge=0)

    @model_validator(mode="after")
    def _sasl_is_complete(self) -> KafkaSettings:
        given = [self.sasl_mechanism, self.sasl_username, self.sasl_password]
        if self.authenticated and not all(given):
            raise ValueError(
                f"{self.security_protocol} needs sasl_mechanism, sasl_username and sasl_password"
            )
        if not self.authenticated and any(given):
            raise ValueError(f"SASL credentials are set but security_protocol is {self.security_protocol}")
        return self

    @property
    def authenticated(self) -> bool:
        """Whether the brokers are told who this is (SASL): what production requires."""
        return self.security_protocol.startswith("SASL_")

    @property
    def topics(self) -> TopicNamer:
        return TopicNamer(self.topic_prefix)

    def client_options(self) -> dict[str, object]:
        """Connection options of every aiokafka producer, consumer and admin client (and, through
        `witaj.stats.credentials`, of faust's): where the brokers are and who this service is to them."""
        options: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers,
            "request_timeout_ms": self.request_timeout_ms,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol in ("SSL", "SASL_SSL"):
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(cafile=self.ssl_cafile)
        if self.authenticated and self.sasl_password is not None:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password.get_secret_value()
        return options


class MongoSettings(BaseModel):
    url: SecretStr = SecretStr("mongodb://127.0.0.1:27017/?retryWrites=false")
    database: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{1,60}$", description="Defaults to witaj_<service>"
    )
    server_selection_timeout_ms: int = Field(default=5_000, ge=100)
    max_pool_size: int = Field(default=50, ge=1, le=1000)
    max_idle_time_ms: int = Field(
        default=60_000,
        ge=1_000,
        description="A pooled connection unused this long is closed by the driver, before the server, a "
        "firewall or a load balancer drops it unseen (the driver notices a dropped connection only when "
        "it next uses it, and then clears the whole pool)",
    )


class AuthSettings(BaseModel):
    """OpenID Connect: tokens signed by the issuer, keys from its JWKS endpoint.

    In development the issuer is Witaj's own dev key (`dev_key_path`); production refuses it.
    """

    issuer: str = "https://auth.witaj.local/realms/witaj"
    audience: str | None = "witaj"
    jwks_url: str | None = Field(default=None, description="Defaults to the issuer's discovery document")
    dev_key_path: str | None = Field(default=None, description="PEM private key of the development issuer")
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwks_cache_seconds: int = Field(default=300, ge=10)
    jwks_grace_seconds: int = Field(
        default=3600,
        ge=0,
        le=7 * 86_400,
        description="How long cached keys stay in use past jwks_cache_seconds while the issuer is unreachable",
    )
    jwks_min_refresh_seconds: float = Field(
        default=10,
        ge=0,
        description="Least time between key fetches, also for tokens naming an unknown key",
    )
    jwks_retry_max_seconds: float = Field(
        default=60, ge=1, description="Longest back-off between failed key fetches"
    )
    jwks_timeout_seconds: float = Field(default=5, gt=0, le=60, description="Deadline of one key fetch")
    roles_claim: str = Field(default="realm_access.roles", description="Dotted path to the roles list")
    city_claim: str = "witaj_city"
    organisation_claim: str = "witaj_org"


class LimitSettings(BaseModel):
    """One public write's rate limit per caller (an account, or an address), per replica."""

    per_minute: float = Field(gt=0, le=100_000, description="Requests per minute, steadily")
    burst: int = Field(ge=1, le=100_000, description="Requests at once before the steady rate applies")


class ServiceSettings(BaseModel):
    environment: Environment = Environment.DEVELOPMENT
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json", "auto"] = "auto"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="Largest request body accepted")
    max_json_depth: int = Field(default=32, ge=2, le=256, description="Deepest JSON nesting accepted")
    cities: list[str] = Field(
        default_factory=list, description="Serve only these cities (per-city deployment); empty = all"
    )
    public_url: str | None = Field(default=None, description="Base URL this service is reachable at")
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Addresses or networks (CIDR) of the proxies in front of the service (the gateway): "
        "the client is the right-most X-Forwarded-For entry that is not one of them",
    )
    max_in_flight: int = Field(
        default=64,
        ge=1,
        le=100_000,
        description="Requests one process works on at once (until each answer starts); more wait, see "
        "max_queued",
    )
    max_queued: int = Field(
        default=128,
        ge=0,
        le=100_000,
        description="Requests waiting for one of max_in_flight places; beyond them a request is refused "
        "at once with 503 and Retry-After (/health, /ready and /metrics never are)",
    )
    queue_wait_seconds: float = Field(
        default=0.5, gt=0, le=60, description="Longest wait for a place before a 503 with Retry-After"
    )
    overload_retry_after_seconds: int = Field(
        default=2, ge=1, le=3600, description="Retry-After of a request refused because the process is full"
    )
    rate_limits: bool = Field(
        default=True, description="Limit public write endpoints per caller (off only for load benchmarks)"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        return [str(parse_network(proxy)) for proxy in value]

    def serves(self, city: str) -> bool:
        return not self.cities or city in self.cities


class WitajSettings(BaseSettings):
    """Base of each service's settings; a subclass names its service and sets its env prefix."""

    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore", env_prefix="WITAJ_")
    service_name: ClassVar[str] = "witaj"

    service: ServiceSettings = Field(default_factory=ServiceSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @model_validator(mode="after")
    def _per_service_defaults(self) -> WitajSettings:
        if self.mongo.database is None:
            self.mongo.database = f"witaj_{self.service_name}"
        if self.kafka.client_id is None:
            self.kafka.client_id = f"witaj-{self.service_name}"
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> WitajSettings:
        if self.service.environment is Environment.PRODUCTION:
            problems = []
            if self.auth.dev_key_path:
                problems.append("auth.dev_key_path must not be set in production")
            if "witaj.local" in self.auth.issuer:
                problems.append("auth.issuer still has the development placeholder")
            if "127.0.0.1" in self.mongo.url.get_secret_value():
                problems.append("mongo.url still points at the development default")
            if not self.kafka.authenticated:
                problems.append("kafka needs SASL (security_protocol SASL_SSL or SASL_PLAINTEXT and a user)")
            outbound = getattr(self, "outbound", None)  # services that call user-set URLs have it
            if outbound is not None and outbound.allow_loopback:
                problems.append("outbound.allow_loopback must be off in production")
            if problems:
                raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self
