"""What each step of a question's life does to it: pure functions from a question to the next one and
the events to announce, so the rules read in one place and are tested without a database.

    instant --send--> open --answer--> answered --close--> closed
       |                |  \\--ask back--> awaiting_migrant --reply--> open
       |                \\--hand over (to an organisation), report (closed), close (closed)
       \\--"this answered my question"--> erased at once (counted as resolved by an instant answer)

Every question has `expires_at`: a question nobody was asked goes after `instant_hours`, one sent to
counsellors at most `open_days` after it was asked, a closed one `closed_days` after closing. Events
carry ids, topic, language and state only; the text stays in the document.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from witaj.ask.schemas import Author, CounsellorMessageKind, MessageKind, State
from witaj.ask.settings import AskOptions
from witaj.shared.auth import Principal
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.errors import ApiError, Conflict
from witaj.shared.events import (
    QuestionAnswered,
    QuestionAsked,
    QuestionAskedBack,
    QuestionClosed,
    QuestionHandedOver,
    Resolution,
)

SOURCE = "witaj/ask"
Question = dict[str, Any]
Events = list[Envelope[Any]]
LIVE = (State.OPEN, State.AWAITING_MIGRANT, State.ANSWERED)
"""States of a question counsellors work on."""


def thread_path(doc: Question) -> str:
    return f"/cities/{doc['city']}/questions/{doc['_id']}"


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def _event(doc: Question, data: EventData) -> Envelope[Any]:
    return wrap(data, source=SOURCE, city=doc["city"], subject=doc["_id"])


def _facts(doc: Question) -> dict[str, Any]:
    """What every event of the question says of it; `asked_on` is the day the migrant wrote it (even if
    sent to counsellors after midnight), so stats counts all of a question in one day's release."""
    written = doc["created_at"]
    written = written.astimezone(UTC) if written.tzinfo else written  # naive times are UTC
    return {
        "question_id": doc["_id"],
        "topic": doc.get("topic"),
        "language": doc["language"],
        "asked_on": written.date(),
    }


def _to_migrant(doc: Question, organisation: str | None) -> dict[str, Any]:
    return {
        **_facts(doc),
        "organisation": organisation,
        "subscriber": doc.get("subscriber"),
        "subscriber_proof": doc.get("subscriber_proof"),
        "path": thread_path(doc),
    }


def _expect(doc: Question, *states: State) -> None:
    if State(doc["state"]) not in states:
        raise Conflict(
            f"The question is {doc['state'].replace('_', ' ')}; this needs it "
            + " or ".join(s.value.replace("_", " ") for s in states),
            code="wrong_state",
            details={"state": doc["state"], "allowed": [s.value for s in states]},
        )


def _message(
    author: Author, kind: MessageKind, text: str, language: str, now: datetime, **extra: Any
) -> dict[str, Any]:
    return {"id": new_id("m"), "author": author.value, "kind": kind.value, "text": text,
            "language": language, "at": now, **extra}  # fmt: skip


def _append(doc: Question, message: dict[str, Any], options: AskOptions) -> list[dict[str, Any]]:
    if len(doc["messages"]) >= options.max_messages:
        raise ApiError(
            409,
            "thread_full",
            f"This thread has {options.max_messages} messages, the most one may hold; ask a new question",
        )
    return [*doc["messages"], message]


# ---------------------------------------------------------------------------------------------- migrant


def new_question(
    city: str,
    *,
    text: str,
    language: str,
    topic: str | None,
    token_hash: str,
    faq_consent: bool,
    now: datetime,
    options: AskOptions,
) -> Question:
    """A question at the instant-answer stage: nobody is asked yet, and nothing is announced."""
    return {
        "_id": new_id("q"),
        "city": city,
        "state": State.INSTANT.value,
        "topic": topic,
        "language": language,
        "token_hash": token_hash,
        "subscriber": None,
        "subscriber_proof": None,
        "faq_consent": faq_consent,
        "organisation": None,
        "claim": None,
        "answered_by": [],
        "messages": [_message(Author.MIGRANT, MessageKind.QUESTION, text, language, now)],
        "reported": None,
        "resolution": None,
        "faq": None,
        "created_at": now,
        "asked_at": None,
        "first_answer_at": None,
        "closed_at": None,
        "expires_at": now + options.instant,
        "version": 1,
    }


