"""Indicator cells through the disclosure audit of `witaj.stats.privacy`: what a city's published indicator
figures tell about counts of people, as one problem for `protect`.

A shown cell shows a rate, and whoever knows its denominator (population figures are public) knows its
numerator: so each cell is taken to publish both, as two figures shown or hidden together. Both are sums
of counts of people that nobody is told:

- **Groups.** Each figure is about a group by sex, age group, citizenship and district. The groups
  overlap ("total", "foreign" and "eu_citizens"; "15-24" and "18-24"), so the counts are kept per finest
  group the published categories can tell apart (female and male; the age bands between the groups'
  bounds; a citizenship by country of citizenship and of birth; a district), and a figure is the sum over
  the finest groups in its group. Every margin follows: total = female + male, foreign = EU + non-EU
  citizens, 15-24 = 15-17 + 18-24, the city = its districts, and so on, across all four disaggregations
  at once. Where the figures do not add up that way (districts not all listed, people of unknown sex or
  citizenship), categories get a remainder as well.
- **Numerator and denominator.** People are counted per status (`COUNTING`): in the numerator or only
  in the denominator, so numerator <= denominator, and the people only in the denominator are a count
  too. Indicators about the same population share their statuses and so their counts: the employment,
  activity, unemployment and self-employment rates of a period are four views of the self-employed,
  employees, the unemployed and the inactive, and the unemployed are the activity rate's numerator less
  the employment rate's. A figure two indicators share is one figure, shown if either shows it.
- **Periods.** Counts of people at a time (stocks) of different periods are different counts: what
  they differ by is not a group of people. Counts over a period (flows: citizenship acquisitions) add
  up over its months, so a year, its quarters and its months are sums of the same monthly counts; a
  denominator that is the stock at the period's start is the same count for a year, its first quarter
  and its first month.

Datasets whose figures contradict these relations (different sources, say) are audited apart, since
nobody can combine them exactly either; a dataset that contradicts itself shows nothing. Counts that
the figures would pin below the threshold (even at zero, were every figure shown) are protected like
the counts of a release, and so is every figure resting on fewer people than the threshold.

What was published stays as it was: cells shown before are never hidden (others are, in their stead)
and cells hidden stay hidden, so nothing differs between what a reader saw then and sees now.

A figure in another unit than people's (an index score given to the city as a whole) counts nobody and
is published as given.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from witaj.shared.logging import get_logger
from witaj.stats.indicators import AGE_GROUPS, CATALOGUE, CITIZENSHIPS, SEXES
from witaj.stats.privacy import Figure, Problem, consistent, protect

log = get_logger(__name__)

Key = tuple[str, str, str, str]
AXES = ("sex", "age_group", "citizenship", "district")
PEOPLE_UNITS = frozenset({"percent", "euro"})
"""Units of figures about counted people; others (an index score) are about the city as a whole."""


@dataclass(frozen=True)
class Counting:
    """How an indicator's figures count people: its numerator and denominator as sets of statuses of
    one population (`family`); `flows` are statuses counted over a period (summed over its months)."""

    family: str
    denominator: tuple[str, ...]
    numerator: tuple[str, ...] | None = None
    flows: frozenset[str] = frozenset()
    at_start: bool = False
    """The denominator is a stock at the period's start."""

    def roles(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The counts a cell rests on, the denominator first (non-zero whenever the cell is about anyone)."""
        out: tuple[tuple[str, tuple[str, ...]], ...] = (("denominator", self.denominator),)
        return out + ((("numerator", self.numerator),) if self.numerator is not None else ())


EMPLOYED = ("self_employed", "employee")
ACTIVE = (*EMPLOYED, "unemployed")
COUNTING = {
    "employment_rate": Counting("labour", (*ACTIVE, "inactive"), EMPLOYED),
    "activity_rate": Counting("labour", (*ACTIVE, "inactive"), ACTIVE),
    "unemployment_rate": Counting("labour", ACTIVE, ("unemployed",)),
    "self_employment_share": Counting("labour", EMPLOYED, ("self_employed",)),
    "median_net_income": Counting("median_net_income", ("in",)),
    "citizenship_acquisition": Counting(
        "citizenship_acquisition", ("acquired", "kept"), ("acquired",), frozenset({"acquired"}), True
    ),
}


def counting(indicator: str) -> Counting | None:
    """A share of the people of its denominator, unless `COUNTING` says otherwise; None for a figure that
    counts nobody (an index score given to the city), published as given."""
    if CATALOGUE[indicator].unit not in PEOPLE_UNITS:
        return None
    return COUNTING.get(indicator) or Counting(indicator, ("in", "out"), ("in",))


def family(indicator: str) -> str:
    """The population an indicator's figures are about: its datasets are audited together."""
    spec = counting(indicator)
    return spec.family if spec is not None else indicator


def rests_on(indicator: str) -> tuple[str, ...]:
    """The columns of counts an indicator's rows need: what its figures rest on."""
    spec = counting(indicator)
    return tuple(role for role, _ in spec.roles()) if spec is not None else ()


# ------------------------------------------------------------------------------ the finest groups


def _span(group: str) -> tuple[int, int | None]:
    """An age group's first age and the first age after it ("15-24": 15, 25; "65+": 65, None)."""
    low, _, high = group.partition("-")
    return int(low.rstrip("+")), int(high) + 1 if high else None


def _ages() -> dict[str, frozenset[Any]]:
    """Each age group as the bands between all the groups' bounds that it holds."""
    bounds = sorted({0} | {b for group in AGE_GROUPS[1:] for b in _span(group) if b is not None})
    bands = tuple(zip(bounds, [*bounds[1:], None], strict=True))
    out: dict[str, frozenset[Any]] = {"total": frozenset(bands)}
    for group in AGE_GROUPS[1:]:
        start, end = _span(group)
        out[group] = frozenset(
            (a, b) for a, b in bands if a >= start and (end is None or (b is not None and b <= end))
        )
    return out


def _citizenships(remainders: bool) -> dict[str, frozenset[Any]]:
    """A person by country of citizenship and of birth; with `remainders`, also foreigners of neither EU
    nor non-EU citizenship, and unknowns, so that the parts need not fill their whole."""
    extra = ("foreign_other", "unknown") if remainders else ()
    citizens = ("national", "eu", "non_eu", *extra)
    births = ("native", "eu", "non_eu", *extra)
    foreign = {"eu", "non_eu", "foreign_other"}
    tests = {
        "total": lambda c, b: True,
        "nationals": lambda c, b: c == "national",
        "foreign": lambda c, b: c in foreign,
        "eu_citizens": lambda c, b: c == "eu",
        "non_eu_citizens": lambda c, b: c == "non_eu",
        "native_born": lambda c, b: b == "native",
        "foreign_born": lambda c, b: b in foreign,
        "eu_born": lambda c, b: b == "eu",
        "non_eu_born": lambda c, b: b == "non_eu",
    }
    if set(tests) != set(CITIZENSHIPS):
        raise RuntimeError("every citizenship category of the catalogue needs its meaning here")
    return {
        name: frozenset(p for p in itertools.product(citizens, births) if t(*p)) for name, t in tests.items()
    }


def _members(remainders: bool) -> dict[str, dict[str, frozenset[Any]]]:
    sexes = {"total": frozenset({"female", "male", *(["other"] if remainders else [])})}
    sexes |= {s: frozenset({s}) for s in SEXES[1:]}
    return {"sex": sexes, "age_group": _ages(), "citizenship": _citizenships(remainders)}


MEMBERS = {remainders: _members(remainders) for remainders in (False, True)}
"""Per axis, each category as the set of finest groups it holds; exact, or with remainders."""


def members(axis: str, remainders: bool, used: Iterable[str]) -> dict[str, frozenset[Any]]:
    """The categories of one axis as sets of finest groups. Districts are the city's own: each is its own
    group, and the whole city is the districts used (with a remainder: and the others)."""
    if axis != "district":
        return MEMBERS[remainders][axis]
    districts = {d: frozenset({d}) for d in used if d != "total"}
    return districts | {"total": frozenset(districts).union(["elsewhere"] if remainders else [])}


def contains(whole: Key, part: Key) -> bool:
    """Whether every person of the group `part` is in the group `whole`."""
    return all(
        (found := members(axis, True, (w, p)))[p] <= found[w]
        for axis, w, p in zip(AXES, whole, part, strict=True)
    )


def months(period: str) -> tuple[str, ...]:
    year, _, part = period.partition("-")
    if not part:
        return tuple(f"{year}-{m:02d}" for m in range(1, 13))
    if part.startswith("Q"):
        first = 3 * int(part[1]) - 2
        return tuple(f"{year}-{m:02d}" for m in range(first, first + 3))
    return (period,)


def _classes(categories: dict[str, frozenset[Any]], used: Iterable[str]) -> dict[str, frozenset[int]]:
    """The used categories as sets of classes: the finest groups no used category tells apart are one
    class, and groups in no used category are left out."""
    used = sorted(set(used))
    signatures: dict[frozenset[str], int] = {}
    of: dict[str, set[int]] = {name: set() for name in used}
    for atom in sorted(set().union(*(categories[name] for name in used)), key=repr):
        signature = frozenset(name for name in used if atom in categories[name])
        number = signatures.setdefault(signature, len(signatures))
        for name in signature:
            of[name].add(number)
    return {name: frozenset(classes) for name, classes in of.items()}


# ------------------------------------------------------------------------------------ the problem


def key(row: dict[str, Any]) -> Key:
    return (row["sex"], row["age_group"], row["citizenship"], row.get("district", "total"))


@dataclass
class Dataset:
    """One indicator's figures for one period, as stored: rows with `shown` True or False once decided."""

    indicator: str
    period: str
    rows: list[dict[str, Any]]

    @property
    def pending(self) -> bool:
        return any(row.get("shown") is None for row in self.rows)

    @property
    def spec(self) -> Counting:
        spec = counting(self.indicator)
        assert spec is not None, "figures that count nobody are not audited"
        return spec

    def countable(self, row: dict[str, Any]) -> bool:
        return all(row.get(column) is not None for column in rests_on(self.indicator))


@dataclass
class Model:
    problem: Problem
    where: list[tuple[int, int]] = field(default_factory=list)
    """For each cell of the problem: (dataset, row)."""


class _Counts:
    """The unknown counts of one model: one per status, class of people and time (a period for stocks,
    a class of months for flows), made as figures need them."""

    def __init__(self, datasets: list[Dataset], remainders: frozenset[str]) -> None:
        used: dict[str, set[str]] = {axis: set() for axis in AXES}
        for d in datasets:
            for row in filter(d.countable, d.rows):
                for axis, value in zip(AXES, key(row), strict=True):
                    used[axis].add(value)
        self.classes = {
            axis: _classes(members(axis, axis in remainders, used[axis]), used[axis]) for axis in AXES
        }
        flowing = sorted({d.period for d in datasets if d.spec.flows})
        self.months = _classes({p: frozenset(months(p)) for p in flowing}, flowing) if flowing else {}
        self.index: dict[tuple[Any, ...], int] = {}
        self.groups: list[int] = []
        self.people: dict[tuple[int, ...], int] = {}

    def everyone(self) -> Iterable[tuple[int, ...]]:
        """Every class of people."""
        return itertools.product(*(sorted(set().union(*self.classes[axis].values())) for axis in AXES))

    def of(self, spec: Counting, statuses: Iterable[str], period: str, group: tuple[int, ...]) -> list[int]:
        """The counts of one class of people in some statuses over one period."""
        out = []
        for status in statuses:
            times = [("month", m) for m in sorted(self.months[period])] if status in spec.flows else [period]
            for time in times:
                name = (status, *group, time)
                if name not in self.index:
                    self.index[name] = len(self.groups)
                    self.groups.append(self.people.setdefault(group, len(self.people)))
                out.append(self.index[name])
        return out

    def row(self, spec: Counting, statuses: Iterable[str], period: str, row: Key) -> tuple[int, ...]:
        """The counts a figure of a row sums: every class of people in its group."""
        parts = (self.classes[axis][value] for axis, value in zip(AXES, row, strict=True))
        return tuple(
            sorted(i for group in itertools.product(*parts) for i in self.of(spec, statuses, period, group))
        )


def model(datasets: list[Dataset], remainders: frozenset[str]) -> Model | None:
    """The attacker's problem for datasets of one population, with remainders in the axes `remainders`;
    None when two of the datasets give one figure different values."""
    counts = _Counts(datasets, remainders)
    figures: list[Figure] = []
    cells: list[tuple[int, ...]] = []
    out = Model(Problem([], counts.groups, figures, cells=cells))
    seen: dict[tuple[int, ...], int] = {}
    for number, d in enumerate(datasets):
        spec = d.spec
        for row_number, row in enumerate(d.rows):
            if not d.countable(row):
                continue
            cell = []
            for role, statuses in spec.roles():
                terms = counts.row(spec, statuses, d.period, key(row))
                value = int(row[role])
                if terms not in seen:
                    seen[terms] = len(figures)
                    figures.append(Figure(terms, value))
                elif figures[seen[terms]].value != value:
                    return None
                cell.append(seen[terms])
            cells.append(tuple(cell))
            out.where.append((number, row_number))
    out.problem.relations += _same_start(datasets, counts)
    out.problem.counts = [None] * len(counts.groups)
    return out


def _same_start(datasets: list[Dataset], counts: _Counts) -> list[dict[int, int]]:
    """A denominator that is the stock at the period's start is the same for periods starting together
    (a year, its first quarter and its first month), class of people by class of people."""
    starts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in datasets:
        if d.spec.at_start:
            starts[(d.indicator, months(d.period)[0])].append(d.period)
    relations = []
    for (indicator, _), periods in sorted(starts.items()):
        spec = COUNTING[indicator]
        for first, other in itertools.pairwise(sorted(periods)):
            for group in counts.everyone():
                relation: dict[int, int] = defaultdict(int)
                for period, sign in ((first, 1), (other, -1)):
                    for i in counts.of(spec, spec.denominator, period, group):
                        relation[i] += sign
                relation = {i: c for i, c in relation.items() if c}
                if relation:
                    relations.append(relation)
    return relations


# ---------------------------------------------------------------------------------------- decide


def _block(d: Dataset) -> str:
    """Datasets that can share counts: one period's stocks; a year's flows."""
    return d.period[:4] if d.spec.flows or d.spec.at_start else d.period


def fit(datasets: list[Dataset]) -> Model | None:
    """The tightest consistent model of `datasets` together (categories filling their whole; else
    districts not all listed; else remainders in every disaggregation); None when their figures
    contradict each other."""
    for remainders in (frozenset(), frozenset({"district"}), frozenset(AXES)):
        found = model(datasets, remainders)
        if found is not None and consistent(found.problem):
            return found
    return None


def decide(datasets: list[Dataset], threshold: int) -> list[list[bool]]:
    """Whether each row of each dataset (all of one city and one population) is shown: as decided before,
    or decided now for the datasets pending.

    Datasets join the first group of datasets they agree with (those decided first, so that what they
    showed is known to the newcomers), within their block; each group with pending rows is audited, and
    blocks with none are left as they are."""
    audited = [i for i, d in enumerate(datasets) if counting(d.indicator) is not None]
    busy = {_block(datasets[i]) for i in audited if datasets[i].pending}
    order = sorted(
        (i for i in audited if _block(datasets[i]) in busy),
        key=lambda i: (datasets[i].pending, datasets[i].indicator, datasets[i].period),
    )
    components: list[tuple[list[int], Model]] = []
    for i in order:
        for n, (members, _) in enumerate(components):
            if _block(datasets[members[0]]) != _block(datasets[i]):
                continue
            joined = fit([datasets[j] for j in [*members, i]])
            if joined is not None:
                components[n] = ([*members, i], joined)
                break
        else:
            alone = fit([datasets[i]])
            if alone is not None:
                components.append(([i], alone))
            elif datasets[i].pending:
                log.warning("stats.indicator_figures_contradict", indicator=datasets[i].indicator)
    # A figure that counts nobody (an index score) is published as given.
    shown = [[row.get("shown") is True or counting(d.indicator) is None for row in d.rows] for d in datasets]
    for members, found in components:
        if not any(datasets[j].pending for j in members):
            continue
        cells = [(members[d], r) for d, r in found.where]
        state = [datasets[d].rows[r].get("shown") for d, r in cells]
        hidden = protect(
            found.problem,
            threshold,
            hidden={c for c, s in enumerate(state) if s is False},
            kept={c for c, s in enumerate(state) if s is True},
        )
        for c, (d, r) in enumerate(cells):
            if state[c] is None:
                shown[d][r] = c not in hidden
    return shown
