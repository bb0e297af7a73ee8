"""The inputs of the annual goal, each with its source: the overhead budget by category, owner pay,
debt service, profit, the expected collection ratio and adjustment rate, fees, chair hours and
working days, and the history they default from.

The partners type these into an inputs file, the notebook's parameters or the page's controls,
so every key is checked here, once, with a message that names the key: a key ending in `_pct`
takes percent (`fee_change_pct: 3` is +3%), ratios take fractions (`collection_ratio: 0.98`),
and a value no practice would plan (fees +300%, a collection ratio of 98) is refused instead of
silently producing a goal.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.fmt import money_text, pct_text
from dyad_lib.goals.budget import CHOICES, BudgetFlag, category_band, flag_reasons, trim_goal
from dyad_lib.goals.formulas import cents_round, pct_fraction
from dyad_lib.metrics.periods import parse_period


def _no_show_target() -> float:
    """The no-show lever's target: the worse edge of the registry band, as dyad_lib.metrics.targets sets it."""
    from dyad_lib.metrics.targets import target_for

    found = target_for("no_show_rate", "dental")
    return found[0] if found else 0.07


DEFAULT_OVERHEAD_CHANGE_PCT = 3.0
DEFAULT_OVERHEAD_CHANGE = pct_fraction(DEFAULT_OVERHEAD_CHANGE_PCT)


NO_SHOW_TARGET = _no_show_target()  # 7%: the top of the registry's no-show band (MGMA)


CATEGORY_LABELS = {
    "staff_wages": "Staff wages", "payroll_taxes_benefits": "Payroll taxes and benefits",
    "facility": "Facility", "clinical_supplies": "Clinical supplies", "lab": "Lab",
    "equipment": "Equipment", "office_admin": "Office and administration", "marketing": "Marketing",
    "other_overhead": "Other overhead",
}

#: The goal inputs, what each takes, and the plausible range of each (refused outside it).
#: Amounts are dollars a year; `_pct` keys are percent; ratios are fractions.
INPUT_HELP = {
    "overhead_change_pct": "every overhead category: last year's actual + this percent (default 3)",
    "overhead_changes_pct": "per category: {category: percent} over last year's actual",
    "overhead_budget": "per category: {category: dollars} entered as the budget",
    "budget_choices": "per flagged category: {category: carry | trim} (trim = back to its band)",
    "owner_compensation": "owners' pay for the year, dollars",
    "owner_compensation_change_pct": "owners' pay: last year's + this percent",
    "debt_service": "loan payments for the year, dollars",
    "profit_target": "profit kept or reinvested, dollars",
    "profit_target_change_pct": "profit: the default (what was left last year) + this percent",
    "collection_ratio": "expected collections ÷ net production, a fraction such as 0.98",
    "adjustment_rate": "expected adjustments ÷ gross production, a fraction such as 0.04",
    "fee_change_pct": "fee change in percent, e.g. 3 for +3%",
    "added_chair_hours": "chair (exam-room) hours added over the year (negative: removed)",
    "working_days": "planned working days per month: {YYYY-MM: days}; other months as last year",
}
INPUT_KEYS = tuple(INPUT_HELP)
#: (low, high) in the key's own unit; outside is refused.
PCT_RANGES = {"overhead_change_pct": (-50.0, 50.0), "overhead_changes_pct": (-100.0, 200.0),
              "owner_compensation_change_pct": (-100.0, 100.0), "profit_target_change_pct": (-100.0, 200.0),
              "fee_change_pct": (-20.0, 25.0)}
RATIO_RANGES = {"collection_ratio": (0.5, 1.2), "adjustment_rate": (0.0, 0.6)}
AMOUNT_KEYS = ("owner_compensation", "debt_service", "profit_target")
#: No practice's goal input is a billion dollars a year: beyond it is a typing error.
MAX_AMOUNT = 1_000_000_000.0
#: A planned amount above this many times the last twelve months' collections is refused.
MAX_TIMES_COLLECTIONS = 5.0
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
EXCLUSIVE = (("owner_compensation", "owner_compensation_change_pct"),
             ("profit_target", "profit_target_change_pct"))


