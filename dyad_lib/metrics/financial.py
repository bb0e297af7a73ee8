"""Financial metrics (metrics.md "Financial"): production, adjustments, collections, overhead, A/R.

Financial rows per provider are summed to practice totals per month first (dyad_lib.metrics.components).
"""

from __future__ import annotations

import numpy as np

from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.metrics.components import Cols, Components, Result, div, first_reason, where

IDS = ("gross_production", "adjustments_rate", "net_production", "collections", "collection_ratio",
       "overhead", "overhead_ratio", *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES),
       "operating_margin", "ar_days", "ar_over_90_share", "ar_balance")


def evaluate(rows: Cols, comp: Components) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if "gross" not in rows:
        return out
    gross, adj, coll = rows["gross"], rows["adj"], rows["coll"]
    n = len(gross)
    net = gross - adj
    out["gross_production"] = (gross, "no financials")
    out["adjustments_rate"] = div(adj, gross, "no gross production in {period}")
    out["net_production"] = (net, "no financials")
    out["collections"] = (coll, "no financials")
    out["collection_ratio"] = div(coll, net, "no net production in {period}")
    if "overhead" in rows:
        ovh = rows["overhead"]
        out["overhead"] = (ovh, "no expenses")
        no_coll = "no collections in {period}"
        out["overhead_ratio"] = div(ovh, coll, no_coll)
        for c in OVERHEAD_CATEGORIES:
            out[f"overhead_ratio_{c}"] = div(rows[f"exp_{c}"], coll, no_coll)
        out["operating_margin"] = div(coll - ovh, coll, no_coll)
    # A/R: balances of the period's last month
    ar, ar90 = rows["ar_balance"], rows["ar_over_90"]
    ar_ok = ~np.isnan(ar) & (np.nan_to_num(rows["ar_balance_gaps"], nan=1.0) == 0)
    ar90_ok = ~np.isnan(ar90) & (np.nan_to_num(rows["ar_over_90_gaps"], nan=1.0) == 0)
    no_ar = "no ar_balance in the financials for {last}"
    out["ar_balance"] = (where(ar_ok, ar), no_ar)
    three = np.nan_to_num(rows["fin_months_3m"]) >= 3
    with np.errstate(all="ignore"):
        daily = rows["net_3m"] / rows["days_3m"]
        days = ar / daily
        share = ar90 / ar
    has_daily = np.isfinite(daily) & (daily > 0)
    out["ar_days"] = (where(ar_ok & three & has_daily, days), first_reason(
        [(~ar_ok, no_ar), (~three, "needs financials for the 3 months ending {last}"),
         (~has_daily, "no net production in the 3 months ending {last}")], n))
    pos = ar_ok & (np.nan_to_num(ar) > 0)
    out["ar_over_90_share"] = (where(pos & ar90_ok, share), first_reason(
        [(~ar_ok, no_ar), (~ar90_ok, "no ar_over_90 in the financials for {last}"),
         (~pos, "the A/R balance for {last} is zero")], n))
    return out
