"""City configuration and topic trees: owned by the content service, copied by others from `city.config`."""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from witaj.shared.envelope import EventData, event_type
from witaj.shared.languages import LANGUAGES

CITY_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class Feature(StrEnum):
    """Parts of the platform a city can switch on or off."""

    CONTENT = "content"
    PROCEDURES = "procedures"
    GLOSSARY = "glossary"
    DIRECTORY = "directory"
    PRACTICES = "practices"
    EVENTS = "events"
    REGISTRATION = "registration"
    NOTIFICATIONS = "notifications"
    FEEDBACK = "feedback"
    QUESTIONS = "questions"
    """Migrants ask the city's counsellors (the ask service); suggestions to content go with FEEDBACK."""
    MACHINE_TRANSLATION = "machine_translation"
    STATS = "stats"
    OPEN_DATA = "open_data"


DEFAULT_FEATURES = frozenset(Feature) - {Feature.MACHINE_TRANSLATION, Feature.OPEN_DATA}


class CityConfig(BaseModel):
    """What a city decides about itself: languages, fallbacks, time zone, enabled features."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="URL-safe slug, e.g. 'lublin'", examples=["lublin"])
    name: str = Field(min_length=1, max_length=120)
    country: str = Field(description="ISO 3166-1 alpha-2 code", examples=["PL"])
    timezone: str = Field(default="Europe/Warsaw", description="IANA time zone name")
    default_language: str
    languages: list[str] = Field(min_length=1, max_length=60, description="Languages the city offers")
    fallbacks: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per language, the languages to try next; '*' applies to every language",
    )
    features: list[Feature] = Field(default_factory=lambda: sorted(DEFAULT_FEATURES))
    privacy_threshold: int | None = Field(
        default=None,
        ge=2,
        le=100,
        description="The smallest count of people the city's statistics show (smaller ones are hidden, "
        "and whatever would give them away); unset: the platform's. A city may raise the platform's, "
        "never lower it: the stats service keeps the larger of the two",
    )

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not CITY_ID.match(value):
            raise ValueError("city id must be 1-64 lowercase letters, digits or dashes")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not COUNTRY.match(value):
            raise ValueError("country must be an ISO 3166-1 alpha-2 code such as 'PL'")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        if value not in known_timezones():
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Warsaw'")
        return value

    @field_validator("features")
    @classmethod
    def _unique_features(cls, value: list[Feature]) -> list[Feature]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _languages_known(self) -> CityConfig:
        """Each problem has its own type (`city_...`), so a form can show it next to the input concerned."""
        unknown = sorted(
            {self.default_language, *self.languages, *(c for cs in self.fallbacks.values() for c in cs)}
            - set(LANGUAGES)
        )
        if unknown:
            raise _problem("city_unknown_language", f"unknown language codes: {', '.join(unknown)}")
        if len(set(self.languages)) != len(self.languages):
            raise _problem("city_languages_repeat", "languages must not repeat")
        if self.default_language not in self.languages:
            raise _problem("city_default_not_offered", "default_language must be one of the city's languages")
        for source, chain in self.fallbacks.items():
            if source != "*" and source not in self.languages:
                raise _problem(
                    "city_fallback_not_offered", f"fallbacks for {source!r}, which the city does not offer"
                )
            strays = [c for c in chain if c not in self.languages]
            if strays:
                raise _problem(
                    "city_fallback_not_offered",
                    f"fallback chain for {source!r} uses languages not offered: {strays}",
                )
        return self

    def has(self, feature: Feature) -> bool:
        return feature in self.features


def _problem(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


@functools.cache
def known_timezones() -> frozenset[str]:
    """The IANA time zone names, read once: the listing walks the zone database (milliseconds)."""
    return frozenset(available_timezones())


@event_type("city.configured")
class CityConfigured(EventData):
    """A full snapshot of a city's configuration; `revision` lets copies ignore stale snapshots."""

    config: CityConfig
    revision: int = Field(ge=1)


TOPIC_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"
"""A topic's id: what items and subscriptions are tagged with, so it never changes once in use."""
MAX_TOPICS = 200


class Topic(BaseModel):
    """One node of a city's topic tree: its id, its parent (none at the top) and its label per language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=TOPIC_ID, examples=["health-insurance"])
    parent: str | None = Field(default=None, pattern=TOPIC_ID, examples=["health"])
    labels: dict[str, str] = Field(min_length=1, description="Label per language code")


@event_type("city.topic_tree_changed")
class TopicTreeChanged(EventData):
    """A full snapshot of one city's topic tree, so a consumer can check tags (e.g. subscription topics)
    against it; `revision` lets copies ignore stale snapshots. Travels on `city.config` under the key
    `<city>/topics`, apart from the configuration's key, so compaction keeps the latest of each."""

    topics: list[Topic] = Field(max_length=MAX_TOPICS)
    revision: int = Field(ge=1)
