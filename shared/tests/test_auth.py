"""Bearer tokens: dev tokens verify, forged or stale ones are refused, JWKS keys rotate."""

import json
import time

import httpx
import jwt
import pytest
from witaj.shared.auth import Role, TokenVerifier
from witaj.shared.devtokens import DEV_ISSUER, DevSigningKey
from witaj.shared.errors import ApiError
from witaj.shared.settings import AuthSettings


@pytest.fixture(scope="module")
def key() -> DevSigningKey:
    return DevSigningKey.generate()


def jwks_verifier(*keys: DevSigningKey, calls: list[str] | None = None) -> TokenVerifier:
    """A verifier fetching JWKS over HTTP from a fake issuer (a unit test: no real identity provider)."""
    served = {"keys": [k for key in keys for k in key.jwks()["keys"]]}

    def respond(request: httpx.Request) -> httpx.Response:
        if calls is not None:
            calls.append(request.url.path)
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"jwks_uri": "https://idp.example/keys"})
        return httpx.Response(200, json=served)

    http = httpx.AsyncClient(transport=httpx.MockTransport(respond))
    return TokenVerifier(AuthSettings(issuer=DEV_ISSUER), http=http)


async def test_claims_become_a_principal(key: DevSigningKey) -> None:
    token = key.mint(
        roles=["ngo_editor", "translator", "unknown_role"],
        city="lublin",
        organisation="caritas",
        subject="u1",
    )
    principal = await jwks_verifier(key).verify(token)
    assert principal.subject == "u1"
    assert principal.roles == {Role.NGO_EDITOR, Role.TRANSLATOR}
    assert principal.city == "lublin" and principal.organisation == "caritas"
    assert principal.in_city("lublin") and not principal.in_city("gdansk")


async def test_dev_key_file_is_trusted_without_network(tmp_path) -> None:
    path = tmp_path / "k.pem"
    key = DevSigningKey.load_or_create(path)
    verifier = TokenVerifier(AuthSettings(dev_key_path=str(path)))
    principal = await verifier.verify(key.mint(roles=["platform_admin"]))
    assert principal.is_platform_admin and principal.in_city("anywhere")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lifetime_seconds": -3600}, "expired"),
        ({"issuer": "https://evil.example"}, "rejected"),
        ({"audience": "someone-else"}, "rejected"),
    ],
)
async def test_bad_tokens_are_refused(key: DevSigningKey, change: dict, message: str) -> None:
    token = key.mint(roles=["pa_editor"], **change)
    with pytest.raises(ApiError, match=message) as caught:
        await jwks_verifier(key).verify(token)
    assert caught.value.status == 401


async def test_tampered_token_is_refused(key: DevSigningKey) -> None:
    header, payload, signature = key.mint(roles=["migrant"]).split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["realm_access"]["roles"] = ["platform_admin"]
    forged = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
    with pytest.raises(ApiError) as caught:
        await jwks_verifier(key).verify(forged)
    assert caught.value.status == 401


async def test_token_signed_by_another_key_is_refused(key: DevSigningKey) -> None:
    stranger = DevSigningKey.generate()
    with pytest.raises(ApiError, match="unknown key"):
        await jwks_verifier(key).verify(stranger.mint(roles=["migrant"]))


async def test_none_algorithm_is_refused(key: DevSigningKey) -> None:
    token = jwt.encode({"sub": "x", "iss": DEV_ISSUER, "exp": time.time() + 60}, key=None, algorithm="none")
    with pytest.raises(ApiError, match="algorithm"):
        await jwks_verifier(key).verify(token)


async def test_garbage_is_refused(key: DevSigningKey) -> None:
    with pytest.raises(ApiError, match="not a valid JWT"):
        await jwks_verifier(key).verify("not-a-token")


async def test_keys_are_cached_and_fetched_via_discovery(key: DevSigningKey) -> None:
    calls: list[str] = []
    verifier = jwks_verifier(key, calls=calls)
    for _ in range(3):
        await verifier.verify(key.mint(roles=["migrant"]))
    assert calls == ["/realms/witaj/.well-known/openid-configuration", "/keys"]


async def test_unreachable_issuer_is_a_503_not_a_crash(key: DevSigningKey) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    verifier = TokenVerifier(
        AuthSettings(issuer=DEV_ISSUER), http=httpx.AsyncClient(transport=httpx.MockTransport(fail))
    )
    with pytest.raises(ApiError) as caught:
        await verifier.verify(key.mint(roles=["migrant"]))
    assert caught.value.status == 503
