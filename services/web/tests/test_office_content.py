"""Content in the back office over HTTP, without JavaScript: writing with a preview exactly as readers see
it, the API's complaints next to their fields, steps added and removed, the workflow, the history."""

from __future__ import annotations

import re
import uuid

from office_helpers import form_token, sign_in, text_of

CITY = "/office/lublin"


def created_id(location: str) -> str:
    found = re.search(r"/items/([a-z0-9-]+)\?done=created$", location)
    assert found, location
    return found.group(1)


async def test_a_page_written_without_javascript_is_checked_previewed_saved_and_published(
    web, identity_provider
) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    new = await web.get(f"{CITY}/content/pages/new")
    assert new.status_code == 200 and 'name="title"' in new.text
    token = form_token(new)

    empty = await web.post(
        f"{CITY}/content/pages/new", data={"csrf_token": token, "language": "pl", "title": ""}
    )
    assert empty.status_code == 422
    assert '<a href="#f-title">Title: Fill this in</a>' in empty.text  # the summary links to the field
    assert 'id="f-title-error"' in empty.text and 'aria-invalid="true"' in empty.text

    title = f"Numer PESEL dla dzieci {uuid.uuid4().hex[:4]}"
    body = "Każde dziecko urodzone w Polsce dostaje **numer PESEL**."
    form = {"csrf_token": token, "language": "pl", "title": title, "summary": "Jak to działa", "body": body}
    preview = await web.post(f"{CITY}/content/pages/new", data={**form, "intent": "preview"})
    assert preview.status_code == 200
    assert f'value="{title}"' in preview.text  # nothing typed is lost
    shown = preview.text.split('id="preview"', 1)[1]
    assert "<strong>" in shown and 'class="term" popovertarget="term-lublin-term-pesel"' in shown
    assert 'lang="pl" dir="ltr"' in shown.split(">", 1)[1][:200]

    saved = await web.post(f"{CITY}/content/pages/new", data={**form, "intent": "save"})
    assert saved.status_code == 303
    item_id = created_id(saved.headers["location"])
    page = await web.get(saved.headers["location"])
    assert "The draft is saved." in text_of(page) and "Submit for review" in page.text
    assert (await web.get(f"/lublin/pl/pages/{item_id}")).status_code == 404  # a draft: readers see nothing

    for status in ("in_review", "published"):
        page = await web.get(f"{CITY}/items/{item_id}")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        moved = await web.post(
            f"{CITY}/items/{item_id}/status", data={"csrf_token": token, "status": status, "version": version}
        )
        assert moved.status_code == 303 and moved.headers["location"].endswith(f"done={status}")
    read = await web.get(f"/lublin/pl/pages/{item_id}")
    assert read.status_code == 200 and title in read.text


async def test_the_live_preview_answers_only_its_box(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    token = form_token(await web.get(f"{CITY}/content/glossary/new"))
    form = {
        "csrf_token": token,
        "language": "en",
        "title": "consulate",
        "definition": "Needs a PESEL number.",
    }
    box = await web.post(f"{CITY}/preview/glossary", data=form, headers={"HX-Request": "true"})
    assert box.status_code == 200 and "<html" not in box.text
    assert 'lang="en"' in box.text and "consulate" in box.text and "term-lublin-term-pesel" in box.text

    incomplete = await web.post(
        f"{CITY}/preview/glossary", data={**form, "definition": ""}, headers={"HX-Request": "true"}
    )
    assert "The preview appears when these are put right" in text_of(incomplete)
    assert "Explanation: Fill this in" in text_of(incomplete)


async def test_a_procedure_s_steps_are_added_moved_and_removed_without_javascript(
    web, identity_provider
) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    new = await web.get(f"{CITY}/content/processes/new")
    assert new.text.count('class="group__row"') == 1  # a procedure starts with one step
    token = form_token(new)
    form = {
        "csrf_token": token, "language": "pl", "title": "Zasiłek", "steps.0.title": "Wniosek",
        "steps.0.cost.amount": "17", "steps.0.cost.currency": "pln", "steps.0.documents_needed": "Paszport\nZdjęcie",
    }  # fmt: skip
    added = await web.post(f"{CITY}/content/processes/new", data={**form, "intent": "add:steps"})
    assert added.text.count('class="group__row"') == 2 and 'value="Wniosek"' in added.text
    assert "Paszport\nZdjęcie</textarea>" in added.text and 'value="PLN"' in added.text

    two = {**form, "steps.1.title": "Odbiór decyzji", "steps.1.duration_days": "30"}
    moved = await web.post(f"{CITY}/content/processes/new", data={**two, "intent": "up:steps.1"})
    first = moved.text.index('value="Odbiór decyzji"')
    assert first < moved.text.index('value="Wniosek"')

    removed = await web.post(f"{CITY}/content/processes/new", data={**two, "intent": "remove:steps.0"})
    assert removed.text.count('class="group__row"') == 1 and 'value="Wniosek"' not in removed.text

    wrong = await web.post(
        f"{CITY}/content/processes/new", data={**two, "steps.1.duration_days": "a month", "intent": "save"}
    )
    assert wrong.status_code == 422
    assert (
        '<a href="#f-steps-1-duration-days">Step 2: How long it takes (days): Enter a whole number'
        in wrong.text
    )

    saved = await web.post(f"{CITY}/content/processes/new", data={**two, "intent": "save"})
    assert saved.status_code == 303
    item = await web.get(saved.headers["location"])
    assert "Zasiłek" in item.text


async def test_an_edit_keeps_history_and_shows_what_changed(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    token = form_token(await web.get(f"{CITY}/content/pages/new"))
    first = {
        "csrf_token": token,
        "language": "pl",
        "title": "Biblioteka",
        "body": "Wypożycz książki za darmo.",
    }
    item_id = created_id((await web.post(f"{CITY}/content/pages/new", data=first)).headers["location"])

    edit = await web.get(f"{CITY}/items/{item_id}/edit")
    assert 'value="Biblioteka"' in edit.text and "Wypożycz książki za darmo." in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)
    changed = {**first, "body": "Wypożycz książki i filmy za darmo.", "version": version}
    saved = await web.post(f"{CITY}/items/{item_id}/edit", data=changed)
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=saved")

    stale = await web.post(f"{CITY}/items/{item_id}/edit", data=changed)  # the version seen is old now
    assert stale.status_code == 412 and "Someone else changed this item" in text_of(stale)

    history = await web.get(f"{CITY}/items/{item_id}/history")
    assert "książki<ins> i filmy</ins> za darmo" in history.text
    assert "Changes from version 1 to version 2" in text_of(history)


async def test_an_ngo_editor_sees_and_changes_only_their_organisation_s_items(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "ngo_editor", org="homo-faber")
    organisations = await web.get(f"{CITY}/content/organisations")
    assert organisations.status_code == 200
    listed = set(re.findall(r'href="/office/lublin/items/([a-z0-9-]+)"', organisations.text))
    assert listed == {"lublin-homo-faber"}  # not the city's offices, nor other organisations'
    own = await web.get(f"{CITY}/items/lublin-homo-faber")
    assert f'href="{CITY}/items/lublin-homo-faber/edit"' in own.text
    city_page = await web.get(f"{CITY}/items/lublin-renting/edit")
    assert city_page.status_code == 403 and "You cannot open this page" in city_page.text
