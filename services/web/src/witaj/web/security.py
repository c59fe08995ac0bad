"""What keeps readers safe in their browser: strict headers on every answer, and signed form tokens.

Readers are vulnerable people, so every answer forbids inline script and style, framing, sniffing and
referrers, and names only the app itself as a source (no fonts, CDNs or analytics from elsewhere).

Forms are protected by a signed double-submit token: a random value in an HttpOnly cookie, and in each
form its HMAC under the app's secret. A cross-site form cannot read the cookie to forge the field, and a
cookie planted by a neighbouring site is useless without the secret. Browsers that say a request comes
from another site (`Sec-Fetch-Site: cross-site`) are refused outright. The check runs as an app-wide
dependency, so every form added later is covered without remembering to ask for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "witaj_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MAX_AGE = 7 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_FIELDS = 50
LARGE_FORMS: dict[str, tuple[int, int]] = {}
"""Address prefixes whose forms are bigger (the back office: a procedure's every step, a file), with their
(fields, files) limits; everywhere else a form has at most MAX_FORM_FIELDS fields and no file."""


def content_security_policy(tile_origin: str | None = None) -> str:
    """Only the app itself, and, for the directory's map, the one tile server the settings name."""
    images = "'self'" if tile_origin is None else f"'self' {tile_origin}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "media-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


PERMISSIONS_POLICY = (
    "camera=(), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), browsing-topics=(), "
    "geolocation=(self)"
)


class SecurityHeaders:
    """Adds the headers to every answer: pages, files, errors, and refusals of the middleware below it."""

    def __init__(self, app: ASGIApp, *, https: bool, tile_origin: str | None = None) -> None:
        self.app = app
        headers = [
            (b"content-security-policy", content_security_policy(tile_origin).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", PERMISSIONS_POLICY.encode()),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
        ]
        if https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.headers = headers
        self.names = {name for name, _ in headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self.names]
                message["headers"] = [*kept, *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfRefused(Exception):
    """A form arrived without a valid token (expired, forged, or from another site)."""


def _sign(secret: bytes, value: str) -> str:
    digest = hmac.new(secret, b"csrf:" + value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def _valid_cookie(value: str | None) -> bool:
    return value is not None and _COOKIE_VALUE.match(value) is not None


def form_token(request: Request, secret: bytes) -> str:
    """The token to put in a form; starts the reader's cookie if they have none (see `set_cookie`)."""
    value = request.cookies.get(CSRF_COOKIE)
    if not _valid_cookie(value):
        value = getattr(request.state, "new_csrf_cookie", None) or secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = value
    return _sign(secret, value or "")


def set_cookie(request: Request, response: Response, *, secure: bool) -> None:
    """Send the cookie a page's forms were signed for, when it is new."""
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(
            CSRF_COOKIE, value, max_age=CSRF_MAX_AGE, httponly=True, samesite="lax", secure=secure
        )


def form_limits(path: str) -> tuple[int, int]:
    """How many fields and files a form posted to `path` may have (the first parse of a form sets them)."""
    for prefix, limits in LARGE_FORMS.items():
        if path.startswith(prefix):
            return limits
    return MAX_FORM_FIELDS, 0


async def check_form(request: Request, secret: bytes) -> None:
    """Refuse an unsafe request unless it carries the token signed for the reader's cookie."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused
    cookie = request.cookies.get(CSRF_COOKIE)
    if not _valid_cookie(cookie):
        raise CsrfRefused
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        fields, files = form_limits(request.url.path)
        form = await request.form(max_files=files, max_fields=fields)
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), _sign(secret, cookie or "").encode()):
        raise CsrfRefused
