"""Monthly phasing of an annual goal: by planned working days and the practice's own seasonality.

A goal split ÷ 12 punishes the team in short months and flatters it in long ones (domain-research
§3.6). Here each month's weight is its planned working days × the practice's seasonal index for
that calendar month (production per working day in that month relative to the year's average,
averaged over past full fiscal years). A month with no working days gets nothing. Collections
follow the same weights shifted by the practice's measured collection lag (`goals.lag`). The
months are rounded to the cent with the largest-remainder method on exact whole-number weights,
so they add up to the annual goal exactly — here and in the report page, which gets the weights.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from dyad_lib.goals.formulas import allocate, cents_round, to_cents
from dyad_lib.goals.lag import Lag, lagged_weights
from dyad_lib.metrics.periods import add_months, fiscal_year_of


def exact_weights(weights: Sequence[float]) -> list[int]:
    """Whole-number weights in exactly the proportions of the float weights (each float is n/2^k:
    all are brought to the largest 2^k). The page allocates with these (as BigInt), so its cents
    are the ones computed here."""
    fr = []
    for w in weights:
        x = float(w)
        if not np.isfinite(x) or x < 0:
            raise ValueError("phasing weights must be finite and not negative")
        fr.append(Fraction(x))
    den = max((f.denominator for f in fr), default=1)
    return [f.numerator * (den // f.denominator) for f in fr]


def allocate_cents(total: float, weights: Sequence[float]) -> list[float]:
    """Split `total` (rounded to the cent) in proportion to `weights`, each part a whole number of
    cents, the parts summing exactly to the total (largest remainder; ties go to the earlier item).
    Items with weight 0 get 0. Raises ValueError when no weight is positive or one is negative."""
    return [c / 100 for c in allocate(to_cents(cents_round(float(total))), exact_weights(weights))]


def business_days(month: pd.Timestamp) -> int:
    """Monday–Friday days in a month: the stand-in when capacity has no working_days."""
    start = pd.Timestamp(month).to_period("M").to_timestamp()
    end = add_months(start, 1)
    return int(np.busday_count(start.date(), end.date()))


def full_fiscal_years(months: Iterable[pd.Timestamp], fy_start_month: int,
                      through: pd.Timestamp | None = None) -> list[int]:
    """Fiscal years whose twelve months are all present (and end on or before `through`)."""
    have = {pd.Timestamp(m) for m in months}
    if through is not None:
        have = {m for m in have if m <= pd.Timestamp(through)}
    out = []
    for fy in sorted({fiscal_year_of(m, fy_start_month) for m in have}):
        from dyad_lib.metrics.periods import fiscal_year_period

        if all(m in have for m in fiscal_year_period(fy, fy_start_month).months):
            out.append(fy)
    return out


def seasonal_index(monthly: pd.DataFrame, fy_start_month: int, through: pd.Timestamp | None = None,
                   value: str = "net_production") -> tuple[pd.Series, str]:
    """Production per working day of each calendar month relative to its fiscal year's average,
    averaged over the past full fiscal years: a Series indexed 1..12 (1.0 = an average day).

    `monthly` has columns month, `value` and working_days (business days where missing). Returns
    the index and a sentence saying what it was computed from; with no full year, every month is 1.0
    and the sentence says so."""
    flat = pd.Series(1.0, index=range(1, 13))
    if monthly is None or monthly.empty or value not in monthly:
        return flat, "no production history: every month counts the same per working day"
    df = monthly[["month", value]].copy()
    df["working_days"] = monthly["working_days"] if "working_days" in monthly else np.nan
    df["working_days"] = df["working_days"].astype("float64")
    missing_wd = df["working_days"].isna()
    stand_in = pd.Series([float(business_days(m)) for m in df["month"]], index=df.index)
    df["working_days"] = df["working_days"].where(~missing_wd, stand_in)
    years = full_fiscal_years(df.loc[df[value].notna(), "month"], fy_start_month, through)
    if not years:
        return flat, "less than one full fiscal year of history: no seasonal pattern applied"
    df["fy"] = df["month"].map(lambda m: fiscal_year_of(m, fy_start_month))
    rows = []
    for fy in years:
        y = df[df["fy"] == fy]
        total_days = y["working_days"].sum()
        total = y[value].sum()
        if total_days <= 0 or total <= 0:
            continue
        avg = total / total_days
        open_ = y[y["working_days"] > 0]
        rows.append(pd.Series((open_[value] / open_["working_days"] / avg).values,
                              index=open_["month"].dt.month.values))
    if not rows:
        return flat, "no production in the full fiscal years: no seasonal pattern applied"
    idx = pd.concat(rows, axis=1).mean(axis=1).reindex(range(1, 13)).fillna(1.0)
    names = ", ".join(f"FY{y}" for y in years)
    basis = "capacity.working_days" if not missing_wd.all() else "Monday–Friday days"
    return idx, f"production per working day ({basis}) by calendar month, averaged over {names}"


def planned_working_days(months: Sequence[pd.Timestamp], history_days: Mapping[pd.Timestamp, float] | None,
                         overrides: Mapping[str, float] | None = None) -> tuple[pd.Series, str]:
    """Working days planned for each month: the override when given, else the same month one (or
    two) years earlier from capacity.working_days, else Monday–Friday days. Returns the Series
    (indexed by month) and the source in words."""
    hist = {pd.Timestamp(k): float(v) for k, v in (history_days or {}).items() if v is not None and not pd.isna(v)}
    overrides = {str(k): float(v) for k, v in (overrides or {}).items()}
    out, used = [], set()
    for m in months:
        label = m.strftime("%Y-%m")
        if label in overrides:
            out.append(overrides[label]); used.add("entered by the partners")
        elif add_months(m, -12) in hist:
            out.append(hist[add_months(m, -12)]); used.add("the same month last year (capacity.working_days)")
        elif add_months(m, -24) in hist:
            out.append(hist[add_months(m, -24)]); used.add("the same month two years earlier (capacity.working_days)")
        else:
            out.append(float(business_days(m))); used.add("Monday–Friday days (no working days on record)")
    return pd.Series(out, index=pd.DatetimeIndex(months), name="working_days"), "; ".join(sorted(used))


def phase(amounts: Mapping[str, float], months: Sequence[pd.Timestamp], working_days: pd.Series,
          index: pd.Series, lag: Lag | None = None) -> pd.DataFrame:
    """One row per month: working days, seasonal index, weight, share and, for each named annual
    amount (collections, net_production, …), its exact-cent monthly part. Production amounts
    follow working days × seasonality; `collections` follows them shifted by the collection `lag`
    (column collection_weight)."""
    wd = [float(working_days.get(m, 0.0)) for m in months]
    si = [float(index.get(m.month, 1.0)) for m in months]
    weights = [max(d, 0.0) * max(s, 0.0) for d, s in zip(wd, si)]
    coll_w = lagged_weights(weights, lag) if lag is not None else list(weights)
    total = sum(weights)
    df = pd.DataFrame({"month": pd.DatetimeIndex(months), "working_days": wd, "seasonal_index": si,
                       "weight": weights, "share": [w / total if total else 0.0 for w in weights],
                       "collection_weight": coll_w})
    for name, amount in amounts.items():
        df[name] = allocate_cents(amount, coll_w if name == "collections" else weights)
    return df
