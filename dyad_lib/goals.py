"""The annual goal, derived step by step from inputs both partners can see (reports.md §4).

A collection goal must never be "a number out of thin air": it is the overhead budget + the owners'
pay + debt service + the profit the partners want to keep; ÷ the collection ratio it becomes the net
production goal; ÷ (1 − adjustment rate) the gross production goal. Every step is a row of the
ledger with its formula in words and the source of its input. Realism checks compare the goal with
what the practice has done; levers show what would close the gap; the monthly phasing follows
working days and seasonality (goals_phasing); KPI targets move each main metric a step toward its
benchmark.

Everything here is pure: inputs are `GoalInputs` and `History` (plain numbers and small frames),
so the engine is tested by hand. `goals_history.history_from_practice` builds the History from a
loaded practice; `goals_io` reads and writes goals.yaml; the goal-line helpers at the bottom
(`monthly_goal`, `ytd_goal`, `goal_line`, `pace_needed`) are what later reports use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from dyad_lib.contract import OVERHEAD_CATEGORIES, VARIABLE_COST_CATEGORIES
from dyad_lib.fmt import money_text, pct_text
from dyad_lib.periods import fiscal_year_period, parse_period

PAYROLL_CATEGORIES = ("staff_wages", "payroll_taxes_benefits")


def payroll_band(kind: str = "dental") -> tuple[float, float] | None:
    """Payroll share of collections: the registry's wages band + taxes and benefits band
    (20–25% + 3–6% = 23–31%, Burkhart; McKenzie), so the band is defined once. Those are dental
    consultants' figures: for a kind of practice with no published band this is None."""
    from dyad_lib import registry

    bands = [registry.get(f"overhead_ratio_{c}").band(kind) for c in PAYROLL_CATEGORIES]
    if any(b is None or b.low is None or b.high is None for b in bands):
        return None
    return (sum(b.low for b in bands), sum(b.high for b in bands))


PAYROLL_BAND = payroll_band("dental")


def _no_show_target() -> float:
    """The no-show lever's target: the worse edge of the registry band, as dyad_lib.opportunities sizes it."""
    from dyad_lib.opportunities import target_for

    found = target_for("no_show_rate", "dental")
    return found[0] if found else 0.07
GROWTH_WARN, GROWTH_FAIL = 0.10, 0.20
UTILIZATION_WARN, UTILIZATION_FAIL = 0.85, 0.90
PER_HOUR_WARN_MARGIN = 0.10  # up to 10% above the best quarter is a stretch, beyond that a fail
BREAK_EVEN_CUSHION = 0.10
DEFAULT_OVERHEAD_CHANGE = 0.03
NO_SHOW_TARGET = _no_show_target()  # 7%: the top of the registry's no-show band (MGMA)
KPI_STEP = 0.5  # default: move half the way from today's T12 value to the benchmark band
KPI_IDS = ("collection_ratio", "adjustments_rate", "overhead_ratio", "case_acceptance_value", "no_show_rate",
           "chair_utilization", "new_patients", "patient_retention", "pre_appointment_rate", "ar_days")

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


