"""Migrants' questions on the dashboards: one day's release of them, per topic and language.

The figures are read from the day's release only (`witaj.stats.questions`, `witaj.stats.releases`), so
they are the ones every other output shows (breakdowns, series, downloads, open data, the stream), and
a day not settled yet has none (409). A share is given only where what it is made of is shown.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.errors import ERROR_RESPONSES
from witaj.shared.mongo import Document
from witaj.stats import dashboards, releases
from witaj.stats.access import reader
from witaj.stats.deps import Settings, StatsOn, Store
from witaj.stats.privacy import TOTAL
from witaj.stats.schemas import QuestionRow, QuestionsPublic
from witaj.stats.windows import Granularity, window_start

COUNTS = {
    "asked": "questions_asked",
    "answered": "questions_answered",
    "resolved_instantly": "questions_resolved_instantly",
    "unanswered": "questions_unanswered",
    "handed_over": "questions_handed_over",
    "reported": "questions_reported",
}
"""Field of a row -> the metric it is counted in."""


def _share(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if part is not None and whole else None


def rows(release: Document) -> list[QuestionRow]:
    """The release's question figures as rows: the total first, then topics and languages."""
    figures: dict[tuple[str, str], dict[str, int | None]] = {("total", TOTAL): {}}
    metrics = {m: name for name, m in COUNTS.items()}
    for cell in release["cells"]:
        if cell["metric"] in metrics:
            figures.setdefault((cell["dimension"], cell["value"]), {})[metrics[cell["metric"]]] = cell[
                "count"
            ]
    medians = {(m["dimension"], m["value"]): m["bucket"] for m in release.get("median_waits", [])}
    order = {"total": 0, "topic": 1, "language": 2}
    out = []
    for (dimension, value), shown in sorted(figures.items(), key=lambda f: (order[f[0][0]], f[0][1])):
        counts = {name: shown.get(name, 0) for name in COUNTS}  # not in the release: nobody
        asked, instant = counts["asked"], counts["resolved_instantly"]
        out.append(
            QuestionRow(
                dimension=dimension,
                value=value,
                **counts,
                answered_share=_share(counts["answered"], asked),
                instant_share=_share(instant, None if asked is None or instant is None else asked + instant),
                median_wait=medians.get((dimension, value)),
            )
        )
    return out


router = APIRouter(responses=ERROR_RESPONSES, dependencies=[StatsOn])


@router.get("/cities/{city}/questions", tags=["dashboards"], summary="Migrants' questions of one day")
async def get_questions(
    city: str,
    principal: CurrentPrincipal,
    store: Store,
    settings: Settings,
    day: Annotated[
        datetime | None, Query(description="A moment of the day (UTC); default: the last day released")
    ] = None,
) -> QuestionsPublic:
    """Questions asked on the day: sent to counsellors, answered, resolved by instant answers,
    unanswered, handed over and reported, in total and per topic and language, with the answered share,
    the instant share and the median time to first answer. A day is released once it has settled
    (`privacy.release_after_hours`); before that the answer is 409 `not_released`."""
    reader(principal, city)
    privacy = settings.privacy
    moment = day or datetime.now(UTC) - releases.DAY - privacy.release_delay
    start = window_start(moment, Granularity.DAY)
    found = await releases.released(store, city, [start], privacy.threshold, privacy.release_delay)
    release = found.get(start)
    if release is None:
        raise dashboards.not_released(start, privacy)
    return QuestionsPublic(city=city, day=start, released_at=release["released_at"], rows=rows(release))
