"""Questions are erased when their time is up: unsent after hours, open ones after the longest wait,
closed ones a while after closing; an open thread that expires is announced as closed by expiry."""

from __future__ import annotations

from datetime import timedelta

from .conftest import ask_events


async def sweep(client) -> int:
    return await client._transport.app.state.ask.store.sweep()


async def test_an_unsent_question_is_gone_after_a_day(client, migrant, clock) -> None:
    await migrant.ask("Zostawione pytanie")
    clock.offset = timedelta(hours=23)
    assert (await migrant.thread()).status_code == 200 and await sweep(client) == 0
    clock.offset = timedelta(hours=24, seconds=1)
    assert (
        await migrant.thread()
    ).status_code == 404  # past its time, it is not served even before the sweep
    assert await sweep(client) == 1
    assert await client._transport.app.state.ask.store.questions.count_documents({}) == 0


async def test_an_unanswered_question_expires_and_is_counted_closed(
    client, migrant, clock, settings, counsellor_of
) -> None:
    await migrant.ask()
    await migrant.send()
    anna = counsellor_of("caritas")
    await anna.profile(["pl"])
    clock.offset = timedelta(days=90, minutes=1)
    assert await anna.queue() == []
    assert await sweep(client) == 1
    event, _ = (await ask_events(settings, 2))[-1]
    assert (event.type, event.data.resolution, event.data.answered) == (
        "ask.question_closed",
        "expired",
        False,
    )


async def test_a_closed_question_is_kept_a_while_for_the_migrant_then_erased(
    client, migrant, clock, counsellor_of
) -> None:
    await migrant.ask()
    await migrant.send()
    anna = counsellor_of("caritas")
    await anna.profile(["pl"])
    await anna.answer(migrant.id)
    closed = await client.post(
        f"/cities/lublin/questions/{migrant.id}/close", json={"answered": True}, headers=migrant.headers
    )
    assert closed.json()["resolution"] == "answered"
    clock.offset = timedelta(days=29)
    assert (await migrant.thread()).status_code == 200
    clock.offset = timedelta(days=30, minutes=1)
    assert await sweep(client) == 1 and (await migrant.thread()).status_code == 404


async def test_the_database_erases_them_too_should_no_sweep_run(client) -> None:
    indexes = await client._transport.app.state.ask.store.questions.index_information()
    backstop = indexes["retention_backstop"]
    assert backstop["key"] == [("expires_at", 1)] and backstop["expireAfterSeconds"] == 86_400
