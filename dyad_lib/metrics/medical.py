"""The measures a physician practice is managed by (metrics.md "medical"): how fast visits are billed,
how often claims are denied, how much each visit brings in, who pays, how many visits a physician
day holds, and late cancellations. Ratios of the period's monthly sums, like every other family;
each is missing with a reason a person can act on when the delivery does not record what it needs.
"""

from __future__ import annotations

import numpy as np

from dyad_lib.metrics.components import Cols, Components, Result, div, first_reason, where

IDS = ("charge_lag_days", "denial_rate", "collections_per_visit", "patient_collections_share",
       "visits_per_physician_day", "late_cancellation_rate")


def evaluate(rows: Cols, comp: Components) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if "ch_n" in rows:
        out["charge_lag_days"] = div(rows["ch_lag"], rows["ch_n"], "no visits billed with a service date in {period}")
        n = len(rows["ch_n"])
        rate, _ = div(rows["cl_den"], rows["cl_sub"], "")
        out["denial_rate"] = (rate, first_reason([(rows["cl_sub"] == 0, "no claim submitted in {period} with its "
                                                   "denial recorded (charges.submitted_date and denied)")], n))
    if "appt_rows" in rows:
        n = len(rows["appt_rows"])
        if "coll" in rows:
            out["collections_per_visit"] = div(rows["coll"], rows["completed"], "no completed visits in {period}")
        out["visits_per_physician_day"] = div(rows["phys_visits"], rows["phys_days"],
                                              "no completed physician visits in {period}")
        known = rows["late_known"] > 0
        denom = rows["completed"] + rows["no_show"] + rows["cancelled"]
        rate, _ = div(rows["late_cx"], denom, "")
        out["late_cancellation_rate"] = (where(known, rate), first_reason(
            [(denom == 0, "no completed, no-show or cancelled appointments in {period}"),
             (~known, "the appointments do not say which cancellations were late (no late_cancellation column)")],
            n))
    if "gross" in rows:
        n = len(rows["gross"])
        if "pat_coll" in rows:
            full = (rows["split_rows"] == rows["fin_rows"]) & (rows["fin_rows"] > 0)
            paid = rows["pat_coll"] + rows["ins_coll"]
            share, _ = div(rows["pat_coll"], paid, "")
            out["patient_collections_share"] = (where(full, share), first_reason(
                [(~full, "the financials of {period} do not split every row's collections into patient and "
                         "insurance payments"), (np.nan_to_num(paid) == 0, "no collections in {period}")], n))
        else:
            out["patient_collections_share"] = (np.full(n, np.nan), "the financials have no patient_collections "
                                                                    "and insurance_collections")
    return out
