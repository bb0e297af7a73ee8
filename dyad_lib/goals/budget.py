"""The overhead budget beyond the goal: categories whose trend the default would carry, and the
budget against what was spent, month by month, all year.

A default budget is last year × (1 + cost inflation). For a category that ran away last year
(above its industry band, or well above the year before) that quietly carries the problem into
next year's goal, so such a category is flagged and the partners choose: carry it, or bring it
back to the band (`budget_choices: {category: trim}`), each with its dollar effect on the goal.

During the year the committed budget (goals.yaml) is the partners' own yardstick: each category's
monthly budget is its annual budget spread over the months — variable costs (lab, clinical
supplies) like the net production goal, the others evenly — so month and year to date can be
compared with what was spent. Pure functions over numbers and DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from dyad_lib.data.contract import OVERHEAD_CATEGORIES, VARIABLE_COST_CATEGORIES
from dyad_lib.fmt import money_text, pct_text
from dyad_lib.goals.formulas import allocate, cents_round, to_cents

#: Growth over the year before that is "well above" it (cost inflation runs at 2–4%).
GROWTH_FLAG = 0.10
CHOICES = ("carry", "trim")


def category_band(category: str, kind: str) -> tuple[float, float] | None:
    """The category's industry band as a share of collections (registry), or None."""
    from dyad_lib.metrics import benchmarks

    try:
        b = benchmarks.reference(benchmarks.for_kind(f"overhead_ratio_{category}", kind))
    except KeyError:
        return None
    if b is None or b.low is None or b.high is None:
        return None
    return (float(b.low), float(b.high))


@dataclass(frozen=True)
class BudgetFlag:
    """A category whose default budget carries a trend; the choice and what each option costs."""

    category: str
    label: str
    reasons: tuple[str, ...]  # why it is flagged, in words
    base: float  # last year's actual (the default's base)
    carry: float  # the default budget: base × (1 + change)
    trim: float  # brought back: the band's top share of the goal, or the year before × (1 + change)
    trim_rule: str  # how `trim` is set, in words
    choice: str  # carry | trim | entered
    effect: float  # carry − trim: what carrying it adds to the collection goal

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "reasons": list(self.reasons), "base": self.base, "carry": self.carry,
                "trim": self.trim, "trim_rule": self.trim_rule, "choice": self.choice, "effect": self.effect}


def flag_reasons(base: float, prior: float | None, base_collections: float | None,
                 band: tuple[float, float] | None, base_label: str, prior_label: str) -> list[str]:
    """Why a category's base is a trend not to carry blindly (empty when it is not)."""
    out = []
    if band is not None and base_collections and base / base_collections > band[1]:
        out.append(f"{pct_text(base / base_collections)} of collections in {base_label}, above its "
                   f"{pct_text(band[0], 0)}–{pct_text(band[1], 0)} band")
    if prior and prior > 0 and base / prior - 1 > GROWTH_FLAG:
        out.append(f"{pct_text(base / prior - 1)} above {prior_label} ({money_text(prior)})")
    return out


def trim_goal(rest: float, shares: Sequence[float]) -> float:
    """The collection goal when categories are set to a share of it: C = rest + Σ share × C."""
    s = sum(shares)
    if not 0 <= s < 1:
        raise ValueError(f"the shares of the goal must add up to less than 100%, not {s}")
    return rest / (1 - s)


# --- the budget against what was spent ------------------------------------------------------------


def budget_of(entry: Mapping[str, Any]) -> dict[str, float]:
    """A committed year's annual budget: each overhead category, owner_compensation, debt_service
    and profit_target (the entry's `budget`; for an entry written before it was kept, read back
    from its inputs). Empty when neither is there."""
    if isinstance(entry.get("budget"), Mapping):
        return {str(k): float(v) for k, v in entry["budget"].items() if v is not None}
    inp = entry.get("inputs") or {}
    out = {c: float(b["amount"]) for c, b in (inp.get("overhead") or {}).items()
           if isinstance(b, Mapping) and b.get("amount") is not None}
    for key in ("owner_compensation", "debt_service", "profit_target"):
        v = (inp.get(key) or {}).get("value")
        if v is not None:
            out[key] = cents_round(float(v))
    return out


