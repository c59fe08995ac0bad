"""A city's district boundaries (GeoJSON), for maps of the indicator figures it gives per district.

The boundaries are the city's own, uploaded by its analysts or administrators, and public (anyone may
draw the map); the figures on them are indicator cells with a `district`, suppressed like every other
cell (a district is one more disaggregation, with the whole city as its total). An upload is checked
whole and bounded: a FeatureCollection of Polygons and MultiPolygons, each with an `id` the datasets
use and a `name`, coordinates as longitude and latitude, at most `MAX_FEATURES` districts and
`MAX_POINTS` positions. Anything else is refused with what is wrong, and nothing is stored.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from witaj.shared.auth import CurrentPrincipal, Role
from witaj.shared.errors import ERROR_RESPONSES, ApiError, BadRequest, Forbidden
from witaj.stats.access import reader
from witaj.stats.deps import OpenDataOn, Settings, StatsOn, Store
from witaj.stats.indicators import DISTRICT
from witaj.stats.schemas import DistrictsPublic

router = APIRouter(responses=ERROR_RESPONSES)
MAX_FEATURES = 200
MAX_POINTS = 200_000
MAX_NAME = 100


def _ring(ring: Any, where: str, problems: list[str]) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        problems.append(f"{where}: a ring needs at least 4 positions")
        return 0
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position[:2])
            or not all(math.isfinite(n) for n in position[:2])
            or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90)
        ):
            problems.append(f"{where}: positions are [longitude, latitude] in degrees")
            return 0
    return len(ring)


def check(document: Any) -> list[dict[str, Any]]:
    """The features as stored ({id, name, geometry}), or a 422 listing what is wrong."""
    problems: list[str] = []
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BadRequest("Send a GeoJSON FeatureCollection", code="bad_geojson")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BadRequest("The FeatureCollection has no features", code="bad_geojson")
    if len(features) > MAX_FEATURES:
        raise ApiError(
            413, "too_many_districts", f"At most {MAX_FEATURES} districts", {"features": len(features)}
        )
    points = 0
    seen: set[str] = set()
    out = []
    for number, feature in enumerate(features, start=1):
        where = f"feature {number}"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        district = str(properties.get("id", feature.get("id", "") if isinstance(feature, dict) else ""))
        name = properties.get("name")
        if not DISTRICT.match(district):
            problems.append(
                f"{where}: properties.id must be a district id (lower-case letters, digits, '-', '_')"
            )
        elif district in seen:
            problems.append(f"{where}: the id {district!r} is used twice")
        seen.add(district)
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            problems.append(f"{where}: properties.name must be a name of 1 to {MAX_NAME} characters")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if kind == "Polygon" and isinstance(coordinates, list):
            polygons = [coordinates]
        elif kind == "MultiPolygon" and isinstance(coordinates, list):
            polygons = coordinates
        else:
            problems.append(f"{where}: the geometry must be a Polygon or a MultiPolygon")
            continue
        for polygon in polygons:
            if not isinstance(polygon, list) or not polygon:
                problems.append(f"{where}: a polygon needs at least one ring")
                continue
            for ring in polygon:
                points += _ring(ring, where, problems)
        if points > MAX_POINTS:
            raise ApiError(413, "too_many_points", f"The boundaries may have at most {MAX_POINTS} positions")
        out.append(
            {
                "id": district,
                "name": str(name).strip()[:MAX_NAME],
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    if problems:
        raise ApiError(
            422,
            "invalid_districts",
            f"{len(problems)} problem(s); nothing was stored",
            {"problems": problems[:100]},
        )
    return out


@router.put(
    "/cities/{city}/districts",
    tags=["indicators"],
    summary="Upload the city's district boundaries",
    dependencies=[StatsOn],
)
async def put_districts(
    city: str, request: Request, principal: CurrentPrincipal, store: Store, settings: Settings
) -> DistrictsPublic:
    """A GeoJSON FeatureCollection (`application/geo+json` or `application/json`); each feature's
    `properties.id` is the district id datasets give in their `district` column. Replaces the last one."""
    if not principal.has(Role.ANALYST, Role.CITY_ADMIN, Role.PLATFORM_ADMIN) or not principal.in_city(city):
        raise Forbidden(f"Only analysts and administrators of {city!r} may submit its districts")
    body = await request.body()
    if len(body) > settings.upload.max_bytes:
        raise ApiError(
            413, "payload_too_large", f"Boundaries are limited to {settings.upload.max_bytes} bytes"
        )
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("The body is not valid JSON", code="bad_json") from None
    features = check(document)
    now = datetime.now(UTC)
    await store.db["districts"].replace_one(
        {"_id": city}, {"features": features, "updated_at": now}, upsert=True
    )
    return DistrictsPublic(city=city, features=features, updated_at=now)


async def _districts(store: Any, city: str) -> DistrictsPublic:
    doc = await store.db["districts"].find_one({"_id": city})
    if doc is None:
        return DistrictsPublic(city=city, features=[])
    return DistrictsPublic(city=city, features=doc["features"], updated_at=doc.get("updated_at"))


@router.get(
    "/cities/{city}/districts",
    tags=["indicators"],
    summary="The city's district boundaries",
    dependencies=[StatsOn],
)
async def get_districts(city: str, principal: CurrentPrincipal, store: Store) -> DistrictsPublic:
    reader(principal, city)
    return await _districts(store, city)


@router.get(
    "/open/cities/{city}/districts",
    tags=["open data"],
    summary="The city's district boundaries",
    dependencies=[OpenDataOn],
)
async def open_districts(city: str, store: Store) -> DistrictsPublic:
    """Boundaries are public: they say where districts are, nothing about anyone."""
    return await _districts(store, city)
