"""Integration indicators over HTTP: a dataset with a bad row is refused with that row's problem and
nothing stored; good ones become figures over time with their definition and source, and downloads."""

from __future__ import annotations

import pytest
from insights_helpers import CITY
from office_helpers import form_token, sign_in, text_of
from witaj.devkit.testing import wait_until

pytestmark = pytest.mark.usefixtures("stats_processor")
PAGE = f"/insights/{CITY}/indicators"
GOOD = "sex,age_group,citizenship,value,numerator,denominator\ntotal,20-64,non_eu_citizens,{v},1230,2000\nfemale,20-64,non_eu_citizens,55.0,550,1000\nmale,20-64,non_eu_citizens,68.0,680,1000\n"
BAD = "sex,age_group,citizenship,value,numerator,denominator\ntotal,20-64,non_eu_citizens,61.5,1230,2000\nfemale,20-64,martians,55.0,550,1000\n"


async def submit(web, code: str, period: str, body: str):
    page = await web.get(PAGE)
    files = {"file": ("figures.csv", body.encode(), "text/csv")}
    data = {"csrf_token": form_token(page), "indicator": code, "period": period}
    return await web.post(f"{PAGE}/upload", data=data, files=files)


async def test_a_bad_row_is_named_and_good_datasets_become_figures_over_time(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "analyst")
    refused = await submit(web, "unemployment_rate", "2024", BAD)
    assert refused.status_code == 422
    text = text_of(refused)
    assert "The dataset was not stored" in text and "Problems in 1 row(s)" in text
    assert "2 citizenship must be one of total" in text  # row 2, its column, what is wrong

    for period, value in (("2023", "12.5"), ("2024", "10.0")):
        accepted = await submit(web, "unemployment_rate", period, GOOD.format(v=value))
        assert accepted.status_code == 303, accepted.text
    assert accepted.headers["location"] == f"{PAGE}/unemployment_rate?period=2024&uploaded=1"

    async def both_periods():
        page = await web.get(f"{PAGE}/unemployment_rate")
        return "2023" in page.text and "10 %" in text_of(page) and page

    page = await wait_until(both_periods, timeout=30, message="the two periods' figures")
    text = text_of(page)
    assert "Unemployed persons as a share of the labour force" in text  # the definition
    assert "Zaragoza core indicators" in text  # and the source, with the figures
    assert 'id="chart-over-time"' in page.text and "12.5 %" in text
    assert 'id="chart-compare"' in page.text
    csv = await web.get(f"{PAGE}/unemployment_rate/download.csv", params={"period": "2024"})
    assert (
        csv.status_code == 200
        and "lublin,unemployment_rate,2024,total,20-64,non_eu_citizens,10.0" in csv.text
    )
    listing = await web.get(PAGE)
    assert "2023, 2024" in text_of(listing) and "Intercultural Cities Index" in text_of(listing)


async def test_a_missing_file_and_period_are_named_next_to_their_fields(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "analyst")
    page = await web.get(PAGE)
    refused = await web.post(
        f"{PAGE}/upload", data={"csrf_token": form_token(page), "indicator": "icc_welcoming", "period": "last year"},
        files={"file": ("empty.csv", b"", "text/csv")},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'href="#upload-period"' in refused.text and 'href="#upload-file"' in refused.text


async def test_figures_by_district_are_mapped_with_the_same_suppression(web, identity_provider) -> None:
    import json

    from insights_helpers import BOUNDARIES, BY_DISTRICT

    await sign_in(web, identity_provider, "analyst")
    page = await web.get(f"/insights/{CITY}/districts")
    token = form_token(page)
    bad = await web.post(
        f"/insights/{CITY}/districts", data={"csrf_token": token},
        files={"file": ("districts.geojson", b'{"type": "FeatureCollection", "features": [{"properties": {}}]}', "application/geo+json")},
    )  # fmt: skip
    assert bad.status_code == 422 and "feature 1: properties.id must be a district id" in text_of(bad)
    good = await web.post(
        f"/insights/{CITY}/districts", data={"csrf_token": token},
        files={"file": ("districts.geojson", json.dumps(BOUNDARIES).encode(), "application/geo+json")},
    )  # fmt: skip
    assert good.status_code == 303
    assert (await submit(web, "low_attainment", "2025", BY_DISTRICT)).status_code == 303

    async def mapped():
        page = await web.get(f"/insights/{CITY}/districts", params={"indicator": "low_attainment"})
        return 'data-district="czechow"' in page.text and page

    page = await wait_until(mapped, timeout=30, message="the map of the district figures")
    paths = {
        d: s for s, d in __import__("re").findall(r'map__district--(\w+)" data-district="(\w+)"', page.text)
    }
    # Four people in Śródmieście are too few, and Zemborzyce would give them away against the city's total.
    assert paths == {"srodmiescie": "suppressed", "czechow": "shown", "zemborzyce": "suppressed"}
    text = text_of(page)
    assert "Śródmieście suppressed" in text and "Czechów 11.7 %" in text and "50 %" not in text
