"""The directory, its map, read-aloud and reading offline, in a real browser on a phone screen."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect
from web_helpers import PHONE, screenshot, web_settings
from witaj.devkit.cities import new_city
from witaj.devkit.testing import LiveServer
from witaj.web.main import create_app
from witaj.web.settings import MapSettings

DIRECTORY = "/lublin/{lang}/organisations"
PROCESS = "/lublin/{lang}/processes/lublin-temporary-residence"
TILE_HOST = "tiles.witaj.test"
TILES = f"https://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}


def check_accessibility(page: Page, name: str) -> None:
    result = Axe().run(page, options=RULES)
    screenshot(page, name)
    assert result.violations_count == 0, result.generate_report()


def check_accessibility_without_scripts(browser: Browser, url: str, name: str) -> None:
    """axe-core is a script, so it cannot look at a page in a browser with JavaScript off. The page is
    opened with the app's own scripts refused instead: that is how it stands without JavaScript (the
    app has no `<noscript>` parts)."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    context.route(re.compile(r"/static/(js|vendor)/"), lambda route: route.abort())
    page = context.new_page()
    page.goto(url)
    expect(page.locator("[data-read-aloud]")).to_be_hidden()  # no script of the app ran
    check_accessibility(page, name)
    context.close()


def phone(browser: Browser, **options: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, **options)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def map_url(platform: dict[str, str]) -> Iterator[str]:
    """The web app with a tile server configured (its tiles are answered by the test, see `tiles`)."""
    settings = web_settings(platform, map=MapSettings(tile_url=TILES, attribution="© Witaj test tiles"))
    with LiveServer(create_app(settings)) as url:
        yield url


@pytest.fixture
def tiles(page: Page) -> list[str]:
    """Every tile asked for, each answered with a 1x1 PNG; any other address off the app is refused."""
    asked: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        if TILE_HOST in url:
            asked.append(url)
            route.fulfill(status=200, content_type="image/png", body=PIXEL)
        elif url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            asked.append(url)
            route.abort()

    page.context.route("**/*", answer)
    return asked


# ------------------------------------------------------------------------------------------- directory


