"""The migrant's side: ask (no account), read the thread, reply, close, erase, with the question's token.

Asking first puts the question at the instant-answer stage: the app shows what published content
answers it (the content service's `GET /cities/{city}/answers`), and only `send` puts it before a
person. "This answered my question" closes it there and it is erased at once (counted, never read by
anyone). The token is shown once, in the answer to asking.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from witaj.ask import access, rules
from witaj.ask.deps import OwnedQuestion, Services, ServicesDep, city_asking
from witaj.ask.schemas import (
    Close,
    QuestionCreate,
    QuestionCreated,
    QuestionPublic,
    QuestionUpdate,
    ReplyCreate,
)
from witaj.ask.settings import AskOptions
from witaj.ask.views import for_migrant
from witaj.shared.auth import MaybePrincipal
from witaj.shared.errors import ERROR_RESPONSES
from witaj.shared.question_proof import SUBSCRIBER_TOKEN, proof_for
from witaj.shared.ratelimit import RateLimit, public_write

SubscriberToken = Annotated[
    str | None,
    Header(
        alias=SUBSCRIBER_TOKEN,
        max_length=200,
        description="Your notify subscription's token, to prove it is yours",
    ),
]


def routes(options: AskOptions) -> APIRouter:
    """The migrant's routes; asking and replying are limited per caller (one set of buckets per app)."""
    asking = RateLimit.configured("question", options.ask_limit)
    replying = RateLimit.configured("question change", options.reply_limit)
    limited = [Depends(replying)]
    router = APIRouter(prefix="/cities/{city}/questions", tags=["questions"], responses=ERROR_RESPONSES)
    router.add_api_route(
        "",
        ask,
        methods=["POST"],
        status_code=201,
        summary="Ask a question (no account needed)",
        **public_write(asking),
    )
    router.add_api_route("/{question_id}", read, methods=["GET"], summary="Your question and its thread")
    router.add_api_route(
        "/{question_id}",
        change,
        methods=["PATCH"],
        summary="Notices and consent (fields sent only)",
        dependencies=limited,
    )
    router.add_api_route(
        "/{question_id}/send",
        send,
        methods=["POST"],
        summary="Send it to the city's counsellors",
        dependencies=limited,
    )
    router.add_api_route(
        "/{question_id}/replies",
        reply,
        methods=["POST"],
        summary="Reply to a counsellor",
        dependencies=limited,
    )
    router.add_api_route(
        "/{question_id}/close",
        close,
        methods=["POST"],
        summary="'This answered my question', or 'I no longer need an answer'",
        dependencies=limited,
        response_model=QuestionPublic,
        responses={204: {"description": "Answered by instant answers: the question is erased"}},
    )
    router.add_api_route(
        "/{question_id}",
        erase,
        methods=["DELETE"],
        status_code=204,
        summary="Erase your question and everything in its thread",
        dependencies=limited,
    )
    return router


async def ask(
    city: str,
    body: QuestionCreate,
    services: ServicesDep,
    principal: MaybePrincipal,
    subscriber_token: SubscriberToken = None,
) -> QuestionCreated:
    """The question starts at the instant-answer stage; show the migrant the content service's instant
    answers, then `send` it to a person unless one of them answered it. Each caller may ask a few at
    once and then a steady number per minute (429 with `Retry-After` beyond)."""
    city_asking(services, city)
    if body.topic is not None:
        services.runtime.cities.check_topics(city, [body.topic])
    token = access.new_token()
    doc = rules.new_question(
        city, text=body.text, language=body.language, topic=body.topic, token_hash=access.token_hash(token),
        faq_consent=body.faq_consent, now=services.store.clock(), options=services.options,
    )  # fmt: skip
    if body.subscriber is not None:
        proof = proof_for(body.subscriber, doc["_id"], subscriber_token, principal)
        doc.update(subscriber=body.subscriber, subscriber_proof=proof)
    await services.store.insert(doc)
    return QuestionCreated(**for_migrant(doc).model_dump(), token=token)


async def read(question: OwnedQuestion) -> QuestionPublic:
    return for_migrant(question)


async def change(
    body: QuestionUpdate,
    question: OwnedQuestion,
    services: ServicesDep,
    principal: MaybePrincipal,
    subscriber_token: SubscriberToken = None,
) -> QuestionPublic:
    """`subscriber` (with its credential) starts notices there, null stops them; `faq_consent` gives or
    withdraws consent to publishing it, anonymised, as a frequently asked question."""
    changes: dict[str, Any] = {}
    sent = body.model_fields_set
    if "subscriber" in sent:
        proof = proof_for(body.subscriber, question["_id"], subscriber_token, principal)
        changes.update(subscriber=body.subscriber, subscriber_proof=proof)
    if "faq_consent" in sent and body.faq_consent is not None:
        changes["faq_consent"] = body.faq_consent
    return await _step(services, question, lambda doc: ({**doc, **changes}, []))


async def send(question: OwnedQuestion, services: ServicesDep) -> QuestionPublic:
    city_asking(services, question["city"])
    options, now = services.options, services.store.clock()
    sent = await _step(services, question, lambda doc: rules.send(doc, now, options))
    services.drafts.wake()
    return sent


async def reply(body: ReplyCreate, question: OwnedQuestion, services: ServicesDep) -> QuestionPublic:
    options, now = services.options, services.store.clock()
    replied = await _step(services, question, lambda doc: (rules.reply(doc, body.text, now, options), []))
    services.drafts.wake()
    return replied


async def close(body: Close, question: OwnedQuestion, services: ServicesDep) -> Any:
    options, now = services.options, services.store.clock()
    changed = await services.store.change(
        question["city"],
        question["_id"],
        lambda doc: rules.close_by_migrant(doc, body.answered, now, options),
    )
    return Response(status_code=204) if changed is None else for_migrant(changed)


async def erase(question: OwnedQuestion, services: ServicesDep) -> Response:
    await services.store.change(question["city"], question["_id"], lambda doc: (None, rules.erase(doc)))
    return Response(status_code=204)


async def _step(services: Services, question: dict[str, Any], step: Any) -> QuestionPublic:
    changed = await services.store.change(question["city"], question["_id"], step)
    assert changed is not None
    return for_migrant(changed)