def send(doc: Question, now: datetime, options: AskOptions) -> tuple[Question, Events]:
    """The instant answers did not help: the question goes to the city's counsellors."""
    _expect(doc, State.INSTANT)
    sent = {**doc, "state": State.OPEN.value, "asked_at": now, "expires_at": now + options.open}
    sent["drafts_due_at"] = now  # a machine draft, where the city allows it (see drafts.py)
    return sent, [_event(sent, QuestionAsked(**_facts(sent)))]


def close_by_migrant(
    doc: Question, answered: bool, now: datetime, options: AskOptions
) -> tuple[Question | None, Events]:
    """'This answered my question' (or 'I no longer need an answer'). At the instant-answer stage the
    question is erased at once: it was answered by published content and nobody needs its text."""
    _expect(doc, State.INSTANT, *LIVE)
    if doc["state"] == State.INSTANT.value:
        if not answered:
            return None, []  # withdrawn before anyone was asked: nothing happened worth counting
        closed = QuestionClosed(**_facts(doc), resolution=Resolution.INSTANT_ANSWER, answered=False)
        return None, [_event(doc, closed)]
    has_answer = doc["first_answer_at"] is not None
    resolution = Resolution.ANSWERED if answered and has_answer else Resolution.WITHDRAWN
    return _closed(doc, resolution, now, options)


def reply(doc: Question, text: str, now: datetime, options: AskOptions) -> Question:
    """The migrant writes again (after a question back, or to follow up an answer): back to the queue."""
    _expect(doc, *LIVE)
    message = _message(Author.MIGRANT, MessageKind.REPLY, text, doc["language"], now)
    return {
        **doc,
        "state": State.OPEN.value,
        "messages": _append(doc, message, options),
        "drafts_due_at": now,
    }


def update(doc: Question, changes: dict[str, Any]) -> Question:
    """Notices (a proven subscriber, or none) and consent to publishing as an FAQ entry."""
    _expect(doc, State.INSTANT, *LIVE, State.CLOSED)
    return {**doc, **changes}


def erase(doc: Question) -> Events:
    """Erased by the migrant: a question counsellors had and nobody closed counts as withdrawn."""
    if doc["state"] in {s.value for s in LIVE}:
        return [
            _event(
                doc, QuestionClosed(**_facts(doc), resolution=Resolution.WITHDRAWN, answered=_answered(doc))
            )
        ]
    return []


def expire(doc: Question) -> Events:
    """Its retention ran out: an open thread counts as closed by expiry."""
    if doc["state"] in {s.value for s in LIVE}:
        return [
            _event(doc, QuestionClosed(**_facts(doc), resolution=Resolution.EXPIRED, answered=_answered(doc)))
        ]
    return []


# ---------------------------------------------------------------------------------------------- counsellors


def _held_by_other(doc: Question, principal: Principal, now: datetime) -> bool:
    claim = doc.get("claim")
    return bool(claim and claim["until"] > now and claim["by"] != principal.subject)


def claim(doc: Question, principal: Principal, now: datetime, options: AskOptions) -> Question:
    """Keep colleagues from answering while this counsellor writes (until the claim runs out)."""
    _expect(doc, State.OPEN)
    if _held_by_other(doc, principal, now):
        raise Conflict("A colleague is answering this question", code="claimed",
                       details={"until": doc["claim"]["until"].isoformat()})  # fmt: skip
    until = now + timedelta(minutes=options.claim_minutes)
    return {**doc, "claim": {"by": principal.subject, "organisation": principal.organisation, "until": until}}


def release(doc: Question, principal: Principal, now: datetime) -> Question:
    if _held_by_other(doc, principal, now):
        raise Conflict("A colleague holds this claim", code="claimed")
    return {**doc, "claim": None}


