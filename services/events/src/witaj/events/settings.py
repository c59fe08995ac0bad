"""Events service settings: environment variables prefixed `WITAJ_EVENTS_` (nested with `__`)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict
from witaj.shared.settings import WitajSettings


class EventsSettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_EVENTS_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "events"
