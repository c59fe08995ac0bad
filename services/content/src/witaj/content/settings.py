"""Content service settings: environment variables prefixed `WITAJ_CONTENT_` (nested with `__`)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from witaj.shared.settings import WitajSettings


class ContentSettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_CONTENT_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "content"

    count_demand: bool = Field(
        default=True,
        description="Count page views per item and language for the translation dashboard (a consumer group)",
    )
    feedback_per_minute: float = Field(
        default=20,
        gt=0,
        le=10_000,
        description="Feedback one reader (one account, or one address) may send per minute, on average",
    )
    feedback_burst: int = Field(
        default=10, ge=1, le=1_000, description="Feedback one reader may send at once before the rate applies"
    )
