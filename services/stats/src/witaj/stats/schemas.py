"""HTTP models of the stats API (the `XPublic` shapes dashboards read)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from witaj.stats.questions import WAITS


class Point(BaseModel):
    start: datetime
    count: int | None = Field(description="null when suppressed or pending")
    suppressed: bool = False
    pending: bool = Field(
        default=False, description="A day whose counts of people are not released yet (null count)"
    )


class SeriesPublic(BaseModel):
    city: str
    metric: str
    dimension: str
    value: str
    granularity: str
    people: bool = Field(description="Counts people: small counts are suppressed")
    points: list[Point]


class CellPublic(BaseModel):
    value: str
    count: int | None
    suppressed: bool = False


class BreakdownPublic(BaseModel):
    city: str
    metric: str
    dimension: str
    granularity: str
    start: datetime
    end: datetime
    people: bool
    total: CellPublic
    cells: list[CellPublic]


class QueryGap(BaseModel):
    query: str
    language: str
    searches: int
    sessions: str = Field(description="At least this many distinct sessions asked, e.g. '>=5'")


class LanguageDemand(BaseModel):
    language: str
    views_untranslated: int = Field(description="Views served in a fallback language")
    views_outdated: int = Field(description="Views of a translation marked outdated or missing")
    total: int


class FillRate(BaseModel):
    """How full one occurrence of an event was, as released with its day's counts of people."""

    event: str
    organisation: str | None
    occurrence: datetime | None = Field(description="Its start; null for a course registered as a whole")
    day: datetime = Field(description="The day whose release holds it (a whole course: the day it starts)")
    capacity: int | None
    confirmed: int | None = Field(description="Places confirmed for this occurrence; null when suppressed")
    fill_rate: float | None = Field(description="confirmed / capacity; null when unknown or suppressed")
    suppressed: bool = False


class Delivery(BaseModel):
    channel: str
    delivered: int
    failed: int
    opened: int
    success_rate: float | None


class OpenDataPolicy(BaseModel):
    """What a city publishes without sign-in (open data); everything else needs an analyst's token."""

    metrics: list[str] = Field(default_factory=list, max_length=50)
    indicators: list[str] = Field(default_factory=list, max_length=50)


class DatasetAccepted(BaseModel):
    dataset_id: str
    indicator: str
    period: str
    rows: int
    status: str = "accepted"


class Format(StrEnum):
    """What a figure is downloaded as."""

    JSON = "json"
    CSV = "csv"
    JSONSTAT = "jsonstat"


class QuestionRow(BaseModel):
    dimension: str = Field(description="total, topic or language")
    value: str = Field(description="The topic or language; '' for the total")
    asked: int | None = Field(description="Sent to counsellors (null when suppressed)")
    answered: int | None = Field(description="Answered for the first time before the day was released")
    resolved_instantly: int | None = Field(description="Answered by published content: nobody was asked")
    unanswered: int | None = Field(description="Closed or expired without an answer")
    handed_over: int | None = Field(description="Handed over to another organisation at least once")
    reported: int | None = Field(description="Reported as abusive by a counsellor")
    answered_share: float | None = Field(description="answered / asked, when both are shown")
    instant_share: float | None = Field(
        description="resolved_instantly / (resolved_instantly + asked), when both are shown"
    )
    median_wait: str | None = Field(
        description=f"Bucket of the median time to first answer ({', '.join(WAITS)}), where the answers "
        "it is taken over are shown; else null"
    )


class QuestionsPublic(BaseModel):
    city: str
    day: datetime
    released_at: datetime = Field(description="When the day's figures were released (never changed since)")
    rows: list[QuestionRow]


class DistrictsPublic(BaseModel):
    """A city's district boundaries: the map its per-district figures are drawn on."""

    city: str
    features: list[dict[str, Any]] = Field(description="GeoJSON Features: id, name, geometry")
    updated_at: datetime | None = None
