"""Indicator datasets: validated row by row, all or nothing, through the topic to comparable figures."""

from __future__ import annotations

from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.shared.envelope import registry
from witaj.shared.topics import STATS_INDICATOR_DATASETS, STATS_INDICATORS
from witaj.stats.main import create_app

GOOD = """sex,age_group,citizenship,value,numerator,denominator
total,20-64,non_eu_citizens,61.5,1230,2000
female,20-64,non_eu_citizens,55.0,550,1000
male,20-64,non_eu_citizens,68.0,680,1000
total,20-64,nationals,74.2,7420,10000
"""
BAD = """sex,age_group,citizenship,value,numerator,denominator
total,20-64,non_eu_citizens,61.5,1230,2000
alien,20-64,non_eu_citizens,55.0,550,1000
male,20-64,martians,168.0,1680,1000
total,20-64,non_eu_citizens,abc,,
"""
SMALL = {
    "rows": [
        {"sex": "total", "value": 40.0, "numerator": 40, "denominator": 100},
        {"sex": "female", "value": 75.0, "numerator": 3, "denominator": 4},
        {"sex": "male", "value": 38.5, "numerator": 37, "denominator": 96},
    ]
}


async def process_uploads(settings, feed, count: int) -> None:
    """What the processor does with the topic: read the submitted datasets and store them."""
    records = await read_topic(settings.kafka, STATS_INDICATOR_DATASETS, count=count)
    await feed([r.value for r in records], topic="stats.indicator_datasets")


async def test_the_catalogue_follows_the_zaragoza_indicators(settings) -> None:
    async with serve(create_app(settings)) as client:
        codes = {i["code"]: i for i in (await client.get("/indicators")).json()}
    for code in (
        "employment_rate",
        "activity_rate",
        "unemployment_rate",
        "tertiary_attainment",
        "early_leavers",
        "at_risk_of_poverty_rate",
        "long_term_residence",
        "citizenship_acquisition",
    ):
        assert codes[code]["unit"] == "percent" and set(codes[code]["disaggregations"]) == {
            "sex",
            "age_group",
            "citizenship",
        }


