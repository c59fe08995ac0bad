"""Every insights page type in a real browser on a phone screen, in English (left to right) and Arabic
(right to left): no WCAG 2.2 A/AA violation that axe-core can find, and a screenshot of each for people
to look at."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from insights_helpers import CITY, browser_sign_in
from playwright.sync_api import Page
from web_helpers import reader_address, screenshot

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
MONTH = datetime.now(UTC).strftime("%Y-%m")
PAGES = {
    # who: {name: address}
    "analyst": {
        "dashboard": f"/insights/{CITY}",
        "gaps": f"/insights/{CITY}/gaps",
        "indicators": f"/insights/{CITY}/indicators",
        "indicator": f"/insights/{CITY}/indicators/employment_rate",
        "districts": f"/insights/{CITY}/districts",
        "events": f"/insights/{CITY}/events",
        "reports": f"/insights/{CITY}/reports",
        "report": f"/insights/{CITY}/reports/{MONTH}",
    },
    "city_admin": {"open-data-choice": f"/insights/{CITY}/open-data"},
    "platform_admin": {"cities": "/insights"},
    "pa_editor": {"not-yours": f"/insights/{CITY}"},
    None: {"open-data": f"/open-data/{CITY}", "open-data-cities": "/open-data"},
}


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: who or "public")
def test_insights_pages_have_no_accessibility_violations(
    page: Page, web_url: str, identity_provider, who
) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    if who:
        target = "/insights" if who == "platform_admin" else f"/insights/{CITY}"
        browser_sign_in(page, web_url, identity_provider, who, next_page=target)
    reports = []
    for name, address in PAGES[who].items():
        for language in ("en", "ar"):
            page.goto(f"{web_url}{address}{'&' if '?' in address else '?'}lang={language}")
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            result = Axe().run(page, options=RULES)
            screenshot(page, f"insights-{name}-{language}")
            if result.violations_count:
                reports.append(f"{name} ({language}):\n{result.generate_report()}")
    assert not reports, "\n".join(reports)
