"""The broadcast routes: a city's PA editors and admins preview, send and list urgent notices.

Who: PA editors and city admins of the city, and platform admins (who act in every city); NGO editors,
translators and everyone else are refused (403), and so is staff of another city. A city that switched
notifications off has no broadcasts (404 `feature_disabled`). See `witaj.notify.broadcasts` for what a
broadcast does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from witaj.notify.deps import ServicesDep
from witaj.notify.schemas import BroadcastCreate, BroadcastPreview, BroadcastPublic
from witaj.shared.auth import CurrentPrincipal, Principal, Role, forbid_unless
from witaj.shared.events import CityConfig, Feature
from witaj.shared.web import Page, Pagination

BROADCASTERS = (Role.PA_EDITOR, Role.CITY_ADMIN)


def may_broadcast(principal: Principal, city: str) -> bool:
    return principal.is_platform_admin or (principal.in_city(city) and principal.has(*BROADCASTERS))


@dataclass(frozen=True)
class Broadcasting:
    principal: Principal
    city: CityConfig


async def broadcasting(city: str, principal: CurrentPrincipal, services: ServicesDep) -> Broadcasting:
    forbid_unless(
        may_broadcast(principal, city),
        f"Only the PA editors and admins of '{city}' send urgent notices there",
    )
    return Broadcasting(principal, services.runtime.cities.require_feature(city, Feature.NOTIFICATIONS))


BroadcastingDep = Annotated[Broadcasting, Depends(broadcasting)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Yours, new for each notice (a UUID, say): sending again with it sends nothing again",
    ),
]

router = APIRouter(prefix="/cities/{city}/broadcasts", tags=["broadcasts"])


@router.post("/preview", summary="What a broadcast would send, per language, and to how many")
async def preview(body: BroadcastCreate, at: BroadcastingDep, services: ServicesDep) -> BroadcastPreview:
    """Each language's text as subscribers would get it, how many subscribers get it, and how many of
    those read another language that has no text (they get this one by their fallbacks or the city's).
    Counts only: who the subscribers are is never shown. Nothing is stored or sent."""
    services.broadcasts.check(at.city, body)
    return await services.broadcasts.preview(at.city, body)


@router.post(
    "",
    status_code=202,
    summary="Send an urgent notice to the subscribers of topics or target groups",
    responses={200: {"model": BroadcastPublic, "description": "Sent earlier with this key; not sent again"}},
)
async def send(
    body: BroadcastCreate,
    at: BroadcastingDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey,
    response: Response,
) -> BroadcastPublic:
    """The notice goes to each subscriber's inbox (and live stream) at once, and by e-mail and webhook
    where they chose those, also in their quiet hours and instead of waiting for their daily digest:
    urgent notices are for what cannot wait. Answers 202 while the messages are being stored and sent
    (`state` says how far it got). The same `Idempotency-Key` again answers the same broadcast (200)
    and sends nothing; with another notice it is refused (409). A city sends at most
    `notify.broadcasts_per_day` (429 beyond)."""
    services.broadcasts.check(at.city, body)
    broadcast, new = await services.broadcasts.send(at.city, body, idempotency_key, at.principal.subject)
    if not new:
        response.status_code = 200
    return broadcast


@router.get("", summary="The city's broadcasts, newest first")
async def list_broadcasts(
    at: BroadcastingDep, services: ServicesDep, page: Pagination
) -> Page[BroadcastPublic]:
    return await services.broadcasts.page(at.city.id, page)


@router.get("/{broadcast_id}", summary="One broadcast and how far its sending got")
async def get_broadcast(broadcast_id: str, at: BroadcastingDep, services: ServicesDep) -> BroadcastPublic:
    return await services.broadcasts.get(at.city.id, broadcast_id)
