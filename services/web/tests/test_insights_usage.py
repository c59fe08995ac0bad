"""The live usage dashboard over HTTP: analysts of the city read it (others are refused), every chart has
its table and downloads, suppressed and unreleased counts of people are shown as such, never as zero."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from insights_helpers import CITY, USAGE, own_city, page_view, produce, registrations, settled_day
from office_helpers import sign_in, text_of
from witaj.devkit.testing import wait_until

pytestmark = pytest.mark.usefixtures("stats_processor")
DASHBOARD = f"/insights/{CITY}"


def total_of(page_text: str, panel: str) -> int:
    found = re.search(rf'id="panel-{panel}".*?data-total>([^<]+)<', page_text, re.S)
    assert found, f"no total in {panel}"
    return int(re.sub(r"\D", "", found.group(1)))


async def test_an_analyst_reads_the_citys_usage_with_tables_and_downloads(
    web, identity_provider, stats_processor
) -> None:
    landed = await sign_in(web, identity_provider, "analyst", next_page=DASHBOARD)
    assert landed.headers["location"] == DASHBOARD
    before = total_of((await web.get(DASHBOARD)).text, "series-page_views")
    await produce(stats_processor, USAGE, [page_view("lublin-renting", "uk") for _ in range(3)])

    async def counted() -> int:
        page = await web.get(DASHBOARD)
        return total_of(page.text, "series-page_views") >= before + 3 and page  # type: ignore[return-value]

    page = await wait_until(counted, timeout=30, message="the three views on the dashboard")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    for panel in ("series-page_views", "series-searches", "series-registrations", "top-items", "by-language"):
        section = re.search(rf'<section class="panel" id="panel-{panel}".*?</section>', page.text, re.S)
        assert section, panel
        assert '<svg class="chart' in section.group(0) and "<table" in section.group(0), panel
    assert "lublin-renting" in text_of(page)  # among the most viewed pages, with its figure
    assert 'href="/office/lublin/items/' not in page.text  # an analyst cannot open the office's items
    csv_link = re.search(
        r'href="(/insights/lublin/download/series\.csv[^"]*metric=page_views[^"]*)"', page.text
    )
    assert csv_link
    download = await web.get(csv_link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert rows and {"start", "count", "suppressed"} <= set(rows[0])
    assert sum(int(r["count"] or 0) for r in rows) >= before + 3
    json_link = re.search(
        r'href="(/insights/lublin/download/breakdown\.json[^"]*dimension=language[^"]*)"', page.text
    )
    assert json_link
    stat = (await web.get(json_link.group(1).replace("&amp;", "&"))).json()
    assert stat["version"] == "2.0" and stat["class"] == "dataset" and "language" in stat["id"]


async def test_small_counts_of_people_are_suppressed_and_unreleased_days_pending(
    web, identity_provider, stats_processor, platform, auth_header
) -> None:
    city = await own_city(platform["content"], auth_header)
    day = settled_day(4)
    await registrations(
        stats_processor, "insights-small-workshop", day.replace(hour=10), confirmed=2, city=city
    )
    await sign_in(web, identity_provider, "analyst", city=city)
    label = day.strftime("%-d %b %Y")

    async def row() -> str | None:
        page = await web.get(f"/insights/{city}?period=7d")
        section = re.search(r'id="panel-series-registrations".*?</section>', page.text, re.S)
        assert section
        found = re.search(
            rf"<th scope=\"row\">{label}</th>\s*<td class=\"num\">(.*?)</td>", section.group(0), re.S
        )
        return found.group(1) if found and "suppressed" in found.group(1) else None

    cell = await wait_until(row, timeout=30, message="the day's registrations, suppressed")
    assert "figure-state--suppressed" in cell and ">2<" not in cell and ">0<" not in cell
    page = await web.get(f"/insights/{city}?period=7d")
    today = re.search(r'id="panel-series-registrations".*?</section>', page.text, re.S)
    assert today and "figure-state--pending" in today.group(0)  # today is not released


async def test_only_the_citys_analysts_and_administrators_read_it(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "analyst", city="warszawa")
    page = await web.get(DASHBOARD)
    assert page.status_code == 403 and "You cannot open this page" in text_of(page)
    web.cookies.clear()
    await sign_in(web, identity_provider, "pa_editor")
    assert (await web.get(DASHBOARD)).status_code == 403
    web.cookies.clear()
    await sign_in(web, identity_provider, "city_admin")
    assert (await web.get(DASHBOARD)).status_code == 200


async def test_signing_in_brings_an_analyst_back_and_the_back_office_sends_them_here(
    web, identity_provider
) -> None:
    first = await web.get(DASHBOARD)
    assert first.status_code == 303
    assert (
        first.headers["location"].startswith("/office/sign-in?")
        and "next=%2Finsights%2Flublin" in first.headers["location"]
    )
    await sign_in(web, identity_provider, "analyst")
    start = await web.get("/office")
    assert start.status_code == 303 and start.headers["location"] == DASHBOARD
    assert (await web.get("/insights")).headers["location"] == DASHBOARD


async def test_a_city_admin_follows_a_most_viewed_page_to_the_back_office(
    web, identity_provider, stats_processor
) -> None:
    await sign_in(web, identity_provider, "city_admin", next_page=DASHBOARD)
    await produce(stats_processor, USAGE, [page_view("lublin-renting", "uk")])

    async def listed() -> httpx.Response | None:
        page = await web.get(DASHBOARD)
        return page if 'href="/office/lublin/items/lublin-renting"' in page.text else None

    page = await wait_until(listed, timeout=30, message="the most viewed page linked to the back office")
    item = await web.get("/office/lublin/items/lublin-renting")
    assert item.status_code == 200 and page.status_code == 200
