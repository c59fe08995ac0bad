"""Helpers for Witaj's service and system tests: run an app or the whole platform, poll with a deadline,
read a topic."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from witaj.devkit.sandbox import Sandbox
from witaj.shared.settings import AuthSettings, KafkaSettings, ServiceSettings

T = TypeVar("T")


async def wait_until(
    check: Callable[[], Awaitable[T]] | Callable[[], T],
    *,
    timeout: float = 10.0,
    interval: float = 0.02,
    message: str = "condition",
) -> T:
    """Poll `check` until it returns something truthy; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message} (last value: {last!r})")
        await asyncio.sleep(interval)


@asynccontextmanager
async def serve(
    app: FastAPI, *, headers: dict[str, str] | None = None, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give an HTTP client talking to it in-process.

    Unexpected exceptions surface in the test by default; pass `raise_app_exceptions=False` to see the
    500 response a real client would get instead.
    """
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://witaj.test", headers=headers
        ) as client:
            yield client


async def read_topic(
    settings: KafkaSettings,
    topic: str,
    *,
    count: int,
    timeout: float = 10.0,
    prefixed: bool = False,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read at least `count` records from the start of a topic (no consumer group, nothing committed)."""
    name = topic if prefixed else settings.topics(topic)
    consumer = AIOKafkaConsumer(
        name,
        bootstrap_servers=settings.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=100)
            for messages in batch.values():
                records.extend(messages)
    finally:
        await consumer.stop()
    return records


async def read_whole_topic(
    settings: KafkaSettings, topic: str, *, timeout: float = 10.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record a topic held when the call began, duplicates included.

    For topics written at least once, where a count of records says nothing about which records came:
    reads each partition from its start to the end offset it had when the read began.
    """
    name = settings.topics(topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=50
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        await consumer.topics()  # fetches the cluster's metadata, which partitions_for_topic reads
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        if not partitions:
            return records
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s reading {name} to its end")
            batch = await consumer.getmany(timeout_ms=100)
            for partition, messages in batch.items():
                records.extend(message for message in messages if message.offset < ends[partition])
    finally:
        await consumer.stop()
    return records


@asynccontextmanager
async def live_server(app: FastAPI, *, startup_timeout: float = 60.0) -> AsyncIterator[str]:
    """Serve the app over real HTTP (uvicorn on a local socket) in the running event loop; yields its URL.

    For what the in-process transport cannot show, such as a streamed response read while it is still
    being written. The app's lifespan runs inside, and the app object stays reachable from the test.
    Open streams get a second to end when the server stops, then they are cancelled.
    """
    import uvicorn
    from witaj.devkit.infra import free_port

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # leave the test runner's signal handling alone

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, timeout_graceful_shutdown=1
    )
    server = Server(config)

    async def serve_until_told() -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits the process when the lifespan fails to start
            raise RuntimeError(f"the app failed to start (exit code {exc.code})") from None

    task = asyncio.get_running_loop().create_task(serve_until_told(), name=f"live-server-{port}")
    try:
        await wait_until(
            lambda: server.started or task.done(), timeout=startup_timeout, message="the app to start"
        )
        if not server.started:
            task.result()  # raises why it did not start
            raise RuntimeError(f"the app did not start on 127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)


class LiveServer:
    """A service app served over real HTTP by uvicorn in a background thread (for sync HTTP clients
    such as the API fuzzer). `with LiveServer(app) as url: ...` runs its lifespan and stops it after."""

    def __init__(self, app: FastAPI, *, name: str = "the app", startup_timeout: float = 60.0) -> None:
        import uvicorn
        from witaj.devkit.infra import free_port

        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.startup_timeout = startup_timeout
        self._thread: threading.Thread | None = None

    def __enter__(self) -> str:
        # uvicorn only logs why a lifespan failed (and ends its thread): keep those lines for the error.
        failures = _StartupFailures()
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.addHandler(failures)
        try:
            self._thread = threading.Thread(target=self._run, name=f"live-server-{self.port}", daemon=True)
            self._thread.start()
            deadline = time.monotonic() + self.startup_timeout
            while not self.server.started:
                if not self._thread.is_alive():
                    raise RuntimeError(f"{self.name} did not start on {self.url}:\n{failures.text()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.name} did not start on {self.url} within {self.startup_timeout:.0f} s:\n"
                        f"{failures.text()}"
                    )
                time.sleep(0.05)
        finally:
            uvicorn_log.removeHandler(failures)
        return self.url

    def _run(self) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits when the lifespan fails; the error says why
            self.server.run()

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)


class _StartupFailures(logging.Handler):
    """The error lines (with their tracebacks) uvicorn logs while an app starts."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.Formatter().format(record))

    def text(self) -> str:
        return "\n".join(self.records) or "(uvicorn logged no error)"


SERVICES: dict[str, tuple[str, str]] = {
    "content": ("witaj.content.main", "witaj.content.settings:ContentSettings"),
    "events": ("witaj.events.main", "witaj.events.settings:EventsSettings"),
    "notify": ("witaj.notify.main", "witaj.notify.settings:NotifySettings"),
    "stats": ("witaj.stats.main", "witaj.stats.settings:StatsSettings"),
    "ask": ("witaj.ask.main", "witaj.ask.settings:AskSettings"),
}
"""The backend services: the module with `create_app`, and their settings class."""


def service_settings(
    name: str, sandbox: Sandbox, service: ServiceSettings, auth: AuthSettings | None = None, **extra: Any
) -> Any:
    """One backend service's settings inside the sandbox (trusting `auth`'s issuer instead of the
    development key when given: an identity provider the tests started); `extra` are more of them."""
    import importlib

    settings_module, _, class_name = SERVICES[name][1].partition(":")
    overrides: dict[str, Any] = {"service": service, **({"auth": auth} if auth else {}), **extra}
    return sandbox.settings(getattr(importlib.import_module(settings_module), class_name), **overrides)


def service_app(
    name: str, sandbox: Sandbox, service: ServiceSettings, auth: AuthSettings | None = None, **extra: Any
) -> FastAPI:
    """One backend service's app, built with its settings inside the sandbox."""
    import importlib

    create_app = importlib.import_module(SERVICES[name][0]).create_app
    return create_app(service_settings(name, sandbox, service, auth, **extra))  # type: ignore[no-any-return]


def run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from synchronous code, also where an event loop is already running in this
    thread (a sync fixture set up inside Playwright's or an async test's loop): then in a thread of
    its own, since `asyncio.run` refuses to nest."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@contextlib.contextmanager
def running_platform(
    sandbox: Sandbox,
    service: ServiceSettings,
    auth: AuthSettings | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> Iterator[dict[str, str]]:
    """Every backend service served over real HTTP on the sandbox's broker and database, with the demo
    cities seeded as `make run` seeds them (content's relay then tells the others); yields the base URL
    of each. Stops them all after. `extra`: more settings of some services, by service name."""
    from witaj.devkit.demo.seeding import seed_databases

    servers = {
        name: LiveServer(
            service_app(name, sandbox, service, auth, **(extra or {}).get(name, {})),
            name=f"the {name} service",
        )
        for name in SERVICES
    }
    urls: dict[str, str] = {}
    try:
        for name, server in servers.items():
            urls[name] = server.__enter__()
        run_to_end(
            seed_databases(
                *(service_settings(name, sandbox, service, auth) for name in ("content", "events", "notify"))
            )
        )
        yield urls
    finally:
        for name, server in servers.items():
            if name in urls:
                server.__exit__(None, None, None)


@dataclass(frozen=True)
class ServedRoute:
    """A route as an app serves it: its full path and every dependency it runs (router-level ones too),
    so tests can find every route of a kind and a new route cannot be forgotten."""

    route: APIRoute
    path: str
    include_dependencies: tuple[object, ...]

    @property
    def methods(self) -> set[str]:
        return set(self.route.methods)

    def calls(self) -> list[object]:
        return [*self.include_dependencies, *_calls(self.route.dependant)]


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def served_routes(
    routes: list[BaseRoute], prefix: str = "", dependencies: tuple[object, ...] = ()
) -> Iterator[ServedRoute]:
    """Every APIRoute of `app.routes`, also inside included routers (FastAPI keeps those nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield ServedRoute(route, prefix + route.path, dependencies)
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            context = route.include_context
            extra = tuple(d.dependency for d in context.dependencies)
            yield from served_routes(
                route.original_router.routes, prefix + context.prefix, dependencies + extra
            )
