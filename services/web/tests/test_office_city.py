"""City administration in the back office: a city admin changes the city's settings and topic tree, on
the real content API, and migrants see the change. Each test works on a city of its own (created by a
platform admin through the API), so the demo city the other tests read is never changed."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from office_helpers import form_token, sign_in, text_of
from witaj.devkit.cities import new_city
from witaj.devkit.testing import wait_until


@pytest.fixture
async def city(platform, auth_header) -> str:
    admin = auth_header("platform_admin")
    return await asyncio.to_thread(
        new_city,
        platform["content"],
        admin,
        prefix="c",
        languages=["pl", "en", "uk"],
        fallbacks={"uk": ["pl"]},
    )


def settings_form(page: httpx.Response, **changes: str | list[str]) -> dict[str, str | list[str]]:
    """The settings form as shown, with some inputs changed (what a person would post)."""
    form: dict[str, str | list[str]] = {"csrf_token": form_token(page)}
    for name in ("revision", "name", "country", "timezone", "privacy_threshold"):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page.text)
        assert found, name
        form[name] = found.group(1)
    form["default_language"] = re.findall(r'<option value="([a-z-]+)"[^>]*selected', page.text)[0]
    form["languages"] = re.findall(r'name="languages" value="([a-z-]+)" checked', page.text)
    form["features"] = re.findall(r'name="features" value="([a-z_]+)"[^>]*checked', page.text)
    for source, value in re.findall(r'name="fallbacks\.([a-z*-]+)"[^>]*value="([^"]*)"', page.text):
        form[f"fallbacks.{source}"] = value
    form.update(changes)
    return form


async def test_a_city_admin_adds_a_language_and_migrants_are_offered_it(web, identity_provider, city) -> None:
    await sign_in(web, identity_provider, "city_admin", city=city)
    page = await web.get(f"/office/{city}/settings")
    assert page.status_code == 200
    form = settings_form(page)
    assert sorted(form["languages"]) == ["en", "pl", "uk"] and form["fallbacks.uk"] == "pl"
    form["languages"] = [*form["languages"], "vi"]  # type: ignore[list-item]

    saved = await web.post(f"/office/{city}/settings", data=form)
    assert saved.status_code == 303 and saved.headers["location"].endswith("/settings?done=settings")
    after = await web.get(saved.headers["location"])
    assert "The settings are saved." in text_of(after)
    assert 'name="languages" value="vi" checked' in after.text
    assert 'name="fallbacks.vi"' in after.text  # the new language gets its own fallback row

    offered = await web.get(f"/{city}/pl/language")
    assert "Tiếng Việt" in text_of(offered) and f'href="/{city}/vi' in offered.text
    assert (await web.get(f"/{city}/vi")).status_code == 200


async def test_refusals_are_shown_next_to_the_inputs_they_concern(web, identity_provider, city) -> None:
    await sign_in(web, identity_provider, "city_admin", city=city)
    page = await web.get(f"/office/{city}/settings")

    not_offered = settings_form(page, default_language="vi")
    refused = await web.post(f"/office/{city}/settings", data=not_offered)
    assert refused.status_code == 422
    assert 'id="f-default-language-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "Choose a default language the city offers" in text_of(refused)

    stray = settings_form(page, **{"fallbacks.uk": "pl, ar"})
    refused = await web.post(f"/office/{city}/settings", data=stray)
    assert refused.status_code == 422 and 'id="f-fallbacks-error"' in refused.text
    assert 'value="pl, ar"' in refused.text  # what was typed is kept

    zone = settings_form(page, timezone="Mars/Olympus")
    refused = await web.post(f"/office/{city}/settings", data=zone)
    assert refused.status_code == 422 and 'id="f-timezone-error"' in refused.text

    assert (
        await web.post(f"/office/{city}/settings", data=settings_form(page, name="Nowa"))
    ).status_code == 303
    stale = await web.post(f"/office/{city}/settings", data=settings_form(page, name="Stara"))
    assert stale.status_code == 412 and "Someone else changed this meanwhile" in text_of(stale)


async def test_a_city_admin_raises_the_smallest_count_its_statistics_show(
    web, identity_provider, city, platform
) -> None:
    await sign_in(web, identity_provider, "city_admin", city=city)
    page = await web.get(f"/office/{city}/settings")
    assert "Smallest number of people shown in statistics" in text_of(page)
    for typed in ("1", "many"):
        refused = await web.post(
            f"/office/{city}/settings", data=settings_form(page, privacy_threshold=typed)
        )
        assert refused.status_code == 422 and 'id="f-privacy-threshold-error"' in refused.text, typed
        assert f'value="{typed}"' in refused.text  # what was typed is kept

    saved = await web.post(f"/office/{city}/settings", data=settings_form(page, privacy_threshold="10"))
    assert saved.status_code == 303
    after = await web.get(saved.headers["location"])
    assert 'name="privacy_threshold"' in after.text and 'value="10"' in after.text
    async with httpx.AsyncClient(base_url=platform["content"], timeout=20) as content:
        config = (await content.get(f"/cities/{city}")).json()
    assert config["privacy_threshold"] == 10  # the stats service keeps it from the city's configuration


async def test_a_city_admin_labels_topics_in_every_language(web, identity_provider, city) -> None:
    await sign_in(web, identity_provider, "city_admin", city=city)
    page = await web.get(f"/office/{city}/topics")
    assert page.status_code == 200
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision
    base = {"csrf_token": form_token(page), "revision": revision.group(1)}
    added = await web.post(
        f"/office/{city}/topics",
        data={**base, "id": "bikes", "parent": "", "labels.pl": "Rowery", "labels.en": "Bicycles"},
    )
    assert added.status_code == 303
    listing = await web.get(f"/office/{city}/topics")
    entry = re.search(r'id="topic-bikes".*?</li>', listing.text, re.S)
    assert entry and "Label missing" in entry.group(0) and "українська" in entry.group(0)

    fresh = re.search(r'name="revision" value="(\d+)"', listing.text)
    assert fresh
    twice = await web.post(
        f"/office/{city}/topics", data={**base, "revision": fresh.group(1), "id": "bikes", "labels.pl": "X"}
    )
    assert twice.status_code == 409 and 'id="f-id-error"' in twice.text
    assert "A topic with this id exists already" in text_of(twice)

    edit = await web.get(f"/office/{city}/topics/bikes")
    edit_revision = re.search(r'name="revision" value="(\d+)"', edit.text)
    assert edit_revision
    renamed = await web.post(
        f"/office/{city}/topics/bikes",
        data={"csrf_token": form_token(edit), "revision": edit_revision.group(1), "parent": "",
              "labels.pl": "Rowery", "labels.en": "Bicycles", "labels.uk": "Велосипеди"},
    )  # fmt: skip
    assert renamed.status_code == 303

    async def migrants_read_it() -> bool:
        tree = await web.get(f"/{city}/uk")
        return "Велосипеди" in tree.text

    await wait_until(migrants_read_it, timeout=20)

    edit = await web.get(f"/office/{city}/topics/bikes")
    edit_revision = re.search(r'name="revision" value="(\d+)"', edit.text)
    assert edit_revision
    removed = await web.post(
        f"/office/{city}/topics/bikes/remove",
        data={"csrf_token": form_token(edit), "revision": edit_revision.group(1)},
    )
    assert removed.status_code == 303
    assert 'id="topic-bikes"' not in (await web.get(f"/office/{city}/topics")).text
