"""A small, clean practice with every table, for the validation and snapshot tests.

Each bad-input case of tests/test_validation.py starts from these files and breaks one thing,
so the expected failure is the only one (the clean practice validates with no failure at all).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PID = "test-clinic"

PRACTICE_YAML = """\
practice_id: {pid}
name: Test Clinic
kind: dental
fiscal_year_start_month: 1
currency: USD
active_patient_months: 18
{extra}partners:
  clinical_lead: Dr. A
  business_lead: B
"""

CLEAN: dict[str, str] = {
    "financials.csv": (
        "month,gross_production,adjustments,collections,ar_balance,ar_over_90\n"
        "2025-01,1000,100,850,2000,300\n"
        "2025-02,1200,150,1000,2100,250\n"
        "2025-03,1100,120,990,2050,200\n"
    ),
    "expenses.csv": (
        "month,category,amount\n"
        "2025-01,staff_wages,400\n2025-01,facility,100\n"
        "2025-02,staff_wages,410\n2025-02,facility,100\n"
        "2025-03,staff_wages,420\n2025-03,owner_compensation,200\n"
    ),
    "capacity.csv": (
        "month,chair_hours_available,provider_hours_available,working_days\n"
        "2025-01,300,250,21\n2025-02,280,240,19.5\n2025-03,310,260,21\n"
    ),
    "appointments.csv": (
        "appointment_id,date,provider_id,patient_id,chair_minutes,status,visit_type,production,"
        "next_visit_booked,documented_date\n"
        "a1,2025-01-06,d1,p1,60,completed,exam,150,yes,2025-01-06\n"
        "a2,2025-02-10,d1,p2,30,no_show,hygiene,,,\n"
        "a3,2025-03-12,d2,p3,90,completed,restorative,400,no,2025-03-14\n"
        "a4,2025-03-20,d2,p1,45,cancelled,exam,,,\n"
        "a5,2025-05-02,d1,p2,60,scheduled,hygiene,,,\n"
    ),
    "treatment_plans.csv": (
        "plan_id,patient_id,provider_id,presented_date,amount_presented,amount_accepted,accepted_date\n"
        "t1,p1,d1,2025-01-06,1000,800,2025-01-20\n"
        "t2,p3,d2,2025-03-12,500,0,\n"
    ),
    "quality_measures.csv": (
        "month,measure_id,measure_name,numerator,denominator,target_rate\n"
        "2025-01,perio_charting,Perio charting,40,50,0.9\n"
        "2025-02,perio_charting,Perio charting,45,50,0.9\n"
    ),
    "patient_survey.csv": (
        "response_date,recommend_score,rating,comment\n"
        "2025-01-10,9,9,Great care\n2025-02-11,6,,Long wait\n"
    ),
    "team_survey.csv": (
        "response_date,role,satisfaction,burnout,recommend_workplace\n"
        "2025-03-01,staff,4,2,8\n2025-03-01,physician,5,1,9\n"
    ),
    "dyad_assessment.csv": (
        "assessment_date,respondent,area,rating,importance,note\n"
        "2025-03-01,physician,engagement,4,5,\n"
        "2025-03-01,administrator,engagement,3,5,more time together\n"
        "2025-03-01,physician,recognition,2,4,\n"
    ),
    "feedback_360.csv": (
        "collected_date,subject,rater_group,competency,rating\n"
        "2025-03-05,physician,self,communication,4\n2025-03-05,physician,staff,communication,3\n"
    ),
    "meetings.csv": "date,cadence,held,duration_minutes\n2025-01-07,weekly,yes,45\n2025-01-14,weekly,no,\n",
    "decision_grid.csv": "decision_area,lead,consulted,notes\nhiring,administrator,physician,\nfees,joint,,\n",
    "conflicts.csv": (
        "conflict_id,opened_date,topic,resolved_date,mediated\n"
        "c1,2025-01-15,Schedule templates,2025-02-01,no\nc2,2025-03-01,Hygiene recall,,\n"
    ),
    "action_plan.csv": (
        "item_id,title,area,owner,created_date,due_date,status,completed_date,metric_id\n"
        "i1,Weekly huddle,clear_communication,both,2025-01-10,2025-02-10,done,2025-02-01,\n"
        "i2,Share P&L,org_understanding,administrator,2025-01-10,2025-04-01,open,,Overhead_Ratio\n"
    ),
    "focus_areas.csv": "chosen_date,area,note,closed_date\n2025-01-10,clear_communication,Say why,\n",
    "decisions.csv": (
        "decision_id,date,cadence,decision,lead,metric_id,area,review_date\n"
        "d1,2025-01-14,monthly,One supplier,administrator,overhead_ratio_clinical_supplies,,2025-04-01\n"
        "d2,2025-02-11,monthly,Chart perio at every recall,physician,quality_perio_charting,quality_commitment,\n"
    ),
    "partner_questions.csv": (
        "date,respondent,question,answer\n"
        "2025-03-01,physician,biggest_challenge,Staffing\n2025-03-01,administrator,appreciate_most,Trust\n"
    ),
    "providers.csv": (
        "provider_id,name,role,active,fte\n"
        "d1,Dr. A,dentist,yes,1\nd2,Dr. C,dentist,yes,0.5\n"
    ),
    "charges.csv": (
        "charge_id,service_date,entry_date,provider_id,amount,submitted_date,denied\n"
        "c1,2025-01-06,2025-01-07,d1,150,2025-01-08,no\nc2,2025-03-12,2025-03-12,d2,400,,\n"
    ),
}


def make_practice(root: Path, changes: dict[str, str | bytes | None] | None = None, *, pid: str = PID,
                  yaml_extra: str = "", yaml_text: str | None = None) -> Path:
    """Write the clean practice into root/pid, applying `changes` (None removes a file)."""
    folder = root / pid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practice.yaml").write_text(yaml_text if yaml_text is not None
                                          else PRACTICE_YAML.format(pid=pid, extra=yaml_extra))
    files: dict[str, str | bytes | None] = {**CLEAN, **(changes or {})}
    for name, content in files.items():
        path = folder / name
        if content is None:
            if path.exists():
                path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def replace_line(file: str, old: str, new: str) -> dict[str, str]:
    """The clean file with one substring replaced (asserting it was there)."""
    text = CLEAN[file]
    assert old in text, (file, old)
    return {file: text.replace(old, new, 1)}


def folder_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
