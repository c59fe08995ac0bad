"""Events and notifications over HTTP: fill rates per occurrence (a small count of places suppressed with
its rate, never shown as zero), waitlists and attendance per released day, deliveries per channel."""

from __future__ import annotations

import re
import uuid

import pytest
from insights_helpers import NOTIFY_DELIVERIES, _wrap, own_city, produce, registrations, settled_day
from office_helpers import sign_in, text_of
from witaj.devkit.testing import wait_until
from witaj.shared.events import Channel, NotificationDelivered

pytestmark = pytest.mark.usefixtures("stats_processor")


async def test_fill_rates_waitlists_and_deliveries(
    web, identity_provider, stats_processor, platform, auth_header
) -> None:
    city = await own_city(platform["content"], auth_header)
    day = settled_day(20)
    await registrations(
        stats_processor, "insights-full-course", day.replace(hour=9), confirmed=10, waitlisted=6, capacity=10,
        city=city,
    )  # fmt: skip
    # another day: on the same one, hiding its two people would also hide the course (the day's total
    # of confirmed places less the course's would give them away)
    quiet_day = settled_day(21)
    await registrations(
        stats_processor,
        "insights-quiet-talk",
        quiet_day.replace(hour=15),
        confirmed=2,
        capacity=40,
        city=city,
    )
    await produce(
        stats_processor, NOTIFY_DELIVERIES, [_wrap(email(), "delivery", city=city) for _ in range(3)]
    )
    await sign_in(web, identity_provider, "analyst", city=city)

    async def shown():
        page = await web.get(f"/insights/{city}/events")
        return "insights-full-course" in page.text and "E-mail" in text_of(page) and page

    page = await wait_until(shown, timeout=30, message="the fill rates and the deliveries")
    full = row(page.text, "insights-full-course")
    assert "100 %" in full  # ten places, all taken
    quiet = row(page.text, "insights-quiet-talk")
    assert "suppressed" in quiet and " 2 " not in quiet and "5 %" not in quiet  # two of forty: hidden
    waitlisted = re.search(r'id="panel-series-waitlisted".*?</section>', page.text, re.S)
    assert waitlisted and '<svg class="chart' in waitlisted.group(0) and "<table" in waitlisted.group(0)
    assert "E-mail 3 0 0 100 %" in text_of(page)


def email() -> NotificationDelivered:
    return NotificationDelivered(
        channel=Channel.EMAIL, subscriber=uuid.uuid4().hex, source_event=uuid.uuid4().hex,
        source_type="content.published", language="pl",
    )  # fmt: skip


def row(html: str, event: str) -> str:
    """The text of the table row of the event's occurrence."""
    found = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{event}(?:(?!</tr>).)*</tr>", html, re.S)
    assert found, event
    return " " + " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split()) + " "
