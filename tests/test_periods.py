"""Periods: months, calendar quarters, fiscal years (named for the year they end in), ytd / t12."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyad_lib.metrics.periods import (
    ACCEPTED_FORMS,
    PeriodError,
    add_months,
    fiscal_year_of,
    fiscal_year_period,
    month_period,
    month_range,
    parse_period,
)


def labels(p):
    return p.month_labels


def test_month():
    p = parse_period("2025-03")
    assert (p.kind, p.label, p.slug, labels(p)) == ("month", "2025-03", "2025-03", ["2025-03"])
    assert p.first_day == pd.Timestamp("2025-03-01") and p.last_day == pd.Timestamp("2025-03-31")
    assert p.days == 31
    assert p.description == "March 2025"
    assert parse_period("2025-3").label == "2025-03"
    assert p.previous().label == "2025-02" and p.year_earlier().label == "2024-03"
    assert parse_period("2025-01").previous().label == "2024-12"


def test_quarter():
    p = parse_period("2025Q3")
    assert labels(p) == ["2025-07", "2025-08", "2025-09"]
    assert p.days == 31 + 31 + 30
    assert p.previous().label == "2025Q2" and p.year_earlier().label == "2024Q3"
    assert parse_period("2025Q1").previous().label == "2024Q4"
    for text in ("2025q3", "2025-Q3", " 2025 Q3 "):
        assert parse_period(text) == p


def test_fiscal_year_calendar():
    p = parse_period("FY2025")
    assert labels(p)[0] == "2025-01" and labels(p)[-1] == "2025-12" and p.n_months == 12
    assert p.previous().label == "FY2024" and p.year_earlier().label == "FY2024"


def test_fiscal_year_starting_in_july():
    # FY2026 with start month 7 = 2025-07 … 2026-06 (named for the year it ends in)
    p = parse_period("FY2026", 7)
    assert labels(p) == [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    assert p.label == "FY2026" and p.description == "FY2026: July 2025 – June 2026"
    assert p.previous().label == "FY2025" and labels(p.previous())[0] == "2024-07"
    assert fiscal_year_of(pd.Timestamp("2025-06-30"), 7) == 2025
    assert fiscal_year_of(pd.Timestamp("2025-07-01"), 7) == 2026
    assert fiscal_year_period(2026, 7) == p
    assert parse_period("fy2026", 7) == p
    # with a July start the fiscal year boundary falls between calendar quarters: Q2 closes FY2025,
    # Q3 opens FY2026 (a straddling quarter needs another start month, see below)
    assert parse_period("2025Q2", 7).fiscal_year().label == "FY2025"
    assert parse_period("2025Q3", 7).fiscal_year().label == "FY2026"
    assert labels(parse_period("2025Q3", 7, view="ytd")) == ["2025-07", "2025-08", "2025-09"]


def test_quarter_straddling_a_fiscal_year_boundary():
    # fiscal year starting in August: 2025Q3 = 2025-07 (FY2025) + 2025-08, 2025-09 (FY2026)
    q = parse_period("2025Q3", 8)
    assert labels(q) == ["2025-07", "2025-08", "2025-09"]
    assert [fiscal_year_of(m, 8) for m in q.months] == [2025, 2026, 2026]
    # the views anchor at the quarter's last month: FY2026 to date = 2025-08, 2025-09
    assert labels(q.view("ytd")) == ["2025-08", "2025-09"]
    assert q.view("ytd").label == "FY2026 YTD to 2025-09"
    assert q.fiscal_year().label == "FY2026"
    assert labels(q.fiscal_year())[0] == "2025-08"


def test_ytd_and_t12_views():
    ytd = parse_period("2026-02", 7, view="ytd")
    assert labels(ytd)[0] == "2025-07" and labels(ytd)[-1] == "2026-02" and ytd.n_months == 8
    assert ytd.label == "FY2026 YTD to 2026-02" and ytd.slug == "2026-02-ytd"
    # the previous ytd is the same stretch a year earlier
    assert labels(ytd.previous()) == labels(ytd.year_earlier())
    assert labels(ytd.previous())[0] == "2024-07" and labels(ytd.previous())[-1] == "2025-02"
    t12 = parse_period("2026Q3", view="t12")
    assert labels(t12)[0] == "2025-10" and labels(t12)[-1] == "2026-09" and t12.n_months == 12
    assert t12.label == "T12 to 2026-09" and t12.previous().label == "T12 to 2025-09"
    # ytd in the first month of a fiscal year is one month
    assert parse_period("2025-07", 7, view="ytd").n_months == 1
    assert parse_period("FY2025", view="period") == parse_period("FY2025")


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025Q5", "Q3 2025", "FY25", "2025", "", "March 2025",
                                  "2025-03-01", "0000-01", "FY0001", "9999Q4"])
def test_invalid_texts_name_the_accepted_forms(text):
    with pytest.raises(PeriodError) as exc:
        parse_period(text)
    assert ACCEPTED_FORMS in str(exc.value)


def test_invalid_view_and_fiscal_start():
    with pytest.raises(PeriodError, match="not a view"):
        parse_period("2025Q3", view="weekly")
    with pytest.raises(PeriodError, match="1-12"):
        parse_period("FY2025", 13)


def test_masks():
    p = parse_period("2025Q3")
    dates = pd.Series(pd.to_datetime(["2025-06-30 00:00", "2025-07-01 00:00", "2025-09-30 23:00", "2025-10-01 00:00"]))
    assert p.date_mask(dates).tolist() == [False, True, True, False]
    months = pd.Series(pd.to_datetime(["2025-06-01", "2025-07-01", "2025-09-01", "2025-10-01"]))
    assert p.month_mask(months).tolist() == [False, True, True, False]


@given(st.integers(1990, 2100), st.integers(1, 12), st.integers(1, 12))
def test_fiscal_year_properties(year, month, fy_start):
    m = pd.Timestamp(year=year, month=month, day=1)
    fy = fiscal_year_of(m, fy_start)
    p = fiscal_year_period(fy, fy_start)
    assert p.n_months == 12 and p.contains_month(m)
    assert p.end.year == fy  # named for the calendar year it ends in
    assert p.start.month == fy_start
    ytd = month_period(m, fy_start).view("ytd")
    assert ytd.start == p.start and ytd.end == m
    assert add_months(add_months(m, 7), -7) == m
    assert len(month_range(p.start, p.end)) == 12
