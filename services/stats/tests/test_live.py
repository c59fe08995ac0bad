"""Live updates: a dashboard listening over Server-Sent Events sees a new count as the processor makes it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from witaj.devkit.testing import serve, wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import ContentKind, PageViewed
from witaj.stats.main import create_app


async def test_a_listener_gets_the_citys_rollup_updates(settings, feed, auth_header) -> None:
    app = create_app(settings)
    async with serve(app, headers=auth_header("analyst", city="lublin")) as client:
        listening = asyncio.create_task(
            client.get("/cities/lublin/live", params={"metric": "page_views", "limit": 1})
        )
        await wait_until(lambda: app.state.stats.live.listeners("lublin") == 1, message="the SSE listener")
        view = PageViewed(kind=ContentKind.PAGE, item_id="a", language="uk")
        now = datetime.now(UTC)
        await feed([wrap(view, source="witaj/test", city="lublin", subject="a", time=now)])
        response = await asyncio.wait_for(listening, 20)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f.startswith("id:")]
    assert len(frames) == 1
    lines = dict(line.split(": ", 1) for line in frames[0].splitlines())
    assert lines["event"] == "stats.rollup_updated"
    message = json.loads(lines["data"])
    assert message["city"] == "lublin" and message["data"]["metric"] == "page_views"
    assert message["data"]["cells"][0]["count"] == 1


async def test_the_example_subscriber_reads_the_stat_stream(settings, feed) -> None:
    import importlib.util
    from pathlib import Path

    from witaj.devkit.testing import read_topic
    from witaj.shared.topics import STATS_ROLLUPS

    path = Path(__file__).parents[1] / "examples" / "subscribe.py"
    spec = importlib.util.spec_from_file_location("witaj_stats_subscribe_example", path)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    view = PageViewed(kind=ContentKind.PAGE, item_id="a", language="uk")
    at = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
    await feed([wrap(view, source="witaj/test", city="lublin", subject="a", time=at)] * 2)
    expected = "lublin page_views by language day 2026-03-02T00:00:00Z: uk=2"

    async def described() -> bool:
        records = await read_topic(settings.kafka, STATS_ROLLUPS, count=1, timeout=2)
        return expected in {example.describe(json.loads(r.value)) for r in records}

    await wait_until(described, message="the example's line for the day's views")
