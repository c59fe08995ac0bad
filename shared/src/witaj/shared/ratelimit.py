"""Rate limits for public write endpoints (feedback, registration, subscription).

Anyone may write to these without an account, so each caller gets a token bucket per endpoint: a burst
allowance refilled at a steady rate. Callers are told apart by their bearer subject when they have one,
otherwise by a keyed hash of their address (the address itself is never stored or logged). Buckets live
in the replica's memory, one table per app (so apps sharing a process, as in tests, do not share
limits), and each table is bounded, so a flood of distinct callers cannot exhaust memory;
behind a gateway that has its own limits this is the second line, not the only one.

    limited = RateLimit("feedback", per_minute=20, burst=5)

    @router.post("/feedback", dependencies=[Depends(limited)])
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from witaj.shared.auth import Principal, optional_principal
from witaj.shared.errors import ApiError
from witaj.shared.settings import LimitSettings

_SALT = secrets.token_bytes(16)
"""Per-process key for hashing addresses: the hashes mean nothing outside this process."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimited(ApiError):
    def __init__(self, what: str, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            429,
            "rate_limited",
            f"Too many {what} requests from you; try again in {seconds} s",
            details={"retry_after_seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )


class RateLimit:
    """A FastAPI dependency enforcing one endpoint's limit (disabled when the service setting says so)."""

    def __init__(self, name: str, *, per_minute: float, burst: int, max_callers: int = 100_000) -> None:
        self.name = name
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_callers = max_callers
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._per_app: weakref.WeakKeyDictionary[Any, OrderedDict[str, _Bucket]] = weakref.WeakKeyDictionary()

    def take(self, caller: str, now: float | None = None, app: Any = None) -> float:
        """Spend one token for `caller`; 0 when allowed, else seconds until a token is available."""
        now = time.monotonic() if now is None else now
        buckets = self._buckets if app is None else self._per_app.setdefault(app, OrderedDict())
        bucket = buckets.pop(caller, None) or _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        buckets[caller] = bucket  # most recently used last
        while len(buckets) > self.max_callers:
            buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else float("inf")

    @classmethod
    def configured(cls, name: str, limit: LimitSettings) -> RateLimit:
        return cls(name, per_minute=limit.per_minute, burst=limit.burst)

    async def __call__(
        self, request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
    ) -> None:
        """Runs after the bearer token (if any) is verified, so an account is limited as itself."""
        settings = getattr(request.app.state, "settings", None)
        if settings is not None and not settings.service.rate_limits:
            return
        wait = self.take(caller_key(request, principal), app=request.app)
        if wait > 0:
            raise RateLimited(self.name, wait)


def caller_key(request: Request, principal: Principal | None) -> str:
    """Who is calling, pseudonymously: the token's subject if verified, else a hash of the address
    (the client's own address when a trusted proxy forwards it: `witaj.shared.forwarded`)."""
    if principal is not None:
        return f"sub:{principal.subject}"
    address = request.client.host if request.client else "unknown"
    return "ip:" + hmac.new(_SALT, address.encode(), hashlib.sha256).hexdigest()[:24]


PUBLIC_WRITE = "x-witaj-public-write"
"""OpenAPI extension marking a write anyone may make without a token (checked by the security tests)."""


def public_write(limit: RateLimit) -> dict[str, Any]:
    """Keyword arguments for a route anyone may write to: rate limited, and marked as such in OpenAPI.

    @router.post("/cities/{city}/feedback", **public_write(FEEDBACK_LIMIT))
    """
    return {"dependencies": [Depends(limit)], "openapi_extra": {PUBLIC_WRITE: True}}
