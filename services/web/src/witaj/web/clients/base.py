"""What every backend client shares: short timeouts, a cap on answer size, the last good answers.

A service that is down, slow, or answers nonsense must not take the web app with it: each call waits at
most `backend.timeout_seconds`, reads at most `backend.max_response_bytes`, and turns every such failure
into `BackendUnavailable` (the pages answer 503 and say so). A bounded in-memory store keeps the last
good answer per address, so a reader gets a saved copy (marked as such) instead of nothing, and items
are revalidated with their ETag. Answers the services give on purpose (404, 4xx) are raised as
`BackendNotFound` (`BackendSwitchedOff` for a part of Witaj the city switched off) / `BackendRefused`
for the pages to explain.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
from witaj.shared.logging import get_logger
from witaj.web.settings import BackendSettings

log = get_logger("witaj.web.backend")
T = TypeVar("T")
Params = dict[str, str | int | list[str]]
CLOSED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""How a connection the service closed shows when it is used (nothing was answered on it)."""


class BackendUnavailable(Exception):
    """A service did not answer in time, answered 5xx, or answered something unreadable."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class BackendRefused(Exception):
    """A service answered 4xx on purpose; `code` is its error code (e.g. 'rate_limited')."""

    def __init__(self, service: str, status: int, code: str, details: Any = None) -> None:
        super().__init__(f"{service}: {status} {code}")
        self.service = service
        self.status = status
        self.code = code
        self.details = details


class BackendNotFound(BackendRefused):
    """The service does not know what was asked for (an unknown city, item or language)."""


class BackendSwitchedOff(BackendNotFound):
    """The city switched off the part of Witaj that was asked for (the services' 404 `feature_disabled`),
    perhaps since the web app last read the city's switches."""

    @property
    def feature(self) -> str | None:
        found = self.details.get("feature") if isinstance(self.details, dict) else None
        return found if isinstance(found, str) else None


def http_client(
    base_url: str,
    transport: httpx.AsyncBaseTransport | None,
    *,
    timeout: httpx.Timeout,
    limits: httpx.Limits,
    accept: str,
) -> httpx.AsyncClient:
    """A client for one service: never follows redirects (a service answering with one is broken)."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=limits,
        headers={"User-Agent": "witaj-web", "Accept": accept},
        follow_redirects=False,
        transport=transport,
    )


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A service's answer; `saved_at` is set when it is the last good copy shown while the service fails."""

    data: T
    saved_at: datetime | None = None


@dataclass
class _Saved:
    data: Any
    etag: str | None
    at: datetime
    fetched: float


class BackendClient:
    """One service's HTTP API. Subclasses add typed methods for what the pages use."""

    service = "backend"

    def __init__(
        self,
        base_url: str,
        settings: BackendSettings,
        *,
        service: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.service = service or type(self).service
        self.settings = settings
        self.http = http_client(
            base_url,
            transport,
            timeout=httpx.Timeout(settings.timeout_seconds, connect=settings.connect_timeout_seconds),
            # as many kept alive as may be open: httpcore closes a connection that falls idle whenever the
            # pool holds more connections than that, busy ones included, so under load nearly every call
            # would connect again (and wait for the service to accept) with fewer
            # and let go of an idle one before the service does (uvicorn after 5 s): one it has just closed
            # would fail the call that picks it up
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=3.0),
            accept="application/json",
        )
        self._saved: OrderedDict[tuple[str, str], _Saved] = OrderedDict()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def reachable(self) -> bool:
        """For /ready: the service answers its own /health."""
        try:
            response = await self.http.get("/health", timeout=self.settings.connect_timeout_seconds)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def get(
        self,
        path: str,
        params: Params | None = None,
        *,
        headers: dict[str, str] | None = None,
        fresh_for: float = 0,
    ) -> Answer[Any]:
        """GET JSON. Within `fresh_for` seconds of the last good answer that answer is reused without
        asking; an answer with an ETag is revalidated; a failure falls back to the last good answer."""
        key = (path, httpx.QueryParams(params or {}).__str__())
        saved = self._saved.get(key)
        if saved is not None and fresh_for and time.monotonic() - saved.fetched < fresh_for:
            self._saved.move_to_end(key)
            return Answer(saved.data)
        sent = dict(headers or {})
        if saved is not None and saved.etag:
            sent["If-None-Match"] = saved.etag
        try:
            status, body, response_headers = await self._exchange("GET", path, params=params, headers=sent)
        except BackendUnavailable:
            if saved is None:
                raise
            log.warning("backend.saved_copy_shown", service=self.service, route=path)
            return Answer(saved.data, saved_at=saved.at)
        if status == 304 and saved is not None:
            saved.fetched = time.monotonic()
            self._saved.move_to_end(key)
            return Answer(saved.data)
        data = self._decode(status, body)
        if status >= 400:
            self._saved.pop(key, None)  # gone on purpose (unpublished, say): never show it again
            raise self._refusal(status, data)
        self._save(key, _Saved(data, response_headers.get("etag"), datetime.now(UTC), time.monotonic()))
        return Answer(data)

    async def post(self, path: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None) -> Any:
        """POST JSON; never retried or answered from memory (a write either reached the service or not)."""
        return await self.call("POST", path, payload=payload, headers=headers)

    async def call(
        self,
        method: str,
        path: str,
        *,
        payload: dict[str, Any] | None = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One request whose answer is nobody else's: writes, and reads that carry a reader's own
        credential (their registrations, their inbox). Never kept, revalidated or answered from memory,
        so one reader's answer can never be shown to another."""
        options: dict[str, Any] = {"params": params} if params else {}
        if payload is not None:
            options["json"] = payload
        status, body, _ = await self._exchange(method, path, headers=headers or {}, **options)
        data = self._decode(status, body)
        if status >= 400:
            raise self._refusal(status, data)
        return data

    async def send(
        self,
        method: str,
        path: str,
        *,
        token: str,
        params: Params | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        raw: bool = False,
    ) -> tuple[Any, httpx.Headers]:
        """A call on behalf of a signed-in person, with their bearer token. Never answered from, nor
        kept in, the saved answers: those are shared by every reader of this replica. `raw` answers the
        body's bytes (a file to download) instead of its JSON."""
        sent = {**(headers or {}), "Authorization": f"Bearer {token}"}
        options: dict[str, Any] = {"params": params}
        if json is not None:
            options["json"] = json
        if content is not None:
            options["content"] = content
        if timeout is not None:
            options["timeout"] = httpx.Timeout(timeout, connect=self.settings.connect_timeout_seconds)
        status, body, response_headers = await self._exchange(method, path, headers=sent, **options)
        if status >= 400 or not raw:
            data = self._decode(status, body)
            if status >= 400:
                raise self._refusal(status, data)
            return data, response_headers
        return body, response_headers

    async def _exchange(
        self, method: str, path: str, *, headers: dict[str, str], resend: bool = True, **options: Any
    ) -> tuple[int, bytes, httpx.Headers]:
        """One request, its body read up to the size cap; every way it can fail is BackendUnavailable.
        A GET that finds its kept-alive connection closed by the service (which may happen just as the
        connection is picked up) is sent once more, on a new connection; a write never is."""
        limit = self.settings.max_response_bytes
        try:
            async with self.http.stream(method, path, headers=headers, **options) as response:
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise self._down(f"answer larger than {limit} bytes")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise self._down(f"answer larger than {limit} bytes")
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise self._down("timed out") from None
        except CLOSED as exc:
            if resend and method == "GET":
                log.info("backend.resent", service=self.service, reason=type(exc).__name__)
                return await self._exchange(method, path, headers=headers, resend=False, **options)
            raise self._down(type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise self._down(type(exc).__name__) from None
        body = b"".join(chunks)
        if response.status_code >= 500 and not self.answered_on_purpose(response.status_code, body):
            raise self._down(f"status {response.status_code}")
        return response.status_code, body, response.headers

    def answered_on_purpose(self, status: int, body: bytes) -> bool:
        """Whether a 5xx answer is the service's own word about something else failing (a calendar
        URL that did not answer, say), to be shown as a refusal rather than as the service being down."""
        return False

    def _down(self, reason: str) -> BackendUnavailable:
        log.warning("backend.unavailable", service=self.service, reason=reason)
        return BackendUnavailable(self.service, reason)

    def _decode(self, status: int, body: bytes) -> Any:
        if status == 304:
            raise self._down("304 without a saved answer")
        try:
            return json.loads(body) if body else None
        except ValueError:
            raise self._down(f"unreadable answer (status {status})") from None

    def _refusal(self, status: int, data: Any) -> BackendRefused:
        error = data.get("error", {}) if isinstance(data, dict) else {}
        code = str(error.get("code", "error")) if isinstance(error, dict) else "error"
        details = error.get("details") if isinstance(error, dict) else None
        kind = BackendRefused
        if status == 404:
            kind = BackendSwitchedOff if code == "feature_disabled" else BackendNotFound
        return kind(self.service, status, code, details)

    def _save(self, key: tuple[str, str], saved: _Saved) -> None:
        if self.settings.saved_answers == 0:
            return
        self._saved[key] = saved
        self._saved.move_to_end(key)
        while len(self._saved) > self.settings.saved_answers:
            self._saved.popitem(last=False)
