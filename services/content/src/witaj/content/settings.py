"""Content service settings: environment variables prefixed `WITAJ_CONTENT_` (nested with `__`)."""

from datetime import timedelta
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict
from witaj.shared.settings import LimitSettings, WitajSettings


class MachineTranslationSettings(BaseModel):
    """A LibreTranslate-compatible server for machine drafts; with no URL the feature is off."""

    url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="Base URL of a LibreTranslate-compatible server (POST <url>/translate); unset: off",
    )
    api_key: SecretStr | None = Field(default=None, description="Sent as `api_key` when the server wants one")
    timeout_seconds: float = Field(
        default=30, gt=0, le=300, description="How long to wait for one item's draft"
    )
    max_chars: int = Field(
        default=30_000, ge=100, le=1_000_000, description="Most source text sent for one item's draft"
    )


class ContentSettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_CONTENT_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "content"

    count_demand: bool = Field(
        default=True,
        description="Count page views per item and language for the translation dashboard (a consumer group)",
    )
    feedback_retention_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days feedback (with its comment, free text) is kept before the database deletes it",
    )
    feedback_limit: LimitSettings = Field(
        default_factory=lambda: LimitSettings(per_minute=20, burst=10),
        description="Anonymous feedback one reader may send",
    )
    machine_translation: MachineTranslationSettings = Field(default_factory=MachineTranslationSettings)

    @property
    def feedback_retention(self) -> timedelta:
        return timedelta(days=self.feedback_retention_days)
