"""A counsellor's answer to a migrant's question reaches the subscription the migrant proved to hold, as a
notice in their language, live on the stream; a subscription named without proof hears nothing."""

from __future__ import annotations

from typing import Any

from notify_helpers import device, live_notify_service, open_stream, subscribe
from witaj.devkit.testing import wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import QuestionAnswered, QuestionAskedBack
from witaj.shared.subscriber_proof import account_key, device_key, prove
from witaj.shared.topics import ASK_QUESTIONS


def answered(subscriber: str, proof: str | None, question: str = "q" + "1" * 24, **extra: Any) -> Any:
    data = QuestionAnswered(
        question_id=question, topic="health", language="uk", organisation="caritas", subscriber=subscriber,
        subscriber_proof=proof, path=f"/cities/lublin/questions/{question}", first=True, wait_seconds=60, **extra,
    )  # fmt: skip
    return wrap(data, source="witaj/ask", city="lublin", subject=question)


async def test_the_answer_notice_reaches_the_proven_inbox_live_and_nobody_else(settings, publisher) -> None:
    async with live_notify_service(settings, publisher) as (client, app):
        migrant = await subscribe(client, language="uk")
        stranger = await subscribe(client, language="uk")
        question = "q" + "a" * 24
        async with open_stream(client, migrant) as stream:
            proof = prove(device_key(migrant["token"]), migrant["id"], question, "question")
            await publisher.publish(ASK_QUESTIONS, answered(migrant["id"], proof, question))
            notice = await stream.next_message()
        assert notice["source_type"] == "ask.question_answered" and notice["language"] == "uk"
        assert notice["title"] == "Ви отримали відповідь"
        assert notice["link"].endswith(f"/cities/lublin/questions/{question}")
        # Naming someone else's subscription, with a proof made from another credential, tells nobody.
        forged = prove(device_key(migrant["token"]), stranger["id"], question, "question")
        await publisher.publish(ASK_QUESTIONS, answered(stranger["id"], forged, question))
        await publisher.publish(ASK_QUESTIONS, answered(stranger["id"], None, question))
        jobs = app.state.notify.fanout.jobs
        await wait_until(lambda: _done(jobs, 3), message="the three notices handled")
        inbox = await client.get(f"/subscriptions/{stranger['id']}/inbox", headers=device(stranger))
        assert inbox.json()["total"] == 0


async def test_an_accounts_subscription_is_proven_by_its_sign_in(settings, publisher, auth_header) -> None:
    async with live_notify_service(settings, publisher) as (client, _):
        headers = auth_header("migrant", sub="migrant-7")
        created = await client.post(
            "/subscriptions", json={"city": "lublin", "language": "pl"}, headers=headers
        )
        subscription = created.json()
        question = "q" + "b" * 24
        asked_back = QuestionAskedBack(
            question_id=question, language="pl", subscriber=subscription["id"], path=f"/cities/lublin/questions/{question}",
            subscriber_proof=prove(account_key("migrant-7"), subscription["id"], question, "question"),
        )  # fmt: skip
        await publisher.publish(
            ASK_QUESTIONS, wrap(asked_back, source="witaj/ask", city="lublin", subject=question)
        )
        url = f"/subscriptions/{subscription['id']}/inbox"
        page = await wait_until(lambda: _items(client.get(url, headers=headers)), message="the notice")
        assert page[0]["title"] == "Doradca ma do Ciebie pytanie"


async def _done(jobs: Any, count: int) -> bool:
    return await jobs.count_documents({"state": "done"}) == count


async def _items(response: Any) -> list[dict[str, Any]] | None:
    return (await response).json()["items"] or None
