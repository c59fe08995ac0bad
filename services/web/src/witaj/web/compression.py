"""Compressed answers: brotli for browsers that take it, gzip for the rest, so pages stay light on slow
mobile connections (a procedure page is a few kilobytes on the wire).

Pages are compressed as they are rendered (a quick brotli level: the page changes per reader). Static
files carry a version in their address and an ETag, so each is compressed once at the strongest level and
kept in a small bounded memory. Streams (`text/event-stream`), audio, images other than SVG and answers
already encoded pass untouched.
"""

from __future__ import annotations

import gzip
import zlib
from collections import OrderedDict
from typing import Protocol

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/javascript",
    "text/plain",
    "text/calendar",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)
PAGE_QUALITY = 5
"""Brotli level for answers made per request: most of the saving of level 11 at a fraction of its cost."""
STATIC_QUALITY = 11


class _Stream(Protocol):
    def compress(self, data: bytes) -> bytes: ...
    def finish(self) -> bytes: ...


class _Brotli:
    def __init__(self, quality: int) -> None:
        self.compressor = brotli.Compressor(quality=quality, lgwin=22)

    def compress(self, data: bytes) -> bytes:
        return self.compressor.process(data) + self.compressor.flush()  # type: ignore[no-any-return]

    def finish(self) -> bytes:
        return self.compressor.finish()  # type: ignore[no-any-return]


class _Gzip:
    def __init__(self, level: int) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def compress(self, data: bytes) -> bytes:
        return self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self.compressor.flush()


def chosen_encoding(accept_encoding: str) -> str | None:
    """'br' if the browser accepts it, else 'gzip', else None (a coding with q=0 is refused)."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=")
        if params and q.replace(".", "", 1).isdigit() and float(q) == 0:
            continue
        accepted.add(name.strip())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "*" in accepted:
        return "gzip"
    return None


def compress(body: bytes, encoding: str, *, quality: int) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=quality)  # type: ignore[no-any-return]
    return gzip.compress(body, compresslevel=9 if quality >= STATIC_QUALITY else 6, mtime=0)


class Compression:
    """ASGI middleware; `cached_files` bounds how many compressed static files are kept."""

    def __init__(self, app: ASGIApp, *, minimum_size: int = 500, cached_files: int = 256) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.cached_files = cached_files
        self.cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        encoding = chosen_encoding(Headers(scope=scope).get("accept-encoding", ""))
        if encoding is None:
            await self.app(scope, receive, send)
            return
        await _Answer(self, scope["path"], encoding, send).run(self.app, scope, receive)

    def remembered(self, key: tuple[str, str, str], body: bytes, encoding: str) -> bytes:
        found = self.cache.get(key)
        if found is None:
            found = compress(body, encoding, quality=STATIC_QUALITY)
            self.cache[key] = found
            while len(self.cache) > self.cached_files:
                self.cache.popitem(last=False)
        self.cache.move_to_end(key)
        return found


class _Answer:
    """One answer on its way out: held at its start until the first body part shows whether it fits
    in one message (compressed whole) or streams (compressed part by part, flushed each time)."""

    def __init__(self, owner: Compression, path: str, encoding: str, send: Send) -> None:
        self.owner = owner
        self.path = path
        self.encoding = encoding
        self.send = send
        self.start: Message | None = None
        self.passing = False
        self.stream: _Stream | None = None
        self.parts: list[bytes] = []
        self.static = path.startswith("/static/")
        """The app's own files, bounded in size: gathered whole, compressed once and remembered."""

    async def run(self, app: ASGIApp, scope: Scope, receive: Receive) -> None:
        await app(scope, receive, self.on_message)

    async def on_message(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = Headers(raw=message.get("headers", []))
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            self.passing = (
                message["status"] not in (200, 201, 203, 404, 410, 503)
                or "content-encoding" in headers
                or kind not in COMPRESSIBLE
            )
            if self.passing:
                await self.send(message)
            else:
                self.start = message
            return
        if self.passing or message["type"] != "http.response.body":
            await self.send(message)
            return
        body: bytes = message.get("body", b"")
        more = message.get("more_body", False)
        if self.stream is None and self.start is not None:
            if self.static and more:
                self.parts.append(body)
                return
            start, self.start = self.start, None
            headers = MutableHeaders(raw=start["headers"])
            if not more:
                await self._whole(start, headers, b"".join([*self.parts, body]))
                return
            self.stream = _Brotli(PAGE_QUALITY) if self.encoding == "br" else _Gzip(6)
            del headers["content-length"]
            self._mark(headers)
            await self.send(start)
        assert self.stream is not None
        out = self.stream.compress(body) if body else b""
        if not more:
            out += self.stream.finish()
        await self.send({"type": "http.response.body", "body": out, "more_body": more})

    async def _whole(self, start: Message, headers: MutableHeaders, body: bytes) -> None:
        if len(body) < self.owner.minimum_size:
            await self.send(start)
            await self.send({"type": "http.response.body", "body": body})
            return
        etag = headers.get("etag")
        if etag and self.static:
            packed = self.owner.remembered((self.path, etag, self.encoding), body, self.encoding)
        else:
            packed = compress(body, self.encoding, quality=PAGE_QUALITY)
        headers["content-length"] = str(len(packed))
        self._mark(headers)
        await self.send(start)
        await self.send({"type": "http.response.body", "body": packed})

    def _mark(self, headers: MutableHeaders) -> None:
        headers["content-encoding"] = self.encoding
        headers.add_vary_header("Accept-Encoding")
        etag = headers.get("etag")
        if etag and not etag.startswith("W/"):
            headers["etag"] = "W/" + etag  # the same file, but not the same bytes as the plain one