FILTER_LABELS = {
    "en": ("Topic", "Language spoken there", "Show results", "Show all places"),
    "ar": ("الموضوع", "اللغة المستخدمة هناك", "اعرض النتائج", "اعرض كل الأماكن"),
}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_directory_filters_work_without_javascript(
    no_js_page: Page, browser: Browser, web_url: str, lang: str
) -> None:
    topic, speaks, apply, clear = FILTER_LABELS[lang]
    no_js_page.goto(web_url + DIRECTORY.format(lang=lang))
    expect(no_js_page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(no_js_page.locator("[data-directory-tools]")).to_be_hidden()
    expect(no_js_page.locator("[data-read-aloud]")).to_be_hidden()  # nothing to press without a script
    no_js_page.get_by_label(topic).select_option("education")
    no_js_page.get_by_label(speaks).select_option("uk")
    no_js_page.get_by_role("button", name=apply).click()
    expect(no_js_page).to_have_url(re.compile(r"organisations\?topic=education&speaks=uk$"))
    expect(no_js_page.locator("#place-lublin-umcs-polish-centre")).to_have_count(1)
    expect(no_js_page.locator("#place-lublin-nfz-branch")).to_have_count(0)
    assert no_js_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(no_js_page, f"directory-no-js-{lang}")
    check_accessibility_without_scripts(browser, no_js_page.url, f"directory-no-js-axe-{lang}")
    no_js_page.get_by_role("link", name=clear).first.click()
    expect(no_js_page.locator("#place-lublin-nfz-branch")).to_have_count(1)


@pytest.fixture
def reader_at_nfz(browser: Browser) -> Iterator[Page]:
    """A phone that lets the page know it stands at the NFZ branch."""
    yield from phone(
        browser,
        geolocation={"latitude": 51.2541, "longitude": 22.5691},
        permissions=["geolocation"],
        locale="ar",
    )


def test_the_directory_sorts_by_distance_in_the_browser_without_sending_the_position(
    reader_at_nfz: Page, web_url: str
) -> None:
    page = reader_at_nfz
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(web_url + DIRECTORY.format(lang="ar"))
    loaded = len(sent)
    page.get_by_role("button", name="رتّب حسب المسافة مني").click()
    expect(page.locator("[data-near-status]")).to_have_text("القائمة الآن مرتبة حسب المسافة من مكانك.")
    first = page.locator(".place-card").first
    expect(first).to_have_attribute("id", "place-lublin-nfz-branch")
    expect(first.locator(".place-card__number")).to_have_text("1")
    expect(first.locator("[data-distance]")).to_contain_text("كم")
    distances = page.locator("[data-distance]:visible").all_inner_texts()
    numbers = [float(re.sub(r"[^0-9.٫]", "", d).replace("٫", ".") or "0") for d in distances]
    assert numbers == sorted(numbers) and len(numbers) >= 5
    assert all("51.25" not in url and "22.56" not in url for url in sent[loaded:])  # the position stays here
    screenshot(page, "directory-near-ar")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_map_draws_the_list_with_tiles_from_the_configured_server_only(
    page: Page, map_url: str, tiles: list[str], lang: str
) -> None:
    page.goto(map_url + DIRECTORY.format(lang=lang))
    expect(page.locator(".leaflet-container")).to_have_count(0)  # nothing loaded until asked for
    show = page.locator("[data-show-map]")
    show.click()
    expect(show).to_have_attribute("aria-expanded", "true")
    markers = page.locator(".leaflet-marker-icon")
    with_place = page.locator(".place-card[data-lat]")
    expect(markers).to_have_count(with_place.count())
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
    assert tiles and all(TILE_HOST in url for url in tiles), tiles
    # Each marker carries its entry's number and name; choosing one brings the reader to the entry.
    first_name = with_place.first.locator(".place-card__title a").inner_text()
    expect(markers.first).to_contain_text(f"1. {first_name}")
    markers.nth(2).dispatch_event("click")
    chosen = with_place.nth(2)
    expect(chosen).to_have_class(re.compile(r"\bis-selected\b"))
    expect(chosen.locator(".place-card__title a")).to_be_focused()
    page.locator("#directory-map").scroll_into_view_if_needed()
    check_accessibility(page, f"directory-map-{lang}")


# ----------------------------------------------------------------------------------------- read-aloud

DECODE = """async ([lang, text]) => {
  const response = await fetch(`/speech/${lang}?text=${encodeURIComponent(text)}`);
  const audio = await new AudioContext().decodeAudioData(await response.arrayBuffer());
  return {status: response.status, type: response.headers.get("content-type"), seconds: audio.duration};
}"""


@pytest.mark.parametrize(
    ("lang", "text"),
    [("ar", "تحتاج إلى جواز السفر وصورة واحدة."), ("pl", "Potrzebujesz paszportu i jednego zdjęcia.")],
)
def test_the_browser_decodes_the_audio_of_the_web_apps_voices(page: Page, web_url: str, lang, text) -> None:
    page.goto(web_url + f"/lublin/{lang}")
    decoded = page.evaluate(DECODE, [lang, text])
    assert decoded["status"] == 200 and decoded["type"] == "audio/mpeg"
    assert 1.0 < decoded["seconds"] < 20


def test_read_aloud_plays_the_web_apps_audio_where_the_browser_has_no_voice(page: Page, web_url: str) -> None:
    page.goto(web_url + PROCESS.format(lang="ar"))
    assert page.evaluate("speechSynthesis.getVoices().length") == 0  # headless Chromium has none
    box = page.locator("[data-read-aloud]")
    button = box.get_by_role("button", name="القراءة بصوت عالٍ")
    expect(button).to_be_visible()
    with page.expect_response(re.compile(r"/speech/ar\?text=")) as answer:
        button.click()
    assert answer.value.status == 200 and answer.value.header_value("content-type") == "audio/mpeg"
    expect(box).to_have_attribute("data-state", "playing")
    expect(page.locator(".is-reading")).to_have_count(1)
    expect(page.locator("h1.is-reading")).to_have_count(1)  # it starts with the title
    screenshot(page, "read-aloud-playing-ar", full_page=False)
    stop = box.get_by_role("button", name="أوقف القراءة")
    stop.click()
    expect(box).to_have_attribute("data-state", "idle")
    expect(page.locator(".is-reading")).to_have_count(0)


def test_a_language_without_a_voice_shows_a_note_instead_of_the_button(
    page: Page, web_url: str, platform: dict[str, str], auth_header
) -> None:
    city = new_city(
        platform["content"], auth_header("platform_admin"), languages=["pl", "ps", "ckb"], prefix="voices"
    )
    for lang, name in (("ps", "پښتو"), ("ckb", "کوردیی ناوەندی")):
        page.goto(web_url + f"/{city}/{lang}")
        box = page.locator("[data-read-aloud]")
        expect(box.locator("[data-read-note]")).to_have_text(f"Read-aloud is not available in {name} yet.")
        expect(box.locator("[data-read-button]")).to_be_hidden()
    check_accessibility(page, "read-aloud-no-voice-ckb")


# -------------------------------------------------------------------------------------------- offline

CACHED = """async () => {
  const found = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    found[name] = (await cache.keys()).map((request) => new URL(request.url).pathname + new URL(request.url).search);
  }
  return found;
}"""


def first_visit(page: Page, address: str) -> None:
    """Open a page and wait until the city's service worker has kept what it was told to."""
    page.goto(address)
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)