def write(
    doc: Question,
    principal: Principal,
    kind: CounsellorMessageKind,
    text: str,
    language: str | None,
    links: list[dict[str, str]],
    now: datetime,
    options: AskOptions,
) -> tuple[Question, Events]:
    """An answer, or a question back to the migrant; the writer's claim ends with it."""
    _expect(doc, *LIVE)
    if _held_by_other(doc, principal, now):
        raise Conflict("A colleague is answering this question", code="claimed")
    message_kind = MessageKind.ANSWER if kind is CounsellorMessageKind.ANSWER else MessageKind.ASK_BACK
    message = _message(
        Author.COUNSELLOR, message_kind, text, language or doc["language"], now,
        links=links, organisation=principal.organisation, by=principal.subject,
    )  # fmt: skip
    changed = {**doc, "messages": _append(doc, message, options), "claim": None}
    if message_kind is MessageKind.ASK_BACK:
        changed["state"] = State.AWAITING_MIGRANT.value
        return changed, [_event(changed, QuestionAskedBack(**_to_migrant(changed, principal.organisation)))]
    first = doc["first_answer_at"] is None
    changed["state"] = State.ANSWERED.value
    if principal.organisation and principal.organisation not in doc["answered_by"]:
        changed["answered_by"] = [*doc["answered_by"], principal.organisation]
    wait = None
    if first:
        changed["first_answer_at"] = now
        wait = max(0, int((now - (doc["asked_at"] or doc["created_at"])).total_seconds()))
    answered = QuestionAnswered(
        **_to_migrant(changed, principal.organisation), first=first, wait_seconds=wait
    )
    return changed, [_event(changed, answered)]


def hand_over(doc: Question, principal: Principal, organisation: str) -> tuple[Question, Events]:
    """To another organisation's counsellors: only they see it from now on (back in their queue)."""
    _expect(doc, *LIVE)
    if organisation == (doc.get("organisation") or principal.organisation):
        raise Conflict("The question is with that organisation already", code="same_organisation")
    state = doc["state"] if doc["state"] == State.AWAITING_MIGRANT.value else State.OPEN.value
    changed = {**doc, "organisation": organisation, "claim": None, "state": state}
    handed = QuestionHandedOver(
        **_facts(doc), from_organisation=doc.get("organisation") or principal.organisation,
        to_organisation=organisation, first=doc.get("organisation") is None,
    )  # fmt: skip
    return changed, [_event(changed, handed)]


def close_by_counsellor(
    doc: Question, principal: Principal, note: str | None, now: datetime, options: AskOptions
) -> tuple[Question, Events]:
    _expect(doc, *LIVE)
    resolution = Resolution.ANSWERED if doc["first_answer_at"] is not None else Resolution.UNANSWERED
    closed, events = _closed(doc, resolution, now, options)
    closed["closed_by"] = {"by": principal.subject, "organisation": principal.organisation, "note": note}
    return closed, events


def report(
    doc: Question, principal: Principal, reason: str, now: datetime, options: AskOptions
) -> tuple[Question, Events]:
    """Abusive: hidden from every queue at once, closed, and counted."""
    _expect(doc, *LIVE)
    closed, events = _closed(doc, Resolution.REPORTED, now, options)
    closed["reported"] = {
        "by": principal.subject,
        "organisation": principal.organisation,
        "reason": reason,
        "at": now,
    }
    return closed, events


# ---------------------------------------------------------------------------------------------- shared


def _answered(doc: Question) -> bool:
    return doc.get("first_answer_at") is not None


def _closed(
    doc: Question, resolution: Resolution, now: datetime, options: AskOptions
) -> tuple[Question, Events]:
    closed = {
        **doc,
        "state": State.CLOSED.value,
        "resolution": resolution.value,
        "claim": None,
        "closed_at": now,
        "expires_at": min(doc["expires_at"], now + options.closed),
    }
    closed.pop("drafts_due_at", None)
    event = QuestionClosed(**_facts(doc), resolution=resolution, answered=_answered(doc))
    return closed, [_event(closed, event)]
