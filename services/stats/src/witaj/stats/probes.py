"""The stats processor's `/health`, `/ready` and `/metrics`, for the orchestrator and Prometheus.

The processor serves no API, but a container platform must still tell a live worker from a stuck one and
a connected one from one waiting for its broker. It answers on `processor.health_port` with the same
operational endpoints as every service (`witaj.shared.web.create_service_app`), served by uvicorn in
faust's own event loop: `/health` answers only while that loop runs and the writer is working (the
probes stop with it), `/ready` only once MongoDB and Kafka answer and the writer has started.
The embedded run (`make run`) leaves the port unset: there the stats API has the service's port.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from witaj.shared.web import ReadinessCheck, create_service_app
from witaj.stats.settings import StatsSettings


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # faust's worker handles the process's signals


@asynccontextmanager
async def _no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


def probe_app(settings: StatsSettings, checks: dict[str, ReadinessCheck]) -> FastAPI:
    app = create_service_app(
        settings,
        service="stats-processor",
        title="Witaj stats processor",
        description="Liveness, readiness and metrics of the stats stream processor.",
        lifespan=_no_lifespan,
    )
    app.state.readiness_checks.update(checks)
    return app


@asynccontextmanager
async def serve_probes(settings: StatsSettings, checks: dict[str, ReadinessCheck]) -> AsyncIterator[None]:
    """Answer the probes while the block runs (nothing when `processor.health_port` is unset)."""
    port = settings.processor.health_port
    if port is None:
        yield
        return
    config = uvicorn.Config(
        probe_app(settings, checks),
        host=settings.service.host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        proxy_headers=False,
    )
    server = _Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(), name="stats-processor-probes")
    try:
        yield
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
