"""What the reader's browser keeps for them instead of an account: their registration token, their
notification subscription's id and token, and each of their questions' id and token.

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
QUESTIONS_COOKIE = "witaj_questions"
MAX_QUESTIONS = 20
"""Questions one browser keeps (newest first); an older one is then left to its retention at the ask
service, unreadable from here. Twenty ids and tokens stay well within a cookie's 4 KB."""
MAX_AGE = 400 * 24 * 3600
"""As long as browsers keep a cookie (Chromium caps them at 400 days); renewed whenever it is used."""
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_SUBSCRIPTION = re.compile(r"^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{20,200})$")
_QUESTION = re.compile(r"^(q[0-9a-f]{24})\.([A-Za-z0-9_-]{20,100})$")


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


def held_questions(request: Request) -> dict[str, str]:
    """The reader's questions in this city, newest first: question id -> its token."""
    held: dict[str, str] = {}
    for part in (request.cookies.get(QUESTIONS_COOKIE) or "").split("~")[:MAX_QUESTIONS]:
        found = _QUESTION.match(part)
        if found:
            held.setdefault(found.group(1), found.group(2))
    return held


def keep_questions(reader: Reader, held: dict[str, str]) -> None:
    """Keep these questions (newest first) in the browser with whatever this request answers, or forget
    the cookie when none is left."""
    kept = list(held.items())[:MAX_QUESTIONS]
    if not kept:
        reader.carried[QUESTIONS_COOKIE] = lambda response: forget(response, reader, QUESTIONS_COOKIE)
        return
    value = "~".join(f"{question_id}.{token}" for question_id, token in kept)
    hand_over(reader, QUESTIONS_COOKIE, value)


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
