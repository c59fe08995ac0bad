"""Instant answers: a migrant's question matched against published content, with the sentence that answers."""

from __future__ import annotations

import pytest
from witaj.content.answers import sentences
from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import registry
from witaj.shared.events import Feature
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.shared.topics import USAGE

from .conftest import CITY

BASE = f"/cities/{CITY['id']}"

INSURANCE = {
    "title": "Health insurance",
    "summary": "Who is insured and how to sign up.",
    "body": "Every worker is insured by the employer. Students get insurance through their university. "
    "Children are insured with a parent: add them at the **NFZ** office with their birth certificate.",
    "topics": ["health"],
}
RENTING = {
    "title": "Renting a flat",
    "summary": "Leases, deposits and what landlords may ask.",
    "body": "A lease should be in writing. Ask how much the deposit is and when you get it back.",
    "topics": ["housing"],
}
DEPOSIT = {"title": "Deposit", "definition": "Money a landlord keeps until you move out, then pays back."}
CLINIC = {
    "title": "City clinic",
    "address": "ul. Zdrowa 1",
    "location": {"lat": 54.35, "lon": 18.65},
    "description": "Doctors and insurance advice for children.",
}
WORK = {
    "title": "Finding work",
    "summary": "Job centres, work permits and contracts.",
    "steps": [
        {"title": "Register at the job centre", "description": "Bring your passport and residence card."},
        {"title": "Sign a contract", "description": "Your employer registers you for insurance."},
    ],
    "topics": ["work"],
}


async def in_english(api, kind_path: str, content: dict) -> str:
    item = await api.create(kind_path, content, source_language="en")
    await api.publish(item["id"])
    return str(item["id"])


FILLER = [
    (
        "Bus tickets",
        "How do I get a ticket for my trip? You can buy it from the machine when you get on, "
        "or in the app; keep it with you until you get off and show it when you are asked.",
    ),
    (
        "Library card",
        "How do I get a library card? Bring an ID to any branch. When you move away, "
        "give it back; what you borrow from us is free for you and your family.",
    ),
    (
        "Rubbish collection",
        "When do I put my rubbish out? The bins are emptied from 6 in the morning; "
        "do not put them back in the street before the day you are told.",
    ),
    (
        "Bicycles",
        "Where do I get a city bike? Sign up in the app, take one from any station and bring it "
        "back when you are done; you pay for the time you ride.",
    ),
    (
        "Swimming pools",
        "How do I get a pool pass for my family? Ask at the desk; from May the pools are "
        "open until 10 and you can come back on the same day.",
    ),
    (
        "Parking",
        "Do I need a permit for my car? Residents get a permit from the city office when they "
        "show where they live.",
    ),
    (
        "Opening hours",
        "When is the city office open? From Monday to Friday, 8 to 16; on the first "
        "Saturday of the month you can come from 9 to 13 and get your papers back.",
    ),
    (
        "Phone numbers",
        "What do I do when I lose my phone number list? Every office has its number on "
        "this site; you can call from any phone, and they call you back.",
    ),
]
"""Everyday pages full of the small words every question has ("how do I get ... my"), as a city has."""


@pytest.fixture
async def published(api) -> dict[str, str]:
    for title, body in FILLER:
        await in_english(api, "pages", {"title": title, "body": body})
    return {
        "insurance": await in_english(api, "pages", INSURANCE),
        "renting": await in_english(api, "pages", RENTING),
        "deposit": await in_english(api, "glossary", DEPOSIT),
        "clinic": await in_english(api, "organisations", CLINIC),
        "work": await in_english(api, "processes", WORK),
    }


async def ask(client, question: str, **params) -> dict:
    response = await client.get(f"{BASE}/answers", params={"q": question, "lang": "en", **params})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_question_finds_the_page_that_answers_it_with_the_sentence_that_does(
    client, published
) -> None:
    found = await ask(client, "How do I get health insurance for my children?")
    first = found["answers"][0]
    assert first["id"] == published["insurance"] and first["kind"] == "page"
    passage = first["passage"]
    assert passage["text"].startswith("Children are insured with a parent")
    assert "**" not in passage["text"]  # Markdown marks are not shown as text
    marked = {passage["text"][s:e].lower() for s, e in passage["spans"]}
    assert {"children", "insured"} <= marked
    assert found["language"] == "en" and found["rtl"] is False


async def test_glossary_entries_and_procedures_answer_but_the_directory_does_not(client, published) -> None:
    deposit = await ask(client, "When do I get my deposit back from the landlord?")
    ids = [a["id"] for a in deposit["answers"]]
    assert set(ids) <= {published["deposit"], published["renting"]} and published["deposit"] in ids, deposit
    work = await ask(client, "What do I bring to register at the job centre?")
    assert work["answers"][0]["id"] == published["work"]
    assert work["answers"][0]["passage"]["field"].startswith("steps.")
    clinic = await ask(client, "Is there a clinic with insurance advice?")
    assert published["clinic"] not in [a["id"] for a in clinic["answers"]]


async def test_weak_matches_are_left_out_and_a_question_nothing_answers_gets_none(client, published) -> None:
    found = await ask(client, "How much is the deposit for a flat?")
    assert [a["id"] for a in found["answers"]][:1] in ([published["renting"]], [published["deposit"]])
    assert published["insurance"] not in [a["id"] for a in found["answers"]]
    assert (await ask(client, "Xylophone lessons on Tuesdays?"))["answers"] == []


