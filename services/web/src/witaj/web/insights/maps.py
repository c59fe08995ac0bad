"""Choropleth maps of figures per district, drawn on the server as SVG from the city's GeoJSON boundaries.

A sequential colour-blind-safe scale (light to dark blue: more is darker) in five equal steps between
the lowest and highest figure shown; a suppressed district is hatched and a district without a figure is
pale with a dashed edge, so neither passes for a low value. Maps are never mirrored right to left
(geography has no reading direction); the legend and the table beside the map are in the page.
Coordinates are projected equirectangularly around the city's middle latitude, which is exact enough
at the size of a city.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from markupsafe import Markup, escape
from witaj.web.insights.charts import HATCH, INK, PENDING, SEQUENTIAL, Datum

Position = Sequence[float]


def _polygons(geometry: dict[str, Any]) -> Iterator[list[list[Position]]]:
    if geometry.get("type") == "Polygon":
        yield geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        yield from geometry["coordinates"]


def classes(values: Sequence[float]) -> list[tuple[float, float]]:
    """Five equal steps from the lowest to the highest value (one step when they are all the same)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if math.isclose(low, high):
        return [(low, high)]
    step = (high - low) / len(SEQUENTIAL)
    return [(low + step * i, low + step * (i + 1)) for i in range(len(SEQUENTIAL))]


def class_of(value: float, steps: list[tuple[float, float]]) -> int:
    if len(steps) == 1:
        return len(SEQUENTIAL) // 2
    for index, (_, top) in enumerate(steps):
        if value <= top + 1e-9:
            return index
    return len(steps) - 1


def choropleth(
    features: list[dict[str, Any]],
    figures: dict[str, Datum],
    *,
    chart_id: str,
    title: str,
    summary: str,
    width: int = 480,
    most_height: int = 440,
) -> Markup:
    """`figures` by district id; features are the stored boundaries ({id, name, geometry})."""
    points = [p for f in features for polygon in _polygons(f["geometry"]) for ring in polygon for p in ring]
    if not points:
        return Markup("")
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((north + south) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-9), max(north - south, 1e-9)
    pad = 6
    scale = min((width - 2 * pad) / span_x, (most_height - 2 * pad) / span_y)
    height = int(span_y * scale + 2 * pad)
    steps = classes([d.value for d in figures.values() if d.state == "shown" and d.value is not None])

    def xy(position: Position) -> str:
        return f"{pad + (position[0] - west) * squeeze * scale:.1f},{pad + (north - position[1]) * scale:.1f}"

    parts = [
        f'<svg class="chart chart--map" id="{chart_id}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>'
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="2.5" height="6" fill="{HATCH}"/></pattern></defs>'
    ]
    for feature in features:
        datum = figures.get(feature["id"])
        path = " ".join(
            "M" + " L".join(xy(p) for p in ring) + " Z"
            for polygon in _polygons(feature["geometry"])
            for ring in polygon
        )
        if datum is not None and datum.state == "shown" and datum.value is not None:
            paint = f'fill="{SEQUENTIAL[class_of(datum.value, steps)]}" stroke="{INK}"'
            state = "shown"
        elif datum is not None and datum.state == "suppressed":
            paint = f'fill="url(#{chart_id}-hatch)" stroke="{INK}"'
            state = "suppressed"
        else:
            paint = f'fill="#f4f5f7" stroke="{PENDING}" stroke-dasharray="4 3"'
            state = "missing"
        text = datum.text if datum is not None else ""
        parts.append(
            f'<path class="map__district map__district--{state}" data-district="{escape(feature["id"])}" '
            f'd="{path}" fill-rule="evenodd" stroke-width="1" {paint}>'
            f"<title>{escape(feature['name'])}{': ' if text else ''}{escape(text)}</title></path>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
