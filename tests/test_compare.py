"""Comparisons: previous period, a year earlier, goal, band position and direction-aware verdicts."""

from __future__ import annotations

import math

import pytest

from dyad_lib import fmt
from dyad_lib.metrics.compare import COLUMNS, compare, compare_value, doctors_in, position
from dyad_lib.metrics.periods import parse_period
from dyad_lib.metrics.registry import Band, get
from dyad_lib.metrics.values import MetricValue, missing
from metrics_fixtures import dental


def mv(mid, x, unit="ratio"):
    return MetricValue(mid, x, unit)


def test_position():
    band = Band(0.55, 0.60, "benchmark", "top", "dental", "S")
    assert [position(x, band) for x in (0.5, 0.55, 0.58, 0.60, 0.61)] == ["below", "within", "within", "within",
                                                                          "above"]
    assert position(0.3, Band(None, 0.25, "benchmark", "top", "dental", "S")) == "above"
    assert position(0.96, Band(0.95, None, "benchmark", "top", "dental", "S")) == "within"
    assert position(None, band) is None and position(0.5, None) is None


def test_falling_overhead_is_good_and_above_a_down_band_is_a_concern():
    d = get("overhead_ratio")  # dental band 55–60%, lower is better
    c = compare_value(d, "dental", mv("overhead_ratio", 0.50), previous=mv("overhead_ratio", 0.58))
    assert c.trend == "better" and c.change == pytest.approx(-0.08)
    assert c.position == "below" and c.verdict == "good"
    # 0.63 is 5% above the top of the band (0.63 / 0.60 − 1): watch; 0.70 is 16.7% above: concern
    assert compare_value(d, "dental", mv("overhead_ratio", 0.63)).verdict == "watch"
    c = compare_value(d, "dental", mv("overhead_ratio", 0.70))
    assert c.position == "above" and c.verdict == "concern"
    assert "above the top performers' band 55.0–60.0%" in c.reason and "McKenzie" in c.reason


def test_up_is_better_band():
    d = get("collection_ratio")  # dental 97–99%
    assert compare_value(d, "dental", mv("collection_ratio", 0.995)).verdict == "good"
    assert compare_value(d, "dental", mv("collection_ratio", 0.98)).verdict == "good"
    assert compare_value(d, "dental", mv("collection_ratio", 0.95)).verdict == "watch"  # 2.1% below 0.97
    assert compare_value(d, "dental", mv("collection_ratio", 0.80)).verdict == "concern"  # 17.5% below
    # medical: ≥ 95%
    c = compare_value(d, "medical", mv("collection_ratio", 0.96))
    assert (c.band_low, c.band_high, c.position, c.verdict) == (0.95, None, "within", "good")
    assert c.band_source == "Physicians Practice (2016)"


def test_within_band_but_worsening_is_watch():
    d = get("overhead_ratio_staff_wages")  # 20–25%, lower is better
    c = compare_value(d, "dental", mv("x", 0.24), previous=mv("x", 0.21))  # +14% relative
    assert c.position == "within" and c.verdict == "watch"


def test_target_band_kind():
    c = compare_value(get("chair_utilization"), "dental", mv("chair_utilization", 0.9))
    assert c.band_kind == "target" and c.position == "above" and c.verdict == "good"


def test_goal_decides_before_the_band():
    d = get("collection_ratio")
    c = compare_value(d, "dental", mv("collection_ratio", 0.975), goal=0.99)
    assert c.goal_gap == pytest.approx(-0.015) and c.verdict == "watch" and "goal" in c.reason
    c = compare_value(get("overhead"), "dental", mv("overhead", 90_000, "money"), goal=100_000)
    assert c.verdict == "good" and c.goal_gap == -10_000


