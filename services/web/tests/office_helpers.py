"""What the back office's tests share: signing in through the real code flow, reading forms, sessions."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx
from web_helpers import SECRET
from witaj.devkit.oidc import IdentityProvider
from witaj.shared.mongo import create_client, database
from witaj.shared.settings import MongoSettings
from witaj.web.office.sessions import SessionStore
from witaj.web.office.settings import OfficeSettings

SESSION_COOKIE = "witaj_office"


def person(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:6]}"


async def sign_in(
    client: httpx.AsyncClient,
    provider: IdentityProvider,
    *roles: str,
    city: str | None = "lublin",
    org: str | None = None,
    sub: str | None = None,
    next_page: str = "/office",
) -> httpx.Response:
    """Through the real code flow: the web app sends the person to the provider, the person says who
    they are on its page, the provider sends them back with a code. Answers the last redirect."""
    subject = sub or person(roles[0] if roles else "nobody")
    provider.add_user(subject, roles=list(roles), city=city, organisation=org, name=f"Test {subject}")
    start = await client.get("/office/sign-in/start", params={"next": next_page})
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient(timeout=20) as browser_at_provider:
        granted = await browser_at_provider.post(start.headers["location"], data={"sub": subject})
    assert granted.status_code == 302, granted.text
    back = await client.get(granted.headers["location"])
    assert back.status_code == 303, back.text
    return back


def form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


def text_of(page: httpx.Response) -> str:
    """The page's visible text, roughly: tags out, entities decoded, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def sessions(db: MongoSettings) -> SessionStore:
    """The web app's session store, opened by the test with the app's own secret."""
    return SessionStore(database(create_client(db), db), SECRET.encode(), OfficeSettings())


def forms_of(page: httpx.Response) -> list[dict[str, Any]]:
    """Each form on the page: its action and the values of its buttons named 'status' or 'intent'."""
    found = []
    for match in re.finditer(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S):
        found.append({"action": html.unescape(match.group(1)), "body": match.group(2)})
    return found


DESKTOP = {"width": 1280, "height": 900}


def browser_sign_in(
    page: Any,
    web_url: str,
    provider: IdentityProvider,
    role: str,
    *,
    city: str | None = "lublin",
    org: str | None = None,
) -> str:
    """In a real browser: the sign-in page, the provider's page (who are you? Authorize), and back."""
    subject = person(role)
    provider.add_user(
        subject, roles=[role], city=city, organisation=org, name=f"Test {role.replace('_', ' ')}"
    )
    page.goto(f"{web_url}/office/sign-in")
    page.get_by_role("link", name="Sign in").click()
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r".*/office(/.*)?$"))
    return subject
