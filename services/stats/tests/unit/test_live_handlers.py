"""The stats API's handler: the processor's rollups reach the live listeners of their city only.

`test_live.py` runs the same through the real broker, processor and HTTP stream.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.events import Cell, IndicatorUpdated, RollupUpdated
from witaj.shared.topics import STATS_ROLLUPS
from witaj.stats import handlers
from witaj.stats.live import LiveHub

pytestmark = pytest.mark.unit


def event(data: EventData, city: str) -> Envelope[Any]:
    return wrap(data, source="witaj/stats", city=city, subject=city)


def rollup(metric: str = "page_views") -> RollupUpdated:
    window = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
    return RollupUpdated(
        metric=metric, dimension="total", granularity="minute", window_start=window, people=False,
        cells=[Cell(value="", count=42)],
    )  # fmt: skip


async def test_a_rollup_reaches_the_listeners_of_its_city_and_no_other() -> None:
    live = LiveHub()
    [subscription] = handlers.subscriptions(live)
    assert (subscription.group, list(subscription.topics), subscription.broadcast) == (
        "live",
        [STATS_ROLLUPS],
        True,
    )
    lublin = live.stream("lublin", metric=None, limit=1)
    gdansk = live.stream("gdansk", metric=None, limit=1)
    assert await anext(lublin) == ": connected\n\n"
    assert await anext(gdansk) == ": connected\n\n"

    indicator = IndicatorUpdated(
        dataset_id="d1", indicator="employment_rate", unit="%", period="2030", cells=[]
    )
    await subscription.handlers(event(indicator, "lublin"))  # not a live update: not forwarded
    await subscription.handlers(event(rollup(), "lublin"))

    frame = await anext(lublin)
    message = json.loads(frame.split("data: ", 1)[1])
    assert (message["type"], message["data"]["cells"]) == (
        "stats.rollup_updated",
        [{"value": "", "count": 42, "suppressed": False}],
    )
    await subscription.handlers(event(rollup("searches"), "gdansk"))
    first_for_gdansk = json.loads((await anext(gdansk)).split("data: ", 1)[1])
    assert first_for_gdansk["data"]["metric"] == "searches"  # Lublin's page views never reached it
    await lublin.aclose()
    await gdansk.aclose()
