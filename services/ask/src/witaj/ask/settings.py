"""Ask service settings: environment variables prefixed `WITAJ_ASK_` (nested with `__`)."""

from datetime import timedelta
from typing import ClassVar

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from witaj.shared.machine_translation import MachineTranslationSettings
from witaj.shared.settings import LimitSettings, WitajSettings


class AskOptions(BaseModel):
    """What the ask service itself decides: how long questions are kept, limits, claims."""

    instant_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 30,
        description="Hours a question is kept while the migrant reads instant answers and has not sent it "
        "to a person",
    )
    open_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days a question sent to counsellors is kept at most, answered or not",
    )
    closed_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="Days a closed question is kept (for the migrant to read again)",
    )
    sweep_seconds: float = Field(
        default=60, gt=0, le=3600, description="How often questions past their retention are erased"
    )
    claim_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="How long a counsellor's claim keeps others from answering"
    )
    max_messages: int = Field(default=50, ge=2, le=500, description="Messages one thread may hold")
    ask_limit: LimitSettings = Field(
        default_factory=lambda: LimitSettings(per_minute=2, burst=5),
        description="Questions one caller may ask",
    )
    reply_limit: LimitSettings = Field(
        default_factory=lambda: LimitSettings(per_minute=10, burst=10),
        description="Replies and other changes one migrant may make with a question's token",
    )
    draft_attempts: int = Field(
        default=5, ge=1, le=50, description="Machine translation attempts for one question before giving up"
    )

    @property
    def instant(self) -> timedelta:
        return timedelta(hours=self.instant_hours)

    @property
    def open(self) -> timedelta:
        return timedelta(days=self.open_days)

    @property
    def closed(self) -> timedelta:
        return timedelta(days=self.closed_days)


class AskSettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_ASK_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "ask"

    ask: AskOptions = Field(default_factory=AskOptions)
    machine_translation: MachineTranslationSettings = Field(
        default_factory=MachineTranslationSettings,
        description="Drafts of questions in the city's language for counsellors, where the city allows it",
    )
