"""FastAPI building blocks every Witaj service uses.

`create_service_app` gives a service the platform's error format, request ids, body size and JSON depth
limits, Prometheus metrics, CORS, `/health` (the process is alive), `/ready` (its database and broker
answer), `/metrics`, and the client's address as the trusted proxies in front of it saw it. The request
middleware is plain ASGI: it sits on the hot path of every read.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

import structlog
from aiokafka.errors import KafkaConnectionError
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from witaj.shared.admission import ALWAYS_ADMITTED, Admission
from witaj.shared.errors import ERROR_RESPONSES, ApiError
from witaj.shared.forwarded import ForwardedClient, TrustedProxies
from witaj.shared.logging import get_logger
from witaj.shared.settings import ServiceSettings, WitajSettings

log = get_logger("witaj.http")

REQUESTS = Counter("witaj_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "witaj_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

T = TypeVar("T")


@dataclass(frozen=True)
class OptionalParam:
    """An optional query parameter or header that a hot route reads itself (see `read_optional`).

    FastAPI resolves every declared parameter again on each request (alias look-up, annotation checks, a
    validation), which was a large share of a page read served from memory. A route that reads these
    itself lists `openapi()` in its `openapi_extra`, so its API description is what declaring them gave.
    """

    name: str
    """As sent and documented: 'lang', 'accept-language', 'X-Session-Id'."""
    location: Literal["query", "header"]
    max_length: int
    description: str | None = None

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "anyOf": [{"maxLength": self.max_length, "type": "string"}, {"type": "null"}],
            "title": self.name.title(),
        }
        found: dict[str, Any] = {"name": self.name, "in": self.location, "required": False, "schema": schema}
        if self.description:
            schema["description"] = found["description"] = self.description
        return found


def read_optional(request: Request, *params: OptionalParam) -> list[str | None]:
    """The values of optional parameters, None when absent; too long ones are refused with the 422 that
    declaring them would give (every problem at once, in the order given)."""
    values: list[str | None] = []
    errors: list[dict[str, Any]] = []
    for param in params:
        source = request.query_params if param.location == "query" else request.headers
        value = source.get(param.name)
        if value is not None and len(value) > param.max_length:
            errors.append(
                {
                    "type": "string_too_long",
                    "loc": (param.location, param.name),
                    "msg": f"String should have at most {param.max_length} characters",
                    "input": value,
                    "ctx": {"max_length": param.max_length},
                }
            )
        values.append(value)
    if errors:
        raise RequestValidationError(errors)
    return values


_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SESSION = OptionalParam("X-Session-Id", "header", 64, "Pseudonymous session, for usage statistics")
"""The header every service reads a reader's pseudonymous session from (never an account id)."""
SessionId = Annotated[
    str | None,
    Header(alias=SESSION.name, max_length=SESSION.max_length, description=SESSION.description),
]


def session_of(value: str | None) -> str | None:
    """The session id if it looks like one; anything else (an e-mail address, say) is not passed on."""
    return value if value and _SESSION.match(value) else None


ReadinessCheck = Callable[[], Awaitable[bool]]


