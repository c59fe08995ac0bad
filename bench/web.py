"""Web app benchmarks: a procedure page through the web app against the content API's own read of the
same item, the page's weight on a first visit, and its first contentful paint on a slow mobile network.

The platform runs as `make run` has it, each service and the web app in its own process
(`local_platform`), on its own embedded broker and database with the demo city seeded.

- Throughput: 50 clients read the demo procedure as the web app's page
  (`/lublin/en/processes/lublin-temporary-residence`) and, as the baseline, the same item from the
  content API (`/cities/lublin/processes/lublin-temporary-residence?lang=en`), both compressed as a browser
  asks for them. The page costs the web app's rendering and its own calls to the content API (the item,
  revalidated by its ETag, and the offices of the steps).
- Weight: what a browser downloads for the page on a first visit (the HTML, its stylesheet and the
  images the stylesheet names, its scripts, icons and images, the service worker), compressed as Chromium
  asks over HTTPS (`br`), bodies as on the wire; the HTML alone too. The map is not on this page. What the
  service worker fetches afterwards to keep the city readable offline (the page itself again, the home
  and "offline" pages) is reported beside it, not in it.
- First contentful paint: Debian's Chromium through Playwright, a fresh profile each time (a first visit),
  under Chromium's emulation of a slow 3G connection (400 kbit/s both ways, 400 ms round trip) and, as the
  baseline, without any throttle; the median of several loads each.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
from witaj.devkit.cluster import LocalPlatform, local_platform
from witaj.devkit.testing import wait_until

from bench.env import BenchEnv, platform_logs
from bench.results import Result

PROCESS = "lublin-temporary-residence"
PAGE = f"/lublin/en/processes/{PROCESS}"
ITEM = f"/cities/lublin/processes/{PROCESS}?lang=en"
CONCURRENCY = 50
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
ENV = {
    **{f"WITAJ_{s}_SERVICE__LOG_LEVEL": "WARNING" for s in ("CONTENT", "EVENTS", "NOTIFY", "STATS", "WEB")},
    # capacity is measured, not patience: on a busy machine the web app's waits for the content API (1 s
    # to connect, 3 s to answer) would turn queued requests into "service not answering" pages
    "WITAJ_WEB_BACKEND__TIMEOUT_SECONDS": "30",
    "WITAJ_WEB_BACKEND__CONNECT_TIMEOUT_SECONDS": "30",
}
FCP = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entry = list.getEntries().find((e) => e.name === "first-contentful-paint");
    if (entry) resolve(entry.startTime);
  }).observe({ type: "paint", buffered: true });
})"""


async def _answers(client: httpx.AsyncClient, path: str) -> bool:
    return (await client.get(path)).status_code == 200


CLOSED = (httpx.ReadError, httpx.RemoteProtocolError)
"""A kept-alive connection the server closed (idle past its keep-alive time) just as it was used again:
on a starved machine this happens; the request is sent again on another connection, and counted."""
resent: list[str] = []


async def _load(client: httpx.AsyncClient, path: str, total: int) -> float:
    """Requests per second with CONCURRENCY clients, each answer read in full."""
    queue = iter(range(total))

    async def worker() -> None:
        for _ in queue:
            try:
                response = await client.get(path)
            except CLOSED:
                resent.append(path)
                response = await client.get(path)
            assert response.status_code == 200, (path, response.status_code)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return total / (time.perf_counter() - started)


