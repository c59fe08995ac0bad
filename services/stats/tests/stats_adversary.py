"""An attacker of published statistics, for the tests: every figure seen is an equation, and any count of
people below the threshold that the equations pin down is a disclosure.

Built apart from `witaj.stats.privacy` on purpose: it knows only what an outsider knows (which occurrences
exist, of which event and organisation, with which capacity, all public in the event listing) and what
each published figure means, and it solves for the rest in two ways: exact rational elimination (is a
count determined by the shown figures?) and integer programming (how large could it be, given that every
count is >= 0, a hidden figure is >= 1 because zeros are shown, registrations = confirmed + waitlisted +
cancelled, attendance <= confirmed and confirmed <= capacity?).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

Var = Hashable
Sum = dict[Var, int]


@dataclass
class Leak:
    quantity: str
    true: int
    largest: float
    determined: bool


@dataclass
class Adversary:
    threshold: int
    truth: dict[Var, int]
    """The true value of every unknown: only to evaluate targets and to keep assumed facts true."""
    shown: list[tuple[Sum, int]] = field(default_factory=list)
    hidden: list[Sum] = field(default_factory=list)
    facts: list[tuple[Sum, float, float]] = field(default_factory=list)
    """Relations everyone knows (low <= sum <= high), whatever is published."""
    _publics: dict[Any, float] = field(default_factory=dict)

    def value(self, terms: Sum) -> int:
        return sum(self.truth[v] * c for v, c in terms.items())

    def see(self, terms: Sum, count: int | None) -> None:
        """A published figure: its count, or None when it was suppressed."""
        terms = {v: c for v, c in terms.items() if c}
        if not terms:
            assert count in (0, None), "a figure about nobody must be zero"
            return
        if count is None:
            self.hidden.append(terms)
        else:
            assert count == self.value(terms), f"a shown figure must be true: {terms} = {count}"
            self.shown.append((terms, count))

    def know(self, terms: Sum, low: float, high: float) -> None:
        """A fact known without any publication, kept only where the data bear it out."""
        if low <= self.value(terms) <= high:
            self.facts.append((terms, low, high))

    def leaks(self, targets: Iterable[tuple[str, Sum]]) -> list[Leak]:
        """The targets with a true value below the threshold (not zero) that the figures pin down: either
        determined outright, or bounded below the threshold; or, where public facts alone bound it below
        the threshold (a capacity of 3, say, or what hiding any figure tells: that it is not zero),
        narrowed to a single value."""
        variables = sorted(self.truth, key=repr)
        index = {v: i for i, v in enumerate(variables)}
        basis = _Basis(len(variables))
        for terms, count in self.shown:
            basis.add({index[v]: c for v, c in terms.items()}, count)
        out = []
        for name, terms in targets:
            true = self.value(terms)
            if not 0 < true < self.threshold:
                continue
            row = {index[v]: c for v, c in terms.items()}
            determined = basis.determines(row)
            largest = self._largest(variables, index, row, published=True)
            negated = {i: -c for i, c in row.items()}
            attainable = self._largest(variables, index, row, published=False, attainable=True)
            if attainable >= self.threshold:
                exposed = largest < self.threshold - 1e-6
            elif (
                attainable
                <= -self._largest(variables, index, negated, published=False, attainable=True) + 1e-6
            ):
                continue  # public facts alone pin it (a full occurrence's places): nothing to protect
            else:  # even hiding everything would keep it small: it must not be narrowed to one value
                exposed = largest <= -self._largest(variables, index, negated, published=True) + 1e-6
            if determined or exposed:
                out.append(Leak(name, true, largest, determined))
        return out

    def _public(self, terms: Sum) -> float:
        """The largest value a sum could have were every figure hidden but the zeros shown (each hidden
        one known not to be zero): below the threshold, a figure is small by construction and hidden
        whatever its value, so hiding it says nothing."""
        key = tuple(sorted(terms.items(), key=repr))
        if key not in self._publics:
            variables = sorted(self.truth, key=repr)
            index = {v: i for i, v in enumerate(variables)}
            row = {index[v]: c for v, c in terms.items()}
            self._publics[key] = self._largest(variables, index, row, published=False, everything=True)
        return self._publics[key]

    def _largest(
        self,
        variables: list[Var],
        index: dict[Var, int],
        row: dict[int, int],
        *,
        published: bool,
        everything: bool = False,
        attainable: bool = False,
    ) -> float:
        """With `published` False: only public facts and the zeros shown; with `everything` too, each
        hidden figure or non-zero shown one as merely not zero; with `attainable` instead, those that
        would say so if hidden (all but the small by construction)."""
        rows: list[tuple[dict[int, int], float, float]] = [
            ({index[v]: c for v, c in terms.items()}, low, high) for terms, low, high in self.facts
        ]
        # Zeros are shown whatever the suppression does, so they count as public facts too.
        rows += [({index[v]: c for v, c in t.items()}, n, n) for t, n in self.shown if published or n == 0]
        if everything or attainable:
            figures = self.hidden + [t for t, n in self.shown if n != 0]
            figures = [t for t in figures if self.value(t) > 0]
            if attainable:
                figures = [t for t in figures if self._public(t) >= self.threshold]
            rows += [({index[v]: c for v, c in t.items()}, 1, np.inf) for t in figures]
        elif published:  # a hidden figure is not zero, unless it is small by construction
            loud = [t for t in self.hidden if self.value(t) > 0 and self._public(t) >= self.threshold]
            rows += [({index[v]: c for v, c in t.items()}, 1, np.inf) for t in loud]
        size = len(variables)
        objective = np.zeros(size)
        for i, c in row.items():
            objective[i] = -c
        constraints = []
        if rows:
            data, cols, indptr = [], [], [0]
            for r, _, _ in rows:
                cols += list(r)
                data += [float(c) for c in r.values()]
                indptr.append(len(cols))
            matrix = csr_array((data, cols, indptr), shape=(len(rows), size))
            constraints.append(LinearConstraint(matrix, [lo for _, lo, _ in rows], [hi for _, _, hi in rows]))
        lower = [min(0, self.truth[v]) for v in variables]
        # HiGHS's presolve can end on a feasible point short of the optimum and still call it optimal
        # (HiGHS issues #1725, #3094): this very test once took a count that could be 5 for at most 4.
        # An answer that is a point the figures allow is a value the attacker cannot rule out, so the
        # largest of two solves is kept, and the two rarely err on the same program.
        low = np.array([lo for _, lo, _ in rows], dtype=float)
        high = np.array([hi for _, _, hi in rows], dtype=float)
        best = -np.inf
        for presolve in (False, True):
            result = milp(
                objective,
                constraints=constraints,
                integrality=np.ones(size),
                bounds=Bounds(lower, 10**6),
                options={"presolve": presolve},
            )
            assert result.status == 0, result.message
            sums = matrix @ result.x if rows else low
            if np.all(sums >= low - 1e-6) and np.all(sums <= high + 1e-6):
                best = max(best, float(-result.fun))
        assert best > -np.inf, "no solve found counts that agree with the figures"
        return best


class _Basis:
    """Row-reduced shown equations over the rationals: a sum is determined iff it is in their span."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: dict[int, dict[int, Fraction]] = {}  # pivot -> row (normalised on the pivot)

    def _reduce(self, row: dict[int, Fraction]) -> dict[int, Fraction]:
        row = dict(row)
        for pivot, basis in self.rows.items():
            factor = row.get(pivot)
            if factor:
                for i, c in basis.items():
                    row[i] = row.get(i, Fraction(0)) - factor * c
                row = {i: c for i, c in row.items() if c}
        return row

    def add(self, row: dict[int, int], value: int) -> None:
        del value  # only the span matters for whether a sum is determined
        reduced = self._reduce({i: Fraction(c) for i, c in row.items()})
        if not reduced:
            return
        pivot = min(reduced)
        scale = reduced[pivot]
        reduced = {i: c / scale for i, c in reduced.items()}
        for other, basis in self.rows.items():
            factor = basis.get(pivot)
            if factor:
                for i, c in reduced.items():
                    basis[i] = basis.get(i, Fraction(0)) - factor * c
                self.rows[other] = {i: c for i, c in basis.items() if c}
        self.rows[pivot] = reduced

    def determines(self, row: dict[int, int]) -> bool:
        return not self._reduce({i: Fraction(c) for i, c in row.items()})
