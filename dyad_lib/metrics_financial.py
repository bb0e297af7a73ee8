"""Financial metrics (metrics.md "Financial"): production, adjustments, collections, overhead, A/R.

Financial rows per provider are summed to practice totals per month first (metrics_base).
"""

from __future__ import annotations

import pandas as pd

from dyad_lib.contract import OVERHEAD_CATEGORIES
from dyad_lib.metrics_base import Components, Result, div, first_reason

IDS = ("gross_production", "adjustments_rate", "net_production", "collections", "collection_ratio",
       "overhead", "overhead_ratio", *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES),
       "operating_margin", "ar_days", "ar_over_90_share", "ar_balance")


def evaluate(rows: pd.DataFrame, comp: Components) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if "gross" not in rows:
        return out
    gross, adj, coll = rows["gross"], rows["adj"], rows["coll"]
    net = gross - adj
    out["gross_production"] = (gross.astype(float), "no financials")
    out["adjustments_rate"] = div(adj, gross, "no gross production in {period}")
    out["net_production"] = (net.astype(float), "no financials")
    out["collections"] = (coll.astype(float), "no financials")
    out["collection_ratio"] = div(coll, net, "no net production in {period}")
    if "overhead" in rows:
        ovh = rows["overhead"]
        out["overhead"] = (ovh.astype(float), "no expenses")
        no_coll = "no collections in {period}"
        out["overhead_ratio"] = div(ovh, coll, no_coll)
        for c in OVERHEAD_CATEGORIES:
            out[f"overhead_ratio_{c}"] = div(rows[f"exp_{c}"], coll, no_coll)
        out["operating_margin"] = div(coll - ovh, coll, no_coll)
    # A/R: balances of the period's last month
    ar, ar90 = rows["ar_balance"], rows["ar_over_90"]
    ar_gap = rows["ar_balance_gaps"].fillna(1) > 0
    ar90_gap = rows["ar_over_90_gaps"].fillna(1) > 0
    ar_ok = ar.notna() & ~ar_gap
    no_ar = "no ar_balance in the financials for {last}"
    out["ar_balance"] = (ar.where(ar_ok).astype(float), no_ar)
    daily = rows["net_3m"] / rows["days_3m"]
    ok = ar_ok & (rows["fin_months_3m"] >= 3) & daily.notna() & (daily > 0)
    out["ar_days"] = (
        (ar / daily).where(ok).astype(float),
        first_reason([(~ar_ok, no_ar),
                      (rows["fin_months_3m"] < 3, "needs financials for the 3 months ending {last}"),
                      (daily.isna() | (daily <= 0), "no net production in the 3 months ending {last}")],
                     rows.index),
    )
    ok90 = ar_ok & ar90.notna() & ~ar90_gap & (ar > 0)
    out["ar_over_90_share"] = (
        (ar90 / ar).where(ok90).astype(float),
        first_reason([(~ar_ok, no_ar), (ar90.isna() | ar90_gap, "no ar_over_90 in the financials for {last}"),
                      (ar <= 0, "the A/R balance for {last} is zero")], rows.index),
    )
    return out
