"""A city's statistics and its open data are each a switch of its configuration: switched off, their
routes answer 404 with a clear message (open data is off unless the city switches it on)."""

from __future__ import annotations

from witaj.devkit.cities import announce_city
from witaj.devkit.testing import serve
from witaj.shared.events import CityConfig, Feature
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.stats.main import create_app


async def configure(settings, client, city: str, features: set[Feature] = DEFAULT_FEATURES, **more) -> None:
    """The city's configuration, as content sends it, applied by the stats API's runtime."""
    config = CityConfig(
        id=city,
        name=city.title(),
        country="PL",
        default_language="pl",
        languages=["pl"],
        features=sorted(features),
        **more,
    )
    await announce_city(settings.kafka, config, runtime=client._transport.app.state.runtime)


def switched_off(response, feature: Feature) -> bool:
    error = response.json().get("error") if response.status_code == 404 else None
    return bool(error) and error["code"] == "feature_disabled" and feature.value in error["message"]


async def test_statistics_switched_off_are_not_found(settings, auth_header) -> None:
    async with serve(create_app(settings)) as client:
        await configure(settings, client, "torun", set(DEFAULT_FEATURES) - {Feature.STATS})
        await configure(settings, client, "opole", set(DEFAULT_FEATURES))
        for city, off in (("torun", True), ("opole", False)):
            analyst = auth_header("analyst", city=city)
            answers = [
                await client.get(f"/cities/{city}/series", params={"metric": "page_views"}, headers=analyst),
                await client.get(f"/cities/{city}/fill-rates", headers=analyst),
                await client.get(
                    f"/cities/{city}/indicators/employment_rate", params={"period": "2025"}, headers=analyst
                ),
            ]
            refused = [switched_off(a, Feature.STATS) for a in answers]
            assert refused == [off] * len(answers), [a.text for a in answers]


async def test_open_data_is_published_only_by_a_city_that_switched_it_on(settings, auth_header) -> None:
    async with serve(create_app(settings)) as client:
        await configure(settings, client, "torun", set(DEFAULT_FEATURES))  # open data is off by default
        await configure(settings, client, "opole", set(DEFAULT_FEATURES) | {Feature.OPEN_DATA})
        for city, off in (("torun", True), ("opole", False)):
            admin = auth_header("city_admin", city=city)
            policy = {"metrics": ["page_views"], "indicators": []}
            assert (
                await client.put(f"/cities/{city}/open-data", json=policy, headers=admin)
            ).status_code == 200
            answers = [
                await client.get(f"/open/cities/{city}"),
                await client.get(f"/open/cities/{city}/series", params={"metric": "page_views"}),
            ]
            assert [switched_off(a, Feature.OPEN_DATA) for a in answers] == [off, off], [
                a.text for a in answers
            ]
            assert off or all(a.status_code == 200 for a in answers), [a.text for a in answers]
