"""Opportunity sizes follow their printed formulas, on values computed by hand."""

from __future__ import annotations

import re

import pytest

from dyad_lib.metrics.opportunities import size_opportunities
from dyad_lib.metrics.values import MetricValue, missing


def mv(mid: str, x: float, unit: str = "ratio") -> MetricValue:
    return MetricValue(mid, x, unit)


def values(**kw) -> dict[str, MetricValue]:
    return {k: mv(k, v) for k, v in kw.items()}


DENTAL = values(
    collection_ratio=0.934, net_production=1_812_400.0, gross_production=2_000_000.0, collections=1_692_781.6,
    case_acceptance_value=0.382, unaccepted_treatment_value=1_236_000.0,  # presented = 1,236,000 ÷ 0.618 = 2,000,000
    no_show_rate=0.091, visits_completed=10_000.0,
    adjustments_rate=0.0938, ar_over_90_share=0.22, ar_balance=210_000.0,
    overhead_ratio_staff_wages=0.24, overhead_ratio_payroll_taxes_benefits=0.05,
    overhead_ratio_clinical_supplies=0.083, overhead_ratio_lab=0.09, overhead_ratio_facility=0.11,
)


def by_lever(result):
    return {o.lever: o for o in result.items}


def _evaluate(formula: str) -> float:
    """Redo the printed sum: '(a% − b%) × $c … = $d' -> the product of the numbers left of '='."""
    lhs = formula.split("=")[0]
    nums = re.findall(r"\(([\d.]+)% − ([\d.]+)%\)|(\$?[\d,]+(?:\.\d+)?%?)", lhs)
    product = 1.0
    for a, b, other in nums:
        if a:
            product *= (float(a) - float(b)) / 100
        else:
            x = float(other.replace("$", "").replace(",", "").rstrip("%"))
            product *= x / 100 if other.endswith("%") else x
    return product


def _printed_result(formula: str) -> float:
    return float(re.search(r"= \$([\d,]+)(?!.*= \$)", formula).group(1).replace(",", ""))


def test_collection_ratio_matches_metrics_md_example():
    o = by_lever(size_opportunities(DENTAL, "dental"))["collection_ratio"]
    # (0.98 − 0.934) × 1,812,400 = 0.046 × 1,812,400 = 83,370.4, unrounded, printed once
    assert o.dollars == pytest.approx(83_370.4)
    assert o.formula == "(98.00% − 93.40%) × $1,812,400 net production = $83,370"
    assert o.recurring and o.tier == "top"


def test_case_acceptance_is_sized_to_the_top_decile():
    o = by_lever(size_opportunities(DENTAL, "dental"))["case_acceptance_value"]
    # presented = 1,236,000 ÷ (1 − 0.382) = 2,000,000; the top decile starts at 75%:
    # (0.75 − 0.382) × 2,000,000 × 0.934 = 687,424
    assert o.target == 0.75 and o.tier == "top" and "top decile" in o.source
    assert o.dollars == pytest.approx(687_424)
    assert "$2,000,000 presented" in o.formula and "93.40% collection ratio" in o.formula


def test_no_shows_excess_visits_times_production_per_visit_unrounded():
    o = by_lever(size_opportunities(DENTAL, "dental"))["no_show_rate"]
    # booked = 10,000 ÷ (1 − 0.091) = 11,001.10; excess = (0.091 − 0.07) × 11,001.10 = 231.02 visits;
    # per visit = 1,812,400 ÷ 10,000 = 181.24; 231.023 × 181.24 = 41,870.6 (never 231 × 181 = 41,811)
    booked = 10_000 / (1 - 0.091)
    assert o.dollars == pytest.approx((0.091 - 0.07) * booked * 181.24)
    assert o.detail["excess_visits"] == pytest.approx(231.023, abs=1e-3)
    assert "(9.10% − 7.00%) × 11,001 appointments kept or missed = 231 missed visits" in o.formula
    assert o.formula.endswith("× $181 net production per completed visit = $41,871")


def test_a_gap_of_a_twentieth_of_a_point_is_not_rounded_up():
    """7.05% against 7.0% is 0.05 points: rounding the rate first would double the visits."""
    from dyad_lib.metrics.opportunities import no_show_gap

    v = dict(DENTAL, no_show_rate=mv("no_show_rate", 0.0705), visits_completed=mv("visits_completed", 8_947, "count"),
             net_production=mv("net_production", 3_845_472.0, "money"))
    o = by_lever(size_opportunities(v, "dental"))["no_show_rate"]
    gap = no_show_gap(0.0705, 8_947, 3_845_472.0, 0.07)
    assert o.detail["excess_visits"] == pytest.approx(gap.excess_visits) == pytest.approx(0.0005 * 8_947 / 0.9295)
    assert "(7.05% − 7.00%)" in o.formula and "4.8 missed visits" in o.formula
    assert o.dollars == pytest.approx(gap.net_dollars)


def test_overhead_categories_above_band_only():
    r = size_opportunities(DENTAL, "dental")
    levers = by_lever(r)
    # clinical supplies: (8.3% − 7.0%) × 1,692,781.6 = 22,006.2
    assert levers["overhead_ratio_clinical_supplies"].dollars == pytest.approx(22_006.16)
    # facility: (11.0% − 10.0%) × 1,692,781.6 = 16,927.8
    assert levers["overhead_ratio_facility"].dollars == pytest.approx(16_927.816)
    no_gap = {s.lever for s in r.no_gap}
    assert {"overhead_ratio_staff_wages", "overhead_ratio_lab", "overhead_ratio_payroll_taxes_benefits"} <= no_gap
    assert "overhead_ratio_staff_wages" not in levers