def test_a_page_read_once_is_there_offline_with_a_banner_and_its_ticks(page: Page, web_url: str) -> None:
    first_visit(page, web_url + PROCESS.format(lang="en"))
    page.locator(".step__done input").nth(1).check()
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_be_hidden()
    page.context.set_offline(True)
    expect(banner).to_be_visible()  # the moment the connection goes
    page.reload()
    expect(page.locator("h1")).to_have_text("Temporary residence permit and residence card")
    expect(banner).to_have_text(re.compile("You are offline"))
    expect(banner).to_be_visible()  # the page is a kept copy, whatever the browser says of its connection
    expect(page.locator(".step__done input").nth(1)).to_be_checked()
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )  # the stylesheet came from the cache too
    screenshot(page, "offline-banner-en-top", full_page=False)
    check_accessibility(page, "offline-banner-en")
    # The city's home was kept on the first visit, without being opened.
    page.goto(web_url + "/lublin/en")
    expect(page.locator("h1")).to_have_text("Welcome to Lublin")
    # A page never opened: the city's "offline" page, in the reader's language.
    page.goto(web_url + "/lublin/en/pages/lublin-renting")
    expect(page.locator("h1")).to_have_text("You are offline")
    expect(banner).to_be_visible()
    # Back online, the next page comes from the network again, with no banner. (Headless Chromium never
    # told that page it was offline, so it sends no "online" event to hide the banner in place.)
    page.context.set_offline(False)
    page.goto(web_url + "/lublin/en/pages/lublin-renting")
    expect(page.locator("h1")).not_to_have_text("You are offline")
    expect(banner).to_be_hidden()


def test_the_offline_page_in_arabic_is_right_to_left(page: Page, web_url: str) -> None:
    first_visit(page, web_url + "/lublin/ar")
    page.context.set_offline(True)
    page.goto(web_url + "/lublin/ar/practices/lublin-practice-diversity-strategy")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("أنت غير متصل بالإنترنت")
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    screenshot(page, "offline-page-ar-top", full_page=False)
    check_accessibility(page, "offline-page-ar")


def test_ticked_procedures_are_kept_apart_and_forms_searches_are_never_kept(page: Page, web_url: str) -> None:
    page.context.set_extra_http_headers({"X-Forwarded-For": f"198.19.{uuid.uuid4().int % 250}.7"})
    first_visit(page, web_url + PROCESS.format(lang="uk"))
    page.locator(".step__done input").first.check()
    page.locator("#feedback").get_by_label("Так").check()
    page.locator("#feedback").get_by_role("button").click()
    expect(page.locator("#feedback [role=status]")).to_be_visible()
    page.goto(web_url + "/lublin/uk/search?q=karta")
    page.goto(web_url + "/lublin/uk/pages/lublin-renting?feedback=sent")
    kept_procedure = PROCESS.format(lang="uk")

    def kept() -> dict[str, list[str]]:
        return page.evaluate(CACHED)  # type: ignore[no-any-return]

    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true")
    page.wait_for_function(
        "async (path) => Boolean(await (await caches.open('witaj-lublin-kept')).match(path))",
        arg=kept_procedure,
    )
    caches = kept()
    assert caches["witaj-lublin-kept"] == [kept_procedure]
    pages = [path for paths in caches.values() for path in paths if not path.startswith("/static/")]
    assert not [p for p in pages if "/feedback" in p or "/search" in p or "feedback=" in p], pages
    assert "/lublin/uk" in pages and "/lublin/uk/offline" in pages
    # Unticking the last step lets the procedure go back among the ordinary pages.
    page.goto(web_url + kept_procedure)
    page.locator(".step__done input").first.uncheck()
    page.wait_for_function("async () => (await (await caches.open('witaj-lublin-kept')).keys()).length === 0")


def test_an_update_of_the_apps_files_replaces_the_old_cached_ones(page: Page, web_url: str) -> None:
    page.goto(web_url + "/")  # outside any city: no service worker yet
    page.evaluate(
        "async () => { await (await caches.open('witaj-lublin-assets-0ld0ld0ld0ld')).put('/x', new Response('old')); }"
    )
    first_visit(page, web_url + "/lublin/en")
    worker = page.locator("[data-offline-worker]").get_attribute("data-worker") or ""
    version = worker.split("?v=")[1]
    names = list(page.evaluate(CACHED))
    assert "witaj-lublin-assets-0ld0ld0ld0ld" not in names
    assert f"witaj-lublin-assets-{version}" in names
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r && r.scope)")
    assert scope == web_url + "/lublin/"
