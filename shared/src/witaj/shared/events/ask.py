"""Events the ask service publishes about migrants' questions to the city's counsellors.

They carry ids, the city, the topic, the language, the day the question was asked and the state only. What a migrant or a counsellor
wrote never travels on a topic: it stays in the ask service's database, under its own access rule,
retention and erasure. A migrant who wants to hear of an answer names a notify subscription and proves
they hold it (`subscriber_proof`, see `witaj.shared.subscriber_proof`); notify then puts a notice (no
text of the thread) in that inbox, and the migrant reads the thread from the ask service with their token.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field
from witaj.shared.envelope import EventData, event_type


class Resolution(StrEnum):
    """Why a question was closed."""

    INSTANT_ANSWER = "instant_answer"
    """The migrant said a published page, procedure or glossary entry answered it: nobody was asked."""
    ANSWERED = "answered"
    """Closed after a counsellor's answer (by the migrant or a counsellor)."""
    UNANSWERED = "unanswered"
    """A counsellor closed it without an answer (out of scope, a duplicate, gone silent)."""
    WITHDRAWN = "withdrawn"
    """The migrant erased it before it was closed."""
    REPORTED = "reported"
    """A counsellor reported it as abusive: hidden from every queue."""
    EXPIRED = "expired"
    """Its retention ran out before it was closed; it was erased."""


class _QuestionFacts(EventData):
    question_id: str = Field(max_length=64, description="Random, pseudonymous id of the question")
    topic: str | None = Field(default=None, max_length=40, description="Topic of the city's tree, if chosen")
    language: str = Field(max_length=3, description="Language the migrant wrote in")
    asked_on: date | None = Field(
        default=None,
        description="UTC day the migrant asked the question: stats counts everything about it on that day",
    )


class _ToMigrant(_QuestionFacts):
    """A message for the migrant: notify tells the subscription they named, if they proved holding it."""

    organisation: str | None = Field(default=None, description="Organisation of the counsellor who wrote")
    subscriber: str | None = Field(default=None, description="Notify subscription to tell, if any")
    subscriber_proof: str | None = Field(
        default=None, description="HMAC proving the migrant holds that subscription (never its credential)"
    )
    path: str = Field(description="API path of the migrant's thread (read with the question's token)")


@event_type("ask.question_asked")
class QuestionAsked(_QuestionFacts):
    """A migrant sent a question to the city's counsellors (it was not answered by instant answers)."""


@event_type("ask.question_answered")
class QuestionAnswered(_ToMigrant):
    """A counsellor answered. `first` marks the question's first answer, `wait_seconds` how long it took
    from being asked (for the time to first answer)."""

    first: bool = False
    wait_seconds: int | None = Field(default=None, ge=0)


@event_type("ask.question_asked_back")
class QuestionAskedBack(_ToMigrant):
    """A counsellor needs more from the migrant before answering."""


@event_type("ask.question_handed_over")
class QuestionHandedOver(_QuestionFacts):
    """The question went to another organisation's counsellors."""

    from_organisation: str | None = None
    to_organisation: str
    first: bool = Field(default=False, description="The question's first hand-over (stats counts questions)")


@event_type("ask.question_closed")
class QuestionClosed(_QuestionFacts):
    resolution: Resolution
    answered: bool = Field(description="A counsellor had answered it before it was closed")
