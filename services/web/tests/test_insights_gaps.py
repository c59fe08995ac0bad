"""Information gaps over HTTP: searches that found nothing, once enough visitors asked them, and demand for
missing translations, each linked to the back office where someone can act; the analysts read them in
the insights, the city's editors and translators in the back office."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from insights_helpers import USAGE, _wrap, own_city, produce, search
from office_helpers import sign_in, text_of
from witaj.devkit.testing import wait_until
from witaj.shared.events import ContentKind, PageViewed
from witaj.shared.mongo import create_client, database
from witaj.stats.gaps import week_of
from witaj.stats.settings import StatsSettings

pytestmark = pytest.mark.usefixtures("stats_processor")


# Gaps are published per settled calendar week, once: a day of a week two weeks back is settled.
SETTLED = week_of(datetime.now(UTC)) - timedelta(days=12)


async def searched(settings: StatsSettings, city: str, query: str, sessions: int) -> bool:
    """Whether the processor has counted `sessions` visitors asking `query`: a week, once published, never
    changes, so the page is read only after everything for it is counted."""
    client = create_client(settings.mongo)
    try:
        docs = database(client, settings.mongo)["zero_queries"].find({"city": city, "query": query})
        return sum([len(doc.get("sessions", [])) async for doc in docs]) >= sessions
    finally:
        await client.close()


async def test_gaps_and_language_demand_lead_to_the_back_office(
    web, platform, identity_provider, stats_processor, auth_header
) -> None:
    city = await own_city(platform["content"], auth_header)  # a week of its own, published by this test
    asked = f"nursery enrolment {uuid.uuid4().hex[:4]}"
    rare = f"dog licence {uuid.uuid4().hex[:4]}"
    searches = [search(asked, "en", session=f"s{n}", at=SETTLED, city=city) for n in range(5)]
    searches += [
        search(rare, "en", session=f"s{n}", at=SETTLED, city=city) for n in range(2)
    ]  # too few visitors to show
    fallback = PageViewed(
        kind=ContentKind.PAGE,
        item_id=f"{city}-renting",
        language="en",
        requested_language="ru",
        fallback=True,
    )
    await produce(stats_processor, USAGE, [*searches, _wrap(fallback, f"{city}-renting", city=city)])
    for query, sessions in ((asked, 5), (rare, 2)):
        counted = lambda q=query, n=sessions: searched(stats_processor, city, q, n)  # noqa: E731
        await wait_until(counted, timeout=30, message=f"the processor to count {query!r}")
    await sign_in(web, identity_provider, "analyst", city=city)

    async def shown():
        page = await web.get(f"/insights/{city}/gaps")
        return asked in page.text and '<span lang="ru">' in page.text and page

    page = await wait_until(shown, timeout=30, message="the gap and the demand for Russian")
    text = text_of(page)
    assert rare not in page.text
    assert "at least 5" in text and '<svg class="chart' in page.text
    # An analyst neither adds nor translates content (the content API and the back office refuse
    # them): no link that leads to a refusal.
    assert "Write a page" not in text and "/content/pages/new" not in page.text
    assert "Translate" not in text and "/translations/" not in page.text
    assert f"/{city}/en/search?q=" in page.text

    # The same figures for the people who write and translate, in the back office; a translator
    # translates but writes no page.
    await sign_in(web, identity_provider, "translator", city=city)
    office = await web.get(f"/office/{city}/gaps")
    assert office.status_code == 200, office.text
    assert asked in office.text and rare not in office.text
    assert f'href="/office/{city}/translations/ru"' in office.text
    assert "What readers looked for and did not find" in text_of(office)
    assert "/content/pages/new" not in office.text
    dashboard = await web.get(f"/office/{city}")
    assert f'href="/office/{city}/gaps"' in dashboard.text
    assert (await web.get(f"/insights/{city}/gaps")).status_code == 403, (
        "the analysts' other pages stay theirs"
    )

    # Whoever may add content in the city is offered to write the page that was missing.
    for roles, org, where in (
        (("pa_editor",), None, "office"),
        (("ngo_editor",), "help-ngo", "office"),
        (("city_admin",), None, "insights"),
    ):
        await sign_in(web, identity_provider, *roles, city=city, org=org)
        editor = await web.get(f"/{where}/{city}/gaps")
        assert editor.status_code == 200, editor.text
        assert asked in editor.text, roles
        assert "Write a page" in text_of(editor), roles
        assert f'href="/office/{city}/content/pages/new"' in editor.text, roles
        assert f'href="/office/{city}/translations/ru"' in editor.text, roles
