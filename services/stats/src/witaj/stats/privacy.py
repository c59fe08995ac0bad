"""Statistical disclosure control: no count of fewer people than the threshold can be worked out from
anything stats publishes, alone or together.

Hiding small cells (primary suppression) is not enough: whoever sees a total and all but one cell has
the hidden one, whoever sees {?, ?, 10} with a total of 12 knows both hidden cells are 1 (a hidden cell
is never 0, since zeros are shown), and whoever reads the same table twice learns how many people came
in between. So counts of people are published under three rules, and only under them:

1. **Once, when settled.** Every count of people is about the occurrences (sessions) of events held on
   one UTC day: registrations made for them, cancellations, places confirmed and waitlisted, attendance,
   fill rates. A day's figures are worked out once, `privacy.release_after_hours` after the day ends,
   stored as a release and never changed; every output (dashboards, top lists, series, fill rates,
   CSV and JSON-stat downloads, open data, the `stats.rollups` stream, live updates) reads that release.
   Nothing can be differenced across time: there is no earlier or later version of a figure, no range
   of days is summed, and minute or hour windows of people do not exist. What reaches stats after its
   day was released is kept in the database but never published.
2. **Disjoint releases.** A registration belongs to the day of its occurrence (a whole course to the
   day it starts), so every record counts towards exactly one release, and no figure of one release
   shares a person with a figure of another: releases can be summed but not subtracted from each other.
3. **Audited suppression within a release.** Inside one release the figures are linked: each metric's
   total, organisations and events are sums of the same occurrences, registrations = confirmed +
   waitlisted + cancelled, attendance never exceeds confirmed places, confirmed places never exceed the
   (public) capacity. `protect` treats the release as an attacker would: a system of linear equations
   (the shown figures) and inequalities (every count >= 0, every hidden figure >= 1, the relations
   above, each added where the data bear it out). Small non-zero figures are hidden first; then, for
   every hidden small figure and every underlying count of one occurrence, an integer program finds the
   largest value the attacker could not rule out. Unless that is at least the threshold, the smallest
   shown figure touching the same occurrences is hidden as well (the one that protects it alone, if
   any), and the check repeats. Hiding only ever widens what is possible, so figures that passed stay
   safe and the loop ends. The same rule holds for every margin at once, so there is no "exactly one
   hidden cell" case left over, and a published total always agrees with what is hidden beneath it.

Zeros and small counts: a zero is shown ("nobody" singles nobody out), so a hidden figure is known not
to be zero, and the audit assumes the attacker knows it. That alone would give away a figure that public
facts keep small anyway: with one place, a hidden count of confirmed places can only be 1. So a figure
that could not reach the threshold even were everything else hidden is small by construction: hidden
whatever its value, zero included, so that hiding it tells nothing. Where hiding everything still keeps
a count below the threshold, it must at least not be narrowed to a single value.

Usage counts (views, searches, deliveries, feedback) count actions, not people, and are published live;
zero-result search queries are shown only once enough distinct sessions asked them, and their text is
deleted after `privacy.query_retention_days`.

Session ids are hashed with a keyed one-way function before anything is stored: stats only needs to
know that sessions differ, never which session asked what.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

TOTAL = ""
"""Dimension value of a table's total cell."""

UNSOLVED = -(10**9)
"""What an integer program that found no answer reports: exposed, so that more is hidden (fail safe)."""

TRIES = 6
"""Candidates tried one by one before the most helpful one is hidden anyway."""


def primary(count: int, threshold: int) -> bool:
    return 0 < abs(count) < threshold


@dataclass(frozen=True)
class Figure:
    """A published figure: the sum of some counts (indices into `Problem.counts`)."""

    terms: tuple[int, ...]
    value: int


@dataclass
class Problem:
    """What an attacker knows the figures of one release are made of.

    `counts` are the true underlying counts (one per occurrence and metric); `groups[i]` says which
    occurrence count `i` belongs to; `relations` are sums known to be zero (coefficients by count) and
    `limits` sums known to be at most a bound, both as the data satisfy them."""

    counts: list[int]
    groups: list[int]
    figures: list[Figure]
    relations: list[dict[int, int]] = field(default_factory=list)
    limits: list[tuple[dict[int, int], int]] = field(default_factory=list)