def test_without_band_the_trend_decides():
    d = get("gross_production")
    assert compare_value(d, "dental", mv("g", 110, "money"), mv("g", 100, "money")).verdict == "good"
    assert compare_value(d, "dental", mv("g", 90, "money"), mv("g", 100, "money")).verdict == "watch"
    assert compare_value(d, "dental", mv("g", 98, "money"), mv("g", 100, "money")).verdict == "steady"
    c = compare_value(d, "dental", mv("g", 98, "money"))
    assert c.verdict == "steady" and c.trend is None


def test_missing_value_has_no_verdict_and_keeps_its_reason():
    c = compare_value(get("ar_days"), "medical", missing("ar_days", "days", "needs 3 months"), mv("ar_days", 40))
    assert c.value is None and c.verdict is None and c.reason == "needs 3 months" and c.change is None


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return dental(tmp_path_factory.mktemp("cmp"))


def test_compare_table(practice):
    t = compare(practice, parse_period("2026-05"))
    assert list(t.columns) == COLUMNS + ["period"]
    assert set(t["period"]) == {"2026-05"}
    row = t.set_index("id").loc["collection_ratio"]
    # 2026-05: 9000 / (10000 − 500); 2026-04: 9100 / 9000; a year earlier is before the data
    assert row["value"] == pytest.approx(9000 / 9500)
    assert row["previous"] == pytest.approx(9100 / 9000)
    assert row["change"] == pytest.approx(9000 / 9500 - 9100 / 9000)
    assert row["year_ago"] is None or math.isnan(row["year_ago"])
    assert row["position"] == "below" and row["verdict"] == "watch"  # 2.3% below 97%
    assert row["label"] == "Collection ratio"
    ar = t.set_index("id").loc["ar_over_90_share"]
    assert ar["value"] == pytest.approx(900 / 9500) and ar["verdict"] == "good"


def test_compare_ids_and_goals(practice):
    t = compare(practice, parse_period("2026Q2"), ["overhead_ratio", "quality_perio_charting", "new_patients"],
                goals={"overhead_ratio": 0.30})
    t = t.set_index("id")
    # overhead ratio Q2 = 9600 / 26300 = 36.5% misses the 30% goal by 21.7%: concern
    assert t.loc["overhead_ratio", "goal"] == 0.30 and t.loc["overhead_ratio", "verdict"] == "concern"
    # a quality measure's own target_rate is its goal: (8 + 9 + 0) / 20 = 0.85 vs 0.9
    assert t.loc["quality_perio_charting", "goal"] == 0.9
    assert t.loc["quality_perio_charting", "goal_gap"] == pytest.approx(-0.05)
    assert t.loc["quality_perio_charting", "label"] == "Quality: Periodontal charting"
    # new patients: 20–28 per dentist per month; one dentist (d2; d1 sees hygiene) × 3 months
    assert (t.loc["new_patients", "band_low"], t.loc["new_patients", "band_high"]) == (60, 84)


def test_doctors_in(practice):
    assert doctors_in(practice, parse_period("2026Q2")) == 1  # d2 (d1's visits are hygiene)
    assert doctors_in(practice, parse_period("2026-03")) is None  # no visits


def test_a_typical_band_reads_above_typical_never_better_than_the_benchmark():
    d = get("pre_appointment_rate")  # 52–60%: what practices measure
    c = compare_value(d, "dental", mv("pre_appointment_rate", 0.665))
    assert c.band_tier == "typical" and c.position == "above"
    assert "better than typical, not a target" in c.reason and "benchmark" not in c.where
    assert c.where.startswith("above typical")


def test_case_acceptance_by_value_is_judged_against_the_top_decile():
    d = get("case_acceptance_value")
    c = compare_value(d, "dental", mv("case_acceptance_value", 0.51))
    assert (c.band_low, c.band_high, c.band_tier) == (0.75, 0.83, "top")
    assert c.verdict == "concern" and c.where == "above typical, below the top performers' band (higher is better)"
    assert [b.tier for b in c.bands] == ["typical", "top"]


