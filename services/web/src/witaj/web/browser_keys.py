"""What the reader's browser keeps for them instead of an account: their registration token and their
notification subscription's id and token.

Both are secrets that act for the reader (cancel their places, read their inbox), so they live only in
HttpOnly cookies: scripts on the page cannot read them, they never appear in an address that could be
logged, shared or kept in the history, and they work the same with JavaScript off. Each is scoped to the
city's path (`/lublin`), as registrations and subscriptions belong to one city, and is sent only to this
app (SameSite=Lax: following a link from an e-mail still opens the reader's inbox; a form on another
site cannot use them, and every form here is signed besides). Cleared cookies lose them, which the
pages say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request, Response
from witaj.web.pages import Reader

REGISTRATIONS_COOKIE = "witaj_registrations"
NOTIFICATIONS_COOKIE = "witaj_notifications"
MAX_AGE = 400 * 24 * 3600
"""As long as browsers keep a cookie (Chromium caps them at 400 days); renewed whenever it is used."""
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_SUBSCRIPTION = re.compile(r"^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{20,200})$")


@dataclass(frozen=True)
class Subscribed:
    """The reader's notification subscription: its id and the token that unlocks it."""

    id: str
    token: str

    @property
    def cookie(self) -> str:
        return f"{self.id}.{self.token}"


def registration_token(request: Request) -> str | None:
    value = request.cookies.get(REGISTRATIONS_COOKIE)
    return value if value and _TOKEN.match(value) else None


def subscribed(request: Request) -> Subscribed | None:
    found = _SUBSCRIPTION.match(request.cookies.get(NOTIFICATIONS_COOKIE) or "")
    return Subscribed(found.group(1), found.group(2)) if found else None


def _path(reader: Reader) -> str:
    assert reader.city is not None
    return f"/{reader.city.id}"


def keep(response: Response, reader: Reader, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=MAX_AGE,
        path=_path(reader),
        httponly=True,
        samesite="lax",
        secure=reader.web.settings.cookies_secure,
    )


def hand_over(reader: Reader, name: str, value: str) -> None:
    """Keep `value` in the browser with whatever this request answers, an error page included: a key a
    service just gave the reader is theirs even if what they asked for then failed (they may send the
    same form again, and the service recognises it by that key)."""
    reader.carried[name] = lambda response: keep(response, reader, name, value)


def forget(response: Response, reader: Reader, name: str) -> None:
    response.delete_cookie(
        name, path=_path(reader), httponly=True, samesite="lax", secure=reader.web.settings.cookies_secure
    )


def private(reader: Reader) -> None:
    """A page showing what only this reader may see is kept by no cache, the browser's included."""
    reader.extra_headers["Cache-Control"] = "no-store"
