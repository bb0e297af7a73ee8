"""The whole plan of one fiscal year: inputs, ledger, break-even, realism checks, levers, KPI
targets and monthly phasing, derived together, worded for the practice and written to goals.yaml."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from dyad_lib import fmt
from dyad_lib.metrics.periods import fiscal_year_period
from dyad_lib.goals.inputs import GoalInputs, History
from dyad_lib.goals.ledger import Ledger, build_ledger
from dyad_lib.goals.levers import close_gap, levers
from dyad_lib.goals.realism import Capacity, Check, capacity_needs, realism_checks
from dyad_lib.goals.targets import KPI_STEP, kpi_targets


def words(text: str, kind: str) -> str:
    """`text` in the practice's vocabulary (unchanged for a dental practice): `fmt.vocabulary`."""
    return fmt.vocabulary(text, kind)


def _localize(plan: "GoalPlan") -> None:
    kind = plan.history.kind
    if kind != "medical":
        return
    for col in ("label", "formula"):
        plan.ledger.rows[col] = [words(x, kind) for x in plan.ledger.rows[col]]
    plan.checks = [Check(c.id, words(c.label, kind), c.status, words(c.reason, kind)) for c in plan.checks]
    for frame, cols in ((plan.levers, ("setting", "formula")), (plan.combination, ("setting",))):
        for col in cols:
            if col in frame:
                frame[col] = [words(x, kind) for x in frame[col]]
    plan.combination_text = words(plan.combination_text, kind)
    plan.phasing_notes = [words(n, kind) for n in plan.phasing_notes]


@dataclass
class GoalPlan:
    """The derived goal for one fiscal year, ready to show and to write into goals.yaml."""

    fiscal_year: str
    inputs: GoalInputs
    ledger: Ledger
    capacity: Capacity
    checks: list[Check]
    levers: pd.DataFrame
    combination: pd.DataFrame
    combination_text: str
    gap: float | None
    phasing: pd.DataFrame
    phasing_notes: list[str]
    kpi_targets: pd.DataFrame
    history: History
    seasonal_index: pd.Series | None = None  # calendar month 1..12 -> production per working day ÷ average

    @property
    def status(self) -> str:
        s = [c.status for c in self.checks]
        return "fail" if "fail" in s else "warn" if "warn" in s else "pass"


def build_plan(inputs: GoalInputs, history: History, kpi_step: float = KPI_STEP,
               lever_steps: Mapping[str, float] | None = None) -> GoalPlan:
    """Ledger → capacity → checks → levers → phasing → KPI targets for `inputs.fiscal_year`."""
    from dyad_lib.goals import phasing as ph

    ledger = build_ledger(inputs, history)
    fy = int(inputs.fiscal_year[2:])
    months = fiscal_year_period(fy, history.fy_start_month).months
    wd, wd_source = ph.planned_working_days(months, history.working_days_history, inputs.working_days.value)
    base_wd = None
    if history.working_days_history:
        from dyad_lib.metrics.periods import add_months
        prev = [history.working_days_history.get(add_months(m, -12)) for m in months]
        if all(p is not None for p in prev):
            base_wd = float(sum(prev))
    capacity = capacity_needs(ledger, inputs, history, float(wd.sum()), base_wd)
    checks = realism_checks(ledger, inputs, history, capacity)
    coll = history.get("collections")
    gap = None if coll is None else round(ledger.collection_goal - coll, 2)
    lever_table = levers(history, float(inputs.fee_change.value or 0.0), lever_steps)
    combo, combo_text = close_gap(lever_table, gap)
    through = pd.Timestamp(history.as_of + "-01") if history.as_of else None
    index, index_note = ph.seasonal_index(history.monthly, history.fy_start_month, through)
    phasing = ph.phase({"collections": ledger.collection_goal, "net_production": ledger.net_production_goal,
                        "gross_production": ledger.gross_production_goal}, months, wd, index)
    notes = [f"working days: {wd_source}", f"seasonality: {index_note}"]
    targets = kpi_targets(history, kpi_step, combo)
    plan = GoalPlan(inputs.fiscal_year, inputs, ledger, capacity, checks, lever_table, combo, combo_text, gap,
                    phasing, notes, targets, history, index)
    _localize(plan)
    return plan


def _num(x: Any) -> Any:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x) if isinstance(x, (int, float)) else x


def plan_to_entry(plan: GoalPlan, agreed_by: list[str] | None = None, agreed_on: str | None = None) -> dict[str, Any]:
    """The fiscal year's entry of goals.yaml (plain data: str, float, list, dict)."""
    from dyad_lib import __version__

    months = [m.strftime("%Y-%m") for m in plan.phasing["month"]]
    lg = plan.ledger
    return {
        "fiscal_year": plan.fiscal_year,
        "months": {"start": months[0], "end": months[-1]},
        "history_through": plan.history.as_of,
        "inputs": plan.inputs.to_dict(),
        "ledger": [{k: _num(v) for k, v in r.items()} for r in lg.rows.to_dict("records")],
        "collection_goal": lg.collection_goal,
        "net_production_goal": lg.net_production_goal,
        "gross_production_goal": lg.gross_production_goal,
        "break_even": round(lg.break_even, 2),
        "phasing": dict(zip(months, (float(x) for x in plan.phasing["collections"]))),
        "phasing_net_production": dict(zip(months, (float(x) for x in plan.phasing["net_production"]))),
        "phasing_gross_production": dict(zip(months, (float(x) for x in plan.phasing["gross_production"]))),
        "working_days": dict(zip(months, (float(x) for x in plan.phasing["working_days"]))),
        "phasing_notes": list(plan.phasing_notes),
        "checks": [c.to_dict() for c in plan.checks],
        "kpi_targets": {r["metric"]: {"current": _num(r["current"]), "target": _num(r["target"]),
                                      "better": r["better"], "how": r["how"]}
                        for r in plan.kpi_targets.to_dict("records")},
        "agreed_by": list(agreed_by or []),
        "agreed_on": agreed_on,
        "created_by": f"dyad {__version__}",
    }
