"""Generate a large practice deterministically: a multi-provider group over many years.

The benchmark's "large practice" is 10 years of a 40-provider group (about 2,000,000 appointments),
written as plain CSV exactly as a practice-management export would be. Everything comes from a
seeded numpy generator, so the same arguments always give byte-identical files. Columnar
generation (numpy + pyarrow's CSV writer) keeps generation itself to a few seconds.

    python benchmarks/large_practice.py OUT_DIR [--providers 40] [--years 10] [--per-day 20]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from dyad_lib.data.contract import EXPENSE_CATEGORIES

END_MONTH = np.datetime64("2026-09", "M")
STATUSES = np.array(["completed", "no_show", "cancelled", "scheduled"])
VISITS = np.array(["hygiene", "exam", "restorative", "new_patient", "procedure", "other"])

PRACTICE_YAML = """\
practice_id: {pid}
name: Large Group Dental {providers}
kind: dental
fiscal_year_start_month: 1
currency: USD
active_patient_months: 18
partners:
  clinical_lead: Dr. Bench Mark
  business_lead: Pat Ops
"""


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'A0000001'-style identifiers, built column-wise (no Python loop over rows)."""
    return pa.array(np.char.add(prefix, np.char.zfill(numbers.astype(str), width)))


def _write(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def generate(out_dir: str | Path, practice_id: str = "large-group", providers: int = 40, years: int = 10,
             per_day: int = 20, seed: int = 2026) -> Path:
    """Write `<out_dir>/<practice_id>/` (practice.yaml, financials, expenses, capacity, appointments,
    treatment_plans) and return the folder. About 250 appointments per provider per 12.5 working days."""
    rng = np.random.default_rng(seed)
    folder = Path(out_dir) / practice_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practice.yaml").write_text(PRACTICE_YAML.format(pid=practice_id, providers=providers))
    months = np.arange(END_MONTH - 12 * years + 1, END_MONTH + 1)
    first = months[0].astype("datetime64[D]")
    last = (END_MONTH + 1).astype("datetime64[D]") - 1
    days = np.arange(first, last + 1)
    workdays = days[np.is_busday(days)]
    prov_ids = np.char.add("D", np.char.zfill(np.arange(1, providers + 1).astype(str), 2))

    # appointments: per_day per provider per working day
    n = len(workdays) * providers * per_day
    day_idx = np.repeat(np.arange(len(workdays)), providers * per_day)
    prov_idx = np.tile(np.repeat(np.arange(providers), per_day), len(workdays))
    dates = workdays[day_idx]
    patients_per_provider = 2500
    patient = prov_idx * patients_per_provider + rng.integers(0, patients_per_provider, n)
    status = rng.choice(4, n, p=[0.86, 0.05, 0.09, 0.0])
    status[dates > last - 20] = 3  # the last weeks hold booked future visits too
    status[dates > last] = 3
    visit = rng.choice(6, n, p=[0.38, 0.18, 0.22, 0.05, 0.12, 0.05])
    minutes = rng.choice(np.array([30, 45, 60, 90]), n, p=[0.3, 0.3, 0.3, 0.1])
    production = np.round(rng.gamma(2.0, 120.0, n), 2)
    production[status != 0] = 0.0
    booked = rng.random(n) < 0.7
    booked_arr = pa.array(booked, mask=status != 0)
    documented = dates + rng.integers(0, 4, n).astype("timedelta64[D]")
    doc_arr = pa.array(documented, mask=status != 0)
    appts = pa.table({
        "appointment_id": _ids("A", np.arange(1, n + 1), 8),
        "date": pa.array(dates),
        "provider_id": pa.array(prov_ids[prov_idx]),
        "patient_id": _ids("P", patient, 6),
        "chair_minutes": pa.array(minutes),
        "status": pa.array(STATUSES[status]),
        "visit_type": pa.array(VISITS[visit]),
        "production": pa.array(production),
        "next_visit_booked": booked_arr,
        "documented_date": doc_arr,
    })
    _write(appts, folder / "appointments.csv")

    # financials per provider and month, built from the appointments so the numbers agree
    month_of = dates.astype("datetime64[M]")
    m_idx = (month_of - months[0]).astype(int)
    key = m_idx * providers + prov_idx
    gross = np.bincount(key, weights=production, minlength=len(months) * providers)
    gross = np.round(gross * 1.15, 2)
    adj = np.round(gross * rng.uniform(0.18, 0.28, gross.size), 2)
    coll = np.round((gross - adj) * rng.uniform(0.93, 1.0, gross.size), 2)
    ar = np.round(coll * rng.uniform(0.9, 1.4, gross.size), 2)
    fin = pa.table({
        "month": pa.array(np.repeat(months.astype(str), providers)),
        "provider_id": pa.array(np.tile(prov_ids, len(months))),
        "gross_production": gross, "adjustments": adj, "collections": coll,
        "ar_balance": ar, "ar_over_90": np.round(ar * rng.uniform(0.05, 0.15, gross.size), 2),
    })
    _write(fin, folder / "financials.csv")

    cats = np.array(EXPENSE_CATEGORIES)
    month_coll = coll.reshape(len(months), providers).sum(axis=1)
    share = rng.uniform(0.01, 0.12, (len(months), len(cats)))
    exp = pa.table({
        "month": pa.array(np.repeat(months.astype(str), len(cats))),
        "category": pa.array(np.tile(cats, len(months))),
        "amount": np.round((share * month_coll[:, None]).ravel(), 2),
    })
    _write(exp, folder / "expenses.csv")

    wd = np.bincount((workdays.astype("datetime64[M]") - months[0]).astype(int), minlength=len(months))
    cap = pa.table({
        "month": pa.array(months.astype(str)),
        "chair_hours_available": (wd * providers * 9.0).astype(float),
        "provider_hours_available": (wd * providers * 8.0).astype(float),
        "working_days": wd.astype(float),
    })
    _write(cap, folder / "capacity.csv")

    k = n // 10
    pick = np.sort(rng.choice(n, k, replace=False))
    presented = rng.gamma(2.0, 900.0, k).round(2) + 50
    accepted = np.where(rng.random(k) < 0.6, presented, 0.0)
    pdates = dates[pick]
    plans = pa.table({
        "plan_id": _ids("T", np.arange(1, k + 1), 7),
        "patient_id": _ids("P", patient[pick], 6),
        "provider_id": pa.array(prov_ids[prov_idx[pick]]),
        "presented_date": pa.array(pdates),
        "amount_presented": presented,
        "amount_accepted": accepted,
        "accepted_date": pa.array(pdates + rng.integers(0, 30, k).astype("timedelta64[D]"), mask=accepted == 0),
    })
    _write(plans, folder / "treatment_plans.csv")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--practice-id", default="large-group")
    ap.add_argument("--providers", type=int, default=40)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--per-day", type=int, default=20)
    a = ap.parse_args()
    print(generate(a.out_dir, a.practice_id, a.providers, a.years, a.per_day))


if __name__ == "__main__":
    main()
