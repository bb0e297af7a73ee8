"""Financial metrics on the small dental fixture (tests/metrics_fixtures.py), computed by hand."""

from __future__ import annotations

import pytest

from dyad_lib.metrics.compute import compute_metrics
from dyad_lib.metrics.periods import parse_period
from metrics_fixtures import dental, write_practice

Q2 = parse_period("2026Q2")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return dental(tmp_path_factory.mktemp("fin"))


def v(practice, metric_id, period=Q2):
    return compute_metrics(practice, period, [metric_id])[metric_id]


def test_production_and_collections_are_sums_of_the_quarter(practice):
    # 2026Q2 = 2026-04, -05, -06
    assert v(practice, "gross_production").value == 9000 + 10000 + 8000
    assert v(practice, "net_production").value == (9000 - 0) + (10000 - 500) + (8000 - 400)  # 26100
    assert v(practice, "collections").value == 9100 + 9000 + 8200  # 26300
    assert v(practice, "adjustments_rate").value == pytest.approx((0 + 500 + 400) / 27000)
    assert v(practice, "collection_ratio").value == pytest.approx(26300 / 26100)
    assert v(practice, "gross_production").unit == "money"
    assert v(practice, "collection_ratio").unit == "ratio"


def test_ratio_of_sums_not_mean_of_ratios(practice):
    mean_of_months = (9100 / 9000 + 9000 / 9500 + 8200 / 7600) / 3
    assert v(practice, "collection_ratio").value != pytest.approx(mean_of_months)


def test_overhead_excludes_owner_pay_and_debt_service(practice):
    # per month: staff 2000 + lab 500 + facility 700 = 3200 (owner 3000 and debt 400 excluded)
    assert v(practice, "overhead").value == 3 * 3200
    # 2026Q1 also has marketing 300 in February
    assert v(practice, "overhead", parse_period("2026Q1")).value == 3 * 3200 + 300
    assert v(practice, "overhead_ratio").value == pytest.approx(9600 / 26300)
    assert v(practice, "operating_margin").value == pytest.approx((26300 - 9600) / 26300)


def test_overhead_ratio_per_category(practice):
    assert v(practice, "overhead_ratio_staff_wages").value == pytest.approx(6000 / 26300)
    assert v(practice, "overhead_ratio_lab").value == pytest.approx(1500 / 26300)
    assert v(practice, "overhead_ratio_facility").value == pytest.approx(2100 / 26300)
    # a category with no rows in a month with expense rows spends nothing: 0, not missing
    assert v(practice, "overhead_ratio_marketing").value == 0.0
    q1 = parse_period("2026Q1")
    assert v(practice, "overhead_ratio_marketing", q1).value == pytest.approx(300 / (9500 + 11000 + 11500))
    for c in ("payroll_taxes_benefits", "clinical_supplies", "equipment", "office_admin", "other_overhead"):
        assert v(practice, f"overhead_ratio_{c}").value == 0.0


def test_ar_takes_the_last_month(practice):
    # ar_balance of 2026-06 = 9000; net production 2026-04..06 = 9000 + 9500 + 7600 = 26100 over
    # 30 + 31 + 30 = 91 calendar days
    assert v(practice, "ar_balance").value == 9000
    assert v(practice, "ar_days").value == pytest.approx(9000 / (26100 / 91))
    # 2026-05: 9500 ÷ ((9100 + 9000 + 9500) ÷ (31 + 30 + 31))   [net 2026-03 = 11000 − 100 = 10900]
    may = parse_period("2026-05")
    assert v(practice, "ar_days", may).value == pytest.approx(9500 / ((10900 + 9000 + 9500) / (31 + 30 + 31)))
    # ar_over_90 of 2026-05 = 900 of 9500; of 2026-06 it is blank
    assert v(practice, "ar_over_90_share", may).value == pytest.approx(900 / 9500)
    assert v(practice, "ar_over_90_share", parse_period("2026Q1")).value == pytest.approx(1000 / 11000)
    miss = v(practice, "ar_over_90_share")
    assert miss.value is None and "ar_over_90" in miss.reason and "2026-06" in miss.reason


def test_ar_days_needs_three_months(practice):
    for p in ("2026-01", "2026-02"):
        m = v(practice, "ar_days", parse_period(p))
        assert m.value is None and "3 months" in m.reason
    assert v(practice, "ar_days", parse_period("2026-03")).value == pytest.approx(
        11000 / ((9800 + 11700 + 10900) / (31 + 28 + 31)))


