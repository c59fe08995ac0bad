"""Frequently asked questions from migrants' questions, with their consent: an editor turns an answered
question into a published page.

The ask API offers the answered questions whose askers agreed, anonymised (e-mail addresses, phone
numbers, links and long numbers taken out); names cannot be found by a program, so the editor reads the
draft in the usual page form (with its live preview), changes what needs changing and creates it as a
draft page through the content workbench. From there it is reviewed, translated and published like any
other page; the ask API is told which item the question became, so it is not offered again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused
from witaj.web.office import forms
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.routes.office.editing import edit_page, redisplay, refused_edit
from witaj.web.routes.office.questions import question_id_of

router = APIRouter(prefix=PREFIX + "/{city}/faq")
KIND_PATH = "pages"


def _faq_maker(desk: Desk) -> None:
    """Those who create content in the city (the ask API says which questions each may use)."""
    assert desk.city is not None
    if not (
        desk.city.has(Feature.QUESTIONS)
        and desk.city.has(Feature.CONTENT)
        and desk.staff.may_create(desk.city_id)
    ):
        raise NotYours(desk.city_id)


@router.get("")
async def candidates(desk: CityDesk, offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> HTMLResponse:
    _faq_maker(desk)
    listing = await desk.counselling.faq_candidates(desk.token, desk.city_id, offset=offset)
    return desk.render("office/ask/faq.html", listing=listing)


def _language(desk: Desk, draft: dict[str, Any]) -> str:
    """The page is written in the question's language where the city offers it, else the city's own."""
    assert desk.city is not None
    source = draft["source_language"]
    return source if source in desk.city.languages else desk.city.default_language


async def _draft(desk: Desk, question_id: str) -> dict[str, Any]:
    _faq_maker(desk)
    return await desk.counselling.faq_draft(desk.token, desk.city_id, question_id_of(desk, question_id))


@router.get("/{question_id}")
async def draft_page(question_id: str, desk: CityDesk) -> Response:
    draft = await _draft(desk, question_id)
    if draft.get("faq_item"):
        return RedirectResponse(desk.here("items", draft["faq_item"]), status_code=303)
    content = {**forms.blank(KIND_PATH), **draft["content"]}
    return await edit_page(desk, KIND_PATH, content, language=_language(desk, draft), faq=draft)


@router.post("/{question_id}")
async def create(question_id: str, desk: CityDesk, request: Request) -> Response:
    draft = await _draft(desk, question_id)  # consent still given, and not made into a page yet
    if draft.get("faq_item"):
        return RedirectResponse(desk.here("items", draft["faq_item"]), status_code=303)
    form = await request.form()
    content = forms.read(KIND_PATH, form)
    chosen = str(form.get("language", ""))
    assert desk.city is not None
    language = chosen if chosen in desk.city.languages else _language(desk, draft)
    page = {"language": language, "faq": draft}
    intent = str(form.get("intent", "save"))
    if intent != "save":
        return await redisplay(desk, KIND_PATH, content, intent, **page)
    try:
        created = await desk.workbench.create(
            desk.token, desk.city_id, KIND_PATH, content, source_language=page["language"]
        )
    except BackendRefused as refused:
        return await refused_edit(desk, KIND_PATH, content, refused, **page)
    await desk.counselling.faq_record(desk.token, desk.city_id, draft["question_id"], created.id)
    return RedirectResponse(desk.here("items", created.id, done="created"), status_code=303)
