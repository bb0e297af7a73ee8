"""A small, deterministic practice for the goal tests: 30 months of every table the goal engine reads.

Numbers are round so the expense base and T12 sums can be checked by hand: every month collects
$50,000 on $55,000 gross production with $3,000 adjustments (net $52,000); expenses per month are
the EXPENSES dict; chair hours 400 a month; working days 20 (except the months in ZERO_DAYS).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from dyad_lib.goals.inputs import GoalInputs, History, default_inputs

GROSS, ADJ, COLL = 55_000.0, 3_000.0, 50_000.0
EXPENSES = {"staff_wages": 12_000.0, "payroll_taxes_benefits": 2_000.0, "facility": 4_000.0,
            "clinical_supplies": 3_000.0, "lab": 2_000.0, "equipment": 1_000.0, "office_admin": 1_000.0,
            "marketing": 500.0, "other_overhead": 500.0, "owner_compensation": 15_000.0, "debt_service": 2_000.0}
CHAIR_HOURS = 400.0
WORKING_DAYS = 20.0


def write_practice(root: Path, practice_id: str = "goal-test", fy_start_month: int = 1,
                   start: str = "2023-01", end: str = "2025-06", seasonal: bool = False,
                   zero_days: tuple[str, ...] = (), with_goals: bool = False) -> Path:
    """Write the practice folder under `root` and return `root` (the data dir)."""
    folder = root / practice_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practice.yaml").write_text(yaml.safe_dump({
        "practice_id": practice_id, "name": "Goal Test Dental", "kind": "dental",
        "fiscal_year_start_month": fy_start_month, "currency": "USD", "active_patient_months": 18,
        "partners": {"clinical_lead": "Dr. Test", "business_lead": "Pat Manager"}}), encoding="utf-8")
    months = pd.date_range(start, end, freq="MS")
    fin, exp, cap = [], [], []
    for m in months:
        f = 1.2 if (seasonal and m.month in (3, 10)) else 1.0
        fin.append({"month": m.strftime("%Y-%m"), "gross_production": GROSS * f, "adjustments": ADJ * f,
                    "collections": COLL * f, "ar_balance": 60_000, "ar_over_90": 6_000})
        for c, a in EXPENSES.items():
            exp.append({"month": m.strftime("%Y-%m"), "category": c, "amount": a})
        wd = 0.0 if m.strftime("%Y-%m") in zero_days else WORKING_DAYS
        cap.append({"month": m.strftime("%Y-%m"), "chair_hours_available": CHAIR_HOURS, "working_days": wd})
    pd.DataFrame(fin).to_csv(folder / "financials.csv", index=False)
    pd.DataFrame(exp).to_csv(folder / "expenses.csv", index=False)
    pd.DataFrame(cap).to_csv(folder / "capacity.csv", index=False)
    rng = np.random.default_rng(7)
    appts, plans, n = [], [], 0
    for i, m in enumerate(months):
        for k in range(40):
            n += 1
            # patients 0..59 recur; each month two brand-new patients appear
            pid = f"P{rng.integers(0, 60):03d}" if k >= 2 else f"N{i:02d}{k}"
            status = "no_show" if k % 10 == 0 else "completed"
            day = 1 + k % 27
            appts.append({"appointment_id": f"A{n:05d}", "date": f"{m:%Y-%m}-{day:02d}", "provider_id": "D1",
                          "patient_id": pid, "chair_minutes": 60, "status": status,
                          "visit_type": "new_patient" if pid.startswith("N") else "hygiene",
                          "production": 500.0, "next_visit_booked": "true" if k % 3 else "false"})
        for k in range(4):
            plans.append({"plan_id": f"T{i:02d}{k}", "patient_id": f"P{k:03d}", "provider_id": "D1",
                          "presented_date": f"{m:%Y-%m}-10", "amount_presented": 2_500.0,
                          "amount_accepted": 1_000.0, "accepted_date": f"{m:%Y-%m}-12"})
    pd.DataFrame(appts).to_csv(folder / "appointments.csv", index=False)
    pd.DataFrame(plans).to_csv(folder / "treatment_plans.csv", index=False)
    return root


# --- a hand-built History for the pure engine ---------------------------------------------------

#: Overhead budget of $600,000: wages 220k, taxes 30k, facility 80k, supplies 60k, lab 70k,
#: equipment 50k, office 40k, marketing 30k, other 20k.
BUDGET = {"staff_wages": 220_000, "payroll_taxes_benefits": 30_000, "facility": 80_000, "clinical_supplies": 60_000,
          "lab": 70_000, "equipment": 50_000, "office_admin": 40_000, "marketing": 30_000, "other_overhead": 20_000}


def hand_history(**t12) -> History:
    """T12: net production 1,000,000 collected at 95% (950,000); 1,600 chair hours at 62.5%
    utilization = 1,000 booked hours → $1,000 net per booked hour; 1,000 completed visits (one
    booked hour each) and a 10% no-show rate; case acceptance 40% of 500,000 presented."""
    values = {"collections": 950_000.0, "net_production": 1_000_000.0, "collection_ratio": 0.95,
              "adjustments_rate": 0.05, "overhead_ratio_lab": 0.07, "overhead_ratio_clinical_supplies": 0.06,
              "chair_hours_available": 1_600.0, "chair_utilization": 0.625, "no_show_rate": 0.10,
              "visits_completed": 1_000.0, "case_acceptance_value": 0.40, "treatment_presented_value": 500_000.0}
    values.update(t12)
    return History(fy_start_month=1, as_of="2025-11", t12_label="T12 to 2025-11", t12=values,
                   expense_base_label="FY2025", expense_base={**BUDGET, "owner_compensation": 240_000,
                                                              "debt_service": 50_000},
                   best_quarter_label="2025Q2", best_quarter_per_hour=650.0, new_patient_annual_value=1_200.0)


def hand_inputs(**over) -> GoalInputs:
    kw = dict(overhead_budget=BUDGET, owner_compensation=250_000, debt_service=50_000, profit_target=100_000,
              collection_ratio=0.98, adjustment_rate=0.05)
    kw.update(over)
    return default_inputs("FY2026", hand_history(), kw)
