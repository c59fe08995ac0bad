"""Admission: a process at its limit queues a few requests briefly and refuses the rest politely, serves
what it took on, never holds back its operational routes, and is itself again once the surge passes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from prometheus_client import REGISTRY
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve, wait_until
from witaj.shared.admission import Admission
from witaj.shared.settings import ServiceSettings
from witaj.shared.web import PlatformMiddleware, create_service_app


def busy_app(service: str, gate: asyncio.Event, *, queued: int = 1, wait: float = 30.0) -> FastAPI:
    """Two places and `queued` waiting; /work holds its place until the gate opens."""
    settings = ContentSettings(
        service=ServiceSettings(max_in_flight=2, max_queued=queued, queue_wait_seconds=wait)
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    app = create_service_app(settings, service=service, title="t", description="d", lifespan=lifespan)

    @app.post("/work")
    async def work(body: dict[str, int]) -> dict[str, int]:
        await gate.wait()
        return body

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            yield b"first\n"
            await gate.wait()
            yield b"last\n"

        return StreamingResponse(lines(), media_type="text/plain")

    return app


async def places(client: httpx.AsyncClient, app: FastAPI) -> Admission:
    await client.get("/health")  # the middleware is put together on the first request
    layer = app.middleware_stack
    while not isinstance(layer, PlatformMiddleware):
        layer = layer.app  # type: ignore[attr-defined]
    assert layer.admission is not None
    return layer.admission


def shed_count(service: str) -> float:
    return REGISTRY.get_sample_value("witaj_http_shed_total", {"service": service}) or 0.0


def assert_shed(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "2"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == "overloaded" and "try again in 2 s" in error["message"]
    assert error["details"] == {"retry_after_seconds": 2}


async def test_past_its_places_and_queue_a_process_refuses_at_once_and_serves_what_it_took() -> None:
    gate = asyncio.Event()
    app = busy_app("admission-full", gate)
    async with serve(app) as client:
        admission = await places(client, app)
        taken = [asyncio.create_task(client.post("/work", json={"n": n})) for n in range(3)]
        await wait_until(lambda: admission.in_flight == 2 and admission.queued == 1, message="full")

        refused = await client.post("/work", json={"n": 99})
        assert_shed(refused)
        assert shed_count("admission-full") == 1
        # the orchestrator still sees a live, ready replica, and its metrics
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).status_code in (200, 503)
        metrics = await client.get("/metrics")
        assert 'witaj_http_shed_total{service="admission-full"} 1.0' in metrics.text

        gate.set()
        answers = await asyncio.gather(*taken)
        assert [a.json() for a in answers] == [{"n": 0}, {"n": 1}, {"n": 2}]  # all it took on, served
        assert (admission.in_flight, admission.queued) == (0, 0)
        again = await client.post("/work", json={"n": 5})
        assert again.status_code == 200 and again.json() == {"n": 5}


async def test_a_request_waits_no_longer_than_the_queue_allows() -> None:
    gate = asyncio.Event()
    app = busy_app("admission-wait", gate, wait=0.05)
    async with serve(app) as client:
        admission = await places(client, app)
        held = [asyncio.create_task(client.post("/work", json={"n": n})) for n in range(2)]
        await wait_until(lambda: admission.in_flight == 2, message="both places taken")
        assert_shed(await client.post("/work", json={"n": 3}))  # the gate stays shut: it gave up
        assert admission.queued == 0
        gate.set()
        assert all(a.status_code == 200 for a in await asyncio.gather(*held))


async def test_a_stream_gives_its_place_back_once_its_answer_has_started() -> None:
    gate = asyncio.Event()
    app = busy_app("admission-stream", gate)
    async with serve(app) as client:
        admission = await places(client, app)
        streams = [asyncio.create_task(client.get("/stream")) for _ in range(3)]
        await wait_until(lambda: admission.in_flight == 0 and admission.queued == 0, message="freed")
        gate.set()
        assert [(await s).text for s in streams] == ["first\nlast\n"] * 3


async def test_a_waiter_that_leaves_takes_no_place_with_it() -> None:
    admission = Admission("admission-leave", max_in_flight=1, max_queued=2, queue_wait_seconds=30)
    assert await admission.enter()
    leaving = asyncio.create_task(admission.enter())
    staying = asyncio.create_task(admission.enter())
    await wait_until(lambda: admission.queued == 2, message="two waiting")
    leaving.cancel()
    admission.leave()  # the place passes over the one that left, to the next in line
    assert await staying is True
    assert leaving.cancelled()
    assert (admission.in_flight, admission.queued) == (1, 0)
    admission.leave()
    assert admission.in_flight == 0
