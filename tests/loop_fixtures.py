"""A tiny practice for the meeting-loop tests (choices, links, the monthly section, the brief),
worked out by hand: collections are 100,000 every month from 2025-10 to 2026-09; clinical supplies
cost 6,000 a month in 2025Q4, 7,000 in 2026Q1 and 2026Q2, and 9,000 in 2026Q3 — so the supplies share
of collections is 6.0% in 2025Q4, 7.0% in 2026Q1/Q2 and 9.0% in 2026Q3."""

from __future__ import annotations

from pathlib import Path

from partnership_fixtures import assessment_csv, write_practice

MONTHS = [f"{y}-{m:02d}" for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]]


def _supplies(m: str) -> int:
    return 6000 if m.startswith("2025") else 9000 if m >= "2026-07" else 7000


TABLES = {
    "expenses": "month,category,amount\n" + "".join(f"{m},clinical_supplies,{_supplies(m)}\n" for m in MONTHS),
    "action_plan": (
        "item_id,title,area,owner,created_date,due_date,status,completed_date,metric_id\n"
        "a1,One supplier,admin_effectiveness,both,2026-03-26,2026-06-30,in_progress,,overhead_ratio_clinical_supplies\n"
        "a2,Monthly summary,clear_communication,administrator,2026-07-01,2026-09-10,done,2026-09-05,\n"
        "a3,Fee changes early,clear_communication,administrator,2026-07-01,2026-09-30,done,2026-10-02,\n"
        "a4,Huddle notes,clear_communication,administrator,2026-09-01,2026-10-20,open,,\n"
        "a5,Dropped one,admin_effectiveness,both,2026-03-26,2026-05-01,dropped,,overhead_ratio_clinical_supplies\n"
        "a6,Later one,admin_effectiveness,both,2026-10-05,2026-11-30,open,,overhead_ratio_clinical_supplies\n"
        "a7,Not yet due,engagement,physician,2026-09-01,2026-12-01,open,,\n"
    ),
    "conflicts": ("conflict_id,opened_date,topic,resolved_date,mediated,metric_id\n"
                  "c1,2026-08-17,Supply spend,,no,overhead_ratio_clinical_supplies\n"),
    "decision_grid": ("decision_area,lead,consulted,notes,metric_id\n"
                      "Supplier selection,administrator,,,overhead_ratio_clinical_supplies\n"
                      "Fees,administrator,,,collection_ratio\n"),
    "decisions": (
        "decision_id,date,cadence,decision,lead,metric_id,area,review_date\n"
        "d1,2026-03-26,quarterly,One person orders,joint,overhead_ratio_clinical_supplies,admin_effectiveness,2026-06-30\n"
        "d2,2026-08-12,monthly,Ask for quotes,administrator,overhead_ratio_clinical_supplies,,2026-10-14\n"
        "d3,2026-09-09,monthly,Summary every month,administrator,,clear_communication,\n"
        "d4,2026-09-09,monthly,Second quote by October,administrator,,,2026-11-30\n"
        "d5,2026-10-14,monthly,Chose supplier B,administrator,,,\n"
    ),
    "focus_areas": (
        "chosen_date,area,note,closed_date\n"
        "2025-12-15,clear_communication,first time,2026-03-01\n"
        "2026-03-26,clear_communication,again,\n"
        "2026-03-26,admin_effectiveness,,\n"
        "2025-12-15,recognition,,2026-06-30\n"
        "2026-10-01,engagement,after the quarter,\n"
    ),
    "dyad_assessment": assessment_csv({
        "2026-03-20": [("physician", [3] * 6 + [2] + [3] * 3 + [2] + [3] * 3, None),
                       ("administrator", [3] * 6 + [3] + [3] * 3 + [5] + [3] * 3, None)],
        "2026-09-18": [("physician", [3] * 6 + [4] + [3] * 3 + [3] + [3] * 3, None),
                       ("administrator", [3] * 6 + [4] + [3] * 3 + [5] + [3] * 3, None)],
    }),
    "partner_questions": (
        "date,respondent,question,answer\n"
        "2026-03-26,physician,biggest_challenge,Time\n"
        "2026-06-25,physician,biggest_challenge,Staff\n2026-06-25,administrator,biggest_challenge,Costs\n"
        "2026-09-24,physician,biggest_challenge,Supplies\n2026-09-30,physician,biggest_challenge,Supplies again\n"
    ),
}


MEETINGS = ("date,cadence,held,duration_minutes\n"
            "2025-10-08,monthly,true,60\n2025-11-12,monthly,true,90\n2025-12-10,monthly,false,\n"
            "2026-08-12,monthly,true,75\n2026-09-09,monthly,true,80\n2026-06-25,quarterly,true,100\n")


def write_loop_practice(root: Path):
    """Write the practice (with a meetings log) and load it."""
    from dyad_lib.data.load import load_practice

    p = write_practice(root, {**TABLES, "meetings": MEETINGS})
    fin = "month,gross_production,adjustments,collections\n" + "".join(f"{m},105000,5000,100000\n" for m in MONTHS)
    (p.folder / "financials.csv").write_text(fin)
    return load_practice(p.practice_id, p.folder.parent)
