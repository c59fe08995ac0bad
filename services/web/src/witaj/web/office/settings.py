"""How staff sign in to the back office, and how long they stay signed in (`WITAJ_WEB_OFFICE__*`).

Two ways in, never both in production: the identity provider (OpenID Connect, Keycloak in the
deployments: `issuer`, `client_id`, optionally `client_secret`), or, on a developer's machine only, the
development sign-in page that mints tokens with the development signing key the services already trust
(`dev_key_path`, which production refuses exactly as the services refuse it).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

URL = r"^https?://[^\s/]+(:\d+)?(/\S*)?$"


class OfficeSettings(BaseModel):
    issuer: str | None = Field(
        default=None,
        pattern=URL,
        description="The identity provider's issuer (e.g. https://id.example/realms/witaj); its discovery "
        "document names every endpoint. Unset: no sign-in through a provider",
    )
    client_id: str = Field(default="witaj-web", max_length=200, description="The back office's client id")
    client_secret: SecretStr | None = Field(
        default=None,
        description="For a confidential client; unset: a public client (PKCE protects the code either way)",
    )
    scopes: str = Field(default="openid profile", max_length=500, description="Scopes asked for at sign-in")
    dev_key_path: str | None = Field(
        default=None,
        description="Development signing key (the services' auth.dev_key_path): turns on the development "
        "sign-in page, where anyone picks a role, city and organisation. Refused in production",
    )
    session_idle_minutes: int = Field(
        default=60, ge=5, le=24 * 60, description="A session unused this long ends"
    )
    session_max_hours: int = Field(
        default=12, ge=1, le=7 * 24, description="A session ends this long after sign-in, used or not"
    )
    refresh_margin_seconds: int = Field(
        default=60, ge=5, le=3600, description="Access tokens are refreshed this long before they expire"
    )
    provider_timeout_seconds: float = Field(
        default=10, gt=0, le=60, description="Longest wait for the identity provider"
    )
    write_timeout_seconds: float = Field(
        default=30,
        gt=0,
        le=300,
        description="Longest wait for a service to take a back-office write (imports and machine drafts "
        "take longer than a page read)",
    )
    max_body_bytes: int = Field(
        default=4_000_000,
        ge=64 * 1024,
        le=50_000_000,
        description="Largest request body under /office/ (long texts in every script, XLIFF files)",
    )

    @property
    def development_sign_in(self) -> bool:
        return self.dev_key_path is not None

    def production_problems(self, public_url: str | None) -> list[str]:
        problems = []
        if self.dev_key_path:
            problems.append("office.dev_key_path must not be set in production (development sign-in)")
        if self.issuer and not public_url:
            problems.append(
                "service.public_url must be set when staff sign in (the identity provider sends them back there)"
            )
        if self.issuer and "witaj.local" in self.issuer:
            problems.append("office.issuer still has the development placeholder")
        return problems