async def test_an_invalid_dataset_is_rejected_with_every_row_problem_and_nothing_is_stored(
    settings, feed, auth_header
) -> None:
    analyst = auth_header("analyst", city="lublin")
    async with serve(create_app(settings), headers=analyst) as client:
        response = await client.post(
            "/cities/lublin/indicators/employment_rate/datasets",
            params={"period": "2025"},
            content=BAD,
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid_dataset"
        problems = {(e["row"], e["field"]) for e in error["details"]["errors"]}
        assert problems == {
            (2, "sex"),
            (3, "citizenship"),
            (3, "value"),
            (3, "numerator"),
            (4, "value"),
            (4, "numerator"),  # the counts the figure rests on are needed to hide small groups
            (4, "denominator"),
            (4, "sex,age_group,citizenship,district"),
        }
        bad_period = await client.post(
            "/cities/lublin/indicators/employment_rate/datasets",
            params={"period": "last year"},
            content=GOOD,
            headers={"Content-Type": "text/csv"},
        )
        assert bad_period.status_code == 422
        other_city = await client.post(
            "/cities/krakow/indicators/employment_rate/datasets",
            params={"period": "2025"},
            content=GOOD,
            headers={"Content-Type": "text/csv"},
        )
        assert other_city.status_code == 403
    assert await read_topic(settings.kafka, STATS_INDICATOR_DATASETS, count=1, timeout=1) == []


async def test_a_valid_dataset_flows_through_the_processor_and_compares_across_cities(
    settings, feed, auth_header
) -> None:
    async with serve(create_app(settings)) as client:
        for city, body in (("lublin", GOOD), ("krakow", GOOD.replace("61.5", "58.0"))):
            response = await client.post(
                f"/cities/{city}/indicators/employment_rate/datasets",
                params={"period": "2025"},
                content=body,
                headers={"Content-Type": "text/csv", **auth_header("city_admin", city=city)},
            )
            assert response.status_code == 202, response.text
            assert response.json()["rows"] == 4
        response = await client.post(
            "/cities/lublin/indicators/early_leavers/datasets",
            params={"period": "2025"},
            json=SMALL,
            headers=auth_header("analyst", city="lublin"),
        )
        assert response.status_code == 202, response.text
        await process_uploads(settings, feed, 3)

        lublin = auth_header("analyst", city="lublin")
        cells = (
            await client.get(
                "/cities/lublin/indicators/employment_rate", params={"period": "2025"}, headers=lublin
            )
        ).json()
        assert {(c["sex"], c["citizenship"]): c["value"] for c in cells}[("total", "non_eu_citizens")] == 61.5
        # Three women leave too few people to show; the men's figure would give them away against the total.
        small = (
            await client.get(
                "/cities/lublin/indicators/early_leavers", params={"period": "2025"}, headers=lublin
            )
        ).json()
        assert {c["sex"]: c["value"] for c in small} == {"total": 40.0, "female": None, "male": None}

        stat = (
            await client.get(
                "/cities/lublin/indicators/early_leavers",
                params={"period": "2025", "format": "jsonstat"},
                headers=lublin,
            )
        ).json()
        assert (
            stat["id"] == ["geo", "indicator", "time", "sex", "age", "citizen"]
            and stat["value"].count(None) == 2
        )

        # Krakow has not opened its figures: a Lublin analyst compares with Lublin only, until it does.
        compared = (
            await client.get(
                "/indicators/employment_rate/compare",
                params={"period": "2025", "cities": ["lublin", "krakow"]},
                headers=lublin,
            )
        ).json()
        assert set(compared) == {"lublin"}
        opened = await client.put(
            "/cities/krakow/open-data",
            json={"indicators": ["employment_rate"]},
            headers=auth_header("city_admin", city="krakow"),
        )
        assert opened.status_code == 200
        compared = (
            await client.get(
                "/indicators/employment_rate/compare",
                params={"period": "2025", "cities": ["lublin", "krakow"]},
                headers=lublin,
            )
        ).json()
        assert {(c["sex"], c["citizenship"]): c["value"] for c in compared["krakow"]}[
            ("total", "non_eu_citizens")
        ] == 58.0
        public = await client.get(
            "/open/cities/krakow/indicators/employment_rate", params={"period": "2025", "format": "csv"}
        )
        assert (
            public.status_code == 200
            and "krakow,employment_rate,2025,total,20-64,non_eu_citizens,58.0,false" in public.text
        )
        assert (
            await client.get("/open/cities/lublin/indicators/employment_rate", params={"period": "2025"})
        ).status_code == 404

    async def published() -> list:
        records = await read_topic(settings.kafka, STATS_INDICATORS, count=3, timeout=2)
        return [registry.decode(r.value) for r in records] if len(records) >= 3 else []

    events = await wait_until(published, message="indicator figures on the stat stream")
    leavers = next(e for e in events if e.data.indicator == "early_leavers")
    assert {c.sex: c.value for c in leavers.data.cells} == {"total": 40.0, "female": None, "male": None}


async def test_a_dataset_the_processor_cannot_use_is_dead_lettered(settings, feed) -> None:
    from witaj.shared.envelope import wrap
    from witaj.shared.events import IndicatorDatasetSubmitted, IndicatorRow
    from witaj.shared.topics import dead_letter

    rows = [IndicatorRow(value=50.0)]
    made_up = IndicatorDatasetSubmitted(dataset_id="d1", indicator="happiness", period="2025", rows=rows)
    real = IndicatorDatasetSubmitted(dataset_id="d2", indicator="activity_rate", period="2025", rows=rows)
    envelopes = [wrap(d, source="witaj/test", city="lublin", subject="x") for d in (made_up, real)]
    await feed(envelopes, topic=STATS_INDICATOR_DATASETS)
    parked = await read_topic(settings.kafka, dead_letter(STATS_INDICATOR_DATASETS), count=1)
    assert [dict(r.headers)["witaj.error.code"] for r in parked] == [b"handler_rejected"]
    published = await read_topic(settings.kafka, STATS_INDICATORS, count=1)
    assert [registry.decode(r.value).data.indicator for r in published] == ["activity_rate"]


async def test_the_intercultural_cities_index_is_a_set_of_city_scores(settings, feed, auth_header) -> None:
    analyst = auth_header("analyst", city="lublin")
    async with serve(create_app(settings)) as client:
        icc = [i for i in (await client.get("/indicators")).json() if i["framework"] == "icc"]
        assert {i["area"] for i in icc} >= {"welcoming", "education", "anti_discrimination", "participation"}
        assert all(i["unit"] == "score" and i["maximum"] == 100 for i in icc)
        wrong = await client.post(
            "/cities/lublin/indicators/icc_welcoming/datasets",
            params={"period": "2024"},
            content="sex,value\ntotal,64\nfemale,70\n",
            headers={"Content-Type": "text/csv", **analyst},
        )
        assert wrong.status_code == 422
        assert wrong.json()["error"]["details"]["errors"] == [
            {"row": 2, "field": "sex", "problem": "must be one of total"}
        ]
        for period, score in (("2023", "58"), ("2024", "64")):
            accepted = await client.post(
                "/cities/lublin/indicators/icc_welcoming/datasets",
                params={"period": period},
                content=f"value\n{score}\n",
                headers={"Content-Type": "text/csv", **analyst},
            )
            assert accepted.status_code == 202, accepted.text
        await process_uploads(settings, feed, 2)
        listed = await client.get("/cities/lublin/indicators", headers=analyst)
        assert listed.json()["icc_welcoming"] == ["2023", "2024"]
        assert (await client.get("/cities/lublin/indicators")).status_code == 401
        assert (await client.get("/open/cities/lublin/indicators")).json() == {}
        await client.put(
            "/cities/lublin/open-data",
            json={"indicators": ["icc_welcoming"]},
            headers=auth_header("city_admin", city="lublin"),
        )
        assert (await client.get("/open/cities/lublin/indicators")).json() == {
            "icc_welcoming": ["2023", "2024"]
        }
        cells = (
            await client.get("/open/cities/lublin/indicators/icc_welcoming", params={"period": "2024"})
        ).json()
        assert [(c["sex"], c["value"], c["suppressed"]) for c in cells] == [("total", 64.0, False)]


SQUARE = [[[22.50, 51.20], [22.55, 51.20], [22.55, 51.25], [22.50, 51.25], [22.50, 51.20]]]
BOUNDARIES = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"id": "srodmiescie", "name": "Śródmieście"},
         "geometry": {"type": "Polygon", "coordinates": SQUARE}},
        {"type": "Feature", "properties": {"id": "czechow", "name": "Czechów"},
         "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE]}},
    ],
}  # fmt: skip
BY_DISTRICT = """district,value,numerator,denominator
,10.7,215,2012
srodmiescie,50.0,2,4
czechow,11.7,118,1008
zemborzyce,9.5,95,1000
"""


