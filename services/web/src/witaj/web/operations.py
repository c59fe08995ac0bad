"""`/health`, `/ready` and `/metrics`, as every Witaj service has them (JSON for machines, not pages).

Readiness follows what the app cannot do without: with the content service unreachable no page can be
shown, so the replica is not ready (503). The other services each serve only some pages, which say so
when theirs is down; taking every replica out of rotation for one of them would hide the pages that
still work, so they are reported in `checks` and turn the status to "degraded" without failing it. The
web app's own database (`sessions`) is the back office's alone, and is reported the same way.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from witaj.shared.web import Health, Readiness
from witaj.web.deps import WebDep

router = APIRouter(tags=["operations"])
REQUIRED = "content"


@router.get("/health")
async def health() -> Health:
    return Health(service="web", version="0.1.0")


@router.get("/ready")
async def ready(web: WebDep) -> Response:
    probes = {name: client.reachable() for name, client in web.backends.items()}
    if web.office.can_sign_in:
        probes["sessions"] = web.office.reachable()
    results = await asyncio.gather(*probes.values())
    checks = dict(zip(probes, results, strict=True))
    if not checks.get(REQUIRED, False):
        status, code = "not_ready", 503
    else:
        status, code = ("ready" if all(results) else "degraded"), 200
    return JSONResponse(Readiness(status=status, checks=checks).model_dump(), status_code=code)


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