def test_adjustments_and_old_receivables():
    levers = by_lever(size_opportunities(DENTAL, "dental"))
    # (9.38% − 2.5%) × 2,000,000 = 137,600 (the rate unrounded: never 9.4%)
    assert levers["adjustments_rate"].dollars == pytest.approx(137_600)
    # (22.0% − 15.0%) × 210,000 = 14,700, one-time cash
    ar = levers["ar_over_90_share"]
    assert ar.dollars == pytest.approx(14_700) and not ar.recurring and "one-time" in ar.formula


def test_sorted_by_dollars_and_total_excludes_one_time_cash():
    r = size_opportunities(DENTAL, "dental")
    dollars = [o.dollars for o in r.items]
    assert dollars == sorted(dollars, reverse=True)
    assert [o.lever for o in r.items][:2] == ["case_acceptance_value", "adjustments_rate"]
    assert r.annual_total == pytest.approx(sum(o.dollars for o in r.items if o.recurring))


@pytest.mark.parametrize("kind", ["dental", "medical"])
def test_every_printed_formula_shows_its_dollars_rounded_once(kind):
    r = size_opportunities(DENTAL, kind)
    assert r.items
    for o in r.items:
        assert _printed_result(o.formula) == round(o.dollars), o.formula
        if o.lever != "no_show_rate":  # two-step formula, checked in its own test
            # the printed rates are to a hundredth of a point: the sum redone by hand is within a cent a dollar
            assert _evaluate(o.formula) == pytest.approx(o.dollars, rel=2e-3), o.formula


def test_medical_targets_and_words():
    r = size_opportunities(DENTAL, "medical")
    levers = by_lever(r)
    assert "adjustments_rate" not in levers  # the 2.5% benchmark is dental fee-for-service only
    assert "case_acceptance_value" not in levers  # its benchmarks are dental ones
    assert {s.lever for s in r.no_gap + r.not_sized}.isdisjoint({"adjustments_rate", "case_acceptance_value"})
    # (95.0% − 93.4%) × 1,812,400 = 28,998.4
    assert levers["collection_ratio"].dollars == pytest.approx(28_998.4)
    assert "net charges" in levers["collection_ratio"].formula
    # medical A/R over 90 target 25%: 22% is within it
    assert "ar_over_90_share" in {s.lever for s in r.no_gap}


def test_missing_metrics_are_not_sized_with_the_reason():
    v = dict(DENTAL)
    v["no_show_rate"] = missing("no_show_rate", "ratio", "no appointments table")
    v.pop("ar_balance")
    r = size_opportunities(v, "dental")
    not_sized = {s.lever: s.text for s in r.not_sized}
    assert not_sized["no_show_rate"] == "no appointments table"
    assert "ar_balance" in not_sized["ar_over_90_share"]
    assert "no_show_rate" not in by_lever(r)


def test_lever_at_target_is_no_gap():
    v = dict(DENTAL, collection_ratio=mv("collection_ratio", 0.98))
    r = size_opportunities(v, "dental")
    assert "collection_ratio" in {s.lever for s in r.no_gap}
    # just under it is a (small) gap, never rounded away before it is sized
    v = dict(DENTAL, collection_ratio=mv("collection_ratio", 0.9799))
    o = by_lever(size_opportunities(v, "dental"))["collection_ratio"]
    assert o.dollars == pytest.approx(0.0001 * 1_812_400)


def test_past_a_typical_band_reads_better_than_typical():
    from dyad_lib.metrics.opportunities import _met

    assert "typical" in _met("typical", "The no-show rate", "6.0%", "7.0%", "down")
    assert "target" in _met("top", "The no-show rate", "6.0%", "7.0%", "down")


def test_presented_value_metric_is_preferred_when_the_library_has_it():
    v = dict(DENTAL, treatment_presented_value=mv("treatment_presented_value", 1_000_000.0, "money"))
    o = by_lever(size_opportunities(v, "dental"))["case_acceptance_value"]
    # (0.75 − 0.382) × 1,000,000 × 0.934 = 343,712
    assert o.dollars == pytest.approx(343_712)


def test_targets_are_the_edges_of_the_top_performers_band():
    from dyad_lib.metrics.targets import target, target_for

    assert target_for("overhead_ratio_clinical_supplies", "dental")[0] == 0.07
    assert target_for("no_show_rate", "medical")[0] == 0.07 and target("no_show_rate", "medical").tier == "typical"
    assert target("no_show_rate", "dental").band.source_text == "Drevenstedt & Reznik"
    assert target_for("collection_ratio", "medical")[0] == 0.95
    assert target_for("collection_ratio", "dental")[0] == 0.98  # metrics.md: "collection ratio to 98%"
    assert target_for("adjustments_rate", "medical") is None
    # the top decile, not the 45% average
    assert target("case_acceptance_value", "dental").value == 0.75
    # a retention band is per year: its target applies to the one (twelve-month) basis
    assert target("patient_retention", "dental").value == 0.92