def test_a_band_of_the_other_kind_of_practice_is_refused():
    from dyad_lib.metrics import benchmarks

    dental_bands = benchmarks.for_kind("no_show_rate", "dental")
    assert {b.applies_to for b in dental_bands} == {"dental"}
    with pytest.raises(benchmarks.BenchmarkError):
        compare_value(get("no_show_rate"), "medical", mv("no_show_rate", 0.08), bands=dental_bands)
    # a medical practice has no retention band (the published ones are dental)
    assert compare_value(get("patient_retention"), "medical", mv("patient_retention", 0.8)).band_low is None


def test_differences_agree_with_the_printed_values():
    # 63.96% against 60.94%: printed 64.0% and 60.9%, so +3.1 pts (not the unrounded +3.0)
    assert fmt.points_between(0.6395971998931165, 0.6093573372534198) == "+3.1 pts"
    assert fmt.difference(45.4, 50.6, "score_nps") == "−6"  # +45 against +51
    assert fmt.versus(345_200, 358_400, "money") == "−3.7%"
    assert fmt.shown_as_zero(0.12341, 0.12339, "ratio") and not fmt.shown_as_zero(0.1236, 0.1234, "ratio")
    c = compare_value(get("overhead_ratio"), "dental", mv("o", 0.6396), mv("o", 0.6094))
    assert fmt.difference(c.value, c.previous, c.unit) == "+3.1 pts" and c.change == pytest.approx(0.0302)


def test_fmt():
    assert fmt.money(1_240_000) == "$1.24M" and fmt.money(84_200) == "$84.2K" and fmt.money(1234) == "$1,234"
    assert fmt.money(-1234) == "−$1,234" and fmt.money(None) == "—"
    assert fmt.percent(0.978) == "97.8%" and fmt.days(38.54) == "38.5 days" and fmt.count(1234) == "1,234"
    assert fmt.nps(42.4) == "+42" and fmt.nps(-8) == "−8" and fmt.score(4.23) == "4.2 / 5"
    assert fmt.metric(None, "ratio", "no data", with_reason=True) == "— (no data)"
    assert fmt.change(0.012, "ratio") == "+1.2 pts" and fmt.change(-150, "score_nps") == "−150"
    assert fmt.change(-1000, "money") == "−$1,000"
    assert fmt.band_text(Band(0.55, 0.6, "benchmark", "top", "dental", ""), "ratio") == "55.0–60.0%"
    assert fmt.band_text(Band(None, 0.025, "benchmark", "top", "dental", ""), "ratio") == "≤ 2.5%"
    assert fmt.band_text(Band(30, 45, "benchmark", "typical", "medical", ""), "days") == "30–45 days"
    assert fmt.band_text(Band(60, 84, "benchmark", "top", "dental", ""), "count") == "60–84"


def test_retention_is_judged_only_over_twelve_months(practice):
    from dyad_lib.metrics import benchmarks
    from dyad_lib.metrics.compute import compute_metrics

    d = get("patient_retention")
    # its bands are per year: none for a month's or a quarter's retention, both for twelve months
    assert benchmarks.resolve(d, "dental", 1) == () and benchmarks.resolve(d, "dental", 3) == ()
    assert [b.tier for b in benchmarks.resolve(d, "dental", 12)] == ["typical", "top"]
    # the CLI's comparison is the period's own value (metrics.md); a scorecard's is the year's
    month = parse_period("2026-05")
    own = compare(practice, month, ["patient_retention"]).iloc[0]
    assert own["period"] == "2026-05" and own["band_low"] is None
    got = compute_metrics(practice, month, ["patient_retention"])["patient_retention"]
    assert (own["value"] is None and got.value is None) or own["value"] == pytest.approx(got.value)
    yearly = compare(practice, month, ["patient_retention"], on_year_basis=True).iloc[0]
    assert yearly["period"] == "T12 to 2026-05"
    t12 = compute_metrics(practice, month.view("t12"), ["patient_retention"])["patient_retention"]
    assert yearly["value"] == t12.value or (yearly["value"] is None and t12.value is None)
