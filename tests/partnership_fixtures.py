"""Tiny practices for the partnership tests, written as CSVs and read back with the real loader
(so the fixtures have exactly the loader's dtypes)."""

from __future__ import annotations

from pathlib import Path

from dyad_lib.data.contract import DYAD_AREA_CODES
from dyad_lib.data.load import Practice, load_practice

YAML = """practice_id: {pid}
name: Test Practice
kind: dental
fiscal_year_start_month: {fy}
partners:
  clinical_lead: Dr. A
  business_lead: B
"""
FINANCIALS = "month,gross_production,adjustments,collections\n2026-07,100,10,90\n"


def write_practice(root: Path, tables: dict[str, str], pid: str = "test-practice", fy: int = 1) -> Practice:
    """Write practice.yaml, financials.csv and the given CSV texts, then load them."""
    folder = root / pid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practice.yaml").write_text(YAML.format(pid=pid, fy=fy))
    (folder / "financials.csv").write_text(FINANCIALS)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text)
    return load_practice(pid, root)


def assessment_csv(rows: dict[str, list[tuple]]) -> str:
    """rows: date -> list of (respondent, ratings for the 14 areas in contract order,
    importances or None)."""
    lines = ["assessment_date,respondent,area,rating,importance,note"]
    for date, entries in rows.items():
        for respondent, ratings, importances in entries:
            for i, (area, r) in enumerate(zip(DYAD_AREA_CODES, ratings)):
                if r is None:
                    continue
                imp = "" if importances is None or importances[i] is None else importances[i]
                lines.append(f"{date},{respondent},{area},{r},{imp},")
    return "\n".join(lines) + "\n"


# The latest assessment of the main fixture (2026-09-10). Contract order of the 14 areas:
# engagement, org_understanding, professionalism, constructive_feedback, quality_commitment,
# advocacy, admin_effectiveness | supportive_environment, shared_vision, respect_trust,
# clear_communication, autonomy_accountability, recognition, professional_development
PHYS = [5, 4, 5, 4, 4, 3, 3, 4, 2, 4, 2, 3, 2, 3]
ADMIN = [4, 3, 5, 2, 4, 3, 3, 4, 2, 4, 4, 3, 1, 3]
N = None
PHYS_IMP = [N, N, N, 4, N, N, N, N, 3, N, 5, N, 2, N]
ADMIN_IMP = [N, N, N, 5, N, N, N, N, 4, N, 5, N, 2, N]

MAIN_ASSESSMENT = assessment_csv({
    "2026-03-15": [("physician", [3] * 14, None), ("administrator", [3] * 14, None)],
    "2026-09-10": [("physician", PHYS, PHYS_IMP), ("administrator", ADMIN, ADMIN_IMP)],
    # one partner only: an incomplete assessment, never used
    "2026-09-20": [("physician", [1] * 14, None)],
    # after the period end of 2026Q3
    "2026-10-05": [("physician", [5] * 14, None), ("administrator", [1] * 14, None)],
})

MEETINGS = """date,cadence,held,duration_minutes
2026-07-01,weekly,true,15
2026-07-06,weekly,true,15
2026-07-13,weekly,true,20
2026-07-15,weekly,true,10
2026-07-20,weekly,false,
2026-08-03,weekly,true,15
2026-08-10,weekly,true,15
2026-08-17,weekly,true,15
2026-08-24,weekly,true,15
2026-09-01,weekly,true,15
2026-09-07,weekly,true,15
2026-09-14,weekly,true,15
2026-09-22,weekly,true,15
2026-07-14,monthly,true,60
2026-08-12,monthly,true,60
2026-08-26,monthly,true,45
2026-09-09,monthly,false,
2026-09-15,quarterly,true,120
2026-01-20,annual,true,480
"""

ACTIONS = """item_id,title,area,owner,created_date,due_date,status,completed_date
A1,Share the monthly numbers,clear_communication,administrator,2026-06-01,2026-07-15,done,2026-07-10
A2,Agree feedback routine,constructive_feedback,physician,2026-06-01,2026-08-31,done,2026-09-05
A3,Vision workshop,shared_vision,both,2026-06-01,2026-09-30,open,
A4,Recognition plan,recognition,administrator,2026-06-01,2026-10-01,open,
A5,Dropped idea,,both,2026-06-01,2026-09-10,dropped,
A6,Old item finished late,engagement,physician,2026-01-01,2026-06-30,done,2026-10-05
A7,Budget walk-through,org_understanding,administrator,2026-06-01,2026-09-20,in_progress,
A8,Huddle agenda,clear_communication,administrator,2026-06-01,2026-08-01,done,2026-08-01
"""

CONFLICTS = """conflict_id,opened_date,topic,resolved_date,mediated
C1,2026-01-10,Hygiene schedule,2026-07-20,true
C2,2026-08-01,Supply budget,2026-08-11,false
C3,2026-09-01,New hire,2026-10-02,false
C4,2026-09-30,Bonus rule,,
C5,2026-10-01,Later topic,,false
C6,2025-11-01,Old topic,2026-06-30,false
C7,2026-07-01,Front desk,2026-09-30,true
"""


def main_practice(root: Path) -> Practice:
    return write_practice(root, {"dyad_assessment": MAIN_ASSESSMENT, "meetings": MEETINGS,
                                 "action_plan": ACTIONS, "conflicts": CONFLICTS})

TEAM = """response_date,role,satisfaction,burnout,recommend_workplace
2026-07-10,staff,4,1,9
2026-07-10,staff,4,3,10
2026-08-10,staff,3,2,7
2026-08-10,staff,5,4,6
2026-09-10,staff,2,2,3
2026-07-11,physician,3,3,9
2026-08-11,physician,4,3,9
2026-09-11,physician,5,1,8
2026-09-12,administrator,2,4,5
2026-05-01,staff,4,1,9
2026-05-02,staff,4,1,9
2026-05-03,staff,4,1,9
"""

PATIENTS = """response_date,recommend_score,rating,comment
2026-07-01,10,9,Friendly team
2026-07-15,9,8,
2026-08-01,8,7,"<b>Great</b> & kind"
2026-09-01,6,5,Waited 40 minutes
2026-09-20,10,10,
2026-04-01,10,9,
2026-05-01,6,6,
2026-06-01,6,6,
2026-02-01,10,10,Only two in Q1
2026-03-01,0,0,
"""

QUESTIONS = """date,respondent,question,answer
2026-03-01,physician,biggest_challenge,Hiring a hygienist
2026-09-01,physician,biggest_challenge,Keeping the schedule full
2026-09-02,administrator,biggest_challenge,"Insurance changes, again"
2026-10-01,administrator,biggest_challenge,After the period
2026-09-02,administrator,appreciate_most,<i>Your calm</i>
"""


def full_practice(root: Path) -> Practice:
    return write_practice(root, {"dyad_assessment": MAIN_ASSESSMENT, "meetings": MEETINGS,
                                 "action_plan": ACTIONS, "conflicts": CONFLICTS, "team_survey": TEAM,
                                 "patient_survey": PATIENTS, "partner_questions": QUESTIONS})
