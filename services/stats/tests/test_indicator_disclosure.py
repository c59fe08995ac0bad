"""Adversarial test of indicator suppression: a city's figures are made from known people, uploaded in three
rounds through the API and the processor, and read back from every output (figures, CSV and JSON-stat
downloads, open data, comparison, the stat stream). Whoever reads them all solves for the people (see
`stats_adversary`), taking each shown cell to give its numerator and its denominator (a rate and a public
population figure do), and must not pin any count below the threshold.

What the attacker combines: a line's margins across the three disaggregations at once (sex by
citizenship, overlapping age groups), the employment, activity, unemployment and self-employment rates of
one population (numerators of one are denominators or parts of another), and citizenship acquisitions
over a year, its quarters and its months (flows add up; the denominator, a stock at the period's start,
is the same for a year, its first quarter and its first month), published earlier and later.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stats_adversary import Adversary, Sum
from witaj.devkit.testing import read_topic, serve
from witaj.shared.envelope import registry
from witaj.shared.topics import STATS_INDICATOR_DATASETS, STATS_INDICATORS
from witaj.stats.indicator_audit import Dataset, decide
from witaj.stats.main import create_app

CITY = "lublin"
Key = tuple[str, str, str]

# What the categories hold, as the attacker reads their definitions (everyone here is in exactly one).
SEX = {"total": ("F", "M"), "female": ("F",), "male": ("M",)}
BANDS = ("15-17", "18-24", "25-54", "other")
AGE = {"total": BANDS, "15-24": ("15-17", "18-24"), "18-24": ("18-24",), "25-54": ("25-54",)}
CIT = {
    "total": ("nat", "eu", "non_eu"),
    "nationals": ("nat",),
    "foreign": ("eu", "non_eu"),
    "eu_citizens": ("eu",),
    "non_eu_citizens": ("non_eu",),
}

EMPLOYED = ("self_employed", "employee")
ACTIVE = (*EMPLOYED, "unemployed")
EVERYONE = (*ACTIVE, "inactive")
LABOUR = {  # indicator: (numerator, denominator), as statuses of the same people
    "employment_rate": (EMPLOYED, EVERYONE),
    "activity_rate": (ACTIVE, EVERYONE),
    "unemployment_rate": (("unemployed",), ACTIVE),
    "self_employment_share": (("self_employed",), EMPLOYED),
}


def labour_people() -> dict[tuple[str, str, str, str], int]:
    """(status, sex, age band, citizenship) -> people, with small groups placed to be worked out: three
    EU women, four people of 15-17 (a difference of overlapping age groups), one or two unemployed
    foreign men (the activity rate's numerator less the employment rate's)."""
    people: dict[tuple[str, str, str, str], int] = {}
    for sex in ("F", "M"):
        for band, counts in (
            ("18-24", (2, 40, 8, 30)),
            ("25-54", (15, 200, 12, 40)),
            ("other", (5, 30, 3, 120)),
        ):
            for status, n in zip(EVERYONE, counts, strict=True):
                people[(status, sex, band, "nat")] = n
    people |= {
        ("employee", "F", "15-17", "nat"): 1,
        ("inactive", "F", "15-17", "nat"): 2,
        ("inactive", "M", "15-17", "nat"): 1,
        ("employee", "F", "25-54", "eu"): 2,
        ("unemployed", "F", "25-54", "eu"): 1,
        ("employee", "M", "18-24", "eu"): 3,
        ("self_employed", "M", "25-54", "eu"): 3,
        ("employee", "M", "25-54", "eu"): 15,
        ("unemployed", "M", "25-54", "eu"): 2,
        ("inactive", "M", "25-54", "eu"): 5,
        ("inactive", "F", "18-24", "non_eu"): 4,
        ("employee", "F", "25-54", "non_eu"): 20,
        ("unemployed", "F", "25-54", "non_eu"): 3,
        ("inactive", "F", "25-54", "non_eu"): 10,
        ("employee", "M", "25-54", "non_eu"): 25,
        ("unemployed", "M", "25-54", "non_eu"): 1,
        ("inactive", "M", "25-54", "non_eu"): 2,
        ("inactive", "M", "other", "non_eu"): 3,
    }
    return people


LABOUR_KEYS: list[Key] = [
    ("total", "total", "total"),
    ("female", "total", "total"),
    ("male", "total", "total"),
    ("total", "15-24", "total"),
    ("total", "18-24", "total"),
    ("total", "25-54", "total"),
    ("female", "25-54", "total"),
    ("male", "25-54", "total"),
    *((sex, "total", cit) for sex in ("total", "female", "male") for cit in list(CIT)[1:]),
]

# Citizenship acquisitions per month of 2025, and foreign residents at the start of some months.
ACQUIRED = {"F": (4, 3, 5, 6, 5, 4, 6, 5, 7, 1, 1, 0), "M": (8, 9, 7, 10, 9, 8, 9, 10, 8, 4, 4, 4)}
RESIDENTS = {"F": {1: 400, 2: 396, 4: 385, 7: 370}, "M": {1: 500, 2: 492, 4: 470, 7: 445}}
FLOW_KEYS: list[Key] = [("total", "total", "total"), ("female", "total", "total"), ("male", "total", "total")]


def months(period: str) -> list[int]:
    part = period.partition("-")[2]
    if not part:
        return list(range(1, 13))
    if part.startswith("Q"):
        return list(range(3 * int(part[1]) - 2, 3 * int(part[1]) + 1))
    return [int(part)]


def figures(
    code: str, period: str, key: tuple[str, ...], known: dict[Any, int] | None = None
) -> tuple[Sum, Sum]:
    """The numerator and denominator of a cell (sex, age group, citizenship and, if given, district), as
    sums of the attacker's unknowns. Everyone is of the sexes and in the districts the truth has: with
    people of neither sex ("X"), female + male fall short of the total."""
    people = [v for v in known or KNOWN if v[0] == "people"]
    sexes = SEX[key[0]] + (("X",) if key[0] == "total" and any(v[2] == "X" for v in people) else ())
    everywhere = sorted({v[5] for v in people})
    districts = everywhere if len(key) < 4 or key[3] == "total" else [key[3]]
    if code == "citizenship_acquisition":
        numerator = {("acquired", s, m): 1 for s in sexes for m in months(period)}
        return numerator, {("residents", s, months(period)[0]): 1 for s in sexes}
    num, den = LABOUR[code]
    groups = list(itertools.product(sexes, AGE[key[1]], CIT[key[2]], districts))
    return {("people", st, *g): 1 for st in num for g in groups}, {
        ("people", st, *g): 1 for st in den for g in groups
    }


def truth(people: dict[tuple[str, ...], int], districts: tuple[str, ...] = ("city",)) -> dict[Any, int]:
    """Every unknown of the attacker, with its true value; people given without a district live in the
    one district of a city that publishes none."""
    out: dict[Any, int] = {}
    sexes = ("F", "M", "X") if any(p[1] == "X" for p in people) else ("F", "M")
    found = {(p if len(p) == 5 else (*p, "city")): n for p, n in people.items()}
    for group in itertools.product(EVERYONE, sexes, BANDS, CIT["total"], districts):
        out[("people", *group)] = found.get(group, 0)
    for sex, monthly in ACQUIRED.items():
        out |= {("acquired", sex, m): n for m, n in enumerate(monthly, start=1)}
        out |= {("residents", sex, m): n for m, n in RESIDENTS[sex].items()}
    return out


KNOWN = truth(labour_people())


def rows(
    code: str, period: str, keys: list[tuple[str, ...]], known: dict[Any, int] = KNOWN
) -> list[dict[str, Any]]:
    """A dataset as a city would upload it, made from the people."""
    out = []
    for key in keys:
        numerator, denominator = (sum(known[v] for v in terms) for terms in figures(code, period, key, known))
        if denominator:
            out.append(
                dict(zip(("sex", "age_group", "citizenship", "district"), key, strict=False))
                | {
                    "value": round(100 * numerator / denominator, 1),
                    "numerator": numerator,
                    "denominator": denominator,
                }
            )
    return out


ROUNDS: list[list[tuple[str, str, list[Key]]]] = [
    [("employment_rate", "2025", LABOUR_KEYS)],
    [
        ("activity_rate", "2025", LABOUR_KEYS),
        ("unemployment_rate", "2025", LABOUR_KEYS),
        ("self_employment_share", "2025", LABOUR_KEYS),
        *(
            ("citizenship_acquisition", p, FLOW_KEYS)
            for p in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-01", "2025-02")
        ),
    ],
    [("citizenship_acquisition", "2025", FLOW_KEYS)],
]


async def upload(client: Any, headers: dict[str, str], code: str, period: str, keys: list[Key]) -> None:
    body = rows(code, period, keys)
    url = f"/cities/{CITY}/indicators/{code}/datasets"
    if code == "employment_rate":  # one as CSV, the rest as JSON
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(body[0]))
        writer.writeheader()
        writer.writerows(body)
        sent = await client.post(
            url,
            params={"period": period},
            content=text.getvalue(),
            headers={**headers, "Content-Type": "text/csv"},
        )
    else:
        sent = await client.post(url, params={"period": period}, json={"rows": body}, headers=headers)
    assert sent.status_code == 202, sent.text


Published = dict[tuple[str, str], dict[tuple[str, ...], float | None]]


async def everything_published(client: Any, settings: Any, datasets: list[tuple[str, str]]) -> Published:
    """Each dataset's cells from every output, checked to agree: key -> value (None: suppressed)."""
    seen: Published = {}
    for code, period in datasets:
        views: list[dict[Key, float | None]] = []
        params = {"period": period}
        answer = await client.get(f"/cities/{CITY}/indicators/{code}", params=params)
        assert answer.status_code == 200, answer.text
        views.append({(c["sex"], c["age_group"], c["citizenship"]): c["value"] for c in answer.json()})
        assert all(c["suppressed"] == (c["value"] is None) for c in answer.json())
        for path in (f"/cities/{CITY}/indicators/{code}", f"/open/cities/{CITY}/indicators/{code}"):
            text = (await client.get(path, params={**params, "format": "csv"})).text
            views.append(
                {
                    (r["sex"], r["age_group"], r["citizenship"]): float(r["value"]) if r["value"] else None
                    for r in csv.DictReader(io.StringIO(text))
                }
            )
        opened = await client.get(f"/open/cities/{CITY}/indicators/{code}", params=params)
        views.append({(c["sex"], c["age_group"], c["citizenship"]): c["value"] for c in opened.json()})
        compared = await client.get(f"/indicators/{code}/compare", params={**params, "cities": [CITY]})
        views.append(
            {(c["sex"], c["age_group"], c["citizenship"]): c["value"] for c in compared.json()[CITY]}
        )
        stat = (
            await client.get(f"/cities/{CITY}/indicators/{code}", params={**params, "format": "jsonstat"})
        ).json()
        labels = [list(stat["dimension"][d]["category"]["index"]) for d in ("sex", "age", "citizen")]
        cube = dict(zip(itertools.product(*labels), stat["value"], strict=True))
        views.append({k: cube[k] for k in views[0]})
        for view in views[1:]:
            assert view == views[0], f"{code} {period}: outputs differ"
        seen[(code, period)] = views[0]
    for record in await read_topic(settings.kafka, STATS_INDICATORS, count=len(datasets), timeout=3):
        data = registry.decode(record.value).data
        cells = {(c.sex, c.age_group, c.citizenship): c.value for c in data.cells}
        assert cells == seen[(data.indicator, data.period)], f"the stream differs for {data.indicator}"
    return seen


