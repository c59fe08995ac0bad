"""Public write endpoints are limited per caller, with a clear 429 saying when to come back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve
from witaj.shared.auth import TokenVerifier
from witaj.shared.devtokens import DevSigningKey
from witaj.shared.ratelimit import RateLimit
from witaj.shared.settings import AuthSettings, ServiceSettings
from witaj.shared.web import create_service_app


def test_a_bucket_allows_a_burst_then_the_steady_rate() -> None:
    limit = RateLimit("feedback", per_minute=60, burst=3)
    assert [limit.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.take("a", now=0.0) == 1.0  # one token per second
    assert limit.take("b", now=0.0) == 0.0  # callers are independent
    assert limit.take("a", now=1.0) == 0.0


def test_the_caller_table_is_bounded() -> None:
    limit = RateLimit("feedback", per_minute=1, burst=1, max_callers=100)
    for n in range(1000):
        limit.take(f"caller-{n}", now=0.0)
    assert len(limit._buckets) == 100


def app_with_limit(enabled: bool) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    settings = ContentSettings(service=ServiceSettings(rate_limits=enabled))
    app = create_service_app(settings, service="t", title="t", description="d", lifespan=lifespan)

    @app.post("/feedback", dependencies=[Depends(RateLimit("feedback", per_minute=6, burst=2))])
    async def feedback() -> dict[str, bool]:
        return {"ok": True}

    return app


async def test_over_the_limit_is_a_429_with_retry_after() -> None:
    async with serve(app_with_limit(True)) as client:
        statuses = [(await client.post("/feedback")).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = await client.post("/feedback")
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1


async def test_limits_can_be_switched_off_for_load_benchmarks() -> None:
    async with serve(app_with_limit(False)) as client:
        assert {(await client.post("/feedback")).status_code for _ in range(10)} == {200}


async def test_each_signed_in_caller_has_their_own_bucket(tmp_path) -> None:
    """Behind one address (a shelter's wifi) people with accounts are still told apart."""
    key = DevSigningKey.load_or_create(tmp_path / "k.pem")
    app = app_with_limit(True)
    app.state.verifier = TokenVerifier(AuthSettings(dev_key_path=str(tmp_path / "k.pem")))
    ala, olena = (
        {"Authorization": f"Bearer {key.mint(roles=['migrant'], subject=who)}"} for who in ("ala", "olena")
    )
    async with serve(app) as client:
        assert [(await client.post("/feedback", headers=ala)).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert (await client.post("/feedback", headers=olena)).status_code == 200
        assert (await client.post("/feedback")).status_code == 200  # the address's own bucket is untouched
