"""Dashboards over real rollups: series, breakdowns, top lists, gaps, exports, and who may read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from witaj.devkit.testing import serve
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.events import (
    Channel,
    ContentKind,
    NotificationDelivered,
    NotificationFailed,
    PageViewed,
    SearchPerformed,
    TranslationStateChanged,
)
from witaj.stats.gaps import week_of
from witaj.stats.main import create_app

NOON = datetime(2026, 3, 2, 12, 10, tzinfo=UTC)
DAY = {"start": "2026-03-02T00:00:00Z", "end": "2026-03-02T23:00:00Z"}


def event(data: EventData, city: str = "lublin", time: datetime = NOON) -> Envelope[Any]:
    return wrap(data, source="witaj/test", city=city, subject="s", time=time)


def view(item: str, language: str, city: str = "lublin", **extra: Any) -> Envelope[Any]:
    data = PageViewed(kind=ContentKind.PAGE, item_id=item, language=language, topics=["work"], **extra)
    return event(data, city=city)


# A settled week (weeks of searches are published once settled) within the query text's retention.
WEEK = week_of(datetime.now(UTC)) - timedelta(days=14)


def search(query: str, session: str, results: int = 0, language: str = "uk") -> Envelope[Any]:
    data = SearchPerformed(query=query, language=language, result_count=results, session=session)
    return event(data, time=WEEK + timedelta(days=2, hours=12))


async def test_series_breakdown_and_top_items(settings, feed, auth_header) -> None:
    await feed(
        [view("a", "uk")] * 5 + [view("b", "ar")] * 3 + [view("c", "uk")] + [view("x", "uk", city="krakow")]
    )
    analyst = auth_header("analyst", city="lublin")
    async with serve(create_app(settings), headers=analyst) as client:
        series = (
            await client.get(
                "/cities/lublin/series", params={"metric": "page_views", "granularity": "hour", **DAY}
            )
        ).json()
        counts = {p["start"][11:13]: p["count"] for p in series["points"]}
        assert counts["12"] == 9 and counts["11"] == 0 and len(series["points"]) == 24

        by_language = (
            await client.get(
                "/cities/lublin/breakdown",
                params={"metric": "page_views", "dimension": "language", "start": DAY["start"]},
            )
        ).json()
        assert by_language["total"]["count"] == 9
        assert [(c["value"], c["count"]) for c in by_language["cells"]] == [("uk", 6), ("ar", 3)]

        top = (
            await client.get(
                "/cities/lublin/top", params={"metric": "page_views", "dimension": "item", "limit": 2, **DAY}
            )
        ).json()
        assert [(c["value"], c["count"]) for c in top["cells"]] == [("a", 5), ("b", 3)]

        csv = await client.get(
            "/cities/lublin/breakdown",
            params={"metric": "page_views", "dimension": "language", "start": DAY["start"], "format": "csv"},
        )
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[1:] == [
            "lublin,page_views,language,total,2026-03-02T00:00:00+00:00,2026-03-02T00:00:00+00:00,9,false",
            "lublin,page_views,language,uk,2026-03-02T00:00:00+00:00,2026-03-02T00:00:00+00:00,6,false",
            "lublin,page_views,language,ar,2026-03-02T00:00:00+00:00,2026-03-02T00:00:00+00:00,3,false",
        ]
        stat = (
            await client.get(
                "/cities/lublin/series",
                params={"metric": "page_views", "granularity": "day", **DAY, "format": "jsonstat"},
            )
        ).json()
        assert stat["version"] == "2.0" and stat["class"] == "dataset"
        assert stat["id"] == ["city", "metric", "time"] and stat["size"] == [1, 1, 1] and stat["value"] == [9]

        bad = await client.get("/cities/lublin/series", params={"metric": "nope"})
        assert bad.status_code == 404 and bad.json()["error"]["code"] == "unknown_metric"


async def test_search_queries_show_only_when_enough_distinct_sessions_asked(
    settings, feed, auth_header
) -> None:
    many = [search("meldunek", f"session-{i}") for i in range(5)]
    few = [search("private matter", "session-1") for _ in range(9)] + [search("private matter", "session-2")]
    found = [search("praca", f"session-{i}", results=3) for i in range(6)]
    await feed(many + few + found)
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        span = {"start": WEEK.isoformat(), "end": WEEK.isoformat()}
        gaps = (await client.get("/cities/lublin/information-gaps", params={"language": "uk", **span})).json()
        assert gaps == [{"query": "meldunek", "language": "uk", "searches": 5, "sessions": ">=5"}]
    stored = await settings_db_dump(settings)
    assert "session-1" not in stored, "raw session ids must never be stored"


async def settings_db_dump(settings) -> str:
    from witaj.shared.mongo import create_client

    client = create_client(settings.mongo)
    try:
        docs = [d async for d in client[settings.mongo.database]["zero_queries"].find({})]
    finally:
        await client.close()
    return repr(docs)


async def test_language_demand_and_delivery_success(settings, feed, auth_header) -> None:
    outdated = TranslationStateChanged(
        kind=ContentKind.PAGE, item_id="a", language="ar", state="published", source_revision=1, outdated=True
    )
    await feed([event(outdated)], topic="content.translations")
    await feed(
        [view("a", "pl", requested_language="uk", fallback=True)] * 4
        + [view("a", "ar")] * 2
        + [
            event(
                NotificationDelivered(
                    channel=Channel.EMAIL, subscriber="s", source_event="e", source_type="t", language="uk"
                )
            )
        ]
        * 3
        + [
            event(
                NotificationFailed(
                    channel=Channel.EMAIL,
                    subscriber="s",
                    source_event="e",
                    source_type="t",
                    language="uk",
                    attempts=3,
                    error="Timeout",
                )
            )
        ]
    )
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        demand = (await client.get("/cities/lublin/language-demand", params=DAY)).json()
        assert demand == [
            {"language": "uk", "views_untranslated": 4, "views_outdated": 0, "total": 4},
            {"language": "ar", "views_untranslated": 0, "views_outdated": 2, "total": 2},
        ]
        deliveries = (await client.get("/cities/lublin/deliveries", params=DAY)).json()
        assert deliveries == [
            {"channel": "email", "delivered": 3, "failed": 1, "opened": 0, "success_rate": 0.75}
        ]


@pytest.mark.parametrize(
    ("roles", "city", "status"),
    [
        ((), None, 401),
        (("migrant",), "lublin", 403),
        (("analyst",), "krakow", 403),
        (("city_admin",), "lublin", 200),
        (("platform_admin",), None, 200),
    ],
)
async def test_only_the_citys_analysts_read_its_dashboards(
    settings, auth_header, roles, city, status
) -> None:
    headers = auth_header(*roles, city=city) if roles else {}
    async with serve(create_app(settings)) as client:
        response = await client.get(
            "/cities/lublin/breakdown",
            params={"metric": "page_views", "dimension": "language"},
            headers=headers,
        )
        assert response.status_code == status, response.text
        if status >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    ("roles", "city", "gaps_status", "usage_status"),
    [
        (("pa_editor",), "lublin", 200, 403),
        (("ngo_editor",), "lublin", 200, 403),
        (("translator",), "lublin", 200, 403),
        (("pa_editor",), "krakow", 403, 403),
        (("migrant",), "lublin", 403, 403),
    ],
)
async def test_the_citys_editors_read_what_readers_missed_and_nothing_else(
    settings, auth_header, roles, city, gaps_status, usage_status
) -> None:
    """Editors and translators learn what to write or translate next; the usage dashboards stay the
    analysts'."""
    async with serve(create_app(settings), headers=auth_header(*roles, city=city)) as client:
        for path in ("/cities/lublin/information-gaps", "/cities/lublin/language-demand"):
            response = await client.get(path)
            assert response.status_code == gaps_status, (path, response.text)
        usage = await client.get(
            "/cities/lublin/breakdown", params={"metric": "page_views", "dimension": "language"}
        )
        assert usage.status_code == usage_status, usage.text
