"""Information gaps over HTTP: searches that found nothing, once enough visitors asked them, and demand for
missing translations, each linked to the back office where someone can act."""

from __future__ import annotations

import uuid

import pytest
from insights_helpers import CITY, USAGE, _wrap, produce, search
from office_helpers import sign_in, text_of
from witaj.devkit.testing import wait_until
from witaj.shared.events import ContentKind, PageViewed

pytestmark = pytest.mark.usefixtures("stats_processor")


async def test_gaps_and_language_demand_lead_to_the_back_office(
    web, identity_provider, stats_processor
) -> None:
    asked = f"nursery enrolment {uuid.uuid4().hex[:4]}"
    rare = f"dog licence {uuid.uuid4().hex[:4]}"
    searches = [search(asked, "en", session=f"s{n}") for n in range(5)]
    searches += [search(rare, "en", session=f"s{n}") for n in range(2)]  # too few visitors to show
    fallback = PageViewed(
        kind=ContentKind.PAGE, item_id="lublin-renting", language="en", requested_language="ru", fallback=True
    )
    await produce(stats_processor, USAGE, [*searches, _wrap(fallback, "lublin-renting")])
    await sign_in(web, identity_provider, "analyst")

    async def shown():
        page = await web.get(f"/insights/{CITY}/gaps")
        return asked in page.text and "/office/lublin/translations/ru" in page.text and page

    page = await wait_until(shown, timeout=30, message="the gap and the demand for Russian")
    text = text_of(page)
    assert rare not in page.text
    assert "Write a page" in text and 'href="/office/lublin/content/pages/new"' in page.text
    assert "at least 5" in text and '<svg class="chart' in page.text
