"""What the reader does with their question: send it to a counsellor, reply, close it, erase it.

Every form posts and is redirected back to the question's page (or the reader's list) with the outcome
in the address, so reloading sends nothing again; a form with a problem comes back as the same page with
the message beside the field. Each call carries the question's own token from the browser's cookie.

Sending may ask to be told when a counsellor writes: the notices go to the reader's notification inbox
(and by e-mail once the address is confirmed from notify's link, double opt-in). A reader who holds a
subscription has it named on the question (proven with its token; a new address is added to it); one who
holds none gets one for the city, with the question's topic (every topic without one), managed on the
notifications page like any other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from witaj.shared.events import Feature
from witaj.web.browser_keys import NOTIFICATIONS_COOKIE, Subscribed, hand_over, private
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.notify import EMAIL as EMAIL_CHANNEL
from witaj.web.clients.notify import INBOX
from witaj.web.deps import CityReader, WebDep, require
from witaj.web.forms import EMAIL, Problems
from witaj.web.pages import Reader
from witaj.web.routes.notifications import current
from witaj.web.routes.questions import (
    MAX_QUESTION,
    SendForm,
    back_to,
    drop,
    read_question,
    render_question,
    token_for,
)

router = APIRouter()
CHANGE_REFUSALS = {
    "rate_limited": "ask.limited_change",
    "thread_full": "ask.thread_full",
    "subscriber_credential_required": "ask.notices_failed",
    "email_required": "ask.bad_email",
}
"""What the ask service (or notify) may refuse of a change, as told above the form."""


async def notices_to(reader: Reader, web: WebDep, email: str, topic: str | None) -> Subscribed:
    """The subscription the question's notices go to: the reader's own (with the new address added),
    else a new one for the city, kept in the browser from now on."""
    assert reader.city is not None
    held, subscription = await current(reader, web)
    if held is not None and subscription is not None:
        if email and email != subscription.email:
            channels = list(dict.fromkeys([*subscription.channels, EMAIL_CHANNEL]))
            await web.notify.change(held.id, held.token, {"email": email, "channels": channels})
        return held
    made = await web.notify.subscribe(
        {
            "city": reader.city.id,
            "topics": [topic] if topic else [],
            "channels": [INBOX, EMAIL_CHANNEL] if email else [INBOX],
            "email": email or None,
            "language": reader.language,
        },
        reader=reader.identity_headers(),
    )
    assert made.token is not None
    held = Subscribed(made.id, made.token)
    hand_over(reader, NOTIFICATIONS_COOKIE, held.cookie)
    return held


async def refused_change(
    reader: Reader, web: WebDep, question_id: str, refused: BackendRefused, **shown: object
) -> HTMLResponse:
    """The question's page again, saying why the change was not made (too many in a short time, say)."""
    key = CHANGE_REFUSALS.get(refused.code)
    if key is None:
        raise refused
    _, question = await read_question(reader, web, question_id)
    problems = Problems()
    problems.add(None, key)
    status = 429 if refused.status == 429 else 422
    if "send_form" in shown:
        form = shown["send_form"]
        assert isinstance(form, SendForm)
        form.problems = problems
        return await render_question(reader, web, question, send_form=form, status=status)
    return await render_question(
        reader, web, question, reply_problems=problems, reply_text=str(shown.get("reply_text", "")),
        status=status,
    )  # fmt: skip


