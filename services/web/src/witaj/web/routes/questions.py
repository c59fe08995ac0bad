"""Asking a person: the question form, the instant answers, the reader's questions and each one's thread.

The reader writes a question in the language of the page (optionally under a topic). The ask service
keeps it at its instant-answer stage and hands out a private token; the browser keeps id and token in an
HttpOnly cookie for the city (`browser_keys.keep_questions`), as it keeps registration tokens, and the
reader lands on the question's page. There the content service's instant answers come first (published
pages, procedures and glossary entries, each with the passage that matched, marked); "this answered my
question" closes it there, otherwise the reader sends it to a counsellor (`question_actions.py`). The
same page is then the thread: counsellors' answers and questions back, the reader's replies, closing and
erasing. Without the token nobody sees anything: a question the browser does not hold is not there (404).
"""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.browser_keys import held_questions, keep_questions, private
from witaj.web.clients.ask import Question
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.content import InstantAnswers, TopicTree
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.forms import Problems
from witaj.web.pages import Reader
from witaj.web.routes.events import dates_for, topic_choices, topic_tree
from witaj.web.routes.notifications import current

router = APIRouter()
MAX_QUESTION = 2_000
"""Characters of a question or a reply (the ask service takes up to 4,000; two screens are plenty)."""
MATCHED_CHARS = 500
"""Characters of the question the content service matches for instant answers (it refuses more)."""
INSTANT_ANSWERS = 3
NOTICES = ("sent", "replied", "closed", "answered", "erased", "kept")
REFUSALS = {
    "rate_limited": (None, "ask.limited"),
    "validation_failed": ("ask-text", "ask.check"),
    "unknown_topic": ("ask-topic", "ask.bad_topic"),
}
"""What the ask service may refuse when asking, and where the reader is told."""


class AskForm:
    """The question as typed, the topic chosen, and what is wrong with them."""

    def __init__(self, text: str = "", topic: str = "", problems: Problems | None = None) -> None:
        self.text = text
        self.topic = topic
        self.problems = problems or Problems()


