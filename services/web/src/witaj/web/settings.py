"""Web app settings: environment variables prefixed `WITAJ_WEB_` (nested with `__`).

The web app talks to no broker: it renders what the four services' HTTP APIs answer. It shares the
platform's `service` block (host, port, environment, logging, limits) and adds where the services are,
how long to wait for them, and the secret its forms are signed with. Its own database (`mongo`) holds
only the back office's sessions; `office` says how staff sign in (see `office/`).
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from witaj.shared.settings import Environment, MongoSettings, ServiceSettings
from witaj.web.office.settings import OfficeSettings

URL = r"^https?://[^\s/]+(:\d+)?(/\S*)?$"


class WebServiceSettings(ServiceSettings):
    """The platform's service block with the web app's own defaults (kept when single values are set)."""

    port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body accepted (forms are a few kilobytes; nobody typing comes near it)",
    )


class BackendSettings(BaseModel):
    """How the web app waits for the services: briefly, so a slow service gives a page that says so."""

    timeout_seconds: float = Field(default=3.0, gt=0, le=60, description="Longest wait for one answer")
    connect_timeout_seconds: float = Field(default=1.0, gt=0, le=30, description="Longest wait to connect")
    max_response_bytes: int = Field(
        default=2_000_000, ge=10_000, le=100_000_000, description="Largest answer read from a service"
    )
    saved_answers: int = Field(
        default=2_000,
        ge=0,
        le=1_000_000,
        description="Last good answers kept in memory, shown (with a notice) while a service is down",
    )
    fresh_seconds: float = Field(
        default=30,
        ge=0,
        le=3600,
        description="How long city lists, topic trees, glossaries and directory entries are reused before "
        "asking again, and rendered pages at most (0: neither)",
    )
    max_streams: int = Field(
        default=1_000,
        ge=1,
        le=100_000,
        description="Live inboxes relayed at once (each holds a connection to notify); beyond that a "
        "reader's page still works and its live updates retry",
    )
    stream_seconds: float = Field(
        default=300,
        ge=5,
        le=3600,
        description="How long one live inbox connection lasts; the browser then reconnects where it was, "
        "so a stopping replica is never held up by open inboxes",
    )


class MapSettings(BaseModel):
    """The directory's map: tiles come only from the server named here (no map when it is unset)."""

    tile_url: str | None = Field(
        default=None,
        pattern=URL,
        description="Map tiles, e.g. https://tiles.example.org/{z}/{x}/{y}.png ({z}, {x}, {y} filled in); "
        "unset: the directory has no map, only its list",
    )
    attribution: str = Field(
        default="",
        max_length=300,
        description="Credit the tile server asks for, shown under the map as plain text "
        "(e.g. '© OpenStreetMap contributors')",
    )
    max_zoom: int = Field(default=18, ge=1, le=22, description="Closest zoom the tile server offers")

    @field_validator("tile_url", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value  # compose passes an unset variable as ""

    @field_validator("tile_url")
    @classmethod
    def _placeholders(cls, value: str | None) -> str | None:
        if value is not None and not all(p in value for p in ("{z}", "{x}", "{y}")):
            raise ValueError("tile_url must contain {z}, {x} and {y}")
        return value

    @property
    def tile_origin(self) -> str | None:
        """'https://host[:port]': the only place besides the app pages may load images from."""
        if self.tile_url is None:
            return None
        return "/".join(self.tile_url.split("/", 3)[:3])


class SpeechSettings(BaseModel):
    """Read-aloud audio for languages the reader's browser has no voice for (espeak-ng, in worker
    processes so a hostile text can cost neither the event loop nor the app itself)."""

    enabled: bool = Field(default=True, description="Offer read-aloud audio from the web app")
    workers: int = Field(default=1, ge=1, le=16, description="Synthesis processes (each uses one CPU core)")
    max_waiting: int = Field(
        default=16, ge=0, le=1000, description="Texts waiting for a worker; more are refused (503)"
    )
    timeout_seconds: float = Field(default=10, gt=0, le=120, description="Longest wait for one text's audio")
    max_chars: int = Field(default=600, ge=50, le=5000, description="Longest text synthesised at once")
    cache_bytes: int = Field(
        default=32_000_000, ge=0, le=2_000_000_000, description="Audio kept in memory, per text and language"
    )
    words_per_minute: int = Field(default=150, ge=80, le=400, description="Speaking rate")


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WITAJ_WEB_", env_nested_delimiter="__", extra="ignore")
    service_name: ClassVar[str] = "web"

    service: WebServiceSettings = Field(default_factory=WebServiceSettings)
    content_url: str = Field(default="http://127.0.0.1:8001", pattern=URL, description="The content API")
    events_url: str = Field(default="http://127.0.0.1:8002", pattern=URL, description="The events API")
    notify_url: str = Field(default="http://127.0.0.1:8003", pattern=URL, description="The notify API")
    stats_url: str = Field(default="http://127.0.0.1:8004", pattern=URL, description="The stats API")
    ask_url: str = Field(default="http://127.0.0.1:8005", pattern=URL, description="The ask API")
    backend: BackendSettings = Field(default_factory=BackendSettings)
    map: MapSettings = Field(default_factory=MapSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    secret_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Signs form tokens and keys readers' pseudonymous ids; the same on every replica "
        "(random per process when unset, which only a single development process can live with)",
    )
    secure_cookies: bool | None = Field(
        default=None, description="Cookies only over HTTPS; unset: on in production, off otherwise"
    )
    mongo: MongoSettings = Field(
        default_factory=lambda: MongoSettings(database="witaj_web"),
        description="The web app's own database: back-office sessions, nothing else",
    )
    office: OfficeSettings = Field(default_factory=OfficeSettings)

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.service.environment is Environment.PRODUCTION

    @model_validator(mode="after")
    def _own_database(self) -> WebSettings:
        """A database named by the environment's `MONGO__URL` alone (as `make run` and Kubernetes give
        it) is still the web app's own, as every service's is."""
        if self.mongo.database is None:
            self.mongo.database = "witaj_web"
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> WebSettings:
        if self.service.environment is Environment.PRODUCTION:
            problems = []
            if "secret_key" not in self.model_fields_set or len(self.secret_key.get_secret_value()) < 32:
                problems.append("secret_key must be set (32 characters or more), the same on every replica")
            problems += self.office.production_problems(self.service.public_url)
            if self.office.issuer and "127.0.0.1" in self.mongo.url.get_secret_value():
                problems.append("mongo.url still points at the development default (sessions live there)")
            if problems:
                raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self