class InputError(ValueError):
    """A goal input that cannot be used; `key` is its path (e.g. 'overhead_budget.lab')."""

    def __init__(self, key: str, message: str):
        self.key, self.message = key, message
        super().__init__(f"{key}: {message}")


def fy_label(fiscal_year: str | int) -> str:
    """'FY2026' from 'FY2026', 'fy 2026' or 2026."""
    text = str(fiscal_year).strip().upper().replace(" ", "")
    if not text.startswith("FY"):
        text = "FY" + text
    parse_period(text)  # raises PeriodError when not a fiscal year
    if not text[2:].isdigit():
        raise ValueError(f"'{fiscal_year}' is not a fiscal year like FY2026")
    return text


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _number(key: str, x: Any) -> float:
    if not _is_number(x):
        raise InputError(key, f"{x!r} is not a number")
    return float(x)


def _pct(key: str, x: Any, rng: tuple[float, float]) -> float:
    p = _number(key, x)
    if 0 < abs(p) < 0.1:
        raise InputError(key, f"{p:g} reads as {p:+g}%; keys ending in _pct take percent: write 3 for +3%")
    if not rng[0] <= p <= rng[1]:
        raise InputError(key, f"{p:g}% is not a plausible change (between {rng[0]:+g}% and {rng[1]:+g}%); "
                              "keys ending in _pct take percent: 3 means +3%")
    return p


def _ratio(key: str, x: Any) -> float:
    r = _number(key, x)
    lo, hi = RATIO_RANGES[key]
    if not lo <= r <= hi:
        hint = f"; for {r:g}% write {r / 100:g}" if lo * 100 <= r <= hi * 100 else ""
        raise InputError(key, f"{r:g} is not a plausible {key.replace('_', ' ')} (a fraction between "
                              f"{lo:g} and {hi:g}){hint}")
    return r


def _amount(key: str, x: Any) -> float:
    a = _number(key, x)
    if a < 0:
        raise InputError(key, f"{a:,.2f} is below zero")
    if a > MAX_AMOUNT:
        raise InputError(key, f"{a:,.0f} is more than any practice plans (at most {MAX_AMOUNT:,.0f})")
    return a


def _mapping(key: str, x: Any) -> Mapping[str, Any]:
    if not isinstance(x, Mapping):
        raise InputError(key, f"must be a mapping like {{name: value}}, not {x!r}")
    return x


def _category(key: str, name: Any) -> str:
    if str(name) not in OVERHEAD_CATEGORIES:
        raise InputError(f"{key}.{name}", f"is not an overhead category (use {', '.join(OVERHEAD_CATEGORIES)})")
    return str(name)


