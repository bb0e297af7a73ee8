"""The inputs of the annual goal, each with its source: the overhead budget by category, owner pay,
debt service, profit, the expected collection ratio and adjustment rate, and the history they
default from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.metrics.periods import parse_period


def _no_show_target() -> float:
    """The no-show lever's target: the worse edge of the registry band, as dyad_lib.metrics.targets sets it."""
    from dyad_lib.metrics.targets import target_for

    found = target_for("no_show_rate", "dental")
    return found[0] if found else 0.07


DEFAULT_OVERHEAD_CHANGE = 0.03


NO_SHOW_TARGET = _no_show_target()  # 7%: the top of the registry's no-show band (MGMA)


CATEGORY_LABELS = {
    "staff_wages": "Staff wages", "payroll_taxes_benefits": "Payroll taxes and benefits",
    "facility": "Facility", "clinical_supplies": "Clinical supplies", "lab": "Lab",
    "equipment": "Equipment", "office_admin": "Office and administration", "marketing": "Marketing",
    "other_overhead": "Other overhead",
}


def fy_label(fiscal_year: str | int) -> str:
    """'FY2026' from 'FY2026', 'fy 2026' or 2026."""
    text = str(fiscal_year).strip().upper().replace(" ", "")
    if not text.startswith("FY"):
        text = "FY" + text
    parse_period(text)  # raises PeriodError when not a fiscal year
    if not text[2:].isdigit():
        raise ValueError(f"'{fiscal_year}' is not a fiscal year like FY2026")
    return text


@dataclass(frozen=True)
class Sourced:
    """An input value and where it came from ("entered by the partners", "default: T12 ...")."""

    value: Any
    source: str


@dataclass(frozen=True)
class CategoryBudget:
    """One overhead category: a base (last year's actual) × (1 + change), or an amount entered."""

    category: str
    amount: float
    source: str
    base: float | None = None
    change: float | None = None

    @classmethod
    def from_base(cls, category: str, base: float, change: float, base_label: str,
                  change_source: str | None = None) -> "CategoryBudget":
        amount = round(base * (1 + change), 2)
        src = f"{base_label} actual × {1 + change:.4g}"
        if change_source:
            src += f" ({change_source})"
        return cls(category, amount, src, base, change)


