"""OpenID Connect bearer tokens: who is calling, in which roles, for which city and organisation.

Tokens are JWTs signed by the identity provider (Keycloak in production); keys come from the issuer's
JWKS endpoint and are cached, refreshed when a token names a key we do not know yet (key rotation).
In development Witaj signs its own tokens with a local key (`witaj.shared.devtokens`).

The issuer being away must not take every authenticated call with it (`TokenVerifier`): past
`jwks_cache_seconds` the cached keys keep verifying while one background fetch renews them, and for
`jwks_grace_seconds` more while that fetch fails; failed fetches back off, one at a time, and a token
naming an unknown key starts at most one fetch per `jwks_min_refresh_seconds`. Calls wait for a fetch
only when no usable key is cached at all, and never for one that the back-off does not allow yet.

Roles come from the realm roles claim; the user's city and organisation from their own claims, which
Keycloak fills from user attributes. Anonymous readers have no token at all: public routes accept that.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict
from witaj.shared.errors import ApiError
from witaj.shared.logging import get_logger
from witaj.shared.settings import AuthSettings

log = get_logger(__name__)


class Role(StrEnum):
    MIGRANT = "migrant"
    PA_EDITOR = "pa_editor"
    NGO_EDITOR = "ngo_editor"
    TRANSLATOR = "translator"
    COUNSELLOR = "counsellor"
    """Answers migrants' questions for their organisation (the ask service); edits no content."""
    ANALYST = "analyst"
    CITY_ADMIN = "city_admin"
    PLATFORM_ADMIN = "platform_admin"


EDITORS = frozenset({Role.PA_EDITOR, Role.NGO_EDITOR, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})


class Principal(BaseModel):
    """The authenticated caller. `subject` is the identity provider's opaque, pseudonymous id."""

    model_config = ConfigDict(frozen=True)

    subject: str
    roles: frozenset[Role]
    city: str | None = None
    organisation: str | None = None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def in_city(self, city: str) -> bool:
        """Platform admins act in every city; everyone else only in the city of their account."""
        return self.is_platform_admin or self.city == city

    def may_administer_city(self, city: str) -> bool:
        return self.is_platform_admin or (Role.CITY_ADMIN in self.roles and self.city == city)


class IdentityProviderUnavailable(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "identity_provider_unavailable", "Cannot reach the identity provider")


