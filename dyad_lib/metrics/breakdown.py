"""Per-provider, per-visit-type and per-expense-category views of a period.

A provider (or visit type) with nothing in the period shows missing values, never zeros: "no
visits" and "zero visits" read differently to a practice. Providers are every id seen anywhere in
the data (financials, appointments, treatment plans), so one absent this period still gets a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dyad_lib.data.contract import EXPENSE_CATEGORIES, OVERHEAD_CATEGORIES, VISIT_TYPES
from dyad_lib.metrics.memo import PracticeMemo
from dyad_lib.metrics.registry import get

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice
    from dyad_lib.metrics.periods import Period

BY = ("provider", "visit_type", "category")
PROVIDER_COLUMNS = ["provider_id", "name", "role", "production", "production_source", "visits_completed",
                    "chair_hours", "production_per_hour", "no_shows", "no_show_rate", "plans_presented",
                    "case_acceptance_count", "case_acceptance_value", "note"]
#: Dentists (or physicians) first, then hygienists and the others: the report keeps them apart.
ROLE_ORDER = {"dentist": 0, "physician": 0, "nurse_practitioner": 1, "physician_assistant": 1, "hygienist": 2,
              "other": 3}
VISIT_TYPE_COLUMNS = ["visit_type", "visits_completed", "no_show_rate", "production", "chair_minutes_share", "note"]
CATEGORY_COLUMNS = ["category", "label", "overhead", "amount", "share_of_collections", "band_low", "band_high",
                    "band_source", "band_applies_to", "band_tier", "position", "where", "note"]


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype("float64"), b.astype("float64")
    return (a / b.where(b != 0)).astype("float64")


def _appointments_in(practice: "Practice", period: "Period") -> pd.DataFrame | None:
    a = practice.tables.get("appointments")
    return None if a is None else a[period.date_mask(a["date"])]


def by_provider(practice: "Practice", period: "Period") -> pd.DataFrame:
    t = practice.tables
    ids: set[str] = set()
    for name in ("financials", "appointments", "treatment_plans"):
        if name in t and "provider_id" in t[name]:
            ids |= set(t[name]["provider_id"].dropna().astype(str))
    out = pd.DataFrame({"provider_id": sorted(ids)}).set_index("provider_id")
    named = t.get("providers")
    if named is not None and len(named):
        pv = named.dropna(subset=["provider_id"]).drop_duplicates("provider_id").set_index("provider_id")
        out["name"] = pv["name"].reindex(out.index)
        out["role"] = pv["role"].reindex(out.index)
    else:
        out["name"], out["role"] = None, None
    out["name"] = out["name"].where(out["name"].notna(), pd.Series(out.index, index=out.index))
    notes = pd.Series("", index=out.index, dtype=object)
    a = _appointments_in(practice, period)
    fin = t.get("financials")
    per_provider_fin = fin is not None and fin["provider_id"].notna().any()
    if a is not None:
        done = a[a["status"] == "completed"]
        g_all = a.groupby("provider_id")
        n_any = g_all.size().reindex(out.index)  # NaN = no appointment at all in the period
        completed = done.groupby("provider_id").size().reindex(out.index).fillna(0).where(n_any.notna())
        no_shows = (a["status"] == "no_show").groupby(a["provider_id"]).sum().reindex(out.index).where(n_any.notna())
        out["visits_completed"] = completed.astype("float64")
        hours = (done.groupby("provider_id")["chair_minutes"].sum().astype("float64") / 60).reindex(out.index)
        out["chair_hours"] = hours.where(completed > 0)
        visit_prod = done.groupby("provider_id")["production"].sum(min_count=1).reindex(out.index)
        out["production_per_hour"] = _div(visit_prod, out["chair_hours"])
        out["no_shows"] = no_shows.astype("float64")
        out["no_show_rate"] = _div(no_shows, completed + no_shows)
        notes[n_any.isna()] = f"no appointments in {period.label}"
        if not per_provider_fin:
            prod = done.groupby("provider_id")["production"].sum(min_count=1).reindex(out.index)
            out["production"] = prod.where(completed > 0)
            out["production_source"] = "appointments"
    if per_provider_fin:
        f = fin[period.month_mask(fin["month"])]
        g = f.groupby("provider_id")
        out["production"] = (g["gross_production"].sum() - g["adjustments"].sum()).reindex(out.index)
        out["production_source"] = "financials (net production)"
    plans = t.get("treatment_plans")
    if plans is not None:
        p = plans[period.date_mask(plans["presented_date"])]
        g = p.groupby("provider_id")
        n = g.size().reindex(out.index)
        out["plans_presented"] = n.astype("float64")
        out["case_acceptance_count"] = _div((p["amount_accepted"] > 0).groupby(p["provider_id"]).sum()
                                            .reindex(out.index), n)
        out["case_acceptance_value"] = _div(g["amount_accepted"].sum().reindex(out.index),
                                            g["amount_presented"].sum().reindex(out.index))
    out["note"] = notes.str.strip("; ").replace("", None)
    order = out["role"].map(ROLE_ORDER).fillna(0)
    out = out.assign(_o=order.to_numpy()).sort_values(["_o", "name"], kind="stable").drop(columns="_o")
    return out.reset_index().reindex(columns=PROVIDER_COLUMNS)


def by_visit_type(practice: "Practice", period: "Period") -> pd.DataFrame:
    a = _appointments_in(practice, period)
    out = pd.DataFrame({"visit_type": list(VISIT_TYPES)}).set_index("visit_type")
    if a is None:
        out["note"] = "no appointments table"
        return out.reset_index().reindex(columns=VISIT_TYPE_COLUMNS)
    done = a[a["status"] == "completed"]
    n_any = a.groupby("visit_type").size().reindex(out.index)
    completed = done.groupby("visit_type").size().reindex(out.index).fillna(0).where(n_any.notna())
    no_shows = (a["status"] == "no_show").groupby(a["visit_type"]).sum().reindex(out.index).where(n_any.notna())
    out["visits_completed"] = completed.astype("float64")
    out["no_show_rate"] = _div(no_shows, completed + no_shows)
    out["production"] = done.groupby("visit_type")["production"].sum(min_count=1).reindex(out.index)
    minutes = done.groupby("visit_type")["chair_minutes"].sum().astype("float64").reindex(out.index)
    total = float(done["chair_minutes"].astype("float64").sum())
    out["chair_minutes_share"] = minutes / total if total else np.nan
    out["note"] = np.where(n_any.isna(), f"no appointments of this type in {period.label}", None)
    return out.reset_index().reindex(columns=VISIT_TYPE_COLUMNS)


def by_category(practice: "Practice", period: "Period") -> pd.DataFrame:
    from dyad_lib.metrics import benchmarks
    from dyad_lib.metrics.compute import compute_metrics

    ids = ["collections", *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES)]
    values = compute_metrics(practice, period, ids)
    e = practice.tables.get("expenses")
    rows = []
    for c in EXPENSE_CATEGORIES:
        overhead = c in OVERHEAD_CATEGORIES
        amount = None
        if e is not None:
            sel = e[(e["category"] == c) & period.month_mask(e["month"])]
            amount = float(sel["amount"].sum())
        row = {"category": c, "overhead": overhead, "amount": amount, "note": None}
        if overhead:
            d = get(f"overhead_ratio_{c}")
            mv = values[d.id]
            bands = benchmarks.for_period(practice, period, d)
            band = benchmarks.reference(bands)
            row.update(label=d.label(practice.kind), share_of_collections=mv.value,
                       band_low=band.low if band else None, band_high=band.high if band else None,
                       band_source=band.source_text if band else None,
                       position=benchmarks.position(mv.value, band),
                       where=benchmarks.where(mv.value, bands, d.better) if band else None,
                       band_applies_to=band.applies_to if band else None, band_tier=band.tier if band else None,
                       note=mv.reason)
            if mv.value is None:
                row["amount"] = None
        else:
            col = values["collections"]
            row.update(label=c.replace("_", " ").capitalize() + " (not overhead)",
                       share_of_collections=(amount / col.value if amount is not None and col.value else None))
        if e is None:
            row["note"] = "no expenses table"
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=CATEGORY_COLUMNS)


#: Breakdowns already computed, per practice object while its tables are the same objects: a report
#: asks for the same one several times (the provider table, its note and its chart).
_MEMO = PracticeMemo()


def breakdown(practice: "Practice", period: "Period", by: str = "provider") -> pd.DataFrame:
    """`by="provider"`: name and role (the providers table, else the id), production (financials
    if per provider, else completed appointments), chair hours and production per chair hour of
    completed visits, visits, no-shows, case acceptance — dentists first, then hygienists; `"visit_type"`: visits, no-show rate, production, share of
    chair time; `"category"`: every expense category's amount, share of collections and band.

    Each caller gets its own copy of a breakdown computed once per practice object, period and view."""
    build = {"provider": by_provider, "visit_type": by_visit_type, "category": by_category}.get(by)
    if build is None:
        raise ValueError(f"breakdown by '{by}': use one of {', '.join(BY)}")
    return _MEMO.get(practice, (period, by), lambda: build(practice, period)).copy()
