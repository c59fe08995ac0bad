"""A stored question as each side sees it: the migrant their thread, a counsellor what they work with.

The migrant never sees who answered, only the organisation; counsellors see machine drafts, the claim
and the hand-over. Text is returned as written and as escaped HTML (`witaj.shared.text`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from witaj.ask.schemas import (
    Claim,
    CounsellorMessagePublic,
    Draft,
    MessagePublic,
    QuestionForCounsellor,
    QuestionPublic,
)
from witaj.shared.auth import Principal
from witaj.shared.events import ContentKind
from witaj.shared.events.content import KIND_PATHS
from witaj.shared.text import text_html


def _links(city: str, links: list[dict[str, str]]) -> list[dict[str, str]]:
    return [
        {**link, "path": f"/cities/{city}/{KIND_PATHS[ContentKind(link['kind'])]}/{link['item_id']}"}
        for link in links
    ]


def _message(city: str, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": message["id"],
        "author": message["author"],
        "kind": message["kind"],
        "language": message["language"],
        "text": message["text"],
        "html": text_html(message["text"]),
        "links": _links(city, message.get("links", [])),
        "organisation": message.get("organisation"),
        "at": message["at"],
    }


def for_migrant(doc: dict[str, Any]) -> QuestionPublic:
    return QuestionPublic(
        id=doc["_id"],
        city=doc["city"],
        state=doc["state"],
        topic=doc.get("topic"),
        language=doc["language"],
        faq_consent=doc["faq_consent"],
        notices=doc.get("subscriber") is not None,
        resolution=doc.get("resolution"),
        messages=[MessagePublic(**_message(doc["city"], m)) for m in doc["messages"]],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
    )


def for_counsellor(doc: dict[str, Any], principal: Principal, now: datetime) -> QuestionForCounsellor:
    claim = doc.get("claim")
    held = claim is not None and claim["until"] > now
    return QuestionForCounsellor(
        id=doc["_id"],
        city=doc["city"],
        state=doc["state"],
        topic=doc.get("topic"),
        language=doc["language"],
        organisation=doc.get("organisation"),
        claim=Claim(
            by_me=claim["by"] == principal.subject,
            organisation=claim.get("organisation"),
            until=claim["until"],
        )
        if held and claim is not None
        else None,
        faq_consent=doc["faq_consent"],
        answered_by=doc.get("answered_by", []),
        messages=[
            CounsellorMessagePublic(
                **_message(doc["city"], m), draft=Draft(**m["draft"]) if m.get("draft") else None
            )
            for m in doc["messages"]
        ],
        asked_at=doc.get("asked_at"),
        first_answer_at=doc.get("first_answer_at"),
    )
