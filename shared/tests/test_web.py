"""The HTTP building blocks every service shares: error shape, limits, pagination, operations endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from pymongo.errors import AutoReconnect
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve
from witaj.shared.errors import NotFound
from witaj.shared.settings import ServiceSettings
from witaj.shared.web import Page, Pagination, create_service_app


class Note(BaseModel):
    text: str = Field(max_length=20)


def make_app(ready: dict[str, bool] | None = None) -> FastAPI:
    settings = ContentSettings(service=ServiceSettings(max_body_bytes=2048, max_json_depth=5))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name, value in (ready or {}).items():

            async def check(value: bool = value) -> bool:
                return value

            app.state.readiness_checks[name] = check
        yield

    app = create_service_app(settings, service="test", title="t", description="d", lifespan=lifespan)

    @app.post("/notes")
    async def add(note: Note) -> Note:
        return note

    @app.get("/notes/{n}")
    async def get(n: int) -> Note:
        if n > 3:
            raise NotFound(f"Note {n}")
        raise RuntimeError("something internal with a secret inside")

    @app.get("/flaky")
    async def flaky() -> Note:
        raise AutoReconnect("127.0.0.1:27017: connection is already closed")

    @app.get("/numbers")
    async def numbers(page: Pagination) -> Page[int]:
        everything = list(range(45))
        return Page.of(everything[page.offset : page.offset + page.limit], len(everything), page)

    return app


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]
    assert set(error) == {"code", "message", "details"}
    return error


async def test_errors_have_one_shape_and_never_leak_internals() -> None:
    async with serve(make_app(), raise_app_exceptions=False) as client:
        assert_error(await client.get("/notes/9"), 404, "not_found")
        assert_error(await client.get("/nowhere"), 404, "not_found")
        assert_error(await client.delete("/notes/1"), 405, "method_not_allowed")
        error = assert_error(await client.post("/notes", json={"text": "x" * 50}), 422, "validation_failed")
        assert error["details"][0]["field"].endswith("text")
        internal = await client.get("/notes/1")
        assert_error(internal, 500, "internal_error")
        assert "secret" not in internal.text
        # The database away for a moment: not the request's fault, nor a bug: try again shortly.
        flaky = await client.get("/flaky")
        assert_error(flaky, 503, "temporarily_unavailable")
        assert flaky.headers["Retry-After"] == "2" and "27017" not in flaky.text


async def test_bodies_over_the_limit_are_refused_whether_declared_or_streamed() -> None:
    async with serve(make_app()) as client:
        big = b'{"text": "' + b"x" * 4000 + b'"}'
        declared = await client.post("/notes", content=big, headers={"Content-Type": "application/json"})
        assert_error(declared, 413, "payload_too_large")

        async def chunks():
            for _ in range(10):
                yield b"x" * 500

        streamed = await client.post("/notes", content=chunks(), headers={"Content-Type": "application/json"})
        assert_error(streamed, 413, "payload_too_large")


async def test_deeply_nested_json_is_refused_before_parsing() -> None:
    async with serve(make_app()) as client:
        nested = "[" * 50 + "]" * 50
        response = await client.post("/notes", content=nested, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "json_too_deep")


async def test_malformed_json_is_a_clear_4xx() -> None:
    async with serve(make_app()) as client:
        response = await client.post(
            "/notes", content=b'{"text": ', headers={"Content-Type": "application/json"}
        )
        assert response.status_code in (400, 422)
        assert response.json()["error"]["message"]


async def test_pages_say_where_the_next_one_starts() -> None:
    async with serve(make_app()) as client:
        first = (await client.get("/numbers", params={"limit": 20})).json()
        assert first["items"] == list(range(20)) and first["total"] == 45 and first["next_offset"] == 20
        last = (await client.get("/numbers", params={"limit": 20, "offset": 40})).json()
        assert last["items"] == list(range(40, 45)) and last["next_offset"] is None
        assert_error(await client.get("/numbers", params={"limit": 1000}), 422, "validation_failed")


async def test_every_response_carries_a_request_id_and_echoes_the_callers() -> None:
    async with serve(make_app()) as client:
        assert len((await client.get("/health")).headers["X-Request-ID"]) >= 16
        echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
        assert echoed.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize(
    ("checks", "status"),
    [({"mongodb": True, "kafka": True}, 200), ({"mongodb": True, "kafka": False}, 503), ({}, 503)],
)
async def test_ready_reports_each_dependency(checks: dict[str, bool], status: int) -> None:
    async with serve(make_app(checks)) as client:
        assert (await client.get("/health")).status_code == 200
        response = await client.get("/ready")
        assert response.status_code == status
        assert response.json()["checks"] == checks


async def test_metrics_are_exposed_for_prometheus() -> None:
    async with serve(make_app()) as client:
        await client.get("/health")
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200
        assert "witaj_http_requests_total" in metrics.text
