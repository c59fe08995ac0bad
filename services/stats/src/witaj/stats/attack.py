"""What an attacker can work out from published figures: the largest value a sum of counts can take,
given what is shown, what hiding says, and what everyone knows (`witaj.stats.privacy` decides with it).

Every figure is one row of a fixed matrix; what is shown or hidden only changes the row's bounds (its
value exactly, or at least 1, or anything). The linear relaxation answers first: when its optimum is in
whole numbers it is the integer program's too, which is nearly always the case here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, hstack, vstack

if TYPE_CHECKING:
    from witaj.stats.privacy import Problem

UNSOLVED = -(10**9)
"""What an integer program that found no answer reports: exposed, so that more is hidden (fail safe)."""

EPS = 1e-6


class Audit:
    """Integer programs over one problem: figures are grouped in cells (published together, shown or
    hidden whole); a hidden cell about anybody is known to have its first figure (its lead) non-zero."""

    def __init__(self, problem: Problem, threshold: int) -> None:
        self.problem = problem
        self.threshold = threshold
        figures = problem.figures
        self.cells: list[tuple[int, ...]] = problem.cells or [(i,) for i in range(len(figures))]
        self.size = len(problem.counts)
        known = [c for c in problem.counts if c is not None]
        self.lower = np.array([min(0, c or 0) for c in problem.counts], dtype=float)
        # An attacker's "unbounded": above every true count and the threshold, so that it changes no
        # verdict, yet small enough to keep the programs well conditioned. Counts known only through
        # the figures are no larger than the figures holding them.
        scale = sum(abs(c) for c in known)
        if len(known) < self.size:
            scale += sum(abs(f.value) for f in figures)
        self.upper = np.full(self.size, 2.0 * (scale + threshold))
        rows = [dict.fromkeys(f.terms, 1.0) for f in figures]
        rows += [{i: float(c) for i, c in r.items()} for r in problem.relations]
        rows += [{i: float(c) for i, c in r.items()} for r, _ in problem.limits]
        self.matrix = _matrix(rows, self.size)
        self.fixed_low = np.array([0.0] * len(problem.relations) + [-np.inf] * len(problem.limits))
        self.fixed_high = np.array([0.0] * len(problem.relations) + [float(b) for _, b in problem.limits])
        self.values = np.array([f.value for f in figures], dtype=float)
        self.leads: dict[int, list[int]] = {}
        for c, members in enumerate(self.cells):
            self.leads.setdefault(members[0], []).append(c)
        self.memo: dict[tuple[Any, ...], tuple[float, bool]] = {}
        self.zero_cells = frozenset(
            c for c, members in enumerate(self.cells) if all(figures[f].value == 0 for f in members)
        )
        self.small: set[int] = set()
        self.silent: frozenset[int] = frozenset()
        self.zeros = self.figures_of(self.zero_cells)

    def figures_of(self, cells: Collection[int]) -> frozenset[int]:
        return frozenset(f for c in cells for f in self.cells[c])

    def shown(self, hidden: Collection[int]) -> frozenset[int]:
        """The figures a cell still shows when the cells `hidden` are hidden."""
        return self.figures_of([c for c in range(len(self.cells)) if c not in hidden])

    def silence(self) -> None:
        """Find the cells small by construction: those with a figure that, were every other cell hidden
        (zeros shown, each hidden cell known not to be about nobody), still could not reach the
        threshold. They are hidden whatever their value, zero included (`small`); the zeros among them
        are then no longer shown, which can only lift the others, so the search ends. Of those, the ones
        that still cannot reach the threshold once it has ended are `silent`: hiding them tells nothing."""
        figures = self.problem.figures
        everything = set(range(len(self.cells)))

        def low(cells: Collection[int]) -> set[int]:
            """The cells with a figure below the threshold that cannot reach it."""
            asked = {f for c in cells for f in self.cells[c] if abs(figures[f].value) < self.threshold}
            ordered = sorted(asked)
            able = self.reaching([figures[f].terms for f in ordered], self.zeros, loud=everything)
            short = {
                f
                for n, f in enumerate(ordered)
                if n not in able
                and self.highest(figures[f].terms, self.zeros, loud=everything) < self.threshold - EPS
            }
            return {c for c in cells if short.intersection(self.cells[c])}

        while True:
            more = low(everything - self.small)
            if not more:
                break
            self.small |= more
            self.zeros = self.figures_of(self.zero_cells - self.small)
        self.silent = frozenset(low(self.small))

    def uncertain(self) -> set[tuple[int, ...]]:
        """The counts known only through the figures that could be below the threshold but not zero,
        were every figure shown (as sums of one count).

        One program spreads the counts still open as far towards the threshold as they go together;
        those that reach it are done. When none does, those it left above zero may be small, and when
        it leaves them all at zero they are all zero."""
        every = frozenset(range(len(self.problem.figures)))
        open_counts = sorted(i for i, c in enumerate(self.problem.counts) if c is None)
        out: set[tuple[int, ...]] = set()
        while open_counts:
            spread = self._spread([(i,) for i in open_counts], every, None)
            if spread is None:  # the figures contradict each other: protect every open count
                return out | {(i,) for i in open_counts}
            reached = {i for i, v in zip(open_counts, spread, strict=True) if v >= self.threshold - EPS}
            if not reached:
                some = {i for i, v in zip(open_counts, spread, strict=True) if v > EPS}
                if not some:
                    break
                out |= {(i,) for i in some}
                reached = some
            open_counts = [i for i in open_counts if i not in reached]
        return out

    def reaching(
        self, sums: list[Sequence[int]], shown: frozenset[int], *, loud: set[int] | None = None
    ) -> set[int]:
        """Which of the `sums` can reach the threshold, given the figures `shown` (see `highest`), as
        found together: one program spreads them as far towards the threshold as they go at once, and
        those it brings there can; then again for the others. Those left may still, one by one."""
        able: set[int] = set()
        while len(able) < len(sums):
            asked = [n for n in range(len(sums)) if n not in able]
            spread = self._spread([sums[n] for n in asked], shown, loud)
            more = {n for n, v in zip(asked, spread or (), strict=False) if v >= self.threshold - EPS}
            if not more:
                break
            able |= more  # and again without them, which leaves the others more room
        return able

    def _spread(
        self, sums: list[Sequence[int]], shown: frozenset[int], loud: set[int] | None
    ) -> list[float] | None:
        """The value of each sum in a solution that makes min(sum, threshold) add up to the most."""
        extra = len(sums)
        rows, cols, data = [], [], []
        for n, terms in enumerate(sums):
            rows += [n] * (len(terms) + 1)
            cols += [*terms, self.size + n]
            data += [-1.0] * len(terms) + [1.0]
        link = csr_array((data, (rows, cols)), shape=(extra, self.size + extra))
        matrix = vstack([hstack([self.matrix, csr_array((self.matrix.shape[0], extra))]), link]).tocsr()
        low, high = self._bounds(shown, loud)
        objective = np.concatenate([np.zeros(self.size), -np.ones(extra)])
        for integral in (False, True):
            result = milp(
                objective,
                constraints=[
                    LinearConstraint(
                        matrix,
                        np.concatenate([low, self.fixed_low, np.full(extra, -np.inf)]),
                        np.concatenate([high, self.fixed_high, np.zeros(extra)]),
                    )
                ],
                integrality=np.concatenate([np.full(self.size, int(integral)), np.zeros(extra)]),
                bounds=Bounds(
                    np.concatenate([self.lower, np.zeros(extra)]),
                    np.concatenate([self.upper, np.full(extra, float(self.threshold))]),
                ),
                options=_options(integral),
            )
            if result.status != 0 or result.x is None:
                return None
            x = result.x[: self.size]
            if integral or np.all(np.abs(x - np.round(x)) < 1e-7):
                break  # whole numbers: a solution of the integer program too
        return [float(sum(x[t] for t in terms)) for terms in sums]

    def feasible(self) -> bool:
        """Whether any whole counts agree with every figure and every relation."""
        return self._solve((), frozenset(range(len(self.problem.figures))), True, 1, None)[0] != UNSOLVED

    def safe(self, terms: Sequence[int], value: int, hidden: Collection[int], goal: float) -> bool:
        """Whether the count `terms` (truly `value`) can still reach `goal`, the threshold; where public
        facts keep it lower, whether it is still more than one value."""
        shown = self.shown(hidden)
        if goal >= self.threshold:
            return self.highest(terms, shown) >= goal - EPS
        return self.highest(terms, shown) > value + EPS or -self.highest(terms, shown, sign=-1) < value - EPS

    def highest(
        self,
        terms: Sequence[int],
        shown: frozenset[int],
        *,
        integral: bool = True,
        sign: int = 1,
        loud: set[int] | None = None,
    ) -> float:
        """The largest value of the sum `terms` when the figures `shown` are known and every hidden cell
        is known to be about somebody unless silent (or outside the cells `loud`, when given); with
        `sign` -1 the largest value of minus the sum, i.e. minus its smallest value."""
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

    def binding(self, terms: Sequence[int], shown: frozenset[int]) -> set[int]:
        """The shown figures that hold the sum `terms` down: those whose equation has a non-zero dual
        value where the relaxation reaches its largest value (hiding one of them may let it grow)."""
        figures = len(self.problem.figures)
        low, high = self._bounds(shown, None)
        rows = self.matrix.tocsr()
        equal = sorted(shown) + [figures + r for r in range(len(self.problem.relations))]
        lower = [i for i in range(figures) if i not in shown and np.isfinite(low[i])]
        upper = [i for i in range(figures) if i not in shown and np.isfinite(high[i])]
        limits = [figures + len(self.problem.relations) + r for r in range(len(self.problem.limits))]
        objective = np.zeros(self.size)
        for index in terms:
            objective[index] -= 1
        result = linprog(
            objective,
            A_ub=vstack([-rows[lower], rows[upper], rows[limits]]) if lower or upper or limits else None,
            b_ub=np.concatenate([-low[lower], high[upper], self.fixed_high[len(self.problem.relations) :]])
            if lower or upper or limits
            else None,
            A_eq=rows[equal] if equal else None,
            b_eq=np.concatenate([self.values[sorted(shown)], np.zeros(len(self.problem.relations))])
            if equal
            else None,
            bounds=list(zip(self.lower, self.upper, strict=True)),
            method="highs",
        )
        if result.status != 0 or result.eqlin is None:
            return set()
        duals = result.eqlin.marginals[: len(shown)]
        return {f for f, dual in zip(sorted(shown), duals, strict=True) if abs(dual) > EPS}

    def _bounds(self, shown: frozenset[int], loud: set[int] | None) -> tuple[np.ndarray, np.ndarray]:
        figures = len(self.problem.figures)
        low, high = np.full(figures, -np.inf), np.full(figures, np.inf)
        for i in range(figures):
            value = self.values[i]
            if i in shown:
                low[i] = high[i] = value
            elif value != 0 and any(
                (c in loud if loud is not None else c not in self.silent) for c in self.leads.get(i, ())
            ):
                # Zeros are shown: a hidden cell (not silent) is about somebody, so its lead is not zero.
                low[i], high[i] = (1, np.inf) if value > 0 else (-np.inf, -1)
        return low, high

    def _solve(
        self, terms: Sequence[int], shown: frozenset[int], integral: bool, sign: int, loud: set[int] | None
    ) -> tuple[float, bool]:
        """The optimum, and whether the solution found is in whole numbers.

        HiGHS's presolve can stop at a feasible point short of the optimum and report it optimal (HiGHS
        issues #1725, #3094; the disclosure tests' own attacker once bounded by 4 a count that could be
        5). That understates what an attacker cannot rule out, and where the answer is the bound public
        facts set (the goal in `protect`), a count would be protected too little. Any answer that agrees
        with the figures is a value the attacker cannot rule out, so an integer program is solved with and
        without presolve and the larger such answer kept (the relaxation runs without presolve anyway)."""
        low, high = self._bounds(shown, loud)
        objective = np.zeros(self.size)
        for index in terms:
            objective[index] -= sign
        best: tuple[float, bool] = (UNSOLVED, True)
        for presolve in (False, True) if integral else (False,):
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
                options=_options(presolve),
            )
            if result.status != 0 or result.x is None or not self._allows(result.x, low, high):
                continue
            if float(-result.fun) > best[0]:
                best = float(-result.fun), bool(np.all(np.abs(result.x - np.round(result.x)) < 1e-7))
        return best

    def _allows(self, x: np.ndarray, low: np.ndarray, high: np.ndarray) -> bool:
        """Whether the counts `x` agree with every figure, relation and limit, and their bounds."""
        sums = self.matrix @ x
        tolerance = 1e-6 * (1 + np.abs(sums))
        return bool(
            np.all(sums >= np.concatenate([low, self.fixed_low]) - tolerance)
            and np.all(sums <= np.concatenate([high, self.fixed_high]) + tolerance)
            and np.all(x >= self.lower - 1e-6)
            and np.all(x <= self.upper + 1e-6)
        )


def _options(presolve: bool) -> dict[str, Any]:
    """HiGHS's presolve pays for itself on integer programs only: on these relaxations, whose rows are
    long sums over the same counts, it costs more than it saves (and it can err: see `Audit._solve`)."""
    return {"time_limit": 20, "presolve": presolve}


def _matrix(rows: list[dict[int, float]], size: int) -> csr_array:
    data: list[float] = []
    cols: list[int] = []
    indptr = [0]
    for row in rows:
        cols += list(row)
        data += list(row.values())
        indptr.append(len(cols))
    return csr_array((data, cols, indptr), shape=(len(rows), size))
