"""Talking points: found from the numbers, sized in dollars a month, worded neutrally."""

from __future__ import annotations

import re

import pytest

from dyad_lib.data.load import load_practice
from dyad_lib.metrics.opportunities import size_opportunities
from dyad_lib.metrics.periods import parse_period
from dyad_lib.reports.talking_points import (
    TalkingPoint,
    rank,
    recommendations,
    span_text,
    talking_points,
    window,
)
from dyad_lib.metrics.values import MetricValue
from report_fixtures import demo_data_dir, goals_fy2025, write_minimal

BLAME = re.compile(r"\b(fail\w*|poor\w*|bad|blame\w*|fault\w*|lazy|mistake\w*|should have)\b", re.I)


@pytest.fixture
def tiny(tmp_path):
    write_minimal(tmp_path)
    return load_practice("tiny-dental", tmp_path)


def test_window_and_span_text():
    w = window(parse_period("2025-12"))
    assert (w.start, w.end, w.n_months) == (parse_period("2025-10").start, parse_period("2025-12").start, 3)
    assert span_text(w) == "October–December 2025"
    assert span_text(window(parse_period("2026-01"))) == "November 2025 – January 2026"


def test_supplies_creep_sized_by_hand(tiny):
    points = talking_points(tiny, parse_period("2025-12"))
    creep = [p for p in points if p.metric_id == "overhead_ratio_clinical_supplies"]
    assert len(creep) == 1
    p = creep[0]
    # Oct–Dec 2025: 24,000 ÷ 300,000 = 8.0%; a year earlier 15,000 ÷ 300,000 = 5.0%;
    # (8.0% − 5.0%) × 300,000 ÷ 3 months = $3,000 a month
    assert p.dollars_per_month == pytest.approx(3_000)
    assert "8.0%" in p.text and "5.0%" in p.text and "above its 5.0–7.0% band" in p.text
    assert "$3,000 a month" in p.text and "October–December 2025" in p.text
    assert not p.favourable


def test_goal_points_month_and_year_to_date(tiny):
    points = talking_points(tiny, parse_period("2025-12"), goals_fy2025())
    assert [p.topic for p in points][:2] == ["goal", "goal_ytd"]
    month, ytd = points[0], points[1]
    # December: 100,000 against 110,000 -> $10.0K (9.1%) under; equal to December 2024
    assert month.dollars_per_month == pytest.approx(10_000)
    assert "$10.0K (9.1%) under the month's goal of $110.0K" in month.text
    assert "0.0% above December 2024" in month.text
    # Year to date: 1,200,000 against 1,320,000 -> $120.0K behind, ÷ 12 months = 10,000 a month
    assert ytd.dollars_per_month == pytest.approx(10_000)
    assert "$1.20M, $120.0K (9.1%) behind the phased goal of $1.32M" in ytd.text
    assert points[2].metric_id == "overhead_ratio_clinical_supplies"


def test_without_goals_no_goal_point(tiny):
    assert all(p.topic not in ("goal", "goal_ytd") for p in talking_points(tiny, parse_period("2025-12"), {}))


def test_rank_fills_to_three_with_smaller_movements():
    pts = [TalkingPoint("a", "x", "big", 900, False, True),
           TalkingPoint("b", "y", "small", 50, True, False),
           TalkingPoint("c", "z", "smaller", 40, True, False),
           TalkingPoint("d", "w", "tiny", 10, True, False),
           TalkingPoint("a", "x", "duplicate", 800, False, True)]
    assert [p.text for p in rank(pts)] == ["big", "small", "smaller"]
    many = [TalkingPoint("t", f"m{i}", f"p{i}", 100 - i, False, True) for i in range(8)]
    assert len(rank(many)) == 5


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_data_dir(tmp_path_factory)


def test_harbor_september_2026_names_the_supplies_creep(demo):
    p = load_practice("harbor-dental", demo)
    points = talking_points(p, parse_period("2026-09"))
    assert 3 <= len(points) <= 5
    creep = [t for t in points if t.metric_id == "overhead_ratio_clinical_supplies"]
    assert creep and "Clinical supplies" in creep[0].text and "above its 5.0–7.0% band" in creep[0].text
    for t in points:
        assert re.search(r"\d", t.text) and not BLAME.search(t.text), t.text


def test_harbor_june_2025_names_the_slow_collections_quarter(demo):
    p = load_practice("harbor-dental", demo)
    points = talking_points(p, parse_period("2025-06"))
    cr = [t for t in points if t.metric_id == "collection_ratio"]
    assert cr and points.index(cr[0]) <= 1
    assert "April–June 2025" in cr[0].text and "under the 98.0% target" in cr[0].text


def test_maple_september_2026_names_the_no_show_drift(demo):
    p = load_practice("maple-family-medicine", demo)
    points = talking_points(p, parse_period("2026-09", 7))
    ns = [t for t in points if t.metric_id == "no_show_rate"]
    assert ns and "no-shows" in ns[0].text and "net charges" in ns[0].text
    assert not any("production" in t.text.lower() for t in points)  # medical words


def test_recommendations_are_the_top_opportunities_as_actions():
    v = {k: MetricValue(k, x, "ratio") for k, x in {
        "collection_ratio": 0.934, "net_production": 1_812_400.0, "collections": 1_700_000.0,
        "overhead_ratio_clinical_supplies": 0.083}.items()}
    recs = recommendations(size_opportunities(v, "dental"))
    assert [r.lever for r in recs] == ["collection_ratio", "overhead_ratio_clinical_supplies"]
    assert recs[0].dollars == pytest.approx(83_370.4) and recs[0].action.startswith("Raise the collection ratio")
    assert recs[1].basis == "per year"


def test_recommendations_leave_out_levers_under_half_a_percent_of_collections():
    v = {k: MetricValue(k, x, "ratio") for k, x in {
        "collection_ratio": 0.979, "net_production": 1_000_000.0, "collections": 979_000.0,
        "overhead_ratio_clinical_supplies": 0.083}.items()}
    opps = size_opportunities(v, "dental")
    # collection ratio: (98.0% − 97.9%) × 1,000,000 = 1,000 < 0.5% × 979,000 = 4,895: listed, not recommended
    # clinical supplies: (8.3% − 7.0%) × 979,000 = 12,727 >= 4,895: recommended
    assert {o.lever for o in opps.items} == {"collection_ratio", "overhead_ratio_clinical_supplies"}
    assert [r.lever for r in recommendations(opps)] == ["overhead_ratio_clinical_supplies"]
    assert recommendations(opps)[0].dollars == pytest.approx(12_727)