def protect(problem: Problem, threshold: int) -> set[int]:
    """Indices of the figures to hide so that no small count can be derived (see the module)."""
    if not problem.counts:
        return set()  # nobody at all: every figure is zero
    audit = _Audit(problem, threshold)
    hidden = set(audit.small) | {i for i, f in enumerate(problem.figures) if primary(f.value, threshold)}
    targets = {(f.terms, f.value) for i, f in enumerate(problem.figures) if i in hidden}
    targets |= {((i,), v) for i, v in enumerate(problem.counts)}
    for terms, value in sorted(
        (t for t in targets if primary(t[1], threshold)), key=lambda t: (abs(t[1]), t[0])
    ):
        # The most that hiding everything would leave open: the threshold, unless public facts forbid.
        goal = min(threshold, audit.highest(terms, audit.zeros))
        if goal < threshold and not audit.safe(
            terms, value, set(range(len(problem.figures))) - audit.zeros, goal
        ):
            continue  # public facts alone give it away (a full occurrence's places): nothing to protect
        while not audit.safe(terms, value, hidden, goal):
            more = _complement(audit, problem, terms, value, hidden, goal)
            if more is None:
                break  # every non-zero figure is hidden: nothing is shown that could give it away
            hidden.add(more)
    return hidden


def _complement(
    audit: _Audit, problem: Problem, terms: Sequence[int], value: int, hidden: set[int], goal: float
) -> int | None:
    """The shown figure to hide next for the count `terms`: the smallest one about the same occurrences
    that protects it alone, else the one that widens its range most."""
    groups = {problem.groups[t] for t in terms}
    near = [
        i
        for i, f in enumerate(problem.figures)
        if i not in hidden and f.value != 0 and groups.intersection(problem.groups[t] for t in f.terms)
    ]
    candidates = near or [i for i, f in enumerate(problem.figures) if i not in hidden and f.value != 0]
    if not candidates:
        return None
    candidates.sort(key=lambda i: (abs(problem.figures[i].value), len(problem.figures[i].terms), i))
    best, widest = candidates[0], -np.inf
    for i in candidates[:TRIES]:
        if audit.safe(terms, value, hidden | {i}, goal):
            return i
        reach = audit.highest(terms, audit.shown(hidden | {i}), integral=False)
        if reach > widest:
            best, widest = i, reach
    return best


