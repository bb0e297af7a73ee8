"""The goal ledger, step by step (reports.md §4).

A collection goal must never be "a number out of thin air": it is the overhead budget + the owners'
pay + debt service + the profit the partners want to keep; ÷ the collection ratio it becomes the net
production goal; ÷ (1 − adjustment rate) the gross production goal. Every step is a row of the
ledger with its formula in words and the source of its input; the break-even sits beside it.
Everything here is pure (inputs are plain numbers), so the engine is tested by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dyad_lib.data.contract import OVERHEAD_CATEGORIES, VARIABLE_COST_CATEGORIES
from dyad_lib.fmt import money_text, pct_text
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

    def totals(self) -> dict[str, float]:
        return {"collection_goal": self.collection_goal, "net_production_goal": self.net_production_goal,
                "gross_production_goal": self.gross_production_goal, "break_even": self.break_even,
                "overhead": self.overhead, "fixed_costs": self.fixed_costs,
                "variable_share": self.variable_share}


def build_ledger(inputs: GoalInputs, history: History | None = None) -> Ledger:
    """Every step from the overhead budget to the gross production goal, each amount to the cent.

    The variable-cost share for the break-even is the practice's own (T12 lab + clinical supplies ÷
    T12 collections) when known, else the budget's (variable budget ÷ collection goal)."""
    rows: list[dict[str, Any]] = []

    def add(step: str, label: str, formula: str, amount: float, source: str) -> float:
        amount = round(float(amount), 2)
        rows.append({"step": step, "label": label, "formula": formula, "amount": amount,
                     "unit": "ratio" if step == "variable_share" else "money", "source": source})
        return amount

    for cat in OVERHEAD_CATEGORIES:
        b = inputs.overhead.get(cat)
        if b is None:
            b = CategoryBudget(cat, 0.0, "not budgeted")
        formula = (f"{money_text(b.base)} × {1 + b.change:.4g}" if b.base is not None and b.change is not None
                   else "budget entered")
        add(f"overhead.{cat}", CATEGORY_LABELS.get(cat, cat), formula, b.amount, b.source)
    overhead = round(sum(r["amount"] for r in rows), 2)
    add("overhead", "Total overhead", "sum of the overhead categories", overhead, "the lines above")
    owner = add("owner_compensation", "+ Owner compensation", "owners' pay target",
                inputs.owner_compensation.value, inputs.owner_compensation.source)
    debt = add("debt_service", "+ Debt service", "loan payments", inputs.debt_service.value, inputs.debt_service.source)
    profit = add("profit_target", "+ Profit / reinvestment", "kept in the practice or reinvested",
                 inputs.profit_target.value, inputs.profit_target.source)
    collection = round(overhead + owner + debt + profit, 2)
    add("collection_goal", "= Collection goal", "overhead + owner compensation + debt service + profit",
        collection, "sum of the steps above")
    ratio = float(inputs.collection_ratio.value)
    net = add("net_production_goal", "= Net production goal",
              f"collection goal ÷ {pct_text(ratio, 2)} expected collection ratio", collection / ratio,
              inputs.collection_ratio.source)
    adj = float(inputs.adjustment_rate.value)
    gross = add("gross_production_goal", "= Gross production goal",
                f"net production goal ÷ (1 − {pct_text(adj, 2)} expected adjustment rate)", net / (1 - adj),
                inputs.adjustment_rate.source)

    variable = sum(inputs.overhead[c].amount for c in VARIABLE_COST_CATEGORIES if c in inputs.overhead)
    fixed = round(overhead - variable + debt, 2)
    t12_var = None
    if history is not None and history.get("collections"):
        hv = [history.t12.get(f"overhead_ratio_{c}") for c in VARIABLE_COST_CATEGORIES]
        if all(v is not None and not (isinstance(v, float) and math.isnan(v)) for v in hv):
            t12_var = float(sum(hv))
    if t12_var is not None and t12_var < 1:
        vshare, vsrc = t12_var, f"{history.t12_label} lab + clinical supplies ÷ collections"
    else:
        vshare = variable / collection if collection > 0 else 0.0
        vsrc = "budgeted lab + clinical supplies ÷ collection goal"
    add("fixed_costs", "Fixed costs", "overhead − lab − clinical supplies + debt service", fixed,
        "budget lines above (owner pay excluded: break-even is before paying the owners)")
    add("variable_share", "Variable-cost share", "lab + clinical supplies as a share of collections",
        vshare, vsrc)
    rows[-1]["amount"] = round(vshare, 4)
    be = add("break_even", "Break-even collections",
             f"fixed costs ÷ (1 − {pct_text(vshare)} variable share)", break_even(fixed, vshare),
             "fixed costs and variable share above")
    return Ledger(pd.DataFrame(rows), overhead, collection, net, gross, fixed, vshare, vsrc, be)


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


# --- levers -----------------------------------------------------------------------------------


# --- vocabulary -------------------------------------------------------------------------------


# --- goal lines for the later reports ---------------------------------------------------------


