"""The counsellors' side: profiles, who sees which question, claim, answer, ask back, hand over, close, report."""

from __future__ import annotations

from witaj.shared.subscriber_proof import device_key, verify

from .conftest import Migrant, ask_events

SUBSCRIBER = "s" + "cd" * 16


async def sent(migrant: Migrant, **body) -> str:
    await migrant.ask(**body)
    await migrant.send()
    return migrant.id


async def test_a_question_reaches_only_the_counsellors_who_may_answer_it(
    client, migrant, counsellor_of
) -> None:
    question = await sent(migrant, text="Jak dostać kartę NFZ?", language="uk", topic="health-insurance")
    health = counsellor_of("caritas")
    await health.profile(["uk", "pl"], ["health"])  # a topic includes those under it
    housing = counsellor_of("caritas")
    await housing.profile(["uk"], ["housing"])
    polish_only = counsellor_of("urzad-miasta", role="pa_editor")
    await polish_only.profile(["pl"])
    elsewhere = counsellor_of("caritas", city="gdansk")
    assert await health.queue() == [question]
    assert (await health.get(question)).json()["messages"][0]["text"] == "Jak dostać kartę NFZ?"
    assert await housing.queue() == [] and (await housing.get(question)).status_code == 404
    assert await polish_only.queue() == [] and (await polish_only.get(question)).status_code == 404
    assert (await elsewhere.get(question)).status_code == 403  # not a counsellor of Lublin at all


async def test_counsellors_set_a_profile_first_and_need_an_organisation(
    client, migrant, counsellor_of, auth_header
) -> None:
    question = await sent(migrant)
    fresh = counsellor_of("caritas")
    missing = await fresh.get(question)
    assert missing.status_code == 409 and missing.json()["error"]["code"] == "profile_required"
    no_org = await client.get(
        "/cities/lublin/counselling/queue", headers=auth_header("counsellor", city="lublin")
    )
    assert no_org.json()["error"]["code"] == "organisation_required"
    for role in ("translator", "analyst", "migrant"):
        refused = await client.put(
            "/cities/lublin/counselling/profile",
            json={"languages": ["pl"]},
            headers=auth_header(role, city="lublin", org="caritas"),
        )
        assert refused.status_code == 403, role
    bad = await client.put(
        "/cities/lublin/counselling/profile",
        json={"languages": ["pl"], "topics": ["gardening"]},
        headers=fresh.headers,
    )
    assert bad.json()["error"]["code"] == "unknown_topic"


async def test_claim_answer_and_the_answer_reaches_the_migrants_thread(
    client, migrant, counsellor_of, settings, clock
) -> None:
    await migrant.ask(subscriber=SUBSCRIBER, headers={"X-Subscriber-Token": "device-secret"}, topic="health")
    await migrant.send()
    anna, piotr = counsellor_of("caritas"), counsellor_of("caritas")
    for counsellor in (anna, piotr):
        await counsellor.profile(["pl"])
    claimed = await anna.post(migrant.id, "claim")
    assert claimed.json()["claim"]["by_me"] is True
    blocked = await piotr.post(migrant.id, "messages", {"kind": "answer", "text": "Ja odpowiem"})
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "claimed"
    clock.offset += __import__("datetime").timedelta(minutes=5)
    answered = await anna.answer(
        migrant.id, "Zgłoś się do NFZ, ul. Szkolna 1.", links=[{"kind": "page", "item_id": "nfz"}]
    )
    assert answered["state"] == "answered" and answered["claim"] is None
    thread = (await migrant.thread()).json()
    answer = thread["messages"][-1]
    assert (answer["author"], answer["kind"], answer["organisation"]) == ("counsellor", "answer", "caritas")
    assert answer["links"] == [{"kind": "page", "item_id": "nfz", "path": "/cities/lublin/pages/nfz"}]
    assert "by" not in answer  # the migrant sees the organisation, not the person
    events = await ask_events(settings, 2)
    event, raw = events[-1]
    assert event.type == "ask.question_answered"
    data = event.data
    assert data.first is True and data.wait_seconds >= 300 and data.organisation == "caritas"
    assert data.path == f"/cities/lublin/questions/{migrant.id}" and data.subscriber == SUBSCRIBER
    assert verify(device_key("device-secret"), SUBSCRIBER, migrant.id, data.subscriber_proof, "question")
    assert b"Szkolna" not in raw and b"NFZ" not in raw


