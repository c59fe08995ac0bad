"""How pages travel: compressed as the browser asks, static files compressed once and cached for a year,
and pages the same for every reader rendered once and reused, with each reader's own form token, until
what they show changes."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import brotli
import httpx
import pytest
from web_helpers import reader_address, web_settings
from witaj.devkit.cities import new_city
from witaj.devkit.testing import serve
from witaj.web.clients.content import Row
from witaj.web.compression import chosen_encoding
from witaj.web.main import create_app
from witaj.web.rendered import FORM_TOKEN_MARK, RenderedPages, version_of
from witaj.web.settings import BackendSettings

PROCESS = "/lublin/en/processes/lublin-temporary-residence"


def token_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


def test_brotli_is_chosen_where_accepted_then_gzip_and_a_refused_coding_is_not_used() -> None:
    assert chosen_encoding("gzip, deflate, br, zstd") == "br"
    assert chosen_encoding("gzip;q=1.0, br;q=0") == "gzip"
    assert chosen_encoding("identity") is None
    assert chosen_encoding("*") == "gzip"


async def test_pages_and_files_come_compressed_and_files_are_cached_for_a_year(web) -> None:
    async with web.stream("GET", PROCESS, headers={"Accept-Encoding": "br"}) as page:
        assert page.headers["content-encoding"] == "br" and "Accept-Encoding" in page.headers["vary"]
        wire = b"".join([part async for part in page.aiter_raw()])
    html = brotli.decompress(wire).decode()
    assert "<h1" in html and len(wire) < len(html.encode()) / 3
    css = re.search(r'href="(/static/css/witaj\.css\?v=[0-9a-f]+)"', html)
    assert css
    zipped = await web.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    async with web.stream("GET", css.group(1), headers={"Accept-Encoding": "br"}) as file:
        assert file.headers["content-encoding"] == "br"
        assert brotli.decompress(b"".join([part async for part in file.aiter_raw()])) == zipped.content


def test_rendered_pages_are_kept_for_their_time_and_bounded(monkeypatch) -> None:
    now = [100.0]
    monkeypatch.setattr("witaj.web.rendered.time.monotonic", lambda: now[0])
    pages = RenderedPages(seconds=5, entries=2)
    pages.put("a", "<p>a</p>")
    pages.put("b", "<p>b</p>")
    assert pages.get("a") == "<p>a</p>"
    pages.put("c", "<p>c</p>")  # "b" was used least recently
    assert pages.get("b") is None and pages.get("c") == "<p>c</p>"
    now[0] += 6
    assert pages.get("a") is None
    never = RenderedPages(seconds=0)
    never.put("a", "<p>a</p>")
    assert never.get("a") is None  # `backend.fresh_seconds: 0` keeps nothing


def test_the_version_of_what_a_page_shows_changes_with_any_of_it() -> None:
    fields = {"id": "x", "kind": "page", "city": "lublin", "title": "Renting", "language": "en"}
    row, same = Row.model_validate(fields), Row.model_validate(dict(fields))
    renamed = row.model_copy(update={"title": "Renting a flat"})
    assert version_of(row) == version_of(same) == version_of([same])
    assert version_of(renamed) != version_of(row)
    assert version_of([row, renamed]) != version_of([renamed, row])  # the order is shown too
    assert version_of([row], [renamed]) != version_of([row, renamed], [])


async def test_a_reused_page_carries_each_readers_own_form_token(web, web_url) -> None:
    address = "/lublin/en/pages/lublin-renting"
    first = await web.get(address)
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as other:
        second = await other.get(address)
        sent = await other.post(
            f"{address}/feedback", data={"csrf_token": token_of(second), "language": "en", "helpful": "yes"}
        )
    assert token_of(first) != token_of(second)
    assert sent.status_code == 303  # the token written into the reused page is the reader's, and valid
    assert FORM_TOKEN_MARK not in first.text + second.text


@pytest.fixture
async def long_reuse(platform: dict[str, str]) -> Any:
    """The web app reusing answers and pages for a minute, and how many pages it has rendered."""
    app = create_app(web_settings(platform, backend=BackendSettings(fresh_seconds=60)))
    async with serve(app, headers={"X-Forwarded-For": reader_address()}) as client:
        templates = app.state.web.templates
        rendered: list[str] = []
        render = templates.render

        def counted(template: str, context: dict[str, Any]) -> str:
            rendered.append(template)
            return render(template, context)

        templates.render = counted
        yield client, rendered


async def test_a_page_is_rendered_once_for_many_readers_and_again_as_soon_as_its_content_changes(
    long_reuse, platform, auth_header
) -> None:
    client, rendered = long_reuse
    admin = auth_header("platform_admin")
    city = await asyncio.to_thread(new_city, platform["content"], admin, languages=["en"], prefix="reuse")
    title = f"Renting {uuid.uuid4().hex[:6]}"
    page = {"title": title, "summary": "How to rent", "body": "Ask for a written contract.", "topics": []}
    async with httpx.AsyncClient(base_url=f"{platform['content']}/cities/{city}", headers=admin) as content:
        empty = await client.get(f"/{city}/en/pages")
        assert empty.status_code == 200 and title not in empty.text
        created = (await content.post("/workbench/pages", json={"content": page})).json()
        for status in ("in_review", "published"):
            changed = await content.post(f"/workbench/items/{created['id']}/status", json={"status": status})
            assert changed.status_code == 200, changed.text
        listed = await client.get(f"/{city}/en/pages")
        assert title in listed.text  # a new entry: the list is rendered afresh at once

        address = f"/{city}/en/pages/{created['id']}"
        rendered.clear()
        readers = []
        for _ in range(3):  # three readers, each with a cookie of their own
            client.cookies.clear()
            readers.append(await client.get(address, headers={"X-Forwarded-For": reader_address()}))
        assert [r.status_code for r in readers] == [200, 200, 200]
        assert rendered == ["items/page.html"]  # once for three readers
        assert len({token_of(r) for r in readers}) == 3
        assert {re.sub(r'name="csrf_token" value="[^"]+"', "", r.text) for r in readers} == {
            re.sub(r'name="csrf_token" value="[^"]+"', "", readers[0].text)
        }

        edited = await content.put(
            f"/workbench/pages/{created['id']}", json={"content": {**page, "title": f"{title}, updated"}}
        )
        assert edited.status_code == 200, edited.text
        after = await client.get(address)
    assert f"{title}, updated" in after.text  # the edit shows at once, though pages are kept a minute
    assert rendered == ["items/page.html", "items/page.html"]
