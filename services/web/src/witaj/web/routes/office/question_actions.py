"""What a counsellor does with a question, one plain form each (POST, then back to a page: no JavaScript
needed): claim it while writing (or give the claim up), answer or ask back (with links to published
content), hand it over to another organisation, close it, report it as abusive.

A refusal comes back on the question's page, next to the field it concerns (the answer's text, the
organisation) with what was typed kept. After a hand-over, closing or a report the question is no longer
the counsellor's to see (the ask API answers 404), so the queue follows with what was done.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from witaj.web.clients.base import BackendRefused
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk
from witaj.web.office.forms import field_id
from witaj.web.office.problems import Problems, describe, explain
from witaj.web.routes.office.questions import counsellor, question_id_of, question_page

router = APIRouter(prefix=PREFIX + "/{city}/questions/{question_id}")
MESSAGE_KINDS = ("answer", "ask_back")
REASONS = ("abuse", "spam", "threat", "other")
MAX_LINKS = 10
FIELD_OF_CODE = {"no_counsellor_there": "organisation", "same_organisation": "organisation"}
"""Refusals about one field that are not validation errors."""
MAX_TEXT = 8_000
"""Twice what the ask API keeps: longer is refused by the API, next to the field, with the text kept."""


async def _act(
    desk: Desk,
    question_id: str,
    action: str,
    payload: Any,
    *,
    done: str,
    fields: set[str],
    values: dict[str, Any] | None = None,
    method: str = "POST",
    then_queue: bool = False,
) -> Response:
    counsellor(desk)
    question_id = question_id_of(desk, question_id)
    client = desk.counselling
    try:
        await client.act(desk.token, desk.city_id, question_id, action, payload, method=method)
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        label = lambda name: desk.t(f"office.ask.field.{name}")  # noqa: E731 - one line, read once
        problems = Problems()
        if refused.code in FIELD_OF_CODE:
            name = FIELD_OF_CODE[refused.code]
            problems.add(field_id(name), describe(desk.t, refused), label(name))
        elif fields:
            problems = explain(desk.t, refused, fields, label)
        if not problems:
            problems.add(None, describe(desk.t, refused))
        question = await client.question(desk.token, desk.city_id, question_id)
        return await question_page(desk, question, problems=problems, values=values, status=refused.status)
    if then_queue:
        return RedirectResponse(desk.here("questions", done=done), status_code=303)
    return RedirectResponse(desk.here("questions", question_id, done=done), status_code=303)


@router.post("/claim")
async def claim(question_id: str, desk: CityDesk, request: Request) -> Response:
    release = (await request.form()).get("release") == "1"
    return await _act(
        desk, question_id, "claim", None, done="released" if release else "claimed", fields=set(),
        method="DELETE" if release else "POST",
    )  # fmt: skip


def _links(chosen: list[str]) -> list[dict[str, str]]:
    """'process:lublin-residence' -> the API's link; anything else is left out."""
    links = []
    for value in dict.fromkeys(chosen):
        kind, _, item_id = value.partition(":")
        if kind and item_id:
            links.append({"kind": kind[:20], "item_id": item_id[:64]})
    return links[:MAX_LINKS]


@router.post("/messages")
async def write(question_id: str, desk: CityDesk, request: Request) -> Response:
    form = await request.form()
    kind = str(form.get("kind", ""))
    text = str(form.get("text", ""))[:MAX_TEXT]
    chosen = [str(v) for v in form.getlist("links")][: MAX_LINKS * 2]
    payload = {"kind": kind if kind in MESSAGE_KINDS else "answer", "text": text, "links": _links(chosen)}
    return await _act(
        desk, question_id, "messages", payload, done=payload["kind"], fields={"text", "links"},
        values={"text": text, "links": chosen},
    )  # fmt: skip


@router.post("/hand-over")
async def hand_over(question_id: str, desk: CityDesk, request: Request) -> Response:
    organisation = str((await request.form()).get("organisation", ""))[:64]
    return await _act(
        desk, question_id, "hand-over", {"organisation": organisation}, done="handed_over",
        fields={"organisation"}, values={"organisation": organisation}, then_queue=True,
    )  # fmt: skip


@router.post("/close")
async def close(question_id: str, desk: CityDesk, request: Request) -> Response:
    note = str((await request.form()).get("note", "")).strip()[:400]
    return await _act(
        desk, question_id, "close", {"note": note or None}, done="closed", fields={"note"},
        values={"note": note}, then_queue=True,
    )  # fmt: skip


@router.post("/report")
async def report(question_id: str, desk: CityDesk, request: Request) -> Response:
    reason = str((await request.form()).get("reason", ""))[:20]
    return await _act(
        desk, question_id, "report", {"reason": reason}, done="reported", fields={"reason"},
        values={"reason": reason}, then_queue=True,
    )  # fmt: skip