def check_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The goal inputs checked and in canonical form (numbers as floats, None dropped); an
    InputError naming the key for the first one that is unknown, not a number or implausible."""
    out: dict[str, Any] = {}
    for key, x in (overrides or {}).items():
        key = str(key)
        if x is None:
            continue
        if key not in INPUT_HELP:
            raise InputError(key, f"is not a goal input (use {', '.join(INPUT_KEYS)})")
        if key in ("overhead_changes_pct", "overhead_budget", "budget_choices", "working_days"):
            m = _mapping(key, x)
            if key == "working_days":
                days = {}
                for k, d in m.items():
                    k = str(k)
                    if not _MONTH.match(k):
                        raise InputError(f"{key}.{k}", "is not a month like 2027-08")
                    n = _number(f"{key}.{k}", d)
                    top = calendar.monthrange(int(k[:4]), int(k[5:]))[1]
                    if not 0 <= n <= top:
                        raise InputError(f"{key}.{k}", f"{n:g} working days: a month has 0 to {top}")
                    days[k] = n
                out[key] = days
            elif key == "budget_choices":
                out[key] = {}
                for k, c in m.items():
                    cat = _category(key, k)
                    if c not in CHOICES:
                        raise InputError(f"{key}.{k}", f"{c!r} is not a choice (use {' or '.join(CHOICES)})")
                    out[key][cat] = c
            elif key == "overhead_budget":
                out[key] = {_category(key, k): _amount(f"{key}.{k}", a) for k, a in m.items()}
            else:
                out[key] = {_category(key, k): _pct(f"{key}.{k}", p, PCT_RANGES[key]) for k, p in m.items()}
        elif key in PCT_RANGES:
            out[key] = _pct(key, x, PCT_RANGES[key])
        elif key in RATIO_RANGES:
            out[key] = _ratio(key, x)
        elif key == "added_chair_hours":
            h = _number(key, x)
            if abs(h) > 100_000:
                raise InputError(key, f"{h:,.0f} hours is more than any practice adds in a year")
            out[key] = h
        else:
            out[key] = _amount(key, x)
    for a, b in EXCLUSIVE:
        if a in out and b in out:
            raise InputError(b, f"give {a} or {b}, not both")
    return out


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
        amount = cents_round(base * (1 + change))  # the same formula as goals.ledger's spec
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
    budget_flags: list[BudgetFlag] = field(default_factory=list)
    entered: dict[str, Any] = field(default_factory=dict)  # the checked overrides, as given

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

    def planned(self, key: str) -> bool:
        """Whether the partners entered this input (it is then part of the plan, not a default)."""
        return key in self.entered

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
    expense_prior_label: str | None = None  # the twelve months before the base
    expense_prior: dict[str, float] = field(default_factory=dict)
    base_collections: float | None = None  # collections over the expense base's months
    best_quarter_label: str | None = None
    best_quarter_per_hour: float | None = None  # net production per chair hour, best quarter
    doctors: float | None = None  # dentists or physicians over the T12 (FTE where given), for bands per provider
    new_patient_annual_value: float | None = None  # net production in a new patient's first 12 months
    monthly: pd.DataFrame | None = None  # month, net_production, collections, …, chair_hours_available, working_days
    working_days_history: dict[pd.Timestamp, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    absent: dict[str, str] = field(default_factory=dict)  # metric id -> the table the practice does not deliver

    def get(self, metric_id: str) -> float | None:
        v = self.t12.get(metric_id)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _plausible_for_practice(o: Mapping[str, Any], fiscal_year: str, history: History) -> None:
    """Checks that need the practice: amounts against its size, months of the planned year."""
    coll = history.get("collections")
    if coll:
        for key in AMOUNT_KEYS:
            if key in o and o[key] > MAX_TIMES_COLLECTIONS * coll:
                raise InputError(key, f"{money_text(o[key])} is more than {MAX_TIMES_COLLECTIONS:g} times the "
                                      f"last twelve months' collections ({money_text(coll)}): is a digit too many?")
        for cat, a in (o.get("overhead_budget") or {}).items():
            if a > MAX_TIMES_COLLECTIONS * coll:
                raise InputError(f"overhead_budget.{cat}", f"{money_text(a)} is more than {MAX_TIMES_COLLECTIONS:g} "
                                 f"times the last twelve months' collections ({money_text(coll)})")
    hours = history.get("chair_hours_available")
    if "added_chair_hours" in o and hours:
        h = o["added_chair_hours"]
        if h < -hours or h > 2 * hours:
            raise InputError("added_chair_hours", f"{h:+,.0f} hours against {hours:,.0f} chair hours in the last "
                                                  "twelve months: between removing them all and tripling them")
    if o.get("working_days"):
        from dyad_lib.metrics.periods import fiscal_year_period

        p = fiscal_year_period(int(fiscal_year[2:]), history.fy_start_month)
        months = {m.strftime("%Y-%m") for m in p.months}
        for k in o["working_days"]:
            if k not in months:
                raise InputError(f"working_days.{k}", f"is not a month of {fiscal_year} "
                                                      f"({p.months[0]:%Y-%m} to {p.months[-1]:%Y-%m})")


def default_inputs(fiscal_year: str, history: History, overrides: Mapping[str, Any] | None = None) -> GoalInputs:
    """Goal inputs: each override the partners entered, else a default from history that says so.

    Overrides are the keys of INPUT_HELP (checked by `check_overrides`; an InputError names the
    key). A None value means "use the default". Budget flags (a category whose default carries a
    trend) are computed here and the partners' `budget_choices` applied."""
    fiscal_year = fy_label(fiscal_year)
    o = check_overrides(overrides)
    _plausible_for_practice(o, fiscal_year, history)
    used: list[str] = []
    base, label = history.expense_base, history.expense_base_label

    change_src = "entered by the partners" if "overhead_change_pct" in o else "default: +3% cost inflation"
    change_all = pct_fraction(o["overhead_change_pct"]) if "overhead_change_pct" in o else DEFAULT_OVERHEAD_CHANGE
    if "overhead_change_pct" not in o:
        used.append(f"overhead: {label} actual × {1 + DEFAULT_OVERHEAD_CHANGE:.2f} per category (+3% cost inflation)")
    per_change = {c: pct_fraction(p) for c, p in (o.get("overhead_changes_pct") or {}).items()}
    budget = dict(o.get("overhead_budget") or {})
    overhead: dict[str, CategoryBudget] = {}
    for cat in OVERHEAD_CATEGORIES:
        if cat in budget:
            overhead[cat] = CategoryBudget(cat, cents_round(budget[cat]), "entered by the partners")
        elif cat in per_change:
            overhead[cat] = CategoryBudget.from_base(cat, float(base.get(cat, 0.0)), per_change[cat], label,
                                                     "change entered by the partners")
        else:
            overhead[cat] = CategoryBudget.from_base(cat, float(base.get(cat, 0.0)), change_all, label, change_src)

    def pick(key: str, default: float | None, default_source: str, what: str) -> Sourced:
        if key in o:
            return Sourced(cents_round(o[key]) if key in AMOUNT_KEYS else float(o[key]), "entered by the partners")
        if default is None:
            raise InputError(key, f"no {what} in the history: enter {key} in the goal inputs")
        used.append(f"{what}: {default_source}")
        return Sourced(default, f"default: {default_source}")

    owner_base = cents_round(base.get("owner_compensation", 0.0))
    if "owner_compensation_change_pct" in o:
        p = o["owner_compensation_change_pct"]
        owner = Sourced(cents_round(owner_base * (1 + pct_fraction(p))),
                        f"{label} actual {money_text(owner_base)} {p:+g}% (entered by the partners)")
    else:
        owner = pick("owner_compensation", owner_base, f"{label} actual owner compensation", "owner compensation")
    debt = pick("debt_service", cents_round(base.get("debt_service", 0.0)), f"{label} actual debt service",
                "debt service")
    coll_t12 = history.get("collections")
    profit_default = None
    if coll_t12 is not None and base:
        total = 0.0
        for v in base.values():
            total += v
        profit_default = cents_round(max(0.0, coll_t12 - total))
    profit_words = f"{history.t12_label} collections − {label} expenses (what was left), not below 0"
    if "profit_target_change_pct" in o:
        if profit_default is None:
            raise InputError("profit_target_change_pct", "no profit in the history to change: enter profit_target")
        p = o["profit_target_change_pct"]
        profit = Sourced(cents_round(profit_default * (1 + pct_fraction(p))),
                         f"{profit_words}: {money_text(profit_default)} {p:+g}% (entered by the partners)")
    else:
        profit = pick("profit_target", profit_default, profit_words, "profit / reinvestment")
    ratio_t12, ratio_words = history.get("collection_ratio"), f"{history.t12_label} collection ratio"
    if ratio_t12 is not None and ratio_t12 > 1.0:  # a plan cannot count on collecting old receivables again
        ratio_words += (f" {pct_text(ratio_t12)}, capped at 100%: collecting more than a year's net production "
                        "means old receivables came in, which does not repeat")
        ratio_t12 = 1.0
    ratio = pick("collection_ratio", ratio_t12, ratio_words, "collection ratio")
    adj = pick("adjustment_rate", history.get("adjustments_rate"), f"{history.t12_label} adjustment rate",
               "adjustment rate")
    hours = Sourced(float(o["added_chair_hours"]), "entered by the partners") if "added_chair_hours" in o \
        else Sourced(0.0, "default: no added chair hours")
    fee = Sourced(pct_fraction(o["fee_change_pct"]), "entered by the partners") if "fee_change_pct" in o \
        else Sourced(0.0, "default: no fee change")
    wd = Sourced(dict(o["working_days"]), "entered by the partners") if "working_days" in o \
        else Sourced(None, "default: the same months last year")
    if "working_days" not in o:
        used.append("working days: the same months last year")
    flags = _budget_flags(history, overhead, float(owner.value) + float(debt.value) + float(profit.value),
                          o.get("budget_choices") or {}, set(budget))
    for f in flags:
        if f.choice == "trim":
            overhead[f.category] = CategoryBudget(f.category, f.trim, f"{f.trim_rule} (chosen by the partners)",
                                                  overhead[f.category].base, None)
    unflagged = set(o.get("budget_choices") or {}) - {f.category for f in flags}
    if unflagged:
        cat = sorted(unflagged)[0]
        raise InputError(f"budget_choices.{cat}", "this category is not flagged: its budget carries no trend "
                                                  "to choose about (set overhead_budget or overhead_changes_pct)")
    return GoalInputs(fiscal_year, overhead, owner, debt, profit, ratio, adj, hours, fee, wd, used, flags, o)


