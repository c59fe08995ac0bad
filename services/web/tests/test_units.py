"""Unit tests of the web app's own logic: catalogues, glossary marks, highlights, form tokens, clients."""

from __future__ import annotations

import string

import httpx
import pytest
from babel import Locale
from starlette.requests import Request
from witaj.web.clients.base import BackendClient, BackendNotFound, BackendRefused, BackendUnavailable
from witaj.web.clients.content import Occurrence, Row
from witaj.web.i18n import (
    SOURCE,
    Translator,
    babel_locale,
    catalogue,
    reader_language,
    translated_languages,
)
from witaj.web.markup import Terms, clean, highlighted
from witaj.web.security import CSRF_COOKIE, CsrfRefused, check_form, form_token
from witaj.web.settings import BackendSettings

TWELVE = {"pl", "en", "uk", "ru", "ar", "zh", "prs", "es", "nl", "de", "ur", "it"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_interface_speaks_the_twelve_languages() -> None:
    assert set(translated_languages()) >= TWELVE


@pytest.mark.parametrize("code", sorted(TWELVE - {SOURCE}))
def test_each_catalogue_has_every_text_with_the_same_placeholders(code: str) -> None:
    source, texts = catalogue(SOURCE), catalogue(code)
    assert sorted(set(source) - set(texts)) == [], "missing texts"
    assert sorted(set(texts) - set(source)) == [], "texts nothing uses"
    categories = set(babel_locale(code).plural_form.tags) | {"other"}
    for key, english in source.items():
        text = texts[key]
        if isinstance(english, dict):
            assert isinstance(text, dict), key
            assert set(text) == categories, f"{key}: plural forms of {code} are {sorted(categories)}"
            for form in text.values():
                assert placeholders(form) <= {"count"}, key
        else:
            assert isinstance(text, str) and text.strip(), key
            assert placeholders(text) == placeholders(english), key


def test_plural_texts_follow_each_languages_rules() -> None:
    assert Translator("pl").plural("process.step_count", 1) == "1 krok"
    assert Translator("pl").plural("process.step_count", 3) == "3 kroki"
    assert Translator("pl").plural("process.step_count", 5) == "5 kroków"
    assert Translator("uk").plural("search.count", 21) == "21 результат"
    assert Translator("ar").plural("process.days", 2) == "يومان"
    assert Translator("zh").plural("process.days", 3) == "3 天"


def test_dates_days_and_money_come_from_cldr() -> None:
    assert Translator("pl").day("mon") == "poniedziałek"
    assert Translator("ar").day("fri") == "الجمعة"
    assert Translator("prs").day("mon") == Locale.parse("fa_AF").days["format"]["wide"][0]
    assert Translator("pl").money(440, "PLN") == "440,00\xa0zł"
    assert "2026" in Translator("uk").date("2026-05-03T10:00:00+00:00")


def test_a_missing_text_falls_back_to_english_and_persian_readers_get_dari() -> None:
    assert Translator("sv")("nav.search") == "Search"
    assert Translator("fa")("nav.search") == catalogue("prs")["nav.search"]


def test_the_first_guess_of_a_language_is_the_cookie_then_the_browser_then_the_default() -> None:
    offered = ["pl", "en", "uk", "prs"]
    assert reader_language(offered, cookie="uk", accept_language="en", default="pl") == "uk"
    assert reader_language(offered, cookie="xx", accept_language="de, en;q=0.5", default="pl") == "en"
    assert reader_language(offered, cookie=None, accept_language="fa-AF", default="pl") == "prs"
    assert reader_language(offered, cookie=None, accept_language=None, default="pl") == "pl"


def row(item_id: str, title: str, language: str = "en") -> Row:
    return Row(id=item_id, kind="glossary_term", city="lublin", title=title, summary="...", language=language)


def test_marked_terms_in_html_become_buttons_and_everything_unsafe_goes() -> None:
    terms = Terms({"t-pesel": row("t-pesel", "PESEL")})
    html = (
        '<p>Get a <dfn data-term="t-pesel">PESEL &amp; co</dfn> and <dfn data-term="t-unknown">NIP</dfn>.</p>'
        '<script>alert(1)</script><img src="https://tracker.example/x.png"><p onclick="x()">hi</p>'
    )
    out = str(terms.html(html))
    assert (
        '<button type="button" class="term" popovertarget="term-t-pesel" lang="en">PESEL &amp; co</button>'
        in out
    )
    assert " and NIP.</p>" in out  # not in this language's glossary: plain text
    assert "<script" not in out and "<img" not in out and "onclick" not in out
    assert list(terms.used) == ["t-pesel"]


def test_terms_found_by_offset_in_plain_text_become_buttons_and_text_stays_escaped() -> None:
    terms = Terms({"t-card": row("t-card", "residence card")})
    text = "Collect your residence card <b>soon</b>"
    spots = [Occurrence(field="summary", start=13, end=27, term_id="t-card")]
    out = str(terms.text(text, "summary", spots))
    assert out == (
        'Collect your <button type="button" class="term" popovertarget="term-t-card" lang="en">'
        "residence card</button> &lt;b&gt;soon&lt;/b&gt;"
    )
    assert str(terms.text(text, "title", spots)) == "Collect your residence card &lt;b&gt;soon&lt;/b&gt;"


def test_a_term_stays_on_one_line_with_the_characters_touching_it() -> None:
    terms = Terms({"t-nfz": row("t-nfz", "NFZ")})
    out = str(
        terms.html(
            '<p>Ask the (<dfn data-term="t-nfz">NFZ</dfn>). Or the <dfn data-term="t-nfz">NFZ</dfn> again</p>'
        )
    )
    assert '<span class="term-glue">(<button' in out and "NFZ</button>).</span>" in out
    assert "the <button" in out  # a term standing alone needs no glue


def test_search_highlights_mark_the_spans_and_escape_the_rest() -> None:
    out = str(highlighted({"snippet": "a <residence> card", "offset": 0, "spans": [[3, 12]]}))
    assert out == "a &lt;<mark>residence</mark>&gt; card"
    cut = str(highlighted({"snippet": "ight to a residence card", "offset": 5, "spans": [[10, 19]]}))
    assert cut == "… to a <mark>residence</mark> card"  # from the first whole word


def test_links_keep_no_referrer_and_only_safe_schemes() -> None:
    out = clean('<a href="javascript:alert(1)">x</a><a href="https://example.org">y</a>')
    assert "javascript" not in out and 'rel="noopener noreferrer"' in out


def request_with(cookies: str = "", form: bytes = b"", method: str = "POST", **headers: str) -> Request:
    raw = [(b"cookie", cookies.encode())] if cookies else []
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-type", b"application/x-www-form-urlencoded"))
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": form, "more_body": False}

    scope = {"type": "http", "method": method, "path": "/", "headers": raw, "query_string": b"", "state": {}}
    return Request(scope, receive)


async def test_a_form_token_is_valid_only_with_the_cookie_it_was_signed_for() -> None:
    secret = b"k" * 32
    first = request_with()
    token = form_token(first, secret)
    cookie = first.state.new_csrf_cookie
    await check_form(request_with(f"{CSRF_COOKIE}={cookie}", f"csrf_token={token}".encode()), secret)
    await check_form(request_with(f"{CSRF_COOKIE}={cookie}", x_csrf_token=token), secret)
    for refused in [
        request_with(f"{CSRF_COOKIE}={cookie}", b"csrf_token=" + token[:-2].encode() + b"xx"),
        request_with(f"{CSRF_COOKIE}={'b' * 43}", f"csrf_token={token}".encode()),
        request_with("", f"csrf_token={token}".encode()),
        request_with(f"{CSRF_COOKIE}={cookie}", f"csrf_token={token}".encode(), sec_fetch_site="cross-site"),
    ]:
        with pytest.raises(CsrfRefused):
            await check_form(refused, secret)
    with pytest.raises(CsrfRefused):  # the same cookie and token under another secret
        await check_form(request_with(f"{CSRF_COOKIE}={cookie}", f"csrf_token={token}".encode()), b"o" * 32)
    await check_form(request_with(method="GET"), secret)  # reading needs no token


def client_answering(handler: httpx.MockTransport, **settings: object) -> BackendClient:
    return BackendClient("http://content.test", BackendSettings(**settings), transport=handler)  # type: ignore[arg-type]


async def test_the_client_keeps_the_last_good_answer_and_revalidates_with_its_etag() -> None:
    calls: list[httpx.Request] = []
    state = {"down": False}

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if state["down"]:
            return httpx.Response(502)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, json={"title": "PESEL"}, headers={"ETag": '"v1"'})

    client = client_answering(httpx.MockTransport(answer))
    first = await client.get("/item")
    assert first.data == {"title": "PESEL"} and first.saved_at is None
    again = await client.get("/item")
    assert again.data == {"title": "PESEL"} and calls[-1].headers["if-none-match"] == '"v1"'
    state["down"] = True
    saved = await client.get("/item")
    assert saved.data == {"title": "PESEL"} and saved.saved_at is not None
    with pytest.raises(BackendUnavailable):
        await client.get("/never-read")


