"""Events' texts translated in the back office over HTTP: what needs translating, the side-by-side editor
(right to left for Arabic), what changed in the source since, translators drafting and an organiser
publishing, and XLIFF files out and back in with each refused unit explained."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

import httpx
from event_helpers import CITY, create_event, organisation
from office_helpers import form_token, sign_in, text_of

NS = "{urn:oasis:names:tc:xliff:document:2.0}"


async def test_a_translator_translates_an_event_into_arabic_and_its_organiser_publishes(
    web, identity_provider, platform, auth_header
) -> None:
    org = organisation()
    title = f"Klub rozmów {uuid.uuid4().hex[:4]}"
    event = create_event(
        platform["events"], auth_header("ngo_editor", city="lublin", org=org),
        texts={"title": title, "description": "Rozmowy po polsku przy herbacie.", "accessibility_notes": "Winda"},
    )  # fmt: skip
    await sign_in(web, identity_provider, "translator")
    work = await web.get(f"{CITY}/events/translations/ar")
    assert work.status_code == 200 and f"/events/{event['id']}/translations/ar" in work.text
    assert "Events to translate into" in text_of(work)

    editor = await web.get(f"{CITY}/events/{event['id']}/translations/ar")
    assert editor.status_code == 200
    assert 'name="text.title" lang="ar" dir="rtl"' in editor.text
    assert 'id="f-title-source" lang="pl" dir="ltr"' in editor.text and "Accessibility" in text_of(editor)
    assert 'value="published"' not in editor.text  # translators prepare; an organiser publishes
    revision = re.search(r'name="revision" value="(\d+)"', editor.text).group(1)
    form = {"csrf_token": form_token(editor), "revision": revision, "text.title": "نادي المحادثة",
            "text.description": "محادثات باللغة البولندية مع الشاي.", "text.accessibility_notes": "مصعد"}  # fmt: skip
    missing_title = await web.post(
        f"{CITY}/events/{event['id']}/translations/ar", data={**form, "text.title": "", "state": "draft"}
    )
    assert missing_title.status_code == 422 and "Title: Fill this in" in text_of(missing_title)
    for state in ("translated", "reviewed"):
        saved = await web.post(f"{CITY}/events/{event['id']}/translations/ar", data={**form, "state": state})
        assert saved.status_code == 303, saved.text

    web.cookies.clear()
    await sign_in(web, identity_provider, "ngo_editor", org=org)
    as_organiser = await web.get(f"{CITY}/events/{event['id']}/translations/ar")
    assert 'value="published"' in as_organiser.text
    published = await web.post(
        f"{CITY}/events/{event['id']}/translations/ar",
        data={**form, "csrf_token": form_token(as_organiser), "state": "published"},
    )
    assert published.status_code == 303
    async with httpx.AsyncClient(base_url=platform["events"]) as api:
        read = (await api.get(f"/cities/lublin/events/{event['id']}", params={"lang": "ar"})).json()
    assert read["language"] == "ar" and read["rtl"] and read["texts"]["title"] == "نادي المحادثة"


async def test_what_changed_in_the_source_is_shown_and_xliff_goes_out_and_back(
    web, identity_provider, platform, auth_header
) -> None:
    org = organisation()
    editor = auth_header("ngo_editor", city="lublin", org=org)
    event = create_event(
        platform["events"], editor, texts={"title": "Kurs szycia", "description": "Wstęp: 10 zł."}
    )
    async with httpx.AsyncClient(base_url=platform["events"], headers=editor) as api:
        url = f"/cities/lublin/events/{event['id']}"
        made = await api.put(
            f"{url}/translations/uk", json={"state": "draft", "texts": {"title": "Курс шиття"}}
        )
        assert made.status_code == 200, made.text
        body = (await api.get(f"/cities/lublin/workbench/events/{event['id']}")).json()["body"]
        body["texts"]["description"] = "Wstęp: 12 zł, dzieci za darmo."
        assert (await api.put(url, json=body)).status_code == 200

    await sign_in(web, identity_provider, "translator")
    page = await web.get(f"{CITY}/events/{event['id']}/translations/uk")
    assert "The source changed since this was translated" in text_of(page)
    source = page.text.split('id="f-description-source"', 1)[1].split("</div>", 1)[0]
    assert "<del>10</del><ins>12</ins>" in source and "<ins>, dzieci za darmo</ins>" in source

    download = await web.get(f"{CITY}/events/translations/ru/xliff")
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "application/xliff+xml"
    )
    root = ET.fromstring(download.content)
    ours = next(f for f in root.iter(f"{NS}file") if f.get("id") == f"f{event['id']}")
    for other in [f for f in root.findall(f"{NS}file") if f is not ours]:
        root.remove(other)
    for unit in ours.iter(f"{NS}unit"):
        ET.SubElement(unit.find(f"{NS}segment"), f"{NS}target").text = f"перевод: {unit.get('id')}"
    language_page = await web.get(f"{CITY}/events/translations/ru")
    upload = await web.post(
        f"{CITY}/events/translations/ru/xliff", data={"csrf_token": form_token(language_page)},
        files={"file": ("ru.xlf", ET.tostring(root, encoding="utf-8"), "application/xliff+xml")},
    )  # fmt: skip
    assert upload.status_code == 200 and "1 item was translated." in text_of(upload)

    ours.find(f"{NS}unit/{NS}segment/{NS}source").text = "someone edited the source"
    refused = await web.post(
        f"{CITY}/events/translations/ru/xliff", data={"csrf_token": form_token(language_page)},
        files={"file": ("ru.xlf", ET.tostring(root, encoding="utf-8"), "application/xliff+xml")},
    )  # fmt: skip
    report = text_of(refused)
    assert "0 items were translated." in report and "The source text in the file was changed" in report
    async with httpx.AsyncClient(base_url=platform["events"], headers=editor) as api:
        view = (await api.get(f"/cities/lublin/workbench/events/{event['id']}")).json()
    assert view["translations"]["ru"]["state"] == "translated"
    assert view["translations"]["ru"]["fields"]["title"] == "перевод: title"
