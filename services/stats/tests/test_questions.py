"""Migrants' questions counted from ask.questions as counts of people: released once their day has settled,
each question in the release of the day it was asked, audited so that no small count can be worked out
from what is published (also by difference); and instant answers shown, counted as usage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stats_adversary import Adversary, Sum
from witaj.devkit.testing import read_topic, serve
from witaj.shared.envelope import Envelope, EventData, registry, wrap
from witaj.shared.events import (
    InstantAnswersShown,
    QuestionAnswered,
    QuestionAsked,
    QuestionClosed,
    QuestionHandedOver,
    Resolution,
)
from witaj.shared.topics import STATS_ROLLUPS
from witaj.stats.main import create_app
from witaj.stats.questions import QUESTIONS, Counts, build, median_wait, wait_bucket

THRESHOLD = 5
ASKED_ON = date(2026, 3, 2)
DAY = datetime(2026, 3, 2, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
PARAMS = {"day": "2026-03-02T00:00:00Z"}
Cell = tuple[str, str]
"""(topic, language) of the questions a count is about; topic '' for none."""


class Questions:
    """Ask events of one day's questions, with the true counts they make per topic and language."""

    def __init__(self, asked_on: date = ASKED_ON, time: datetime | None = None) -> None:
        self.asked_on = asked_on
        self.time = time or datetime.combine(asked_on, datetime.min.time(), UTC) + timedelta(hours=12)
        self.envelopes: list[Envelope[Any]] = []
        self.truth: dict[tuple[Cell, str], int] = {}
        self.serial = 0

    def _send(self, data: EventData, cell: Cell, metric: str | None, later: timedelta = timedelta()) -> None:
        time = self.time + later  # answers may come days later: still counted on the day it was asked
        self.envelopes.append(wrap(data, source="witaj/ask", city="lublin", subject="q", time=time))
        if metric:
            self.truth[(cell, metric)] = self.truth.get((cell, metric), 0) + 1

    def facts(self, n: int, cell: Cell) -> dict[str, Any]:
        return {
            "question_id": f"q{n}",
            "topic": cell[0] or None,
            "language": cell[1],
            "asked_on": self.asked_on,
        }

    def ask(self, cell: Cell, n: int) -> list[int]:
        ids = list(range(self.serial, self.serial + n))
        self.serial += n
        for i in ids:
            self._send(QuestionAsked(**self.facts(i, cell)), cell, "questions_asked")
        return ids

    def answer(self, cell: Cell, ids: list[int], wait: int, first: bool = True) -> None:
        for i in ids:
            data = QuestionAnswered(
                **self.facts(i, cell), organisation="caritas", first=first,
                wait_seconds=wait if first else None, path=f"/cities/lublin/questions/q{i}",
            )  # fmt: skip
            self._send(data, cell, "questions_answered" if first else None, timedelta(seconds=wait))

    def close(
        self, cell: Cell, i: int, resolution: Resolution, metric: str | None, answered: bool = False
    ) -> None:
        self._send(
            QuestionClosed(**self.facts(i, cell), resolution=resolution, answered=answered), cell, metric
        )

    def hand_over(self, cell: Cell, i: int, first: bool) -> None:
        data = QuestionHandedOver(**self.facts(i, cell), to_organisation="urzad", first=first)
        self._send(data, cell, "questions_handed_over" if first else None, timedelta(hours=1))

    def resolve_instantly(self, cell: Cell, n: int) -> None:
        for _ in range(n):
            self.serial += 1
            data = QuestionClosed(
                **self.facts(self.serial, cell), resolution=Resolution.INSTANT_ANSWER, answered=False
            )
            self._send(data, cell, "questions_resolved_instantly")


HEALTH_UK, HOUSING_AR, WORK_UK, NONE_UK = ("health", "uk"), ("housing", "ar"), ("work", "uk"), ("", "uk")
CELLS = [HEALTH_UK, HOUSING_AR, WORK_UK, NONE_UK]


