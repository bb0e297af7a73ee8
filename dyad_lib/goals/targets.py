"""KPI targets for the year. A metric the plan depends on takes the plan's own value (the ledger's
collection ratio and adjustment rate, the budget's overhead share, the utilization the goal
needs, what the counted levers ask of no-shows, case acceptance and new patients); any other
moves a set step from its trailing-twelve-month value toward its benchmark band (never past the
band's edge, never backwards)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Mapping

import pandas as pd

from dyad_lib.fmt import band_text, pct_text
from dyad_lib.goals.inputs import History, NO_SHOW_TARGET
from dyad_lib.goals.levers import LEVER_STEPS


KPI_STEP = 0.5  # default: move half the way from today's T12 value to the benchmark band


KPI_IDS = ("collection_ratio", "adjustments_rate", "overhead_ratio", "case_acceptance_value", "no_show_rate",
           "chair_utilization", "new_patients", "patient_retention", "pre_appointment_rate", "ar_days")


def metric_band(metric_id: str, kind: str, providers: float | None = None
                ) -> tuple[float | None, float | None, str, str, str, str, str] | None:
    """(low, high, better, source, unit, tier, band text) of the metric's reference band for a
    year of this kind of practice (`dyad_lib.metrics.benchmarks`: the top performers' band where
    one is published, else the typical one; a band per dentist needs `providers`, the practice's
    dentists or physicians). None when the registry does not know the metric."""
    from dyad_lib.metrics import benchmarks, registry

    try:
        d = registry.get(metric_id)
    except KeyError:
        return None
    b = benchmarks.reference(benchmarks.resolve(d, kind, 12, providers))
    if b is None:
        return (None, None, d.better, "", d.unit, "", "")
    return (b.low, b.high, d.better, b.source_text, d.unit, b.tier, b.label)


def kpi_target(current: float | None, low: float | None, high: float | None, better: str,
               step: float = KPI_STEP, unit: str = "ratio", tier: str = "top") -> tuple[float | None, str]:
    """Today's value moved `step` of the way to the band's near edge; already in or past the band:
    held. Past a typical band (what practices measure, not a target) the hold says so. Returns
    (target, how)."""
    if current is None:
        return None, "not computable today"
    edge = (low if low is not None else high) if better == "up" else (high if high is not None else low)
    if edge is None:
        return current, "hold: no benchmark"
    reached = current >= edge if better == "up" else current <= edge
    if reached:
        if tier == "typical":
            inside = (low is None or current >= low) and (high is None or current <= high)
            where = "within" if inside else "better than"
            return current, (f"hold: {where} the typical {_range(low, high, unit)} practices measure (what they "
                             "reach, not a target; no top-performer figure is published)")
        return current, "hold: at the top performers' level" if tier == "top" else "hold: at or better than the band"
    return current + step * (edge - current), f"{step:.0%} of the way to {_edge(edge, unit)}"


def _range(low: float | None, high: float | None, unit: str) -> str:
    """'52.0–60.0%', '30–45 days': the band as the reports print it."""
    return band_text(SimpleNamespace(low=low, high=high), unit)


def _edge(x: float, unit: str) -> str:
    return pct_text(x) if unit == "ratio" else f"{x:,.4g}"


#: Metrics whose target the plan sets (the rest move KPI_STEP toward their band).
PLAN_METRICS = ("collection_ratio", "adjustments_rate", "overhead_ratio", "chair_utilization", "no_show_rate",
                "case_acceptance_value", "new_patients")


def plan_rates(history: History, plan_values: Mapping[str, float | None], combination: pd.DataFrame | None
               ) -> dict[str, tuple[float | None, str]]:
    """The value each plan metric takes in the plan, and why: the ledger's collection ratio and
    adjustment rate, the budget's overhead share of the goal, the utilization the goal needs, and
    what the counted volume levers ask of no-shows, case acceptance and new patients (today's
    value where the plan counts on no change)."""
    h = history.get
    out: dict[str, tuple[float | None, str]] = {}
    out["collection_ratio"] = (plan_values.get("collection_ratio"), "the ledger's expected collection ratio")
    out["adjustments_rate"] = (plan_values.get("adjustment_rate"), "the ledger's expected adjustment rate")
    coll, over = plan_values.get("collection_goal"), plan_values.get("overhead")
    out["overhead_ratio"] = (over / coll if coll and over is not None else None,
                             "the overhead budget ÷ the collection goal")
    shares = {}
    if combination is not None and not combination.empty:
        for r in combination.itertuples():
            if r.kind == "volume":
                shares[r.lever] = float(r.share_of_lever)
    u0, need = h("chair_utilization"), plan_values.get("needed_utilization")
    if need is not None:
        out["chair_utilization"] = (need, "what the goal needs: net production goal ÷ (planned chair hours × "
                                          "net per booked hour at the plan's prices)")
    else:
        out["chair_utilization"] = (u0, "hold: the goal's utilization cannot be computed")
    ns = h("no_show_rate")
    s = shares.get("no_shows", 0.0)
    out["no_show_rate"] = (None if ns is None else ns - (ns - NO_SHOW_TARGET) * s if ns > NO_SHOW_TARGET else ns,
                           "what the levers counted need" if s else "")
    acc = h("case_acceptance_value")
    s = shares.get("case_acceptance", 0.0)
    out["case_acceptance_value"] = (None if acc is None else acc + LEVER_STEPS["case_acceptance"] * s,
                                    "what the levers counted need" if s else "")
    npt = h("new_patients")
    s = shares.get("new_patients", 0.0)
    out["new_patients"] = (None if npt is None else npt + LEVER_STEPS["new_patients"] * s,
                           "what the levers counted need" if s else "")
    return out


def kpi_targets(history: History, step: float = KPI_STEP, combination: pd.DataFrame | None = None,
                ids: tuple[str, ...] = KPI_IDS, bands: Mapping[str, tuple] | None = None,
                plan_values: Mapping[str, float | None] | None = None) -> pd.DataFrame:
    """One row per main metric: current T12 value, band, target and how it was set.

    A metric the plan depends on (PLAN_METRICS) takes the plan's value, so targets and goal tell
    one story: hitting every target hits the goal. Where the plan counts on no change, the target
    holds today's value and says what a step toward the band would be. Other metrics move `step`
    of the way from today's value toward their band."""
    planned = plan_rates(history, plan_values or {}, combination) if plan_values is not None else {}
    rows = []
    for mid in ids:
        if mid in history.absent:  # its table is not delivered: no target, rather than "not computable"
            continue
        band = (bands or {}).get(mid) or metric_band(mid, history.kind, history.doctors)
        low, high, better, source, unit, tier, text = (tuple(band) + ("ratio", "top", ""))[:7] if band else \
            (None, None, _BETTER.get(mid, "up"), "", "ratio", "", "")
        cur = history.get(mid)
        target, how = kpi_target(cur, low, high, better, step, unit, tier)
        if mid in planned and planned[mid][0] is not None:
            value, why = planned[mid]
            if why:
                target, how = value, why
                if mid == "chair_utilization" and cur is not None and value < cur:
                    target, how = cur, f"hold today's level: the goal needs only {pct_text(value)}"
            else:  # the plan counts on no change: hold, and say what a step toward the band would be
                stepped, _ = kpi_target(cur, low, high, better, step, unit, tier)
                target = cur
                how = "hold: the goal does not count on a change"
                if stepped is not None and cur is not None and abs(stepped - cur) > 1e-12:
                    how += f" ({step:.0%} of the way to the band would be {_edge(stepped, unit)})"
        rows.append({"metric": mid, "label": _label(mid, history.kind), "current": cur, "band_low": low,
                     "band_high": high, "band_tier": tier, "band_text": text, "better": better, "target": target,
                     "how": how, "source": source, "plan": mid in planned})
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
