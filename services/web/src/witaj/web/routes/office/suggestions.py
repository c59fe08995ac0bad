"""Readers' suggestions and tips for an item's editors: the list, accept or reject.

A reader suggests a correction or adds a tip to a published item; the item's editors (the city's, or
the owning organisation's: the content API decides) see them oldest first. Accepting a tip lists it
under the item, credited by the pseudonym the reader chose; accepting a correction credits them the same
way and leads to the item's edit form, so the change goes through the usual editing, review and
translation workflow. Rejecting erases it after a while.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.readers import SuggestionDesk
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.problems import Problems, describe
from witaj.web.routes.office.content import ITEM_ID

router = APIRouter(prefix=PREFIX + "/{city}/suggestions")
DECISIONS = ("accepted", "rejected")
STATUSES = ("pending", "accepted", "rejected")


def _suggestions(desk: Desk) -> SuggestionDesk:
    assert desk.city is not None
    if not (desk.city.has(Feature.FEEDBACK) and desk.staff.may_create(desk.city_id)):
        raise NotYours(desk.city_id)
    return SuggestionDesk(desk.workbench)


async def suggestions_page(
    desk: Desk,
    *,
    status: str = "pending",
    item_id: str | None = None,
    offset: int = 0,
    done: str | None = None,
    edit: str | None = None,
    problems: Problems | None = None,
    code: int = 200,
) -> HTMLResponse:
    listing = await _suggestions(desk).queue(
        desk.token, desk.city_id, status=status, item_id=item_id, offset=offset
    )
    return desk.render(
        "office/ask/suggestions.html", status=code, listing=listing, shown=status, statuses=STATUSES,
        item_id=item_id, done=done, edit=edit, problems=problems or Problems(),
    )  # fmt: skip


@router.get("")
async def suggestions(
    desk: CityDesk,
    status: Annotated[str, Query(max_length=10)] = "pending",
    item: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    done: Annotated[str, Query(max_length=10)] = "",
    edit: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    return await suggestions_page(
        desk, status=status if status in STATUSES else "pending",
        item_id=item if ITEM_ID.match(item) else None, offset=offset,
        done=done if done in DECISIONS else None, edit=edit if ITEM_ID.match(edit) else None,
    )  # fmt: skip


@router.post("/{suggestion_id}")
async def decide(suggestion_id: str, desk: CityDesk, request: Request) -> Response:
    client = _suggestions(desk)
    decision = str((await request.form()).get("decision", ""))
    try:
        if decision not in DECISIONS:
            raise BackendRefused("content", 422, "bad_request")
        answer = await client.decide(desk.token, desk.city_id, suggestion_id[:100], decision)
    except BackendRefused as refused:
        if refused.status in (401, 403):
            raise
        problems = Problems()
        gone = refused.status == 404 or refused.code == "already_decided"
        problems.add(None, desk.t("office.ask.suggestions.gone") if gone else describe(desk.t, refused))
        return await suggestions_page(desk, problems=problems, code=refused.status)
    edit = answer.get("edit", {}).get("item_id") if isinstance(answer.get("edit"), dict) else None
    return RedirectResponse(desk.here("suggestions", done=decision, edit=edit), status_code=303)