def crafted_day() -> Questions:
    """Small counts placed to be found by differences: two housing questions in Arabic (the only Arabic
    ones: the language's figures are the topic's), one without a topic (the total less the topics), one
    closed unanswered, one reported, one handed over; beside eight, six and five of the rest."""
    day = Questions()
    health = day.ask(HEALTH_UK, 8)
    housing = day.ask(HOUSING_AR, 2)
    work = day.ask(WORK_UK, 6)
    day.ask(NONE_UK, 1)
    day.answer(HEALTH_UK, health[:6], wait=2 * 3600)
    day.answer(HEALTH_UK, health[:1], wait=0, first=False)  # a second answer counts nothing
    day.answer(HOUSING_AR, housing[:1], wait=10)
    day.answer(WORK_UK, work[:5], wait=2 * 86_400)  # two days later: still in the day it was asked
    day.resolve_instantly(HEALTH_UK, 5)
    day.close(HEALTH_UK, health[7], Resolution.EXPIRED, "questions_unanswered")
    day.close(HEALTH_UK, health[6], Resolution.REPORTED, "questions_reported")
    day.close(HEALTH_UK, health[0], Resolution.ANSWERED, None, answered=True)  # counted as answered already
    day.hand_over(HEALTH_UK, health[5], first=True)
    day.hand_over(HEALTH_UK, health[5], first=False)  # handed on again: the question counts once
    return day


Label = tuple[str, str, str]
"""(metric, dimension, value) of a published figure."""


def cells_of(label: Label) -> list[Cell]:
    _, dimension, value = label
    if dimension == "total":
        return CELLS
    return [c for c in CELLS if c[0 if dimension == "topic" else 1] == value]


def terms(label: Label) -> Sum:
    return {(c, label[0]): 1 for c in cells_of(label)}


async def published(client: Any, settings: Any) -> dict[Label, list[int | None]]:
    """Every figure about the day's questions from every output: the questions route, breakdowns (JSON
    and CSV), series and the stat stream."""
    seen: dict[Label, list[int | None]] = {}

    def add(metric: str, dimension: str, value: str, count: int | None) -> None:
        seen.setdefault((metric, "total" if not value else dimension, value), []).append(count)

    answer = await client.get("/cities/lublin/questions", params=PARAMS)
    assert answer.status_code == 200, answer.text
    for row in answer.json()["rows"]:
        for name in ("asked", "answered", "resolved_instantly", "unanswered", "handed_over", "reported"):
            add(f"questions_{name}", row["dimension"], row["value"], row[name])
    for metric in QUESTIONS:
        for dimension in ("topic", "language"):
            params = {"metric": metric, "dimension": dimension, "start": PARAMS["day"]}
            body = (await client.get("/cities/lublin/breakdown", params=params)).json()
            for cell in [body["total"], *body["cells"]]:
                add(metric, dimension, cell["value"], cell["count"])
            text = (await client.get("/cities/lublin/breakdown", params={**params, "format": "csv"})).text
            for line in text.splitlines()[1:]:
                row = line.split(",")
                value = "" if row[3] == "total" else row[3]
                add(metric, dimension, value, int(row[6]) if row[6] else None)
        span = {"start": PARAMS["day"], "end": PARAMS["day"], "granularity": "day"}
        body = (await client.get("/cities/lublin/series", params={"metric": metric, **span})).json()
        add(metric, "total", "", body["points"][0]["count"])
    for record in await read_topic(settings.kafka, STATS_ROLLUPS, count=1, timeout=3):
        data = registry.decode(record.value).data
        if data.metric in QUESTIONS:
            assert data.people and data.window_start == DAY and data.granularity == "day"
            for cell in data.cells:
                add(data.metric, data.dimension, cell.value, cell.count)
    return seen


def attacker(truth: dict[tuple[Cell, str], int], cells: list[Cell], threshold: int = THRESHOLD) -> Adversary:
    """Knows how questions go: answered and closed unanswered are different questions of those asked, so
    are closed unanswered and reported, and only an asked question is handed over."""
    variables = {(c, m): truth.get((c, m), 0) for c in cells for m in QUESTIONS}
    adversary = Adversary(threshold, variables)
    for c in cells:
        asked = (c, "questions_asked")
        adversary.know(
            {(c, "questions_answered"): 1, (c, "questions_unanswered"): 1, asked: -1}, -float("inf"), 0
        )
        adversary.know(
            {(c, "questions_unanswered"): 1, (c, "questions_reported"): 1, asked: -1}, -float("inf"), 0
        )
        adversary.know({(c, "questions_handed_over"): 1, asked: -1}, -float("inf"), 0)
    return adversary


