"""The migrant's side: asking without an account, the token, instant answers, sending, erasing, limits."""

from __future__ import annotations

import pytest
from witaj.ask.settings import AskOptions, AskSettings
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import serve, wait_until
from witaj.shared.ratelimit import PUBLIC_WRITE
from witaj.shared.settings import LimitSettings
from witaj.shared.subscriber_proof import device_key, verify

from .conftest import FEATURES_WITHOUT_QUESTIONS, LUBLIN, TOPICS, ask_events, running

SUBSCRIBER = "s" + "ab" * 16


async def test_a_question_is_read_with_its_token_only(client, migrant, mint) -> None:
    created = await migrant.ask("Gdzie <b>mam</b> iść?\r\n\r\n\r\nDziękuję", topic="health-insurance")
    assert created["state"] == "instant" and created["topic"] == "health-insurance"
    thread = (await migrant.thread()).json()
    assert "token" not in thread and "token_hash" not in thread
    message = thread["messages"][0]
    assert message["text"] == "Gdzie <b>mam</b> iść?\n\nDziękuję"
    assert message["html"] == "Gdzie &lt;b&gt;mam&lt;/b&gt; iść?<br>\n<br>\nDziękuję"
    url = f"/cities/lublin/questions/{migrant.id}"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers={"X-Question-Token": "x" * 43})).status_code == 403
    signed_in = {"Authorization": "Bearer " + mint("migrant", city="lublin")}
    assert (await client.get(url, headers=signed_in)).status_code == 403  # questions belong to no account
    assert (
        await client.get(f"/cities/gdansk/questions/{migrant.id}", headers=migrant.headers)
    ).status_code == 404


async def test_this_answered_my_question_closes_and_erases_it_at_the_instant_stage(
    client, migrant, settings
) -> None:
    await migrant.ask("Czy potrzebuję PESEL, żeby pracować?")
    closed = await client.post(
        f"/cities/lublin/questions/{migrant.id}/close", json={"answered": True}, headers=migrant.headers
    )
    assert closed.status_code == 204
    assert (await migrant.thread()).status_code == 404
    [(event, raw)] = await ask_events(settings, 1)
    assert event.type == "ask.question_closed"
    assert (event.data.resolution, event.data.answered, event.data.language) == (
        "instant_answer",
        False,
        "pl",
    )
    assert b"PESEL" not in raw and migrant.token.encode() not in raw


async def test_sending_puts_it_before_counsellors_and_erasing_withdraws_it(client, migrant, settings) -> None:
    await migrant.ask("Jak zapisać dziecko do szkoły?", topic="health")
    sent = await migrant.send()
    assert sent["state"] == "open"
    again = await client.post(f"/cities/lublin/questions/{migrant.id}/send", headers=migrant.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "wrong_state"
    erased = await client.delete(f"/cities/lublin/questions/{migrant.id}", headers=migrant.headers)
    assert erased.status_code == 204
    assert (await migrant.thread()).status_code == 404
    events = await ask_events(settings, 2)
    assert [e.type for e, _ in events] == ["ask.question_asked", "ask.question_closed"]
    assert events[1][0].data.resolution == "withdrawn"
    for _, raw in events:
        assert b"dziecko" not in raw


async def test_notices_need_proof_of_the_subscription(client, migrant, settings) -> None:
    refused = await client.post(
        "/cities/lublin/questions", json={"text": "Pytanie", "language": "pl", "subscriber": SUBSCRIBER}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "subscriber_credential_required"
    created = await migrant.ask(subscriber=SUBSCRIBER, headers={"X-Subscriber-Token": "device-secret"})
    assert created["notices"] is True
    stored = await client._transport.app.state.ask.store.questions.find_one({"_id": migrant.id})
    assert verify(device_key("device-secret"), SUBSCRIBER, migrant.id, stored["subscriber_proof"], "question")
    assert "device-secret" not in str(stored)
    stopped = await client.patch(
        f"/cities/lublin/questions/{migrant.id}", json={"subscriber": None}, headers=migrant.headers
    )
    assert stopped.json()["notices"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "  \n ", "language": "pl"}, 422, "validation_failed"),
        ({"text": "x" * 4001, "language": "pl"}, 422, "validation_failed"),
        ({"text": "Pytanie", "language": "xx"}, 422, "validation_failed"),
        ({"text": "Pytanie", "language": "pl", "topic": "gardening"}, 422, "unknown_topic"),
        ({"text": "Pytanie", "language": "pl", "extra": 1}, 422, "validation_failed"),
    ],
)
async def test_bad_questions_are_refused_clearly(client, body, status, code) -> None:
    response = await client.post("/cities/lublin/questions", json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code


async def test_unknown_cities_and_cities_without_questions_say_so(client, settings) -> None:
    body = {"text": "Pytanie", "language": "pl"}
    assert (await client.post("/cities/nowhere/questions", json=body)).json()["error"][
        "code"
    ] == "city_not_found"
    without = LUBLIN.model_copy(update={"features": FEATURES_WITHOUT_QUESTIONS})
    runtime = client._transport.app.state.runtime
    await announce_city(settings.kafka, without, revision=2, topics=TOPICS, runtime=runtime)
    refused = await client.post("/cities/lublin/questions", json=body)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "feature_disabled"


@pytest.fixture
def limited(make_settings) -> AskSettings:
    return make_settings(AskSettings, ask=AskOptions(ask_limit=LimitSettings(per_minute=1, burst=3)))


async def test_asking_is_limited_per_caller_and_marked_a_public_write(limited, clock) -> None:
    app = await running(limited, clock, LUBLIN)
    async with serve(app) as http:
        await wait_until(lambda: app.state.runtime.cities.get("lublin"), message="Lublin")
        body = {"text": "Pytanie", "language": "pl"}
        codes = [(await http.post("/cities/lublin/questions", json=body)).status_code for _ in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        assert await app.state.ask.store.questions.count_documents({}) == 3
        route = (await http.get("/openapi.json")).json()["paths"]["/cities/{city}/questions"]["post"]
        assert route[PUBLIC_WRITE] is True