def matched_part(text: str) -> str:
    """The question as the instant answers read it: its first `MATCHED_CHARS`, cut between words."""
    words = " ".join(text.split())
    if len(words) <= MATCHED_CHARS:
        return words
    cut = words[:MATCHED_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def known_topics(tree: TopicTree | None) -> set[str] | None:
    return {topic_id for topic_id, *_ in topic_choices(tree)} if tree else None


async def render_ask(reader: Reader, web: WebDep, form: AskForm, *, status: int = 200) -> HTMLResponse:
    private(reader)
    tree = await topic_tree(reader, web)
    return reader.render(
        "pages/ask.html", status=status, form=form, topics=topic_choices(tree), limit=MAX_QUESTION
    )


@router.get("/{city}/{lang}/ask")
async def ask_page(
    reader: CityReader,
    web: WebDep,
    q: Annotated[str, Query(max_length=MAX_QUESTION)] = "",
    topic: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """The question form; search links here with the reader's words (`q`) already in it."""
    require(reader, Feature.QUESTIONS)
    return await render_ask(reader, web, AskForm(q.strip(), topic))


@router.post("/{city}/{lang}/ask")
async def ask(
    reader: CityReader,
    web: WebDep,
    text: Annotated[str, Form(max_length=4 * MAX_QUESTION)] = "",
    topic: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Ask; the question's page then shows the instant answers (POST, redirect, GET)."""
    assert reader.city is not None
    require(reader, Feature.QUESTIONS)
    form = AskForm(text.strip(), topic.strip())
    if not form.text:
        form.problems.add("ask-text", "ask.empty")
    elif len(form.text) > MAX_QUESTION:
        form.problems.add("ask-text", "ask.too_long")
    known = known_topics(await topic_tree(reader, web))
    if form.topic and known is not None and form.topic not in known:
        form.problems.add("ask-topic", "ask.bad_topic")
    if form.problems:
        return await render_ask(reader, web, form, status=422)
    try:
        asked = await web.ask.ask(
            reader.city.id, text=form.text, language=reader.language, topic=form.topic or None,
            reader=reader.identity_headers(),
        )  # fmt: skip
    except BackendRefused as refused:
        place = REFUSALS.get(refused.code)
        if place is None:
            raise
        form.problems.add(*place)
        return await render_ask(reader, web, form, status=429 if refused.status == 429 else 422)
    if asked.token:
        keep_questions(reader, {asked.id: asked.token, **held_questions(reader.request)})
    return reader.carry(RedirectResponse(reader.path("questions", asked.id), status_code=303))


def token_for(reader: Reader, question_id: str) -> str:
    """The question's token as this browser holds it; a question it does not hold is not there."""
    token = held_questions(reader.request).get(question_id)
    if token is None:
        raise PageNotFound("question", city=reader.city)
    return token


def drop(reader: Reader, question_id: str) -> None:
    """Forget a question the ask service no longer has (erased, or past its retention)."""
    held = held_questions(reader.request)
    held.pop(question_id, None)
    keep_questions(reader, held)


async def read_question(reader: Reader, web: WebDep, question_id: str) -> tuple[str, Question]:
    """The question and its token; gone at the service (or not this token's): forgotten here, 404."""
    assert reader.city is not None
    token = token_for(reader, question_id)
    try:
        return token, await web.ask.question(reader.city.id, question_id, token)
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            drop(reader, question_id)
            raise PageNotFound("question", city=reader.city) from None
        raise


async def instant_answers(reader: Reader, web: WebDep, question: Question) -> InstantAnswers | None:
    """What published content answers the question; None when the content service cannot say now (the
    reader may still send it to a person)."""
    assert reader.city is not None
    try:
        return await web.content.answers(
            reader.city.id, reader.language, matched_part(question.text), topic=question.topic,
            limit=INSTANT_ANSWERS, session=reader.session,
        )  # fmt: skip
    except BackendUnavailable:
        return None
    except BackendRefused as refused:
        if refused.code in ("empty_question", "validation_failed"):
            return InstantAnswers(language=reader.language, answers=[])
        raise


class SendForm:
    """The choices on sending a question to a counsellor, as the reader made them."""

    def __init__(self, *, email: str = "", notify: bool = True, consent: bool = False) -> None:
        self.email = email
        self.notify = notify
        self.consent = consent
        self.problems = Problems()


async def render_question(
    reader: Reader,
    web: WebDep,
    question: Question,
    *,
    notice: str | None = None,
    send_form: SendForm | None = None,
    reply_problems: Problems | None = None,
    reply_text: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The question's page: at the instant stage its instant answers and the form to send it on, later
    its thread with the reply form."""
    private(reader)
    answers = None
    subscription = None
    if question.state == "instant":
        answers = await instant_answers(reader, web, question)
        if reader.has(Feature.NOTIFICATIONS):
            _, subscription = await current(reader, web)
    tree = await topic_tree(reader, web) if question.topic else None
    found = tree.find(question.topic) if tree and question.topic else None
    return reader.render(
        "pages/question.html",
        status=status,
        question=question,
        answers=answers,
        topic=found[0] if found else None,
        subscription=subscription,
        send_form=send_form or SendForm(),
        reply_problems=reply_problems or Problems(),
        reply_text=reply_text,
        notice=notice,
        dates=dates_for(reader),
        limit=MAX_QUESTION,
    )


@router.get("/{city}/{lang}/questions/{question_id}")
async def question_page(
    question_id: str,
    reader: CityReader,
    web: WebDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require(reader, Feature.QUESTIONS)
    _, question = await read_question(reader, web, question_id)
    return await render_question(reader, web, question, notice=done if done in NOTICES else None)


@router.get("/{city}/{lang}/questions")
async def my_questions(
    reader: CityReader, web: WebDep, done: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    """Every question this browser holds in the city, newest first; those the ask service no longer has
    (erased, past their retention) are forgotten here."""
    assert reader.city is not None
    require(reader, Feature.QUESTIONS)
    private(reader)
    held = held_questions(reader.request)
    found = await asyncio.gather(
        *(web.ask.question(reader.city.id, qid, token) for qid, token in held.items()), return_exceptions=True
    )
    mine: list[Question] = []
    readable = True
    kept: dict[str, str] = {}
    for (question_id, token), answer in zip(held.items(), found, strict=True):
        if isinstance(answer, Question):
            mine.append(answer)
        elif isinstance(answer, BackendRefused) and answer.status in (401, 403, 404):
            continue  # gone: not kept
        elif isinstance(answer, BackendUnavailable | BackendRefused):
            readable = False
        else:
            raise answer
        kept[question_id] = token
    if kept != held:
        keep_questions(reader, kept)
    status = 200
    if not readable:
        status = 503
        reader.extra_headers["Retry-After"] = "30"
    return reader.render(
        "pages/questions.html",
        status=status,
        questions=mine,
        readable=readable,
        notice=done if done in NOTICES else None,
        dates=dates_for(reader),
    )


def back_to(reader: Reader, question_id: str | None, done: str) -> RedirectResponse:
    """After a change: the question's page (or the reader's list) with the outcome in the address."""
    target = reader.path("questions", question_id) if question_id else reader.path("questions")
    return reader.carry(RedirectResponse(target + "?" + urlencode({"done": done}), status_code=303))
