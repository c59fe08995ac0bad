"""From the stats API's answers to what a page shows: periods, charts and the tables beside them.

Nothing is computed here that the API did not publish: a suppressed figure stays suppressed (never 0),
a day not released yet stays pending, no 'other' cell is made by subtracting, and sums are shown only
for usage counts (actions, not people). Times are the API's windows, in UTC, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_datetime
from markupsafe import Markup
from witaj.web.i18n import Translator, babel_locale
from witaj.web.insights import charts

PERIODS: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "365d": timedelta(days=365),
}
GRANULARITIES = ("minute", "hour", "day")
STEP = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_WINDOWS = 1_500
"""Most columns one chart draws (the API allows 2,000): a year of days, a day of minutes."""
PEOPLE_DAYS = timedelta(days=14)
"""Counts of people come per settled day: their charts show at least this many days, so some are out."""
PEOPLE_METRICS = frozenset(
    {"registrations", "confirmed", "waitlisted", "cancellations", "attended", "no_shows"}
)


@dataclass(frozen=True)
class Span:
    """What the pickers chose: a period ending now, cut into windows of one granularity."""

    period: str
    granularity: str
    start: datetime
    end: datetime
    adjusted: bool = False
    """The granularity asked for would make too many windows: a coarser one was taken."""

    def query(self, **more: str) -> dict[str, str]:
        return {"period": self.period, "granularity": self.granularity, **more}

    @property
    def days(self) -> tuple[datetime, datetime]:
        """The days counts of people are shown for: the period, or the last two weeks if longer."""
        return min(self.start, self.end - PEOPLE_DAYS), self.end


def choose(period: str | None, granularity: str | None, now: datetime | None = None) -> Span:
    period = period if period in PERIODS else "24h"
    wanted = (
        granularity
        if granularity in GRANULARITIES
        else ("hour" if PERIODS[period] <= timedelta(days=7) else "day")
    )
    chosen = wanted
    length = PERIODS[period]
    for candidate in GRANULARITIES[GRANULARITIES.index(wanted) :]:
        chosen = candidate
        if length / STEP[candidate] <= MAX_WINDOWS:
            break
    end = now or datetime.now(UTC)
    return Span(period, chosen, end - length + STEP[chosen], end, adjusted=chosen != wanted)


def window_label(t: Translator, moment: datetime, granularity: str) -> str:
    locale = babel_locale(t.language)
    if granularity == "day":
        return str(format_datetime(moment, "d MMM", tzinfo=UTC, locale=locale))
    return str(format_datetime(moment, "HH:mm", tzinfo=UTC, locale=locale))


def window_long(t: Translator, moment: datetime, granularity: str) -> str:
    locale = babel_locale(t.language)
    pattern = "d MMM y" if granularity == "day" else "d MMM y, HH:mm"
    return str(format_datetime(moment, pattern, tzinfo=UTC, locale=locale))


def figure_text(
    t: Translator, count: float | None, *, suppressed: bool = False, pending: bool = False
) -> str:
    if pending:
        return t("insights.pending")
    if suppressed or count is None:
        return t("insights.suppressed")
    return t.number(count)


def state_of(cell: dict[str, Any]) -> str:
    if cell.get("pending"):
        return "pending"
    if cell.get("suppressed") or cell.get("count") is None:
        return "suppressed"
    return "shown"


@dataclass
class Figure:
    """A chart and its table: `rows` are (label, text, state) in the order of the chart."""

    chart: Markup
    rows: list[tuple[str, str, str]]
    total: str | None = None
    suppressed: int = 0
    pending: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def series_figure(t: Translator, series: dict[str, Any], *, chart_id: str, title: str, colour: str) -> Figure:
    granularity = series["granularity"]
    points = series["points"]
    data: list[charts.Datum] = []
    rows: list[tuple[str, str, str]] = []
    for point in points:
        moment = datetime.fromisoformat(point["start"])
        state = state_of(point)
        text = figure_text(t, point["count"], suppressed=state == "suppressed", pending=state == "pending")
        data.append(charts.Datum(window_label(t, moment, granularity), point["count"], state, text))
        rows.append((window_long(t, moment, granularity), text, state))
    people = bool(series.get("people"))
    shown = [p["count"] for p in points if state_of(p) == "shown"]
    suppressed = sum(1 for p in points if state_of(p) == "suppressed")
    pending = sum(1 for p in points if state_of(p) == "pending")
    highest = max(shown, default=0)
    summary = t(
        "insights.chart.series_summary",
        windows=t.number(len(points)),
        highest=t.number(highest),
    )
    if suppressed or pending:
        summary += " " + t(
            "insights.chart.hidden_summary", suppressed=t.number(suppressed), pending=t.number(pending)
        )
    chart = charts.columns(
        data, chart_id=chart_id, title=title, summary=summary, rtl=t.rtl, colour=colour,
        ticks=charts.tick_indices(len(data)),
    )  # fmt: skip
    total = None if people else t.number(sum(shown))
    return Figure(chart, rows, total=total, suppressed=suppressed, pending=pending)


def cells_figure(
    t: Translator,
    cells: list[dict[str, Any]],
    *,
    chart_id: str,
    title: str,
    label: Any = None,
    colour: str = charts.PALETTE[0],
) -> Figure:
    """A breakdown or top list as bars: one per cell the API gave, in its order; `label(value)` names a
    cell (a language's name, a kind's word), else its value is shown as it is."""
    data: list[charts.Datum] = []
    rows: list[tuple[str, str, str]] = []
    for cell in cells:
        state = state_of(cell)
        name = label(cell["value"]) if label else cell["value"]
        text = figure_text(t, cell.get("count"), suppressed=state == "suppressed")
        data.append(charts.Datum(name, cell.get("count"), state, text))
        rows.append((name, text, state))
    suppressed = sum(1 for _, _, s in rows if s == "suppressed")
    summary = t("insights.chart.bars_summary", count=t.number(len(rows)))
    if rows and data[0].state == "shown":
        summary += " " + t("insights.chart.bars_first", name=rows[0][0], value=rows[0][1])
    chart = charts.bars(data, chart_id=chart_id, title=title, summary=summary, rtl=t.rtl, colour=colour)
    return Figure(chart, rows, suppressed=suppressed)
