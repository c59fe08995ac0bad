"""Migrants' questions in the back office: a counsellor's profile, their queue and a question's page.

A counsellor (the ask API's `counsellor` role, or a PA or NGO editor or city admin with an organisation)
first says which topics they answer and which languages they read; the queue then lists the open
questions they may answer, oldest first, with the machine translation where the city allows one. A
question's page shows its thread and every step the counsellor can take (`question_actions.py`), with
published content that answers it, to link in the answer. The ask API decides who sees which question:
one outside the person's city, topics, languages or organisation is a 404 page here too.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.content import KIND_PATHS
from witaj.web.clients.readers import suggested_content
from witaj.web.errors import PageNotFound
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.forms import field_id
from witaj.web.office.problems import Problems, explain
from witaj.web.routes.office.editing import SPOKEN, city_topics

router = APIRouter(prefix=PREFIX + "/{city}/questions")
STATES = ("open", "awaiting_migrant", "answered")
DONE = ("profile", "claimed", "released", "answer", "ask_back", "handed_over", "closed", "reported")
QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CHOICES = 60


def counsellor(desk: Desk) -> None:
    """Questions are for the city's counsellors, where the city takes questions."""
    assert desk.city is not None
    if not (desk.city.has(Feature.QUESTIONS) and desk.staff.counsels(desk.city_id)):
        raise NotYours(desk.city_id)


def question_id_of(desk: Desk, question_id: str) -> str:
    if not QUESTION_ID.match(question_id):
        raise PageNotFound("page", city=desk.city)
    return question_id


async def topic_labels(desk: Desk) -> dict[str, str]:
    return {topic_id: label for topic_id, label, _ in await city_topics(desk)}


# ------------------------------------------------------------------------------------------- profile


async def profile_page(
    desk: Desk,
    chosen: dict[str, list[str]] | None = None,
    *,
    first: bool = False,
    problems: Problems | None = None,
    status: int = 200,
) -> HTMLResponse:
    assert desk.city is not None
    if chosen is None:
        try:
            saved = await desk.counselling.profile(desk.token, desk.city_id)
            chosen = {"topics": saved["topics"], "languages": saved["languages"]}
        except BackendRefused as refused:
            if refused.code != "profile_required":
                raise
            first = True
            chosen = {"topics": [], "languages": [desk.city.default_language]}
    city_languages = desk.city.languages
    return desk.render(
        "office/ask/profile.html", status=status, chosen=chosen, first=first, topics=await city_topics(desk),
        city_languages=city_languages, other_languages=[c for c in SPOKEN if c not in city_languages],
        problems=problems or Problems(), field_id=field_id,
    )  # fmt: skip


@router.get("/profile")
async def profile(desk: CityDesk) -> HTMLResponse:
    counsellor(desk)
    return await profile_page(desk)


@router.post("/profile")
async def save_profile(desk: CityDesk, request: Request) -> Response:
    counsellor(desk)
    form = await request.form()
    chosen = {
        name: [str(v)[:64] for v in form.getlist(name)][:MAX_CHOICES] for name in ("topics", "languages")
    }
    try:
        await desk.counselling.save_profile(desk.token, desk.city_id, **chosen)
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        problems = explain(desk.t, refused, {"topics", "languages"}, _profile_label(desk))
        return await profile_page(desk, chosen, problems=problems, status=refused.status)
    return RedirectResponse(desk.here("questions", done="profile"), status_code=303)


def _profile_label(desk: Desk) -> Any:
    return lambda name: desk.t(f"office.ask.profile.{name}")


# --------------------------------------------------------------------------------------------- queue


@router.get("")
async def queue(
    desk: CityDesk,
    state: Annotated[str, Query(max_length=20)] = "open",
    mine: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    counsellor(desk)
    state = state if state in STATES else "open"
    try:
        listing = await desk.counselling.queue(
            desk.token, desk.city_id, state=state, mine=mine, offset=offset
        )
    except BackendRefused as refused:
        if refused.code != "profile_required":
            raise
        return RedirectResponse(desk.here("questions", "profile"), status_code=303)
    return desk.render(
        "office/ask/queue.html", listing=listing, state=state, states=STATES, mine=mine,
        done=done if done in DONE else None, topic_labels=await topic_labels(desk),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------ question


async def _suggestions(desk: Desk, question: dict[str, Any]) -> list[dict[str, Any]]:
    """Published content that answers the question: matched on its own words, else on its machine
    translation into the city's language."""
    first = question["messages"][0]
    tries = [(first["text"], question["language"])]
    if first.get("draft"):
        tries.append((first["draft"]["text"], first["draft"]["language"]))
    for text, language in tries:
        try:
            found = await suggested_content(
                desk.workbench, desk.token, desk.city_id, text, language=language, topic=question.get("topic")
            )
        except (BackendUnavailable, BackendRefused):
            continue  # a suggestion is a help, not a need: the page works without it
        if found:
            return [
                {**row, "kind_path": KIND_PATHS.get(row["kind"], ""), "value": f"{row['kind']}:{row['id']}"}
                for row in found
                if row.get("kind") in KIND_PATHS
            ]
    return []


async def _organisations(desk: Desk, question: dict[str, Any]) -> list[dict[str, Any]]:
    """Organisations to hand the question over to: those with a counsellor reading its language."""
    mine = question.get("organisation") or desk.staff.organisation
    try:
        found = await desk.counselling.organisations(desk.token, desk.city_id, question["language"])
    except BackendUnavailable:
        return []
    return [row for row in found if row["organisation"] != mine]


async def question_page(
    desk: Desk,
    question: dict[str, Any],
    *,
    done: str | None = None,
    problems: Problems | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return desk.render(
        "office/ask/question.html", status=status, question=question, done=done,
        problems=problems or Problems(), values=values or {}, field_id=field_id,
        suggestions=await _suggestions(desk, question), organisations=await _organisations(desk, question),
        topic_labels=await topic_labels(desk), kind_paths=KIND_PATHS,
    )  # fmt: skip


@router.get("/{question_id}")
async def question(
    question_id: str, desk: CityDesk, done: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    counsellor(desk)
    try:
        found = await desk.counselling.question(desk.token, desk.city_id, question_id_of(desk, question_id))
    except BackendRefused as refused:
        if refused.code != "profile_required":
            raise
        return RedirectResponse(desk.here("questions", "profile"), status_code=303)
    return await question_page(desk, found, done=done if done in DONE else None)
