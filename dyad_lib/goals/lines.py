"""The agreed goals as later reports read them: the goal of a month, of the year to date, of a
fiscal year, a goal line for a chart, and the monthly pace still needed (from goals.yaml)."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from dyad_lib.goals.inputs import fy_label


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
