"""The goal engine: worked examples, the ledger's arithmetic, each realism check, levers, phasing,
KPI targets and the goal-line helpers, all computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyad_lib.goals.inputs import InputError, Sourced, default_inputs, fy_label
from dyad_lib.goals.ledger import break_even, build_ledger, per_hour, production_needed, reconcile
from dyad_lib.goals.levers import combination, lever_table
from dyad_lib.goals.lines import annual_goal, goal_line, monthly_goal, pace_needed, ytd_goal
from dyad_lib.goals.plan import build_plan, words
from dyad_lib.goals.realism import capacity_needs, check_break_even, check_growth, check_payroll, check_per_hour, check_utilization
from dyad_lib.goals.targets import kpi_target
from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.goals.phasing import allocate_cents, business_days, phase, planned_working_days, seasonal_index
from dyad_lib.metrics.periods import fiscal_year_period
from goals_fixtures import BUDGET, hand_history, hand_inputs

# --- worked examples (domain-research.md §3) ----------------------------------------------------


def test_worked_example_production_from_collections():
    # McKenzie: $1,000,000 collection goal at 5% adjustments → 1,000,000 ÷ 0.95 = 1,052,631.58
    assert production_needed(1_000_000, 1.0, 0.05) == pytest.approx(1_052_631.58, abs=0.01)


def test_worked_example_break_even():
    # Practicon: fixed costs $725,000, variable 16% → 725,000 ÷ 0.84 = 863,095.24
    assert break_even(725_000, 0.16) == pytest.approx(863_095.24, abs=0.01)


def test_worked_example_per_hour():
    # Dental Practice Heroes: $1.5M over 1,600 clinical hours → 937.50 an hour
    assert per_hour(1_500_000, 1_600) == 937.5
    assert per_hour(1_500_000, 0) is None


def test_break_even_rejects_share_of_one():
    with pytest.raises(ValueError):
        break_even(100, 1.0)


# --- a hand-built plan --------------------------------------------------------------------------

def test_ledger_steps_and_reconciliation():
    inputs = hand_inputs()
    lg = build_ledger(inputs, hand_history())
    # 600,000 overhead + 250,000 owners + 50,000 debt + 100,000 profit = 1,000,000
    assert lg.overhead == 600_000
    assert lg.collection_goal == 1_000_000
    # ÷ 0.98 = 1,020,408.163 → 1,020,408.16; ÷ 0.95 = 1,074,113.85
    assert lg.net_production_goal == 1_020_408.16
    assert lg.gross_production_goal == 1_074_113.85
    # fixed = 600,000 − 70,000 lab − 60,000 supplies + 50,000 debt = 520,000; variable = T12 7% + 6% = 13%
    assert lg.fixed_costs == 520_000
    assert lg.variable_share == pytest.approx(0.13)
    assert lg.break_even == pytest.approx(520_000 / 0.87, abs=0.01)  # 597,701.15
    assert reconcile(lg, inputs) == []
    rows = lg.rows.set_index("step")
    assert list(lg.rows["step"][:9]) == [f"overhead.{c}" for c in OVERHEAD_CATEGORIES]
    assert rows.loc["collection_goal", "amount"] == 1_000_000
    assert rows.loc["owner_compensation", "source"] == "entered by the partners"
    assert rows.loc["variable_share", "unit"] == "ratio" and rows.loc["collection_goal", "unit"] == "money"
    assert "÷ 98.00% expected collection ratio" in rows.loc["net_production_goal", "formula"]


def test_ledger_from_last_year_times_change_names_the_source():
    inputs = default_inputs("FY2026", hand_history(), {"overhead_change_pct": 4})  # percent: +4%
    b = inputs.overhead["staff_wages"]
    assert b.amount == 228_800  # 220,000 × 1.04
    assert b.source == "FY2025 actual × 1.04 (entered by the partners)"
    # owner compensation, debt, profit, ratios: defaults from history, each listed
    assert inputs.owner_compensation == Sourced(240_000, "default: FY2025 actual owner compensation")
    assert inputs.collection_ratio.source == "default: T12 to 2025-11 collection ratio"
    assert any(d.startswith("collection ratio") for d in inputs.defaults_used)
    # profit default: T12 collections 950,000 − FY2025 expenses (600,000 + 240,000 + 50,000) = 60,000
    assert inputs.profit_target.value == 60_000
    lg = build_ledger(inputs, hand_history())
    assert reconcile(lg, inputs) == []
    # 600,000 × 1.04 + 240,000 + 50,000 + 60,000 = 974,000
    assert lg.collection_goal == 974_000


def test_a_collection_ratio_over_100_percent_is_not_carried_into_the_plan():
    # a year that collected old receivables (101.5%): the plan counts on 100% and says why
    inputs = default_inputs("FY2026", hand_history(collection_ratio=1.015))
    assert inputs.collection_ratio.value == 1.0
    assert inputs.collection_ratio.source.startswith("default: T12 to 2025-11 collection ratio 101.5%, capped at 100%")
    # entered by the partners: taken as entered
    assert default_inputs("FY2026", hand_history(), {"collection_ratio": 1.01}).collection_ratio.value == 1.01


def test_inputs_per_category_change_and_validation():
    inputs = default_inputs("FY2026", hand_history(), {"overhead_changes_pct": {"lab": 10}})
    assert inputs.overhead["lab"].amount == 77_000  # 70,000 × 1.10
    assert inputs.overhead["facility"].amount == 82_400  # default +3%: 80,000 × 1.03
    with pytest.raises(InputError, match="collection_ratio: 0 is not a plausible collection ratio"):
        default_inputs("FY2026", hand_history(), {"collection_ratio": 0})
    with pytest.raises(InputError, match="no collection ratio"):
        default_inputs("FY2026", hand_history(collection_ratio=None))


@pytest.mark.parametrize("overrides, key, words", [
    ({"fee_change_pct": 300}, "fee_change_pct", "300% is not a plausible change"),
    ({"fee_change_pct": 0.03}, "fee_change_pct", "reads as +0.03%"),
    ({"overhead_change_pct": 400}, "overhead_change_pct", "not a plausible change"),
    ({"overhead_changes_pct": {"lab": -150}}, "overhead_changes_pct.lab", "not a plausible change"),
    ({"overhead_changes_pct": {"rent": 5}}, "overhead_changes_pct.rent", "not an overhead category"),
    ({"overhead_budget": {"lab": -5}}, "overhead_budget.lab", "below zero"),
    ({"collection_ratio": 98}, "collection_ratio", "for 98% write 0.98"),
    ({"adjustment_rate": 4}, "adjustment_rate", "for 4% write 0.04"),
    ({"owner_compensation": 50_000_000}, "owner_compensation", "more than 5 times"),
    ({"owner_compensation": True}, "owner_compensation", "True is not a number"),
    ({"profit_target": "lots"}, "profit_target", "'lots' is not a number"),
    ({"added_chair_hours": 5_000}, "added_chair_hours", "between removing them all and tripling them"),
    ({"working_days": {"2027-08": 12}}, "working_days.2027-08", "not a month of FY2026"),
    ({"working_days": {"2026-02": 30}}, "working_days.2026-02", "a month has 0 to 28"),
    ({"working_days": {"Aug": 3}}, "working_days.Aug", "not a month like"),
    ({"budget_choices": {"lab": "halve"}}, "budget_choices.lab", "not a choice"),
    ({"budget_choices": {"lab": "trim"}}, "budget_choices.lab", "not flagged"),
    ({"owner_compensation": 1, "owner_compensation_change_pct": 5}, "owner_compensation_change_pct", "not both"),
    ({"owners_pay": 1}, "owners_pay", "is not a goal input"),
])
def test_implausible_inputs_are_refused_naming_the_key(overrides, key, words):
    with pytest.raises(InputError) as exc:
        default_inputs("FY2026", hand_history(), overrides)
    assert exc.value.key == key and words in str(exc.value)


def test_relative_inputs_by_hand():
    inputs = default_inputs("FY2026", hand_history(), {"owner_compensation_change_pct": 10,
                                                       "profit_target_change_pct": -25})
    # owner pay: FY2025 240,000 × 1.10 = 264,000; profit default 950,000 − 890,000 = 60,000 × 0.75 = 45,000
    assert inputs.owner_compensation.value == 264_000 and "+10%" in inputs.owner_compensation.source
    assert inputs.profit_target.value == 45_000
    assert inputs.entered == {"owner_compensation_change_pct": 10.0, "profit_target_change_pct": -25.0}


def test_fy_label():
    assert fy_label("fy2027") == "FY2027"
    assert fy_label(2026) == "FY2026"
    with pytest.raises(ValueError):
        fy_label("2026-03")


# --- realism checks: each hits pass, warn and fail ---------------------------------------------


def test_check_growth():
    assert check_growth(1_050_000, 1_000_000).status == "pass"  # 5%
    warn = check_growth(1_150_000, 1_000_000)  # 15%
    assert warn.status == "warn" and "15.0% over" in warn.reason and "$1,000,000" in warn.reason
    assert check_growth(1_250_000, 1_000_000).status == "fail"  # 25%
    assert check_growth(1_250_000, 1_000_000, capacity_added=True).status == "warn"
    assert check_growth(1_000_000, None).status == "n/a"
    assert "2.0% below" in check_growth(980_000, 1_000_000).reason


def test_check_per_hour():
    assert check_per_hour(600, 650, "2025Q2").status == "pass"
    warn = check_per_hour(700, 650, "2025Q2")  # ≤ 650 × 1.10 = 715
    assert warn.status == "warn" and "$700/h vs $650/h" in warn.reason and "2025Q2" in warn.reason
    assert check_per_hour(750, 650).status == "fail"
    assert check_per_hour(680, 650, price=1.05).status == "pass"  # reach 650 × 1.05 = 682.50
    assert check_per_hour(None, 650).status == "n/a"


def test_check_utilization():
    assert check_utilization(0.80).status == "pass"
    assert check_utilization(0.88, 0.75).status == "warn"
    fail = check_utilization(0.9375, 0.75)
    assert fail.status == "fail" and "93.8%" in fail.reason and "today 75.0%" in fail.reason
    assert check_utilization(None).status == "n/a"


def test_check_payroll():
    assert check_payroll(270_000, 1_000_000).status == "pass"  # 27%
    assert check_payroll(210_000, 1_000_000).status == "warn"  # 21%: below 23%, within 3 points
    assert check_payroll(330_000, 1_000_000).status == "warn"  # 33%
    high = check_payroll(360_000, 1_000_000)  # 36%
    assert high.status == "fail" and "36.0%" in high.reason
    assert check_payroll(150_000, 1_000_000).status == "fail"  # 15%


def test_check_break_even():
    assert check_break_even(1_000_000, 863_095.24).status == "pass"  # 15.9% above
    assert check_break_even(900_000, 863_095.24).status == "warn"  # 4.3% above
    fail = check_break_even(800_000, 863_095.24)
    assert fail.status == "fail" and "$863,095" in fail.reason


def test_capacity_needs_worked_example():
    # net goal 1,020,408.16 over 1,600 planned hours = 637.76/h; today 1,000,000 net over 62.5% ×
    # 1,600 = 1,000 booked hours → $1,000 per booked hour → utilization needed 63.78%
    hist, inputs = hand_history(), hand_inputs()
    cap = capacity_needs(build_ledger(inputs, hist), inputs, hist)
    assert cap.planned_hours == 1_600 and cap.per_booked_hour == 1_000 and cap.price == 1
    assert cap.required_per_hour == pytest.approx(1_020_408.16 / 1_600)
    assert cap.required_utilization == pytest.approx(0.63775510)
    assert not cap.capacity_added
    # 200 added hours and fees +5%: 1,800 hours; per booked hour 1,000 × 1.05 = 1,050
    more = hand_inputs(added_chair_hours=200, fee_change_pct=5)
    cap2 = capacity_needs(build_ledger(more, hist), more, hist)
    assert cap2.planned_hours == 1_800 and cap2.capacity_added and cap2.per_booked_hour == pytest.approx(1_050)
    assert cap2.required_utilization == pytest.approx(1_020_408.16 / (1_800 * 1_050))
    # 10% more working days scale the hours; a lower adjustment rate raises net per booked hour
    cap3 = capacity_needs(build_ledger(inputs, hist, wd_scale=1.1), inputs, hist)
    assert cap3.planned_hours == pytest.approx(1_760) and cap3.capacity_added
    low = hand_inputs(adjustment_rate=0.03)
    cap4 = capacity_needs(build_ledger(low, hist), low, hist)
    assert cap4.price == pytest.approx(0.97 / 0.95)


def test_plan_checks_use_hand_numbers():
    plan = build_plan(hand_inputs(), hand_history())
    by = {c.id: c for c in plan.checks}
    # 1,000,000 ÷ 950,000 − 1 = 5.3% growth
    assert by["growth"].status == "pass" and "5.3% over" in by["growth"].reason
    # net 1,020,408.16 ÷ 1,600 h = 637.76/h ≤ 650 best quarter
    assert by["per_hour"].status == "pass" and "$638/h" in by["per_hour"].reason
    assert by["utilization"].status == "pass" and "63.8%" in by["utilization"].reason
    # payroll 250,000 ÷ 1,000,000 = 25%
    assert by["payroll"].status == "pass" and "25.0%" in by["payroll"].reason
    assert by["break_even"].status == "pass"
    assert plan.gap == 50_000  # 1,000,000 − 950,000


# --- levers -------------------------------------------------------------------------------------


def _levers(inputs=None, hist=None):
    hist = hist or hand_history()
    inputs = inputs or hand_inputs()
    lg = build_ledger(inputs, hist)
    table, text, left = lever_table(inputs, hist, lg.values, lg.collection_goal,
                                    band={"collection_ratio": (0.97, 0.99), "adjustments_rate": (0.0, 0.025)})
    return table.set_index("lever"), text, left


def test_levers_by_hand():
    lv, text, left = _levers()
    # the entered collection ratio 95% → 98% is planned: 950,000 × (0.98 ÷ 0.95 − 1) = 30,000
    assert lv.loc["collection_ratio", "status"] == "planned"
    assert lv.loc["collection_ratio", "counted"] == pytest.approx(30_000)
    # fees were not entered: sized (950,000 × 3% = 28,500), never counted
    assert lv.loc["fees", "status"] == "not in the plan" and lv.loc["fees", "amount"] == pytest.approx(28_500)
    assert pd.isna(lv.loc["fees", "counted"])
    # the adjustment rate was entered at today's 5%: planned, adds nothing
    assert lv.loc["adjustments", "status"] == "planned" and lv.loc["adjustments", "counted"] == 0
    assert lv.loc["adjustments", "setting"] == "adjustments held at 5.0% (entered)"
    # not entered, 5% is above the 2.5% band: offered, not counted: 950,000 × (0.975 ÷ 0.95 − 1) = 25,000
    lv2, _, _ = _levers(default_inputs("FY2026", hand_history(), {"overhead_budget": BUDGET}))
    assert lv2.loc["adjustments", "status"] == "not in the plan"
    assert lv2.loc["adjustments", "amount"] == pytest.approx(25_000) and pd.isna(lv2.loc["adjustments", "counted"])
    # the gap 50,000 − 30,000 planned = 20,000 left for the volume levers, at the plan's 98%:
    assert left == pytest.approx(20_000)
    # no-shows 10% → 7%: 1,000 ÷ 0.9 booked × 3% = 33.33 visits × 1,000 × 0.98 = 32,666.67
    assert lv.loc["no_shows", "amount"] == pytest.approx(32_666.67, abs=0.01)
    assert lv.loc["no_shows", "status"] == "counted"
    assert lv.loc["no_shows", "share_of_lever"] == pytest.approx(20_000 / 32_666.67, abs=1e-6)
    # case acceptance +5 × 500,000 × 0.98 = 24,500; utilization 5 × 1,600 × 1,000 × 0.98 = 78,400;
    # new patients 24 × 1,200 × 0.98 = 28,224: not needed
    assert lv.loc["case_acceptance", "amount"] == pytest.approx(24_500)
    assert lv.loc["utilization", "amount"] == pytest.approx(78_400)
    assert lv.loc["utilization", "hours"] == pytest.approx(80)
    assert lv.loc["new_patients", "amount"] == pytest.approx(28_224)
    assert set(lv.loc[["case_acceptance", "utilization", "new_patients"], "status"]) == {"available"}
    assert "planned changes bring $30,000" in text and "close the rest ($20,000)" in text


def test_a_planned_lever_is_never_offered_again():
    # the case: fees +3%, collection ratio 98% and added chair hours entered
    inputs = hand_inputs(fee_change_pct=3, added_chair_hours=160)
    lv, text, left = _levers(inputs)
    assert lv.loc["fees", "status"] == "planned" and "(entered)" in lv.loc["fees", "setting"]
    assert lv.loc["capacity", "status"] == "planned"
    assert (lv.loc[["fees", "collection_ratio", "capacity"], "status"] == "planned").all()
    # chained: fees 950,000 × 3% = 28,500; ratio 978,500 × (0.98/0.95 − 1) = 30,900;
    # hours 1,009,400 × (1,760/1,600 − 1) = 100,940 → 1,110,340 at today's utilization, goal 1,000,000
    assert lv.loc["fees", "counted"] == pytest.approx(28_500)
    assert lv.loc["collection_ratio", "counted"] == pytest.approx(30_900)
    assert lv.loc["capacity", "counted"] == pytest.approx(100_940)
    assert left == pytest.approx(1_000_000 - 1_110_340)
    assert (lv.loc[lv["kind"] == "volume", "status"] != "counted").all()
    assert "no other lever is needed" in text


def test_levers_not_sized_and_already_met():
    hist = hand_history(no_show_rate=0.05, case_acceptance_value=None)
    hist.new_patient_annual_value = None
    lv, _, _ = _levers(hist=hist)
    assert lv.loc["no_shows", "amount"] == 0
    assert pd.isna(lv.loc["case_acceptance", "amount"]) and "treatment plans" in lv.loc["case_acceptance", "formula"]
    assert pd.isna(lv.loc["new_patients", "amount"])


def test_levers_short_of_the_gap():
    # goal 1,300,000 − 980,000 with the planned ratio = 320,000 left; every volume lever together
    # adds 32,666.67 + 24,500 + 78,400 + 28,224 = 163,790.67
    lv, text, left = _levers(hand_inputs(profit_target=400_000))
    counted = lv.loc[lv["status"] == "counted", "counted"].sum()
    assert left == pytest.approx(320_000) and counted == pytest.approx(163_790.67, abs=0.01)
    assert "$156,209 short of the rest ($320,000)" in text
    assert combination(lv.reset_index())["lever"].tolist()[:2] == ["adjustments", "collection_ratio"]



# --- KPI targets --------------------------------------------------------------------------------


def test_kpi_target_steps_toward_band():
    assert kpi_target(0.40, 0.45, 0.45, "up", 0.5)[0] == pytest.approx(0.425)
    assert kpi_target(0.10, 0.068, 0.07, "down", 0.5)[0] == pytest.approx(0.085)
    assert kpi_target(0.99, 0.97, 0.99, "up")[1].startswith("hold")
    assert kpi_target(None, 0.97, 0.99, "up") == (None, "not computable today")


def test_kpi_targets_are_the_plans_rates():
    plan = build_plan(hand_inputs(), hand_history())
    t = plan.kpi_targets.set_index("metric")
    # the ledger's collection ratio and adjustment rate, the budget's share of the goal
    assert t.loc["collection_ratio", "target"] == 0.98 and t.loc["adjustments_rate", "target"] == 0.05
    assert t.loc["overhead_ratio", "target"] == pytest.approx(0.6)
    # the utilization the goal needs = today + the points the levers counted (63.78%)
    assert t.loc["chair_utilization", "target"] == plan.capacity.required_utilization
    assert t.loc["chair_utilization", "target"] == pytest.approx(0.625 + plan.combination["points"].sum())
    # no-shows: 61.2% of the lever's 3 points → 10% − 1.84 points = 8.16%
    assert t.loc["no_show_rate", "target"] == pytest.approx(0.10 - 0.03 * 20_000 / 32_666.666667)
    # case acceptance is not counted on: held, with what a step toward the band would be
    assert t.loc["case_acceptance_value", "target"] == 0.40
    assert t.loc["case_acceptance_value", "how"].startswith("hold: the goal does not count on a change")


def test_no_target_for_a_measure_whose_table_is_not_delivered(tmp_path):
    from dyad_lib.data.load import load_practice
    from dyad_lib.goals.history import history_from_practice
    from report_fixtures import write_minimal

    # a practice delivering financials and expenses only: targets for the money measures, none
    # for case acceptance, no-shows or the schedule (their tables are absent), never "not computable"
    write_minimal(tmp_path, "fin-only", "Fin Only")
    hist = history_from_practice(load_practice("fin-only", tmp_path), "FY2026")
    assert hist.absent["case_acceptance_value"] == "treatment_plans"
    assert "collection_ratio" not in hist.absent
    t = build_plan(hand_inputs(), hist).kpi_targets.set_index("metric")
    assert "collection_ratio" in t.index and "case_acceptance_value" not in t.index
    assert not t["how"].str.contains("not computable").any()


def test_utilization_target_holds_when_the_goal_needs_less():
    plan = build_plan(hand_inputs(added_chair_hours=800), hand_history())
    t = plan.kpi_targets.set_index("metric")
    need = plan.capacity.required_utilization  # 1,020,408.16 ÷ (2,400 × 1,000) = 42.5%
    assert need == pytest.approx(0.425170, abs=1e-6)
    assert t.loc["chair_utilization", "target"] == 0.625 and "needs only 42.5%" in t.loc["chair_utilization", "how"]


# --- phasing ------------------------------------------------------------------------------------


def test_allocate_cents_largest_remainder():
    # 100.00 in three equal parts: 33.34 + 33.33 + 33.33 (the first tie gets the extra cent)
    assert allocate_cents(100, [1, 1, 1]) == [33.34, 33.33, 33.33]
    assert allocate_cents(10, [0, 1, 1]) == [0.0, 5.0, 5.0]
    assert allocate_cents(-1, [1, 2]) == [-0.33, -0.67]
    with pytest.raises(ValueError):
        allocate_cents(10, [0, 0])


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**11),
       weights=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=14)
       .filter(lambda ws: sum(ws) > 0))
def test_allocate_cents_sums_exactly(cents, weights):
    from fractions import Fraction

    parts = allocate_cents(cents / 100, weights)
    assert sum(round(p * 100) for p in parts) == cents
    wsum = sum(Fraction(w) for w in weights)
    for p, w in zip(parts, weights):
        if w == 0:
            assert p == 0
        exact = Fraction(cents, 100) * Fraction(w) / wsum  # each part is within a cent of its exact share
        assert abs(Fraction(str(p)) - exact) < Fraction(1, 100)


@pytest.mark.parametrize("fysm", range(1, 13))
def test_phasing_sums_exactly_for_every_fiscal_start(fysm):
    months = fiscal_year_period(2027, fysm).months
    closed = months[4]  # the fifth month of the year is closed (0 working days)
    wd = pd.Series([0.0 if m == closed else 20.0 + (i % 3) for i, m in enumerate(months)], index=months)
    idx = pd.Series([1.0 + 0.05 * (k % 4) for k in range(1, 13)], index=range(1, 13))
    goal = 1_234_567.89
    df = phase({"collections": goal, "net_production": goal / 0.97}, months, wd, idx)
    assert round(df["collections"].sum(), 2) == goal
    assert sum(round(x * 100) for x in df["collections"]) == 123_456_789
    assert round(df["net_production"].sum(), 2) == round(goal / 0.97, 2)
    assert df.loc[df["month"] == closed, "collections"].item() == 0
    assert list(df["month"]) == months
    # never ÷ 12: an open 20-day month with index 1.0 differs from goal ÷ 12
    assert df["collections"].nunique() > 2


def test_phase_weights_are_days_times_index():
    months = fiscal_year_period(2026, 1).months
    wd = pd.Series([10.0] + [20.0] * 11, index=months)
    idx = pd.Series([1.0] * 12, index=range(1, 13))
    df = phase({"collections": 230_000}, months, wd, idx)
    # 230 working days: January 10 ÷ 230 × 230,000 = 10,000; the others 20,000
    assert df["collections"].iloc[0] == 10_000
    assert (df["collections"].iloc[1:] == 20_000).all()


def test_seasonal_index_by_hand():
    # two calendar years, 20 working days a month; March produces 62,400, other months 52,000
    months = pd.date_range("2023-01", "2024-12", freq="MS")
    monthly = pd.DataFrame({"month": months, "net_production": [62_400.0 if m.month == 3 else 52_000.0 for m in months],
                            "working_days": 20.0})
    idx, note = seasonal_index(monthly, 1)
    # year: 11 × 52,000 + 62,400 = 634,400 over 240 days = 2,643.33 a day;
    # March 3,120 ÷ 2,643.33 = 1.18033; other months 2,600 ÷ 2,643.33 = 0.98361
    assert idx[3] == pytest.approx(1.180328, abs=1e-6)
    assert idx[1] == pytest.approx(0.983607, abs=1e-6)
    assert "FY2023, FY2024" in note
    flat, note = seasonal_index(monthly.iloc[:6], 1)
    assert (flat == 1.0).all() and "less than one full" in note


def test_planned_working_days_sources():
    months = fiscal_year_period(2026, 7).months  # 2025-07 … 2026-06
    hist = {pd.Timestamp("2024-07-01"): 18.0, pd.Timestamp("2023-08-01"): 19.0}
    wd, src = planned_working_days(months, hist, {"2025-09": 0})
    assert wd.iloc[0] == 18  # same month last year
    assert wd.iloc[1] == 19  # two years earlier
    assert wd.iloc[2] == 0  # entered
    assert wd.iloc[3] == business_days(pd.Timestamp("2025-10-01")) == 23
    assert "entered by the partners" in src and "Monday–Friday" in src


# --- goal lines for later reports ---------------------------------------------------------------

GOALS = {"FY2026": {"collection_goal": 300.0, "net_production_goal": 600.0, "gross_production_goal": 900.0,
                    "phasing": {"2025-07": 100.0, "2025-08": 0.0, "2025-09": 200.0},
                    "phasing_net_production": {"2025-07": 200.0, "2025-08": 0.0, "2025-09": 400.0},
                    "working_days": {"2025-07": 10.0, "2025-08": 0.0, "2025-09": 20.0}},
         "FY2027": {"collection_goal": 50.0, "net_production_goal": 50.0, "gross_production_goal": 50.0,
                    "phasing": {"2025-10": 50.0}}}


def test_goal_line_helpers():
    assert monthly_goal(GOALS, "2025-09") == 200
    assert monthly_goal(GOALS, pd.Timestamp("2025-07-01"), "net_production") == 200
    assert monthly_goal(GOALS["FY2026"], "2025-08") == 0
    assert monthly_goal(GOALS, "2024-01") is None
    assert monthly_goal({}, "2025-09") is None and monthly_goal(None, "2025-09") is None
    assert ytd_goal(GOALS, "2025-08") == 100
    assert ytd_goal(GOALS, "2025-09") == 300
    assert ytd_goal(GOALS, "2025-10") == 50  # the next fiscal year starts again
    assert ytd_goal(GOALS, "2030-01") is None
    assert annual_goal(GOALS, "FY2026", "gross_production") == 900
    assert annual_goal(GOALS, "FY2030") is None
    line = goal_line(GOALS, "2025-06", "2025-10")
    assert pd.isna(line.iloc[0]) and list(line.iloc[1:]) == [100, 0, 200, 50]
    pace = pace_needed(GOALS, "2025-07", actual_ytd=90.0)
    # 300 − 90 = 210 left over 2 months and 20 working days
    assert pace["remaining"] == 210 and pace["months_left"] == 2 and pace["per_working_day"] == 10.5
    assert pace_needed(GOALS, "2020-01", 0) is None
    with pytest.raises(ValueError):
        monthly_goal(GOALS, "2025-09", "profit")


def test_collection_lag_by_hand():
    from dyad_lib.goals.lag import collection_lag, lagged_weights

    # collections = 70% of this month's net production + 30% of last month's, exactly
    months = pd.date_range("2023-01", "2025-06", freq="MS")
    net = [100_000.0 + 10_000 * ((i * 7) % 5) for i in range(len(months))]
    coll = [0.7 * net[i] + 0.3 * net[i - 1] if i else net[0] for i in range(len(months))]
    lag = collection_lag(pd.DataFrame({"month": months, "net_production": net, "collections": coll}))
    assert lag.shares == pytest.approx((0.7, 0.3), abs=1e-9) and lag.months == 27
    assert lag.mean_months == pytest.approx(0.3) and "70% in the month itself, 30% one month later" in lag.sentence()
    # weights shift: month m gets 70% of its own and 30% of the month before (the year wraps)
    assert lagged_weights([10.0, 20.0, 30.0], lag) == pytest.approx([0.7 * 10 + 0.3 * 30, 0.7 * 20 + 0.3 * 10,
                                                                      0.7 * 30 + 0.3 * 20])
    short = collection_lag(pd.DataFrame({"month": months[:10], "net_production": net[:10], "collections": coll[:10]}))
    assert not short.measured and short.shares == (1.0,) and "not measured" in short.sentence()


def test_collections_phase_with_the_lag_and_production_without():
    from dyad_lib.goals.lag import Lag

    months = fiscal_year_period(2026, 1).months
    wd = pd.Series([20.0] * 6 + [10.0] * 6, index=months)
    idx = pd.Series([1.0] * 12, index=range(1, 13))
    df = phase({"collections": 180_000.0, "net_production": 180_000.0}, months, wd, idx, Lag((0.5, 0.5), 20))
    # production: 20-day months 20,000, 10-day months 10,000; collections: half this month, half last
    assert df["net_production"].iloc[0] == 20_000 and df["net_production"].iloc[6] == 10_000
    assert df["collections"].iloc[6] == 15_000 and df["collections"].iloc[7] == 10_000
    assert df["collections"].iloc[0] == 15_000  # January: half of December's (the year wraps)
    assert round(df["collections"].sum(), 2) == 180_000 == round(df["net_production"].sum(), 2)


def test_medical_vocabulary():
    hist = hand_history()
    hist.kind = "medical"
    plan = build_plan(hand_inputs(), hist)
    rows = plan.ledger.rows.set_index("step")
    assert rows.loc["net_production_goal", "label"] == "= Net charges goal"
    assert rows.loc["gross_production_goal", "formula"].startswith("net charges goal ÷")
    by = {c.id: c for c in plan.checks}
    assert by["per_hour"].label == "Net charges per exam-room hour"
    assert "of exam-room hours booked" in by["utilization"].reason
    assert "exam-room time" in plan.levers.set_index("lever").loc["utilization", "setting"]
    assert words("Net production per chair hour", "dental") == "Net production per chair hour"


def test_waterfall_frame_stacks_the_ledger():
    from dyad_lib.reports.goal_charts import waterfall_frame

    lg = build_ledger(hand_inputs(), hand_history())
    wf = waterfall_frame(lg).set_index("label")
    # the nine overhead categories stack to 600,000, then owners, debt and profit to 1,000,000
    assert wf.loc["Other overhead", "end"] == 600_000
    assert wf.loc["Profit / reinvestment", "end"] == 1_000_000
    assert (wf.loc["Collection goal", "start"], wf.loc["Collection goal", "end"]) == (0, 1_000_000)
    # 1,020,408.16 − 1,000,000 = 20,408.16 not collected; then 53,705.69 adjustments
    assert wf.loc["Not collected (ratio)", "amount"] == pytest.approx(20_408.16)
    assert wf.loc["Adjustments", "end"] == pytest.approx(1_074_113.85)
    assert "Net charges goal" in set(waterfall_frame(lg, "medical")["label"])


def test_payroll_band_is_dental_only():
    from dyad_lib.goals.realism import check_payroll, payroll_band

    # 20–25% wages + 3–6% taxes and benefits (Burkhart; McKenzie: dental consultants)
    assert payroll_band("dental") == pytest.approx((0.23, 0.31))
    assert payroll_band("medical") is None
    # $803,770 of payroll on a $2,453,928 goal = 32.8%: no band to judge it by in a medical practice
    c = check_payroll(803_770, 2_453_928, payroll_band("medical"))
    assert c.status == "n/a" and "32.8%" in c.reason and "no published payroll band" in c.reason
