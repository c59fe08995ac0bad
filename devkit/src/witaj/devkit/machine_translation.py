"""A LibreTranslate-compatible server for tests, served on a loopback port like the real one would be.

It "translates" by prefixing each text with the target language (`[uk] Karta pobytu`), so a test can
check every draft against its source; switches make it slow, fail, or want another key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from witaj.devkit.testing import LiveServer

KEY = "s3cret-key"


class FakeLibreTranslate:
    """What a LibreTranslate server does with POST /translate, plus knobs to make it misbehave."""

    def __init__(self, key: str = KEY) -> None:
        self.key = key
        self.calls: list[dict[str, Any]] = []
        self.delay = 0.0
        self.status = 200
        self.app = FastAPI()
        self.app.post("/translate")(self.translate)

    async def translate(self, body: dict[str, Any]) -> JSONResponse:
        self.calls.append(body)
        if self.delay:
            await asyncio.sleep(self.delay)
        if body.get("api_key") != self.key:
            return JSONResponse({"error": "Invalid API key"}, status_code=403)
        if self.status != 200:
            return JSONResponse({"error": "Translation engine crashed"}, status_code=self.status)
        texts = body["q"] if isinstance(body["q"], list) else [body["q"]]
        out = [f"[{body['target']}] {text}" for text in texts]
        return JSONResponse({"translatedText": out if isinstance(body["q"], list) else out[0]})


@contextmanager
def translation_server(key: str = KEY) -> Iterator[tuple[FakeLibreTranslate, str]]:
    """The fake and its base URL, served for the duration of the block."""
    fake = FakeLibreTranslate(key)
    with LiveServer(fake.app) as url:
        yield fake, url
