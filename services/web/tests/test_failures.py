"""When something is missing or broken the reader gets a calm page in their language, and the app stays up."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.responses import JSONResponse
from web_helpers import web_settings
from witaj.devkit.infra import free_port
from witaj.devkit.testing import live_server, serve
from witaj.web.main import create_app
from witaj.web.settings import BackendSettings

TRACES = ("Traceback", 'File "', "Exception", "httpx.", "ConnectError")


def calm(page: httpx.Response) -> None:
    """An HTML page, never a stack trace or a raw error."""
    assert page.headers["content-type"].startswith("text/html")
    for trace in TRACES:
        assert trace not in page.text


async def test_an_unknown_city_is_a_page_in_the_readers_language_with_a_way_on(web) -> None:
    page = await web.get("/atlantis/uk", headers={"Accept-Language": "uk"})
    assert page.status_code == 404
    calm(page)
    assert "Ми не знайшли це місто." in page.text and 'href="/"' in page.text


async def test_an_unknown_item_offers_the_citys_home_and_search(web) -> None:
    page = await web.get("/lublin/ar/pages/no-such-page")
    assert page.status_code == 404
    calm(page)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "الصفحة غير موجودة" in page.text
    assert 'href="/lublin/ar"' in page.text and 'href="/lublin/ar/search"' in page.text
    for address in ("/lublin/en/pages/Not_An_Id", "/lublin/en/recipes", "/lublin/en/recipes/soup"):
        assert (await web.get(address)).status_code == 404, address


async def test_a_language_the_city_does_not_offer_lists_the_ones_it_does(web) -> None:
    page = await web.get("/lublin/fa/processes/lublin-temporary-residence")
    assert page.status_code == 404
    calm(page)
    assert '<html lang="fa" dir="rtl">' in page.text  # the app itself speaks Persian (Dari's texts)
    assert "Lublin هنوز صفحه‌ای به این زبان (فارسی) ندارد." in page.text
    assert 'href="/lublin/uk" lang="uk"' in page.text


async def test_a_bad_address_is_a_page_too(web) -> None:
    page = await web.get("/lublin/en/processes", params={"page": "many"})
    assert page.status_code == 400
    calm(page)
    assert "This address is not right" in page.text


async def test_with_the_content_service_down_pages_say_so_and_the_app_stays_up(platform) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_app(web_settings(platform, content_url=dead))
    async with serve(app) as web:
        for address in ("/", "/lublin/uk", "/lublin/uk/processes/lublin-temporary-residence"):
            page = await web.get(address, headers={"Accept-Language": "uk"})
            assert page.status_code == 503, address
            calm(page)
            assert "Сервіс зараз недоступний" in page.text
            assert page.headers["retry-after"] == "30"
        ready = await web.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["content"] is False
        assert (await web.get("/health")).status_code == 200


async def test_a_page_read_before_shows_its_saved_copy_while_the_service_is_down(platform) -> None:
    class Switch(httpx.AsyncBaseTransport):
        """The real network to the real content service, with a switch that cuts it."""

        def __init__(self) -> None:
            self.real = httpx.AsyncHTTPTransport()
            self.cut = False

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.cut:
                raise httpx.ConnectError("cut", request=request)
            return await self.real.handle_async_request(request)

    switch = Switch()
    app = create_app(web_settings(platform, backend=BackendSettings(fresh_seconds=0)), transport=switch)
    address = "/lublin/en/processes/lublin-temporary-residence"
    async with serve(app) as web:
        fresh = await web.get(address)
        assert fresh.status_code == 200 and "saved copy" not in fresh.text
        switch.cut = True
        saved = await web.get(address)
        assert saved.status_code == 503
        calm(saved)
        assert "You are seeing a saved copy from" in saved.text
        assert "Temporary residence permit" in saved.text and saved.text.count('class="step"') == 5
        never_read = await web.get("/lublin/en/pages/lublin-work")
        assert never_read.status_code == 503 and "The service is not available right now" in never_read.text
        switch.cut = False
        assert (await web.get(address)).status_code == 200


async def test_a_slow_service_gives_a_page_that_says_so_instead_of_waiting(platform) -> None:
    slow = FastAPI()

    @slow.get("/{path:path}")
    async def answer_late(path: str) -> Any:
        await asyncio.sleep(5)
        return JSONResponse([])

    async with live_server(slow) as slow_url:
        settings = web_settings(platform, content_url=slow_url, backend=BackendSettings(timeout_seconds=0.3))
        async with serve(create_app(settings)) as web:
            page = await web.get("/lublin/en")
    assert page.status_code == 503
    calm(page)


async def test_an_answer_larger_than_the_cap_is_refused_like_a_failure(platform) -> None:
    big = FastAPI()

    @big.get("/cities")
    async def many_cities() -> Any:
        return JSONResponse([{"padding": "x" * 1000}] * 100)

    async with live_server(big) as big_url:
        settings = web_settings(
            platform, content_url=big_url, backend=BackendSettings(max_response_bytes=10_000)
        )
        async with serve(create_app(settings)) as web:
            page = await web.get("/")
    assert page.status_code == 503
    calm(page)


async def test_every_answer_carries_the_security_headers(web) -> None:
    for address in ("/lublin/en", "/static/css/witaj.css", "/lublin/en/pages/nope", "/health"):
        answer = await web.get(address)
        csp = answer.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "camera=()" in answer.headers["permissions-policy"]


async def test_pages_load_nothing_from_anywhere_else_and_have_no_inline_script_or_style(web) -> None:
    for address in (
        "/",
        "/lublin/en",
        "/lublin/ar/processes/lublin-temporary-residence",
        "/lublin/en/search?q=x",
    ):
        text = (await web.get(address)).text
        for source in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', text):
            assert source.startswith("/static/"), (address, source)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), address
        assert " style=" not in text and "<style" not in text and " on" + "click=" not in text
