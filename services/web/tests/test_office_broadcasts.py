"""Urgent notices in the back office over HTTP on the real platform: a PA editor writes one in the
city's languages, previews what each language's subscribers get and how many they are, sends it once
(the same form twice sends one notice), and a migrant subscribed to the topic finds it in the inbox;
refusals come back next to their fields; only the city's PA editors and admins get the pages."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
from office_helpers import form_token, sign_in, text_of
from web_helpers import reader_address
from witaj.devkit.cities import new_city
from witaj.devkit.testing import wait_until

TITLE_AR = "مكتب السكن مغلق غدا"
TEXTS = {
    "title.pl": "Wydział Mieszkań nieczynny jutro",
    "body.pl": "W piątek biuro przy ul. Narutowicza 4 jest zamknięte.",
    "title.ar": TITLE_AR,
    "body.ar": "يوم الجمعة المكتب مغلق.",
}


@pytest.fixture(scope="module")
def city(platform: dict[str, str], auth_header) -> str:
    """A city of its own (Polish, English, Arabic), so no other test's subscribers hear these notices."""
    return new_city(
        platform["content"], auth_header("platform_admin"), languages=["pl", "en", "ar"], prefix="notice"
    )


async def migrant(web_url: str, city: str, language: str, topics: list[str]) -> httpx.AsyncClient:
    """A reader who subscribed to `topics` on the notifications page (their key stays in a cookie)."""
    reader = httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}, timeout=20)
    page = await reader.get(f"/{city}/{language}/notifications")
    assert page.status_code == 200, page.text
    form = {"csrf_token": form_token(page), "channel": "inbox", "topic": topics}
    subscribed = await reader.post(f"/{city}/{language}/notifications", data=form)
    assert subscribed.status_code == 303, subscribed.text
    return reader


def fields(page: httpx.Response) -> dict[str, Any]:
    """The hidden inputs of the page's send form (what the preview carries to the send)."""
    found: dict[str, Any] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text):
        if name in ("topic", "group"):
            found.setdefault(name, []).append(value)
        else:
            found[name] = value
    return {k: v if isinstance(v, list) else html.unescape(v) for k, v in found.items()}


async def test_a_pa_editor_previews_and_sends_a_notice_a_migrant_finds_in_the_inbox(
    web, web_url, identity_provider, city
) -> None:
    arabic = await migrant(web_url, city, "ar", ["housing"])
    polish = await migrant(web_url, city, "pl", ["housing", "work"])
    health = await migrant(web_url, city, "en", ["health"])
    await sign_in(web, identity_provider, "pa_editor", city=city)

    dashboard = await web.get(f"/office/{city}")
    assert f'href="/office/{city}/broadcasts"' in dashboard.text
    form = await web.get(f"/office/{city}/broadcasts/new")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    assert 'name="title.ar" value="" class="input" lang="ar" dir="rtl"' in form.text
    assert 'name="title.pl" value="" class="input" lang="pl" dir="ltr"' in form.text
    key = re.search(r'name="key" value="([^"]+)"', form.text).group(1)

    sent = {"csrf_token": form_token(form), "key": key, "topic": ["housing"], **TEXTS, "title.en": ""}
    preview = await web.post(f"/office/{city}/broadcasts/new", data={**sent, "intent": "preview"})
    assert preview.status_code == 200, preview.text
    shown = text_of(preview)
    assert "This notice goes to 2 subscribers now." in shown
    assert re.search(
        r'lang="ar" dir="rtl">\s*<p class="broadcast-message__title">\W*' + TITLE_AR, preview.text
    )
    assert "1 subscriber" in shown and "English has no text" not in shown  # nobody reads English here
    carried = fields(preview)
    assert carried["key"] == key and carried["topic"] == ["housing"] and carried["title.ar"] == TITLE_AR

    unconfirmed = await web.post(f"/office/{city}/broadcasts/new", data={**carried, "intent": "send"})
    assert unconfirmed.status_code == 422 and '<a href="#confirm">' in unconfirmed.text
    confirmed = {**carried, "intent": "send", "confirm": "yes"}
    done = await web.post(f"/office/{city}/broadcasts/new", data=confirmed)
    assert done.status_code == 303, done.text
    address = done.headers["location"]
    assert re.fullmatch(rf"/office/{city}/broadcasts/b[0-9a-f]{{31}}\?done=sent", address)
    again = await web.post(f"/office/{city}/broadcasts/new", data=confirmed)  # a second click
    assert again.status_code == 303 and again.headers["location"] == address

    async def in_inbox(reader: httpx.AsyncClient, language: str, title: str) -> bool:
        return title in (await reader.get(f"/{city}/{language}/inbox")).text

    await wait_until(lambda: in_inbox(arabic, "ar", TITLE_AR), message="the notice in the Arabic inbox")
    await wait_until(lambda: in_inbox(polish, "pl", TEXTS["title.pl"]), message="in the Polish inbox")
    inbox = await arabic.get(f"/{city}/ar/inbox")
    assert inbox.text.count(TITLE_AR) == 1  # sent once, though the form was sent twice
    assert TEXTS["title.pl"] not in (await health.get(f"/{city}/en/inbox")).text

    page = await web.get(address)
    assert "The notice is on its way to its subscribers." in text_of(page)
    listing = await web.get(f"/office/{city}/broadcasts")
    assert listing.text.count(f'href="{address.split("?")[0]}"') == 1
    for reader in (arabic, polish, health):
        await reader.aclose()


