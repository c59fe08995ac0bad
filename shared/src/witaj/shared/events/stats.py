"""Stat streams: what the stats service publishes for analysts to subscribe to with any Kafka client.

Every value is already privacy-safe: counts derived from people (registrations, attendance, indicator
cells) below the service's threshold arrive as `count: null, suppressed: true`, with complementary cells
suppressed too, so no published figure singles out a person. Tables of people come once per day, when
the stats service releases that day, and never change; indicator figures once per dataset, when audited. Rollup messages carry absolute counts, not
deltas, so a subscriber that sees one twice (at-least-once delivery) is still right: the last one wins.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from witaj.shared.envelope import EventData, event_type


class Cell(BaseModel):
    """One figure of a breakdown; `count` is null when suppressed for privacy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str = Field(
        description="The dimension value, e.g. a language code or an item id; '' for the total"
    )
    count: int | None = Field(default=None, ge=0)
    suppressed: bool = False


@event_type("stats.rollup_updated")
class RollupUpdated(EventData):
    """Counts of one metric in one time window changed; keyed by city. Cells hold absolute counts.
    With `people` true, the day's released table, whole with its total (`value` ''), sent once."""

    metric: str = Field(description="page_views, searches, zero_result_searches, registrations, ...")
    dimension: str = Field(description="total, topic, language, item, event, organisation, channel, ...")
    granularity: str = Field(description="minute, hour or day")
    window_start: datetime
    people: bool = Field(description="Counts people: small counts are suppressed")
    cells: list[Cell]


class IndicatorRow(BaseModel):
    """One submitted figure of an integration indicator for one population group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sex: str = "total"
    age_group: str = "total"
    citizenship: str = "total"
    district: str = Field(default="total", description="The city's own district id; 'total': the whole city")
    value: float
    numerator: int | None = Field(default=None, ge=0, description="People counted, for suppression")
    denominator: int | None = Field(default=None, ge=0)


@event_type("stats.indicator_dataset_submitted")
class IndicatorDatasetSubmitted(EventData):
    """A validated dataset for one indicator and period; replaces the city's earlier figures for it."""

    dataset_id: str
    indicator: str
    period: str = Field(description="Year 'YYYY', quarter 'YYYY-Qn' or month 'YYYY-MM'")
    rows: list[IndicatorRow] = Field(min_length=1, max_length=10_000)


class IndicatorCell(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sex: str
    age_group: str
    citizenship: str
    district: str = "total"
    value: float | None = None
    suppressed: bool = False


@event_type("stats.indicator_updated")
class IndicatorUpdated(EventData):
    """A city's figures for one indicator and period, after suppression; keyed by city."""

    dataset_id: str
    indicator: str
    unit: str
    period: str
    cells: list[IndicatorCell]
