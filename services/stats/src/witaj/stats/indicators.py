"""The integration indicator catalogue, after the Zaragoza core indicators of migrant integration.

The EU's Zaragoza declaration (2010) set common indicators in four areas: employment, education, social
inclusion and active citizenship. Every city reports against the same definitions, units and
disaggregations (sex, age group, citizenship or country of birth), so figures compare across cities and
over time. Cells counting few people are suppressed like every other count of people.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.shared.envelope import Envelope
from witaj.shared.events import IndicatorCell
from witaj.stats.privacy import primary

SEXES = ("total", "female", "male")
AGE_GROUPS = (
    "total",
    "15-24",
    "18-24",
    "25-34",
    "30-34",
    "25-54",
    "35-44",
    "45-54",
    "55-64",
    "15-64",
    "20-64",
    "65+",
)
CITIZENSHIPS = (
    "total",
    "nationals",
    "foreign",
    "eu_citizens",
    "non_eu_citizens",
    "native_born",
    "foreign_born",
    "eu_born",
    "non_eu_born",
)
DISAGGREGATIONS = {"sex": SEXES, "age_group": AGE_GROUPS, "citizenship": CITIZENSHIPS}
PERIOD = re.compile(r"^(19|20)\d\d(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    area: str = Field(description="employment, education, social_inclusion or active_citizenship")
    name: str
    definition: str
    unit: str = Field(description="percent or euro")
    minimum: float = 0
    maximum: float | None = 100
    disaggregations: dict[str, tuple[str, ...]] = DISAGGREGATIONS
    periods: str = "year 'YYYY', quarter 'YYYY-Qn' or month 'YYYY-MM'"
    source: str = (
        "Zaragoza core indicators of migrant integration (EU, 2010); Eurostat migrant integration statistics"
    )


def _pct(code: str, area: str, name: str, definition: str) -> Indicator:
    return Indicator(code=code, area=area, name=name, definition=definition, unit="percent")


CATALOGUE: dict[str, Indicator] = {
    i.code: i
    for i in (
        _pct(
            "employment_rate",
            "employment",
            "Employment rate",
            "Employed persons as a share of the population of the same age group (Eurostat lfsa_ergan).",
        ),
        _pct(
            "unemployment_rate",
            "employment",
            "Unemployment rate",
            "Unemployed persons as a share of the labour force (employed plus unemployed) of the age group.",
        ),
        _pct(
            "activity_rate",
            "employment",
            "Activity rate",
            "Labour force (employed plus unemployed) as a share of the population of the age group.",
        ),
        _pct(
            "self_employment_share",
            "employment",
            "Self-employment",
            "Self-employed persons as a share of all employed persons.",
        ),
        _pct(
            "over_qualification_rate",
            "employment",
            "Over-qualification rate",
            "Employed persons with tertiary education working in low or medium skilled jobs (ISCO 4-9).",
        ),
        _pct(
            "tertiary_attainment",
            "education",
            "Share with tertiary education",
            "Persons aged 30-34 (or as given) who completed tertiary education (ISCED 5-8).",
        ),
        _pct(
            "early_leavers",
            "education",
            "Early leavers from education and training",
            "Persons aged 18-24 with at most lower secondary education and not in education or training.",
        ),
        _pct(
            "low_attainment",
            "education",
            "Share with low educational attainment",
            "Persons with at most lower secondary education (ISCED 0-2).",
        ),
        _pct(
            "at_risk_of_poverty_rate",
            "social_inclusion",
            "At-risk-of-poverty rate",
            "Persons with equivalised disposable income below 60% of the national median.",
        ),
        Indicator(
            code="median_net_income",
            area="social_inclusion",
            name="Median net income",
            definition="Median equivalised annual net income, in euro.",
            unit="euro",
            maximum=None,
        ),
        _pct(
            "home_ownership",
            "social_inclusion",
            "Property ownership",
            "Persons living in a dwelling owned by a member of their household.",
        ),
        _pct(
            "good_health_self_reported",
            "social_inclusion",
            "Self-perceived good health",
            "Persons who rate their own health as good or very good.",
        ),
        _pct(
            "long_term_residence",
            "active_citizenship",
            "Long-term residence",
            "Third-country nationals holding a long-term or permanent residence permit, as a share of all.",
        ),
        _pct(
            "citizenship_acquisition",
            "active_citizenship",
            "Citizenship acquisition",
            "Persons who acquired citizenship in the period, as a share of foreign residents at its start.",
        ),
        _pct(
            "elected_representatives",
            "active_citizenship",
            "Share of elected representatives",
            "Elected local representatives with a migrant background, as a share of all.",
        ),
    )
}


def dataset_documents(envelope: Envelope[Any]) -> list[dict[str, Any]]:
    data = envelope.data
    return [
        {
            "city": envelope.city,
            "indicator": data.indicator,
            "period": data.period,
            "dataset_id": data.dataset_id,
            **row.model_dump(),
        }
        for row in data.rows
    ]


def suppress_cells(rows: list[dict[str, Any]], threshold: int) -> list[IndicatorCell]:
    """Hide cells resting on few people, then siblings that would let them be recomputed.

    A cell is a primary suppression when its numerator or denominator counts fewer than `threshold`
    people. For every line of cells that differ in one disaggregation only, when exactly one cell of the
    line is hidden and the line's total is shown, the sibling resting on the fewest people is hidden too.
    """

    def key(r: dict[str, Any]) -> tuple[str, str, str]:
        return (r["sex"], r["age_group"], r["citizenship"])

    def people(r: dict[str, Any]) -> int:
        known = [n for n in (r.get("numerator"), r.get("denominator")) if n is not None]
        return min(known) if known else threshold

    by_key = {key(r): r for r in rows}
    hidden = {
        k
        for k, r in by_key.items()
        if any(n is not None and primary(n, threshold) for n in (r.get("numerator"), r.get("denominator")))
    }
    changed = True
    while changed:
        changed = False
        for axis in range(3):
            lines: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
            for k in by_key:
                lines[k[:axis] + k[axis + 1 :]].append(k)
            for members in lines.values():
                total = [k for k in members if k[axis] == "total"]
                parts = [k for k in members if k[axis] != "total"]
                if not total or total[0] in hidden:
                    continue
                hidden_parts = [k for k in parts if k in hidden]
                if len(hidden_parts) == 1:
                    visible = sorted((people(by_key[k]), k) for k in parts if k not in hidden)
                    hidden.add(visible[0][1] if visible else total[0])
                    changed = True
    return [
        IndicatorCell(
            sex=k[0],
            age_group=k[1],
            citizenship=k[2],
            value=None if k in hidden else r["value"],
            suppressed=k in hidden,
        )
        for k, r in sorted(by_key.items())
    ]