@dataclass
class GoalInputs:
    """Everything the collection goal is made of, each with its source."""

    fiscal_year: str
    overhead: dict[str, CategoryBudget]
    owner_compensation: Sourced
    debt_service: Sourced
    profit_target: Sourced
    collection_ratio: Sourced
    adjustment_rate: Sourced
    added_chair_hours: Sourced = field(default_factory=lambda: Sourced(0.0, "default: no added chair hours"))
    fee_change: Sourced = field(default_factory=lambda: Sourced(0.0, "default: no fee change"))
    working_days: Sourced = field(default_factory=lambda: Sourced(None, "default: same months last year"))
    defaults_used: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fiscal_year = fy_label(self.fiscal_year)
        unknown = set(self.overhead) - set(OVERHEAD_CATEGORIES)
        if unknown:
            raise ValueError(f"not overhead categories: {', '.join(sorted(unknown))} "
                             f"(use {', '.join(OVERHEAD_CATEGORIES)})")
        ratio = self.collection_ratio.value
        if ratio is None or not 0 < float(ratio) <= 1.5:
            raise ValueError(f"the expected collection ratio must be above 0 and at most 150%, not {ratio}")
        adj = self.adjustment_rate.value
        if adj is None or not 0 <= float(adj) < 1:
            raise ValueError(f"the expected adjustment rate must be 0 or more and below 100%, not {adj}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for goals.yaml and --json."""
        def s(x: Sourced) -> dict[str, Any]:
            v = x.value
            return {"value": dict(v) if isinstance(v, Mapping) else v, "source": x.source}
        return {
            "overhead": {c: {"amount": b.amount, "base": b.base, "change": b.change, "source": b.source}
                         for c, b in self.overhead.items()},
            "owner_compensation": s(self.owner_compensation), "debt_service": s(self.debt_service),
            "profit_target": s(self.profit_target), "collection_ratio": s(self.collection_ratio),
            "adjustment_rate": s(self.adjustment_rate), "added_chair_hours": s(self.added_chair_hours),
            "fee_change": s(self.fee_change), "working_days": s(self.working_days),
        }


@dataclass
class History:
    """What the engine needs to know about the past, as plain numbers (None = not known).

    Built from a practice by `dyad_lib.goals.history.history_from_practice`, or by hand in tests."""

    fy_start_month: int = 1
    kind: str = "dental"
    as_of: str | None = None  # last month of history used, 'YYYY-MM'
    t12_label: str = "T12"
    t12: dict[str, float | None] = field(default_factory=dict)  # metric id -> T12 value
    expense_base_label: str = "last year"
    expense_base: dict[str, float] = field(default_factory=dict)  # category -> amount
    best_quarter_label: str | None = None
    best_quarter_per_hour: float | None = None  # net production per chair hour, best quarter
    new_patient_annual_value: float | None = None  # net production in a new patient's first 12 months
    monthly: pd.DataFrame | None = None  # month, net_production, collections, …, chair_hours_available, working_days
    working_days_history: dict[pd.Timestamp, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, metric_id: str) -> float | None:
        v = self.t12.get(metric_id)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def default_inputs(fiscal_year: str, history: History, overrides: Mapping[str, Any] | None = None) -> GoalInputs:
    """Goal inputs: each override the partners entered, else a default from history that says so.

    Overrides (all optional): overhead_change_pct (one change for every category),
    overhead_changes {category: change}, overhead_budget {category: amount}, owner_compensation,
    debt_service, profit_target, collection_ratio, adjustment_rate, added_chair_hours,
    fee_change_pct, working_days {YYYY-MM: days}. A None value means "use the default"."""
    o = {k: v for k, v in (overrides or {}).items() if v is not None}
    used: list[str] = []
    base, label = history.expense_base, history.expense_base_label

    change_all = o.get("overhead_change_pct")
    change_src = "entered by the partners" if change_all is not None else "default: +3% cost inflation"
    if change_all is None:
        change_all = DEFAULT_OVERHEAD_CHANGE
        used.append(f"overhead: {label} actual × {1 + DEFAULT_OVERHEAD_CHANGE:.2f} per category (+3% cost inflation)")
    per_change = dict(o.get("overhead_changes") or {})
    budget = dict(o.get("overhead_budget") or {})
    overhead: dict[str, CategoryBudget] = {}
    for cat in OVERHEAD_CATEGORIES:
        if cat in budget:
            overhead[cat] = CategoryBudget(cat, round(float(budget[cat]), 2), "entered by the partners")
        elif cat in per_change:
            overhead[cat] = CategoryBudget.from_base(cat, float(base.get(cat, 0.0)), float(per_change[cat]), label,
                                                     "change entered by the partners")
        else:
            overhead[cat] = CategoryBudget.from_base(cat, float(base.get(cat, 0.0)), float(change_all), label,
                                                     change_src)

    def pick(key: str, default: float | None, default_source: str, what: str) -> Sourced:
        if key in o:
            return Sourced(float(o[key]), "entered by the partners")
        if default is None:
            raise ValueError(f"no {what} in the history: enter {key} in the goal inputs")
        used.append(f"{what}: {default_source}")
        return Sourced(default, f"default: {default_source}")

    owner = pick("owner_compensation", round(base.get("owner_compensation", 0.0), 2),
                 f"{label} actual owner compensation", "owner compensation")
    debt = pick("debt_service", round(base.get("debt_service", 0.0), 2), f"{label} actual debt service",
                "debt service")
    coll_t12 = history.get("collections")
    profit_default = None
    if coll_t12 is not None and base:
        profit_default = round(max(0.0, coll_t12 - sum(base.values())), 2)
    profit = pick("profit_target", profit_default,
                  f"{history.t12_label} collections − {label} expenses (what was left), not below 0",
                  "profit / reinvestment")
    ratio = pick("collection_ratio", history.get("collection_ratio"), f"{history.t12_label} collection ratio",
                 "collection ratio")
    adj = pick("adjustment_rate", history.get("adjustments_rate"), f"{history.t12_label} adjustment rate",
               "adjustment rate")
    hours = Sourced(float(o["added_chair_hours"]), "entered by the partners") if "added_chair_hours" in o \
        else Sourced(0.0, "default: no added chair hours")
    fee = Sourced(float(o["fee_change_pct"]), "entered by the partners") if "fee_change_pct" in o \
        else Sourced(0.0, "default: no fee change")
    wd = Sourced({str(k): float(v) for k, v in o["working_days"].items()}, "entered by the partners") \
        if "working_days" in o else Sourced(None, "default: the same months last year")
    if "working_days" not in o:
        used.append("working days: the same months last year")
    return GoalInputs(fiscal_year, overhead, owner, debt, profit, ratio, adj, hours, fee, wd, used)