class _Audit:
    """Largest value a sum of counts can take given what is shown: one integer program per question.

    Every figure is one row of a fixed matrix; what is shown or hidden only changes the row's bounds
    (its value exactly, or at least 1, or anything). The linear relaxation answers first: when its
    optimum is in whole numbers it is the integer program's too, which is nearly always the case here."""

    def __init__(self, problem: Problem, threshold: int) -> None:
        self.problem = problem
        self.threshold = threshold
        self.size = len(problem.counts)
        self.lower = np.minimum(0, np.array(problem.counts, dtype=float))
        # An attacker's "unbounded": above every true count and the threshold, so that it changes no
        # verdict, yet small enough to keep the programs well conditioned.
        self.upper = np.full(self.size, 2.0 * (sum(abs(c) for c in problem.counts) + threshold))
        rows = [dict.fromkeys(f.terms, 1.0) for f in problem.figures]
        rows += [{i: float(c) for i, c in r.items()} for r in problem.relations]
        rows += [{i: float(c) for i, c in r.items()} for r, _ in problem.limits]
        data: list[float] = []
        cols: list[int] = []
        indptr = [0]
        for row in rows:
            cols += list(row)
            data += list(row.values())
            indptr.append(len(cols))
        self.matrix = csr_array((data, cols, indptr), shape=(len(rows), self.size))
        self.fixed_low = np.array([0.0] * len(problem.relations) + [-np.inf] * len(problem.limits))
        self.fixed_high = np.array([0.0] * len(problem.relations) + [float(b) for _, b in problem.limits])
        self.values = np.array([f.value for f in problem.figures], dtype=float)
        self.memo: dict[tuple[Any, ...], tuple[float, bool]] = {}
        self.small: set[int] = set()
        self.silent: frozenset[int] = frozenset()
        self.zeros = frozenset(i for i, f in enumerate(problem.figures) if f.value == 0)
        self._silence()

    def _silence(self) -> None:
        """Find the figures small by construction: those that, were every other figure hidden (zeros
        shown, each hidden figure known not to be zero), still could not reach the threshold. They are
        hidden whatever their value, zero included (`small`); the zeros among them are then no longer
        shown, which can only lift the others, so the search ends. Of those, the ones that still cannot
        reach the threshold once it has ended are `silent`: hiding them tells nothing."""
        figures = self.problem.figures
        everything = set(range(len(figures)))
        zeros = self.zeros
        while True:
            more = {
                i
                for i, f in enumerate(figures)
                if i not in self.small
                and abs(f.value) < self.threshold  # a figure that reached it can
                and self.highest(f.terms, self.zeros, loud=everything) < self.threshold - 1e-6
            }
            if not more:
                break
            self.small |= more
            self.zeros = zeros - self.small
        self.silent = frozenset(
            i
            for i in self.small
            if self.highest(figures[i].terms, self.zeros, loud=everything) < self.threshold - 1e-6
        )

    def shown(self, hidden: set[int]) -> frozenset[int]:
        return frozenset(range(len(self.problem.figures))) - hidden

    def safe(self, terms: Sequence[int], value: int, hidden: set[int], goal: float) -> bool:
        """Whether the count `terms` (truly `value`) can still reach `goal`, the threshold; where public
        facts keep it lower, whether it is still more than one value."""
        shown = self.shown(hidden)
        if goal >= self.threshold:
            return self.highest(terms, shown) >= goal - 1e-6
        return (
            self.highest(terms, shown) > value + 1e-6 or -self.highest(terms, shown, sign=-1) < value - 1e-6
        )

    def highest(
        self,
        terms: Sequence[int],
        shown: frozenset[int],
        *,
        integral: bool = True,
        sign: int = 1,
        loud: set[int] | None = None,
    ) -> float:
        """The largest value of the sum `terms` when the figures `shown` are known and every other one is
        known not to be zero unless silent (or outside `loud`, when given); with `sign` -1 the largest
        value of minus the sum, i.e. minus its smallest value."""
        key = (tuple(terms), shown, sign, self.silent if loud is None else None)
        if key not in self.memo:
            self.memo[key] = self._solve(terms, shown, False, sign, loud)  # the relaxation first
        relaxed, whole = self.memo[key]
        if not integral or whole:
            return relaxed  # an integral optimum of the relaxation is the integer optimum
        key = (*key, "integral")
        if key not in self.memo:
            self.memo[key] = self._solve(terms, shown, True, sign, loud)
        return self.memo[key][0]

    def _solve(
        self, terms: Sequence[int], shown: frozenset[int], integral: bool, sign: int, loud: set[int] | None
    ) -> tuple[float, bool]:
        """The optimum, and whether the solution found is in whole numbers."""
        figures = len(self.problem.figures)
        low, high = np.full(figures, -np.inf), np.full(figures, np.inf)
        for i in range(figures):
            value = self.values[i]
            if i in shown:
                low[i] = high[i] = value
            elif (i in loud if loud is not None else i not in self.silent) and value != 0:
                # Zeros are shown: a hidden figure (not silent) is known not to be zero.
                low[i], high[i] = (1, np.inf) if value > 0 else (-np.inf, -1)
        objective = np.zeros(self.size)
        for index in terms:
            objective[index] -= sign
        result = milp(
            objective,
            constraints=[
                LinearConstraint(
                    self.matrix,
                    np.concatenate([low, self.fixed_low]),
                    np.concatenate([high, self.fixed_high]),
                )
            ],
            integrality=np.ones(self.size) if integral else np.zeros(self.size),
            bounds=Bounds(self.lower, self.upper),
            options={"time_limit": 20},
        )
        if result.status != 0 or result.x is None:
            return UNSOLVED, True
        return float(-result.fun), bool(np.all(np.abs(result.x - np.round(result.x)) < 1e-7))


def hash_session(session: str, salt: str) -> str:
    """A keyed, truncated one-way hash: distinct sessions stay distinct, none can be looked up."""
    return hmac.new(salt.encode(), session.encode(), hashlib.sha256).hexdigest()[:16]
