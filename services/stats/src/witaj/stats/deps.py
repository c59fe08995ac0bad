"""What routes get from the composition root (`main.py`): one typed container, `Services`, kept on
`app.state.stats`, `Annotated` dependencies for its parts, and the switches that hide a city's
statistics or open data (404) where the city turned them off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from witaj.shared.cities import require_feature
from witaj.shared.deps import from_state
from witaj.shared.events import Feature
from witaj.shared.runtime import Runtime
from witaj.stats.live import LiveHub
from witaj.stats.rollups import RollupStore
from witaj.stats.settings import StatsSettings


@dataclass(frozen=True)
class Services:
    """Everything the stats API holds for its lifetime, built once by `main.py`."""

    runtime: Runtime
    settings: StatsSettings
    store: RollupStore
    """The processor's rollups, releases and decisions: the API reads them, and releases what is due."""
    live: LiveHub
    """Rollups as they are published, for the live dashboards (every replica hears every city)."""


def switched_on(feature: Feature) -> Any:
    """A route dependency: 404 when the city switched `feature` off. A city whose configuration has not
    reached this service is not refused: its figures come from the other services' events anyway."""

    async def check(city: str, services: ServicesDep) -> None:
        config = services.runtime.cities.get(city)
        if config is not None:
            require_feature(config, feature)

    return Depends(check)


ServicesDep = Annotated[Services, Depends(from_state("stats"))]
Store = Annotated[RollupStore, Depends(from_state("stats", "store"))]
Settings = Annotated[StatsSettings, Depends(from_state("stats", "settings"))]
StatsOn, OpenDataOn = switched_on(Feature.STATS), switched_on(Feature.OPEN_DATA)
