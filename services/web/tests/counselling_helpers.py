"""What the back office's tests of migrants' questions share: a migrant asking on the real ask API, and
a counsellor signed in through the real code flow with a profile saved through the back office."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from office_helpers import form_token, sign_in
from web_helpers import reader_address
from witaj.devkit.oidc import IdentityProvider


def org() -> str:
    """An organisation of its own for each test, so hand-overs and queues do not mix tests up."""
    return f"org-{uuid.uuid4().hex[:8]}"


async def ask(
    ask_url: str,
    text: str,
    *,
    city: str = "lublin",
    language: str = "uk",
    topic: str | None = None,
    faq_consent: bool = False,
) -> tuple[str, str]:
    """As a migrant with an address of their own: ask, then send it to the counsellors. (id, token)"""
    async with httpx.AsyncClient(
        base_url=ask_url, headers={"X-Forwarded-For": reader_address()}, timeout=20
    ) as migrant:
        body: dict[str, Any] = {"text": text, "language": language, "faq_consent": faq_consent}
        if topic:
            body["topic"] = topic
        created = await migrant.post(f"/cities/{city}/questions", json=body)
        assert created.status_code == 201, created.text
        question_id, token = created.json()["id"], created.json()["token"]
        sent = await migrant.post(
            f"/cities/{city}/questions/{question_id}/send", headers={"X-Question-Token": token}
        )
        assert sent.status_code == 200, sent.text
    return question_id, token


async def thread(ask_url: str, question_id: str, token: str, city: str = "lublin") -> dict[str, Any]:
    """The question as its migrant reads it, with their token."""
    async with httpx.AsyncClient(base_url=ask_url, timeout=20) as migrant:
        found = await migrant.get(
            f"/cities/{city}/questions/{question_id}", headers={"X-Question-Token": token}
        )
    assert found.status_code == 200, found.text
    return found.json()  # type: ignore[no-any-return]


async def counsellor(
    web: httpx.AsyncClient,
    provider: IdentityProvider,
    organisation: str,
    *,
    languages: tuple[str, ...] = ("uk",),
    topics: tuple[str, ...] = (),
    city: str = "lublin",
    role: str = "counsellor",
) -> None:
    """Signed in, with the profile saved through the back office's form."""
    await sign_in(web, provider, role, city=city, org=organisation)
    page = await web.get(f"/office/{city}/questions/profile")
    assert page.status_code == 200, page.text
    saved = await web.post(
        f"/office/{city}/questions/profile",
        data={"csrf_token": form_token(page), "languages": list(languages), "topics": list(topics)},
    )
    assert saved.status_code == 303, saved.text


async def in_queue(web: httpx.AsyncClient, question_id: str, city: str = "lublin", **params: Any) -> bool:
    """Whether the question is in the signed-in counsellor's queue (paging on: other tests ask too)."""
    address: str | None = f"/office/{city}/questions"
    query: dict[str, Any] = dict(params)
    while address:
        page = await web.get(address, params=query)
        assert page.status_code == 200, page.text
        if f'id="question-{question_id}"' in page.text:
            return True
        more = re.search(r'<a href="([^"]+offset=\d+[^"]*)">', page.text)
        address, query = (more.group(1).replace("&amp;", "&"), {}) if more else (None, {})
    return False