# --- inputs -----------------------------------------------------------------------------------


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

    Built from a practice by `goals_history.history_from_practice`, or by hand in tests."""

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


# --- realism checks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    status: str  # pass | warn | fail | n/a
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label, "status": self.status, "reason": self.reason}


def check_growth(goal: float, t12_collections: float | None, capacity_added: bool = False,
                 t12_label: str = "T12") -> Check:
    """Growth over T12 collections: pass ≤ 10%, warn ≤ 20%, fail above 20% unless capacity is added."""
    label = "Growth over the last twelve months"
    if not t12_collections:
        return Check("growth", label, "n/a", "no collections in the last twelve months to compare with")
    g = goal / t12_collections - 1
    how = f"{pct_text(g, 1)} over" if g >= 0 else f"{pct_text(-g, 1)} below"
    said = f"the goal {money_text(goal)} is {how} {t12_label} collections {money_text(t12_collections)}"
    if g <= GROWTH_WARN:
        return Check("growth", label, "pass", f"{said} (≤ 10%)")
    if g <= GROWTH_FAIL:
        return Check("growth", label, "warn", f"{said}: above 10% needs a plan for where it comes from")
    if capacity_added:
        return Check("growth", label, "warn", f"{said}: above 20%, possible only with the added capacity")
    return Check("growth", label, "fail", f"{said}: above 20% without added capacity")


def check_per_hour(required: float | None, best: float | None, best_label: str | None = None,
                   fee_change: float = 0.0) -> Check:
    """Required net production per chair hour vs the best quarter of the last two years (at the new
    fees): pass ≤ best, warn up to 10% above, fail beyond."""
    label = "Net production per chair hour"
    if required is None or best is None:
        return Check("per_hour", label, "n/a", "no chair hours on record to compare with")
    reach = best * (1 + fee_change)
    fees = f" at fees {fee_change * 100:+.1f}%" if fee_change else ""
    said = (f"needs {money_text(required)}/h vs {money_text(reach)}/h in the best quarter "
            f"({best_label or 'last two years'}){fees}")
    if required <= reach:
        return Check("per_hour", label, "pass", f"{said}: done before")
    if required <= reach * (1 + PER_HOUR_WARN_MARGIN):
        return Check("per_hour", label, "warn", f"{said}: up to 10% above the best quarter")
    return Check("per_hour", label, "fail", f"{said}: more than 10% above the best quarter")


def check_utilization(required: float | None, current: float | None = None) -> Check:
    """Chair utilization the goal needs at today's production per booked hour: pass ≤ 85%, warn ≤ 90%, fail above."""
    label = "Chair utilization needed"
    if required is None:
        return Check("utilization", label, "n/a", "no appointments and chair hours to measure utilization")
    now = f" (today {pct_text(current)})" if current is not None else ""
    said = f"needs {pct_text(required)} of chair hours booked{now}"
    if required <= UTILIZATION_WARN:
        return Check("utilization", label, "pass", f"{said}: at most 85%")
    if required <= UTILIZATION_FAIL:
        return Check("utilization", label, "warn", f"{said}: above 85%, little room for emergencies")
    return Check("utilization", label, "fail", f"{said}: above 90% is not realistic")


def check_payroll(payroll: float, goal: float, band: tuple[float, float] | None = PAYROLL_BAND) -> Check:
    """Payroll (wages + taxes and benefits) as a share of the goal: pass in band, warn within 3 points, fail beyond."""
    label = "Payroll share of the goal"
    if goal <= 0:
        return Check("payroll", label, "n/a", "the collection goal is not positive")
    share = payroll / goal
    if band is None:
        return Check("payroll", label, "n/a", f"payroll {money_text(payroll)} is {pct_text(share)} of the "
                     f"{money_text(goal)} goal; no published payroll band for this kind of practice")
    lo, hi = band
    said = (f"payroll {money_text(payroll)} is {pct_text(share)} of the {money_text(goal)} goal "
            f"(band {pct_text(lo, 0)}–{pct_text(hi, 0)})")
    if lo <= share <= hi:
        return Check("payroll", label, "pass", said)
    if lo - 0.03 <= share <= hi + 0.03:
        side = "below" if share < lo else "above"
        return Check("payroll", label, "warn", f"{said}: {side} the band")
    side = "far below the band: is the team big enough for this goal?" if share < lo else "far above the band"
    return Check("payroll", label, "fail", f"{said}: {side}")


def check_break_even(goal: float, be: float) -> Check:
    """The goal against break-even: fail below, warn within a 10% cushion, pass above."""
    label = "Goal above break-even"
    said = f"goal {money_text(goal)} vs break-even {money_text(be)}"
    if goal < be:
        return Check("break_even", label, "fail", f"{said}: the goal does not cover the costs")
    if goal < be * (1 + BREAK_EVEN_CUSHION):
        return Check("break_even", label, "warn", f"{said}: less than a 10% cushion")
    return Check("break_even", label, "pass", f"{said}: {pct_text(goal / be - 1, 0)} above")


@dataclass
class Capacity:
    """Chair hours planned for the year and what the goal asks of them."""

    t12_hours: float | None
    planned_hours: float | None
    required_per_hour: float | None
    required_utilization: float | None
    capacity_added: bool


