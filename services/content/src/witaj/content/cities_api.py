"""The cities' configurations over HTTP: every city, one city, creating one and replacing its
configuration (platform admins, or the city's own admins), with ETags against lost updates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from witaj.content.access import require_admin
from witaj.content.deps import CitiesDep
from witaj.content.writing import etag, expected_revision
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import ApiError, NotFound
from witaj.shared.events import CityConfig

router = APIRouter(prefix="/cities", tags=["cities"])


@router.get("", summary="Every city this deployment serves")
async def list_cities(store: CitiesDep) -> list[CityConfig]:
    return [config for config, _ in await store.list()]


@router.get("/{city}", summary="One city's configuration")
async def get_city(city: str, store: CitiesDep, response: Response) -> CityConfig:
    found = await store.get(city)
    if found is None:
        raise NotFound(f"The city '{city}'")
    response.headers["ETag"] = etag(found[1])
    return found[0]


@router.post("", status_code=201, summary="Create a city (platform admin, or the city's own admin)")
async def create_city(
    config: CityConfig, principal: CurrentPrincipal, store: CitiesDep, response: Response
) -> CityConfig:
    require_admin(principal, config.id)
    revision = await store.create(config, by=principal.subject)
    response.headers["ETag"] = etag(revision)
    response.headers["Location"] = f"/cities/{config.id}"
    return config


@router.put("/{city}", summary="Replace a city's configuration (send If-Match to avoid lost updates)")
async def update_city(
    city: str,
    config: CityConfig,
    principal: CurrentPrincipal,
    store: CitiesDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> CityConfig:
    require_admin(principal, city)
    if config.id != city:
        raise ApiError(
            422, "id_mismatch", f"The body is for city '{config.id}' but the address says '{city}'"
        )
    revision = await store.update(config, by=principal.subject, expected_revision=expected_revision(if_match))
    response.headers["ETag"] = etag(revision)
    return config
