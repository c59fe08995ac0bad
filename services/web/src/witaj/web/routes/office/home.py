"""Where a signed-in person starts: their city's dashboard (platform admins pick a city first)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from witaj.shared.auth import Role
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendUnavailable
from witaj.web.deps import WebDep
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, SignedDesk
from witaj.web.office.forms import FORMS
from witaj.web.office.staff import OFFICE_ROLES

router = APIRouter(prefix=PREFIX)


@router.get("")
async def start(desk: SignedDesk, web: WebDep) -> Response:
    staff = desk.staff
    if staff.is_platform_admin:
        cities = sorted(desk.use(await web.content.cities()), key=lambda c: c.name)
        return desk.render("office/cities.html", cities=cities)
    if staff.city and staff.works_in(staff.city):
        return RedirectResponse(f"{PREFIX}/{staff.city}", status_code=303)
    if staff.city and staff.has(Role.ANALYST):
        return RedirectResponse(f"/insights/{staff.city}", status_code=303)  # their pages are the insights
    no_organisation = staff.has(*OFFICE_ROLES) and staff.ngo is None
    return desk.render("office/no_work.html", no_organisation=no_organisation)


@router.get("/{city}")
async def dashboard(desk: CityDesk) -> Response:
    """What there is to do: each kind of content (how many, what waits for review), translation work.
    Counsellors who do no content work start at their questions."""
    staff, city = desk.staff, desk.city_id
    if not staff.edits_in(city):
        return RedirectResponse(desk.here("questions"), status_code=303)
    organisation = None if staff.sees_whole_city(city) else staff.ngo
    kinds = list(FORMS)

    async def count(kind_path: str, status: str | None) -> int | None:
        try:
            listing = await desk.workbench.listing(
                desk.token, city, kind_path, status=status, organisation=organisation, limit=1
            )
        except BackendUnavailable:
            return None
        return listing.total

    totals = await asyncio.gather(*(count(k, None) for k in kinds))
    waiting = await asyncio.gather(*(count(k, "in_review") for k in kinds))
    events = await event_counts(desk)
    work = None
    if staff.sees_whole_city(city) or staff.ngo:
        try:
            work = await desk.workbench.dashboard(desk.token, city)
        except BackendUnavailable:
            work = None
    return desk.render(
        "office/dashboard.html",
        kinds=list(zip(kinds, totals, waiting, strict=True)),
        work=work,
        events=events,
    )


async def event_counts(desk: Desk) -> dict[str, int | None] | None:
    """The person's events by status, for the dashboard (None: they have no events to work on)."""
    assert desk.city is not None
    if not (desk.city.has(Feature.EVENTS) and desk.staff.works_with_events(desk.city_id)):
        return None

    async def count(status: str) -> int | None:
        try:
            return (await desk.organiser.listing(desk.token, desk.city_id, status=status, limit=1)).total
        except BackendUnavailable:
            return None

    statuses = ("draft", "published")
    return dict(zip(statuses, await asyncio.gather(*(count(s) for s in statuses)), strict=True))
