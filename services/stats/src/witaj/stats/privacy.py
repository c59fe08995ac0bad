"""Statistical disclosure control: no count of fewer people than the threshold can be worked out from
anything stats publishes, alone or together.

Hiding small cells (primary suppression) is not enough: whoever sees a total and all but one cell has
the hidden one, whoever sees {?, ?, 10} with a total of 12 knows both hidden cells are 1 (a hidden cell
is never 0, since zeros are shown), and whoever reads the same table twice learns how many people came
in between. So counts of people are published under three rules, and only under them:

1. **Once, when settled.** Every count of people is about the occurrences (sessions) of events held on
   one UTC day: registrations made for them, cancellations, places confirmed and waitlisted, attendance,
   fill rates; or about the questions migrants asked on one UTC day (`witaj.stats.questions`). A day's figures are worked out once, `privacy.release_after_hours` after the day ends,
   stored as a release and never changed; every output (dashboards, top lists, series, fill rates,
   CSV and JSON-stat downloads, open data, the `stats.rollups` stream, live updates) reads that release.
   Nothing can be differenced across time: there is no earlier or later version of a figure, no range
   of days is summed, and minute or hour windows of people do not exist. What reaches stats after its
   day was released is kept in the database but never published.
2. **Disjoint releases.** A registration belongs to the day of its occurrence (a whole course to the
   day it starts), a question and all that happens to it to the day it was asked, so every record
   counts towards exactly one release, and no figure of one release
   shares a person with a figure of another: releases can be summed but not subtracted from each other.
3. **Audited suppression within a release.** Inside one release the figures are linked: each metric's
   total, organisations and events are sums of the same occurrences, registrations = confirmed +
   waitlisted + cancelled, attendance never exceeds confirmed places, confirmed places never exceed the
   (public) capacity (and for questions: their totals, topics and languages are sums of the same
   topic-and-language counts, and answered, unanswered and reported ones are among those asked).
   `protect` treats the release as an attacker would: a system of linear equations
   (the shown figures) and inequalities (every count >= 0, every hidden figure >= 1, the relations
   above, each added where the data bear it out). Small non-zero figures are hidden first; then, for
   every hidden small figure and every underlying count of one occurrence, an integer program finds the
   largest value the attacker could not rule out. Unless that is at least the threshold, a shown
   figure is hidden as well: of those that hold the count down (a non-zero dual value where the
   relaxation reaches its largest value), else of those touching the same occurrences, the smallest that
   protects it alone, else the one that widens its range most; and the check repeats. Hiding only ever
   widens what is possible, so figures that passed stay safe and the loop ends. The same rule holds for
   every margin at once, so there is no "exactly one hidden cell" case left over, and a published total
   always agrees with what is hidden beneath it.

Integration indicators go through the same audit (`witaj.stats.indicator_audit`), with two differences
`Problem` allows for: a cell shows several figures at once (a rate: its numerator and denominator), so
cells are shown or hidden whole; and the counts beneath (people per sex, age band and citizenship) are
not known themselves, only through the figures, so each one that the figures, all shown, would leave
below the threshold is protected. Their rules of time are theirs: what was published stays published.

Zeros and small counts: a zero is shown ("nobody" singles nobody out), so a hidden figure is known not
to be zero, and the audit assumes the attacker knows it. That alone would give away a figure that public
facts keep small anyway: with one place, a hidden count of confirmed places can only be 1. So a figure
that could not reach the threshold even were everything else hidden is small by construction: hidden
whatever its value, zero included, so that hiding it tells nothing. Where hiding everything still keeps
a count below the threshold, it must at least not be narrowed to a single value.

Usage counts (views, searches, deliveries, feedback) count actions, not people, and are published live.
Zero-result search queries are published per settled calendar week only, each once enough distinct
sessions asked it that week (why: `witaj.stats.gaps`), and their text is deleted after
`privacy.query_retention_days`.

Session ids are hashed with a keyed one-way function before anything is stored: stats only needs to
know that sessions differ, never which session asked what.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from witaj.stats.attack import UNSOLVED, Audit

TOTAL = ""
"""Dimension value of a table's total cell."""

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
    """What an attacker knows the published figures are made of.

    `counts` are the true underlying counts (a release: one per occurrence and metric), or None where
    only the figures tell them (indicators: a city reports figures, not records); `groups[i]` says which
    people count `i` is about (an occurrence; a group by sex, age and citizenship); `relations` are sums
    known to be zero (coefficients by count) and `limits` sums known to be at most a bound, both as the
    data satisfy them. `cells` are the figures published together, shown or hidden whole (an indicator
    cell shows a rate, so its denominator and its numerator); a cell about anybody has its first figure
    non-zero. By default each figure is a cell of its own."""

    counts: Sequence[int | None]
    groups: list[int]
    figures: list[Figure] = field(default_factory=list)
    relations: list[dict[int, int]] = field(default_factory=list)
    limits: list[tuple[dict[int, int], int]] = field(default_factory=list)
    cells: list[tuple[int, ...]] | None = None
    _known: dict[tuple[int, ...], int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(
        cls, groups: Sequence[dict[str, int]], metrics: Sequence[str]
    ) -> tuple[Problem, dict[tuple[int, str], int]]:
        """A problem whose counts are each metric of each group (an occurrence; a topic and language),
        and the index of the count of (group, metric)."""
        index = {(g, m): len(metrics) * g + k for g in range(len(groups)) for k, m in enumerate(metrics)}
        counts = [group.get(metric, 0) for group in groups for metric in metrics]
        return cls(counts, [g for g in range(len(groups)) for _ in metrics]), index

    def figure(self, terms: Iterable[int]) -> int:
        """The index of the figure summing the counts `terms`, added if new: the same sum shown twice
        (an event with one occurrence, a city with one language) is one figure, shown or not."""
        key = tuple(sorted(terms))
        if key not in self._known:
            self._known[key] = len(self.figures)
            self.figures.append(Figure(key, sum(self.counts[t] for t in key)))
        return self._known[key]

    def limit(self, terms: dict[int, int], bound: int) -> None:
        """Let the attacker know that a sum of counts is at most `bound`, where the data bear it out (a
        relation the data break, by an event lost or late, would make the audit's programs infeasible)."""
        if sum(self.counts[i] * c for i, c in terms.items()) <= bound:
            self.limits.append((terms, bound))


def protect(
    problem: Problem, threshold: int, *, hidden: Iterable[int] = (), kept: Iterable[int] = ()
) -> set[int]:
    """Indices of the cells (by default: figures) to hide so that no small count can be derived (see
    the module). `hidden` and `kept` were published before, hidden and shown: they stay so, and what
    is shown already is never hidden in vain, so others are hidden in its stead."""
    hidden = set(hidden)
    if not problem.counts:
        return hidden  # nobody at all: every figure is zero
    audit = Audit(problem, threshold)
    audit.silence()
    figures = problem.figures
    hidden |= audit.small | {
        c
        for c, members in enumerate(audit.cells)
        if any(primary(figures[f].value, threshold) for f in members)
    }
    kept = set(kept) - hidden
    shown = audit.shown(hidden)
    targets: dict[tuple[int, ...], int | None] = {
        f.terms: f.value for i, f in enumerate(figures) if i not in shown
    }
    targets |= {(i,): v for i, v in enumerate(problem.counts) if v is not None}
    targets = {t: v for t, v in targets.items() if primary(v, threshold)}
    targets |= dict.fromkeys(audit.uncertain() - set(targets))  # small or not: their value is unknown
    # Hiding everything that may be hidden leaves the zeros and what was shown before.
    everything = set(range(len(audit.cells))) - (audit.zero_cells - audit.small) - kept
    fixed = audit.shown(everything)
    every = frozenset(range(len(figures)))
    queue = sorted(targets, key=lambda t: (abs(targets[t] or 0), t))
    while queue:
        # Most counts are safe as they are: find those at once, then look at the others one by one
        # until one needs more hidden, which changes what is safe.
        able = audit.reaching(queue, audit.shown(hidden))
        queue = [t for n, t in enumerate(queue) if n not in able]
        before = len(hidden)
        while queue and len(hidden) == before:
            terms = queue.pop(0)
            # The most that hiding everything would leave open: the threshold, unless public facts (and
            # what was published before) forbid.
            goal = min(threshold, audit.highest(terms, fixed))
            value = targets[terms]
            if goal < threshold:
                if value is None:  # known only through the figures: as large as they would let it be
                    ceiling = audit.highest(terms, every)
                    value = 1 if ceiling == UNSOLVED else round(ceiling)  # unsolved: protect it
                if not primary(value, threshold) or not audit.safe(terms, value, everything, goal):
                    continue  # public facts alone give it away (a full occurrence's places): let be
            while not audit.safe(terms, value or 0, hidden, goal):
                more = _complement(audit, terms, value or 0, hidden, kept, goal)
                if more is None:
                    break  # every non-zero cell is hidden or shown before: nothing more can be hidden
                hidden.add(more)
    return hidden


def consistent(problem: Problem) -> bool:
    """Whether whole counts, none negative, can make every figure with every relation and limit."""
    if not problem.counts:
        return all(f.value == 0 for f in problem.figures)
    return Audit(problem, 1).feasible()


def _complement(
    audit: Audit, terms: Sequence[int], value: int, hidden: set[int], kept: set[int], goal: float
) -> int | None:
    """The shown cell to hide next for the count `terms`: of those that hold it down (else of those about
    the same people), the smallest that protects it alone, else the one that widens its range most."""
    problem = audit.problem
    figures = problem.figures
    groups = {problem.groups[t] for t in terms}
    open_cells = [
        c for c in range(len(audit.cells)) if c not in hidden and c not in kept and c not in audit.zero_cells
    ]
    holding = audit.binding(terms, audit.shown(hidden))
    near = [
        c
        for c in open_cells
        if groups.intersection(problem.groups[t] for f in audit.cells[c] for t in figures[f].terms)
    ]
    candidates = [c for c in open_cells if holding.intersection(audit.cells[c])] or near or open_cells
    if not candidates:
        return None

    def size(c: int) -> tuple[int, int, int]:
        lead = figures[audit.cells[c][0]]
        return abs(lead.value), len(lead.terms), c

    candidates.sort(key=size)
    best, widest = candidates[0], -np.inf
    for c in candidates[:TRIES]:
        if audit.safe(terms, value, hidden | {c}, goal):
            return c
        reach = audit.highest(terms, audit.shown(hidden | {c}), integral=False)
        if reach > widest:
            best, widest = c, reach
    return best


def hash_session(session: str, salt: str) -> str:
    """A keyed, truncated one-way hash: distinct sessions stay distinct, none can be looked up."""
    return hmac.new(salt.encode(), session.encode(), hashlib.sha256).hexdigest()[:16]
