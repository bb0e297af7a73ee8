"""The goal ledger, step by step (reports.md §4).

A collection goal must never be "a number out of thin air": it is the overhead budget + the owners'
pay + debt service + the profit the partners want to keep; ÷ the collection ratio it becomes the net
production goal; ÷ (1 − adjustment rate) the gross production goal. Every step is a row of the
ledger with its formula in words and the source of its input; the break-even sits beside it.
Everything here is pure (inputs are plain numbers), so the engine is tested by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dyad_lib.data.contract import OVERHEAD_CATEGORIES, VARIABLE_COST_CATEGORIES
from dyad_lib.fmt import money_text, pct_text
from dyad_lib.goals import formulas as F
from dyad_lib.goals.formulas import Spec
from dyad_lib.goals.inputs import CATEGORY_LABELS, CategoryBudget, GoalInputs, History


# --- the ledger -------------------------------------------------------------------------------


def break_even(fixed_costs: float, variable_share: float) -> float:
    """Collections at which the practice covers its costs: fixed ÷ (1 − variable share)."""
    if not 0 <= variable_share < 1:
        raise ValueError(f"the variable-cost share must be in [0, 1), not {variable_share}")
    return fixed_costs / (1 - variable_share)


def production_needed(collections: float, collection_ratio: float = 1.0, adjustment_rate: float = 0.0) -> float:
    """Gross production that yields `collections`: ÷ collection ratio, then ÷ (1 − adjustment rate)."""
    return collections / collection_ratio / (1 - adjustment_rate)


def per_hour(amount: float, hours: float) -> float | None:
    """Amount per hour (None without hours)."""
    return None if not hours else amount / hours


@dataclass
class Ledger:
    rows: pd.DataFrame  # step, label, formula, amount, unit (money | ratio), source
    overhead: float
    collection_goal: float
    net_production_goal: float
    gross_production_goal: float
    fixed_costs: float
    variable_share: float
    variable_share_source: str
    break_even: float
    take_home: float = 0.0  # owner compensation + profit: what the owners keep
    spec: Spec | None = None  # the formulas every number above comes from (also the page's)
    values: dict[str, float | None] = field(default_factory=dict)  # every named value of `spec`

    def totals(self) -> dict[str, float]:
        return {"collection_goal": self.collection_goal, "net_production_goal": self.net_production_goal,
                "gross_production_goal": self.gross_production_goal, "break_even": self.break_even,
                "overhead": self.overhead, "fixed_costs": self.fixed_costs,
                "variable_share": self.variable_share, "take_home": self.take_home}


def t12_variable_share(history: History | None) -> float | None:
    """The practice's own variable-cost share (T12 lab + clinical supplies ÷ collections), if known."""
    if history is None or not history.get("collections"):
        return None
    hv = [history.t12.get(f"overhead_ratio_{c}") for c in VARIABLE_COST_CATEGORIES]
    if not all(x is not None and not (isinstance(x, float) and math.isnan(x)) for x in hv):
        return None
    share = 0.0
    for x in hv:
        share += float(x)
    return share if share < 1 else None


def goal_spec(inputs: GoalInputs, history: History | None = None, wd_scale: float = 1.0) -> Spec:
    """The formulas of the ledger, break-even and capacity for these inputs (see goals.formulas).

    Inputs a partner can move: each category's entered amount (`fixed.<c>`) or change over its
    base (`change.<c>`), owner_compensation, debt_service, profit_target, collection_ratio,
    adjustment_rate, fee_change, added_chair_hours. The rest are constants from the history."""
    sp = Spec()
    amounts = []
    for cat in OVERHEAD_CATEGORIES:
        b = inputs.overhead.get(cat) or CategoryBudget(cat, 0.0, "not budgeted")
        from_base = b.base is not None and b.change is not None
        fixed = sp.input(f"fixed.{cat}", None if from_base else b.amount)
        base = sp.input(f"base.{cat}", b.base if b.base is not None else b.amount)
        change = sp.input(f"change.{cat}", b.change if b.change is not None else 0.0)
        amounts.append(sp.define(f"amount.{cat}", F.first(fixed, F.round2(base * (1 + change)))))
    overhead = sp.define("overhead", F.round2(F.total(*amounts)))
    owner = sp.define("owner", F.round2(sp.input("owner_compensation", inputs.owner_compensation.value)))
    debt = sp.define("debt", F.round2(sp.input("debt_service", inputs.debt_service.value)))
    profit = sp.define("profit", F.round2(sp.input("profit_target", inputs.profit_target.value)))
    collection = sp.define("collection_goal", F.round2(F.total(overhead, owner, debt, profit)))
    ratio = sp.input("collection_ratio", float(inputs.collection_ratio.value))
    net = sp.define("net_production_goal", F.round2(collection / ratio))
    adj = sp.input("adjustment_rate", float(inputs.adjustment_rate.value))
    sp.define("gross_production_goal", F.round2(net / (1 - adj)))
    variable = sp.define("variable", F.total(*(F.v(f"amount.{c}") for c in VARIABLE_COST_CATEGORIES)))
    fixed_costs = sp.define("fixed_costs", F.round2(overhead - variable + debt))
    t12_share = t12_variable_share(history)
    if t12_share is not None:
        share = sp.define("variable_share", sp.input("variable_share_t12", t12_share))
    else:
        share = sp.define("variable_share", F.first(variable / collection, 0.0))
    sp.define("break_even", F.round2(fixed_costs / (1 - share)))
    sp.define("take_home", F.round2(owner + profit))
    # capacity: chair hours planned, and the utilization the net production goal needs
    h = history.get if history is not None else (lambda _k: None)
    t12_hours, util, net_t12, adj_t12 = h("chair_hours_available"), h("chair_utilization"), h("net_production"), \
        h("adjustments_rate")
    per_booked = net_t12 / (util * t12_hours) if (t12_hours and util and net_t12) else None
    hours = sp.define("planned_hours", sp.input("t12_hours", t12_hours) * sp.input("wd_scale", wd_scale)
                      + sp.input("added_chair_hours", float(inputs.added_chair_hours.value or 0.0)))
    fee = sp.input("fee_change", float(inputs.fee_change.value or 0.0))
    price = sp.define("price", (1 + fee) * (1 - adj) / (1 - sp.input("adjustment_rate_t12", adj_t12
                      if adj_t12 is not None else float(inputs.adjustment_rate.value))))
    sp.define("per_booked_hour", sp.input("per_booked_hour_t12", per_booked) * price)
    sp.define("required_per_hour", net / hours)
    sp.define("needed_utilization", net / (hours * F.v("per_booked_hour")))
    return sp


