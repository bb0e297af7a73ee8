"""The value of one metric for one period: a number, or no number and the reason why.

A metric that cannot be computed (table absent, not enough history, empty denominator) is never
reported as zero and never raises: it is a `MetricValue` with `value=None` and a reason a person
can act on ("no appointments in 2026Q3", "needs 18 months of history").
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class MetricValue:
    id: str
    value: float | None
    unit: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "reason": self.reason}

    def asdict(self) -> dict[str, Any]:
        return asdict(self)


def value(metric_id: str, x: float | int | None, unit: str, reason_if_missing: str = "no data") -> MetricValue:
    """A computed value; NaN/None/inf become missing with the given reason."""
    if x is None:
        return MetricValue(metric_id, None, unit, reason_if_missing)
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return MetricValue(metric_id, None, unit, reason_if_missing)
    return MetricValue(metric_id, x, unit, None)


def missing(metric_id: str, unit: str, reason: str) -> MetricValue:
    """A metric that cannot be computed, with the reason."""
    return MetricValue(metric_id, None, unit, reason)


def ratio(metric_id: str, numerator: float, denominator: float, unit: str = "ratio",
          empty_reason: str = "the denominator is zero") -> MetricValue:
    """numerator ÷ denominator, or missing when the denominator is zero or absent."""
    if denominator is None or (isinstance(denominator, float) and math.isnan(denominator)) or denominator == 0:
        return missing(metric_id, unit, empty_reason)
    return value(metric_id, float(numerator) / float(denominator), unit, empty_reason)
