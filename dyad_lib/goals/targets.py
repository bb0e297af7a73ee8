"""KPI targets for the year: each main metric moved a set step from its trailing-twelve-month value
toward its benchmark band (never past the band's edge, never backwards)."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from dyad_lib.fmt import pct_text
from dyad_lib.goals.inputs import History, NO_SHOW_TARGET
from dyad_lib.goals.levers import LEVER_STEPS


KPI_STEP = 0.5  # default: move half the way from today's T12 value to the benchmark band


KPI_IDS = ("collection_ratio", "adjustments_rate", "overhead_ratio", "case_acceptance_value", "no_show_rate",
           "chair_utilization", "new_patients", "patient_retention", "pre_appointment_rate", "ar_days")


def _band(metric_id: str, kind: str) -> tuple[float | None, float | None, str, str, str] | None:
    """(low, high, better, source, unit) from the metric registry, when it has the metric."""
    try:
        from dyad_lib.metrics import registry
    except ImportError:  # pragma: no cover - the registry is part of the suite
        return None
    try:
        d = registry.get(metric_id)
    except KeyError:
        return None
    b = d.band(kind)
    if b is None or b.per:  # per-doctor bands are not comparable with a practice total
        return (None, None, d.better, "", d.unit)
    return (b.low, b.high, d.better, b.source_text, d.unit)


def kpi_target(current: float | None, low: float | None, high: float | None, better: str,
               step: float = KPI_STEP, unit: str = "ratio") -> tuple[float | None, str]:
    """Today's value moved `step` of the way to the band's near edge; already in or past the band:
    held. Returns (target, how)."""
    if current is None:
        return None, "not computable today"
    if better == "up":
        edge = low if low is not None else high
        if edge is None or current >= edge:
            return current, "hold: at or better than the band" if edge is not None else "hold: no benchmark"
        return current + step * (edge - current), f"{step:.0%} of the way to {_edge(edge, unit)}"
    edge = high if high is not None else low
    if edge is None or current <= edge:
        return current, "hold: at or better than the band" if edge is not None else "hold: no benchmark"
    return current - step * (current - edge), f"{step:.0%} of the way to {_edge(edge, unit)}"


def _edge(x: float, unit: str) -> str:
    return pct_text(x) if unit == "ratio" else f"{x:,.4g}"


def kpi_targets(history: History, step: float = KPI_STEP, combination: pd.DataFrame | None = None,
                ids: tuple[str, ...] = KPI_IDS, bands: Mapping[str, tuple] | None = None) -> pd.DataFrame:
    """One row per main metric: current T12 value, band, target and how it was set. Where the
    lever combination that closes the gap asks for more (case acceptance, utilization, no-shows),
    the target is raised to that level so targets and goal tell the same story."""
    need: dict[str, float] = {}
    if combination is not None and not combination.empty:
        for r in combination.itertuples():
            if r.lever == "case_acceptance" and history.get("case_acceptance_value") is not None:
                need["case_acceptance_value"] = history.get("case_acceptance_value") + LEVER_STEPS["case_acceptance"] * r.share_of_lever
            elif r.lever == "utilization" and history.get("chair_utilization") is not None:
                need["chair_utilization"] = history.get("chair_utilization") + LEVER_STEPS["utilization"] * r.share_of_lever
            elif r.lever == "no_shows" and history.get("no_show_rate") is not None:
                rate = history.get("no_show_rate")
                need["no_show_rate"] = rate - (rate - NO_SHOW_TARGET) * r.share_of_lever
            elif r.lever == "new_patients" and history.get("new_patients") is not None:
                need["new_patients"] = history.get("new_patients") + LEVER_STEPS["new_patients"] * r.share_of_lever
    rows = []
    for mid in ids:
        band = (bands or {}).get(mid) or _band(mid, history.kind)
        low, high, better, source, unit = (tuple(band) + ("ratio",))[:5] if band else \
            (None, None, _BETTER.get(mid, "up"), "", "ratio")
        cur = history.get(mid)
        target, how = kpi_target(cur, low, high, better, step, unit)
        if mid in need and target is not None:
            more = need[mid] > target if better == "up" else need[mid] < target
            if more:
                target, how = need[mid], "what the lever combination that closes the gap needs"
        rows.append({"metric": mid, "label": _label(mid, history.kind), "current": cur, "band_low": low, "band_high": high, "better": better,
                     "target": None if target is None else round(target, 4), "how": how, "source": source})
    return pd.DataFrame(rows)


def _label(metric_id: str, kind: str) -> str:
    try:
        from dyad_lib.metrics import registry

        return registry.label(metric_id, kind)
    except (ImportError, KeyError):  # pragma: no cover
        return metric_id.replace("_", " ")


_BETTER = {"collection_ratio": "up", "adjustments_rate": "down", "overhead_ratio": "down",
           "case_acceptance_value": "up", "no_show_rate": "down", "chair_utilization": "up", "new_patients": "up",
           "patient_retention": "up", "pre_appointment_rate": "up", "ar_days": "down"}