# ---------------------------------------------------------------------------------------------- limits


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when JSON nesting goes deeper than `limit`; a quick count spares the scan for most bodies."""
    if body.count(b"{") + body.count(b"[") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x7D, 0x5D):
            depth -= 1
    return False


Refusal = Callable[[Scope, int], Response]
"""Builds the answer to a request the middleware refuses (by its scope and status), for services whose
errors are not JSON: the web app answers a person with a page."""
BodyLimit = int | Callable[[Scope], int]
"""The largest body accepted: one number, or one per request (the web app allows its back office more)."""


class PlatformMiddleware:
    """Request id, admission (`witaj.shared.admission`), body limits, metrics and error logging in one
    pass over each request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        max_body_bytes: BodyLimit,
        max_json_depth: int,
        refusal: Refusal | None = None,
        admission: Admission | None = None,
        retry_after_seconds: int = 2,
    ) -> None:
        self.app = app
        self.admission = admission
        self.retry_after_seconds = retry_after_seconds
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        status = 500
        holding = shed = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, holding
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
                if holding:  # the work is done once the answer starts; a stream waits without a place
                    holding = False
                    self.admission.leave()  # type: ignore[union-attr]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            if self.admission is not None and scope["path"] not in ALWAYS_ADMITTED:
                holding = await self.admission.enter()
                if not holding:
                    shed = True  # counted (witaj_http_shed_total); a log line each would feed the surge
                    await self._refuse(scope, _busy(self.retry_after_seconds), receive, send_with_id)
                    return
            limit = self.max_body_bytes(scope) if callable(self.max_body_bytes) else self.max_body_bytes
            rejection = _declared_length_error(scope, limit)
            if rejection is None and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
                body, rejection = await self._read_body(receive, _is_json(scope), limit)
                receive = _replay(body, receive)
            if rejection is not None:
                await self._refuse(scope, rejection, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            if holding:
                self.admission.leave()  # type: ignore[union-attr]
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            REQUESTS.labels(self.service, scope["method"], template, str(status)).inc()
            LATENCY.labels(self.service, scope["method"], template).observe(elapsed)
            if shed:
                pass
            elif status >= 500:
                log.error(
                    "http.request", method=scope["method"], route=template, status=status, ms=elapsed * 1000
                )
            elif status >= 400:
                log.info(
                    "http.request", method=scope["method"], route=template, status=status, ms=elapsed * 1000
                )
            structlog.contextvars.unbind_contextvars("request_id")

    async def _refuse(self, scope: Scope, rejection: JSONResponse, receive: Receive, send: Send) -> None:
        """Answer with the platform's JSON error, or the service's own refusal (the web app's pages)."""
        answer: Response = rejection
        if self.refusal is not None:
            answer = self.refusal(scope, rejection.status_code)
            if "retry-after" in rejection.headers:
                answer.headers["Retry-After"] = rejection.headers["retry-after"]
        await answer(scope, receive, send)

    async def _read_body(
        self, receive: Receive, is_json: bool, limit: int
    ) -> tuple[bytes, JSONResponse | None]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return b"", _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if is_json and json_depth_exceeds(body, self.max_json_depth):
            return b"", _error(
                400, "json_too_deep", f"The JSON body is nested deeper than {self.max_json_depth} levels"
            )
        return body, None


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")[:64]
            if candidate.replace("-", "").isalnum():
                return candidate
    return uuid.uuid4().hex


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # FastAPI parses a body without a content type as JSON


def _declared_length_error(scope: Scope, limit: int) -> JSONResponse | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                if int(value) > limit:
                    return _too_large(limit)
            except ValueError:
                return _error(400, "bad_request", "Content-Length is not a number")
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _busy(retry_after: int) -> JSONResponse:
    return _error(
        503, "overloaded",
        f"The service is busy with many requests right now; nothing was done. Please try again in {retry_after} s",
        details={"retry_after_seconds": retry_after}, headers={"Retry-After": str(retry_after)},
    )  # fmt: skip


def _too_large(limit: int) -> JSONResponse:
    return _error(413, "payload_too_large", f"The request body is larger than the limit of {limit} bytes")


def _error(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}}, status_code=status, headers=headers
    )


# ---------------------------------------------------------------------------------------------- errors

_STATUS_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


