"""Open data: a city's administrators choose what it publishes; anyone reads it without signing in, with
charts, tables and downloads; nothing else of the city is public."""

from __future__ import annotations

import pytest
from insights_helpers import CITY, USAGE, page_view, produce
from office_helpers import form_token, sign_in, text_of
from witaj.devkit.testing import wait_until

pytestmark = pytest.mark.usefixtures("stats_processor")


async def test_what_the_city_publishes_is_open_to_anyone(web, identity_provider, stats_processor) -> None:
    await produce(stats_processor, USAGE, [page_view("lublin-renting", "uk") for _ in range(2)])
    public = await web.get(f"/open-data/{CITY}")
    assert public.status_code == 200 and "does not publish any figures yet" in text_of(public)
    assert (await web.get(f"/open-data/{CITY}/download/series/page_views.csv")).status_code in (403, 404)

    await sign_in(web, identity_provider, "analyst")
    page = await web.get(f"/insights/{CITY}/open-data")
    assert page.status_code == 200 and 'name="metrics"' not in page.text  # analysts only see it
    refused = await web.post(
        f"/insights/{CITY}/open-data", data={"csrf_token": form_token(page), "metrics": "page_views"}
    )
    assert refused.status_code == 403

    web.cookies.clear()
    await sign_in(web, identity_provider, "city_admin")
    page = await web.get(f"/insights/{CITY}/open-data")
    saved = await web.post(
        f"/insights/{CITY}/open-data",
        data={"csrf_token": form_token(page), "metrics": ["page_views"], "indicators": ["icc_welcoming"]},
    )
    assert saved.status_code == 303
    web.cookies.clear()

    async def published():
        page = await web.get(f"/open-data/{CITY}")
        return "Page views per day" in text_of(page) and page

    page = await wait_until(published, timeout=30, message="the published page views")
    assert 'id="chart-open-page_views"' in page.text and "<table" in page.text
    assert "Sign out" not in page.text and 'name="robots"' not in page.text
    csv = await web.get(f"/open-data/{CITY}/download/series/page_views.csv")
    assert csv.status_code == 200 and csv.text.startswith("city,metric,dimension")
    stat = (await web.get(f"/open-data/{CITY}/download/series/page_views.json")).json()
    assert stat["version"] == "2.0"
    assert (await web.get(f"/open-data/{CITY}/download/series/searches.csv")).status_code in (403, 404)
    assert (await web.get("/open-data")).status_code == 200