async def test_figures_by_district_are_suppressed_per_district_beside_the_citys_boundaries(
    settings, feed, auth_header
) -> None:
    analyst = auth_header("analyst", city="lublin")
    async with serve(create_app(settings)) as client:
        bad = dict(
            BOUNDARIES,
            features=[
                {
                    "type": "Feature",
                    "properties": {"id": "Bad Id"},
                    "geometry": {"type": "Point", "coordinates": [1, 2]},
                }
            ],
        )
        refused = await client.put("/cities/lublin/districts", json=bad, headers=analyst)
        assert refused.status_code == 422
        assert len(refused.json()["error"]["details"]["problems"]) == 3  # id, name, geometry
        assert (
            await client.put(
                "/cities/lublin/districts", json=BOUNDARIES, headers=auth_header("analyst", city="krakow")
            )
        ).status_code == 403
        stored = await client.put("/cities/lublin/districts", json=BOUNDARIES, headers=analyst)
        assert stored.status_code == 200, stored.text
        public = (await client.get("/open/cities/lublin/districts")).json()
        assert [f["id"] for f in public["features"]] == ["srodmiescie", "czechow"]

        icc = await client.post(
            "/cities/lublin/indicators/icc_welcoming/datasets", params={"period": "2025"},
            content="district,value\nczechow,50\n", headers={"Content-Type": "text/csv", **analyst},
        )  # fmt: skip
        assert icc.status_code == 422
        assert icc.json()["error"]["details"]["errors"][0]["field"] == "district"
        accepted = await client.post(
            "/cities/lublin/indicators/early_leavers/datasets", params={"period": "2025"},
            content=BY_DISTRICT, headers={"Content-Type": "text/csv", **analyst},
        )  # fmt: skip
        assert accepted.status_code == 202, accepted.text
        await process_uploads(settings, feed, 1)
        cells = (
            await client.get(
                "/cities/lublin/indicators/early_leavers", params={"period": "2025"}, headers=analyst
            )
        ).json()
        values = {c["district"]: c["value"] for c in cells}
        # Four people in Śródmieście are too few; Zemborzyce (the fewest after it) hides with it, so the
        # city's total cannot give it away.
        assert values == {"total": 10.7, "srodmiescie": None, "czechow": 11.7, "zemborzyce": None}
        stat = (
            await client.get(
                "/cities/lublin/indicators/early_leavers",
                params={"period": "2025", "format": "jsonstat"},
                headers=analyst,
            )
        ).json()
        assert stat["id"][-1] == "district" and stat["size"][-1] == 4


