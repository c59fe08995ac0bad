"""Stats service settings: environment variables prefixed `WITAJ_STATS_` (nested with `__`).

The API and the processor (`witaj-stats-processor`) read the same settings, so one environment
configures both, e.g. `WITAJ_STATS_KAFKA__BOOTSTRAP_SERVERS`, `WITAJ_STATS_MONGO__URL`,
`WITAJ_STATS_PRIVACY__THRESHOLD`, `WITAJ_STATS_PROCESSOR__BATCH_SIZE`.
"""

from datetime import timedelta
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from witaj.shared.settings import Environment, WitajSettings

DEV_SALT = "witaj-development-salt"


class PrivacySettings(BaseModel):
    threshold: int = Field(
        default=5, ge=1, le=1000, description="Counts of people below this are suppressed everywhere"
    )
    query_min_sessions: int = Field(
        default=5, ge=1, le=1000, description="A search query is shown once this many sessions asked it"
    )
    session_salt: SecretStr = Field(
        default=SecretStr(DEV_SALT), description="Key of the one-way hash applied to session ids"
    )
    release_after_hours: int = Field(
        default=48,
        ge=0,
        le=24 * 60,
        description="Hours after a day ends before its counts of people are released (once, for good): "
        "time for late registrations, cancellations and attendance to arrive",
    )
    query_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days the text of a zero-result search query is kept (the database deletes it then)",
    )

    @property
    def release_delay(self) -> timedelta:
        return timedelta(hours=self.release_after_hours)

    @property
    def query_retention(self) -> timedelta:
        return timedelta(days=self.query_retention_days)


class ProcessorSettings(BaseModel):
    batch_size: int = Field(
        default=100_000,
        ge=1,
        le=500_000,
        description="Events stored in one transaction at most (and queued behind it at most)",
    )
    batch_interval: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="Seconds a batch waits after the start of the one before (a full batch goes at once)",
    )
    commit_interval: float = Field(default=1.0, gt=0, le=60, description="faust offset commit interval")
    publish_minutes: bool = Field(
        default=False, description="Also publish minute windows on stats.rollups (hour and day always)"
    )
    health_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve /health, /ready and /metrics on this port (8000 in containers); unset: none",
    )
    release_interval: float = Field(
        default=60.0, gt=0, le=3600, description="Seconds between two looks for settled days to release"
    )


class UploadSettings(BaseModel):
    max_bytes: int = Field(default=2_000_000, ge=1024, description="Largest dataset upload accepted")
    max_rows: int = Field(default=5_000, ge=1, le=10_000, description="Most rows in one dataset")


class StatsSettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_STATS_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "stats"

    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    processor: ProcessorSettings = Field(default_factory=ProcessorSettings)
    upload: UploadSettings = Field(default_factory=UploadSettings)

    @model_validator(mode="after")
    def _salt_is_secret(self) -> "StatsSettings":
        if (
            self.service.environment is Environment.PRODUCTION
            and self.privacy.session_salt.get_secret_value() == DEV_SALT
        ):
            raise ValueError("privacy.session_salt must be set to a secret in production")
        return self
