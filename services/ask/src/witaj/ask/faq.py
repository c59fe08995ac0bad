"""From an answered question to a frequently asked question: anonymised, with the migrant's consent.

Only a question whose migrant said yes (`faq_consent`) and that a counsellor answered is offered, and
only to those who may create content (`witaj.ask.access.may_make_faq`). They get an anonymised draft
shaped as the body of a content page: e-mail addresses, phone numbers, links and long numbers (document,
account and ID numbers) are replaced by a mark of what was there. Names cannot be found reliably by a
program, so the draft is a draft: the editor creates it as a page through the content service's
workbench (`POST /cities/{city}/workbench/pages`), reads it, edits it and takes it through review,
translation and publishing like any other item, then records here which item it became. The services
stay apart: the back office carries the draft from one to the other.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from witaj.ask import access
from witaj.ask.deps import ServicesDep, city_asking
from witaj.ask.schemas import FaqDraftPublic, FaqDraftUpdate, MessageKind
from witaj.shared.auth import CurrentPrincipal, Principal
from witaj.shared.errors import ERROR_RESPONSES, Conflict, NotFound
from witaj.shared.web import Page, Pagination

TITLE_CHARS = 200
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("e-mail", re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']{2,}")),
    ("link", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)),
    # letters and digits mixed (passports, IBANs), or ten digits and more in a row (PESEL and the like)
    (
        "number",
        re.compile(r"(?<!\w)(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z]|\d{10})[A-Z0-9]{6,}(?!\w)", re.IGNORECASE),
    ),
    ("phone", re.compile(r"(?<![\w+])\+?\d[\d ()./-]{6,}\d(?!\w)")),
]
"""What a program can recognise as naming someone, in the order it is taken out."""


def anonymise(text: str) -> tuple[str, list[str]]:
    """The text with personal details replaced by `[e-mail]`, `[link]`, `[phone]`, `[number]`, and the
    kinds found."""
    found: list[str] = []
    for name, pattern in PATTERNS:
        text, count = pattern.subn(f"[{name}]", text)
        if count:
            found.append(name)
    return text, found


def draft(question: dict[str, Any]) -> FaqDraftPublic:
    """The page body: the question as its title (and summary when long), the answers as its body."""
    asked, removed = anonymise(question["messages"][0]["text"])
    answers = []
    for message in question["messages"]:
        if message["kind"] == MessageKind.ANSWER.value:
            text, found = anonymise(message["text"])
            answers.append(text)
            removed += found
    title = " ".join(asked.split())
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    content: dict[str, object] = {
        "title": title,
        "summary": asked if len(asked) > len(title) else "",
        "body": "\n\n".join(answers),
        "topics": [question["topic"]] if question.get("topic") else [],
    }
    return FaqDraftPublic(
        question_id=question["_id"],
        source_language=question["language"],
        content=content,
        removed=sorted(set(removed)),
        faq_item=(question.get("faq") or {}).get("item_id"),
    )


router = APIRouter(prefix="/cities/{city}/counselling", tags=["faq"], responses=ERROR_RESPONSES)


def _offered(city: str, principal: Principal) -> dict[str, Any]:
    query: dict[str, Any] = {
        "city": city,
        "faq_consent": True,
        "first_answer_at": {"$ne": None},
        "reported": None,
    }
    if not (principal.is_platform_admin or principal.has(*access.CITY_EDITORS)):
        query["answered_by"] = principal.organisation
    return query


@router.get("/faq", summary="Answered questions whose migrants agreed to an FAQ entry, anonymised")
async def candidates(
    city: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    page: Pagination,
    done: Annotated[bool, Query(description="Also those made into an FAQ entry already")] = False,
) -> Page[FaqDraftPublic]:
    city_asking(services, city)
    access.require_faq_maker(principal, city)
    query = _offered(city, principal)
    if not done:
        query["faq"] = None
    store = services.store
    total = await store.count(query)
    docs = await store.find(
        query, sort=[("first_answer_at", -1), ("_id", 1)], limit=page.limit, skip=page.offset
    )
    return Page.of([draft(doc) for doc in docs], total, page)


async def _consented(services: Any, principal: Principal, city: str, question_id: str) -> dict[str, Any]:
    city_asking(services, city)
    access.require_faq_maker(principal, city)
    question = await services.store.get(city, question_id)
    if question is None or question.get("reported") or not access.may_make_faq(principal, question):
        raise NotFound("The question")
    if not question["faq_consent"]:
        raise Conflict("The migrant has not agreed to an FAQ entry from this question", code="no_consent")
    if question["first_answer_at"] is None:
        raise Conflict("The question has no answer yet", code="not_answered")
    return question  # type: ignore[no-any-return]


@router.get("/questions/{question_id}/faq", summary="The anonymised FAQ draft of an answered question")
async def get_draft(
    city: str, question_id: str, principal: CurrentPrincipal, services: ServicesDep
) -> FaqDraftPublic:
    return draft(await _consented(services, principal, city, question_id))


@router.post("/questions/{question_id}/faq", summary="Record the content item made from it")
async def record(
    city: str, question_id: str, body: FaqDraftUpdate, principal: CurrentPrincipal, services: ServicesDep
) -> FaqDraftPublic:
    """After the draft was created in the content service: it is not offered again, and the question
    says which item it became."""
    await _consented(services, principal, city, question_id)
    now = services.store.clock()

    def step(doc: dict[str, Any]) -> Any:
        if not doc["faq_consent"]:  # withdrawn meanwhile
            raise Conflict("The migrant has not agreed to an FAQ entry from this question", code="no_consent")
        faq = {"item_id": body.item_id, "by": principal.subject, "at": now}
        return {**doc, "faq": faq}, []

    changed = await services.store.change(city, question_id, step)
    return draft(changed)