async def test_the_client_tells_refusals_and_gone_things_apart_and_forgets_what_is_gone() -> None:
    state = {"status": 200}

    def answer(request: httpx.Request) -> httpx.Response:
        if state["status"] == 200:
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(state["status"], json={"error": {"code": "rate_limited", "message": "wait"}})

    client = client_answering(httpx.MockTransport(answer))
    await client.get("/item")
    state["status"] = 404
    with pytest.raises(BackendNotFound):
        await client.get("/item")
    state["status"] = 503
    with pytest.raises(BackendUnavailable):  # the unpublished item is not shown from memory
        await client.get("/item")
    state["status"] = 429
    with pytest.raises(BackendRefused) as refused:
        await client.post("/feedback", {"helpful": True})
    assert refused.value.code == "rate_limited" and refused.value.status == 429


async def test_the_client_refuses_answers_over_the_size_cap_and_nonsense() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/big":
            return httpx.Response(200, content=b"[" + b"1," * 20_000 + b"1]")
        return httpx.Response(200, content=b"<html>not json</html>")

    client = client_answering(httpx.MockTransport(answer), max_response_bytes=10_000)
    with pytest.raises(BackendUnavailable, match="larger than"):
        await client.get("/big")
    with pytest.raises(BackendUnavailable, match="unreadable"):
        await client.get("/html")


