"""The partners' choices carried from meeting to meeting, and the numbers their items are meant to
move (dyad_lib.partnership.choices and .links), on the tiny practice of loop_fixtures (worked out
by hand there)."""

from __future__ import annotations

import pandas as pd
import pytest

from dyad_lib.metrics.periods import parse_period
from dyad_lib.partnership import choices, links
from dyad_lib.partnership.checkpoint import answers_over_quarters
from loop_fixtures import write_loop_practice


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return write_loop_practice(tmp_path_factory.mktemp("choices"))


Q3 = parse_period("2026Q3")
SEP = parse_period("2026-09")


def test_period_before_an_item_is_the_last_whole_one():
    assert links.period_before("2026-03-26", Q3).label == "2025Q4"  # 2026Q1 was not over yet
    assert links.period_before("2026-07-10", Q3).label == "2026Q2"
    assert links.period_before("2026-03-26", SEP).label == "2026-02"
    assert links.period_before("2026-09-01", SEP).label == "2026-08"


def test_movement_names_both_periods(practice):
    mv = links.movement(practice, "overhead_ratio_clinical_supplies", "2026-03-26", Q3)
    assert (mv.before, mv.now) == (pytest.approx(0.06), pytest.approx(0.09))
    assert mv.direction == "worse"  # lower is better for an overhead share
    assert mv.text == "Overhead: clinical supplies — 6.0% in 2025Q4 → 9.0% in 2026Q3 (+3.0 pts, worse)"
    month = links.movement(practice, "overhead_ratio_clinical_supplies", "2026-03-26", SEP)
    assert month.values_text == "7.0% in February 2026 → 9.0% in September 2026 (+2.0 pts, worse)"
    flat = links.movement(practice, "collection_ratio", "2026-07-10", Q3)
    assert flat.direction == "same" and "about the same" in flat.text
    early = links.movement(practice, "overhead_ratio_clinical_supplies", "2025-10-05", Q3)
    assert early.before is None and early.reason and early.direction is None  # 2025Q3 is before the data


def test_linked_items_group_by_metric(practice):
    groups = links.linked_groups(practice, Q3)
    assert [g.movement.metric_id for g in groups] == ["overhead_ratio_clinical_supplies"]  # Fees: grid only
    g = groups[0]
    assert g.since == pd.Timestamp("2026-03-26")  # the earliest live item: d1 and a1
    items = g.items
    # decisions first, then actions, conflicts, the grid; the dropped action and the one created
    # after the quarter are left out
    assert items["ref"].tolist()[:4] == ["d1", "d2", "a1", "c1"] and items["kind"].iloc[-1] == "Decision grid"
    state = dict(zip(items["ref"], items["state"]))
    assert state["a1"] == "overdue since June 30, 2026 (92 days)"
    assert state["c1"] == "open since August 17, 2026 (44 days)"
    assert state["d2"] == "decided August 12, 2026, review October 14, 2026"


def test_open_focus_and_progress_since_chosen(practice):
    open_ = choices.open_focus(practice.tables["focus_areas"], Q3.last_day)
    # clear_communication was closed, then chosen again; recognition closed; engagement chosen later
    assert open_["area"].tolist() == ["admin_effectiveness", "clear_communication"]
    assert open_.set_index("area").at["clear_communication", "note"] == "again"
    prog = choices.focus_progress(practice, Q3).set_index("area")
    ae = prog.loc["admin_effectiveness"]
    # before: the assessment of 2026-03-20 (in force on 2026-03-26): 2 and 3; now 4 and 4
    assert ae["before_date"] == pd.Timestamp("2026-03-20") and ae["now_date"] == pd.Timestamp("2026-09-18")
    assert (ae["physician_before"], ae["administrator_before"], ae["physician_now"], ae["administrator_now"]) == (
        2.0, 3.0, 4.0, 4.0)
    assert ae["mean_change"] == pytest.approx(1.5)
    # the area's action and decision name the supplies share: measured since the area was chosen
    assert [m.text for m in ae["movements"]] == [
        "Overhead: clinical supplies — 6.0% in 2025Q4 → 9.0% in 2026Q3 (+3.0 pts, worse)"]
    cc = prog.loc["clear_communication"]
    assert cc["mean_change"] == pytest.approx(0.5) and cc["movements"] == []
    hist = choices.focus_history(practice.tables["focus_areas"], Q3.last_day)
    assert hist["open"].tolist() == [True, True, False, False]


def test_decisions_of_the_last_meeting_and_up_for_review(practice):
    last = choices.last_meeting_decisions(practice.tables["decisions"], Q3.last_day)
    assert last["decision_id"].tolist() == ["d3", "d4"] and last.attrs["date"] == pd.Timestamp("2026-09-09")
    start, end = choices.meeting_window(Q3)
    assert (start, end) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    assert choices.up_for_review(practice.tables["decisions"], start, end)["decision_id"].tolist() == ["d2"]
    assert choices.up_for_review(practice.tables["decisions"], "2026-06-01", "2026-06-30")["decision_id"].tolist() == ["d1"]


def test_actions_for_the_meeting(practice):
    a = choices.actions_for_meeting(practice.tables["action_plan"], SEP).set_index("item_id")
    # a1 overdue since June 30 (92 days at September 30); a2 and a3 due in September (a3 completed
    # only on October 2, so at September 30 it is not done yet); a4 due in October (the meeting's month)
    assert a["when"].to_dict() == {"a1": "overdue", "a2": "due", "a3": "due", "a4": "next"}
    assert a.at["a1", "days_overdue"] == 92
    assert a.at["a2", "status"] == "done" and a.at["a3", "status"] == "in_progress"
    assert pd.isna(a.at["a3", "completed_date"])


def test_answers_over_the_last_four_quarters(practice):
    ans = answers_over_quarters(practice.tables["partner_questions"], Q3)
    q = ans[ans["question"] == "biggest_challenge"].set_index("period")
    assert list(q.index) == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert q["physician_answer"].tolist() == [None, "Time", "Staff", "Supplies again"]  # the latest in a quarter
    assert q["administrator_answer"].tolist() == [None, None, "Costs", None]
    assert len(ans) == 5 * 4