def attack(published: Published, threshold: int, known: dict[Any, int] = KNOWN) -> list[str]:
    """Every count below the threshold that the published cells pin down."""
    adversary = Adversary(threshold, known)
    for code, period in published:
        if code == "citizenship_acquisition":
            for sex in ("F", "M"):  # the acquisitions of a period are among its residents at its start
                acquired = {("acquired", sex, m): -1 for m in months(period)}
                adversary.know({("residents", sex, months(period)[0]): 1, **acquired}, 0, float("inf"))
    targets: list[tuple[str, Sum]] = [(repr(v), {v: 1}) for v in known]
    for (code, period), cells in published.items():
        for key, value in cells.items():
            numerator, denominator = figures(code, period, key, known)
            adversary.see(denominator, None if value is None else adversary.value(denominator))
            if value is not None:  # a hidden cell says nothing of its numerator: it may be 0
                adversary.see(numerator, adversary.value(numerator))
            rest = dict(denominator)
            for v, c in numerator.items():
                rest[v] = rest.get(v, 0) - c
            name = f"{code} {period} {key}"
            targets += [(f"{name} numerator", numerator), (f"{name} denominator", denominator)]
            targets.append((f"{name} denominator less numerator", {v: c for v, c in rest.items() if c}))
    return [
        f"{leak.quantity}: true {leak.true}, at most {leak.largest:g}{' (determined)' if leak.determined else ''}"
        for leak in adversary.leaks(targets)
    ]


