"""A web replica with no place left answers a reader with a page in their language, not the APIs' JSON:
503 with Retry-After, saying the service is not available right now; its health is still answered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from web_helpers import web_settings
from witaj.devkit.testing import serve
from witaj.web.main import create_app
from witaj.web.settings import WebServiceSettings

ITEM = "/lublin/en/pages/lublin-renting"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_a_full_replica_shows_a_busy_page_and_recovers(platform) -> None:
    service = WebServiceSettings(max_in_flight=1, max_queued=0, log_level="WARNING")
    app = create_app(web_settings(platform, service=service))
    reading, gate = asyncio.Event(), asyncio.Event()

    async def slow_form() -> AsyncIterator[bytes]:
        yield b"helpful="
        reading.set()  # the replica took the request on and reads its body: its one place is held
        await gate.wait()
        yield b"yes"

    async with serve(app) as web:
        assert (await web.get(ITEM)).status_code == 200
        holding = asyncio.create_task(web.post(f"{ITEM}/feedback", content=slow_form(), headers=FORM))
        async with asyncio.timeout(10):
            await reading.wait()
        busy = await web.get(ITEM)
        assert busy.status_code == 503
        assert busy.headers["content-type"].startswith("text/html")
        assert busy.headers["Retry-After"] == "2"
        assert "The service is not available right now" in busy.text
        assert (await web.get("/health")).status_code == 200  # never held back
        gate.set()
        assert (await holding).status_code == 403  # answered as usual: a form without its token
        assert (await web.get(ITEM)).status_code == 200
