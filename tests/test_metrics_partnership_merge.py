"""compute_metrics merges the partnership ids from dyad_lib.partnership (values by hand), and
reports them as "not available yet" when that module is missing."""

from __future__ import annotations


import pytest

from dyad_lib.metrics.compute import compute_metrics, monthly_series
from dyad_lib.metrics.periods import parse_period
from metrics_fixtures import DENTAL_TABLES, write_practice
from partnership_fixtures import assessment_csv

Q2 = parse_period("2026Q2")

# monthly: April and May held, June not logged -> 2 / 3. weekly: the 13 Mondays of Q2 are
# Apr 6 13 20 27, May 4 11 18 25, Jun 1 8 15 22 29; held in the first 10 weeks, the 11th missed -> 10 / 13.
# quarterly: one slot, held -> 1 / 1.
WEEKS = ["2026-04-07", "2026-04-14", "2026-04-21", "2026-04-28", "2026-05-05", "2026-05-12", "2026-05-19",
         "2026-05-26", "2026-06-02", "2026-06-09"]
MEETINGS = ("date,cadence,held,duration_minutes\n2026-04-10,monthly,true,60\n2026-05-12,monthly,true,45\n"
            + "".join(f"{d},weekly,true,15\n" for d in WEEKS) + "2026-06-16,weekly,false,\n"
            + "2026-05-20,quarterly,true,120\n2025-06-01,annual,true,300\n")
# c1 resolved in 10 days within Q2; c2 still open at the end of Q2
CONFLICTS = ("conflict_id,opened_date,topic,resolved_date,mediated\n"
             "c1,2026-04-01,hours,2026-04-11,false\nc2,2026-05-01,budget,,\n")
# due in Q2 (not dropped): i1 done on time, i2 open (and overdue at 2026-06-30); i3 dropped
ACTIONS = ("item_id,title,area,owner,created_date,due_date,status,completed_date\n"
           "i1,Agenda,,both,2026-03-01,2026-05-01,done,2026-04-30\n"
           "i2,Budget,,administrator,2026-03-01,2026-06-01,open,\n"
           "i3,Old,,physician,2026-03-01,2026-05-15,dropped,\n")
# every area: clinical lead rates 4, business lead rates 2 -> alignment 1 − |4 − 2| / 4 = 0.5, health 3
ASSESSMENT = assessment_csv({"2026-05-01": [("physician", [4] * 14, None), ("administrator", [2] * 14, None)]})


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    tables = {**DENTAL_TABLES, "meetings": MEETINGS, "conflicts": CONFLICTS, "action_plan": ACTIONS,
              "dyad_assessment": ASSESSMENT}
    return write_practice(tmp_path_factory.mktemp("dyad"), tables)


def test_partnership_ids_by_hand(practice):
    got = compute_metrics(practice, Q2)
    assert got["meeting_adherence_monthly"].value == pytest.approx(2 / 3)
    assert got["meeting_adherence_weekly"].value == pytest.approx(10 / 13)
    assert got["meeting_adherence_quarterly"].value == 1.0
    assert got["meeting_adherence_annual"].value is None  # a quarter is shorter than a year
    assert got["conflicts_open"].value == 1
    assert got["conflict_days_to_resolve"].value == 10
    assert got["action_items_done_on_time"].value == pytest.approx(1 / 2)
    assert got["action_items_overdue"].value == 1
    assert got["dyad_alignment"].value == pytest.approx(1 - 2 / 4)
    assert got["dyad_health"].value == pytest.approx((4 + 2) / 2)
    assert got["dyad_alignment"].unit == "ratio" and got["dyad_health"].unit == "score_1_5"


def test_monthly_series_for_partnership_ids(practice):
    s = monthly_series(practice, ["meeting_adherence_monthly", "conflicts_open"], "2026-04", "2026-06")
    # April and May held; June planned but not held -> 0
    assert s["meeting_adherence_monthly"].tolist() == [1.0, 1.0, 0.0]
    assert s["conflicts_open"].tolist() == [0.0, 1.0, 1.0]  # c1 resolved 04-11, c2 opened 05-01
