"""Partnership metrics and views, checked against hand-computed values on tiny practices."""

from __future__ import annotations

import pandas as pd
import pytest

from dyad_lib.metrics.periods import parse_period
from dyad_lib.metrics.partnership import PARTNERSHIP_METRICS, partnership_metrics
from dyad_lib.partnership.logs import action_plan_status, conflict_summary
from dyad_lib.metrics.partnership import overdue_mask
from dyad_lib.partnership.rhythm import meeting_rhythm
from dyad_lib.metrics.partnership import planned_slots

from partnership_fixtures import write_practice, main_practice

Q3 = parse_period("2026Q3")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return main_practice(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def q3(practice):
    return partnership_metrics(practice, Q3)


def test_exactly_the_contract_ids(q3):
    assert list(q3) == [
        "dyad_alignment", "dyad_health", "meeting_adherence_weekly", "meeting_adherence_monthly",
        "meeting_adherence_quarterly", "meeting_adherence_annual", "action_items_done_on_time",
        "action_items_overdue", "conflicts_open", "conflict_days_to_resolve",
    ]
    assert {k: v.unit for k, v in q3.items()} == PARTNERSHIP_METRICS
    assert all(v.id == k for k, v in q3.items())


def test_dyad_alignment_and_health(q3):
    # Latest assessment on or before 2026-09-30 rated by both partners is 2026-09-10
    # (2026-09-20 has the physician only; 2026-10-05 is after the period end).
    # |phys - admin| per area: 1,1,0,2,0,0,0, 0,0,0,2,0,1,0 -> sum 7, mean 7/14 = 0.5
    # alignment = 1 - 0.5 / 4 = 0.875
    assert q3["dyad_alignment"].value == pytest.approx(0.875)
    # health: physician ratings sum 28 + 20 = 48, administrator 24 + 21 = 45; 93 / 28
    assert q3["dyad_health"].value == pytest.approx(93 / 28)
    assert q3["dyad_health"].unit == "score_1_5"


def test_dyad_alignment_uses_the_assessment_in_force(practice):
    q1 = partnership_metrics(practice, parse_period("2026Q1"))
    # 2026-03-15: both partners rate every area 3 -> no difference, alignment 1, health 3
    assert q1["dyad_alignment"].value == 1.0
    assert q1["dyad_health"].value == 3.0
    feb = partnership_metrics(practice, parse_period("2026-02"))
    assert feb["dyad_alignment"].value is None and "no assessment" in feb["dyad_alignment"].reason
    assert feb["dyad_health"].value is None


def test_meeting_adherence(q3):
    # Weekly: 13 ISO weeks have their Monday in 2026Q3 (Jul 6,13,20,27; Aug 3,10,17,24,31;
    # Sep 7,14,21,28). Held weeks: Jul 6, Jul 13 (twice: the extra one does not count), Aug 3, 10,
    # 17, 24, Aug 31 (met Tue Sep 1), Sep 7, 14, 21 (met Tue Sep 22) = 10. Jul 20 logged as
    # missed, Jul 27 and Sep 28 not logged. Wed Jul 1 belongs to the week of Mon Jun 29 (2026Q2).
    assert q3["meeting_adherence_weekly"].value == pytest.approx(10 / 13)
    # Monthly: July held, August held twice (counts once), September logged as not held -> 2/3
    assert q3["meeting_adherence_monthly"].value == pytest.approx(2 / 3)
    # Quarterly: one slot, held on Sep 15 -> 1/1
    assert q3["meeting_adherence_quarterly"].value == 1.0
    # Annual: a quarter is shorter than a year
    assert q3["meeting_adherence_annual"].value is None
    assert "shorter" in q3["meeting_adherence_annual"].reason


def test_q3_has_13_weekly_slots_and_fiscal_year_slots():
    mondays = planned_slots(Q3, "weekly")
    assert len(mondays) == 13
    assert mondays[0] == pd.Timestamp("2026-07-06") and mondays[-1] == pd.Timestamp("2026-09-28")
    assert all(m.weekday() == 0 for m in mondays)
    assert len(planned_slots(Q3, "monthly")) == 3
    assert len(planned_slots(Q3, "quarterly")) == 1
    assert planned_slots(Q3, "annual") == []
    fy = parse_period("FY2027", 7)  # 2026-07 .. 2027-06
    assert len(planned_slots(fy, "quarterly")) == 4 and len(planned_slots(fy, "annual")) == 1
    assert planned_slots(parse_period("2026-09"), "quarterly") == []
    # September 2026 starts on a Tuesday: Mondays 7, 14, 21, 28
    assert len(planned_slots(parse_period("2026-09"), "weekly")) == 4


def test_meeting_rhythm_table(practice):
    t = meeting_rhythm(practice.tables["meetings"], Q3, 1).set_index("cadence")
    assert t.loc["weekly", ["planned", "held", "missed", "not_logged", "extra"]].tolist() == [13, 10, 1, 2, 1]
    # durations of the held weekly meetings in Q3's slots: 15, 20, 10, then 15 x 8 -> 165 / 11
    assert t.loc["weekly", "avg_duration_minutes"] == pytest.approx(165 / 11)
    assert t.loc["monthly", ["planned", "held", "missed", "not_logged", "extra"]].tolist() == [3, 2, 1, 0, 1]
    assert t.loc["monthly", "avg_duration_minutes"] == pytest.approx((60 + 60 + 45) / 3)
    assert t.loc["annual", "adherence"] is None or pd.isna(t.loc["annual", "adherence"])


def test_meeting_adherence_fiscal_year_and_before_the_log(practice):
    fy = partnership_metrics(practice, parse_period("FY2026"))  # calendar 2026
    # Annual: one slot (the year), held on 2026-01-20
    assert fy["meeting_adherence_annual"].value == 1.0
    # Quarterly: 4 slots, one held (Q3)
    assert fy["meeting_adherence_quarterly"].value == pytest.approx(1 / 4)
    # Monthly: 12 slots, 2 held
    assert fy["meeting_adherence_monthly"].value == pytest.approx(2 / 12)
    # Weekly: Mondays in 2026 = 52 (Jan 5 .. Dec 28), 10 held + the week of Jun 29 (Wed Jul 1) = 11
    assert len(planned_slots(parse_period("FY2026"), "weekly")) == 52
    assert fy["meeting_adherence_weekly"].value == pytest.approx(11 / 52)
    # A month before the weekly log starts (2026-07-01): not computable, not 0%
    feb = partnership_metrics(practice, parse_period("2026-02"))
    assert feb["meeting_adherence_weekly"].value is None
    assert "starts on 2026-07-01" in feb["meeting_adherence_weekly"].reason


def test_action_items(q3):
    # Due in 2026Q3 and not dropped: A1 (on time), A2 (late), A3 (open), A7 (in progress),
    # A8 (done on the due date = on time); A5 dropped, A4 due Oct 1, A6 due Jun 30. -> 2 / 5
    assert q3["action_items_done_on_time"].value == pytest.approx(0.4)
    # Overdue at the period end (due_date < Sep 30): A7 (due Sep 20),
    # A6 (due Jun 30, completed only on Oct 5, so still overdue then) -> 2.
    # Not: A3 (due Sep 30 itself: not before the period end), A4 (due Oct 1), A5 (dropped),
    # A2/A1/A8 (done before the end).
    assert q3["action_items_overdue"].value == 2
    assert q3["action_items_overdue"].unit == "count"


def test_overdue_exactly_on_the_boundary(tmp_path):
    p = write_practice(tmp_path, {"action_plan": (
        "item_id,title,area,owner,created_date,due_date,status,completed_date\n"
        "L,Due on the last day,,both,2026-07-01,2026-09-30,open,\n"
        "D,Due the day after,,both,2026-07-01,2026-10-01,open,\n")})
    df = p.tables["action_plan"]
    # metrics.md: overdue when due_date < period end (the last day, 2026-09-30)
    assert overdue_mask(df, "2026-09-30").tolist() == [False, False]
    assert overdue_mask(df, "2026-10-01").tolist() == [True, False]
    assert overdue_mask(df, "2026-10-02").tolist() == [True, True]
    m = partnership_metrics(p, Q3)
    assert m["action_items_overdue"].value == 0
    oct_ = partnership_metrics(p, parse_period("2026-10"))
    assert oct_["action_items_overdue"].value == 2  # both due before Oct 31
    # Only L is due in Q3, and it is not done -> 0 / 1 = 0 (a real zero, the denominator is 1)
    assert m["action_items_done_on_time"].value == 0.0


def test_action_plan_status_view(practice):
    s = action_plan_status(practice.tables["action_plan"], "2026-09-30",
                           focus_areas=["shared_vision", "clear_communication"]).set_index("item_id")
    assert s.loc["A3", "status_as_of"] == "open" and pd.isna(s.loc["A3", "days_overdue"])  # due that day
    assert s.loc["A7", "status_as_of"] == "overdue" and s.loc["A7", "days_overdue"] == 10
    # A6: due Jun 30, done only on Oct 5 -> overdue by 92 days at Sep 30 (Jul 31 + Aug 31 + Sep 30)
    assert s.loc["A6", "status_as_of"] == "overdue" and s.loc["A6", "days_overdue"] == 92
    assert s.loc["A4", "status_as_of"] == "open" and pd.isna(s.loc["A4", "days_overdue"])
    assert s.loc["A5", "status_as_of"] == "dropped"
    assert s.loc["A1", "status_as_of"] == "done" and bool(s.loc["A1", "done_on_time"])
    assert not bool(s.loc["A2", "done_on_time"])
    assert s.loc["A3", "focus"] and s.loc["A1", "focus"] and not s.loc["A7", "focus"]
    # Overdue first, most days first
    assert list(s.index[:2]) == ["A6", "A7"]
    # Due up to Sep 30 and not dropped: A1, A2, A3, A6, A7, A8; on time A1, A8 -> 2/6
    ordered = action_plan_status(practice.tables["action_plan"], "2026-09-30")
    assert ordered.attrs["done_on_time_rate"] == pytest.approx(2 / 6)


def test_conflicts(q3):
    # Open at the end of 2026-09-30: C3 (resolved Oct 2, after the end), C4 (opened on Sep 30)
    # Not: C5 (opened Oct 1), C1/C2/C7/C6 resolved by then.
    assert q3["conflicts_open"].value == 2
    # Resolved in Q3: C1 Jan 10 -> Jul 20 = 21+28+31+30+31+30+20 = 191 days; C2 Aug 1 -> Aug 11
    # = 10 days; C7 Jul 1 -> Sep 30 = 91 days. Median of (10, 91, 191) = 91.
    assert q3["conflict_days_to_resolve"].value == 91
    assert q3["conflict_days_to_resolve"].unit == "days"


def test_conflict_summary(practice):
    s = conflict_summary(practice.tables["conflicts"], Q3)
    assert s["open"] == 2 and s["resolved_in_period"] == 3 and s["median_days_to_resolve"] == 91
    # Opened in Q3: C2 (Aug 1), C3 (Sep 1), C4 (Sep 30), C7 (Jul 1) = 4
    assert s["opened_in_period"] == 4
    # Opened by Sep 30 with `mediated` recorded: C1 T, C2 F, C3 F, C6 F, C7 T -> 2/5 (C4 blank)
    assert s["mediated_share"] == pytest.approx(2 / 5)
    # Longest running open conflict at Sep 30: C3, open since Sep 1 = 29 days
    assert s["longest_running"]["conflict_id"] == "C3" and s["longest_running"]["days_open"] == 29
    # In Q2 C1 (opened Jan 10) was the longest open one: Jan 10 -> Jun 30 = 171 days
    q2 = conflict_summary(practice.tables["conflicts"], parse_period("2026Q2"))
    assert q2["longest_running"]["conflict_id"] == "C1" and q2["longest_running"]["days_open"] == 171
    assert q2["resolved_in_period"] == 1 and q2["median_days_to_resolve"] == 241  # C6: Nov 1 -> Jun 30
    # The whole log to Sep 30: C6 ran 241 days (Nov 1 2025 -> Jun 30 2026), longer than C1's 191
    ever = s["longest_in_log"]
    assert ever["conflict_id"] == "C6" and ever["days"] == 241 and not ever["open"] and ever["mediated"] is False
    h = s["history"].set_index("conflict_id")
    assert "C5" not in h.index  # opened Oct 1, after the period
    # C3 was resolved on Oct 2, so at Sep 30 it is open, 29 days so far, with no resolved date yet
    assert bool(h.loc["C3", "open"]) and h.loc["C3", "days"] == 29 and pd.isna(h.loc["C3", "resolved_date"])
    assert h.loc["C7", "days"] == 91 and not bool(h.loc["C7", "open"])
    assert list(h.index[:2]) == ["C4", "C3"]  # newest first
    assert conflict_summary(None, Q3)["available"] is False


def test_missing_tables_are_missing_with_reason(tmp_path):
    p = write_practice(tmp_path, {})
    m = partnership_metrics(p, Q3)
    assert set(m) == set(PARTNERSHIP_METRICS)
    for mid, v in m.items():
        assert v.value is None, mid
        assert v.reason and "no " in v.reason, mid
    assert "dyad_assessment" in m["dyad_alignment"].reason
    assert "meetings" in m["meeting_adherence_weekly"].reason
    assert "action_plan" in m["action_items_overdue"].reason
    assert "conflicts" in m["conflicts_open"].reason


def test_empty_denominators_are_missing(tmp_path):
    p = write_practice(tmp_path, {
        "action_plan": "item_id,title,area,owner,created_date,due_date,status,completed_date\n"
                       "X,Dropped in Q3,,both,2026-07-01,2026-08-01,dropped,\n",
        "conflicts": "conflict_id,opened_date,topic,resolved_date,mediated\nK,2026-08-01,Topic,,\n",
        "meetings": "date,cadence,held,duration_minutes\n2026-07-07,weekly,true,15\n",
    })
    m = partnership_metrics(p, Q3)
    assert m["action_items_done_on_time"].value is None  # only a dropped item was due
    assert m["action_items_overdue"].value == 0  # a count: nothing is overdue
    assert m["conflict_days_to_resolve"].value is None and "resolved" in m["conflict_days_to_resolve"].reason
    assert m["conflicts_open"].value == 1
    assert m["meeting_adherence_weekly"].value == pytest.approx(1 / 13)
    # No monthly meeting was ever logged: not computable rather than 0%
    assert m["meeting_adherence_monthly"].value is None
    assert "no monthly meetings" in m["meeting_adherence_monthly"].reason


# --- the assessment views ---------------------------------------------------------------------

from dyad_lib.partnership.assessment import (
    assessment_change,
    assessment_view,
    classify,
    focus_areas,
    list_assessments,
    partner_lists,
)
from partnership_fixtures import ADMIN, ADMIN_IMP, PHYS, PHYS_IMP, assessment_csv  # noqa: E402


@pytest.fixture(scope="module")
def view(practice):
    return assessment_view(practice.tables["dyad_assessment"], "2026-09-30")


def test_assessment_view_every_classification(view):
    assert view.attrs["assessment_date"] == pd.Timestamp("2026-09-10")
    cls = dict(zip(view["area"], view["classification"]))
    # both >= 4: engagement 5/4, professionalism 5/5, quality 4/4, supportive 4/4, respect 4/4
    assert [a for a, c in cls.items() if c == "shared_strength"] == [
        "engagement", "professionalism", "quality_commitment", "supportive_environment", "respect_trust"]
    # both <= 2: shared_vision 2/2, recognition 2/1
    assert [a for a, c in cls.items() if c == "shared_gap"] == ["shared_vision", "recognition"]
    # |difference| >= 2: constructive_feedback 4/2, clear_communication 2/4
    assert [a for a, c in cls.items() if c == "perception_gap"] == ["constructive_feedback", "clear_communication"]
    # org_understanding 4/3 differs by 1 but is not both >= 4: neither
    assert cls["org_understanding"] == "neither" and cls["advocacy"] == "neither"


def test_self_and_partner_views(view):
    v = view.set_index("area")
    # constructive_feedback is delivered by the physician: self view = physician's 4, partner = 2
    assert v.loc["constructive_feedback", ["deliverer", "self_view", "partner_view", "gap"]].tolist() == [
        "physician", 4.0, 2.0, 2.0]
    # clear_communication is delivered by the administrator: self 4 (administrator), partner 2
    assert v.loc["clear_communication", ["deliverer", "self_view", "partner_view", "gap"]].tolist() == [
        "administrator", 4.0, 2.0, 2.0]
    # recognition: administrator (self) 1, physician (partner) 2 -> gap -1
    assert v.loc["recognition", "gap"] == -1.0 and v.loc["recognition", "abs_gap"] == 1.0
    assert v.loc["clear_communication", "label"] == "Clear communication"
    # importance = mean of both: constructive_feedback (4 + 5) / 2 = 4.5; none given -> 3 assumed
    assert v.loc["constructive_feedback", "importance"] == 4.5
    assert v.loc["advocacy", "importance"] == 3.0 and not v.loc["advocacy", "importance_given"]


def test_classification_precedence():
    assert classify(5, 4) == "shared_strength"
    assert classify(2, 1) == "shared_gap"
    assert classify(4, 2) == "perception_gap" and classify(1, 3) == "perception_gap"
    assert classify(3, 4) == "neither" and classify(3, 2) == "neither"
    # with hand-edited non-integer means the first matching rule wins
    assert classify(4.0, 4.0) == "shared_strength"
    assert classify(5, None) == "incomplete"


def test_focus_areas_ranking(view):
    # Candidates are the shared gaps and perception gaps; score = importance x (5 - the lower rating):
    # clear_communication 5 x (5 - 2) = 15; constructive_feedback 4.5 x (5 - 2) = 13.5;
    # shared_vision 3.5 x (5 - 2) = 10.5; recognition 2 x (5 - 1) = 8. (By the mean, shared_vision's
    # 2/2 would outrank the 2-against-4 gaps.)
    f = focus_areas(view, n=4)
    assert f["area"].tolist() == ["clear_communication", "constructive_feedback", "shared_vision", "recognition"]
    assert f["focus_score"].tolist() == pytest.approx([15.0, 13.5, 10.5, 8.0])
    top = focus_areas(view)
    assert top["area"].tolist() == ["clear_communication", "constructive_feedback"] and top["rank"].tolist() == [1, 2]
    reason = top.iloc[0]["reason"]
    assert reason.startswith("Clear communication:") and "4 (self view)" in reason and "2 (partner view)" in reason
    assert "perception gap of 2 points" in reason and "(5 − lower rating 2) = score 15" in reason
    assert reason.count(".") == 1  # one sentence


def test_the_widest_gap_is_never_hidden_by_the_mean(tmp_path):
    # 5 against 2 (mean 3.5) is proposed before a 3-against-3 area and ties a 2-against-2 one,
    # winning the tie on the wider difference.
    phys, admin = [4] * 14, [4] * 14
    phys[10], admin[10] = 2, 5          # clear_communication: 5 vs 2
    phys[8], admin[8] = 2, 2            # shared_vision: 2 vs 2
    phys[5], admin[5] = 3, 3            # advocacy: 3 vs 3
    p = write_practice(tmp_path, {"dyad_assessment": assessment_csv(
        {"2026-06-01": [("physician", phys, None), ("administrator", admin, None)]})})
    f = focus_areas(assessment_view(p.tables["dyad_assessment"]), n=3)
    assert f["area"].tolist() == ["clear_communication", "shared_vision", "advocacy"]
    assert f["focus_score"].tolist() == pytest.approx([9.0, 9.0, 6.0])


def test_focus_proposal_depends_only_on_the_ratings(tmp_path):
    # the same ratings on two dates propose the same areas, in the same order
    phys, admin = list(PHYS), list(ADMIN)
    rows = {d: [("physician", phys, PHYS_IMP), ("administrator", admin, ADMIN_IMP)] for d in ("2026-03-01", "2026-06-01")}
    df = write_practice(tmp_path, {"dyad_assessment": assessment_csv(rows)}).tables["dyad_assessment"]
    a = focus_areas(assessment_view(df, date="2026-03-01"))
    b = focus_areas(assessment_view(df, date="2026-06-01"))
    assert a["area"].tolist() == b["area"].tolist() == ["clear_communication", "constructive_feedback"]
    assert a["reason"].tolist() == b["reason"].tolist()


def test_focus_areas_fall_back_to_neither_and_skip_strengths(tmp_path):
    # Every area 4/4 except advocacy 3/3 (importance 5, 4 -> 4.5 x (5 - 3) = 9) and recognition 3/4
    # (no importance -> 3 x (5 - 3) = 6): no gap at all, so the "neither" areas fill the list.
    phys = [4] * 14
    admin = [4] * 14
    phys[5] = admin[5] = 3
    phys[12] = 3
    pi = [None] * 14
    ai = [None] * 14
    pi[5], ai[5] = 5, 4
    p = write_practice(tmp_path, {"dyad_assessment": assessment_csv(
        {"2026-06-01": [("physician", phys, pi), ("administrator", admin, ai)]})})
    v = assessment_view(p.tables["dyad_assessment"])
    f = focus_areas(v, n=3)
    assert f["area"].tolist() == ["advocacy", "recognition"]
    assert f["focus_score"].tolist() == pytest.approx([9.0, 6.0])
    assert "no shared strength" in f.iloc[0]["reason"]
    assert "assumed" in f.iloc[1]["reason"]


def test_partner_lists_compare_strengths_and_gaps(view):
    lists = partner_lists(view)
    phys = lists[lists["respondent"] == "physician"]
    # the physician's strengths (own rating >= 4), best first, then gaps (<= 2), worst first
    assert phys[phys["list"] == "strength"]["area"].tolist()[:3] == ["engagement", "professionalism",  # 5, 5, then 4s
                                                                      "org_understanding"]
    gaps = phys[phys["list"] == "gap"].set_index("area")
    assert set(gaps.index) == {"shared_vision", "clear_communication", "recognition"}
    # shared_vision 2/2 is on both gap lists (a synergy); clear_communication 2/4 only on the physician's
    assert gaps.loc["shared_vision", "shared"] and not gaps.loc["clear_communication", "shared"]
    admin = lists[lists["respondent"] == "administrator"].set_index(["list", "area"])
    assert admin.loc[("gap", "recognition"), "rating"] == 1.0 and admin.loc[("gap", "recognition"), "shared"]
    assert admin.loc[("strength", "clear_communication"), "other_rating"] == 2.0


def test_incomplete_area_and_missing_assessment(tmp_path):
    ratings = [3] * 14
    partial = [3] * 13 + [None]
    p = write_practice(tmp_path, {"dyad_assessment": assessment_csv(
        {"2026-06-01": [("physician", partial, None), ("administrator", ratings, None)]})})
    v = assessment_view(p.tables["dyad_assessment"]).set_index("area")
    assert v.loc["professional_development", "classification"] == "incomplete"
    assert "professional_development" not in focus_areas(v.reset_index(), n=14)["area"].tolist()
    listed = list_assessments(p.tables["dyad_assessment"])
    assert listed[["physician_areas", "administrator_areas", "usable", "complete"]].iloc[0].tolist() == [
        13, 14, True, False]
    assert assessment_view(p.tables["dyad_assessment"], "2026-05-31").empty
    assert assessment_view(None).attrs["assessment_date"] is None


def test_list_assessments(practice):
    listed = list_assessments(practice.tables["dyad_assessment"])
    assert [d.strftime("%Y-%m-%d") for d in listed["assessment_date"]] == [
        "2026-03-15", "2026-09-10", "2026-09-20", "2026-10-05"]
    assert listed["complete"].tolist() == [True, True, False, True]
    assert listed.loc[2, ["physician_areas", "administrator_areas"]].tolist() == [14, 0]


def test_assessment_change(practice):
    c = assessment_change(practice.tables["dyad_assessment"], "2026-09-30").set_index("area")
    assert c.attrs["assessment_date"] == pd.Timestamp("2026-09-10")
    assert c.attrs["previous_date"] == pd.Timestamp("2026-03-15")  # 2026-09-20 is incomplete
    # everything was 3 on 2026-03-15
    assert c.loc["engagement", ["physician_change", "administrator_change", "mean_change"]].tolist() == [2, 1, 1.5]
    assert c.loc["recognition", ["physician_change", "administrator_change"]].tolist() == [-1, -2]
    assert c.loc["clear_communication", "classification_before"] == "neither"
    assert c.loc["clear_communication", "classification_now"] == "perception_gap"
    first = assessment_change(practice.tables["dyad_assessment"], "2026-06-30")
    assert first.empty and first.attrs["previous_date"] is None


# --- surveys, the checkpoint agenda and the recurring questions --------------------------------

from dyad_lib.partnership.checkpoint import checkpoint_agenda, latest_answers  # noqa: E402
from dyad_lib.partnership.surveys import nps, patient_feedback, role_groups, team_survey_by_role  # noqa: E402
from partnership_fixtures import full_practice  # noqa: E402


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return full_practice(tmp_path_factory.mktemp("full"))


def test_nps():
    # 10, 9, 8, 6, 10: promoters 3/5 = 60%, detractors 1/5 = 20% -> 40
    assert nps(pd.Series([10, 9, 8, 6, 10])) == pytest.approx(40.0)
    assert nps(pd.Series([], dtype=float)) is None


def test_role_groups_min_responses():
    assert role_groups({"staff": 5, "physician": 3, "administrator": 1}) == [
        ("staff",), ("physician", "administrator")]  # fold of 1 merged into the smallest shown role
    assert role_groups({"staff": 4, "physician": 2, "administrator": 2}) == [
        ("staff",), ("physician", "administrator")]  # the two small roles reach 4 together
    assert role_groups({"staff": 5, "physician": 1, "administrator": 1}) == [
        ("physician", "administrator", "staff")]
    assert role_groups({"staff": 3, "physician": 3}) == [("physician",), ("staff",)]
    assert role_groups({"staff": 1, "administrator": 1}) == []


def test_team_survey_by_role(full):
    t = team_survey_by_role(full.tables["team_survey"], Q3).set_index("group")
    # the lone administrator response is never shown alone: merged with the physicians (3)
    assert list(t.index) == ["physician+administrator", "staff", "overall"]
    pa = t.loc["physician+administrator"]
    # satisfaction (3 + 4 + 5 + 2) / 4 = 3.5; burnout >= 3: 3, 3, 4 -> 3/4;
    # recommend 9, 9, 8, 5: promoters 2/4 - detractors 1/4 = 25
    assert pa["responses"] == 4 and pa["satisfaction_mean"] == 3.5
    assert pa["burnout_share"] == 0.75 and pa["enps"] == pytest.approx(25.0)
    assert "together" in pa["note"]
    st = t.loc["staff"]
    # satisfaction 18 / 5 = 3.6; burnout 3, 4 -> 2/5; recommend 9, 10 promoters, 6, 3 detractors -> 0
    assert st["satisfaction_mean"] == pytest.approx(3.6) and st["burnout_share"] == pytest.approx(0.4)
    assert st["enps"] == pytest.approx(0.0)
    ov = t.loc["overall"]
    # 9 responses: satisfaction 32 / 9; burnout 5 / 9; promoters 4, detractors 3 -> 100 / 9
    assert ov["responses"] == 9 and ov["satisfaction_mean"] == pytest.approx(32 / 9)
    assert ov["burnout_share"] == pytest.approx(5 / 9) and ov["enps"] == pytest.approx(100 / 9)
    # 2026-06 has no response at all: nothing shown, with the reason
    empty = team_survey_by_role(full.tables["team_survey"], parse_period("2026-06"))
    assert empty.empty and "fewer than 3" in empty.attrs["note"]


def test_patient_feedback(full):
    f = patient_feedback(full.tables["patient_survey"], Q3)
    assert f["responses"] == 5 and f["nps"] == pytest.approx(40.0)
    assert f["promoters"] == pytest.approx(0.6) and f["detractors"] == pytest.approx(0.2)
    assert f["rating_mean"] == pytest.approx(39 / 5)  # 9 + 8 + 7 + 5 + 10
    # newest first, raw text (escaping is the report's job), no identifier of any kind
    assert [c["comment"] for c in f["comments"]] == ["Waited 40 minutes", "<b>Great</b> & kind", "Friendly team"]
    assert set(f["comments"][0]) == {"date", "comment"}
    # 2026Q1 has two responses: withheld
    q1 = patient_feedback(full.tables["patient_survey"], parse_period("2026Q1"))
    assert q1["nps"] is None and q1["comments"] == [] and "fewer than 3" in q1["note"]
    assert patient_feedback(None, Q3)["note"] == "no patient_survey table"


def test_checkpoint_agenda_names_its_evidence(full):
    a = checkpoint_agenda(full, Q3)
    working = [i.text for i in a["working"]]
    improve = [i.text for i in a["improve"]]
    assert any(t.startswith("Both partners rate Engagement, Professionalism") for t in working)
    assert "Quarterly strategy sessions: 1 of 1 held in 2026Q3 (100%)." in working
    # Q2 NPS: 10, 6, 6 -> 33.3 - 66.7 = -33; Q3 40
    assert "Patient NPS rose from -33 in 2026Q2 to 40 in 2026Q3 (5 responses)." in working
    assert any("Clear communication: the business lead rates it 4 and the clinical lead 2" in t for t in improve)
    assert any("Constructive feedback: the clinical lead rates it 4 and the business lead 2" in t for t in improve)
    assert any(t.startswith("Shared vision: both partners rate it 2 or lower") for t in improve)
    assert "2 of 5 action items due in 2026Q3 were done on time (40%)." in improve
    assert any(t.startswith("2 action items were overdue on September 30, 2026") and "92 days" in t for t in improve)
    assert any(t.startswith("Weekly touch points: 10 of 13 held in 2026Q3 (77%)") for t in improve)
    assert any(t.startswith("2 conflicts were open on September 30, 2026") for t in improve)
    # burnout 0/3 in Q2 -> 5/9 = 56% in Q3: rising
    assert "Burnout: 56% of 9 team survey responses in 2026Q3, up from 0% in 2026Q2." in improve
    assert "Team satisfaction fell from 4.0 in 2026Q2 to 3.6 of 5 in 2026Q3." in improve
    assert all(i.text.endswith(".") for i in a["working"] + a["improve"])


def test_checkpoint_without_partnership_tables(tmp_path):
    a = checkpoint_agenda(write_practice(tmp_path, {}), Q3)
    assert a == {"working": [], "improve": []}


def test_latest_answers(full):
    t = latest_answers(full.tables["partner_questions"], "2026-09-30").set_index("question")
    assert list(t.index) == ["biggest_challenge", "success_this_year", "wish_understood",
                             "feedback_needed", "appreciate_most"]
    assert t.loc["biggest_challenge", "physician_answer"] == "Keeping the schedule full"
    assert t.loc["biggest_challenge", "administrator_answer"] == "Insurance changes, again"  # not Oct 1
    assert t.loc["appreciate_most", "administrator_answer"] == "<i>Your calm</i>"  # raw, escaped later
    assert pd.isna(t.loc["appreciate_most", "physician_answer"])
    assert t.loc["biggest_challenge", "question_text"].startswith("What is the biggest challenge")
    assert latest_answers(full.tables["partner_questions"], "2026-03-31").loc[0, "physician_answer"] == "Hiring a hygienist"
    assert latest_answers(None)["physician_answer"].isna().all()


def test_unreadable_values_never_raise(tmp_path):
    # loaded with collect=True, unreadable values become missing: the metrics still compute
    from dyad_lib.data.load import load_practice

    folder = tmp_path / "bad-one"
    write_practice(tmp_path, {}, pid="bad-one")
    (folder / "meetings.csv").write_text("date,cadence,held,duration_minutes\nxx,weekly,maybe,\n"
                                         "2026-07-07,weekly,true,abc\n")
    (folder / "conflicts.csv").write_text("conflict_id,opened_date,topic,resolved_date,mediated\n"
                                          "C,bad,t,2026-07-01,x\nD,2026-07-01,t,,\n")
    (folder / "action_plan.csv").write_text("item_id,title,area,owner,created_date,due_date,status,completed_date\n"
                                            "A,,nope,both,bad,bad,weird,\nB,t,,both,2026-07-01,2026-07-02,open,\n")
    p = load_practice("bad-one", tmp_path, collect=True)
    assert p.issues
    m = partnership_metrics(p, Q3)
    assert m["meeting_adherence_weekly"].value == pytest.approx(1 / 13)
    # C has no readable opened date: not counted as resolved (its duration is unknown)
    assert m["conflict_days_to_resolve"].value is None and m["conflicts_open"].value == 1
    assert m["action_items_overdue"].value == 1  # B; A has no readable due date
    agenda = checkpoint_agenda(p, Q3)
    assert "0 of 1 action item due in 2026Q3 was done on time (0%)." in [i.text for i in agenda["improve"]]
    assert not any("nan" in i.text for i in agenda["improve"] + agenda["working"])


def test_missing_instruments_point_to_their_template(tmp_path, practice):
    from dyad_lib.partnership.instruments import INSTRUMENT_TABLES, missing_instruments

    none = missing_instruments(write_practice(tmp_path, {}))
    assert [m["table"] for m in none] == list(INSTRUMENT_TABLES)
    by = {m["table"]: m for m in none}
    assert "dyad forms" in by["dyad_assessment"]["template"]
    assert "dyad new" in by["conflicts"]["template"] and "opened_date" in by["conflicts"]["template"]
    assert by["meetings"]["collects"] == "a log of partnership meetings"
    # the main fixture has the assessment, meetings, action plan and conflicts
    assert [m["table"] for m in missing_instruments(practice)] == [
        "feedback_360", "decision_grid", "partner_questions", "focus_areas", "decisions", "team_survey",
        "patient_survey"]
    assert "dyad record" in by["decisions"]["template"] and "capture" in by["focus_areas"]["template"]


def test_decision_grid_view(tmp_path):
    from dyad_lib.partnership.logs import decision_grid_view

    p = write_practice(tmp_path, {"decision_grid": "decision_area,lead,consulted,notes\n"
                                                   "Hiring staff,administrator,physician,\n"
                                                   "Clinical protocols,physician,,\n"
                                                   "Capital purchases,joint,,over $5k\n"
                                                   "Fees,administrator,,\n"})
    g = decision_grid_view(p.tables["decision_grid"])
    assert g["decision_area"].tolist() == ["Clinical protocols", "Fees", "Hiring staff", "Capital purchases"]
    assert g["lead_label"].tolist() == ["Clinical lead", "Business lead", "Business lead", "Joint"]
    assert g.attrs["counts"] == {"physician": 1, "administrator": 2, "joint": 1}
    assert decision_grid_view(None).empty


# --- the demo practice's planted stories --------------------------------------------------------

from dyad_lib.data.paths import data_dir  # noqa: E402

DEMO = data_dir() / "harbor-dental"


@pytest.fixture(scope="module")
def demo():
    from dyad_lib.data.load import load_practice

    return load_practice("harbor-dental")


@pytest.mark.skipif(not (DEMO / "practice.yaml").is_file(), reason="demo data not generated")
def test_demo_stories_are_found(demo):
    p = demo
    view = assessment_view(p.tables["dyad_assessment"], Q3.last_day)
    # the two planted perception gaps in the latest assessment
    assert sorted(view.loc[view["classification"] == "perception_gap", "area"]) == [
        "clear_communication", "constructive_feedback"]
    # the long-running mediated conflict is the longest in the log by the end of 2026Q3
    c = conflict_summary(p.tables["conflicts"], Q3)
    assert c["longest_in_log"]["mediated"] is True and c["longest_in_log"]["days"] >= 90
    # overdue action items at 2026-09-30, each due by then and not done by then
    s = action_plan_status(p.tables["action_plan"], Q3.last_day)
    overdue = s[s["overdue"]]
    assert len(overdue) >= 1
    assert (overdue["due_date"] <= Q3.last_day).all() and (overdue["status_as_of"] == "overdue").all()
    m = partnership_metrics(p, Q3)
    assert m["action_items_overdue"].value == len(overdue)
    improve = [i.text for i in checkpoint_agenda(p, Q3)["improve"]]
    assert any(t.startswith("Clear communication:") and "perception gap" in t for t in improve)
    assert any(t.startswith("Constructive feedback:") and "perception gap" in t for t in improve)
    assert any("overdue on September 30, 2026" in t for t in improve)


@pytest.mark.skipif(not (DEMO / "practice.yaml").is_file(), reason="demo data not generated")
def test_demo_360_never_shows_a_small_group(demo):
    from dyad_lib.partnership.feedback360 import GROUPS, feedback_summary

    p = demo
    for subject in ("physician", "administrator"):
        s = feedback_summary(p.tables["feedback_360"], subject, Q3.last_day)
        assert len(s)
        for g in GROUPS:
            shown = s[s[g].notna()]
            assert (shown[f"{g}_n"] >= 3).all()
        assert ((s["others_n"] == 0) | (s["others_n"] >= 3)).all()
        assert (s["others"].isna() == (s["others_n"] == 0)).all()


def test_slot_of_week_month_and_quarter_boundaries():
    from dyad_lib.metrics.partnership import slot_of

    dates = pd.Series(pd.to_datetime(["2026-07-01", "2026-07-06", "2026-07-12", "2026-09-28",
                                      "2026-10-04", "2026-10-05", None]))
    # Wed Jul 1 -> week of Mon Jun 29 (not a Q3 slot); Sun Oct 4 -> week of Mon Sep 28 (a Q3 slot)
    assert slot_of(dates, Q3, "weekly").dt.strftime("%m-%d").fillna("-").tolist() == [
        "-", "07-06", "07-06", "09-28", "09-28", "-", "-"]
    fy = parse_period("FY2027", 7)  # 2026-07 .. 2027-06: quarters start Jul, Oct, Jan, Apr
    q = slot_of(pd.Series(pd.to_datetime(["2026-06-30", "2026-07-06", "2026-09-30", "2026-10-01", "2027-06-30"])),
                fy, "quarterly")
    assert q.dt.strftime("%Y-%m").fillna("-").tolist() == ["-", "2026-07", "2026-07", "2026-10", "2027-04"]


def test_partnership_series_matches_monthly_metrics(practice):
    from dyad_lib.metrics.partnership import partnership_series

    months = pd.date_range("2026-07-01", "2026-09-01", freq="MS")
    s = partnership_series(practice, months)
    assert list(s.columns) == list(PARTNERSHIP_METRICS) and len(s) == 3
    for m in months:
        got = partnership_metrics(practice, parse_period(m.strftime("%Y-%m")))
        for k, v in got.items():
            assert (pd.isna(s.loc[m, k]) and v.value is None) or s.loc[m, k] == pytest.approx(v.value)
    # July: weekly Mondays 6, 13, 20, 27 -> held 6, 13 (20 missed, 27 not logged) = 2/4
    assert s.loc["2026-07-01", "meeting_adherence_weekly"] == 0.5
    assert pd.isna(s.loc["2026-07-01", "meeting_adherence_quarterly"])
