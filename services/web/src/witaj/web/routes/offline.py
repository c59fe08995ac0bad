"""The page the city's service worker shows for an address it has not kept, while the reader is offline.

It is fetched and kept by the service worker (see `static/js/offline-worker.js`) in the reader's
language while they are online, and asks no service for anything.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from witaj.web.deps import CityReader

router = APIRouter()


@router.get("/{city}/{lang}/offline")
async def offline(reader: CityReader) -> HTMLResponse:
    return reader.render("pages/offline.html")