def monthly_budget(entry: Mapping[str, Any]) -> pd.DataFrame:
    """A committed year's budget by month (rows: months YYYY-MM; columns: the overhead categories,
    owner_compensation, debt_service, profit_target, collections goal), to the cent; each column
    adds up to its annual amount. Variable costs follow the net production goal's months, the
    others are spread evenly (a rent is the same every month). Empty when the entry has no budget."""
    budget = budget_of(entry)
    phasing = entry.get("phasing") or {}
    if not budget or not phasing:
        return pd.DataFrame()
    months = list(phasing)
    net = entry.get("phasing_net_production") or phasing
    prod_w = [to_cents(float(net[m])) for m in months]
    even = [1] * len(months)
    cols: dict[str, list[float]] = {}
    for key, amount in budget.items():
        weights = prod_w if key in VARIABLE_COST_CATEGORIES and sum(prod_w) > 0 else even
        cols[key] = [c / 100 for c in allocate(to_cents(float(amount)), weights)]
    cols["collections_goal"] = [float(phasing[m]) for m in months]
    return pd.DataFrame(cols, index=months)


def budget_against_actual(budget: pd.DataFrame, actual: Mapping[str, Mapping[str, float]], month: str,
                          bands: Mapping[str, tuple[float, float] | None] | None = None) -> pd.DataFrame:
    """One row per overhead category: the month's actual and budget, the year to date's, the
    differences, and the year to date's share of collections with its band.

    `actual` maps month (YYYY-MM) → {category: amount, 'collections': amount}. Months of the
    fiscal year up to and including `month`."""
    if budget.empty or month not in budget.index:
        return pd.DataFrame()
    ytd_months = [m for m in budget.index if m <= month]
    coll_ytd = sum(float(actual.get(m, {}).get("collections") or 0.0) for m in ytd_months)
    rows = []
    for cat in OVERHEAD_CATEGORIES:
        if cat not in budget:
            continue
        a_m = actual.get(month, {}).get(cat)
        a_y = sum(float(actual.get(m, {}).get(cat) or 0.0) for m in ytd_months)
        b_m, b_y = float(budget.loc[month, cat]), cents_round(float(budget.loc[ytd_months, cat].sum()))
        band = (bands or {}).get(cat)
        rows.append({"category": cat, "month_actual": a_m, "month_budget": b_m,
                     "month_diff": None if a_m is None else cents_round(a_m - b_m),
                     "ytd_actual": cents_round(a_y), "ytd_budget": b_y, "ytd_diff": cents_round(a_y - b_y),
                     "ytd_share": a_y / coll_ytd if coll_ytd else None,
                     "band_low": band[0] if band else None, "band_high": band[1] if band else None})
    return pd.DataFrame(rows)


def take_home(budget: pd.DataFrame, actual: Mapping[str, Mapping[str, float]], month: str) -> pd.DataFrame:
    """The doctor's take-home (owner pay + what is left: collections − overhead − debt service)
    against plan (owner pay budget + profit target, i.e. collection goal − overhead budget − debt
    service budget), for the month and the year to date. Rows: month, ytd."""
    if budget.empty or month not in budget.index:
        return pd.DataFrame()
    over = [c for c in OVERHEAD_CATEGORIES if c in budget]
    ytd_months = [m for m in budget.index if m <= month]

    def planned(ms: list[str]) -> dict[str, float]:
        b = budget.loc[ms]
        coll = float(b["collections_goal"].sum())
        overhead = float(b[over].to_numpy().sum())
        debt = float(b["debt_service"].sum()) if "debt_service" in b else 0.0
        owner = float(b["owner_compensation"].sum()) if "owner_compensation" in b else 0.0
        return {"collections": cents_round(coll), "owner_pay": cents_round(owner),
                "take_home": cents_round(coll - overhead - debt)}

    def spent(ms: list[str]) -> dict[str, float | None]:
        have = [actual[m] for m in ms if m in actual]
        if len(have) < len(ms):
            return {"collections": None, "owner_pay": None, "take_home": None}
        coll = sum(float(a.get("collections") or 0.0) for a in have)
        overhead = sum(float(a.get(c) or 0.0) for a in have for c in OVERHEAD_CATEGORIES)
        debt = sum(float(a.get("debt_service") or 0.0) for a in have)
        owner = sum(float(a.get("owner_compensation") or 0.0) for a in have)
        return {"collections": cents_round(coll), "owner_pay": cents_round(owner),
                "take_home": cents_round(coll - overhead - debt)}

    rows = []
    for span, ms in (("month", [month]), ("ytd", ytd_months)):
        p, a = planned(ms), spent(ms)
        rows.append({"span": span, "plan_take_home": p["take_home"], "actual_take_home": a["take_home"],
                     "diff": None if a["take_home"] is None else cents_round(a["take_home"] - p["take_home"]),
                     "plan_owner_pay": p["owner_pay"], "actual_owner_pay": a["owner_pay"],
                     "plan_collections": p["collections"], "actual_collections": a["collections"],
                     "actual_share": (a["take_home"] / a["collections"]) if a["collections"] else None})
    return pd.DataFrame(rows)