def build_ledger(inputs: GoalInputs, history: History | None = None, wd_scale: float = 1.0) -> Ledger:
    """Every step from the overhead budget to the gross production goal, each amount to the cent,
    evaluated from `goal_spec` (the same formulas the report page evaluates).

    The variable-cost share for the break-even is the practice's own (T12 lab + clinical supplies ÷
    T12 collections) when known, else the budget's (variable budget ÷ collection goal)."""
    spec = goal_spec(inputs, history, wd_scale)
    val = spec.run()
    rows: list[dict[str, Any]] = []

    def add(step: str, label: str, formula: str, amount: float | None, source: str) -> None:
        rows.append({"step": step, "label": label, "formula": formula, "amount": amount,
                     "unit": "ratio" if step == "variable_share" else "money", "source": source})

    for cat in OVERHEAD_CATEGORIES:
        b = inputs.overhead.get(cat) or CategoryBudget(cat, 0.0, "not budgeted")
        formula = (f"{money_text(b.base)} × {1 + b.change:.4g}" if b.base is not None and b.change is not None
                   else "budget entered")
        add(f"overhead.{cat}", CATEGORY_LABELS.get(cat, cat), formula, val[f"amount.{cat}"], b.source)
    add("overhead", "Total overhead", "sum of the overhead categories", val["overhead"], "the lines above")
    add("owner_compensation", "+ Owner compensation", "owners' pay target", val["owner"],
        inputs.owner_compensation.source)
    add("debt_service", "+ Debt service", "loan payments", val["debt"], inputs.debt_service.source)
    add("profit_target", "+ Profit / reinvestment", "kept in the practice or reinvested", val["profit"],
        inputs.profit_target.source)
    add("collection_goal", "= Collection goal", "overhead + owner compensation + debt service + profit",
        val["collection_goal"], "sum of the steps above")
    ratio, adj = float(inputs.collection_ratio.value), float(inputs.adjustment_rate.value)
    add("net_production_goal", "= Net production goal",
        f"collection goal ÷ {pct_text(ratio, 2)} expected collection ratio", val["net_production_goal"],
        inputs.collection_ratio.source)
    add("gross_production_goal", "= Gross production goal",
        f"net production goal ÷ (1 − {pct_text(adj, 2)} expected adjustment rate)", val["gross_production_goal"],
        inputs.adjustment_rate.source)
    vshare = float(val["variable_share"] or 0.0)
    vsrc = (f"{history.t12_label} lab + clinical supplies ÷ collections" if "variable_share_t12" in spec.inputs
            else "budgeted lab + clinical supplies ÷ collection goal")
    add("fixed_costs", "Fixed costs", "overhead − lab − clinical supplies + debt service", val["fixed_costs"],
        "budget lines above (owner pay excluded: break-even is before paying the owners)")
    add("variable_share", "Variable-cost share", "lab + clinical supplies as a share of collections",
        round(vshare, 4), vsrc)
    if val["break_even"] is None:
        raise ValueError(f"the variable-cost share must be below 100%, not {vshare:.2%}")
    add("break_even", "Break-even collections", f"fixed costs ÷ (1 − {pct_text(vshare)} variable share)",
        val["break_even"], "fixed costs and variable share above")
    return Ledger(pd.DataFrame(rows), val["overhead"], val["collection_goal"], val["net_production_goal"],
                  val["gross_production_goal"], val["fixed_costs"], vshare, vsrc, val["break_even"],
                  val["take_home"], spec, val)


def reconcile(ledger: Ledger, inputs: GoalInputs) -> list[str]:
    """Problems with the ledger's arithmetic (an empty list when it adds up to the cent)."""
    out = []
    parts = ledger.overhead + float(inputs.owner_compensation.value) + float(inputs.debt_service.value) + \
        float(inputs.profit_target.value)
    if abs(parts - ledger.collection_goal) > 0.011:
        out.append(f"collection goal {ledger.collection_goal} ≠ sum of components {parts:.2f}")
    if abs(ledger.collection_goal / float(inputs.collection_ratio.value) - ledger.net_production_goal) > 0.011:
        out.append("net production goal ≠ collection goal ÷ collection ratio")
    if abs(ledger.net_production_goal / (1 - float(inputs.adjustment_rate.value)) - ledger.gross_production_goal) > 0.011:
        out.append("gross production goal ≠ net production goal ÷ (1 − adjustment rate)")
    return out


