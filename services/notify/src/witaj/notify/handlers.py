"""The domain events notify consumes, and the fan-out job each calls for (if any).

Published and important updated content and agenda items reach the subscribers of their topics and
target groups (and of the topics above them); a cancelled agenda item reaches those who were told of it;
a promotion or cancellation of a registration, and a counsellor's answer or question back, reach the one
subscription the registrant or migrant named. The jobs are recorded here and fanned out by
`witaj.notify.fanout.Fanout`'s worker.
"""

from __future__ import annotations

from typing import Any, Protocol

from witaj.notify.matching import Criteria
from witaj.shared.cities import FEATURE_OF_KIND
from witaj.shared.envelope import Envelope
from witaj.shared.events import (
    AgendaItemCancelled,
    AgendaItemPublished,
    AgendaItemUpdated,
    ContentPublished,
    ContentUpdated,
    Feature,
    QuestionAnswered,
    QuestionAskedBack,
    RegistrationCancelled,
    RegistrationPromoted,
)
from witaj.shared.handlers import Handlers, Subscription
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS, ASK_QUESTIONS, CONTENT_ITEMS


class FanoutJobs(Protocol):
    """Where jobs are recorded and agenda items' facts kept (`witaj.notify.fanout.Fanout`)."""

    def with_ancestors(self, city: str | None, topics: list[str]) -> list[str]:
        """The topics and every topic above them in the city's tree."""
        ...

    async def remember_event(self, city: str, data: AgendaItemPublished | AgendaItemUpdated) -> None: ...

    async def knows_event(self, city: str, event_id: str) -> bool: ...

    async def record(self, envelope: Envelope[Any], job: dict[str, Any]) -> None: ...


class FanoutHandlers:
    """One handler per kind of news; each records at most one job, idempotent by the event id."""

    def __init__(self, jobs: FanoutJobs) -> None:
        self.jobs = jobs

    async def content_published(self, envelope: Envelope[ContentPublished | ContentUpdated]) -> None:
        data, city = envelope.data, envelope.city
        criteria = Criteria(city, self.jobs.with_ancestors(city, data.topics), data.user_types)
        job = {"criteria": criteria.as_document(), "titles": data.titles, "path": data.path}
        job["feature"] = FEATURE_OF_KIND[data.kind].value
        await self.jobs.record(envelope, job)

    async def content_updated(self, envelope: Envelope[ContentUpdated]) -> None:
        if envelope.data.important:  # editors mark the updates worth telling subscribers of
            await self.content_published(envelope)

    async def remember_agenda_item(self, envelope: Envelope[AgendaItemPublished | AgendaItemUpdated]) -> None:
        """Keep what a later cancellation or registration message needs to know about the item."""
        await self.jobs.remember_event(envelope.city, envelope.data)

    async def agenda_item_published(
        self, envelope: Envelope[AgendaItemPublished | AgendaItemUpdated]
    ) -> None:
        data, city = envelope.data, envelope.city
        topics = self.jobs.with_ancestors(city, data.topics)
        criteria = Criteria(city, topics, data.target_groups, data.event_kind)
        job = {"criteria": criteria.as_document(), "titles": data.titles, "path": data.path}
        job["when"] = data.next_start.isoformat() if data.next_start else None
        job["feature"] = Feature.EVENTS.value
        await self.jobs.record(envelope, job)

    async def agenda_item_updated(self, envelope: Envelope[AgendaItemUpdated]) -> None:
        if envelope.data.important:
            await self.agenda_item_published(envelope)

    async def agenda_item_cancelled(self, envelope: Envelope[AgendaItemCancelled]) -> None:
        data, city = envelope.data, envelope.city
        # Its facts come from the AgendaItemPublished before it (same topic and key, so read first): none
        # means nobody was ever told of this item, so nobody is told of its cancellation either.
        if not await self.jobs.knows_event(city, data.event_id):
            return
        job = {"facts": f"{city}:{data.event_id}", "titles": data.titles, "path": data.path}
        job["when"] = data.occurrence.isoformat() if data.occurrence else None
        job["feature"] = Feature.EVENTS.value
        await self.jobs.record(envelope, job)

    async def registration_changed(
        self, envelope: Envelope[RegistrationPromoted | RegistrationCancelled]
    ) -> None:
        data = envelope.data
        if not data.subscriber:
            return  # the registrant did not ask to be told
        job: dict[str, Any] = {"facts": f"{envelope.city}:{data.event_id}", "target": data.subscriber}
        job["when"] = data.occurrence.isoformat() if data.occurrence else None
        job["proof"] = {"registration": data.registration_id, "value": data.subscriber_proof}
        await self.jobs.record(envelope, job)

    async def question_replied(self, envelope: Envelope[QuestionAnswered | QuestionAskedBack]) -> None:
        data = envelope.data
        if not data.subscriber:
            return  # the migrant did not ask to be told
        job: dict[str, Any] = {"target": data.subscriber, "path": data.path, "titles": {}}
        job["proof"] = {"question": data.question_id, "value": data.subscriber_proof}
        await self.jobs.record(envelope, job)


def fanout(jobs: FanoutJobs) -> Handlers:
    """What the fan-out consumer does with each event (other events on its topics are not news)."""
    on = FanoutHandlers(jobs)
    return (
        Handlers()
        .add(ContentPublished, on.content_published)
        .add(ContentUpdated, on.content_updated)
        # Every publication and update keeps the item's facts, news or not; then its job, if news.
        .add(AgendaItemPublished, on.remember_agenda_item, on.agenda_item_published)
        .add(AgendaItemUpdated, on.remember_agenda_item, on.agenda_item_updated)
        .add(AgendaItemCancelled, on.agenda_item_cancelled)
        .add(RegistrationPromoted, on.registration_changed)
        .add(RegistrationCancelled, on.registration_changed)
        .add(QuestionAnswered, on.question_replied)
        .add(QuestionAskedBack, on.question_replied)
    )


def subscriptions(jobs: FanoutJobs) -> list[Subscription]:
    """Notify's consumers: one group, shared by its replicas, records every fan-out job."""
    return [
        Subscription(
            "fanout", [CONTENT_ITEMS, AGENDA_EVENTS, AGENDA_REGISTRATIONS, ASK_QUESTIONS], fanout(jobs)
        )
    ]