def capacity_needs(ledger: Ledger, inputs: GoalInputs, history: History, planned_working_days: float | None = None,
                   base_working_days: float | None = None) -> Capacity:
    """Planned chair hours (T12 hours scaled by planned ÷ last year's working days, + added hours),
    the net production per chair hour the goal needs, and the utilization that needs at today's
    production per booked hour (× fee change)."""
    t12_hours = history.get("chair_hours_available")
    added = float(inputs.added_chair_hours.value or 0.0)
    if not t12_hours:
        return Capacity(None, None, None, None, added > 0)
    scale = planned_working_days / base_working_days if planned_working_days and base_working_days else 1.0
    planned = t12_hours * scale + added
    required = per_hour(ledger.net_production_goal, planned)
    util, net = history.get("chair_utilization"), history.get("net_production")
    req_util = None
    if util and net and required is not None:
        per_booked = net / (util * t12_hours) * (1 + float(inputs.fee_change.value or 0.0))
        req_util = required / per_booked
    return Capacity(t12_hours, planned, required, req_util, added > 0 or scale > 1.0 + 1e-9)


def realism_checks(ledger: Ledger, inputs: GoalInputs, history: History, capacity: Capacity) -> list[Check]:
    payroll = sum(inputs.overhead[c].amount for c in PAYROLL_CATEGORIES if c in inputs.overhead)
    return [
        check_growth(ledger.collection_goal, history.get("collections"), capacity.capacity_added, history.t12_label),
        check_per_hour(capacity.required_per_hour, history.best_quarter_per_hour, history.best_quarter_label,
                       float(inputs.fee_change.value or 0.0)),
        check_utilization(capacity.required_utilization, history.get("chair_utilization")),
        check_payroll(payroll, ledger.collection_goal, payroll_band(history.kind)),
        check_break_even(ledger.collection_goal, ledger.break_even),
    ]


# --- levers -----------------------------------------------------------------------------------

#: Default size of each lever in the scenario table.
LEVER_STEPS = {"no_shows": NO_SHOW_TARGET, "case_acceptance": 0.05, "utilization": 0.05, "new_patients": 24,
               "fees": 0.03}
#: Order in which levers are combined: first those that use the patients and hours the practice
#: already has, fees last.
LEVER_ORDER = ("no_shows", "case_acceptance", "utilization", "new_patients", "fees")


def levers(history: History, fee_change: float = 0.0, steps: Mapping[str, float] | None = None) -> pd.DataFrame:
    """How much each lever adds in collections a year, with its formula (amount None + why when it
    cannot be sized). Columns: lever, setting, step, amount, formula."""
    st = {**LEVER_STEPS, **(steps or {})}
    h = history.get
    ratio = h("collection_ratio")
    rows = []

    def row(lever: str, setting: str, step: float, amount: float | None, formula: str) -> None:
        rows.append({"lever": lever, "setting": setting, "step": step,
                     "amount": None if amount is None else round(amount, 2), "formula": formula})

    # no-shows down to 7%
    rate, done, net = h("no_show_rate"), h("visits_completed"), h("net_production")
    if rate is None or not done or net is None or ratio is None:
        row("no_shows", "no-shows to 7%", 0, None, "needs appointments with no-shows and production")
    elif rate <= st["no_shows"]:
        row("no_shows", f"no-shows already {pct_text(rate)}", 0, 0.0, f"no-show rate {pct_text(rate)} ≤ 7%")
    else:
        booked = done / (1 - rate)
        recovered = (rate - st["no_shows"]) * booked
        per_visit = net / done
        row("no_shows", f"no-shows {pct_text(rate)} → {pct_text(st['no_shows'])}", rate - st["no_shows"],
            recovered * per_visit * ratio,
            f"({pct_text(rate)} − {pct_text(st['no_shows'])}) × {booked:,.0f} kept or missed = {recovered:,.0f} visits "
            f"× {money_text(per_visit)} per visit × {pct_text(ratio)} collected")
    # case acceptance
    acc, presented = h("case_acceptance_value"), h("treatment_presented_value")
    if presented is None and acc is not None and h("unaccepted_treatment_value") is not None and acc < 1:
        presented = h("unaccepted_treatment_value") / (1 - acc)
    n = st["case_acceptance"]
    if acc is None or presented is None or ratio is None:
        row("case_acceptance", f"case acceptance +{n * 100:.0f} points", n, None, "needs treatment plans")
    else:
        row("case_acceptance", f"case acceptance {pct_text(acc)} → {pct_text(acc + n)}", n, n * presented * ratio,
            f"{n * 100:.0f} points × {money_text(presented)} presented × {pct_text(ratio)} collected")
    # utilization
    util, hours = h("chair_utilization"), h("chair_hours_available")
    n = st["utilization"]
    if not util or not hours or net is None or ratio is None:
        row("utilization", f"chair utilization +{n * 100:.0f} points", n, None, "needs appointments and chair hours")
    else:
        per_booked = net / (util * hours)
        row("utilization", f"chair utilization {pct_text(util)} → {pct_text(util + n)}", n,
            n * hours * per_booked * ratio,
            f"{n * 100:.0f} points × {hours:,.0f} chair hours × {money_text(per_booked)} per booked hour "
            f"× {pct_text(ratio)} collected")
    # new patients
    n = st["new_patients"]
    value = history.new_patient_annual_value
    if value is None or ratio is None:
        row("new_patients", f"+{n:.0f} new patients a year", n, None,
            "needs two years of appointments with production")
    else:
        row("new_patients", f"+{n:.0f} new patients a year", n, n * value * ratio,
            f"{n:.0f} × {money_text(value)} first-year production per new patient × {pct_text(ratio)} collected")
    # fees
    n = fee_change or st["fees"]
    if net is None or ratio is None:
        row("fees", f"fees {n * 100:+.1f}%", n, None, "needs production")
    else:
        row("fees", f"fees {n * 100:+.1f}%", n, n * net * ratio,
            f"{n * 100:+.1f}% × {money_text(net)} net production × {pct_text(ratio)} collected")
    return pd.DataFrame(rows, columns=["lever", "setting", "step", "amount", "formula"])


