"""Invariants of the metric library on random practices (hypothesis), and monthly_series equal to
compute_metrics month by month (on the hand-checked fixture and on random practices)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyad_lib.data.contract import EXPENSE_CATEGORIES, TEAM_ROLES, VISIT_TYPES
from dyad_lib.metrics.compute import compute_metrics, monthly_series, practice_metric_ids
from dyad_lib.metrics.periods import Period, add_months, month_period, parse_period
from dyad_lib.metrics.registry import PARTNERSHIP_IDS
from metrics_fixtures import dental, practice_from_frames

START = pd.Timestamp("2025-11-01")  # random practices start here (crossing a year boundary)
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Shares that must stay within [0, 1] whatever the data.
SHARES = ("adjustments_rate", "no_show_rate", "cancellation_rate", "pre_appointment_rate",
          "documentation_timeliness", "patient_retention", "case_acceptance_count", "case_acceptance_value",
          "burnout_rate", "ar_over_90_share", "quality_m1",
          *(f"burnout_rate_{r}" for r in TEAM_ROLES))


def _day(month: int, day: int) -> pd.Timestamp:
    return add_months(START, month) + pd.Timedelta(days=day)


@st.composite
def practices(draw, n_months=None):
    n = n_months or draw(st.integers(3, 7))
    money = st.integers(0, 5000)
    fin, exp, cap, q = [], [], [], []
    for i in range(n):
        m = add_months(START, i)
        gross = draw(money)
        ar = draw(st.integers(0, 9000))
        fin.append({"month": m, "gross_production": gross, "adjustments": draw(st.integers(0, gross)),
                    "collections": draw(money), "ar_balance": ar, "ar_over_90": draw(st.integers(0, ar))})
        exp.append({"month": m, "category": "lab", "amount": draw(st.integers(0, 2000))})
        for c in draw(st.sets(st.sampled_from(EXPENSE_CATEGORIES), max_size=3)):
            exp.append({"month": m, "category": c, "amount": draw(st.integers(0, 2000))})
        cap.append({"month": m, "chair_hours_available": draw(st.integers(1, 200))})
        den = draw(st.integers(0, 10))
        q.append({"month": m, "measure_id": "m1", "measure_name": "M1", "numerator": draw(st.integers(0, den)),
                  "denominator": den})
    appt = []
    for k in range(draw(st.integers(0, 40))):
        date = _day(draw(st.integers(0, n - 1)), draw(st.integers(0, 27)))
        doc = draw(st.sampled_from([None, 0, 1, 2, 5]))
        appt.append({"appointment_id": f"a{k}", "date": date, "provider_id": draw(st.sampled_from(["d1", "d2", "h1"])),
                     "patient_id": f"p{draw(st.integers(0, 9))}", "chair_minutes": draw(st.integers(5, 120)),
                     "status": draw(st.sampled_from(["completed", "completed", "no_show", "cancelled"])),
                     "visit_type": draw(st.sampled_from(VISIT_TYPES)),
                     "production": draw(st.integers(0, 900)),
                     "next_visit_booked": draw(st.sampled_from([True, False, None])),
                     "documented_date": None if doc is None else date + pd.Timedelta(days=doc)})
    plans = []
    for k in range(draw(st.integers(0, 10))):
        presented = draw(st.integers(1, 5000))
        plans.append({"plan_id": f"t{k}", "patient_id": "p1", "provider_id": "d1",
                      "presented_date": _day(draw(st.integers(0, n - 1)), draw(st.integers(0, 27))),
                      "amount_presented": presented,
                      "amount_accepted": draw(st.sampled_from([0, presented // 2, presented]))})
    ps = [{"response_date": _day(draw(st.integers(0, n - 1)), 3), "recommend_score": draw(st.integers(0, 10))}
          for _ in range(draw(st.integers(0, 12)))]
    ts = [{"response_date": _day(draw(st.integers(0, n - 1)), 5), "role": draw(st.sampled_from(TEAM_ROLES)),
           "satisfaction": draw(st.integers(1, 5)), "burnout": draw(st.integers(1, 5)),
           "recommend_workplace": draw(st.integers(0, 10))} for _ in range(draw(st.integers(0, 15)))]
    frames = {"financials": fin, "expenses": exp,
              "capacity": cap, "quality_measures": q}
    for name, rows in (("appointments", appt), ("treatment_plans", plans), ("patient_survey", ps),
                       ("team_survey", ts)):
        if rows:
            frames[name] = rows
    kind = draw(st.sampled_from(["dental", "medical"]))
    return practice_from_frames(frames, kind=kind, apm=draw(st.integers(1, 4))), n


def _non_partnership(p):
    return [i for i in practice_metric_ids(p) if i not in PARTNERSHIP_IDS]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


@SETTINGS
@given(practices(n_months=3))
def test_quarter_ratio_is_the_ratio_of_its_months_sums(pn):
    p, _ = pn
    q = Period("quarter", START, add_months(START, 2))
    months = [compute_metrics(p, month_period(add_months(START, i))) for i in range(3)]
    quarter = compute_metrics(p, q)

    def total(mid):
        return sum(m[mid].value for m in months)

    expected = {
        "collection_ratio": (total("collections"), total("net_production")),
        "adjustments_rate": (total("gross_production") - total("net_production"), total("gross_production")),
        "overhead_ratio": (total("overhead"), total("collections")),
    }
    for mid, (num, den) in expected.items():
        if den == 0:
            assert quarter[mid].value is None and quarter[mid].reason
        else:
            assert quarter[mid].value == pytest.approx(num / den, rel=1e-12), mid
    # visits: the quarter's count is the sum of its months' counts (months with none are missing)
    if p.has("appointments"):
        vc = [m["visits_completed"].value or 0 for m in months]
        assert (quarter["visits_completed"].value or 0) == sum(vc)


@SETTINGS
@given(practices(), st.sampled_from(["month", "quarter", "t12", "ytd"]))
def test_shares_within_0_1_and_nps_within_100(pn, shape):
    p, n = pn
    end = add_months(START, n - 1)
    period = {"month": month_period(end), "quarter": Period("quarter", add_months(end, -2), end),
              "t12": month_period(end).view("t12"), "ytd": month_period(end).view("ytd")}[shape]
    got = compute_metrics(p, period)
    for mid in SHARES:
        v = got[mid].value
        assert v is None or 0.0 <= v <= 1.0, (mid, v)
    for mid in ("patient_nps", "staff_enps"):
        v = got[mid].value
        assert v is None or -100.0 <= v <= 100.0, (mid, v)
    for mid, mv in got.items():
        assert (mv.value is None) == (mv.reason is not None), mid
        assert mv.value is None or math.isfinite(mv.value), mid


@SETTINGS
@given(practices())
def test_adding_a_month_never_changes_an_earlier_month(pn):
    p, n = pn
    # the same practice without its last month of data
    cut = add_months(START, n - 1)
    cols = {"financials": "month", "expenses": "month", "capacity": "month", "quality_measures": "month",
            "appointments": "date", "treatment_plans": "presented_date", "patient_survey": "response_date",
            "team_survey": "response_date"}
    frames = {k: df[df[cols[k]] < cut].drop(columns="_row") for k, df in p.tables.items()}
    frames = {k: v for k, v in frames.items() if len(v)}
    shorter = practice_from_frames(frames, kind=p.kind, apm=p.config.active_patient_months)
    ids = _non_partnership(p)
    for i in range(n - 1):
        per = month_period(add_months(START, i))
        a, b = compute_metrics(shorter, per, ids), compute_metrics(p, per, ids)
        for mid in ids:
            if mid in a:
                assert _same(a[mid].value, b[mid].value), (per.label, mid, a[mid], b[mid])


@SETTINGS
@given(practices())
def test_monthly_series_equals_compute_metrics_per_month(pn):
    p, n = pn
    ids = _non_partnership(p)
    end = add_months(START, n)  # one month beyond the data: all missing
    s = monthly_series(p, ids, add_months(START, -1), end)
    for m in s.index:
        got = compute_metrics(p, month_period(m), ids)
        for mid in ids:
            assert _same(s.loc[m, mid], got[mid].value), (m, mid, s.loc[m, mid], got[mid])


def test_monthly_series_on_the_fixture(tmp_path):
    p = dental(tmp_path)
    ids = practice_metric_ids(p)
    s = monthly_series(p, ids, "2025-12", "2026-07")
    assert list(s.index.strftime("%Y-%m")) == [f"2025-12"] + [f"2026-{m:02d}" for m in range(1, 8)]
    assert list(s.columns) == ids
    for m in s.index:
        got = compute_metrics(p, month_period(m), ids)
        for mid in ids:
            assert _same(s.loc[m, mid], got[mid].value), (m, mid)
    # spot checks by hand: gross production of 2026-02 and active patients of 2026-06
    assert s.loc["2026-02-01", "gross_production"] == 12000
    assert s.loc["2026-06-01", "active_patients"] == 4
    assert np.isnan(s.loc["2025-12-01", "gross_production"])  # before the data
    assert np.isnan(s.loc["2026-06-01", "chair_utilization"])  # no capacity row


def test_quarter_of_the_fixture_from_its_months(tmp_path):
    p = dental(tmp_path)
    q = parse_period("2026Q2")
    s = monthly_series(p, ["collections", "net_production"], "2026-04", "2026-06")
    assert compute_metrics(p, q, ["collection_ratio"])["collection_ratio"].value == pytest.approx(
        s["collections"].sum() / s["net_production"].sum())
