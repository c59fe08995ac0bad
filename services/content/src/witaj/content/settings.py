"""Content service settings: environment variables prefixed `WITAJ_CONTENT_` (nested with `__`)."""

from datetime import timedelta
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from witaj.shared.machine_translation import MachineTranslationSettings
from witaj.shared.settings import LimitSettings, WitajSettings


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
    suggestion_limit: LimitSettings = Field(
        default_factory=lambda: LimitSettings(per_minute=10, burst=5),
        description="Corrections and tips one reader may suggest",
    )
    machine_translation: MachineTranslationSettings = Field(default_factory=MachineTranslationSettings)

    @property
    def feedback_retention(self) -> timedelta:
        return timedelta(days=self.feedback_retention_days)