def close_gap(lever_table: pd.DataFrame, gap: float | None) -> tuple[pd.DataFrame, str]:
    """A combination of levers, taken in LEVER_ORDER, that adds up to the gap (the last one scaled
    down to what is needed). Returns the rows used (lever, setting, share_of_lever, amount) and a
    sentence saying whether the gap closes."""
    cols = ["lever", "setting", "share_of_lever", "amount"]
    if gap is None:
        return pd.DataFrame(columns=cols), "No gap computed: no collections in the last twelve months."
    if gap <= 0:
        return pd.DataFrame(columns=cols), (f"No gap: the goal is {money_text(-gap)} at or below the last "
                                            "twelve months' collections.")
    left, used = gap, []
    by = {r.lever: r for r in lever_table.itertuples()}
    for lever in LEVER_ORDER:
        r = by.get(lever)
        if r is None or r.amount is None or pd.isna(r.amount) or r.amount <= 0:
            continue
        take = min(1.0, left / r.amount)
        used.append({"lever": lever, "setting": r.setting, "share_of_lever": round(take, 4),
                     "amount": round(r.amount * take, 2)})
        left -= r.amount * take
        if left <= 0.005:
            break
    df = pd.DataFrame(used, columns=cols)
    if left > 0.005:
        return df, (f"The levers together add {money_text(gap - left)}, {money_text(left)} short of the "
                    f"{money_text(gap)} gap: the goal needs added capacity or a lower target.")
    return df, f"These levers close the {money_text(gap)} gap between the last twelve months and the goal."


# --- KPI targets ------------------------------------------------------------------------------


def _band(metric_id: str, kind: str) -> tuple[float | None, float | None, str, str, str] | None:
    """(low, high, better, source, unit) from the metric registry, when it has the metric."""
    try:
        from dyad_lib import registry
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
        from dyad_lib import registry

        return registry.label(metric_id, kind)
    except (ImportError, KeyError):  # pragma: no cover
        return metric_id.replace("_", " ")


_BETTER = {"collection_ratio": "up", "adjustments_rate": "down", "overhead_ratio": "down",
           "case_acceptance_value": "up", "no_show_rate": "down", "chair_utilization": "up", "new_patients": "up",
           "patient_retention": "up", "pre_appointment_rate": "up", "ar_days": "down"}


# --- vocabulary -------------------------------------------------------------------------------

#: A medical practice reads charges and exam rooms where a dental one reads production and chairs
#: (the registry's medical labels). Applied to the words of a finished plan; ids never change.
_MEDICAL_WORDS = (("Gross production", "Gross charges"), ("gross production", "gross charges"),
                  ("Net production", "Net charges"), ("net production", "net charges"),
                  ("production", "charges"), ("Production", "Charges"),
                  ("Chair utilization", "Exam-room utilization"), ("chair utilization", "exam-room utilization"),
                  ("chair hour", "exam-room hour"), ("Chair", "Exam-room"), ("chair", "exam-room"))


def words(text: str, kind: str) -> str:
    """`text` in the practice's vocabulary (unchanged for a dental practice)."""
    if kind != "medical" or not isinstance(text, str):
        return text
    for a, b in _MEDICAL_WORDS:
        text = text.replace(a, b)
    return text


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


