"""Content in the back office: a kind's list, an item's page with its workflow, its version history.

The workflow follows the content API's: draft -> in review -> published -> archived, with "send back"
and "restore" (`STEPS` mirrors `witaj.content.store.STATUS_FLOW` to offer only what the API allows;
the API refuses anything else). Each change carries the version the person saw (If-Match), so two
people acting at once cannot overwrite each other unawares.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.workbench import LIST_SIZE, EditorItem
from witaj.web.deps import PageNotFound
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk
from witaj.web.office.diff import compare
from witaj.web.office.forms import FORMS, path_label
from witaj.web.office.problems import describe
from witaj.web.routes.items import ITEM_ID

router = APIRouter(prefix=PREFIX + "/{city}")
STATUSES = ("draft", "in_review", "published", "archived")
STEPS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review", "archived"),
    "in_review": ("published", "draft"),
    "published": ("draft", "archived"),
    "archived": ("draft", "published"),
}
"""From each status, where an item may go next (as the content API allows), most usual first."""
DONE = ("saved", "created", *STATUSES)


def kind_path_of(desk: Desk, kind_path: str) -> str:
    if kind_path not in FORMS:
        raise PageNotFound("page", city=desk.city)
    return kind_path


async def load_item(desk: Desk, item_id: str) -> EditorItem:
    if not ITEM_ID.match(item_id):
        raise PageNotFound("page", city=desk.city)
    return await desk.workbench.item(desk.token, desk.city_id, item_id)


@router.get("/content/{kind_path}")
async def list_items(
    kind_path: str,
    desk: CityDesk,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> HTMLResponse:
    kind_path_of(desk, kind_path)
    staff, city = desk.staff, desk.city_id
    organisation = None if staff.sees_whole_city(city) else staff.ngo
    listing = await desk.workbench.listing(
        desk.token, city, kind_path, status=status if status in STATUSES else None,
        organisation=organisation, offset=(page - 1) * LIST_SIZE,
    )  # fmt: skip
    pages = max(1, math.ceil(listing.total / LIST_SIZE))
    return desk.render(
        "office/list.html", kind_path=kind_path, listing=listing, chosen=status if status in STATUSES else "",
        statuses=STATUSES, page=min(page, pages), pages=pages,
    )  # fmt: skip


@router.get("/items/{item_id}")
async def item_page(
    item_id: str, desk: CityDesk, done: Annotated[str, Query(max_length=20)] = ""
) -> HTMLResponse:
    item = await load_item(desk, item_id)
    return show_item(desk, item, done=done if done in DONE else None)


def show_item(
    desk: Desk, item: EditorItem, *, done: str | None = None, problem: str | None = None, status: int = 200
) -> HTMLResponse:
    staff = desk.staff
    return desk.render(
        "office/item.html",
        status=status,
        item=item,
        may_edit=staff.may_edit(item.facts()),
        may_translate=staff.may_translate(item.facts()),
        steps=STEPS.get(item.status, ()),
        done=done,
        problem=problem,
    )


@router.post("/items/{item_id}/status")
async def change_status(
    item_id: str,
    desk: CityDesk,
    status: Annotated[str, Form(max_length=20)] = "",
    version: Annotated[int, Form(ge=1)] = 1,
) -> Response:
    item = await load_item(desk, item_id)
    if status not in STATUSES:
        return show_item(desk, item, problem=desk.t("office.problem.invalid_status_transition"), status=400)
    try:
        await desk.workbench.transition(desk.token, desk.city_id, item_id, status, version=version)
    except BackendRefused as refused:
        if refused.status >= 500 or refused.status in (401, 403, 404):
            raise
        return show_item(desk, item, problem=describe(desk.t, refused), status=refused.status)
    return RedirectResponse(desk.here("items", item_id, done=status), status_code=303)


@router.get("/items/{item_id}/history")
async def history(
    item_id: str,
    desk: CityDesk,
    older: Annotated[int | None, Query(alias="from", ge=1)] = None,
    newer: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> HTMLResponse:
    """Every revision of the source; two of them compared field by field (by default the last change)."""
    item = await load_item(desk, item_id)
    versions = await desk.workbench.versions(desk.token, desk.city_id, item_id)
    by_revision = {v.revision: v for v in versions}
    newest = by_revision.get(newer or 0) or (versions[0] if versions else None)
    default_older = next((v for v in versions if newest and v.revision < newest.revision), None)
    oldest = by_revision.get(older or 0) or default_older
    changes = compare(oldest.texts, newest.texts) if oldest and newest else []
    return desk.render(
        "office/history.html", item=item, versions=versions, older=oldest, newer=newest, changes=changes,
        path_label=path_label,
    )  # fmt: skip
