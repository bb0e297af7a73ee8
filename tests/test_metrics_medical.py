"""The medical practice's own measures on a small medical practice, every value worked out by hand.

The practice (2026-01 … 2026-03, active_patient_months = 1):

financials (two providers) — patient + insurance = collections on every row:
  2026-01  m1: collections 1000 = patient 200 + insurance 800;  m2: 500 = 100 + 400
  2026-02  m1: 900 = 300 + 600;                                 m2: 600 = 150 + 450
  2026-03  m1: 800 = 0 + 800 (insurance only)                   m2: 400, no split given
charges (visits billed):
  2026-01  c1 service 01-05 entered 01-07 (2 days), submitted 01-08, denied
           c2 service 01-20 entered 01-20 (0), submitted 01-21, not denied
           c3 service 01-28 entered 02-06 (9), submitted 02-07, not denied  (a January visit, a February claim)
  2026-02  c4 service 02-10 entered 02-11 (1), never billed to insurance (self-pay)
appointments (m1, m2 physicians; n1 a nurse practitioner):
  2026-01  m1 p1 01-05 completed; m1 p2 01-05 completed; m1 p3 01-06 completed; m2 p4 01-06 completed;
           n1 p5 01-07 completed; m2 p6 01-08 cancelled late; m1 p1 01-09 cancelled (not late);
           m2 p2 01-10 no_show
  2026-02  m1 p1 02-02 completed; m2 p7 02-03 completed (p7 new); n1 p8 02-03 completed (p8 new)
"""

from __future__ import annotations

import pandas as pd
import pytest

from dyad_lib.metrics.compute import compute_metrics, monthly_series
from dyad_lib.metrics.periods import parse_period

from metrics_fixtures import practice_from_frames

MEDICAL_IDS = ["charge_lag_days", "denial_rate", "collections_per_visit", "patient_collections_share",
               "visits_per_physician_day", "late_cancellation_rate", "new_patient_share"]


def _practice(**drop):
    fin = pd.DataFrame([
        ("2026-01", "m1", 3000, 500, 1000, 200, 800), ("2026-01", "m2", 2000, 300, 500, 100, 400),
        ("2026-02", "m1", 2500, 400, 900, 300, 600), ("2026-02", "m2", 2200, 200, 600, 150, 450),
        ("2026-03", "m1", 2400, 100, 800, 0, 800), ("2026-03", "m2", 1000, 0, 400, None, None)],
        columns=["month", "provider_id", "gross_production", "adjustments", "collections", "patient_collections",
                 "insurance_collections"])
    charges = pd.DataFrame([
        ("c1", "2026-01-05", "2026-01-07", "m1", 300, "2026-01-08", True),
        ("c2", "2026-01-20", "2026-01-20", "m1", 200, "2026-01-21", False),
        ("c3", "2026-01-28", "2026-02-06", "m2", 250, "2026-02-07", False),
        ("c4", "2026-02-10", "2026-02-11", "m2", 100, None, None)],
        columns=["charge_id", "service_date", "entry_date", "provider_id", "amount", "submitted_date", "denied"])
    appts = pd.DataFrame([
        ("a1", "2026-01-05", "m1", "p1", "completed", None), ("a2", "2026-01-05", "m1", "p2", "completed", None),
        ("a3", "2026-01-06", "m1", "p3", "completed", None), ("a4", "2026-01-06", "m2", "p4", "completed", None),
        ("a5", "2026-01-07", "n1", "p5", "completed", None), ("a6", "2026-01-08", "m2", "p6", "cancelled", True),
        ("a7", "2026-01-09", "m1", "p1", "cancelled", False), ("a8", "2026-01-10", "m2", "p2", "no_show", None),
        ("a9", "2026-02-02", "m1", "p1", "completed", None), ("a10", "2026-02-03", "m2", "p7", "completed", None),
        ("a11", "2026-02-03", "n1", "p8", "completed", None)],
        columns=["appointment_id", "date", "provider_id", "patient_id", "status", "late_cancellation"])
    appts = appts.assign(chair_minutes=20, visit_type="exam")
    providers = pd.DataFrame([("m1", "Dr. One", "physician"), ("m2", "Dr. Two", "physician"),
                              ("n1", "Nurse Three", "nurse_practitioner")], columns=["provider_id", "name", "role"])
    frames = {"financials": fin, "charges": charges, "appointments": appts, "providers": providers}
    for table, cols in drop.items():
        frames[table] = frames[table].drop(columns=cols) if cols else None
    return practice_from_frames({k: v for k, v in frames.items() if v is not None}, kind="medical", apm=1)