async def test_ask_back_then_the_migrant_replies_and_it_is_open_again(
    client, migrant, counsellor_of, settings
) -> None:
    await sent(migrant)
    anna = counsellor_of("caritas")
    await anna.profile(["pl"])
    asked = await anna.post(migrant.id, "messages", {"kind": "ask_back", "text": "Jaki masz status pobytu?"})
    assert asked.json()["state"] == "awaiting_migrant"
    assert await anna.queue() == [] and await anna.queue(state="awaiting_migrant") == [migrant.id]
    replied = await client.post(
        f"/cities/lublin/questions/{migrant.id}/replies",
        json={"text": "Mam kartę pobytu."},
        headers=migrant.headers,
    )
    assert replied.json()["state"] == "open"
    assert await anna.queue() == [migrant.id]
    types = [e.type for e, _ in await ask_events(settings, 2)]
    assert types == ["ask.question_asked", "ask.question_asked_back"]


async def test_hand_over_moves_the_question_to_the_other_organisations_counsellors(
    client, migrant, counsellor_of, settings
) -> None:
    await sent(migrant, language="ar")
    caritas, city_hall = counsellor_of("caritas"), counsellor_of("urzad-miasta", role="pa_editor")
    await caritas.profile(["ar"])
    nobody = await caritas.post(migrant.id, "hand-over", {"organisation": "urzad-miasta"})
    assert nobody.status_code == 422 and nobody.json()["error"]["code"] == "no_counsellor_there"
    await city_hall.profile(["ar", "pl"])
    options = await client.get(
        "/cities/lublin/counselling/organisations", params={"language": "ar"}, headers=caritas.headers
    )
    assert [o["organisation"] for o in options.json()] == ["caritas", "urzad-miasta"]
    handed = await caritas.post(migrant.id, "hand-over", {"organisation": "urzad-miasta"})
    assert handed.status_code == 200
    assert await caritas.queue() == [] and (await caritas.get(migrant.id)).status_code == 404
    assert await city_hall.queue() == [migrant.id]
    event, _ = (await ask_events(settings, 2))[-1]
    assert (event.type, event.data.from_organisation, event.data.to_organisation) == (
        "ask.question_handed_over",
        "caritas",
        "urzad-miasta",
    )


async def test_a_reported_question_leaves_every_queue_and_is_counted(
    client, migrant, counsellor_of, settings
) -> None:
    await sent(migrant, text="obraźliwa treść")
    anna, piotr = counsellor_of("caritas"), counsellor_of("fundacja")
    for counsellor in (anna, piotr):
        await counsellor.profile(["pl"])
    assert await piotr.queue() == [migrant.id]
    reported = await anna.post(migrant.id, "report", {"reason": "abuse"})
    assert reported.json()["status"] == "reported"
    assert await piotr.queue() == [] and (await piotr.get(migrant.id)).status_code == 404
    event, _ = (await ask_events(settings, 2))[-1]
    assert (event.data.resolution, event.data.answered) == ("reported", False)
    thread = (await migrant.thread()).json()
    assert thread["state"] == "closed" and thread["resolution"] == "reported"


async def test_closing_after_an_answer_counts_it_answered(client, migrant, counsellor_of, settings) -> None:
    await sent(migrant)
    anna = counsellor_of("caritas")
    await anna.profile(["pl"])
    await anna.answer(migrant.id)
    closed = await anna.post(migrant.id, "close", {"note": "wyjaśnione"})
    assert closed.json()["state"] == "closed"
    assert (await anna.get(migrant.id)).status_code == 404  # closed: no longer in the back office
    again = await client.post(
        f"/cities/lublin/questions/{migrant.id}/replies", json={"text": "Dzięki"}, headers=migrant.headers
    )
    assert again.status_code == 409
    event, _ = (await ask_events(settings, 3))[-1]
    assert (event.data.resolution, event.data.answered) == ("answered", True)