INFRASTRUCTURE_RETRY_AFTER = 2
"""Seconds a caller is asked to wait when the database or broker could not be reached for a request."""


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # The offending input is left out on purpose: it may be personal data, and is not always JSON.
    return [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "problem": err.get("msg", ""),
            "type": err.get("type"),
        }
        for err in exc.errors()[:50]
    ]


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address"
        return _error(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    async def validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = _validation_details(exc)
        first = details[0] if details else {"field": "", "problem": "invalid"}
        where = f" in '{first['field']}'" if first["field"] else ""
        message = f"The request is invalid{where}: {first['problem']}"
        if len(details) > 1:
            message += f" (and {len(details) - 1} more problem{'s' if len(details) > 2 else ''})"
        return _error(422, "validation_failed", message, details)

    async def unexpected(_: Request, exc: Exception) -> Response:
        if isinstance(exc, ConnectionFailure | KafkaConnectionError):
            # The database or broker away for a moment (a dropped connection, a failover): nothing was
            # wrong with the request, and trying again shortly is the right thing for the caller.
            log.warning("http.infrastructure_unavailable", error=type(exc).__name__)
            return _error(
                503,
                "temporarily_unavailable",
                "Witaj cannot reach its data for a moment; please try again in a few seconds",
                headers={"Retry-After": str(INFRASTRUCTURE_RETRY_AFTER)},
            )
        log.exception("http.unhandled_error", error=type(exc).__name__)
        return _error(500, "internal_error", "Something went wrong on our side; it has been logged")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


# ---------------------------------------------------------------------------------------------- pagination


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100)")] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000, description="Items to skip (at most 10,000)")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Pagination = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a listing; `next_offset` is null on the last page."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, items: list[T], total: int, params: PageParams) -> Page[T]:
        following = params.offset + params.limit
        return cls(
            items=items,
            total=total,
            limit=params.limit,
            offset=params.offset,
            next_offset=following if following < total else None,
        )


# ---------------------------------------------------------------------------------------------- app


def admission(settings: ServiceSettings, service: str) -> dict[str, Any]:
    """`PlatformMiddleware`'s admission arguments from a service's settings."""
    places = Admission(
        service,
        max_in_flight=settings.max_in_flight,
        max_queued=settings.max_queued,
        queue_wait_seconds=settings.queue_wait_seconds,
    )
    return {"admission": places, "retry_after_seconds": settings.overload_retry_after_seconds}


class Health(BaseModel):
    status: str = "ok"
    service: str
    version: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, bool]


def create_service_app(
    settings: WitajSettings,
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    version: str = "0.1.0",
    max_body_bytes: BodyLimit | None = None,
) -> FastAPI:
    """A FastAPI app with the platform's middleware, error format and operational endpoints.
    `max_body_bytes`: the largest body per request, where some routes take more than the service's
    `max_body_bytes` (the events service's calendar uploads)."""
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.readiness_checks = {}
    install_error_handlers(app)
    if settings.service.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.service.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Request-ID", "Content-Language"],
        )
    app.add_middleware(
        PlatformMiddleware,
        service=service,
        max_body_bytes=settings.service.max_body_bytes if max_body_bytes is None else max_body_bytes,
        max_json_depth=settings.service.max_json_depth,
        **admission(settings.service, service),
    )
    # outermost: everything inside sees the client the trusted proxies named (witaj.shared.forwarded)
    app.add_middleware(ForwardedClient, proxies=TrustedProxies(settings.service.trusted_proxies))

    @app.get("/health", tags=["operations"], summary="Liveness: the process answers")
    async def health() -> Health:
        return Health(service=service, version=version)

    @app.get(
        "/ready",
        tags=["operations"],
        summary="Readiness: the database and the broker answer",
        responses={503: {"model": Readiness, "description": "A dependency is not reachable"}},
    )
    async def ready(request: Request) -> Response:
        checks: dict[str, ReadinessCheck] = request.app.state.readiness_checks
        results = {name: await check() for name, check in checks.items()}
        ok = bool(results) and all(results.values())
        body = Readiness(status="ready" if ok else "not_ready", checks=results)
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def serve_forever(app: FastAPI, settings: WitajSettings) -> None:
    """Run a service with uvicorn. Our middleware logs requests and reads X-Forwarded-For from trusted
    proxies only (`ForwardedClient`), so uvicorn's access log and proxy handling stay off."""
    import uvicorn

    uvicorn.run(
        app,
        host=settings.service.host,
        port=settings.service.port,
        access_log=False,
        log_config=None,
        proxy_headers=False,
        timeout_graceful_shutdown=10,  # open live streams must not hold a stopping replica forever
    )