async def process(settings: Any, feed: Any, fed: int, count: int) -> None:
    """What the processor does with the uploads: store, audit and publish the datasets not fed yet."""
    records = await read_topic(settings.kafka, STATS_INDICATOR_DATASETS, count=count)
    await feed([r.value for r in records[fed:count]], topic="stats.indicator_datasets")


async def test_no_small_count_of_people_can_be_derived_from_every_published_indicator(
    settings, feed, auth_header
) -> None:
    analyst = auth_header("analyst", city=CITY)
    admin = auth_header("city_admin", city=CITY)
    threshold = settings.privacy.threshold
    done: list[tuple[str, str]] = []
    rounds: list[Published] = []
    async with serve(create_app(settings), headers=analyst) as client:
        policy = {"metrics": [], "indicators": [*LABOUR, "citizenship_acquisition"]}
        assert (await client.put(f"/cities/{CITY}/open-data", json=policy, headers=admin)).status_code == 200
        for datasets in ROUNDS:
            for code, period, keys in datasets:
                await upload(client, analyst, code, period, keys)
            await process(settings, feed, len(done), len(done) + len(datasets))
            done += [(code, period) for code, period, _ in datasets]
            rounds.append(await everything_published(client, settings, done))

    final = rounds[-1]
    for earlier in rounds[:-1]:  # what was published stays as it was
        assert all(final[dataset] == cells for dataset, cells in earlier.items())
    leaks = attack(final, threshold)
    assert not leaks, "\n".join(leaks)
    # Small groups are hidden, and not everything is.
    employment = final[("employment_rate", "2025")]
    assert employment[("female", "total", "eu_citizens")] is None
    assert employment[("total", "total", "total")] is not None
    assert final[("citizenship_acquisition", "2025-Q1")][("female", "total", "total")] is not None
    year = final[("citizenship_acquisition", "2025")]
    assert year[("female", "total", "total")] is None, "women's acquisitions in Q4 would be 2"


