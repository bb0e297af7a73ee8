"""The `dyad metrics --json` document: one value per metric id, the unit, and the reason when a
metric cannot be computed. The CLI prints it and every report embeds the same document for the
numbers it shows, so the two can be compared mechanically."""

from __future__ import annotations

import math
from typing import Any


def json_number(x: float | None, unit: str) -> float | int | None:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    if unit == "count" and float(x).is_integer():
        return int(x)
    if unit in ("money", "money_per_hour"):
        return round(float(x), 2)
    return float(x)


def metrics_payload(practice, period, values) -> dict[str, Any]:
    """The `--json` document: practice_id, period, months, metrics{id: value, unit, reason}."""
    return {
        "practice_id": practice.practice_id,
        "period": period.label,
        "months": period.month_labels,
        "metrics": {mid: {"value": json_number(v.value, v.unit), "unit": v.unit,
                          "reason": None if v.value is not None else v.reason}
                    for mid, v in values.items()},
    }