def test_zero_denominators_are_missing_not_zero(tmp_path):
    fin = ("month,gross_production,adjustments,collections,ar_balance,ar_over_90\n"
           "2026-01,0,0,0,0,0\n2026-02,100,0,50,0,0\n")
    p = write_practice(tmp_path, {"financials": fin, "expenses": "month,category,amount\n2026-01,lab,10\n"})
    jan = parse_period("2026-01")
    got = compute_metrics(p, jan)
    assert got["gross_production"].value == 0.0  # a real zero: the month has a row
    for mid in ("adjustments_rate", "collection_ratio", "overhead_ratio", "overhead_ratio_lab", "operating_margin"):
        assert got[mid].value is None, mid
        assert got[mid].reason and "2026-01" in got[mid].reason
    assert got["ar_over_90_share"].value is None and "zero" in got["ar_over_90_share"].reason


def test_absent_table_and_missing_months(tmp_path):
    p = dental(tmp_path, expenses=None)
    m = v(p, "overhead_ratio")
    assert m.value is None and m.reason.startswith("no expenses table")
    gap = ("month,category,amount\n2026-04,lab,10\n2026-06,lab,10\n")
    p = dental(tmp_path, expenses=gap)
    m = v(p, "overhead")
    assert m.value is None and m.reason == "no expenses rows for 2026-05"


def test_period_outside_the_data_is_missing(practice):
    for text in ("2026Q3", "FY2026", "2025-12"):
        m = v(practice, "gross_production", parse_period(text))
        assert m.value is None and "the data cover 2026-01 … 2026-06" in m.reason


def test_financials_per_provider_are_summed(tmp_path):
    fin = ("month,provider_id,gross_production,adjustments,collections,ar_balance,ar_over_90\n"
           "2026-01,d1,1000,100,800,500,50\n2026-01,d2,3000,0,3100,1500,\n"
           "2026-02,d1,2000,0,1900,400,40\n2026-02,d2,1000,50,900,600,60\n"
           "2026-03,d1,1000,0,1000,300,30\n2026-03,d2,1000,0,1000,700,70\n")
    p = write_practice(tmp_path, {"financials": fin})
    q1 = parse_period("2026Q1")
    got = compute_metrics(p, q1)
    assert got["gross_production"].value == 1000 + 3000 + 2000 + 1000 + 1000 + 1000  # 9000
    assert got["collection_ratio"].value == pytest.approx((800 + 3100 + 1900 + 900 + 1000 + 1000) / (9000 - 150))
    assert got["ar_balance"].value == 300 + 700
    assert got["ar_over_90_share"].value == pytest.approx((30 + 70) / 1000)
    # 2026-01: d2's ar_over_90 is blank, so the practice total is not known
    jan = compute_metrics(p, parse_period("2026-01"), ["ar_over_90_share", "ar_balance"])
    assert jan["ar_over_90_share"].value is None
    assert jan["ar_balance"].value == 2000


def test_fiscal_year_starting_in_july(tmp_path):
    # FY2026 with start month 7 = 2025-07 … 2026-06; gross = 100 × month number in the FY (1..12)
    months = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]
    fin = "month,gross_production,adjustments,collections\n" + "".join(
        f"{m},{100 * (i + 1)},0,{100 * (i + 1)}\n" for i, m in enumerate(months))
    p = write_practice(tmp_path, {"financials": fin}, fy=7)
    fy = parse_period("FY2026", 7)
    assert fy.month_labels[0] == "2025-07" and fy.month_labels[-1] == "2026-06"
    assert compute_metrics(p, fy, ["gross_production"])["gross_production"].value == sum(100 * k for k in range(1, 13))
    # YTD to 2026-09 of FY2027 = 2026-07..09 = months 13..15 of the data
    ytd = parse_period("2026-09", 7, view="ytd")
    assert compute_metrics(p, ytd, ["gross_production"])["gross_production"].value == 1300 + 1400 + 1500
    # FY2027 runs to 2027-06: beyond the data
    assert compute_metrics(p, parse_period("FY2027", 7), ["gross_production"])["gross_production"].value is None


def test_quarter_straddling_a_fiscal_year_boundary(tmp_path):
    # fiscal year starting in February: 2026Q1 holds 2026-01 (FY2026) and 2026-02, 2026-03 (FY2027);
    # a quarter is calendar months regardless of the fiscal year.
    fin = ("month,gross_production,adjustments,collections\n"
           "2026-01,1000,10,900\n2026-02,2000,20,2100\n2026-03,3000,30,2900\n")
    p = write_practice(tmp_path, {"financials": fin}, fy=2)
    q = parse_period("2026Q1", 2)
    got = compute_metrics(p, q, ["gross_production", "collection_ratio"])
    assert got["gross_production"].value == 6000
    assert got["collection_ratio"].value == pytest.approx((900 + 2100 + 2900) / (6000 - 60))