@router.post("/{city}/{lang}/questions/{question_id}/send")
async def send(
    question_id: str,
    reader: CityReader,
    web: WebDep,
    email: Annotated[str, Form(max_length=300)] = "",
    notify: Annotated[str, Form(max_length=5)] = "",
    consent: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """To the city's counsellors, with the reader's choices: notices (and an address) and consent."""
    assert reader.city is not None
    require(reader, Feature.QUESTIONS)
    token, question = await read_question(reader, web, question_id)
    if question.state != "instant":
        return back_to(reader, question_id, "sent")  # the same form sent twice: it went the first time
    notices = reader.has(Feature.NOTIFICATIONS)
    form = SendForm(email=email.strip() if notices else "", notify=notify == "yes", consent=consent == "yes")
    if form.email and not EMAIL.match(form.email):
        form.problems.add("send-email", "ask.bad_email")
        return await render_question(reader, web, question, send_form=form, status=422)
    changes: dict[str, object] = {"faq_consent": True} if form.consent else {}
    subscriber_token = None
    try:
        if notices and (form.notify or form.email):
            held = await notices_to(reader, web, form.email, question.topic)
            changes["subscriber"], subscriber_token = held.id, held.token
        if changes:
            await web.ask.change(
                reader.city.id, question_id, token, changes,
                subscriber_token=subscriber_token, reader=reader.identity_headers(),
            )  # fmt: skip
        await web.ask.send(reader.city.id, question_id, token, reader=reader.identity_headers())
    except BackendRefused as refused:
        if refused.code == "wrong_state":
            return back_to(reader, question_id, "sent")
        return await refused_change(reader, web, question_id, refused, send_form=form)
    return back_to(reader, question_id, "sent")


@router.post("/{city}/{lang}/questions/{question_id}/replies")
async def reply(
    question_id: str,
    reader: CityReader,
    web: WebDep,
    text: Annotated[str, Form(max_length=4 * MAX_QUESTION)] = "",
) -> Response:
    """The reader answers a counsellor's question back, or follows an answer up."""
    assert reader.city is not None
    require(reader, Feature.QUESTIONS)
    token, question = await read_question(reader, web, question_id)
    written = text.strip()
    problems = Problems()
    if not written:
        problems.add("reply-text", "ask.empty_reply")
    elif len(written) > MAX_QUESTION:
        problems.add("reply-text", "ask.too_long")
    if problems:
        return await render_question(
            reader, web, question, reply_problems=problems, reply_text=written, status=422
        )
    try:
        await web.ask.reply(reader.city.id, question_id, token, written, reader=reader.identity_headers())
    except BackendRefused as refused:
        if refused.code == "wrong_state":
            return back_to(reader, question_id, "closed")
        return await refused_change(reader, web, question_id, refused, reply_text=written)
    return back_to(reader, question_id, "replied")


@router.post("/{city}/{lang}/questions/{question_id}/close")
async def close(
    question_id: str,
    reader: CityReader,
    web: WebDep,
    answered: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """'This answered my question' or 'I no longer need an answer'. A question answered by the instant
    answers (or withdrawn before anyone read it) is erased at once, and the browser forgets it."""
    assert reader.city is not None
    require(reader, Feature.QUESTIONS)
    token = token_for(reader, question_id)
    yes = answered == "yes"
    try:
        closed = await web.ask.close(
            reader.city.id, question_id, token, answered=yes, reader=reader.identity_headers()
        )
    except BackendRefused as refused:
        if refused.code == "wrong_state":
            return back_to(reader, question_id, "closed")
        if refused.status in (401, 403, 404):
            drop(reader, question_id)
            return back_to(reader, None, "erased")
        return await refused_change(reader, web, question_id, refused)
    if closed is None:
        drop(reader, question_id)
        return back_to(reader, None, "answered" if yes else "erased")
    return back_to(reader, question_id, "closed")


@router.get("/{city}/{lang}/questions/{question_id}/erase")
async def erase_page(question_id: str, reader: CityReader, web: WebDep) -> Response:
    """Asks once more before erasing: the question and every message in its thread go for good."""
    require(reader, Feature.QUESTIONS)
    _, question = await read_question(reader, web, question_id)
    private(reader)
    return reader.render("pages/question_erase.html", question=question)


@router.post("/{city}/{lang}/questions/{question_id}/erase")
async def erase(question_id: str, reader: CityReader, web: WebDep) -> Response:
    assert reader.city is not None
    require(reader, Feature.QUESTIONS)
    token = token_for(reader, question_id)
    try:
        await web.ask.erase(reader.city.id, question_id, token, reader=reader.identity_headers())
    except BackendRefused as refused:
        if refused.status not in (401, 403, 404):
            return await refused_change(reader, web, question_id, refused)
    drop(reader, question_id)
    return back_to(reader, None, "erased")
