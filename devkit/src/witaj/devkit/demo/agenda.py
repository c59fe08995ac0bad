"""A demo city's agenda and subscriptions, as read from its `events/` and `subscriptions.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from witaj.devkit.demo.reading import Where, localise, read
from witaj.events.schemas import AgendaItemCreate, Texts
from witaj.notify.schemas import SubscriptionCreate
from witaj.shared.events import CityConfig

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DemoEvent:
    """One agenda item. Its first occurrence is given as a weekday a few days ahead, so the demo agenda
    is always upcoming: `event_in` turns it into dates from the day it is seeded."""

    id: str
    organisation: str
    body: dict[str, Any]
    texts: dict[str, Texts]
    machine_translated: frozenset[str]

    @property
    def source_language(self) -> str:
        return str(self.body["source_language"])

    def event_in(self, today: date) -> AgendaItemCreate:
        return AgendaItemCreate.model_validate(
            {
                **self.body,
                "texts": self.texts[self.source_language].model_dump(),
                "schedule": self._dates(today),
            }
        )

    def _dates(self, today: date) -> dict[str, Any]:
        first = dict(self.body["schedule"])
        day = today + timedelta(days=2)
        day += timedelta(days=(WEEKDAYS.index(first.pop("weekday")) - day.weekday()) % 7)
        day += timedelta(weeks=first.pop("weeks_ahead", 0))
        start = datetime.combine(day, time.fromisoformat(first.pop("at")))
        end = start + timedelta(minutes=first.pop("minutes"))
        return {**first, "start": start.isoformat(), "end": end.isoformat()}


@dataclass(frozen=True)
class DemoSubscription:
    """A device's subscription; `token` is its demo key (X-Subscriber-Token)."""

    id: str
    token: str
    preferences: SubscriptionCreate


def read_event(path: Path, config: CityConfig, machine: frozenset[str]) -> DemoEvent:
    spec = read(path)
    where = Where(path)
    body = dict(spec["event"])
    body.setdefault("source_language", config.default_language)
    texts = {
        language: where.check(
            lambda language=language: Texts.model_validate(
                localise(body["texts"], language, config.languages, where, "event.texts")
            ),
            f"event.texts ({language})",
        )
        for language in config.languages
    }
    event = DemoEvent(
        id=where.check(lambda: str(spec["id"]), "id"),
        organisation=where.check(lambda: str(spec["organisation"]), "organisation"),
        body=body,
        texts=texts,
        machine_translated=frozenset(spec.get("machine_translated", machine)) - {body["source_language"]},
    )
    where.check(lambda: event.event_in(date.today()), "event")
    return event


def read_subscriptions(path: Path, config: CityConfig) -> list[DemoSubscription]:
    where = Where(path)
    found = []
    for index, spec in enumerate(read(path).get("subscriptions", [])):
        preferences = where.check(
            lambda spec=spec: SubscriptionCreate.model_validate(
                {k: v for k, v in spec.items() if k not in ("id", "token")} | {"city": config.id}
            ),
            f"subscriptions.{index}",
        )
        found.append(DemoSubscription(str(spec["id"]), str(spec["token"]), preferences))
    return found
