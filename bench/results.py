"""One benchmark figure, its same-run baseline, and whether it met its goal."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any, Literal

Goal = Literal["ratio_at_least", "ratio_at_most", "value_at_most", "value_at_least"]


@dataclass(frozen=True)
class Result:
    """`ratio` is value / baseline. `goal` is a threshold read according to `goal_kind`.

    Throughputs use `ratio_at_least` (e.g. fan-out at least 0.5 of bulk inserts); latencies that the
    issues bound absolutely (freshness p95 <= 2 s) use `value_at_most`, still printed beside a baseline.
    """

    name: str
    value: float
    unit: str
    baseline: float | None = None
    goal: float | None = None
    goal_kind: Goal = "ratio_at_least"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        if self.goal_kind == "value_at_most":
            return self.value <= self.goal
        if self.goal_kind == "value_at_least":
            return self.value >= self.goal
        if self.ratio is None:
            return None
        return self.ratio >= self.goal if self.goal_kind == "ratio_at_least" else self.ratio <= self.goal

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ratio=self.ratio, met=self.met)
        return {
            k: data[k]
            for k in ("name", "value", "unit", "baseline", "ratio", "goal", "met", "goal_kind", "note")
        }


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of `samples`, interpolated."""
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[max(0, min(98, round(p) - 1))]