# ----------------------------------------------------------------------------------- random populations

DISTRICTS = ("d1", "d2", "d3")
ALL_KEYS = list(itertools.product(SEX, AGE, CIT, ("total", *DISTRICTS)))


@st.composite
def populations(draw: Any) -> tuple[dict[tuple[str, ...], int], list[tuple[str, ...]], list[str], list[str]]:
    """A few groups of people (some perhaps of unknown sex) in three districts, the cells a city
    publishes of them, and the labour indicators it publishes first and later."""
    groups = draw(
        st.lists(
            st.tuples(st.sampled_from(EVERYONE), st.sampled_from(("F", "M", "X")), st.sampled_from(BANDS),
                      st.sampled_from(CIT["total"]), st.sampled_from(DISTRICTS)),
            min_size=1, max_size=10, unique=True,
        )
    )  # fmt: skip
    people = {g: draw(st.integers(1, 14) | st.integers(1, 3)) for g in groups}
    keys = draw(st.lists(st.sampled_from(ALL_KEYS), min_size=1, max_size=12, unique=True))
    codes = draw(st.lists(st.sampled_from(sorted(LABOUR)), min_size=1, max_size=4, unique=True))
    split = draw(st.integers(0, len(codes)))
    return people, keys, codes[:split], codes[split:]


@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=populations(), threshold=st.integers(min_value=2, max_value=6))
def test_no_random_indicator_figures_give_a_small_count_away(world: Any, threshold: int) -> None:
    people, keys, first, later = world
    note(f"threshold {threshold}, people {people}, cells {keys}, first {first}, later {later}")
    known = truth(people, DISTRICTS)
    datasets: list[Dataset] = []
    for codes in (first, later):
        datasets += [
            Dataset(code, "2025", [r | {"shown": None} for r in rows(code, "2025", keys, known)])
            for code in codes
        ]
        for dataset, shown in zip(datasets, decide(datasets, threshold), strict=True):
            for row, decision in zip(dataset.rows, shown, strict=True):
                assert row["shown"] in (None, decision), "a cell published before never changes"
                row["shown"] = decision
    published = {
        (d.indicator, d.period): {
            (r["sex"], r["age_group"], r["citizenship"], r["district"]): r["value"] if r["shown"] else None
            for r in d.rows
        }
        for d in datasets
    }
    assert not attack(published, threshold, known)
