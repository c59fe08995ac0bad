"""A city that switched a part of Witaj off: its readers get a page saying the city does not offer it
(404, in their language, with a way on), never an error, whether the web app knew of the switch or
only the service did."""

from __future__ import annotations

import httpx
from agenda_helpers import event_body, patient, token_of, unique, zamosc
from web_helpers import web_settings
from witaj.devkit.cities import new_city
from witaj.devkit.testing import serve, wait_until
from witaj.shared.events import Feature
from witaj.web.main import create_app


async def configure(platform: dict[str, str], admin: dict[str, str], city: str, off: set[Feature]) -> None:
    """The city as its admin sets it at the content service, and once the events service has it."""
    async with httpx.AsyncClient(base_url=platform["content"], headers=admin, timeout=20) as content:
        answer = await content.put(f"/cities/{city}", json={"id": city, **zamosc(off)})
        assert answer.status_code == 200, answer.text

    async def events_has_it() -> bool:
        async with httpx.AsyncClient(base_url=platform["events"], timeout=20) as events:
            listing = await events.get(f"/cities/{city}/events")
        if Feature.EVENTS in off:
            return listing.status_code == 404 and listing.json()["error"]["code"] == "feature_disabled"
        if listing.status_code != 200:
            return False
        async with httpx.AsyncClient(base_url=platform["events"], timeout=20) as events:
            tokens = await events.post(f"/cities/{city}/registration-tokens")
        return (tokens.status_code == 404) == (Feature.REGISTRATION in off)

    await wait_until(events_has_it, timeout=30, message="the events service to follow the city's switches")


def says(page: httpx.Response, text: str) -> bool:
    return page.status_code == 404 and "Not offered in this city" in page.text and text in page.text


async def test_switched_off_parts_get_a_page_that_says_so(web, platform, auth_header) -> None:
    admin = auth_header("platform_admin")
    city = new_city(platform["content"], admin, prefix="z", **zamosc({Feature.NOTIFICATIONS}))
    await configure(platform, admin, city, {Feature.NOTIFICATIONS})
    editor = auth_header("pa_editor", city=city, org=f"{city}-office")
    body = {**event_body(unique("Meeting for newcomers")), "topics": []}
    async with httpx.AsyncClient(base_url=platform["events"], headers=editor, timeout=20) as events:
        made = await events.post(f"/cities/{city}/events", json=body)
    assert made.status_code == 201, made.text
    address = f"/{city}/en/events/{made.json()['id']}"

    # Notifications are off: their pages say so, and nothing links to them.
    for page in ("notifications", "inbox"):
        off = await web.get(f"/{city}/en/{page}")
        assert says(off, "Zamość does not send notifications through Witaj."), page
        assert f'href="/{city}/en"' in off.text and "Traceback" not in off.text
    arabic = await web.get(f"/{city}/ar/notifications")
    assert arabic.status_code == 404 and 'dir="rtl"' in arabic.text and "لا ترسل" in arabic.text
    assert f'href="/{city}/en/inbox"' not in (await web.get(f"/{city}/en")).text

    # A web app that read the city's switches before registration was switched off (and keeps them for
    # an hour) still registers nobody: the events service refuses, and the reader is told why.
    stale_settings = web_settings(platform, backend=patient(fresh_seconds=3600))
    async with serve(create_app(stale_settings)) as stale:
        page = await stale.get(address)
        assert page.status_code == 200 and 'action="' + address + '/register"' in page.text
        await configure(platform, admin, city, {Feature.NOTIFICATIONS, Feature.REGISTRATION})
        form = {"csrf_token": token_of(page), "key": "k" * 20, "occurrence": body["schedule"]["start"]}
        refused = await stale.post(f"{address}/register", data=form)
        assert says(refused, "Zamość does not take registrations for events on Witaj.")
        assert stale.cookies.get("witaj_registrations") is None

    # The shared web app follows the switch: the event is shown with a word instead of the form.
    async def without_form() -> httpx.Response | None:
        shown = await web.get(address)
        return shown if "does not take registrations" in shown.text else None

    shown = await wait_until(without_form, timeout=20, message="the event page without its form")
    assert shown.status_code == 200 and "Meeting for newcomers" in shown.text
    assert "/register" not in shown.text

    # Events off altogether: the list, an event and its calendar say so.
    await configure(platform, admin, city, {Feature.NOTIFICATIONS, Feature.REGISTRATION, Feature.EVENTS})

    async def events_gone() -> httpx.Response | None:
        listing = await web.get(f"/{city}/en/events")
        return listing if listing.status_code == 404 else None

    listing = await wait_until(events_gone, timeout=20, message="the events list switched off")
    assert says(listing, "Zamość does not list events and courses on Witaj.")
    for gone in (address, f"/{city}/en/events.ics"):  # the events service says so at once
        assert says(await web.get(gone), "does not list events and courses"), gone

    async def mine_gone() -> bool:  # asks no service: once the web app's copy of the switches follows
        return says(await web.get(f"/{city}/en/registrations"), "does not list events and courses")

    await wait_until(mine_gone, timeout=20, message="'My registrations' switched off")