def _budget_flags(history: History, overhead: dict[str, CategoryBudget], others: float,
                  choices: Mapping[str, str], entered: set[str]) -> list[BudgetFlag]:
    """Flag each category whose default carries a trend; size carrying it against trimming it.

    Trim: back to the band's top as a share of the collection goal that results (solved exactly,
    all trimmed categories together), or, for a category that only grew fast, to the year before
    × the same change."""
    base, prior = history.expense_base, history.expense_prior
    raw = []
    for cat in OVERHEAD_CATEGORIES:
        b = base.get(cat)
        if not b or b <= 0:
            continue
        band = category_band(cat, history.kind)
        reasons = flag_reasons(b, prior.get(cat), history.base_collections, band, history.expense_base_label,
                               history.expense_prior_label or "the year before")
        if reasons:
            raw.append((cat, reasons, band))
    if not raw:
        return []
    above = [(cat, band) for cat, reasons, band in raw
             if band is not None and history.base_collections and base[cat] / history.base_collections > band[1]]
    chosen = [(c, bd) for c, bd in above if choices.get(c) == "trim" and c not in entered]

    def rest_without(cats: set[str]) -> float:
        total = 0.0
        for c in OVERHEAD_CATEGORIES:
            if c not in cats:
                total += overhead[c].amount
        return total + others

    goal_trimmed = trim_goal(rest_without({c for c, _ in chosen}), [bd[1] for _, bd in chosen]) if chosen else None
    out = []
    for cat, reasons, band in raw:
        carry = overhead[cat].amount
        change = overhead[cat].change if overhead[cat].change is not None else DEFAULT_OVERHEAD_CHANGE
        if (cat, band) in above:
            share = band[1]
            alone = trim_goal(rest_without({cat}), [share])
            goal = goal_trimmed if (cat, band) in chosen else alone
            trim = cents_round(share * goal)
            rule = f"{CATEGORY_LABELS[cat].lower()} at {pct_text(share)} of the collection goal, the top of its band"
            effect = cents_round(carry - cents_round(share * alone))
        else:
            p = prior.get(cat) or 0.0
            trim = cents_round(p * (1 + change))
            rule = f"{CATEGORY_LABELS[cat].lower()} at {history.expense_prior_label or 'the year before'} × {1 + change:.4g}"
            effect = cents_round(carry - trim)
        choice = "entered" if cat in entered else choices.get(cat, "carry")
        out.append(BudgetFlag(cat, CATEGORY_LABELS[cat], tuple(reasons), float(base[cat]), carry, trim, rule,
                              choice, effect))
    return out
