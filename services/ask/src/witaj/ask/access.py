"""Who may see and do what with a question: one place, so routes and tests agree.

The migrant has no account: the question's token (random, handed out once, kept only as its SHA-256
and compared in constant time) is their key to the thread. Counsellors are staff of the city (the
`counsellor` role, PA and NGO editors, city admins) who belong to an organisation and have said in
their profile which topics they answer and which languages they read. A question's text is shown only
to the counsellors who may answer it: same city, one of their languages, one of their topics (or a
topic under it; a question without a topic goes to every topic), and their organisation when the
question was handed over to one. Everyone else gets a 404, as if it did not exist.

Turning an answered question into an FAQ entry is for those who may create content: the city's PA
editors and admins, and NGO editors for questions their organisation answered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from witaj.shared.auth import Principal, Role
from witaj.shared.cities import CityCatalog
from witaj.shared.errors import ApiError, NotFound

TOKEN_HEADER = "X-Question-Token"  # noqa: S105 - a header name, not a secret
COUNSELLING_ROLES = (Role.COUNSELLOR, Role.PA_EDITOR, Role.NGO_EDITOR, Role.CITY_ADMIN)
CITY_EDITORS = (Role.PA_EDITOR, Role.CITY_ADMIN)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def holds(doc: dict[str, Any], token: str | None) -> bool:
    """Whether `token` is this question's own (constant time)."""
    if not token:
        return False
    return hmac.compare_digest(doc["token_hash"].encode(), token_hash(token).encode("utf-8", "replace"))


def may_counsel(principal: Principal, city: str) -> bool:
    """Staff of the city who answer questions for their organisation (platform admins everywhere)."""
    if principal.is_platform_admin:
        return True
    return (
        principal.in_city(city) and principal.has(*COUNSELLING_ROLES) and principal.organisation is not None
    )


def require_counsellor(principal: Principal, city: str) -> None:
    if may_counsel(principal, city):
        return
    if principal.in_city(city) and principal.has(*COUNSELLING_ROLES):
        raise ApiError(
            403, "organisation_required", "Counsellors answer for an organisation; your account has none"
        )
    raise ApiError(403, "forbidden", f"Only counsellors of '{city}' answer its questions")


def in_scope(cities: CityCatalog, profile: dict[str, Any], question: dict[str, Any]) -> bool:
    """The question is in the counsellor's languages and topics (a topic under one of theirs counts)."""
    if question["language"] not in profile["languages"]:
        return False
    topics = profile.get("topics") or []
    if not topics or question.get("topic") is None:
        return True
    return bool(set(cities.with_ancestors(question["city"], [question["topic"]])) & set(topics))


def may_answer(
    cities: CityCatalog, principal: Principal, profile: dict[str, Any] | None, question: dict[str, Any]
) -> bool:
    """Whether this counsellor may read and answer the question (see the module)."""
    if profile is None or not may_counsel(principal, question["city"]):
        return False
    owner = question.get("organisation")
    if owner is not None and owner != principal.organisation and not principal.is_platform_admin:
        return False
    return in_scope(cities, profile, question)


def require_answerable(
    cities: CityCatalog, principal: Principal, profile: dict[str, Any] | None, question: dict[str, Any] | None
) -> dict[str, Any]:
    """The question, if this counsellor may answer it; a 404 otherwise (its existence is not told)."""
    if question is None or not may_answer(cities, principal, profile, question):
        raise NotFound("The question")
    return question


def require_faq_maker(principal: Principal, city: str) -> None:
    """Those who create content in the city at all (which questions, `may_make_faq` says)."""
    allowed = principal.is_platform_admin or (
        principal.in_city(city)
        and (
            principal.has(*CITY_EDITORS)
            or (principal.has(Role.NGO_EDITOR) and principal.organisation is not None)
        )
    )
    if not allowed:
        raise ApiError(403, "forbidden", f"Only those who create content in '{city}' make FAQ entries")


def may_make_faq(principal: Principal, question: dict[str, Any]) -> bool:
    """Those who may create content from an answered question (see the module)."""
    if principal.is_platform_admin:
        return True
    if not principal.in_city(question["city"]):
        return False
    if principal.has(*CITY_EDITORS):
        return True
    return (
        principal.has(Role.NGO_EDITOR)
        and principal.organisation is not None
        and principal.organisation in question.get("answered_by", [])
    )