async def test_refusals_come_back_next_to_their_fields(web, identity_provider, city) -> None:
    await sign_in(web, identity_provider, "city_admin", city=city)
    form = await web.get(f"/office/{city}/broadcasts/new")
    base = {"csrf_token": form_token(form), "intent": "preview"}

    nobody = await web.post(f"/office/{city}/broadcasts/new", data={**base, **TEXTS})
    assert nobody.status_code == 422
    assert '<a href="#f-topics">Who gets it: Choose at least one topic or group</a>' in nobody.text
    assert 'value="Wydział Mieszkań nieczynny jutro"' in nobody.text  # nothing typed is lost

    english_only = {"topic": "work", "title.en": "Closed", "body.en": "The office is closed."}
    no_polish = await web.post(f"/office/{city}/broadcasts/new", data={**base, **english_only})
    assert no_polish.status_code == 422
    assert '<a href="#f-texts-pl-title">Title (Polish): Write the notice in Polish too' in no_polish.text

    too_long = {"group": "refugee", "title.pl": "x" * 201, "body.pl": ""}
    answer = await web.post(f"/office/{city}/broadcasts/new", data={**base, **too_long})
    assert answer.status_code == 422
    summary = text_of(answer)
    assert "Title (Polish): This is too long" in summary and "Message (Polish): Fill this in" in summary
    assert 'id="f-texts-pl-title" name="title.pl"' in answer.text and 'aria-invalid="true"' in answer.text

    async def sent() -> int:
        return len(
            re.findall(
                rf'href="/office/{city}/broadcasts/b', (await web.get(f"/office/{city}/broadcasts")).text
            )
        )

    before = await sent()
    forged = {**base, "csrf_token": "x" * 43, "topic": "work", **TEXTS, "intent": "send", "confirm": "yes"}
    refused = await web.post(f"/office/{city}/broadcasts/new", data=forged)
    assert refused.status_code == 403 and await sent() == before


ROLES = {
    # role, organisation: sees and opens the broadcasts
    "pa_editor": (None, True),
    "city_admin": (None, True),
    "platform_admin": (None, True),
    "ngo_editor": ("homo-faber", False),
    "translator": (None, False),
}


@pytest.mark.parametrize("role", list(ROLES))
async def test_only_the_citys_pa_editors_and_admins_get_the_broadcast_pages(
    web, identity_provider, city, role
) -> None:
    org, allowed = ROLES[role]
    await sign_in(web, identity_provider, role, org=org, city=None if role == "platform_admin" else city)
    dashboard = await web.get(f"/office/{city}")
    assert dashboard.status_code == 200
    assert (f'href="/office/{city}/broadcasts"' in dashboard.text) is allowed
    for address in (f"/office/{city}/broadcasts", f"/office/{city}/broadcasts/new"):
        assert (await web.get(address)).status_code == (200 if allowed else 403)
    form = await web.get(f"/office/{city}")
    attempt = {"csrf_token": form_token(form), "topic": "work", **TEXTS, "intent": "preview"}
    assert (await web.post(f"/office/{city}/broadcasts/new", data=attempt)).status_code == (
        200 if allowed else 403
    )


async def test_a_city_without_notifications_offers_no_broadcasts(
    web, identity_provider, platform, auth_header
) -> None:
    from agenda_helpers import zamosc
    from witaj.shared.events import Feature

    quiet = new_city(
        platform["content"], auth_header("platform_admin"), prefix="z", **zamosc({Feature.NOTIFICATIONS})
    )
    await sign_in(web, identity_provider, "pa_editor", city=quiet)
    dashboard = await web.get(f"/office/{quiet}")
    assert dashboard.status_code == 200 and f'href="/office/{quiet}/broadcasts"' not in dashboard.text
    page = await web.get(f"/office/{quiet}/broadcasts/new")
    assert page.status_code == 404
