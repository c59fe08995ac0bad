"""Notify service settings: environment variables prefixed `WITAJ_NOTIFY_` (nested with `__`)."""

from datetime import timedelta
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from witaj.shared.outbound import OutboundSettings
from witaj.shared.settings import Environment, LimitSettings, WitajSettings


class SmtpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "Witaj <no-reply@witaj.local>"
    username: str | None = None
    password: SecretStr | None = None
    start_tls: bool = False
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class NotifyOptions(BaseModel):
    """What the notify service itself decides: limits, batch sizes, retries, channel safety."""

    fanout_batch_size: int = Field(default=1000, ge=1, le=10_000)
    stream_catch_up_seconds: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="How often an idle live stream reads its inbox for messages other replicas stored",
    )
    fanout_lease_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="How long a silent fan-out worker keeps its job"
    )
    max_subscriptions_per_account: int = Field(default=20, ge=1, le=1000)
    retention_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="Days a delivered message (inbox, e-mail or webhook record), a finished fan-out "
        "job, the record of a sent broadcast and a switched-off subscription are kept before the "
        "database deletes them",
    )
    subscribe_limit: LimitSettings = Field(
        default_factory=lambda: LimitSettings(per_minute=30, burst=30),
        description="New subscriptions one caller may create",
    )
    broadcasts_per_day: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Urgent notices one city's editors may send in 24 hours (each reaches many people "
        "past their quiet hours: a stolen editor account must not be able to flood them)",
    )
    max_attempts: int = Field(
        default=6, ge=1, le=50, description="E-mail/webhook attempts before dead letter"
    )
    retry_base_ms: int = Field(default=1_000, ge=1)
    retry_cap_ms: int = Field(default=3_600_000, ge=1)
    delivery_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    send_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Whole time a webhook receiver has to answer"
    )
    webhook_require_https: bool = True
    email_confirmation_hours: int = Field(
        default=48,
        ge=1,
        le=720,
        description="Hours an unconfirmed e-mail address is kept before it is forgotten",
    )
    confirmation_mails_per_day: int = Field(
        default=3, ge=1, le=50, description="Confirmation e-mails one address receives in 24 hours at most"
    )
    unsubscribe_secret: SecretStr = Field(
        default=SecretStr("witaj-development-unsubscribe-secret"),
        description="Signs unsubscribe and e-mail confirmation links",
    )
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)


class NotifySettings(WitajSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_NOTIFY_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "notify"

    notify: NotifyOptions = Field(default_factory=NotifyOptions)
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)

    @model_validator(mode="after")
    def _notify_is_safe(self) -> "NotifySettings":
        if self.service.environment is Environment.PRODUCTION:
            if "development" in self.notify.unsubscribe_secret.get_secret_value():
                raise ValueError("notify.unsubscribe_secret must be set in production")
        return self
