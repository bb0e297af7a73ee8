"""The budget beyond the goal: flags on a trend the default would carry (carry or trim, each with
its dollar effect), the committed budget by month, budget against actual and the doctor's
take-home, by hand; the monthly review's section on the demo; the committed year beside today's
derivation; the demo worksheets show what the partners need."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dyad_lib.goals import committed as cm
from dyad_lib.goals.budget import budget_against_actual, budget_of, monthly_budget, take_home, trim_goal
from dyad_lib.goals.inputs import default_inputs
from dyad_lib.goals.plan import build_plan, plan_to_entry
from goals_fixtures import BUDGET, hand_history, hand_inputs


def _history_with_supplies(supplies: float = 80_000.0, prior: float = 60_000.0):
    """Clinical supplies 80,000 on 950,000 collections = 8.4% (band 5–7%), 33% above the 60,000 before."""
    h = hand_history()
    h.expense_base = {**h.expense_base, "clinical_supplies": supplies}
    h.expense_prior = {c: v for c, v in BUDGET.items()} | {"clinical_supplies": prior}
    h.expense_prior_label, h.base_collections = "FY2024", 950_000.0
    return h


def test_a_category_above_its_band_and_its_trend_is_flagged():
    inputs = default_inputs("FY2026", _history_with_supplies(), {"owner_compensation": 250_000,
                                                                "debt_service": 50_000, "profit_target": 100_000})
    (flag,) = inputs.budget_flags
    assert flag.category == "clinical_supplies" and flag.choice == "carry"
    assert "8.4% of collections in FY2025, above its 5%–7% band" in flag.reasons[0]
    assert "33.3% above FY2024 ($60,000)" in flag.reasons[1]
    # carry: 80,000 × 1.03 = 82,400 (in the plan). Trim: the rest of the goal is 620,000 − 60,000 (the
    # other categories × 1.03) … computed: rest = goal − supplies; supplies = 7% of the goal
    rest = sum(b.amount for c, b in inputs.overhead.items() if c != "clinical_supplies") + 400_000
    goal = trim_goal(rest, [0.07])
    assert flag.carry == 82_400 and flag.trim == round(0.07 * goal, 2)
    assert flag.effect == round(82_400 - flag.trim, 2) > 0
    assert inputs.overhead["clinical_supplies"].amount == 82_400


def test_trimming_sets_the_category_to_its_share_of_the_goal():
    h = _history_with_supplies()
    carry = build_plan(default_inputs("FY2026", h, {"profit_target": 100_000}), h)
    trim = build_plan(default_inputs("FY2026", h, {"profit_target": 100_000,
                                                   "budget_choices": {"clinical_supplies": "trim"}}), h)
    supplies = trim.inputs.overhead["clinical_supplies"]
    assert supplies.amount / trim.ledger.collection_goal == pytest.approx(0.07, abs=1e-7)
    assert "chosen by the partners" in supplies.source and trim.inputs.budget_flags[0].choice == "trim"
    # the goal is lower by exactly the flag's effect
    assert carry.ledger.collection_goal - trim.ledger.collection_goal == pytest.approx(
        carry.inputs.budget_flags[0].effect, abs=0.011)


def test_a_fast_grower_within_its_band_trims_to_the_year_before():
    h = _history_with_supplies(supplies=55_000, prior=40_000)  # 5.8%: in band, but +37.5%
    (flag,) = default_inputs("FY2026", h).budget_flags
    assert len(flag.reasons) == 1 and "37.5% above FY2024" in flag.reasons[0]
    assert flag.trim == 41_200 and flag.effect == 55_000 * 1.03 - 41_200  # 40,000 × 1.03


def test_no_flag_for_a_steady_category():
    assert default_inputs("FY2026", hand_history()).budget_flags == []


# --- the committed budget during the year ------------------------------------------------------------


def _entry():
    plan = build_plan(hand_inputs(), hand_history())
    return plan_to_entry(plan, ["Dr. A", "B"], "2025-12-16")


def test_monthly_budget_adds_up_and_follows_production_for_variable_costs():
    e = _entry()
    mb = monthly_budget(e)
    assert list(mb.index) == [f"2026-{m:02d}" for m in range(1, 13)]
    for key, amount in budget_of(e).items():
        assert round(mb[key].sum(), 2) == amount, key
    # staff wages 220,000 spread evenly: 18,333.34 for the first four months, 18,333.33 after
    assert mb["staff_wages"].iloc[0] == 18_333.34 and mb["staff_wages"].iloc[11] == 18_333.33
    # lab follows the net production goal's months
    net = pd.Series(e["phasing_net_production"])
    assert mb["lab"].iloc[0] / 70_000 == pytest.approx(net.iloc[0] / net.sum(), abs=1e-6)
    assert list(mb["collections_goal"]) == list(e["phasing"].values())


def test_budget_of_an_older_entry_reads_its_inputs():
    e = _entry()
    old = {k: v for k, v in e.items() if k != "budget"}
    assert budget_of(old) == budget_of(e)


def test_budget_against_actual_and_take_home_by_hand():
    e = _entry()
    mb = monthly_budget(e)
    # January and February actuals: every category at budget except staff wages 1,000 over each month;
    # owner pay 20,000 a month; collections 90,000 a month
    actual = {}
    for m in ("2026-01", "2026-02"):
        a = {c: float(mb.loc[m, c]) for c in BUDGET}
        a["staff_wages"] += 1_000
        actual[m] = {**a, "owner_compensation": 20_000.0, "debt_service": float(mb.loc[m, "debt_service"]),
                     "collections": 90_000.0}
    bva = budget_against_actual(mb, actual, "2026-02", {"staff_wages": (0.20, 0.25)}).set_index("category")
    assert bva.loc["staff_wages", "month_diff"] == 1_000 and bva.loc["staff_wages", "ytd_diff"] == 2_000
    assert bva.loc["lab", "ytd_diff"] == 0
    assert bva.loc["staff_wages", "ytd_share"] == pytest.approx((mb.loc[["2026-01", "2026-02"], "staff_wages"].sum()
                                                                 + 2_000) / 180_000)
    home = take_home(mb, actual, "2026-02").set_index("span")
    # take-home = collections − overhead − debt; plan = collection goal − overhead budget − debt budget
    over = mb.loc[["2026-01", "2026-02"], list(BUDGET)].to_numpy().sum()
    plan = mb.loc[["2026-01", "2026-02"], "collections_goal"].sum() - over - mb.loc[["2026-01", "2026-02"],
                                                                                    "debt_service"].sum()
    actual_home = 180_000 - (over + 2_000) - mb.loc[["2026-01", "2026-02"], "debt_service"].sum()
    assert home.loc["ytd", "plan_take_home"] == pytest.approx(plan, abs=0.01)
    assert home.loc["ytd", "actual_take_home"] == pytest.approx(actual_home, abs=0.01)
    assert home.loc["ytd", "actual_owner_pay"] == 40_000
    # a month without data gives no actual, never zero
    assert take_home(mb, {"2026-01": actual["2026-01"]}, "2026-02").set_index("span").loc["ytd", "actual_take_home"] is None


# --- a committed year ----------------------------------------------------------------------------------


def test_entered_inputs_are_kept_and_read_back_from_older_entries():
    plan = build_plan(default_inputs("FY2026", hand_history(), {"overhead_change_pct": 4, "fee_change_pct": 2,
                                                                "collection_ratio": 0.97}), hand_history())
    e = plan_to_entry(plan, ["A", "B"], "2025-12-16")
    assert cm.entered_inputs(e) == {"overhead_change_pct": 4.0, "fee_change_pct": 2.0, "collection_ratio": 0.97}
    old = {k: v for k, v in e.items() if k != "entered_inputs"}
    assert cm.entered_inputs(old) == {"overhead_change_pct": 4.0, "fee_change_pct": 2.0, "collection_ratio": 0.97}


def test_compare_and_explain_a_committed_year():
    e = _entry()
    newer = hand_history(collection_ratio=0.96, collections=960_000.0)
    newer.as_of = "2025-12"
    today = build_plan(default_inputs("FY2026", newer, cm.entered_inputs(e)), newer)
    comp = cm.compare(e, today).set_index("step")
    # every input of the hand plan was entered, so the ledger is the same on newer data
    assert comp.loc["collection_goal", "difference"] == 0
    lines = cm.explain(e, today)
    assert lines[0].startswith("Today's data derives the same ledger")
    # a default that moves is named, with its size
    e2 = plan_to_entry(build_plan(default_inputs("FY2026", hand_history(), {"overhead_budget": BUDGET}),
                                  hand_history()), ["A"], "2025-12-16")
    today2 = build_plan(default_inputs("FY2026", newer, cm.entered_inputs(e2)), newer)
    text = " ".join(cm.explain(e2, today2))
    assert "history through November 2025; today's data runs through December 2025" in text
    assert "profit / reinvestment +$10,000" in text  # 960,000 − 890,000 vs 950,000 − 890,000
    assert "expected collection ratio moves from 95.00% to 96.00%" in text


# --- the demo worksheets and the monthly review -------------------------------------------------------


def _html(demo_run, report: str, pid: str) -> str:
    result, root, _ = demo_run
    (r,) = [r for r in result.results if r.report == report and r.practice_id == pid]
    assert r.status in ("ok", "warnings"), r.error
    return (root / r.html).read_text(encoding="utf-8")


@pytest.mark.slow
def test_demo_worksheets_show_what_the_partners_need(demo_run):
    harbor = _html(demo_run, "annual_goals", "harbor-dental")
    maple = _html(demo_run, "annual_goals", "maple-family-medicine")
    for html in (harbor, maple):
        assert "Scenarios side by side" in html and "stretch" in html and "cautious" in html
        assert 'id="dyad-whatif"' in html and len(re.findall(r'<input[^>]*type="number"', html)) == 11
        assert "We agree on the FY2027 goals above" in html
    # harbor: the supplies flag with both choices
    assert "⚑ Clinical supplies</strong>" in harbor and "Bring it back:" in harbor and "Carry it:" in harbor
    assert "FY2027 is not committed yet" in harbor
    # maple: the committed plan, when and by whom, beside today's derivation
    assert "FY2027 is committed.</strong> Agreed on June 17, 2026 by Dr. Samuel Okafor and Priya Natarajan" in maple
    assert "today's data" in maple and "The plan was derived on the history through May 2026" in maple


@pytest.mark.slow
def test_demo_monthly_review_has_the_budget_section(demo_run):
    html = _html(demo_run, "monthly_review", "harbor-dental")
    assert "Against the budget" in html and "The doctor's take-home" in html
    assert "Furthest over its budget this year: clinical supplies" in html
