"""The monthly review's "against the budget" section: each cost category against the budget the
partners committed (goals.yaml), for the month and the year to date, beside its industry band;
and the doctor's take-home — owner pay plus what is left — against the plan.

The first source article says the doctor reads the practice's numbers with their own pay in mind
while the manager reads overhead: this section puts both on one page, in the partners' own
yardstick (their budget) as well as the industry's. Numbers come from `dyad_lib.goals.budget`
and the practice's own expenses and collections; this module only arranges and words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from dyad_lib import fmt
from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.goals.budget import budget_against_actual, category_band, monthly_budget, take_home
from dyad_lib.goals.inputs import CATEGORY_LABELS
from dyad_lib.metrics.periods import Period, fiscal_year_of

#: Owner pay + profit as a share of collections, established dental practice (Burkhart), via the
#: registry's operating-margin band (which also holds debt service: see its note).
TAKE_HOME_METRIC = "operating_margin"


@dataclass
class BudgetReview:
    categories: pd.DataFrame  # for people: one row per category + a total
    take_home: pd.DataFrame  # for people: month and year to date
    text: list[str]  # the sentences under the tables
    numbers: pd.DataFrame  # the categories' raw numbers (tests, other reports)
    home: pd.DataFrame  # the take-home's raw numbers


def actual_by_month(practice: Any, months: list[str]) -> dict[str, dict[str, float]]:
    """{YYYY-MM: {category: spent, 'collections': collected}} for the months that have data."""
    out: dict[str, dict[str, float]] = {}
    exp = practice.tables.get("expenses")
    if exp is not None and not exp.empty:
        e = exp.assign(m=pd.to_datetime(exp["month"]).dt.strftime("%Y-%m"))
        e = e[e["m"].isin(months)]
        for (m, c), v in e.groupby(["m", "category"])["amount"].sum().items():
            out.setdefault(m, {})[str(c)] = float(v)
    fin = practice.tables.get("financials")
    if fin is not None and not fin.empty:
        f = fin.assign(m=pd.to_datetime(fin["month"]).dt.strftime("%Y-%m"))
        f = f[f["m"].isin(months)]
        for m, v in f.groupby("m")["collections"].sum(min_count=1).items():
            if pd.notna(v) and m in out:
                out[m]["collections"] = float(v)
    return {m: a for m, a in out.items() if "collections" in a}


def review(practice: Any, month: Period, goals: Mapping[str, Any] | None) -> BudgetReview | None:
    """The section for `month`, or None when its fiscal year has no committed budget."""
    fy = f"FY{fiscal_year_of(month.end, month.fy_start_month)}"
    entry = (goals or {}).get(fy)
    if not entry:
        return None
    budget = monthly_budget(entry)
    key = month.end.strftime("%Y-%m")
    if budget.empty or key not in budget.index:
        return None
    actual = actual_by_month(practice, list(budget.index))
    if key not in actual:
        return None
    bands = {c: category_band(c, practice.kind) for c in OVERHEAD_CATEGORIES}
    nums = budget_against_actual(budget, actual, key, bands)
    home = take_home(budget, actual, key)
    return BudgetReview(_categories_for_people(nums), _take_home_for_people(home, practice.kind), _sentences(
        nums, home, practice.kind, month), nums, home)


def _diff(x: float | None) -> str:
    """Spent against budget: + over it, − under it."""
    if x is None or pd.isna(x):
        return fmt.DASH
    if abs(x) < 0.5:
        return "on budget"
    return ("+" if x > 0 else "−") + fmt.money(abs(x))


def _categories_for_people(n: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in n.itertuples():
        band = (fmt.band_text(_B(r.band_low, r.band_high), "ratio")
                if r.band_low is not None and not pd.isna(r.band_low) else "—")
        rows.append({"Category": CATEGORY_LABELS.get(r.category, r.category), "Month": fmt.money(r.month_actual),
                     "Budget": fmt.money(r.month_budget), "vs budget": _diff(r.month_diff),
                     "Year to date": fmt.money(r.ytd_actual), "YTD budget": fmt.money(r.ytd_budget),
                     "YTD vs budget": _diff(r.ytd_diff), "Share (YTD)": fmt.percent(r.ytd_share), "Band": band})
    tot = {k: n[k].sum() for k in ("month_actual", "month_budget", "ytd_actual", "ytd_budget")}
    rows.append({"Category": "Total overhead", "Month": fmt.money(tot["month_actual"]),
                 "Budget": fmt.money(tot["month_budget"]), "vs budget": _diff(tot["month_actual"] - tot["month_budget"]),
                 "Year to date": fmt.money(tot["ytd_actual"]), "YTD budget": fmt.money(tot["ytd_budget"]),
                 "YTD vs budget": _diff(tot["ytd_actual"] - tot["ytd_budget"]), "Share (YTD)": "", "Band": ""})
    out = pd.DataFrame(rows)
    out.attrs["numeric"] = ["Month", "Budget", "vs budget", "Year to date", "YTD budget", "YTD vs budget", "Share (YTD)"]
    out.attrs["caption"] = "Spent against the committed budget (+ over, − under); share of collections against its band"
    return out


@dataclass(frozen=True)
class _B:
    low: float | None
    high: float | None


def _take_home_for_people(h: pd.DataFrame, kind: str) -> pd.DataFrame:
    from dyad_lib.metrics import benchmarks

    band = benchmarks.reference(benchmarks.for_kind(TAKE_HOME_METRIC, kind))
    band_text = fmt.band_text(_B(band.low, band.high), "ratio") if band is not None else "—"
    rows = []
    for r in h.itertuples():
        rows.append({"": "This month" if r.span == "month" else "Year to date",
                     "Owner pay": fmt.money(r.actual_owner_pay), "Pay planned": fmt.money(r.plan_owner_pay),
                     "Take-home": fmt.money(r.actual_take_home), "Planned": fmt.money(r.plan_take_home),
                     "vs plan": _signed(r.diff), "Share": fmt.percent(r.actual_share), "Band": band_text})
    out = pd.DataFrame(rows)
    out.attrs["numeric"] = ["Owner pay", "Pay planned", "Take-home", "Planned", "vs plan", "Share"]
    out.attrs["caption"] = "Take-home = owner pay + profit (collections − overhead − debt service); share of collections"
    return out


def _signed(x: float | None) -> str:
    if x is None or pd.isna(x):
        return fmt.DASH
    return ("+" if x >= 0 else "−") + fmt.money(abs(x))


def _sentences(n: pd.DataFrame, h: pd.DataFrame, kind: str, month: Period) -> list[str]:
    out = []
    over = n[n["ytd_diff"] > 0.5].sort_values("ytd_diff", ascending=False)
    if not over.empty:
        r = over.iloc[0]
        out.append(f"Furthest over its budget this year: {CATEGORY_LABELS[r.category].lower()}, "
                   f"{fmt.money(r.ytd_actual)} spent against {fmt.money(r.ytd_budget)} budgeted "
                   f"({fmt.money(r.ytd_diff)} over).")
    else:
        out.append("Every cost category is at or under its budget so far this year.")
    y = h[h["span"] == "ytd"].iloc[0]
    if y["diff"] is not None and not pd.isna(y["diff"]):
        side = "ahead of" if y["diff"] >= 0 else "behind"
        out.append(f"The doctor's take-home — owner pay plus what is left after overhead and debt service — is "
                   f"{fmt.money(y['actual_take_home'])} so far this year, {fmt.money(abs(y['diff']))} {side} the "
                   f"{fmt.money(y['plan_take_home'])} the plan expects by this month (the collection goal to date − "
                   "the overhead and debt-service budgets to date).")
    out.append(fmt.vocabulary("Monthly budgets: lab and clinical supplies follow the net production goal's months; "
                              "the other categories, owner pay and debt service are spread evenly over the year.", kind))
    return out