async def test_the_migrants_topic_counts_more(client, api) -> None:
    adults = await in_english(
        api,
        "pages",
        {"title": "Polish courses", "body": "Free Polish courses for adults.", "topics": ["education"]},
    )
    workers = await in_english(
        api, "pages", {"title": "Polish courses", "body": "Polish courses for employees.", "topics": ["work"]}
    )
    question = "Are there Polish courses?"
    assert (await ask(client, question, topic="work"))["answers"][0]["id"] == workers
    assert (await ask(client, question, topic="education"))["answers"][0]["id"] == adults


async def test_answers_come_in_the_readers_language_with_the_passage_in_it(client, api) -> None:
    item = await api.published(
        "pages",
        {"title": "Ubezpieczenie zdrowotne", "body": "Dzieci są ubezpieczone razem z rodzicem."},
        uk={"title": "Медичне страхування", "body": "Діти застраховані разом із батьками."},
    )
    found = (
        await client.get(f"{BASE}/answers", params={"q": "Чи застраховані мої діти?", "lang": "uk"})
    ).json()
    assert found["answers"][0]["id"] == item and found["answers"][0]["language"] == "uk"
    assert found["answers"][0]["passage"]["text"] == "Діти застраховані разом із батьками."
    arabic = (await client.get(f"{BASE}/answers", params={"q": "تأمين", "lang": "ar"})).json()
    assert arabic["rtl"] is True


async def test_the_question_is_never_put_on_a_topic_only_counts(client, published, settings) -> None:
    question = "How do I get health insurance for my children?"
    await client.get(
        f"{BASE}/answers",
        params={"q": question, "lang": "en", "topic": "health"},
        headers={"X-Session-Id": "session-4242-abcd"},
    )
    records = await read_topic(settings.kafka, USAGE, count=1)
    shown = [r for r in records if registry.decode(r.value).type == "usage.instant_answers_shown"]
    assert len(shown) == 1
    event = registry.decode(shown[0].value).data
    assert (event.language, event.topic, event.result_count, event.session) == (
        "en",
        "health",
        1,
        "session-4242-abcd",
    )
    for word in ("children", "insurance", "How do I"):
        assert word.encode() not in shown[0].value


async def test_staff_lookups_are_answered_alike_but_not_counted_as_migrants(
    client, published, settings, auth_header
) -> None:
    """The back office asks with a counsellor's token to suggest links for an answer: that is not a
    migrant seeing instant answers. A migrant signed in is still a migrant."""
    params = {"q": "How do I get health insurance for my children?", "lang": "en"}
    callers = [
        ("counsellor", auth_header("counsellor", city=CITY["id"], org="help-ngo")),
        ("editor", auth_header("pa_editor", city=CITY["id"])),
        ("migrant", auth_header("migrant", city=CITY["id"], sub="olena")),
        ("reader", {}),  # last: once its event is on the topic, every earlier one would be too
    ]
    shown = []
    for name, headers in callers:
        response = await client.get(
            f"{BASE}/answers", params=params, headers={**headers, "X-Session-Id": f"session-{name}-0001"}
        )
        assert response.status_code == 200, response.text
        shown.append(response.json())
    assert all(answers == shown[-1] for answers in shown)
    assert shown[-1]["answers"][0]["id"] == published["insurance"]

    async def counted() -> list[str]:
        records = await read_topic(settings.kafka, USAGE, count=1, timeout=1)
        events = [registry.decode(r.value) for r in records]
        sessions = [e.data.session for e in events if e.type == "usage.instant_answers_shown"]
        return sessions if "session-reader-0001" in sessions else []

    sessions = await wait_until(counted, timeout=15, message="the reader's instant answers counted")
    assert sessions == ["session-migrant-0001", "session-reader-0001"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "?!"}, "empty_question"),
        ({"q": "x" * 501}, "validation_failed"),
        ({"q": "insurance", "topic": "no-such-topic"}, "unknown_topic"),
        ({"q": "insurance", "limit": 50}, "validation_failed"),
    ],
)
async def test_bad_questions_are_refused_clearly(client, params, code) -> None:
    cities = client._transport.app.state.runtime.cities
    await wait_until(lambda: cities.topics(CITY["id"]), timeout=30, message="the city's topic tree")
    response = await client.get(f"{BASE}/answers", params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code


def test_sentences_are_split_as_readers_see_them() -> None:
    text = "Umowa **na piśmie**. Zapytaj o [kaucję](https://x.pl)!\n- Lista? 租赁合同。押金"
    assert list(sentences(text)) == ["Umowa na piśmie.", "Zapytaj o kaucję!", "Lista?", "租赁合同。", "押金"]


async def test_kinds_the_city_switched_off_do_not_answer(client, published, auth_header) -> None:
    question = "What do I bring to register at the job centre?"
    assert (await ask(client, question))["answers"][0]["id"] == published["work"]
    features = sorted(DEFAULT_FEATURES - {Feature.PROCEDURES})
    admin = auth_header("city_admin", city=CITY["id"])
    assert (await client.put(BASE, json={**CITY, "features": features}, headers=admin)).status_code == 200
    cities = client._transport.app.state.runtime.cities
    await wait_until(lambda: not cities.get(CITY["id"]).has(Feature.PROCEDURES), message="procedures off")
    found = await ask(client, question)
    assert published["work"] not in [a["id"] for a in found["answers"]]
