"""The integration indicator catalogue, after the Zaragoza core indicators of migrant integration.

The EU's Zaragoza declaration (2010) set common indicators in four areas: employment, education, social
inclusion and active citizenship. Every city reports against the same definitions, units and
disaggregations (sex, age group, citizenship or country of birth), so figures compare across cities and
over time. Cells are published once audited, like every other count of people
(`witaj.stats.indicator_audit`).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.shared.envelope import Envelope
from witaj.shared.events import IndicatorCell

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
DISTRICT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""A district id a city gives its districts (the same as in its boundaries' GeoJSON)."""
PERIOD = re.compile(r"^(19|20)\d\d(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


TOTAL_ONLY = {name: ("total",) for name in DISAGGREGATIONS}
"""Disaggregations of an indicator that is one figure for the whole city (an index score)."""


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    framework: str = Field(
        default="zaragoza",
        description="'zaragoza' (EU core indicators of migrant integration) or 'icc' (Council of Europe "
        "Intercultural Cities Index)",
    )
    area: str = Field(
        description="employment, education, social_inclusion or active_citizenship; for the Intercultural "
        "Cities Index, the index's area"
    )
    name: str
    definition: str
    unit: str = Field(description="percent, euro or score (0 to 100)")
    minimum: float = 0
    maximum: float | None = 100
    disaggregations: dict[str, tuple[str, ...]] = DISAGGREGATIONS
    periods: str = "year 'YYYY', quarter 'YYYY-Qn' or month 'YYYY-MM'"
    by_district: bool = Field(default=True, description="Figures may be given per district of the city")
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


ICC_SOURCE = (
    "Council of Europe Intercultural Cities (ICC) Index: the city's score in the area, 0 to 100, from "
    "the ICC questionnaire"
)
ICC_AREAS = {
    "commitment": (
        "Commitment",
        "How far the city has committed itself to intercultural policy: "
        "strategy, budget, statements and recognition.",
    ),
    "education": (
        "Education",
        "Intercultural practice in schools: diversity of pupils and staff, "
        "parents' involvement, intercultural projects.",
    ),
    "neighbourhoods": (
        "Neighbourhoods",
        "Diversity of residents across neighbourhoods and policies that "
        "encourage mixing and interaction there.",
    ),
    "public_services": (
        "Public services",
        "Public services that reflect and serve a diverse population, staff included.",
    ),
    "business_labour_market": (
        "Business and labour market",
        "Diversity in business and employment, "
        "anti-discrimination in hiring, support for diverse entrepreneurs.",
    ),
    "cultural_social_life": (
        "Cultural and social life",
        "Intercultural mixing in culture, arts and sport, and funding that encourages it.",
    ),
    "public_space": (
        "Public space",
        "Public spaces and buildings designed and run so that everyone uses them and meets there.",
    ),
    "mediation_conflict": (
        "Mediation and conflict resolution",
        "Intercultural mediation services and ways of resolving conflict.",
    ),
    "language": (
        "Language",
        "Teaching of the host language and of migrants' languages; recognition of languages in the city.",
    ),
    "media_communication": (
        "Media and communication",
        "The city's communication and the media's portrayal of diversity.",
    ),
    "international_outlook": (
        "International outlook",
        "Openness to international ties: business, students, partnerships with cities of origin.",
    ),
    "intelligence_competence": (
        "Intelligence and competence",
        "Data, research and training that give the city's staff intercultural competence.",
    ),
    "welcoming": (
        "Welcoming",
        "How newcomers are welcomed: information, a welcome office or package, ceremonies.",
    ),
    "leadership_citizenship": (
        "Leadership and citizenship",
        "Migrants' part in the city's leadership, voting and advisory bodies.",
    ),
    "anti_discrimination": (
        "Anti-discrimination",
        "Strategies, monitoring and support against discrimination.",
    ),
    "participation": (
        "Participation",
        "Involvement of residents of every background in making and evaluating the city's policies.",
    ),
    "interaction": (
        "Interaction",
        "Opportunities and places for people of different backgrounds to meet and act together.",
    ),
}
CATALOGUE.update(
    {
        f"icc_{area}": Indicator(
            code=f"icc_{area}",
            framework="icc",
            area=area,
            name=f"ICC Index: {name}",
            definition=definition,
            unit="score",
            disaggregations=TOTAL_ONLY,
            periods="year 'YYYY'",
            source=ICC_SOURCE,
            by_district=False,
        )
        for area, (name, definition) in ICC_AREAS.items()
    }
)


def dataset_documents(envelope: Envelope[Any]) -> list[dict[str, Any]]:
    data = envelope.data
    return [
        {
            "city": envelope.city,
            "indicator": data.indicator,
            "period": data.period,
            "dataset_id": data.dataset_id,
            **row.model_dump(),
            "shown": None,  # until the audit decides
        }
        for row in data.rows
    ]


def published_cells(rows: list[dict[str, Any]]) -> list[IndicatorCell]:
    """A dataset's cells as every output publishes them (API, downloads, open data, the stat stream):
    each row's value where the audit showed it (`witaj.stats.indicator_audit`), else suppressed."""

    def key(r: dict[str, Any]) -> tuple[str, str, str, str]:
        return (r["sex"], r["age_group"], r["citizenship"], r.get("district", "total"))

    return [
        IndicatorCell(
            sex=r["sex"],
            age_group=r["age_group"],
            citizenship=r["citizenship"],
            district=r.get("district", "total"),
            value=r["value"] if r.get("shown") else None,
            suppressed=not r.get("shown"),
        )
        for r in sorted(rows, key=key)
    ]