async def test_counts_that_do_not_add_up_are_refused_and_figures_not_audited_are_not_shown(
    settings, auth_header, store
) -> None:
    analyst = auth_header("analyst", city="lublin")
    more_women = """sex,age_group,citizenship,value,numerator,denominator
total,total,total,50.0,50,100
female,total,total,50.0,60,120
male,total,total,50.0,20,40
"""
    parts_over_whole = """sex,age_group,citizenship,value,numerator,denominator
total,total,total,50.0,50,100
female,total,total,50.0,30,60
male,total,total,50.0,30,60
"""
    async with serve(create_app(settings), headers=analyst) as client:
        for body, expected in (
            (more_women, {(2, "numerator"), (2, "denominator")}),
            (parts_over_whole, {(None, "denominator,numerator")}),
        ):
            response = await client.post(
                "/cities/lublin/indicators/employment_rate/datasets",
                params={"period": "2025"},
                content=body,
                headers={"Content-Type": "text/csv"},
            )
            assert response.status_code == 422, response.text
            errors = response.json()["error"]["details"]["errors"]
            assert {(e["row"], e["field"]) for e in errors} == expected
        median = await client.post(
            "/cities/lublin/indicators/median_net_income/datasets",
            params={"period": "2025"},
            json={"rows": [{"value": 21000, "numerator": 3, "denominator": 900}]},
        )
        assert median.status_code == 422
        assert median.json()["error"]["details"]["errors"][0]["field"] == "numerator"

        # Stored by the processor but not audited yet: nothing of it is shown.
        await store.indicators.insert_one(
            {"city": "lublin", "indicator": "activity_rate", "period": "2024", "dataset_id": "d",
             "sex": "total", "age_group": "total", "citizenship": "total", "value": 61.0,
             "numerator": 610, "denominator": 1000, "shown": None}
        )  # fmt: skip
        pending = await client.get("/cities/lublin/indicators/activity_rate", params={"period": "2024"})
        assert pending.status_code == 404 and pending.json()["error"]["code"] == "not_audited"
