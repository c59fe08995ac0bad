"""The stats processor answers liveness and readiness probes, as the services do, once asked to."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from witaj.devkit.infra import free_port
from witaj.devkit.testing import wait_until
from witaj.stats.probes import probe_app
from witaj.stats.settings import ProcessorSettings, StatsSettings


@pytest.fixture
def settings(make_settings: Callable[..., StatsSettings]) -> StatsSettings:
    """The processor fixture's settings, with the probes on (as in containers)."""
    return make_settings(StatsSettings, processor=ProcessorSettings(batch_size=200, health_port=free_port()))


async def answer(url: str) -> int | None:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code
    except httpx.TransportError:
        return None


async def test_the_running_processor_is_live_and_ready_and_a_killed_one_is_neither(processor) -> None:
    base = f"http://127.0.0.1:{processor.settings.processor.health_port}"
    processor.start()

    async def ready() -> bool:
        return await answer(f"{base}/ready") == 200

    await wait_until(ready, timeout=60, interval=0.2, message="the processor to become ready")
    assert await answer(f"{base}/health") == 200
    async with httpx.AsyncClient() as client:
        checks = (await client.get(f"{base}/ready")).json()
        metrics = await client.get(f"{base}/metrics")
    assert checks == {"status": "ready", "checks": {"mongodb": True, "kafka": True, "writer": True}}
    assert metrics.status_code == 200 and "witaj_http_requests_total" in metrics.text
    processor.kill()
    assert await answer(f"{base}/health") is None


async def test_readiness_names_the_dependency_that_is_missing() -> None:
    async def up() -> bool:
        return True

    async def down() -> bool:
        return False

    app = probe_app(StatsSettings(), {"mongodb": up, "kafka": down, "writer": up})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://p") as client:
        assert (await client.get("/health")).status_code == 200
        refused = await client.get("/ready")
    assert refused.status_code == 503
    assert refused.json()["checks"] == {"mongodb": True, "kafka": False, "writer": True}


def test_the_embedded_run_serves_no_probes_unless_asked() -> None:
    assert StatsSettings().processor.health_port is None
