"""Each role sees in the back office only the actions it may take (and the APIs refuse the rest anyway).

The pages of one city item (the demo's renting page, owned by the city hall) and the city's lists, as
each role sees them: who gets "New", "Edit", the publishing buttons, "Translate", and "Published" as a
translation state to save.
"""

from __future__ import annotations

import pytest
from office_helpers import form_token, sign_in, text_of

CITY = "/office/lublin"
ITEM = "lublin-renting"
ROLES = {
    # role, organisation: (creates, edits the city's item, translates it, publishes a translation)
    "pa_editor": (None, True, True, True, True),
    "city_admin": (None, True, True, True, True),
    "platform_admin": (None, True, True, True, True),
    "translator": (None, False, False, True, False),
    "ngo_editor": ("homo-faber", True, False, False, False),
}


@pytest.mark.parametrize("role", list(ROLES))
async def test_each_role_sees_only_the_actions_it_may_take(web, identity_provider, role) -> None:
    org, creates, edits, translates, publishes = ROLES[role]
    await sign_in(web, identity_provider, role, org=org, city=None if role == "platform_admin" else "lublin")

    listing = await web.get(f"{CITY}/content/pages")
    assert listing.status_code == 200
    assert (f'href="{CITY}/content/pages/new"' in listing.text) is creates
    dashboard = await web.get(CITY)
    assert (f'href="{CITY}/content/processes/new"' in dashboard.text) is creates
    new_form = await web.get(f"{CITY}/content/pages/new")
    assert new_form.status_code == (200 if creates else 403)

    item = await web.get(f"{CITY}/items/{ITEM}")
    if item.status_code == 403:  # an NGO editor may not even see another owner's item
        assert not edits and not translates
    else:
        assert (f'href="{CITY}/items/{ITEM}/edit"' in item.text) is edits
        assert (f'action="{CITY}/items/{ITEM}/status"' in item.text) is edits
        assert (f'href="{CITY}/items/{ITEM}/translations/uk"' in item.text) is translates
    assert (await web.get(f"{CITY}/items/{ITEM}/edit")).status_code == (200 if edits else 403)

    translation = await web.get(f"{CITY}/items/{ITEM}/translations/uk")
    assert translation.status_code == (200 if translates else 403)
    if translates:
        assert ('name="state" value="published"' in translation.text) is publishes


async def test_people_without_back_office_work_are_told_so(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "analyst")
    start = await web.get("/office")  # an analyst's pages are the insights
    assert start.status_code == 303 and start.headers["location"] == "/insights/lublin"
    assert (await web.get(CITY)).status_code == 403

    web.cookies.clear()
    await sign_in(web, identity_provider, "ngo_editor")  # no organisation claim: no NGO rights at all
    start = await web.get("/office")
    assert "it does not say which organisation" in text_of(start)
    assert (await web.get(f"{CITY}/content/pages")).status_code == 403


async def test_staff_of_another_city_do_not_get_into_this_one(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "pa_editor", city="warszawa")
    page = await web.get(f"{CITY}/content/pages")
    assert page.status_code == 403 and "You cannot open this page" in text_of(page)


@pytest.mark.parametrize("role", list(ROLES))
async def test_only_the_citys_admins_see_and_change_its_settings_and_topics(
    web, identity_provider, role
) -> None:
    org = ROLES[role][0]
    await sign_in(web, identity_provider, role, org=org, city=None if role == "platform_admin" else "lublin")
    administers = role in ("city_admin", "platform_admin")
    dashboard = await web.get(CITY)
    assert (f'href="{CITY}/settings"' in dashboard.text) is administers
    assert (f'href="{CITY}/topics"' in dashboard.text) is administers
    for page in ("settings", "topics", "topics/housing"):
        assert (await web.get(f"{CITY}/{page}")).status_code == (200 if administers else 403), page
    if not administers:  # nor can they post the forms they are not shown
        token = form_token(dashboard)
        for action in ("settings", "topics", "topics/housing", "topics/housing/remove"):
            posted = await web.post(f"{CITY}/{action}", data={"csrf_token": token, "labels.pl": "X"})
            assert posted.status_code == 403, action


async def test_a_city_admin_of_another_city_cannot_change_this_one(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "city_admin", city="warszawa")
    assert (await web.get(f"{CITY}/settings")).status_code == 403


@pytest.mark.parametrize("role", list(ROLES))
async def test_editors_moderate_feedback_and_translators_do_not(web, identity_provider, role) -> None:
    org = ROLES[role][0]
    await sign_in(web, identity_provider, role, org=org, city=None if role == "platform_admin" else "lublin")
    moderates = role != "translator"
    dashboard = await web.get(CITY)
    assert (f'href="{CITY}/feedback"' in dashboard.text) is moderates
    assert (await web.get(f"{CITY}/feedback")).status_code == (200 if moderates else 403)
    if not moderates:
        posted = await web.post(
            f"{CITY}/feedback/x", data={"csrf_token": form_token(dashboard), "decision": "approved"}
        )
        assert posted.status_code == 403


EVENT_ROLES = {
    # role, organisation: (sees events, creates, edits the NGO's event, translates it, publishes a translation)
    "ngo_editor": ("owner", True, True, True, True, True),
    "city_admin": (None, True, True, True, True, True),
    "platform_admin": (None, True, True, True, True, True),
    "translator": (None, True, False, False, True, False),
    "pa_editor": ("city-hall", True, True, False, False, False),
    "analyst": (None, False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(EVENT_ROLES))
async def test_each_role_sees_only_the_event_actions_it_may_take(
    web, identity_provider, platform, auth_header, role
) -> None:
    """Events follow the events API's rules: editors act for their own organisation's events only (PA
    editors too), city admins for all, translators translate and an organiser publishes."""
    from event_helpers import create_event, organisation

    owner = organisation()
    org, works, creates, edits, translates, publishes = EVENT_ROLES[role]
    event = create_event(
        platform["events"],
        auth_header("ngo_editor", city="lublin", org=owner),
        registration={"required": True},
    )
    base = f"{CITY}/events/{event['id']}"
    await sign_in(
        web,
        identity_provider,
        role,
        org=owner if org == "owner" else org,
        city=None if role == "platform_admin" else "lublin",
    )

    dashboard = await web.get(CITY)
    assert (f'href="{CITY}/events"' in dashboard.text) is works
    listing = await web.get(f"{CITY}/events")
    assert listing.status_code == (200 if works else 403)
    assert (f'href="{CITY}/events/new"' in listing.text) is creates
    assert (f'href="{CITY}/events/import"' in listing.text) is creates
    assert (await web.get(f"{CITY}/events/new")).status_code == (200 if creates else 403)

    page = await web.get(base)
    assert page.status_code == (200 if translates else 403)
    assert (f'href="{base}/edit"' in page.text) is edits
    assert (f'href="{base}/cancel"' in page.text) is edits
    assert (f'href="{base}/registrations"' in page.text) is edits
    assert (f'href="{base}/translations/uk"' in page.text) is translates
    for path in ("/edit", "/registrations", "/cancel", "/registrations.csv"):
        assert (await web.get(base + path)).status_code == (200 if edits else 403), path
    translation = await web.get(f"{base}/translations/uk")
    assert translation.status_code == (200 if translates else 403)
    if translates:
        assert ('name="state" value="published"' in translation.text) is publishes


async def test_editors_without_an_organisation_have_no_events(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    assert f'href="{CITY}/events"' not in (await web.get(CITY)).text
    assert (await web.get(f"{CITY}/events")).status_code == 403
