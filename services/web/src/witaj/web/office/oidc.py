"""Signing staff in with the identity provider: OpenID Connect's authorisation code flow with PKCE.

All of the protocol is Authlib's: the provider's discovery document and keys, the authorisation address
with `state`, `nonce` and an S256 code challenge, the code exchange, the ID token's checks (signature,
issuer, audience, expiry, nonce, at_hash), refreshing, and RP-initiated logout. What is Witaj's own is
where the pieces are kept (the sign-in under way and the tokens: server-side, see `sessions.py`) and
whom the tokens describe: the roles, city and organisation are read from the access token exactly as the
services read them (`witaj.shared.auth`), falling back to the ID token's claims when a provider issues
opaque access tokens.
"""

from __future__ import annotations

import hmac
import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc.errors import JoseError

with warnings.catch_warnings():
    # Authlib 1.9 prefers the httpx2 fork and warns when it uses plain httpx, which the whole platform
    # uses; pyproject keeps Authlib below the release that would drop it.
    warnings.filterwarnings("ignore", "The httpx module is deprecated", AuthlibDeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client
    from authlib.integrations.starlette_client import OAuth
from witaj.shared.auth import TokenVerifier
from witaj.shared.logging import get_logger
from witaj.shared.settings import AuthSettings
from witaj.web.office.sessions import PendingSignIn, Tokens
from witaj.web.office.settings import OfficeSettings
from witaj.web.office.staff import Staff

log = get_logger("witaj.web.office")
CLAIMS = TokenVerifier(AuthSettings())
"""Reads roles, city and organisation from claims where the services do (the claim names are theirs)."""


class SignInFailed(Exception):
    """The provider refused, the answer did not check out, or the person turned back; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderUnavailable(Exception):
    """The identity provider did not answer (in time, or sensibly)."""


@dataclass
class SignedIn:
    staff: Staff
    tokens: Tokens


def tokens_of(answer: dict[str, Any], previous: Tokens | None = None) -> Tokens:
    """A token endpoint's answer as kept; a refresh answer may leave out what did not change."""
    expires_in = answer.get("expires_in")
    expires_at = answer.get("expires_at") or (time.time() + float(expires_in or 300))
    return Tokens(
        access_token=str(answer["access_token"]),
        expires_at=float(expires_at),
        refresh_token=answer.get("refresh_token") or (previous.refresh_token if previous else None),
        id_token=answer.get("id_token") or (previous.id_token if previous else None),
    )


def staff_of(access_token: str, id_claims: dict[str, Any]) -> Staff:
    """Whom the tokens describe. The access token came straight from the provider over the back channel,
    and the services check its signature on every call, so its claims are read here without checking."""
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        claims = {}
    merged = {**id_claims, **claims} if claims else dict(id_claims)
    name = merged.get("name") or merged.get("preferred_username") or ""
    return Staff.of(CLAIMS.principal_from_claims(merged), name=str(name))


class Provider:
    def __init__(self, settings: OfficeSettings) -> None:
        assert settings.issuer, "built only when an issuer is configured"
        self.settings = settings
        self.auth_method = "client_secret_basic" if settings.client_secret else "none"
        secret = settings.client_secret.get_secret_value() if settings.client_secret else None
        self.client_options: dict[str, Any] = {
            "client_id": settings.client_id,
            "client_secret": secret,
            "token_endpoint_auth_method": self.auth_method,
            "timeout": settings.provider_timeout_seconds,
        }
        self.app = OAuth().register(
            "witaj",
            client_id=settings.client_id,
            client_secret=secret,
            server_metadata_url=settings.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": self.auth_method,
                "timeout": settings.provider_timeout_seconds,
            },
        )

    async def start(self, redirect_uri: str, *, language: str, next_page: str) -> tuple[str, PendingSignIn]:
        """The address to send the person to, and what must be kept until they come back."""
        try:
            started = await self.app.create_authorization_url(redirect_uri, ui_locales=language)
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
            raise self._down("discovery", exc) from None
        pending = PendingSignIn(
            state=started["state"],
            nonce=started.get("nonce"),
            code_verifier=started["code_verifier"],
            next=next_page,
        )
        return str(started["url"]), pending

    async def finish(self, redirect_uri: str, pending: PendingSignIn, *, code: str, state: str) -> SignedIn:
        """The code exchanged (with the PKCE verifier) and the ID token checked."""
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise SignInFailed("state_mismatch")
        try:
            answer = await self.app.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=pending.code_verifier
            )
            claims = await self.app.parse_id_token(answer, nonce=pending.nonce)
        except OAuthError as exc:
            log.warning("office.sign_in_refused", error=exc.error)
            raise SignInFailed("refused") from None
        except JoseError as exc:
            log.warning("office.id_token_rejected", error=type(exc).__name__)
            raise SignInFailed("id_token") from None
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
            raise self._down("token", exc) from None
        if claims is None:
            raise SignInFailed("id_token")
        return SignedIn(staff_of(answer["access_token"], dict(claims)), tokens_of(answer))

    async def refresh(self, tokens: Tokens) -> Tokens:
        """New tokens for the refresh token; SignInFailed when the provider will not (session over)."""
        if not tokens.refresh_token:
            raise SignInFailed("no_refresh_token")
        try:
            metadata = await self.app.load_server_metadata()
            async with AsyncOAuth2Client(**self.client_options) as client:
                answer = await client.refresh_token(
                    metadata["token_endpoint"], refresh_token=tokens.refresh_token
                )
        except OAuthError as exc:
            log.info("office.refresh_refused", error=exc.error)
            raise SignInFailed("refresh_refused") from None
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
            raise self._down("refresh", exc) from None
        return tokens_of(dict(answer), tokens)

    async def logout_url(self, tokens: Tokens, post_logout_redirect_uri: str) -> str | None:
        """Where to end the session at the provider too, if it offers RP-initiated logout."""
        try:
            metadata = await self.app.load_server_metadata()
            if not metadata.get("end_session_endpoint"):
                return None
            made = await self.app.create_logout_url(
                post_logout_redirect_uri=post_logout_redirect_uri,
                id_token_hint=tokens.id_token,
                client_id=self.settings.client_id,
            )
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError):
            return None  # signed out here all the same
        return str(made["url"])

    def _down(self, step: str, exc: Exception) -> ProviderUnavailable:
        log.warning("office.provider_unavailable", step=step, error=type(exc).__name__)
        return ProviderUnavailable(step)