async def test_a_read_on_a_connection_the_service_closed_is_sent_again_and_a_write_is_not() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) % 2:  # every other connection turns out closed by the service
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(200, json={"ok": True})

    client = client_answering(httpx.MockTransport(answer))
    assert (await client.get("/item")).data == {"ok": True}
    assert calls == ["GET", "GET"]
    with pytest.raises(BackendUnavailable, match="RemoteProtocolError"):
        await client.post("/feedback", {"helpful": True})  # it may have reached the service: not resent
    assert calls == ["GET", "GET", "POST"]


async def test_the_saved_answers_are_bounded() -> None:
    client = client_answering(httpx.MockTransport(lambda r: httpx.Response(200, json=[])), saved_answers=3)
    for n in range(10):
        await client.get(f"/item-{n}")
    assert [key[0] for key in client._saved] == ["/item-7", "/item-8", "/item-9"]


def test_production_needs_a_secret_shared_by_every_replica(monkeypatch) -> None:
    from pydantic import ValidationError
    from witaj.web.settings import WebSettings

    monkeypatch.setenv("WITAJ_WEB_SERVICE__ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="secret_key must be set"):
        WebSettings()
    monkeypatch.setenv("WITAJ_WEB_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("WITAJ_WEB_SERVICE__PORT", "8080")
    settings = WebSettings()
    assert settings.cookies_secure and settings.service.port == 8080
    assert settings.service.max_body_bytes == 64 * 1024  # the web app's own default survives
