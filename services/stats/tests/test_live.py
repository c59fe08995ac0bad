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
        await wait_until(lambda: app.state.live.listeners("lublin") == 1, message="the SSE listener")
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
