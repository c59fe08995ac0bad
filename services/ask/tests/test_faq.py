"""An answered question becomes an anonymised FAQ draft, only with the migrant's consent and only for
those who may create content."""

from __future__ import annotations

from witaj.ask.faq import anonymise

QUESTION = "Jak zgłosić dziecko do NFZ? Mój e-mail: olena.k@example.com, tel. +48 601 234 567"
ANSWER = "Wypełnij wniosek na https://nfz.gov.pl/wniosek?id=77 i podaj PESEL 90010112345."


async def answered(migrant, counsellor_of, **body) -> str:
    await migrant.ask(QUESTION, topic="health", **body)
    await migrant.send()
    anna = counsellor_of("caritas")
    await anna.profile(["pl"])
    await anna.answer(migrant.id, ANSWER)
    return migrant.id


async def test_with_consent_an_editor_gets_an_anonymised_page_draft(
    client, migrant, counsellor_of, auth_header
) -> None:
    question = await answered(migrant, counsellor_of, faq_consent=True)
    editor = auth_header("pa_editor", city="lublin", org="urzad-miasta")
    offered = (await client.get("/cities/lublin/counselling/faq", headers=editor)).json()
    assert [d["question_id"] for d in offered["items"]] == [question]
    draft = (await client.get(f"/cities/lublin/counselling/questions/{question}/faq", headers=editor)).json()
    content = draft["content"]
    assert content["title"] == "Jak zgłosić dziecko do NFZ? Mój e-mail: [e-mail], tel. [phone]"
    assert content["body"] == "Wypełnij wniosek na [link] i podaj PESEL [number]."
    assert content["topics"] == ["health"] and draft["source_language"] == "pl"
    assert sorted(draft["removed"]) == ["e-mail", "link", "number", "phone"]
    recorded = await client.post(
        f"/cities/lublin/counselling/questions/{question}/faq",
        json={"item_id": "faq-nfz-dziecko"},
        headers=editor,
    )
    assert recorded.json()["faq_item"] == "faq-nfz-dziecko"
    assert (await client.get("/cities/lublin/counselling/faq", headers=editor)).json()["items"] == []


async def test_without_consent_or_answer_there_is_no_draft(
    client, migrant, counsellor_of, auth_header
) -> None:
    question = await answered(migrant, counsellor_of)
    editor = auth_header("pa_editor", city="lublin", org="urzad-miasta")
    refused = await client.get(f"/cities/lublin/counselling/questions/{question}/faq", headers=editor)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_consent"
    await client.patch(
        f"/cities/lublin/questions/{question}", json={"faq_consent": True}, headers=migrant.headers
    )
    assert (
        await client.get(f"/cities/lublin/counselling/questions/{question}/faq", headers=editor)
    ).status_code == 200


async def test_only_those_who_create_content_for_it_see_drafts(
    client, migrant, counsellor_of, auth_header
) -> None:
    question = await answered(migrant, counsellor_of, faq_consent=True)
    url = f"/cities/lublin/counselling/questions/{question}/faq"
    caritas = auth_header("ngo_editor", city="lublin", org="caritas")  # their organisation answered it
    assert (await client.get(url, headers=caritas)).status_code == 200
    # another organisation's editor is not told the question exists; those who make no content here are refused
    assert (
        await client.get(url, headers=auth_header("ngo_editor", city="lublin", org="fundacja"))
    ).status_code == 404
    for headers in (
        auth_header("pa_editor", city="gdansk", org="urzad-gdansk"),
        auth_header("translator", city="lublin"),
    ):
        assert (await client.get(url, headers=headers)).status_code == 403
    listing = await client.get(
        "/cities/lublin/counselling/faq", headers=auth_header("translator", city="lublin")
    )
    assert listing.status_code == 403


def test_anonymise_takes_out_what_names_someone_and_keeps_the_rest() -> None:
    text, found = anonymise(
        "Pisz na jan@wp.pl lub dzwoń 601-234-567; paszport AB1234567. Mam 3 dzieci w 2024."
    )
    assert text == "Pisz na [e-mail] lub dzwoń [phone]; paszport [number]. Mam 3 dzieci w 2024."
    assert sorted(found) == ["e-mail", "number", "phone"]
