"""The indicator audit's own rules: what was published stays as it was, figures that contradict each other
are audited apart (and a dataset contradicting itself shows nothing), margins hold across disaggregations,
and the groups it tells apart follow the catalogue's categories."""

from __future__ import annotations

from typing import Any

from witaj.stats.indicator_audit import MEMBERS, Dataset, contains, decide, fit, months

THRESHOLD = 5


def cells(*rows: tuple[str, str, str, int, int], shown: bool | None = None) -> list[dict[str, Any]]:
    names = ("sex", "age_group", "citizenship", "numerator", "denominator")
    return [dict(zip(names, row, strict=True)) | {"value": 1.0, "shown": shown} for row in rows]


def by_sex(code: str, *counts: tuple[int, int], shown: bool | None = None) -> Dataset:
    """A dataset of 2025 by sex: (numerator, denominator) of everyone, women and men."""
    keys = [(sex, "total", "total") for sex in ("total", "female", "male")]
    return Dataset(code, "2025", cells(*(k + c for k, c in zip(keys, counts, strict=True)), shown=shown))


def test_a_sibling_protects_a_small_cell_rather_than_the_total() -> None:
    """Three of four women left school early: the men's cell would give them away against the total."""
    leavers = by_sex("early_leavers", (40, 100), (3, 4), (37, 96))
    assert decide([leavers], THRESHOLD) == [[True, False, False]]


def test_two_small_cells_of_a_line_are_not_given_away_by_the_other_margins() -> None:
    """EU and non-EU women are both few; the men's and everyone's cells by citizenship would give them
    away (each woman's cell = everyone's - the men's), so more is hidden than the two small cells."""
    rows = cells(
        ("total", "total", "total", 60, 120),
        ("female", "total", "total", 30, 60),
        ("male", "total", "total", 30, 60),
        *((sex, "total", cit, n, d) for sex, cit, n, d in (
            ("total", "nationals", 50, 100), ("female", "nationals", 26, 52), ("male", "nationals", 24, 48),
            ("total", "eu_citizens", 6, 10), ("female", "eu_citizens", 2, 4), ("male", "eu_citizens", 4, 6),
            ("total", "non_eu_citizens", 4, 10), ("female", "non_eu_citizens", 2, 4), ("male", "non_eu_citizens", 2, 6),
        )),
    )  # fmt: skip
    shown = dict(
        zip(
            ((r["sex"], r["citizenship"]) for r in rows),
            decide([Dataset("low_attainment", "2025", rows)], THRESHOLD)[0],
            strict=True,
        )
    )
    assert not shown[("female", "eu_citizens")] and not shown[("female", "non_eu_citizens")]
    for cit in ("eu_citizens", "non_eu_citizens"):
        assert not (shown[("total", cit)] and shown[("male", cit)]), f"women of {cit} = total - men"
    assert shown[("total", "total")]


def test_what_was_shown_before_stays_shown_and_newcomers_are_hidden_in_its_stead() -> None:
    """The employment rate showed women and men; the activity rate then shows that 2 women are
    unemployed (its numerator less the employment rate's), unless its own cells hide it."""
    employment = by_sex("employment_rate", (90, 200), (40, 100), (50, 100), shown=True)
    activity = by_sex("activity_rate", (110, 200), (42, 100), (68, 100))
    shown = decide([employment, activity], THRESHOLD)
    assert shown[0] == [True, True, True], "published before: never hidden now"
    assert shown[1][1] is False, "42 active - 40 employed = 2 unemployed women"
    assert shown[1][0] is False or shown[1][2] is False, "or the women's cell is the total less the men's"


def test_datasets_that_contradict_each_other_are_audited_apart_and_one_contradicting_itself_shows_nothing() -> (
    None
):
    employment = Dataset("employment_rate", "2025", cells(("total", "total", "total", 90, 200)))
    # Another source: a different population for the same group, so nothing combines exactly.
    activity = Dataset("activity_rate", "2025", cells(("total", "total", "total", 110, 210)))
    assert fit([employment, activity]) is None
    assert decide([employment, activity], THRESHOLD) == [[True], [True]]
    broken = Dataset(
        "employment_rate",
        "2024",
        cells(("total", "total", "total", 90, 200), ("female", "total", "total", 95, 210)),
    )
    assert decide([broken], THRESHOLD) == [[False, False]]


def test_the_catalogue_categories_nest_as_their_definitions_say() -> None:
    assert contains(("total", "15-24", "foreign", "total"), ("female", "18-24", "eu_citizens", "czechow"))
    assert not contains(("total", "18-24", "total", "total"), ("total", "15-24", "total", "total"))
    assert not contains(("total", "total", "foreign", "total"), ("total", "total", "foreign_born", "total"))
    assert not contains(("total", "total", "total", "czechow"), ("total", "total", "total", "srodmiescie"))
    ages = MEMBERS[False]["age_group"]
    assert ages["15-24"] == ages["15-24"] & ages["15-64"] and ages["25-54"] < ages["20-64"]
    assert not ages["65+"] & ages["15-64"] and ages["total"] == ages["15-64"] | ages["65+"] | {(0, 15)}
    assert months("2025-Q2") == ("2025-04", "2025-05", "2025-06") and len(months("2025")) == 12