async def test_a_settled_day_is_released_once_and_no_small_count_can_be_worked_out(
    settings, feed, store, auth_header
) -> None:
    day = crafted_day()
    await feed(day.envelopes, topic="ask.questions")
    assert await store.tables.count_documents({"metric": {"$in": list(QUESTIONS)}}) == 0, "never live"
    analyst = auth_header("analyst", city="lublin")
    async with serve(create_app(settings), headers=analyst) as client:
        answer = (await client.get("/cities/lublin/questions", params=PARAMS)).json()
        rows = {(r["dimension"], r["value"]): r for r in answer["rows"]}
        assert answer["day"].startswith("2026-03-02") and next(iter(rows)) == ("total", "")
        total, health = rows[("total", "")], rows[("topic", "health")]
        # Five resolved by instant answers, all about health in Ukrainian: shown, and the share beside the
        # questions asked only where those are shown.
        assert total["resolved_instantly"] == health["resolved_instantly"] == 5
        for row in rows.values():
            if row["asked"] is not None and row["resolved_instantly"] is not None:
                assert row["instant_share"] == round(
                    row["resolved_instantly"] / (row["asked"] + row["resolved_instantly"]), 4
                )
            else:
                assert row["instant_share"] is None
            if row["asked"] and row["answered"] is not None:
                assert row["answered_share"] == round(row["answered"] / row["asked"], 4)
            else:
                assert row["answered_share"] is None
            # The median wait only over answers that are shown, hence at least the threshold.
            assert (row["median_wait"] is not None) == bool(row["answered"]), row
        # Two housing questions in Arabic, one answered: hidden, with nothing worked out of them.
        housing = rows[("topic", "housing")]
        assert (housing["asked"], housing["answered"], housing["median_wait"]) == (None, None, None)
        assert rows[("language", "ar")]["asked"] is None
        # One unanswered, one reported, one handed over (twice): hidden everywhere.
        assert {total["unanswered"], total["reported"], total["handed_over"]} == {None}
        shown_answers = [r for r in rows.values() if r["answered"]]
        assert shown_answers, "some answers are shown"
        for row in shown_answers:  # health waited two hours, work two days
            expected = {("topic", "health"): "1h_4h", ("topic", "work"): "1d_3d"}.get(
                (row["dimension"], row["value"])
            )
            assert expected is None or row["median_wait"] == expected
        first = await published(client, settings)

        # A question answered after the release changes nothing published: the release stands.
        late = Questions()
        late.answer(WORK_UK, [15], wait=3 * 86_400)  # the sixth work question
        await feed(late.envelopes, topic="ask.questions")
        assert (await client.get("/cities/lublin/questions", params=PARAMS)).json() == answer
        again = await published(client, settings)
        kept = await store.questions.find_one({"city": "lublin", "topic": "work"})
        assert kept["counts"]["questions_answered"] == 6 and kept["released"] is True  # kept, not shown

        refused = await client.get(
            "/cities/lublin/questions", params=PARAMS, headers=auth_header("analyst", city="gdansk")
        )
        assert refused.status_code == 403

    assert {label: set(counts) for label, counts in first.items()} == {
        label: set(counts) for label, counts in again.items()
    }
    inconsistent = {label: counts for label, counts in first.items() if len(set(counts)) > 1}
    assert not inconsistent, f"the same figure differs between outputs: {inconsistent}"
    adversary = attacker(day.truth, CELLS)
    for label, counts in first.items():
        adversary.see(terms(label), counts[0])
    targets = [(f"{label}", terms(label)) for label in first]
    targets += [(f"{m} of {c}", {(c, m): 1}) for c in CELLS for m in QUESTIONS]
    leaks = adversary.leaks(targets)
    assert not leaks, "\n".join(
        f"{leak.quantity}: true {leak.true}, at most {leak.largest:g}" for leak in leaks
    )


async def test_a_day_not_settled_is_not_released_anywhere(settings, feed, store, auth_header) -> None:
    today = datetime.now(UTC).date()
    day = Questions(asked_on=today, time=datetime.now(UTC))
    day.ask(HEALTH_UK, 7)
    await feed(day.envelopes, topic="ask.questions")
    moment = {"day": datetime.now(UTC).isoformat()}
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        answer = await client.get("/cities/lublin/questions", params=moment)
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_released"
        assert "released_from" in answer.json()["error"]["details"]
        params = {"metric": "questions_asked", "dimension": "topic", "start": moment["day"]}
        breakdown = await client.get("/cities/lublin/breakdown", params=params)
        assert breakdown.status_code == 409 and breakdown.json()["error"]["code"] == "not_released"
        span = {
            "metric": "questions_asked",
            "granularity": "day",
            "start": moment["day"],
            "end": moment["day"],
        }
        points = (await client.get("/cities/lublin/series", params=span)).json()["points"]
        assert [(p["count"], p["pending"]) for p in points] == [(None, True)]
        hourly = await client.get("/cities/lublin/series", params={**span, "granularity": "hour"})
        assert hourly.status_code == 400 and hourly.json()["error"]["code"] == "people_metric_needs_days"
    assert await store.tables.count_documents({"metric": {"$in": list(QUESTIONS)}}) == 0
    assert await store.releases.count_documents({}) == 0
    stream = await read_topic(settings.kafka, STATS_ROLLUPS, count=1, timeout=2)
    assert not [r for r in stream if registry.decode(r.value).data.metric in QUESTIONS]
    assert (await store.questions.find_one({"city": "lublin"}))["counts"]["questions_asked"] == 7


