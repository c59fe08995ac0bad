"""Events service settings: environment variables prefixed `WITAJ_EVENTS_` (nested with `__`)."""

from typing import ClassVar

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from witaj.shared.outbound import OutboundSettings
from witaj.shared.settings import WitajSettings


class AgendaSettings(BaseModel):
    retention_days: int = Field(
        default=30, ge=0, le=3650, description="Days after an event that registrants' contact data is kept"
    )
    job_interval_seconds: float = Field(
        default=300, gt=0, description="How often past events are unpublished and expired data erased"
    )
    max_import_bytes: int = Field(
        default=2_000_000, ge=1024, le=50_000_000,
        description="Largest iCalendar file accepted, uploaded or fetched from a calendar URL",
    )  # fmt: skip
    import_timeout_seconds: float = Field(
        default=10, gt=0, le=120, description="Whole time a calendar URL has to answer, redirects included"
    )
    listing_seconds: float = Field(
        default=1.0, ge=0, le=60,
        description="Seconds readers share a listing's database read (another replica's change shows after at most this)",
    )  # fmt: skip


class EventsSettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_EVENTS_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "events"

    count_demand: bool = Field(
        default=True,
        description="Count event views per event and language for the translators' dashboard (a consumer group)",
    )
    agenda: AgendaSettings = Field(default_factory=AgendaSettings)
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)
