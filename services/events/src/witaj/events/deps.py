"""What routes get from the composition root (`main.py`): one typed container, `Services`, kept on
`app.state.events`, and `Annotated` dependencies for the parts most routes use, so no route reaches into
the application's state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from witaj.events.jobs import Housekeeping
from witaj.events.registrations import RegistrationStore
from witaj.events.settings import EventsSettings
from witaj.events.store import AgendaStore
from witaj.shared.demand import Demand
from witaj.shared.deps import from_state
from witaj.shared.events import Feature
from witaj.shared.outbound import OutboundClient
from witaj.shared.runtime import Runtime


@dataclass(frozen=True)
class Services:
    """Everything the events service holds for its lifetime, built once by `main.py`."""

    runtime: Runtime
    settings: EventsSettings
    events: AgendaStore
    registrations: RegistrationStore
    demand: Demand
    """Views per event and language asked for (the translators' dashboard orders by it)."""
    calendars: OutboundClient
    """Fetches organisations' calendar URLs: public addresses only, bounded in size and time."""
    housekeeping: Housekeeping


async def events_on(city: str, services: ServicesDep) -> None:
    """Run before every route of a city's events: 404 for a city Witaj does not serve or one that
    switched events off, so nothing of such a city is read, written or cached."""
    services.runtime.cities.require_feature(city, Feature.EVENTS)


ServicesDep = Annotated[Services, Depends(from_state("events"))]
RuntimeDep = Annotated[Runtime, Depends(from_state("events", "runtime"))]
Store = Annotated[AgendaStore, Depends(from_state("events", "events"))]
Registrations = Annotated[RegistrationStore, Depends(from_state("events", "registrations"))]
EventsOn = Depends(events_on)
Lang = Annotated[str | None, Query(max_length=12, description="Preferred language")]