@pytest.fixture(scope="module")
def practice():
    return _practice()


def values(practice, period: str) -> dict:
    m = compute_metrics(practice, parse_period(period, 1), MEDICAL_IDS)
    return {k: (None if v.value is None else round(v.value, 6)) for k, v in m.items()}


def test_january(practice):
    v = values(practice, "2026-01")
    assert v["charge_lag_days"] == round((2 + 0 + 9) / 3, 6)               # by month of service
    assert v["denial_rate"] == 0.5                                          # c1 denied of c1, c2 (c3: February)
    assert v["collections_per_visit"] == 1500 / 5                           # five completed visits
    assert v["patient_collections_share"] == round(300 / 1500, 6)
    # physicians' visits: m1 01-05 ×2 and 01-06, m2 01-06 → 4 visits over 3 physician days (n1 is not a physician)
    assert v["visits_per_physician_day"] == round(4 / 3, 6)
    assert v["late_cancellation_rate"] == round(1 / (5 + 1 + 2), 6)        # completed 5, no-show 1, cancelled 2
    assert v["new_patient_share"] is None                                   # needs a month of history first


def test_february_and_the_quarter_are_ratios_of_sums(practice):
    v = values(practice, "2026-02")
    assert v["charge_lag_days"] == 1.0
    assert v["denial_rate"] == 0.0                                          # c3, submitted in February, not denied
    assert v["collections_per_visit"] == 1500 / 3
    assert v["patient_collections_share"] == round(450 / 1500, 6)
    assert v["visits_per_physician_day"] == 1.0                             # m1 02-02, m2 02-03
    assert v["late_cancellation_rate"] == 0.0                               # no cancellation: 0, not missing
    assert v["new_patient_share"] == round(2 / 3, 6)                        # p7, p8 new among p1, p7, p8
    q = compute_metrics(practice, parse_period("2026Q1", 1), MEDICAL_IDS)
    assert q["charge_lag_days"].value == pytest.approx((2 + 0 + 9 + 1) / 4)
    assert q["denial_rate"].value == pytest.approx(1 / 3)
    assert q["visits_per_physician_day"].value == pytest.approx((4 + 2) / (3 + 2))
    # March: m2's row gives no split → the quarter's payer mix is not computable
    assert q["patient_collections_share"].value is None
    assert "do not split every row's collections" in q["patient_collections_share"].reason


def test_the_monthly_series_agrees(practice):
    s = monthly_series(practice, MEDICAL_IDS, "2026-01", "2026-02")
    for month in ("2026-01", "2026-02"):
        one = values(practice, month)
        row = s.loc[pd.Timestamp(f"{month}-01")]
        for mid in MEDICAL_IDS:
            if mid == "new_patient_share":
                continue
            assert (one[mid] is None and pd.isna(row[mid])) or row[mid] == pytest.approx(one[mid]), (month, mid)


def test_missing_with_a_reason_when_the_delivery_does_not_record_it():
    p = _practice(charges=None, financials=["patient_collections", "insurance_collections"],
                  appointments=["late_cancellation"])
    m = compute_metrics(p, parse_period("2026-01", 1), MEDICAL_IDS)
    assert m["charge_lag_days"].value is None and "no charges table" in m["charge_lag_days"].reason
    assert m["denial_rate"].value is None
    assert m["patient_collections_share"].value is None
    assert m["late_cancellation_rate"].value is None and "late_cancellation" in m["late_cancellation_rate"].reason
    assert m["collections_per_visit"].value == 300.0


def test_not_measures_of_a_dental_practice():
    p = practice_from_frames({"financials": pd.DataFrame({"month": ["2026-01"], "gross_production": [1.0],
                                                          "adjustments": [0.0], "collections": [1.0]})})
    m = compute_metrics(p, parse_period("2026-01", 1), ["denial_rate"])
    assert m["denial_rate"].value is None and "not a measure for a dental practice" in m["denial_rate"].reason
