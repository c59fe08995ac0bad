"""A real OpenID Connect provider for tests: people sign in through its pages, services trust its keys.

Keycloak does not run here, so tests start `oidc-provider-mock` (a standards-compliant provider built on
Authlib and Flask) in a thread, set up to behave as Witaj's realm does where it matters:

- access tokens are JWTs (RFC 9068) signed with the provider's key (with its `kid`), carrying what
  Keycloak's `witaj-web` client puts in them: `realm_access.roles`, `witaj_city`, `witaj_org`, the
  audience `witaj`; so the services verify them exactly as Keycloak's (`auth_settings()`);
- the authorisation code flow requires PKCE (S256), as the realm's client does;
- refresh tokens, RP-initiated logout (`end_session_endpoint`) and revocation of a person's tokens.

    with IdentityProvider() as provider:
        provider.add_user("anna", roles=["pa_editor"], city="lublin")
        settings = ContentSettings(auth=provider.auth_settings(), ...)

The provider's sign-in page asks for a subject (`sub`) and has an "Authorize" button; `token()` runs
the same code flow without a browser, for tests that only need a token.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
from witaj.shared.settings import AuthSettings

AUDIENCE = "witaj"
CLAIMS = ("realm_access", "witaj_city", "witaj_org", "name", "preferred_username")
"""The user's claims copied into access tokens (as Keycloak's mappers do)."""
CALLBACK = "http://127.0.0.1/callback"
"""Where `token()` pretends to be sent back to (the mock accepts any redirect address; nothing is called)."""


class IdentityProvider:
    def __init__(
        self,
        *,
        token_lifetime: timedelta = timedelta(hours=1),
        client_id: str = "witaj-web",
        client_secret: str = "witaj-test-secret",  # noqa: S107 - a test provider that accepts any secret
    ) -> None:
        self.token_lifetime = token_lifetime
        self.client_id = client_id
        self.client_secret = client_secret
        """The mock accepts any secret, and (as Authlib's grant by default) only clients that send one."""
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --------------------------------------------------------------------------------- lifecycle

    def __enter__(self) -> IdentityProvider:
        import flask
        import oidc_provider_mock
        import werkzeug.serving

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        logging.getLogger("oidc_provider_mock").setLevel(logging.WARNING)
        app = flask.Flask("oidc_provider_mock")  # its pages' templates are found from the package
        app.secret_key = secrets.token_bytes(16)
        app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = self._access_token
        oidc_provider_mock.init_app(app, access_token_max_age=self.token_lifetime, require_nonce=True)
        with app.test_request_context():
            app.preprocess_request()  # the mock builds its authorisation server per app, found here
            server = flask.g._authlib_authorization_server
        pkce = _required_pkce()
        for _grant, extensions in server._authorization_grants:
            extensions.append(pkce)  # PKCE, as the realm's client requires
        self._server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1})
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _access_token(self, client: Any, grant_type: str, user: Any, scope: str) -> str:
        """An RFC 9068 access token with the user's Witaj claims, signed with the provider's key."""
        import flask

        key = flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
        lifetimes = flask.current_app.config.get("OAUTH2_TOKEN_EXPIRES_IN") or {}
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": user.sub,
            "aud": AUDIENCE,
            "azp": client.get_client_id(),
            "iat": now,
            "exp": now + int(lifetimes.get(grant_type, 3600)),
            "jti": secrets.token_hex(8),
            "scope": scope,
            **{name: user.claims[name] for name in CLAIMS if name in user.claims},
        }
        signing = jwt.PyJWK.from_dict(key)
        return jwt.encode(
            claims, signing.key, algorithm="RS256", headers={"kid": key["kid"], "typ": "at+jwt"}
        )

    # ----------------------------------------------------------------------------------- for tests

    def auth_settings(self) -> AuthSettings:
        """What the services need to trust this provider's tokens (as they trust Keycloak's)."""
        return AuthSettings(issuer=self.url, audience=AUDIENCE, jwks_url=f"{self.url}/jwks")

    def add_user(
        self,
        sub: str,
        *,
        roles: list[str],
        city: str | None = None,
        organisation: str | None = None,
        name: str | None = None,
    ) -> None:
        claims: dict[str, Any] = {"realm_access": {"roles": roles}, "name": name or sub}
        if city:
            claims["witaj_city"] = city
        if organisation:
            claims["witaj_org"] = organisation
        answer = httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        answer.raise_for_status()

    def revoke(self, sub: str) -> None:
        """Revoke every token of a person (their refresh token stops working)."""
        httpx.post(f"{self.url}/users/{sub}/revoke-tokens", timeout=10).raise_for_status()

    def token(self, sub: str) -> dict[str, Any]:
        """The code flow with PKCE, as a browser and a client would run it, without the browser."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {
            "client_id": self.client_id, "redirect_uri": CALLBACK, "response_type": "code", "scope": "openid",
            "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge, "code_challenge_method": "S256",
        }  # fmt: skip
        with httpx.Client(base_url=self.url, timeout=10) as http:
            granted = http.post(f"/oauth2/authorize?{urlencode(query)}", data={"sub": sub})
            location = granted.headers.get("location", "")
            code = parse_qs(urlparse(location).query).get("code", [""])[0]
            if not code:
                raise RuntimeError(f"the provider granted no code ({granted.status_code})")
            answer = http.post(
                "/oauth2/token",
                auth=(self.client_id, self.client_secret),
                data={
                    "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                    "code_verifier": verifier,
                },
            )  # fmt: skip
            answer.raise_for_status()
            return dict(answer.json())


def _required_pkce() -> Any:
    """PKCE (S256) for every client. The mock keeps no challenge with its codes, so the challenge is
    remembered by the authorisation request's nonce (required, and kept with the code)."""
    from authlib.oauth2.rfc6749.errors import InvalidRequestError
    from authlib.oauth2.rfc7636 import CodeChallenge

    class RequiredChallenge(CodeChallenge):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(required=True)
            self.challenges: dict[str, str] = {}

        def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
            data = grant.request.payload.data
            if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
                raise InvalidRequestError("PKCE is required: send code_challenge with method S256")
            super().validate_code_challenge(grant, redirect_uri)
            self.challenges[str(data.get("nonce"))] = data["code_challenge"]

        def get_authorization_code_challenge(self, authorization_code: Any) -> str | None:
            return self.challenges.get(str(authorization_code.nonce))

        def get_authorization_code_challenge_method(self, authorization_code: Any) -> str:
            return "S256"

    return RequiredChallenge()
