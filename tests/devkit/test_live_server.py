"""The test helper that serves an app over real HTTP says which app did not start, and why."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from witaj.devkit.testing import LiveServer


@asynccontextmanager
async def refuses_to_start(app: FastAPI) -> AsyncIterator[None]:
    raise ConnectionError("the database at 127.0.0.1:1 refused the connection")
    yield


def test_an_app_that_fails_to_start_is_named_with_its_reason() -> None:
    with (
        pytest.raises(RuntimeError) as failed,
        LiveServer(FastAPI(lifespan=refuses_to_start), name="the content service"),
    ):
        pass
    assert "the content service did not start" in str(failed.value)
    assert "ConnectionError: the database at 127.0.0.1:1 refused the connection" in str(failed.value)


def test_an_app_that_starts_is_served_and_stopped() -> None:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    server = LiveServer(app, name="the health app")
    with server as url:
        assert httpx.get(f"{url}/health").json() == {"status": "ok"}
    assert not server._thread or not server._thread.is_alive()
