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
from dyad_lib.goals.lag import NO_LAG, Lag, collection_lag
from dyad_lib.goals.levers import combination, lever_table
from dyad_lib.goals.realism import Capacity, Check, capacity_needs, realism_checks
from dyad_lib.goals.targets import KPI_STEP, kpi_targets, metric_band


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
    if "how" in plan.kpi_targets:
        plan.kpi_targets["how"] = [words(x, kind) for x in plan.kpi_targets["how"]]
    plan.phasing_notes = [words(n, kind) for n in plan.phasing_notes]


@dataclass
class GoalPlan:
    """The derived goal for one fiscal year, ready to show and to write into goals.yaml.

    Every part comes from the same inputs: the ledger and break-even from the formulas of
    `goals.ledger.goal_spec`, the capacity and realism checks from the same values, the levers
    from the inputs (a planned one counted, never offered), the KPI targets from the plan's own
    rates, and the phasing from the ledger's totals."""

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
    lag: Lag = NO_LAG
    gap_left: float | None = None  # the gap after the planned changes, for the volume levers
    scenario: str = "base"

    @property
    def status(self) -> str:
        s = [c.status for c in self.checks]
        return "fail" if "fail" in s else "warn" if "warn" in s else "pass"


def working_day_scale(months: list[pd.Timestamp], planned: pd.Series, history: History) -> float:
    """Planned working days ÷ the same months last year (1 when last year's are not all known)."""
    from dyad_lib.metrics.periods import add_months

    if not history.working_days_history:
        return 1.0
    prev = [history.working_days_history.get(add_months(m, -12)) for m in months]
    if any(p is None for p in prev):
        return 1.0
    base = 0.0
    for p in prev:
        base += float(p)
    return float(planned.sum()) / base if base else 1.0


def build_plan(inputs: GoalInputs, history: History, kpi_step: float = KPI_STEP,
               lever_steps: Mapping[str, float] | None = None, scenario: str = "base") -> GoalPlan:
    """Ledger → capacity → checks → levers → phasing → KPI targets for `inputs.fiscal_year`."""
    from dyad_lib.goals import phasing as ph

    fy = int(inputs.fiscal_year[2:])
    months = fiscal_year_period(fy, history.fy_start_month).months
    wd, wd_source = ph.planned_working_days(months, history.working_days_history, inputs.working_days.value)
    ledger = build_ledger(inputs, history, working_day_scale(months, wd, history))
    capacity = capacity_needs(ledger, inputs, history)
    checks = realism_checks(ledger, inputs, history, capacity)
    coll = history.get("collections")
    gap = None if coll is None else round(ledger.collection_goal - coll, 2)
    bands = {}
    for mid in ("collection_ratio", "adjustments_rate"):
        b = metric_band(mid, history.kind)
        if b and b[0] is not None and b[1] is not None:
            bands[mid] = (b[0], b[1])
    table, text, left = lever_table(inputs, history, ledger.values, ledger.collection_goal, lever_steps, bands)
    combo = combination(table)
    through = pd.Timestamp(history.as_of + "-01") if history.as_of else None
    index, index_note = ph.seasonal_index(history.monthly, history.fy_start_month, through)
    lag = collection_lag(history.monthly)
    phasing = ph.phase({"collections": ledger.collection_goal, "net_production": ledger.net_production_goal,
                        "gross_production": ledger.gross_production_goal}, months, wd, index, lag)
    notes = [f"working days: {wd_source}", f"seasonality: {index_note}", lag.sentence("net production")]
    targets = kpi_targets(history, kpi_step, combo, plan_values=ledger.values)
    plan = GoalPlan(inputs.fiscal_year, inputs, ledger, capacity, checks, table, combo, text, gap,
                    phasing, notes, targets, history, index, lag, left, scenario)
    _localize(plan)
    return plan


def _num(x: Any) -> Any:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x) if isinstance(x, (int, float)) else x


def _plain(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    return _num(x)


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
        "scenario": plan.scenario,
        "entered_inputs": _plain(plan.inputs.entered),
        "budget": {**{c: b.amount for c, b in plan.inputs.overhead.items()},
                   "owner_compensation": lg.values["owner"], "debt_service": lg.values["debt"],
                   "profit_target": lg.values["profit"]},
        "budget_flags": [f.to_dict() for f in plan.inputs.budget_flags],
        "take_home": lg.take_home,
        "needed_utilization": _num(plan.capacity.required_utilization),
        "collection_lag": {"shares": list(plan.lag.shares), "months": plan.lag.months,
                           "mean_months": round(plan.lag.mean_months, 4)},
        "agreed_by": list(agreed_by or []),
        "agreed_on": agreed_on,
        "created_by": f"dyad {__version__}",
    }
