"""Notify service settings: environment variables prefixed `WITAJ_NOTIFY_` (nested with `__`)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict
from witaj.shared.settings import WitajSettings


class NotifySettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_NOTIFY_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "notify"
