"""The directory over HTTP: the city's offices and organisations as a list, filtered by topic, language
spoken and "open now" in the city's own time zone, with the map only where a tile server is named."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, tzinfo

import httpx
import pytest
from web_helpers import web_settings
from witaj.devkit.testing import serve
from witaj.web.main import create_app
from witaj.web.settings import MapSettings
from witaj.web.views import OpenStatus, open_status

DIRECTORY = "/lublin/{lang}/organisations"
LUW, CITY_POINT, NFZ = "lublin-luw-foreigners", "lublin-city-foreigners-point", "lublin-nfz-branch"
UMCS, HOMO_FABER = "lublin-umcs-polish-centre", "lublin-homo-faber"
TILES = "https://tiles.witaj.test/{z}/{x}/{y}.png"
HOURS = [
    {"day": "mon", "opens": "08:00", "closes": "18:00"},
    {"day": "fri", "opens": "22:00", "closes": "02:00"},
]


def places(page: httpx.Response) -> list[str]:
    """The ids of the entries, in the order the list shows them."""
    return re.findall(r'<li class="place-card" id="place-([a-z0-9-]+)"', page.text)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> Callable[[tzinfo], datetime]:
    """A clock standing still at this wall time in whatever zone it is asked for."""
    return lambda zone: datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.fixture
def directory_app(platform: dict[str, str]) -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    """The web app on the session's platform with its own clock and map settings."""

    def make(clock: Callable[[tzinfo], datetime], **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        return serve(create_app(web_settings(platform, **overrides), clock=clock))  # type: ignore[return-value]

    return make


async def test_the_directory_lists_every_place_by_name_with_its_address_hours_and_languages(web) -> None:
    page = await web.get(DIRECTORY.format(lang="en"))
    assert page.status_code == 200
    found = places(page)
    assert {LUW, CITY_POINT, NFZ, UMCS, HOMO_FABER} <= set(found)
    titles = re.findall(r'<h2 class="place-card__title">.*?<a href="[^"]+">([^<]+)</a>', page.text, re.S)
    assert titles == sorted(titles, key=str.casefold)
    assert f'href="/lublin/en/organisations/{NFZ}"' in page.text
    assert "ul. Szkolna 16, 20-124 Lublin" in page.text
    assert '<span lang="uk">українська</span>' in page.text
    # Where each place is travels with its entry, for sorting by distance and for the map.
    assert re.search(rf'id="place-{NFZ}" data-lat="51.254" data-lon="22.569"', page.text)
    # Sorting by distance is a script's offer: hidden until the script shows it.
    assert "data-directory-tools hidden" in page.text


async def test_a_topic_filter_finds_the_places_of_its_subtopics_too(web) -> None:
    education = places(await web.get(DIRECTORY.format(lang="en"), params={"topic": "education"}))
    assert UMCS in education and NFZ not in education  # UMCS is tagged 'higher-education' only
    residence = places(await web.get(DIRECTORY.format(lang="en"), params={"topic": "temporary-residence"}))
    assert residence == [LUW]
    unknown = await web.get(DIRECTORY.format(lang="en"), params={"topic": "no-such-topic"})
    assert unknown.status_code == 200 and NFZ in places(unknown)  # an unknown topic filters nothing


async def test_the_language_filter_offers_the_languages_spoken_in_their_own_names(web) -> None:
    page = await web.get(DIRECTORY.format(lang="ar"), params={"speaks": "uk"})
    assert page.status_code == 200
    assert '<option value="uk" lang="uk" selected>українська</option>' in page.text
    found = places(page)
    assert NFZ not in found and {LUW, CITY_POINT, UMCS, HOMO_FABER} <= set(found)
    assert 'dir="rtl"' in page.text and "اللغة المستخدمة هناك" in page.text


async def test_open_now_follows_the_hours_in_the_citys_time_zone(directory_app) -> None:
    async with directory_app(at(2026, 3, 2, 9, 30)) as client:  # a Monday morning in Lublin
        morning = await client.get(DIRECTORY.format(lang="en"), params={"open": "now"})
        assert {LUW, CITY_POINT, NFZ, UMCS} <= set(places(morning))
        assert HOMO_FABER not in places(morning)  # open on Tuesdays and Thursdays only
        assert 'id="filter-open" name="open" value="now" checked' in morning.text
        everyone = await client.get(DIRECTORY.format(lang="en"))
        assert "Open now, until 15:30" in everyone.text and "Closed now" in everyone.text
    async with directory_app(at(2026, 3, 2, 17, 0)) as client:  # the same Monday at five
        evening = await client.get(DIRECTORY.format(lang="en"), params={"open": "now"})
        assert LUW in places(evening) and CITY_POINT not in places(evening)
        assert "Open now, until 18:00" in evening.text
    async with directory_app(at(2026, 3, 1, 12, 0)) as client:  # a Sunday
        sunday = await client.get(DIRECTORY.format(lang="pl"), params={"open": "now"})
        assert places(sunday) == []
        assert "Żadne miejsce nie pasuje do tego, co wybrano." in sunday.text
        assert f'href="{DIRECTORY.format(lang="pl")}"' in sunday.text  # a way back to every place


async def test_without_a_tile_server_there_is_no_map_and_images_come_from_the_app_only(web) -> None:
    page = await web.get(DIRECTORY.format(lang="en"))
    assert "data-map" not in page.text and "leaflet" not in page.text
    csp = page.headers["content-security-policy"]
    assert "img-src 'self';" in csp


async def test_with_a_tile_server_the_map_is_offered_and_only_its_origin_may_serve_images(
    directory_app,
) -> None:
    map_settings = MapSettings(tile_url=TILES, attribution="© Witaj test tiles")
    async with directory_app(at(2026, 3, 2, 9), map=map_settings) as client:
        page = await client.get(DIRECTORY.format(lang="en"))
        assert f'data-tiles="{TILES}"' in page.text
        assert re.search(
            r'data-leaflet-js="/static/vendor/leaflet/leaflet-1\.9\.4\.js\?v=[0-9a-f]{12}"', page.text
        )
        assert "© Witaj test tiles" in page.text
        assert "img-src 'self' https://tiles.witaj.test;" in page.headers["content-security-policy"]
        # Other pages carry the same policy: the map's origin and nothing else.
        home = await client.get("/lublin/en")
        assert "https://tiles.witaj.test" in home.headers["content-security-policy"]
        assert "data-tiles" not in home.text


def test_open_now_reads_the_weekly_hours_including_nights_past_midnight() -> None:
    assert open_status(HOURS, datetime(2026, 3, 2, 9, 30)) == OpenStatus(True, until="18:00")  # Monday
    assert open_status(HOURS, datetime(2026, 3, 2, 7, 0)) == OpenStatus(False, opens="08:00")
    assert open_status(HOURS, datetime(2026, 3, 2, 18, 0)) == OpenStatus(False)
    assert open_status(HOURS, datetime(2026, 3, 6, 23, 0)) == OpenStatus(True, until="02:00")  # Friday
    assert open_status(HOURS, datetime(2026, 3, 7, 1, 0)) == OpenStatus(True, until="02:00")  # its night
    assert open_status(HOURS, datetime(2026, 3, 7, 3, 0)) == OpenStatus(False)
    assert open_status([], datetime(2026, 3, 2, 9)) is None
    assert open_status([{"day": "mon", "opens": "soon"}], datetime(2026, 3, 2, 9)) is None


def test_a_tile_server_needs_its_placeholders_and_an_empty_setting_means_none() -> None:
    assert MapSettings(tile_url="").tile_url is None
    assert MapSettings(tile_url=TILES).tile_origin == "https://tiles.witaj.test"
    with pytest.raises(ValueError, match=r"\{z\}, \{x\} and \{y\}"):
        MapSettings(tile_url="https://tiles.witaj.test/tiles.png")
