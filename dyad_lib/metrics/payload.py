"""The `dyad metrics --json` document: for each metric id its value, unit and reason when it cannot
be computed, the previous period and the same period a year earlier with the changes, the
benchmark bands of the practice's kind on the value's basis (tier, basis, source), where the value
sits and the verdict against the reference band. The CLI prints it and every report embeds the same
document for the numbers it shows, so the two can be compared mechanically. The README documents
the schema (`SCHEMA_VERSION`)."""

from __future__ import annotations

import math
from typing import Any

SCHEMA_VERSION = 2


def json_number(x: float | None, unit: str) -> float | int | None:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    if unit == "count" and float(x).is_integer():
        return int(x)
    if unit in ("money", "money_per_hour"):
        return round(float(x), 2)
    return float(x)


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isinf(x) else x


def _text(x: Any) -> str | None:
    return x if isinstance(x, str) and x else None


def metric_entry(row: Any, values: Any = None) -> dict[str, Any]:
    """One metric of the document from a `compare` row (a Comparison dict or a DataFrame row)."""
    from dyad_lib import fmt

    r = dict(row)
    unit = r["unit"]
    value, prev, ago = _num(r.get("value")), _num(r.get("previous")), _num(r.get("year_ago"))
    bands = [b.to_dict() for b in (r.get("bands") or ())]
    ref = next((b for b in bands if b["tier"] == "top"), bands[0] if bands else None)
    return {
        "label": r.get("label"),
        "value": json_number(value, unit), "unit": unit,
        "reason": None if value is not None else _text(r.get("reason")),
        "previous": json_number(prev, unit),
        "change": json_number(_num(r.get("change")), unit),
        "change_text": fmt.difference(value, prev, unit) if value is not None and prev is not None else None,
        "year_ago": json_number(ago, unit),
        "change_year": json_number(_num(r.get("change_year")), unit),
        "trend": _text(r.get("trend")),
        "band": ref,
        "bands": bands,
        "tier": ref["tier"] if ref else None,
        "position": _text(r.get("position")),
        "where": _text(r.get("where")),
        "verdict": _text(r.get("verdict")) if value is not None else None,
        "verdict_reason": _text(r.get("reason")) if value is not None else None,
    }


def metrics_payload(practice, period, values=None, ids=None) -> dict[str, Any]:
    """The `--json` document for `period` (every metric of the practice's kind, or `ids`): see
    the module docstring and the README's schema. `values` is accepted for callers that computed
    them already; the document recomputes through `compare` so every field comes from one place."""
    from dyad_lib.metrics.compare import compare

    wanted = list(values) if ids is None and values is not None else ids
    table = compare(practice, period, wanted)
    return {
        "schema": SCHEMA_VERSION,
        "practice_id": practice.practice_id,
        "kind": practice.kind,
        "period": period.label,
        "months": period.month_labels,
        "previous_period": period.previous().label,
        "year_ago_period": period.year_earlier().label,
        "metrics": {r["id"]: metric_entry(r) for r in table.to_dict("records")},
    }