async def test_instant_answers_shown_and_empty_are_usage_counts(settings, feed, auth_header) -> None:
    def shown(count: int) -> Envelope[Any]:
        data = InstantAnswersShown(language="uk", topic="health", result_count=count)
        return wrap(data, source="witaj/content", city="lublin", subject="s", time=DAY + timedelta(hours=12))

    await feed([shown(2)] * 3 + [shown(0)] * 2)
    async with serve(create_app(settings), headers=auth_header("analyst", city="lublin")) as client:
        params = {"dimension": "language", "start": PARAMS["day"]}
        every = await client.get(
            "/cities/lublin/breakdown", params={"metric": "instant_answers_shown", **params}
        )
        gaps = await client.get(
            "/cities/lublin/breakdown", params={"metric": "instant_answers_empty", **params}
        )
        assert every.json()["people"] is False and every.json()["total"]["count"] == 5
        assert gaps.json()["cells"] == [{"value": "uk", "count": 2, "suppressed": False}]


def test_waits_fall_in_buckets_and_the_median_is_the_middle_answer_s() -> None:
    assert [wait_bucket(s) for s in (0, 3_599, 3_600, 86_399, 86_400, 10 * 86_400)] == [
        "under_1h", "under_1h", "1h_4h", "4h_1d", "1d_3d", "over_3d",
    ]  # fmt: skip
    assert median_wait({"under_1h": 2, "over_3d": 3}) == "over_3d"
    assert median_wait({"under_1h": 3, "over_3d": 2}) == "under_1h"
    assert median_wait({}) is None


# ------------------------------------------------------------------------------------- random releases

small = st.integers(min_value=0, max_value=3)


@st.composite
def days(draw: Any) -> list[Counts]:
    out = []
    topics = ["health", "housing", ""]
    for topic in topics:
        for language in ("uk", "ar"):
            if not draw(st.booleans()):
                continue
            asked = draw(st.integers(min_value=0, max_value=12) | small)
            answered = draw(st.integers(0, asked))
            unanswered = draw(st.integers(0, asked - answered))
            reported = draw(st.integers(0, asked - unanswered))
            counts = {
                "questions_asked": asked,
                "questions_answered": answered,
                "questions_unanswered": unanswered,
                "questions_reported": reported,
                "questions_handed_over": draw(st.integers(0, asked)),
                "questions_resolved_instantly": draw(small | st.integers(0, 9)),
            }
            out.append(Counts(topic, language, counts, {"under_1h": answered} if answered else {}))
    return out


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=days(), threshold=st.integers(min_value=2, max_value=6))
def test_no_random_day_of_questions_gives_a_small_count_away(day: list[Counts], threshold: int) -> None:
    note(f"threshold {threshold}, counts {day!r}")
    release = build(day, threshold)
    cells = [(c.topic, c.language) for c in day]
    truth = {(cell, m): c.counts[m] for cell, c in zip(cells, day, strict=True) for m in QUESTIONS}
    adversary = attacker(truth, cells, threshold)
    targets = []
    for figure in release["cells"]:
        dimension, value = figure["dimension"], figure["value"]
        members = [c for c in cells if dimension == "total" or c[0 if dimension == "topic" else 1] == value]
        sum_ = {(c, figure["metric"]): 1 for c in members}
        adversary.see(sum_, figure["count"])
        targets.append((f"{figure['metric']} {dimension} {value}", sum_))
        if figure["count"] is not None and dimension == "total":  # shown figures are the true ones
            assert figure["count"] == sum(c.counts[figure["metric"]] for c in day)
    targets += [(f"{m} of {c}", {(c, m): 1}) for c in cells for m in QUESTIONS]
    assert not adversary.leaks(targets)
    answered = {
        (f["dimension"], f["value"]): f["count"]
        for f in release["cells"]
        if f["metric"] == "questions_answered"
    }
    for median in release["median_waits"]:
        assert answered[(median["dimension"], median["value"])] >= threshold
