"""The demo city `make run` seeds: Lublin, in Polish, English, Ukrainian, Russian and Arabic."""

from __future__ import annotations

from witaj.content.cities import CityStore
from witaj.shared.events import CityConfig
from witaj.shared.logging import get_logger

log = get_logger(__name__)

LUBLIN = CityConfig(
    id="lublin",
    name="Lublin",
    country="PL",
    timezone="Europe/Warsaw",
    default_language="pl",
    languages=["pl", "en", "uk", "ru", "ar"],
    # Ukrainian readers are not sent to Russian by default: many would rather read English or Polish.
    fallbacks={"uk": ["pl", "en"], "ru": ["en", "pl"], "ar": ["en", "pl"], "*": ["en", "pl"]},
)


async def seed_demo_city(cities: CityStore) -> None:
    """Create Lublin unless it exists; safe to run on every start."""
    if await cities.get(LUBLIN.id) is None:
        await cities.create(LUBLIN, by="seed")
        log.info("demo.city_seeded", city=LUBLIN.id)
