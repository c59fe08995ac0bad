"""Translation in the back office over HTTP: what needs translating, the side-by-side editor (right to
left where the language is), what changed in the source, who publishes, and XLIFF in and out."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

import httpx
from office_helpers import form_token, sign_in, text_of

CITY = "/office/lublin"
NS = "{urn:oasis:names:tc:xliff:document:2.0}"


async def a_published_page(platform: dict[str, str], auth_header, **content: str) -> str:
    editor = auth_header("pa_editor", city="lublin")
    body = {
        "title": f"Basen miejski {uuid.uuid4().hex[:4]}",
        "summary": "Godziny i ceny",
        "body": "Wstęp: 10 zł.",
        **content,
    }
    async with httpx.AsyncClient(
        base_url=f"{platform['content']}/cities/lublin/workbench", headers=editor
    ) as api:
        created = (await api.post("/pages", json={"content": body})).json()
        for status in ("in_review", "published"):
            assert (
                await api.post(f"/items/{created['id']}/status", json={"status": status})
            ).status_code == 200
    return str(created["id"])


async def test_a_translator_translates_into_arabic_side_by_side_and_an_editor_publishes(
    web, platform, identity_provider, auth_header
) -> None:
    item_id = await a_published_page(platform, auth_header)
    await sign_in(web, identity_provider, "translator")
    work = await web.get(f"{CITY}/translations/ar")
    assert work.status_code == 200 and f"/items/{item_id}/translations/ar" in work.text

    editor = await web.get(f"{CITY}/items/{item_id}/translations/ar")
    assert editor.status_code == 200
    assert 'name="text.title" lang="ar" dir="rtl"' in editor.text
    assert 'id="f-title-source" lang="pl" dir="ltr"' in editor.text
    assert 'value="published"' not in editor.text  # translators prepare; an editor publishes
    assert "Make a machine draft" not in editor.text  # the demo city has machine drafts switched off

    fields = {
        "text.title": "المسبح البلدي",
        "text.summary": "المواعيد والأسعار",
        "text.body": "الدخول: 10 زلوتي.",
    }
    revision = re.search(r'name="revision" value="(\d+)"', editor.text).group(1)
    form = {"csrf_token": form_token(editor), "revision": revision, **fields}
    for state in ("draft", "translated", "reviewed"):
        saved = await web.post(f"{CITY}/items/{item_id}/translations/ar", data={**form, "state": state})
        assert saved.status_code == 303, saved.text
    refused = await web.post(f"{CITY}/items/{item_id}/translations/ar", data={**form, "state": "published"})
    assert refused.status_code == 403  # the API says no, and the page says so
    assert (await web.get(f"/lublin/ar/pages/{item_id}")).text.count("المسبح البلدي") == 0

    web.cookies.clear()
    await sign_in(web, identity_provider, "pa_editor")
    as_editor = await web.get(f"{CITY}/items/{item_id}/translations/ar")
    assert 'value="published"' in as_editor.text
    published = await web.post(
        f"{CITY}/items/{item_id}/translations/ar",
        data={**form, "csrf_token": form_token(as_editor), "state": "published"},
    )
    assert published.status_code == 303
    read = await web.get(f"/lublin/ar/pages/{item_id}")
    assert 'lang="ar" dir="rtl"' in read.text and "المسبح البلدي" in read.text


async def test_the_editor_shows_what_changed_in_the_source_since_the_translation(
    web, platform, identity_provider, auth_header
) -> None:
    item_id = await a_published_page(platform, auth_header)
    editor = auth_header("pa_editor", city="lublin")
    async with httpx.AsyncClient(
        base_url=f"{platform['content']}/cities/lublin/workbench", headers=editor
    ) as api:
        await api.put(
            f"/items/{item_id}/translations/uk", json={"state": "draft", "fields": {"body": "Вхід: 10 зл."}}
        )
        current = (await api.get(f"/items/{item_id}")).json()
        changed = {**current["content"], "body": "Wstęp: 12 zł, dzieci za darmo."}
        assert (await api.put(f"/pages/{item_id}", json={"content": changed})).status_code == 200

    await sign_in(web, identity_provider, "translator")
    page = await web.get(f"{CITY}/items/{item_id}/translations/uk")
    assert "The source changed since this was translated" in text_of(page)
    source = page.text.split('id="f-body-source"', 1)[1].split("</div>", 1)[0]
    assert "<del>10</del><ins>12</ins>" in source and "<ins>, dzieci za darmo</ins>" in source
    assert "Вхід: 10 зл.</textarea>" in page.text  # the old translation is there to update


async def test_xliff_goes_out_and_comes_back_with_each_refused_unit_explained(
    web, platform, identity_provider, auth_header
) -> None:
    item_id = await a_published_page(platform, auth_header)
    await sign_in(web, identity_provider, "translator")
    download = await web.get(f"{CITY}/translations/ru/xliff")
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "application/xliff+xml"
    )
    assert "attachment" in download.headers["content-disposition"]
    root = ET.fromstring(download.content)
    assert root.get("version") == "2.0" and root.get("trgLang") == "ru"

    ours = next(f for f in root.iter(f"{NS}file") if f.get("id") == f"f{item_id}")
    for other in [f for f in root.findall(f"{NS}file") if f is not ours]:
        root.remove(other)
    for unit in ours.iter(f"{NS}unit"):
        segment = unit.find(f"{NS}segment")
        target = segment.find(f"{NS}target") or ET.SubElement(segment, f"{NS}target")
        target.text = f"перевод: {unit.get('id')}"
        if unit.get("id") == "summary":
            segment.find(f"{NS}source").text = "someone edited the source"
    page = await web.get(f"{CITY}/translations/ru")
    upload = await web.post(
        f"{CITY}/translations/ru/xliff",
        data={"csrf_token": form_token(page)},
        files={"file": ("ru.xlf", ET.tostring(root, encoding="utf-8"), "application/xliff+xml")},
    )
    assert upload.status_code == 200
    report = text_of(upload)
    assert "0 items were translated." in report and "1 part was refused:" in report
    assert "summary" in report and "The source text in the file was changed" in report

    nothing = await web.post(f"{CITY}/translations/ru/xliff", data={"csrf_token": form_token(page)})
    assert nothing.status_code == 400 and "Choose a file to upload" in text_of(nothing)
    broken = await web.post(
        f"{CITY}/translations/ru/xliff",
        data={"csrf_token": form_token(page)},
        files={"file": ("ru.xlf", b"<not-xliff/>", "application/xml")},
    )
    assert broken.status_code == 400 and "not an XLIFF 2.0 file" in text_of(broken)
