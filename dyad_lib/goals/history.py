"""The goal engine's view of the past, read from a loaded practice (the thin adapter).

Every KPI comes from `dyad_lib.metrics` (one definition per number); only plain sums of raw
columns that are not metrics (expenses by category, chair hours, working days) are taken from the
tables here. The history stops at `as_of`: by default the last month of data before the fiscal
year being planned, so a plan made in December for next year only sees what was known then.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from dyad_lib.data.contract import EXPENSE_CATEGORIES, OVERHEAD_CATEGORIES
from dyad_lib.goals.inputs import History, default_inputs, fy_label
from dyad_lib.goals.plan import build_plan, plan_to_entry
from dyad_lib.metrics.periods import (
    Period,
    add_months,
    fiscal_year_of,
    fiscal_year_period,
    fiscal_year_start,
    month_start,
)

#: T12 metric ids the engine reads (defaults, checks, levers, KPI targets).
T12_IDS = ("collections", "gross_production", "net_production", "collection_ratio", "adjustments_rate",
           "overhead", "overhead_ratio", *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES),
           "chair_utilization", "production_per_chair_hour", "no_show_rate", "visits_completed",
           "case_acceptance_value", "treatment_presented_value", "unaccepted_treatment_value", "new_patients",
           "patient_retention", "pre_appointment_rate", "ar_days")
#: A last fiscal year that ended longer ago than this before `as_of` is stale: the T12 is the base.
STALE_MONTHS = 3


def load_practice_for_goals(practice_id: str, data_dir: str | os.PathLike | None = None,
                            cache_dir: str | os.PathLike | None = None):
    """The validated snapshot (goals are never planned on files validation has not passed)."""
    from dyad_lib.data.snapshot import load_snapshot

    return load_snapshot(practice_id, data_dir, cache_dir)


def last_data_month(practice) -> pd.Timestamp:
    fin = practice.tables["financials"]
    return month_start(fin.loc[fin["collections"].notna() | fin["gross_production"].notna(), "month"].max())


def default_as_of(practice, fiscal_year: str) -> pd.Timestamp:
    """The last month of data before the planned fiscal year starts."""
    fy = int(fy_label(fiscal_year)[2:])
    before = add_months(fiscal_year_start(fy, practice.config.fiscal_year_start_month), -1)
    return min(last_data_month(practice), before)


def _metric_values(practice, period: Period, ids) -> dict[str, float | None]:
    from dyad_lib.metrics.compute import compute_metrics

    vals = compute_metrics(practice, period, [i for i in ids if _known(i)])
    return {k: v.value for k, v in vals.items()}


def _known(metric_id: str) -> bool:
    from dyad_lib.metrics import registry

    try:
        registry.get(metric_id)
        return True
    except KeyError:
        return False


def _expenses_by_category(practice, period: Period) -> dict[str, float] | None:
    exp = practice.tables.get("expenses")
    if exp is None or exp.empty:
        return None
    rows = exp[period.month_mask(exp["month"])]
    if rows.empty:
        return None
    sums = rows.groupby("category")["amount"].sum()
    return {c: float(sums.get(c, 0.0)) for c in EXPENSE_CATEGORIES}


def _capacity_monthly(practice) -> pd.DataFrame | None:
    cap = practice.tables.get("capacity")
    if cap is None or cap.empty:
        return None
    return cap.groupby("month", as_index=False)[["chair_hours_available", "working_days"]].sum(min_count=1)


def _best_quarter(practice, as_of: pd.Timestamp) -> tuple[str | None, float | None]:
    """Highest net production per chair hour among the calendar quarters wholly within the two
    years ending at `as_of`."""
    from dyad_lib.metrics.compute import compute_metrics

    fysm = practice.config.fiscal_year_start_month
    first = add_months(as_of, -23)
    best: tuple[str | None, float | None] = (None, None)
    q = pd.Timestamp(year=first.year, month=3 * ((first.month - 1) // 3) + 1, day=1)
    if q < first:
        q = add_months(q, 3)
    while add_months(q, 2) <= as_of:
        p = Period("quarter", q, add_months(q, 2), fysm)
        v = compute_metrics(practice, p, ["production_per_chair_hour"])["production_per_chair_hour"].value
        if v is not None and (best[1] is None or v > best[1]):
            best = (p.label, float(v))
        q = add_months(q, 3)
    return best


def _new_patient_value(practice, as_of: pd.Timestamp) -> float | None:
    """Mean production of a new patient's completed visits in the 12 months from the first one, over
    patients first seen in the 12 months ending a year before `as_of` (so each has a full year;
    patients first seen in the data's first 12 months are left out: they may not be new)."""
    ap = practice.tables.get("appointments")
    if ap is None or ap.empty or ap["production"].isna().all():
        return None
    done = ap[(ap["status"] == "completed") & (ap["date"] < add_months(as_of, 1))]
    if done.empty:
        return None
    first = done.groupby("patient_id")["date"].min()
    lo = max(add_months(as_of, -23), add_months(month_start(done["date"].min()), 12))
    hi = add_months(as_of, -11)  # exclusive: first visits up to as_of − 12 months
    cohort = first[(first >= lo) & (first < hi)]
    if len(cohort) < 5:
        return None
    d = done[done["patient_id"].isin(cohort.index)].copy()
    d["first"] = d["patient_id"].map(cohort)
    d = d[d["date"] < d["first"] + pd.DateOffset(years=1)]
    return float(d["production"].fillna(0).sum() / len(cohort))


def history_from_practice(practice, fiscal_year: str, as_of: Any = None) -> History:
    """The History the engine needs to plan `fiscal_year` (see the module docstring)."""
    fysm = practice.config.fiscal_year_start_month
    as_of_ts = default_as_of(practice, fiscal_year)
    if as_of is not None:  # never past the data: a T12 with empty months would understate everything
        as_of_ts = min(month_start(as_of), last_data_month(practice))
    t12 = Period("t12", add_months(as_of_ts, -11), as_of_ts, fysm)
    values = _metric_values(practice, t12, T12_IDS)
    notes: list[str] = []
    cap = _capacity_monthly(practice)
    if cap is not None:
        hours = cap.loc[t12.month_mask(cap["month"]), "chair_hours_available"]
        values["chair_hours_available"] = float(hours.sum()) if hours.notna().any() else None
    # the expense base: the last full fiscal year, or the T12 when that year is stale
    last_fy = fiscal_year_of(as_of_ts, fysm)
    if fiscal_year_period(last_fy, fysm).end != as_of_ts:
        last_fy -= 1
    fy_p = fiscal_year_period(last_fy, fysm)
    base, base_label, base_period = None, None, None
    months_since = (as_of_ts.year - fy_p.end.year) * 12 + as_of_ts.month - fy_p.end.month
    if months_since <= STALE_MONTHS:
        base, base_label, base_period = _expenses_by_category(practice, fy_p), f"FY{last_fy}", fy_p
        exp = practice.tables.get("expenses")
        if base is not None and exp is not None and exp[fy_p.month_mask(exp["month"])]["month"].nunique() < 12:
            base = None
    if base is None:
        base, base_label, base_period = _expenses_by_category(practice, t12), t12.label, t12
        if base is not None:
            notes.append(f"expense base: {t12.label} (the last full fiscal year, FY{last_fy}, ended "
                         f"{months_since} months before the history stops)")
    prior, prior_label, base_collections = {}, None, None
    if base is None:
        base = {}
        notes.append("no expenses on record: enter the overhead budget, owner compensation and debt service")
    else:
        before = Period("t12", add_months(base_period.start, -12), add_months(base_period.start, -1), fysm)
        exp = practice.tables.get("expenses")
        if exp is not None and exp[before.month_mask(exp["month"])]["month"].nunique() == 12:
            prior = _expenses_by_category(practice, before) or {}
            prior_label = f"FY{last_fy - 1}" if base_period.kind == "fiscal_year" else before.label
        base_collections = _metric_values(practice, base_period, ["collections"]).get("collections")
    fin_months = monthly_history(practice, as_of_ts)
    best_label, best = _best_quarter(practice, as_of_ts)
    wd_hist: dict[pd.Timestamp, float] = {}
    if cap is not None:
        for m, d in zip(cap["month"], cap["working_days"]):
            if pd.notna(d) and m <= as_of_ts:
                wd_hist[pd.Timestamp(m)] = float(d)
    return History(fy_start_month=fysm, kind=practice.kind, as_of=as_of_ts.strftime("%Y-%m"),
                   t12_label=t12.label, t12=values, expense_base_label=base_label, expense_base=base,
                   expense_prior_label=prior_label, expense_prior=prior, base_collections=base_collections,
                   best_quarter_label=best_label, best_quarter_per_hour=best,
                   new_patient_annual_value=_new_patient_value(practice, as_of_ts), monthly=fin_months,
                   doctors=_doctors(practice, t12),
                   working_days_history=wd_hist, notes=notes, absent=_absent(practice, T12_IDS))


def _absent(practice, ids) -> dict[str, str]:
    """The metrics whose table the practice does not deliver (a medical practice without care
    plans): no target is set for them, rather than one that reads "not computable"."""
    from dyad_lib.metrics.compute import absent_table

    absent = {mid: absent_table(practice, mid) for mid in ids if _known(mid)}
    return {mid: table for mid, table in absent.items() if table}


def _doctors(practice, period) -> float | None:
    """The practice's dentists or physicians over the period (for a band per provider)."""
    from dyad_lib.metrics.benchmarks import doctor_fte

    return doctor_fte(practice, period)


def monthly_history(practice, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per month up to `as_of`: production, collections (from dyad_lib.metrics), chair hours
    and working days (capacity)."""
    from dyad_lib.metrics.compute import monthly_series

    fin = practice.tables["financials"]
    start = month_start(fin["month"].min())
    df = monthly_series(practice, ["gross_production", "net_production", "collections", "overhead"],
                        start, as_of).reset_index()
    cap = _capacity_monthly(practice)
    if cap is not None:
        df = df.merge(cap, on="month", how="left")
    else:
        df["chair_hours_available"] = float("nan")
        df["working_days"] = float("nan")
    return df


def expenses_table(practice, periods: Mapping[str, Period]) -> pd.DataFrame:
    """Expenses by category (rows) for each named period (columns), for the history section."""
    cols = {}
    for name, p in periods.items():
        cols[name] = _expenses_by_category(practice, p) or {c: float("nan") for c in EXPENSE_CATEGORIES}
    return pd.DataFrame(cols).reindex(EXPENSE_CATEGORIES)


def last_full_fiscal_year(as_of: pd.Timestamp, fy_start_month: int) -> Period:
    """The last fiscal year that ended on or before `as_of`."""
    fy = fiscal_year_of(as_of, fy_start_month)
    if fiscal_year_period(fy, fy_start_month).end != month_start(as_of):
        fy -= 1
    return fiscal_year_period(fy, fy_start_month)


SUMMARY_IDS = ("gross_production", "adjustments_rate", "net_production", "collections", "collection_ratio",
               "overhead", "overhead_ratio", "operating_margin", "production_per_chair_hour", "chair_utilization")


def history_summary(practice, history: History) -> pd.DataFrame:
    """The main financial metrics for the last full fiscal year and the T12 the plan starts from:
    one row per metric (id, label, unit) with one column per period (from dyad_lib.metrics)."""
    from dyad_lib.metrics import registry

    as_of = pd.Timestamp(history.as_of + "-01")
    fysm = practice.config.fiscal_year_start_month
    periods = {last_full_fiscal_year(as_of, fysm).label: last_full_fiscal_year(as_of, fysm),
               history.t12_label: Period("t12", add_months(as_of, -11), as_of, fysm)}
    rows = []
    cols = {name: _metric_values(practice, p, SUMMARY_IDS) for name, p in periods.items()}
    for mid in SUMMARY_IDS:
        d = registry.get(mid)
        rows.append({"id": mid, "label": d.label(practice.kind), "unit": d.unit,
                     **{name: vals.get(mid) for name, vals in cols.items()}})
    return pd.DataFrame(rows)


def history_periods(practice, history: History) -> dict[str, Period]:
    """{label: Period} of the last full fiscal year and the T12 (for expenses_table)."""
    as_of = pd.Timestamp(history.as_of + "-01")
    fysm = practice.config.fiscal_year_start_month
    fy = last_full_fiscal_year(as_of, fysm)
    return {fy.label: fy, history.t12_label: Period("t12", add_months(as_of, -11), as_of, fysm)}


def plan_for_practice(practice, fiscal_year: str, overrides: Mapping[str, Any] | None = None,
                      as_of: Any = None):
    """History → inputs (overrides, else defaults) → the whole GoalPlan."""
    history = history_from_practice(practice, fiscal_year, as_of)
    inputs = default_inputs(fiscal_year, history, overrides)
    return build_plan(inputs, history)


#: When each demo practice's partners agreed their FY2026 goals (reports.md §4; issue 5).
DEMO_AGREED_ON = {1: "2025-12-16", 7: "2025-06-17"}


def demo_goals(practice, fiscal_year: str = "FY2026") -> dict[str, dict[str, Any]]:
    """The goals.yaml content the demo generator writes: `fiscal_year` planned on the history up to
    two months before it starts (a December / June planning session), agreed by both partners.
    Deterministic, so the committed demo goals.yaml is reproducible."""
    fy = fy_label(fiscal_year)
    fysm = practice.config.fiscal_year_start_month
    start = fiscal_year_start(int(fy[2:]), fysm)
    as_of = add_months(start, -2)
    base = DEMO_AGREED_ON.get(fysm)  # the FY2026 session; later years meet on the same day a year on
    agreed = ((pd.Timestamp(base) + pd.DateOffset(years=int(fy[2:]) - 2026)).strftime("%Y-%m-%d") if base
              else (add_months(start, -1) + pd.Timedelta(days=15)).strftime("%Y-%m-%d"))
    plan = plan_for_practice(practice, fy, {"overhead_change_pct": 3}, as_of=as_of)
    names = [n for n in (practice.config.clinical_lead, practice.config.business_lead) if n]
    return {fy: plan_to_entry(plan, names, agreed)}


def write_demo_goals(practice_id: str, data_dir: str | os.PathLike | None = None,
                     fiscal_years: tuple[str, ...] = ("FY2026",)) -> Path:
    """Write the demo goals.yaml of a freshly generated demo practice (raw files, no snapshot):
    the hook for `dyad_lib.demo.practices.write_demo`, called after a practice folder is swapped in."""
    from dyad_lib.goals.store import dump_goals, goals_path, read_goals_file
    from dyad_lib.data.load import load_practice
    from dyad_lib.data.paths import atomic_write_text

    practice = load_practice(practice_id, data_dir)
    path = goals_path(practice_id, data_dir)
    entries: dict[str, dict[str, Any]] = {}
    for fy in fiscal_years:
        entries.update(demo_goals(practice, fy))
    # One write of a fresh file: no dated backups inside a demo folder being built.
    atomic_write_text(path, dump_goals(entries))
    read_goals_file(path)  # the written file passes the same checks as any goals.yaml
    return path
