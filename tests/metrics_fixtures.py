"""Small practices for the metric tests, written as CSVs and read back with the real loader (so
the tables have exactly the loader's dtypes). Every number is small enough to check by hand;
the tests write out the arithmetic."""

from __future__ import annotations

from pathlib import Path

from dyad_lib.data.load import Practice, load_practice

YAML = """practice_id: {pid}
name: Test Practice
kind: {kind}
fiscal_year_start_month: {fy}
active_patient_months: {apm}
partners:
  clinical_lead: Dr. A
  business_lead: B
"""

# --- the dental fixture: 2026-01 … 2026-06, active_patient_months = 3 -------------------------

FINANCIALS = """month,gross_production,adjustments,collections,ar_balance,ar_over_90
2026-01,10000,200,9500,12000,1200
2026-02,12000,300,11000,13000,1300
2026-03,11000,100,11500,11000,1000
2026-04,9000,0,9100,10000,2000
2026-05,10000,500,9000,9500,900
2026-06,8000,400,8200,9000,
"""

# every month: staff_wages 2000, lab 500, facility 700, owner_compensation 3000, debt_service 400;
# 2026-02 also marketing 300.
EXPENSES = "month,category,amount\n" + "".join(
    f"2026-{m:02d},staff_wages,2000\n2026-{m:02d},lab,500\n2026-{m:02d},facility,700\n"
    f"2026-{m:02d},owner_compensation,3000\n2026-{m:02d},debt_service,400\n" for m in range(1, 7)
) + "2026-02,marketing,300\n"

# no capacity row for 2026-06
CAPACITY = """month,chair_hours_available
2026-01,100
2026-02,80
2026-03,120
2026-04,100
2026-05,100
"""

# Patients: p1 seen 2026-01 (hygiene) and 2026-04 (hygiene); p2 seen 2026-01 only; p3 first seen
# 2026-02 and 2026-05; p4 first seen 2026-04; p5 first seen 2026-05; p6 only no-shows.
# Provider d3 has appointments only in 2026-01 (cancelled) -> no visits in 2026Q2.
APPOINTMENTS = """appointment_id,date,provider_id,patient_id,chair_minutes,status,visit_type,production,next_visit_booked,documented_date
a01,2026-01-05,d1,p1,60,completed,hygiene,150,true,2026-01-05
a02,2026-01-10,d2,p2,90,completed,restorative,900,,2026-01-14
a03,2026-01-20,d1,p6,30,no_show,hygiene,,,
a04,2026-01-25,d3,p2,30,cancelled,exam,,,
a05,2026-02-03,d2,p3,120,completed,new_patient,400,false,2026-02-04
a06,2026-02-17,d1,p6,30,no_show,hygiene,,,
a07,2026-04-02,d1,p1,60,completed,hygiene,150,true,2026-04-03
a08,2026-04-09,d2,p4,60,completed,exam,200,false,
a09,2026-04-30,d2,p4,45,cancelled,restorative,,,
a10,2026-05-06,d1,p3,60,completed,hygiene,150,false,2026-05-09
a11,2026-05-13,d2,p5,90,completed,restorative,1100,true,2026-05-13
a12,2026-05-20,d1,p6,30,no_show,hygiene,,,
a13,2026-06-08,d2,p5,30,completed,exam,100,,2026-06-08
a14,2026-07-15,d2,p5,60,scheduled,restorative,,,
"""

TREATMENT_PLANS = """plan_id,patient_id,provider_id,presented_date,amount_presented,amount_accepted,accepted_date
t1,p2,d2,2026-01-10,2000,2000,2026-01-10
t2,p3,d2,2026-02-03,1000,0,
t3,p4,d2,2026-04-09,3000,1500,2026-04-20
t4,p5,d2,2026-05-13,500,0,
t5,p1,d1,2026-05-20,400,400,2026-05-21
"""

QUALITY = """month,measure_id,measure_name,numerator,denominator,target_rate
2026-04,perio_charting,Periodontal charting,8,10,0.9
2026-05,perio_charting,Periodontal charting,9,10,0.9
2026-06,perio_charting,Periodontal charting,0,0,0.9
2026-04,caries_risk,Caries risk assessment,3,4,
"""

PATIENT_SURVEY = """response_date,recommend_score,rating,comment
2026-04-03,10,9,
2026-04-10,9,9,
2026-05-02,7,8,
2026-05-20,3,4,slow
2026-06-11,10,10,
"""

# 2026Q2: staff x4, physician x2, administrator x1
TEAM_SURVEY = """response_date,role,satisfaction,burnout,recommend_workplace
2026-04-05,staff,4,2,9
2026-04-06,staff,3,3,6
2026-05-01,staff,5,1,10
2026-06-02,staff,2,4,4
2026-04-07,physician,4,3,8
2026-05-07,physician,5,1,9
2026-06-09,administrator,3,2,7
"""

DENTAL_TABLES = {
    "financials": FINANCIALS, "expenses": EXPENSES, "capacity": CAPACITY, "appointments": APPOINTMENTS,
    "treatment_plans": TREATMENT_PLANS, "quality_measures": QUALITY, "patient_survey": PATIENT_SURVEY,
    "team_survey": TEAM_SURVEY,
}


def write_practice(root: Path, tables: dict[str, str], pid: str = "test-dental", kind: str = "dental",
                   fy: int = 1, apm: int = 3) -> Practice:
    """Write practice.yaml and the given CSV texts (financials required), then load them."""
    folder = root / pid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practice.yaml").write_text(YAML.format(pid=pid, kind=kind, fy=fy, apm=apm))
    for old in folder.glob("*.csv"):
        old.unlink()
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text)
    return load_practice(pid, root)


def dental(root: Path, **overrides: str | None) -> Practice:
    """The dental fixture; `overrides` replace (or, with None, drop) tables."""
    tables = dict(DENTAL_TABLES)
    for k, v in overrides.items():
        if v is None:
            tables.pop(k, None)
        else:
            tables[k] = v
    return write_practice(root, tables)


def practice_from_frames(frames: dict, kind: str = "dental", fy: int = 1, apm: int = 3,
                         pid: str = "frame-practice") -> Practice:
    """A `Practice` built directly from DataFrames shaped like the loader's output: every contract
    column present with the loader's dtype (missing optional columns all-missing), plus `_row`."""
    import pandas as pd

    from dyad_lib.data.contract import TABLES
    from dyad_lib.data.load import PracticeConfig

    dtypes = {"month": "datetime64[ns]", "date": "datetime64[ns]", "money": "float64", "number": "float64",
              "integer": "Int64", "bool": "boolean", "enum": "str", "str": "str", "text": "str"}
    tables = {}
    for name, df in frames.items():
        df = pd.DataFrame(df).reset_index(drop=True)
        out = pd.DataFrame(index=df.index)
        for col in TABLES[name].columns:
            s = df[col.name] if col.name in df else pd.Series([None] * len(df), index=df.index, dtype=object)
            if col.kind in ("month", "date"):
                s = pd.to_datetime(s)
            out[col.name] = s.astype(dtypes[col.kind])
        out["_row"] = range(2, len(out) + 2)
        tables[name] = out
    config = PracticeConfig(practice_id=pid, name="Frame Practice", kind=kind, fiscal_year_start_month=fy,
                            active_patient_months=apm)
    return Practice(pid, Path("."), config, tables, {}, [])
