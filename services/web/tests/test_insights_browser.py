"""The insights in a real browser on a phone: the dashboard follows the stats stream live (a usage event
produced to Kafka is on the open page within two seconds, without reloading), left to right and right to
left, and works without JavaScript."""

from __future__ import annotations

import time

import pytest
from insights_helpers import CITY, USAGE, browser_sign_in, page_view, produce_now
from playwright.sync_api import Page
from web_helpers import reader_address, screenshot

pytestmark = pytest.mark.usefixtures("stats_processor")
LIVE_DEADLINE_MS = 2_000


def watch_live(page: Page, stats_processor, language: str) -> float:
    """Produce a view in a language nobody else uses and wait for its row in the open page's breakdown;
    returns how long it took."""
    page.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    row = page.locator(f"#panel-by-language tr:has-text('({language})')")
    assert row.count() == 0
    produce_now(stats_processor, USAGE, [page_view("lublin-renting", language)])
    started = time.monotonic()
    row.wait_for(state="attached", timeout=LIVE_DEADLINE_MS)
    return time.monotonic() - started


def test_a_usage_event_appears_on_the_open_dashboard_within_two_seconds(
    page: Page, web_url: str, identity_provider, stats_processor
) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    browser_sign_in(page, web_url, identity_provider, "analyst")
    page.goto(f"{web_url}/insights/{CITY}?period=1h&granularity=minute")
    loaded = page.evaluate("performance.timeOrigin")
    watch_live(page, stats_processor, "tr")
    assert page.evaluate("performance.timeOrigin") == loaded  # the same page: nothing reloaded
    page.locator("#panel-by-language summary").click()
    assert page.locator("#panel-by-language tr:has-text('(tr)') td").inner_text() == "1"
    screenshot(page, "insights-dashboard-live")


def test_the_dashboard_is_live_right_to_left_too(
    page: Page, web_url: str, identity_provider, stats_processor
) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    browser_sign_in(page, web_url, identity_provider, "analyst")
    page.locator("#insights-language").select_option("ar")
    page.locator(".office-language button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("#panel-by-language details").evaluate("d => d.open = true")
    watch_live(page, stats_processor, "fa")
    assert page.locator("#panel-by-language details").get_attribute("open") is not None  # kept open
    assert page.locator("html").get_attribute("lang") == "ar"
    screenshot(page, "insights-dashboard-rtl")


def test_without_javascript_the_pickers_are_a_form(
    launch_browser, web_url: str, identity_provider, browser_context_args
) -> None:
    browser = launch_browser()
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    page.context.set_extra_http_headers({"X-Forwarded-For": reader_address()})
    try:
        subject = "analyst-nojs"
        identity_provider.add_user(subject, roles=["analyst"], city=CITY, name="Test analyst")
        page.goto(f"{web_url}/office/sign-in?next=/insights/{CITY}")
        page.get_by_role("link", name="Sign in").click()
        page.locator("input[name=sub]").fill(subject)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{web_url}/insights/{CITY}")
        page.locator("#period").select_option("7d")
        page.locator("#granularity").select_option("minute")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**period=7d**")
        assert "by hour" in page.locator(".notice").inner_text()  # a week of minutes is too many columns
        assert page.locator("#panel-series-page_views svg.chart").count() == 1
        screenshot(page, "insights-dashboard-no-js")
    finally:
        context.close()
        browser.close()