class _Files(HTMLParser):
    """What a page makes the browser download: stylesheets, scripts, icons, images, its service worker."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        rel = (named.get("rel") or "").split()
        if tag == "link" and ("stylesheet" in rel or "icon" in rel):
            self.found.append(named.get("href") or "")
        elif tag in ("script", "img"):
            self.found.append(named.get("src") or "")
        if named.get("data-worker"):
            self.found.append(named["data-worker"] or "")


async def _wire_bytes(client: httpx.AsyncClient, path: str) -> tuple[int, str]:
    """Bytes on the wire for one answer (its compressed body, as downloaded), and the body itself."""
    async with client.stream("GET", path, headers={"Accept-Encoding": "br"}) as response:
        assert response.status_code == 200, (path, response.status_code)
        await response.aread()
        return response.num_bytes_downloaded, response.text


async def _weight(client: httpx.AsyncClient) -> tuple[int, int, list[str], int]:
    """(page bytes, HTML bytes, the files counted, offline prefetch bytes) on a first visit."""
    html, text = await _wire_bytes(client, PAGE)
    parser = _Files()
    parser.feed(text)
    files = sorted({urljoin(PAGE, found) for found in parser.found if found})
    sizes = dict(zip(files, await asyncio.gather(*(_wire_bytes(client, f) for f in files)), strict=True))
    for path, (_, body) in list(sizes.items()):  # images a stylesheet names (read-aloud's speaker)
        if path.split("?")[0].endswith(".css"):
            named = {urljoin(path, found) for found in re.findall(r'url\("?([^")]+)"?\)', body)}
            for image in sorted(named - sizes.keys()):
                sizes[image] = await _wire_bytes(client, image)
    kept = [re.search(r'data-home="([^"]+)"', text), re.search(r'data-offline-page="([^"]+)"', text)]
    prefetch = await asyncio.gather(*(_wire_bytes(client, m.group(1)) for m in kept if m))
    return html + sum(n for n, _ in sizes.values()), html, sorted(sizes), html + sum(n for n, _ in prefetch)


async def _paint(url: str, loads: int, throttled: bool) -> float:
    """Median first contentful paint in ms over `loads` first visits."""
    from playwright.async_api import async_playwright

    paints = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        try:
            for _ in range(loads):
                context = await browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
                page = await context.new_page()
                session = await context.new_cdp_session(page)
                await session.send("Network.enable")
                if throttled:
                    await session.send("Network.emulateNetworkConditions", SLOW_3G)
                await page.goto(url + PAGE, wait_until="load", timeout=60_000)
                paints.append(float(await page.evaluate(FCP)))
                await context.close()
        finally:
            await browser.close()
    return statistics.median(paints)


def _client(base_url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    headers = {"Accept-Encoding": BROWSER_ENCODINGS}
    return httpx.AsyncClient(base_url=base_url, limits=limits, headers=headers, timeout=30)


async def _rate(base_url: str, path: str, requests: int) -> float:
    """Requests per second on connections of their own, warmed just before (a connection left idle
    while the other side is measured may be closed by the server just as it is used again)."""
    async with _client(base_url) as client:
        await _load(client, path, 200)
        return await _load(client, path, requests)


async def _measure(env: BenchEnv, platform: LocalPlatform) -> list[Result]:
    web, content = platform.url("web"), platform.url("content")
    requests = env.size(3_000, 300)
    async with _client(web) as to_web:
        await wait_until(lambda: _answers(to_web, PAGE), timeout=60, message="the demo procedure's page")
        total, html, files, prefetch = await _weight(to_web)
    item_rps = await _rate(content, ITEM, requests)
    page_rps = await _rate(web, PAGE, requests)
    loads = env.size(5, 2)
    fast = await _paint(web, loads, throttled=False)
    slow = await _paint(web, loads, throttled=True)
    return [
        Result(
            "web.procedure_page_throughput",
            page_rps,
            "req/s",
            baseline=item_rps,
            goal=0.5,
            note=f"{CONCURRENCY} clients, separate processes; baseline: the content API's own read of the item; "
            f"requests sent again on a closed connection: {resent.count(PAGE)} (page), {resent.count(ITEM)} (item)",
        ),
        Result(
            "web.procedure_page_weight",
            total / 1000,
            "kB",
            goal=50,
            goal_kind="value_at_most",
            note=f"first visit, brotli bodies: the HTML and {', '.join(f.split('?')[0] for f in files)}; "
            f"then kept for offline: {prefetch / 1000:.1f} kB (the page, home and offline pages)",
        ),
        Result(
            "web.procedure_page_html_weight",
            html / 1000,
            "kB",
            goal=14,
            goal_kind="value_at_most",
            note="the page's HTML, brotli, as on the wire",
        ),
        Result(
            "web.first_contentful_paint_slow_3g",
            slow,
            "ms",
            baseline=fast,
            goal=2500,
            goal_kind="value_at_most",
            note=f"Chromium, 400 kbit/s, 400 ms RTT, first visit, median of {loads}; baseline: no throttle",
        ),
    ]


async def run(env: BenchEnv) -> list[Result]:
    starting = local_platform(extra_env=ENV, log_dir=platform_logs("web"))
    platform: LocalPlatform = await asyncio.to_thread(starting.__enter__)
    try:
        return await _measure(env, platform)
    finally:
        await asyncio.to_thread(starting.__exit__, None, None, None)
