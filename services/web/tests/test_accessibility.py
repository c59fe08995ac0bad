"""Every page type, in a left-to-right and a right-to-left language, in a real browser on a phone screen:
no WCAG 2.2 A/AA violation that axe-core can find, and a screenshot for people to look at."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from web_helpers import screenshot

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
PROCESS = "processes/lublin-temporary-residence"
PAGE_TYPES = {
    "cities": "/",
    "languages": "/lublin/{lang}/language",
    "home": "/lublin/{lang}",
    "topic": "/lublin/{lang}/topics/residence",
    "list": "/lublin/{lang}/processes",
    "glossary": "/lublin/{lang}/glossary",
    "page": "/lublin/{lang}/pages/lublin-health-insurance",
    "process": f"/lublin/{{lang}}/{PROCESS}",
    "glossary-term": "/lublin/{lang}/glossary/lublin-term-residence-card",
    "organisation": "/lublin/{lang}/organisations/lublin-city-foreigners-point",
    "practice": "/lublin/{lang}/practices/lublin-practice-diversity-strategy",
    "search": "/lublin/{lang}/search?q={query}",
    "search-nothing": "/lublin/{lang}/search?q=zzzqqq",
    "reported": "/lublin/{lang}/search/reported",
    "not-found": "/lublin/{lang}/pages/no-such-page",
}
QUERIES = {"en": "residence", "ar": "الإقامة"}


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_the_page_type_has_no_accessibility_violations(page, web_url, kind, lang) -> None:
    address = PAGE_TYPES[kind].format(lang=lang, query=QUERIES[lang])
    if kind == "cities":
        address += f"?lang={lang}"
    page.goto(web_url + address)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    result = Axe().run(page, options=RULES)
    screenshot(page, f"{kind}-{lang}")
    assert result.violations_count == 0, result.generate_report()