# --- the whole plan ---------------------------------------------------------------------------


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
    from dyad_lib import goals_phasing as ph

    ledger = build_ledger(inputs, history)
    fy = int(inputs.fiscal_year[2:])
    months = fiscal_year_period(fy, history.fy_start_month).months
    wd, wd_source = ph.planned_working_days(months, history.working_days_history, inputs.working_days.value)
    base_wd = None
    if history.working_days_history:
        from dyad_lib.periods import add_months
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


# --- goal lines for the later reports ---------------------------------------------------------

MEASURES = {"collections": "phasing", "net_production": "phasing_net_production",
            "gross_production": "phasing_gross_production"}


def _years(goals: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The year entries of a goals.yaml mapping, or [entry] when given one year's entry."""
    if not goals:
        return []
    if "phasing" in goals:
        return [goals]
    return [v for k, v in goals.items() if isinstance(v, Mapping) and "phasing" in v]


def _month_key(month: Any) -> str:
    return pd.Timestamp(str(month) + ("-01" if len(str(month)) == 7 else "")).strftime("%Y-%m")


def _phasing(entry: Mapping[str, Any], measure: str) -> dict[str, float]:
    if measure not in MEASURES:
        raise ValueError(f"unknown goal measure '{measure}' (use {', '.join(MEASURES)})")
    return {str(k): float(v) for k, v in (entry.get(MEASURES[measure]) or {}).items()}


def monthly_goal(goals: Mapping[str, Any] | None, month: Any, measure: str = "collections") -> float | None:
    """The phased goal of one month ('2026-03' or a Timestamp), from a goals.yaml mapping or one
    year's entry; None when no goal covers that month ("no goals set")."""
    key = _month_key(month)
    for entry in _years(goals):
        ph = _phasing(entry, measure)
        if key in ph:
            return ph[key]
    return None


def ytd_goal(goals: Mapping[str, Any] | None, through_month: Any, measure: str = "collections") -> float | None:
    """The phased goal of the fiscal year containing `through_month`, from its first month through
    that month inclusive; None when no goal covers it."""
    key = _month_key(through_month)
    for entry in _years(goals):
        ph = _phasing(entry, measure)
        if key in ph:
            return round(sum(v for k, v in ph.items() if k <= key), 2)
    return None


def annual_goal(goals: Mapping[str, Any] | None, fiscal_year: str, measure: str = "collections") -> float | None:
    """The whole year's goal (collections, net_production or gross_production), None if not set."""
    if not goals:
        return None
    entry = goals.get(fy_label(fiscal_year)) if "phasing" not in goals else goals
    if not entry:
        return None
    key = {"collections": "collection_goal", "net_production": "net_production_goal",
           "gross_production": "gross_production_goal"}[measure]
    return None if entry.get(key) is None else float(entry[key])


def goal_line(goals: Mapping[str, Any] | None, start: Any, end: Any, measure: str = "collections") -> pd.Series:
    """Monthly goal for every month from start to end (NaN where no goal is set), for trend charts."""
    months = pd.date_range(pd.Timestamp(_month_key(start) + "-01"), pd.Timestamp(_month_key(end) + "-01"), freq="MS")
    vals = [monthly_goal(goals, m, measure) for m in months]
    return pd.Series([float("nan") if v is None else v for v in vals], index=months, name=f"{measure}_goal")


def pace_needed(goals: Mapping[str, Any] | None, through_month: Any, actual_ytd: float,
                measure: str = "collections") -> dict[str, float] | None:
    """What the rest of the fiscal year must bring: the remaining goal, the months and working
    days left, and the pace per month and per working day. None when no goal covers the month."""
    key = _month_key(through_month)
    for entry in _years(goals):
        ph = _phasing(entry, measure)
        if key not in ph:
            continue
        total = sum(ph.values())
        rest = [k for k in ph if k > key]
        wd = {str(k): float(v) for k, v in (entry.get("working_days") or {}).items()}
        days_left = sum(wd.get(k, 0.0) for k in rest)
        remaining = round(total - actual_ytd, 2)
        return {"annual_goal": round(total, 2), "actual_ytd": actual_ytd, "remaining": remaining,
                "months_left": len(rest), "working_days_left": days_left,
                "per_month": remaining / len(rest) if rest else float("nan"),
                "per_working_day": remaining / days_left if days_left else float("nan")}
    return None