class InvalidToken(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(
            401, "invalid_token", message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class TokenVerifier:
    """Checks signature, issuer, audience and expiry; turns claims into a Principal."""

    def __init__(
        self,
        settings: AuthSettings,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._http = http
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        """When the cached keys were fetched (monotonic seconds); infinite for the static dev key."""
        self._not_before = float("-inf")
        """No fetch starts before this: the rate limit after a fetch, the back-off after a failure."""
        self._failures = 0
        self._fetch: asyncio.Task[bool] | None = None
        if settings.dev_key_path:
            from witaj.shared.devtokens import DevSigningKey

            self._install(DevSigningKey.load_or_create(settings.dev_key_path).jwks())
            self._fetched_at = float("inf")

    def _install(self, jwks: dict[str, Any]) -> None:
        keys = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("use", "sig") != "sig" or "kid" not in jwk:
                continue
            keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk).key
        self._keys = keys

    async def _jwks_url(self, http: httpx.AsyncClient) -> str:
        if self.settings.jwks_url:
            return self.settings.jwks_url
        discovery = await http.get(self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration")
        discovery.raise_for_status()
        return str(discovery.json()["jwks_uri"])

    async def _download(self) -> dict[str, Any]:
        http = self._http or httpx.AsyncClient(timeout=self.settings.jwks_timeout_seconds)
        try:
            url = await self._jwks_url(http)
            if url.startswith("file://"):
                text = await asyncio.to_thread(Path(url.removeprefix("file://")).read_text)
                return dict(json.loads(text))
            response = await http.get(url)
            response.raise_for_status()
            return dict(response.json())
        finally:
            if self._http is None:
                await http.aclose()

    async def _refresh(self) -> bool:
        """Fetch the keys once; on failure keep the cached ones and back off. Whether it worked."""
        try:
            jwks = await asyncio.wait_for(self._download(), self.settings.jwks_timeout_seconds)
            self._install(jwks)
        except (
            httpx.HTTPError,
            OSError,
            ValueError,
            KeyError,
            TypeError,
            TimeoutError,
            jwt.PyJWTError,
        ) as exc:
            self._failures += 1
            ceiling = min(self.settings.jwks_retry_max_seconds, 2.0 ** (self._failures - 1))
            wait = max(self.settings.jwks_min_refresh_seconds, random.uniform(ceiling / 2, ceiling))  # noqa: S311
            self._not_before = self._clock() + wait
            log.warning("auth.jwks_fetch_failed", error=type(exc).__name__, failures=self._failures)
            return False
        self._failures = 0
        self._fetched_at = self._clock()
        self._not_before = self._fetched_at + self.settings.jwks_min_refresh_seconds
        return True

    def _start_fetch(self) -> asyncio.Task[bool] | None:
        """The fetch in flight, or a new one if none is and the back-off allows; one at a time."""
        if self._fetch is None or self._fetch.done():
            if self._clock() < self._not_before:
                return None
            self._fetch = asyncio.get_running_loop().create_task(self._refresh(), name="jwks-fetch")
        return self._fetch

    async def _fetched(self) -> bool:
        """Wait for the fetch in flight or a new one; False at once if the back-off allows none."""
        fetch = self._start_fetch()
        return bool(await asyncio.shield(fetch)) if fetch is not None else False

    async def _key(self, kid: str | None) -> Any:
        if self._fetched_at == float("inf"):  # the development key: nothing to fetch
            return self._keys.get(kid) if kid is not None else None
        age = float("inf") if self._fetched_at is None else self._clock() - self._fetched_at
        if age >= self.settings.jwks_cache_seconds + self.settings.jwks_grace_seconds:
            # Nothing usable cached: this call needs a fetch.
            if not await self._fetched():
                raise IdentityProviderUnavailable()
        elif age >= self.settings.jwks_cache_seconds:
            self._start_fetch()  # stale but within grace: verify with them, renew meanwhile
        key = self._keys.get(kid) if kid is not None else None
        if key is None and kid is not None:
            # Perhaps the issuer rotated its keys: fetch, at most once per jwks_min_refresh_seconds.
            await self._fetched()
            key = self._keys.get(kid)
            if key is None and self._failures:
                raise IdentityProviderUnavailable()
        return key

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("The bearer token is not a valid JWT") from None
        kid = header.get("kid")
        if header.get("alg") not in self.settings.algorithms:
            raise InvalidToken("The token's signing algorithm is not accepted")
        key = await self._key(kid if isinstance(kid, str) else None)
        if key is None:
            raise InvalidToken("The token was signed with an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self.settings.algorithms,
                issuer=self.settings.issuer,
                audience=self.settings.audience,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iss", "sub"], "verify_aud": self.settings.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("The token has expired") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"The token was rejected: {exc}") from None
        return self.principal_from_claims(claims)

    def principal_from_claims(self, claims: dict[str, Any]) -> Principal:
        raw_roles = _claim(claims, self.settings.roles_claim) or []
        known = {r.value for r in Role}
        roles = frozenset(Role(r) for r in raw_roles if isinstance(r, str) and r in known)
        city = _claim(claims, self.settings.city_claim)
        organisation = _claim(claims, self.settings.organisation_claim)
        return Principal(
            subject=str(claims["sub"]),
            roles=roles,
            city=city if isinstance(city, str) and city else None,
            organisation=organisation if isinstance(organisation, str) and organisation else None,
        )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Use 'Authorization: Bearer <token>'")
    return token.strip()


async def optional_principal(request: Request) -> Principal | None:
    token = _bearer(request)
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(token)


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise ApiError(
            401,
            "authentication_required",
            "Sign in first: this needs a bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[..., Any]:
    """Dependency factory: the caller must hold one of `roles`."""
    wanted = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.roles & wanted:
            raise ApiError(
                403,
                "forbidden",
                f"This needs one of the roles: {', '.join(sorted(wanted))}",
            )
        return principal

    return dependency


OWNER_CREDENTIAL = "__witaj_owner_credential__"
F = TypeVar("F", bound=Callable[..., Any])


def owner_credential(check: F) -> F:
    """Mark a dependency that admits only the holder of a thing's own secret (a device's subscriber
    token, a registrant's token) or its account; the security tests accept it in place of a bearer token.

    A route behind such a check answers anyone else with 401/403/404 and never a success.
    """
    setattr(check, OWNER_CREDENTIAL, True)
    return check


def forbid_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise ApiError(403, "forbidden", message)


def role_names(roles: Iterable[Role]) -> list[str]:
    return sorted(r.value for r in roles)
