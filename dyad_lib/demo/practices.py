"""Deterministic demo data: two fictional practices that exercise every table and every report.

Why: notebooks default to these practices, tests and reviewers need stories they can check, and
the loader needs real-export variants (US dates, `$1,234.56`, semicolons, cp1252). Everything is
drawn from numpy's `default_rng` with fixed seeds, rows are sorted and numbers are written with
fixed formats, so every run writes the same bytes (the generated files are committed in `data/`).

Practices (data 2023-01 … 2026-09; a few `scheduled` appointments in 2026-10 … 2026-11; each
folder also gets the goals.yaml that `dyad_lib.goals.history.write_demo_goals` plans on this data: FY2026
for both, and FY2027 for maple, whose fiscal year starts in July — see DEMO_GOAL_YEARS):

* ``harbor-dental`` — "Harbor Cosmetic & Implant Dentistry", dental, calendar fiscal year,
  active window 18 months, ISO dates, plain money, whole-practice financials. Dentists D01–D03,
  hygienists H01–H03, patients ``HD-001000`` …
* ``maple-family-medicine`` — "Maple Street Family Medicine", medical, fiscal year from July,
  active window 36 months, dates ``%m/%d/%Y``, money ``$1,234.56`` in financials and expenses,
  financials per physician (MD01–MD04), ``expenses.csv`` semicolon-delimited,
  ``patient_survey.csv`` cp1252-encoded (comments with "Très bien", "Zoë"), patients ``MRN0010000`` ….

Stories planted for the reports (tests in tests/test_demo.py check them):

* Seasonality — harbor: August (office closed the second full week, fewer elective visits) and
  late December (closed 24–31 Dec) dip in production; maple: winter respiratory peak in
  January–February (acute visits ×1.55), summer dip June–August (≈ 75 visits a working day
  against ≈ 100 in winter).
* Slow collections quarter — harbor 2025Q2 (2025-04 … 2025-06) collection ratio 90.5% against
  ≈ 98–99% normally (Q1 of each year ≈ 96%, after the December dip), partly caught up in 2025Q3
  (100.8%); maple 2025Q4 (2025-10 … 2025-12) 88.2% against 95–101%, caught up in 2026Q1 (100.5%).
  A/R and A/R over 90 days rise during and just after those quarters.
* Clinical-supplies creep — harbor clinical_supplies 5.5% of collections in 2023 and 2024, rising
  steadily from 2025-01 (2025 ≈ 6.4%, 2026 ≈ 7.9%) to 8.8% in 2026-09; above 7% in every month
  of 2026 (band 5–7%).
* Case acceptance — harbor ≈ 50% by value and ≈ 70% by count; maple procedure plans ≈ 60% by value.
* No-shows — harbor ≈ 7% throughout; maple ≈ 8% through 2025, drifting up through 2026
  (≈ 9.5% in 2026Q2, ≈ 10.5% in 2026Q3). Maple's documentation within one day also slips in
  2026 (≈ 84% against ≈ 89% before).
* Patients — harbor ≈ 3,900 active patients (18 months), ≈ 70 new patients a month
  (≈ 23 per dentist), retention ≈ 79% in 2025 (below the 85% target), hygiene recall every
  ≈ 6 months with ≈ 14% lapsing at each recall; pre-appointment of hygiene visits ≈ 64%.
  Maple ≈ 9,700 active patients (36 months; retention computable from 2026-01, ≈ 93%).
* Quality — harbor perio_charting 78% → 87% and caries_risk_assessment 63% → 73% (improving,
  still under targets 90% / 80%); maple a1c_control ≈ 65–68% (target 70%), bp_control slipping
  66% → 63% (target 70%), colorectal_screening 58% → 66% (target 72%).
* Partnership assessments — quarterly, 2025Q2 … 2026Q3 (dates 2025-06-20, 2025-09-19,
  2025-12-12, 2026-03-20, 2026-06-19, 2026-09-18). Latest (2026-09-18) perception gaps:
  harbor `clear_communication` administrator 5 vs physician 2 and `constructive_feedback`
  physician 4 vs administrator 2; maple `autonomy_accountability` administrator 5 vs physician 2
  and `admin_effectiveness` physician 4 vs administrator 2. Shared strengths (both ≥ 4):
  harbor `quality_commitment`, `professionalism`, `supportive_environment`; maple `respect_trust`,
  `quality_commitment`.
  Shared gaps (both ≤ 2): harbor `professional_development`; maple `org_understanding`.
  No other area differs by 2 or more in the latest assessment; the planted gaps hold steady through
  the three 2026 assessments (so the proposed focus areas are the same each quarter of 2026), earlier
  assessments are noisier. The partners' notes appear at every assessment on the areas that matter.
* Choices and decisions — focus areas chosen at the quarterly checkpoints (harbor: clear
  communication chosen in June 2025, closed in December, chosen again in March 2026; constructive
  feedback open since September 2025), decisions from monthly and quarterly meetings, some with a
  review date in October 2026. Linked items name a metric id: harbor's supplies conflict (C07), the
  overdue supply-ordering action (AP06), the supplier decisions (D05, D07, D08) and the decision
  grid's "Supplier selection" all name overhead_ratio_clinical_supplies.
* Action plan at 2026-09-30 — three items overdue (open/in_progress, due before 2026-09-30),
  several done on time, two done late, one dropped, some open and not yet due.
* Conflicts — one long mediated conflict (≈ 5–6 months), quick ones (days to 3 weeks), one still
  open at 2026-09-30 (opened in August 2026).
* 360 feedback (rounds 2025-05-15 and 2026-05-15) — groups self, partner, peer, staff, patient;
  five competencies; in each round the `patient` group gives only 2 ratings for the
  administrator's competencies and the physician's `listening`, so it must be folded.
* Meetings — weekly huddles (Tuesdays) with some not held and some weeks not logged, monthly
  business meetings, quarterly checkpoints, an annual retreat (harbor January, maple June).
* Team survey — quarterly by role (mid-quarter Wednesdays); staff burnout (share ≥ 3) ≈ 20–30%
  until 2025Q4, then 2026Q1 ≈ 42%, 2026Q2 ≈ 48%, 2026Q3 ≈ 58%.
* Patient survey — monthly responses (NPS harbor ≈ 48, maple ≈ 32); a harbor comment contains
  ``<b>`` and ``&``; maple comments include "Très bien organisé" and "Zoë" (cp1252 file).
* Consistency — monthly gross_production = Σ production of completed appointments of the month
  (per provider at maple); collections follow net production through a lag profile;
  ar_balance = uncollected net production of the last six months; ar_over_90 = the part from
  months three or more back (A/R days ≈ 15 at harbor, where most is paid at the visit; ≈ 35 at
  maple). Adjustments ≈ 4% of gross production at harbor, ≈ 40% at maple.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dyad_lib.data.contract import DYAD_AREA_CODES, EXPENSE_CATEGORIES, PARTNER_QUESTIONS, TABLES

FIRST_MONTH = (2023, 1)
LAST_MONTH = (2026, 9)
#: Future bookings (status `scheduled`) are written up to this day.
HORIZON = dt.date(2026, 11, 30)
DATA_END = dt.date(2026, 9, 30)
START = dt.date(2023, 1, 1)
#: Patients' recall chains are simulated a little past the horizon, then cut.
SIM_END = dt.date(2027, 3, 31)

ASSESSMENT_DATES = ("2025-06-20", "2025-09-19", "2025-12-12", "2026-03-20", "2026-06-19", "2026-09-18")


@dataclass(frozen=True)
class DemoSpec:
    """What distinguishes one demo practice: identity, export quirks, seed."""

    practice_id: str
    name: str
    kind: str
    fiscal_year_start_month: int
    active_patient_months: int
    clinical_lead: str
    business_lead: str
    seed: int
    date_format: str | None = None
    dollar_money: tuple[str, ...] = ()
    semicolon: tuple[str, ...] = ()
    cp1252: tuple[str, ...] = ()


PRACTICES: dict[str, DemoSpec] = {
    "harbor-dental": DemoSpec(
        practice_id="harbor-dental", name="Harbor Cosmetic & Implant Dentistry", kind="dental",
        fiscal_year_start_month=1, active_patient_months=18, clinical_lead="Dr. Ana Rivera",
        business_lead="Jordan Chen", seed=5),
    "maple-family-medicine": DemoSpec(
        practice_id="maple-family-medicine", name="Maple Street Family Medicine", kind="medical",
        fiscal_year_start_month=7, active_patient_months=36, clinical_lead="Dr. Samuel Okafor",
        business_lead="Priya Natarajan", seed=1, date_format="%m/%d/%Y",
        dollar_money=("financials", "expenses"), semicolon=("expenses",), cp1252=("patient_survey",)),
}


# --- calendar ---------------------------------------------------------------------------------

def _months() -> list[tuple[int, int]]:
    out, (y, m) = [], FIRST_MONTH
    while (y, m) <= LAST_MONTH:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


MONTHS = _months()


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    d = dt.date(year, month, 1)
    d += dt.timedelta((weekday - d.weekday()) % 7)
    return d + dt.timedelta(weeks=n - 1)


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(1)
    return d - dt.timedelta((d.weekday() - weekday) % 7)


def _holidays(year: int, kind: str) -> set[dt.date]:
    days = {dt.date(year, 1, 1), _last_weekday(year, 5, 0), dt.date(year, 7, 4),
            _nth_weekday(year, 9, 0, 1)}
    thanks = _nth_weekday(year, 11, 3, 4)
    days |= {thanks, thanks + dt.timedelta(1)}
    if kind == "dental":
        days |= {dt.date(year, 12, d) for d in range(24, 32)}
        first_mon = _nth_weekday(year, 8, 0, 2)  # second full week of August: office closed
        days |= {first_mon + dt.timedelta(i) for i in range(5)}
    else:
        days |= {dt.date(year, 12, 24), dt.date(year, 12, 25), dt.date(year, 12, 31)}
    return days


@dataclass
class Calendar:
    """Day-level arrays from START to SIM_END: day weight (1, 0.5 or 0) and month index."""

    days: list[dt.date]
    weight: np.ndarray
    month_idx: np.ndarray  # months since 2023-01
    next_open: np.ndarray  # index of the next day with weight > 0 (itself if open)
    prev_open: np.ndarray  # index of the previous day with weight > 0 (itself if open)

    def day_index(self, d: dt.date) -> int:
        return (d - START).days


def _calendar(kind: str) -> Calendar:
    n = (SIM_END - START).days + 1
    days = [START + dt.timedelta(i) for i in range(n)]
    hol = set().union(*(_holidays(y, kind) for y in range(2023, 2028)))
    weight = np.zeros(n)
    for i, d in enumerate(days):
        if d in hol or d.weekday() >= 5:
            continue
        weight[i] = 0.5 if (kind == "dental" and d.weekday() == 4) else 1.0
    month_idx = np.array([(d.year - 2023) * 12 + d.month - 1 for d in days])
    next_open = np.empty(n, dtype=np.int64)
    nxt = n - 1
    for i in range(n - 1, -1, -1):
        if weight[i] > 0:
            nxt = i
        next_open[i] = nxt
    prev_open = np.empty(n, dtype=np.int64)
    prv = 0
    for i in range(n):
        if weight[i] > 0:
            prv = i
        prev_open[i] = prv
    return Calendar(days, weight, month_idx, next_open, prev_open)


N_DATA_MONTHS = len(MONTHS)
DATA_END_IDX = (DATA_END - START).days
HORIZON_IDX = (HORIZON - START).days


# --- appointments ------------------------------------------------------------------------------

@dataclass
class Visits:
    """Planned visits before statuses are drawn (parallel lists)."""

    day: list = field(default_factory=list)
    provider: list = field(default_factory=list)
    patient: list = field(default_factory=list)
    vtype: list = field(default_factory=list)
    chain_next: list = field(default_factory=list)  # True when the patient's next recall follows

    def add(self, day, provider, patient, vtype, chain_next=False):
        self.day.append(day)
        self.provider.append(provider)
        self.patient.append(patient)
        self.vtype.append(vtype)
        self.chain_next.append(chain_next)

    def extend(self, day, provider, patient, vtype, chain_next):
        k = len(patient)
        self.day.extend([day] * k)
        self.provider.extend(provider)
        self.patient.extend(patient)
        self.vtype.extend([vtype] * k)
        self.chain_next.extend(chain_next)


def _open_day(cal: Calendar, i: int) -> int:
    return int(cal.next_open[min(max(i, 0), len(cal.days) - 1)])


def _random_open_days(rng, cal: Calendar, month: int, k: int) -> list[int]:
    idx = np.flatnonzero((cal.month_idx == month) & (cal.weight > 0))
    w = cal.weight[idx]
    return [int(v) for v in rng.choice(idx, size=k, p=w / w.sum())]


def _near_open_day(rng, cal: Calendar, i: int) -> int:
    """The day itself if open, else the open day just before or just after it (a coin toss)."""
    i = min(max(i, 0), len(cal.days) - 1)
    if cal.weight[i] > 0:
        return i
    return int(cal.prev_open[i] if (rng.random() < 0.5 and cal.prev_open[i] > 0) else cal.next_open[i])


def _chain(rng, cal, vis, first_day, interval, jitter, keep, provider, patient, vtype,
           summer_delay=0.0):
    """A patient's recall visits: every `interval` ± `jitter` days while they keep coming.

    Returns the last planned day (the patient is 'alive' until shortly after it)."""
    day = _open_day(cal, first_day)
    last = day
    n = len(cal.days)
    while day < n - 1:
        cont = bool(rng.random() < keep)
        vis.add(day, provider, patient, vtype, cont)
        last = day
        if not cont:
            break
        step = int(round(interval + rng.normal(0, jitter)))
        nxt = day + max(step, 30)
        if summer_delay and cal.days[min(nxt, n - 1)].month in (7, 8) and rng.random() < summer_delay:
            nxt += int(rng.integers(25, 45))
        if nxt >= n:
            break
        day = _near_open_day(rng, cal, nxt)
    return last


DENTAL_SEASON = np.array([1.05, 1.0, 1.05, 1.0, 1.0, 0.95, 0.9, 0.72, 1.05, 1.05, 1.0, 0.8])
MEDICAL_ACUTE_SEASON = np.array([1.55, 1.55, 1.15, 0.95, 0.9, 0.75, 0.7, 0.75, 0.95, 1.0, 1.05, 1.2])


def _dental_visits(rng, cal: Calendar):
    vis = Visits()
    dentists, hygienists = ["D01", "D02", "D03"], ["H01", "H02", "H03"]
    d_w = np.array([0.4, 0.33, 0.27])
    start, end, dentist_of = [], [], []
    n_months = cal.month_idx.max() + 1
    # existing patients at 2023-01: first recall visit spread over the first six months
    n0 = 2750
    for p in range(n0):
        den = dentists[rng.choice(3, p=d_w)]
        hyg = hygienists[rng.integers(3)]
        first = int(rng.integers(0, 182))
        last = _chain(rng, cal, vis, first, 182, 16, 0.86, hyg, p, "hygiene")
        start.append(_open_day(cal, first)); end.append(last + 60); dentist_of.append(den)
    # new patients, about 72 a month, fewer in August and December
    pid = n0
    for m in range(n_months):
        k = int(rng.poisson(72 * DENTAL_SEASON[m % 12]))
        for day in _random_open_days(rng, cal, m, k):
            den_i = int(rng.choice(3, p=d_w))
            den, hyg = dentists[den_i], hygienists[rng.integers(3)]
            cont = bool(rng.random() < 0.9)
            vis.add(day, den, pid, "new_patient", cont)
            last = day
            if cont:
                last = _chain(rng, cal, vis, day + 182 + int(rng.normal(0, 14)), 182, 16, 0.86, hyg, pid,
                              "hygiene")
            start.append(day); end.append(last + 60); dentist_of.append(den)
            pid += 1
    start, end = np.array(start), np.array(end)
    dentist_of = np.array(dentist_of)
    # dentist visits on existing patients: restorative, procedures, limited exams
    for i in np.flatnonzero(cal.weight > 0):
        season = DENTAL_SEASON[cal.month_idx[i] % 12] * cal.weight[i]
        alive = np.flatnonzero((start < i) & (end >= i))
        for vtype, lam in (("restorative", 7.4), ("procedure", 2.3), ("exam", 2.8), ("other", 0.5)):
            k = min(int(rng.poisson(lam * season)), len(alive))
            if k:
                chosen = rng.choice(alive, size=k, replace=False)
                vis.extend(int(i), dentist_of[chosen].tolist(), chosen.tolist(), vtype,
                           (rng.random(k) < 0.5).tolist())
    return vis


def _medical_visits(rng, cal: Calendar):
    vis = Visits()
    mds = ["MD01", "MD02", "MD03", "MD04"]
    md_w = np.array([0.28, 0.27, 0.26, 0.19])
    start, end, pcp = [], [], []
    n_months = cal.month_idx.max() + 1

    def new_chain(p, first, md, chronic, new=False):
        if chronic:
            return _chain(rng, cal, vis, first, 105, 18, 0.965, md, p, "exam", summer_delay=0.15)
        return _chain(rng, cal, vis, first, 365, 30, 0.86, md, p, "exam", summer_delay=0.15)

    n0 = 6400
    for p in range(n0):
        md = mds[rng.choice(4, p=md_w)]
        chronic = rng.random() < 0.36
        first = int(rng.integers(0, 105 if chronic else 365))
        last = new_chain(p, first, md, chronic)
        start.append(_open_day(cal, first)); end.append(last + 120); pcp.append(md)
    pid = n0
    new_season = np.array([1.1, 1.05, 1.0, 1.0, 1.0, 0.85, 0.8, 0.85, 1.1, 1.0, 1.0, 0.9])
    for m in range(n_months):
        k = int(rng.poisson(88 * new_season[m % 12]))
        for day in _random_open_days(rng, cal, m, k):
            md = mds[rng.choice(4, p=md_w)]
            chronic = rng.random() < 0.3
            cont = bool(rng.random() < 0.92)
            vis.add(day, md, pid, "new_patient", cont)
            last = day
            if cont:
                last = new_chain(pid, day + (105 if chronic else 365), md, chronic)
            start.append(day); end.append(last + 120); pcp.append(md)
            pid += 1
    start, end, pcp = np.array(start), np.array(end), np.array(pcp)
    for i in np.flatnonzero(cal.weight > 0):
        season = MEDICAL_ACUTE_SEASON[cal.month_idx[i] % 12]
        alive = np.flatnonzero((start < i) & (end >= i))
        for vtype, lam in (("exam", 19.0 * season), ("procedure", 3.0), ("other", 2.5)):
            k = min(int(rng.poisson(lam)), len(alive))
            if k:
                chosen = rng.choice(alive, size=k, replace=False)
                other = np.array(mds)[rng.integers(0, 4, k)]
                md = np.where(rng.random(k) < 0.8, pcp[chosen], other)
                vis.extend(int(i), md.tolist(), chosen.tolist(), vtype, (rng.random(k) < 0.25).tolist())
    return vis


def _amounts(rng, kind: str, vtype: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Charges at full fee and chair minutes per visit type."""
    n = len(vtype)
    prod = np.zeros(n)
    mins = np.zeros(n, dtype=np.int64)

    def pick(mask, values, weights):
        k = int(mask.sum())
        return np.asarray(values)[rng.choice(len(values), size=k, p=np.asarray(weights) / np.sum(weights))]

    if kind == "dental":
        m = vtype == "hygiene"
        prod[m] = pick(m, [148, 186, 214, 268, 325, 890], [30, 28, 16, 14, 8, 4])
        mins[m] = pick(m, [50, 60, 60, 70, 80, 90], [10, 40, 20, 15, 10, 5])
        m = vtype == "new_patient"
        prod[m] = rng.normal(365, 60, m.sum()).clip(220, 560)
        mins[m] = pick(m, [75, 90, 90, 120], [3, 5, 2, 1])
        m = vtype == "exam"
        prod[m] = pick(m, [89, 112, 148, 186], [4, 4, 3, 2])
        mins[m] = pick(m, [20, 30, 40], [3, 5, 2])
        m = vtype == "restorative"
        prod[m] = np.exp(rng.normal(np.log(640), 0.5, m.sum())).clip(160, 3400)
        mins[m] = (40 + prod[m] / 18).round(-1).clip(40, 180).astype(np.int64)
        m = vtype == "procedure"
        prod[m] = np.exp(rng.normal(np.log(2450), 0.38, m.sum())).clip(850, 9800)
        mins[m] = (60 + prod[m] / 30).round(-1).clip(60, 300).astype(np.int64)
        m = vtype == "other"
        prod[m] = pick(m, [0, 65, 120, 250], [3, 3, 3, 1])
        mins[m] = pick(m, [15, 20, 30], [2, 3, 2])
    else:
        m = vtype == "exam"
        prod[m] = pick(m, [118, 164, 212, 286, 318], [10, 35, 30, 15, 10])
        mins[m] = pick(m, [15, 20, 25, 30, 40], [10, 35, 25, 20, 10])
        m = vtype == "new_patient"
        prod[m] = pick(m, [246, 318, 402], [3, 5, 2])
        mins[m] = pick(m, [30, 40, 45, 60], [2, 5, 3, 1])
        m = vtype == "procedure"
        prod[m] = np.exp(rng.normal(np.log(340), 0.45, m.sum())).clip(120, 1600)
        mins[m] = pick(m, [20, 30, 45, 60], [3, 5, 3, 1])
        m = vtype == "other"
        prod[m] = pick(m, [78, 112, 148], [3, 5, 2])
        mins[m] = pick(m, [10, 15, 20], [3, 5, 2])
    return prod.round(0), mins


def _appointments(rng, spec: DemoSpec, cal: Calendar) -> pd.DataFrame:
    vis = _dental_visits(rng, cal) if spec.kind == "dental" else _medical_visits(rng, cal)
    day = np.array(vis.day)
    keep = day <= HORIZON_IDX
    day = day[keep]
    prov = np.array(vis.provider)[keep]
    pat = np.array(vis.patient)[keep]
    vtype = np.array(vis.vtype)[keep]
    chain_next = np.array(vis.chain_next)[keep]
    n = len(day)
    month = cal.month_idx[day]
    # no-shows and cancellations: the missed slot is its own row; the visit happens 1-4 weeks later
    if spec.kind == "dental":
        p_ns = np.full(n, 0.074)
    else:
        p_ns = np.where(month >= 36, 0.086 + 0.0045 * (month - 36), 0.086)
    u = rng.random(n)
    missed = u < p_ns
    cancelled = (u >= p_ns) & (u < p_ns + 0.065)
    shift = rng.integers(7, 29, n)
    done_day = day.copy()
    moved = missed | cancelled
    done_day[moved] = cal.next_open[np.minimum(day[moved] + shift[moved], len(cal.days) - 1)]
    rows_day = np.concatenate([day[moved], done_day])
    rows_status = np.concatenate([np.where(missed[moved], "no_show", "cancelled"), np.full(n, "completed")])
    rows_prov = np.concatenate([prov[moved], prov])
    rows_pat = np.concatenate([pat[moved], pat])
    rows_type = np.concatenate([vtype[moved], vtype])
    rows_next = np.concatenate([np.zeros(moved.sum(), bool), chain_next])
    keep = rows_day <= HORIZON_IDX
    rows_day, rows_status, rows_prov, rows_pat, rows_type, rows_next = (
        a[keep] for a in (rows_day, rows_status, rows_prov, rows_pat, rows_type, rows_next))
    future = rows_day > DATA_END_IDX
    # the future holds bookings only: completed -> scheduled, missed slots dropped
    drop = future & (rows_status != "completed")
    rows_day, rows_status, rows_prov, rows_pat, rows_type, rows_next, future = (
        a[~drop] for a in (rows_day, rows_status, rows_prov, rows_pat, rows_type, rows_next, future))
    rows_status = np.where(future, "scheduled", rows_status)
    n = len(rows_day)
    prod, mins = _amounts(rng, spec.kind, rows_type)
    # pre-appointment: patients who keep coming mostly leave with the next visit booked
    if spec.kind == "dental":
        booked = np.where(rows_next, rng.random(n) < 0.72, rng.random(n) < 0.12)
    else:
        booked = np.where(rows_next, rng.random(n) < 0.66, rng.random(n) < 0.10)
    # documentation lag in days
    r = rng.random(n)
    rows_month = cal.month_idx[rows_day]
    if spec.kind == "dental":
        lag = np.where(r < 0.9, 0, np.where(r < 0.97, 1, rng.integers(2, 11, n)))
    else:
        late = np.where(rows_month >= 36, 0.16, 0.11)
        lag = np.where(r < 0.68, 0, np.where(r < 1 - late, 1, rng.integers(2, 15, n)))
    completed = rows_status == "completed"
    prefix = "HD-" if spec.kind == "dental" else "MRN"
    width = 6 if spec.kind == "dental" else 7
    base = 1000 if spec.kind == "dental" else 10000
    df = pd.DataFrame({
        "day": rows_day,
        "provider_id": rows_prov,
        "patient_num": rows_pat + base,
        "status": rows_status,
        "visit_type": rows_type,
        "chair_minutes": mins,
        "production": np.where(rows_status == "scheduled", np.nan, np.where(completed, prod, 0.0)),
        "next_visit_booked": pd.array(np.where(completed, booked, False), dtype="boolean"),
        "documented_day": np.where(completed, rows_day + lag, -1),
    })
    df.loc[~completed, "next_visit_booked"] = pd.NA
    df = df.sort_values(["day", "provider_id", "patient_num", "status", "visit_type"], kind="stable")
    df = df.reset_index(drop=True)
    df.insert(0, "appointment_id", [f"{'A' if spec.kind == 'dental' else 'V'}{i + 1:06d}" for i in range(len(df))])
    df["patient_id"] = [f"{prefix}{v:0{width}d}" for v in df["patient_num"]]
    return df


# --- money ---------------------------------------------------------------------------------------

#: Share of a month's net production collected k months later (sums to the normal 98%).
DENTAL_LAG = np.array([0.74, 0.17, 0.035, 0.018, 0.01, 0.007])
MEDICAL_LAG = np.array([0.36, 0.38, 0.13, 0.06, 0.03, 0.01])


def _efficiency(kind: str, m: int) -> float:
    """Collection efficiency by month index (0 = 2023-01): the slow quarter and its catch-up."""
    y, mo = MONTHS[m] if m < len(MONTHS) else (0, 0)
    if kind == "dental":
        if (y, mo) in ((2025, 4), (2025, 5), (2025, 6)):
            return 0.925
        if (y, mo) in ((2025, 7), (2025, 8), (2025, 9)):
            return 1.08
    else:
        if (y, mo) in ((2025, 10), (2025, 11), (2025, 12)):
            return 0.92
        if (y, mo) in ((2026, 1), (2026, 2), (2026, 3)):
            return 1.06
    return 1.0


def _collect(rng, kind: str, net: np.ndarray):
    """Collections, A/R and A/R over 90 from monthly net production (one provider or the practice).

    Each month's net production is collected over the following months along a lag profile,
    scaled by the month's collection efficiency; what is left after six months is written off.
    A/R is what is still uncollected; A/R over 90 days is the part from three or more months back."""
    lag = DENTAL_LAG if kind == "dental" else MEDICAL_LAG
    warm = 12  # months before 2023-01 at the first month's level, so 2023 starts in a steady state
    hist = np.concatenate([np.full(warm, net[0]), net])
    remaining = hist.copy()
    n, L = len(net), len(lag)
    coll, ar, ar90 = np.zeros(n), np.zeros(n), np.zeros(n)
    for t in range(len(hist)):
        m = t - warm
        eff = (_efficiency(kind, m) if m >= 0 else 1.0) * (1 + rng.normal(0, 0.005))
        paid = 0.0
        for k in range(min(L, t + 1)):
            c = t - k
            # a catch-up (efficiency above 1) works the backlog, not the month's own claims
            e = min(eff, 1.0) if k == 0 else eff
            amount = min(remaining[c], hist[c] * lag[k] * e)
            remaining[c] -= amount
            paid += amount
        if t - L + 1 >= 0:
            remaining[t - L + 1] = 0.0  # older than the profile: written off
        if m >= 0:
            coll[m] = paid
            ar[m] = remaining[max(0, t - L + 1):t + 1].sum()
            ar90[m] = remaining[max(0, t - L + 1):t - 2].sum()
    return coll, ar, ar90


def _financials(rng, spec: DemoSpec, appts: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    done = appts[appts["status"] == "completed"].copy()
    done["m"] = cal.month_idx[done["day"].to_numpy()]
    done = done[done["m"] < N_DATA_MONTHS]
    keys = ["provider_id"] if spec.kind == "medical" else [None]
    frames = []
    for key in keys:
        providers = sorted(done["provider_id"].unique()) if key else [""]
        for prov in providers:
            sub = done[done["provider_id"] == prov] if key else done
            gross = sub.groupby("m")["production"].sum().reindex(range(N_DATA_MONTHS), fill_value=0).to_numpy()
            if spec.kind == "dental":
                rate = rng.normal(0.041, 0.004, N_DATA_MONTHS).clip(0.03, 0.052)
            else:
                rate = rng.normal(0.405, 0.012, N_DATA_MONTHS).clip(0.37, 0.44)
            adj = (gross * rate).round(2)
            net = gross - adj
            coll, ar, ar90 = _collect(rng, spec.kind, net)
            frames.append(pd.DataFrame({
                "m": range(N_DATA_MONTHS), "provider_id": prov, "gross_production": gross.round(2),
                "adjustments": adj, "collections": coll.round(2), "ar_balance": ar.round(2),
                "ar_over_90": ar90.round(2)}))
    return pd.concat(frames).sort_values(["m", "provider_id"]).reset_index(drop=True)


DENTAL_EXPENSE_SHARES = {
    "staff_wages": 0.232, "payroll_taxes_benefits": 0.052, "facility": 0.066, "clinical_supplies": 0.055,
    "lab": 0.084, "equipment": 0.021, "office_admin": 0.034, "marketing": 0.031, "other_overhead": 0.019,
    "owner_compensation": 0.285, "debt_service": 0.032,
}
MEDICAL_EXPENSE_SHARES = {
    "staff_wages": 0.262, "payroll_taxes_benefits": 0.061, "facility": 0.072, "clinical_supplies": 0.041,
    "lab": 0.018, "equipment": 0.022, "office_admin": 0.058, "marketing": 0.009, "other_overhead": 0.037,
    "owner_compensation": 0.352, "debt_service": 0.021,
}
FIXED_CATEGORIES = ("facility", "debt_service", "equipment")


def _supplies_share(m: int) -> float:
    """Harbor's clinical supplies: ≈ 5.5% through 2024, then a steady creep to ≈ 8.5% in 2026-09."""
    if m < 24:
        return 0.055
    return 0.055 + 0.030 * (m - 23) / (N_DATA_MONTHS - 24)


def _expenses(rng, spec: DemoSpec, fin: pd.DataFrame) -> pd.DataFrame:
    coll = fin.groupby("m")["collections"].sum().to_numpy()
    # variable costs follow the month's collections; fixed costs follow the year's level
    smooth = pd.Series(coll).rolling(12, min_periods=1).mean().to_numpy()
    year_level = np.array([smooth[min(len(smooth) - 1, (m // 12) * 12 + 11)] if m // 12 < 3 else smooth[-1]
                           for m in range(N_DATA_MONTHS)])
    shares = DENTAL_EXPENSE_SHARES if spec.kind == "dental" else MEDICAL_EXPENSE_SHARES
    rows = []
    for m in range(N_DATA_MONTHS):
        for cat in EXPENSE_CATEGORIES:
            share = shares[cat]
            if spec.kind == "dental" and cat == "clinical_supplies":
                share = _supplies_share(m)
            base = year_level[m] if cat in FIXED_CATEGORIES else coll[m]
            noise = 1 + rng.normal(0, 0.004 if cat in FIXED_CATEGORIES else 0.03)
            rows.append((m, cat, round(float(base * share * noise), 2)))
    return pd.DataFrame(rows, columns=["m", "category", "amount"])


def _capacity(spec: DemoSpec, cal: Calendar, appts: pd.DataFrame) -> pd.DataFrame:
    wd = np.array([cal.weight[cal.month_idx == m].sum() for m in range(N_DATA_MONTHS)])
    if spec.kind == "dental":
        rooms, hours, providers = 8, 8.0, np.array([1, 1, 1, 1, 1, 1])
    else:
        rooms, hours, providers = 5, 9.0, np.array([1, 1, 1, 0.75])
    chair = wd * rooms * hours
    prov_hours = wd * hours * providers.sum()
    return pd.DataFrame({"m": range(N_DATA_MONTHS), "chair_hours_available": chair.round(1),
                         "provider_hours_available": prov_hours.round(1), "working_days": wd})


# --- treatment plans, quality, surveys ----------------------------------------------------------

def _treatment_plans(rng, spec: DemoSpec, appts: pd.DataFrame) -> pd.DataFrame:
    done = appts[(appts["status"] == "completed") & (appts["day"] <= DATA_END_IDX)]
    if spec.kind == "dental":
        p = done["visit_type"].map({"new_patient": 0.85, "exam": 0.55, "hygiene": 0.07}).fillna(0.0)
    else:
        p = done["visit_type"].map({"exam": 0.035, "new_patient": 0.05}).fillna(0.0)
    chosen = done[rng.random(len(done)) < p.to_numpy()]
    n = len(chosen)
    if spec.kind == "dental":
        amount = np.exp(rng.normal(np.log(1450), 1.0, n)).clip(180, 32000).round(-1)
        p_acc = np.select([amount < 1000, amount < 4000, amount < 10000], [0.82, 0.68, 0.5], 0.36)
        full = np.where(amount < 4000, 0.82, 0.5)
    else:
        amount = np.exp(rng.normal(np.log(420), 0.7, n)).clip(90, 4800).round(-1)
        p_acc = np.select([amount < 500, amount < 1500], [0.8, 0.66], 0.5)
        full = np.where(amount < 1000, 0.85, 0.6)
    acc = rng.random(n) < p_acc
    frac = np.where(rng.random(n) < full, 1.0, rng.uniform(0.25, 0.75, n))
    accepted = np.where(acc, (amount * frac).round(-1), 0.0).clip(0, amount)
    accepted = np.where(acc & (accepted == 0), amount, accepted)
    lag = np.where(rng.random(n) < 0.45, 0, rng.integers(1, 40, n))
    acc_day = np.minimum(chosen["day"].to_numpy() + lag, DATA_END_IDX)
    provider = chosen["provider_id"].to_numpy().copy()
    if spec.kind == "dental":  # plans from a hygiene visit are the dentist's
        hyg = provider.astype(str).astype(object)
        mask = np.char.startswith(provider.astype(str), "H")
        hyg[mask] = np.array(["D01", "D02", "D03"])[rng.integers(0, 3, mask.sum())]
        provider = hyg
    df = pd.DataFrame({
        "presented_day": chosen["day"].to_numpy(), "patient_id": chosen["patient_id"].to_numpy(),
        "provider_id": provider, "amount_presented": amount, "amount_accepted": accepted,
        "accepted_day": np.where(accepted > 0, acc_day, -1)})
    df = df.sort_values(["presented_day", "patient_id", "provider_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "plan_id", [f"TP{i + 1:05d}" for i in range(len(df))])
    return df


QUALITY = {
    "dental": [("perio_charting", "Periodontal charting at recall visits", 0.90, 0.78, 0.88),
               ("caries_risk_assessment", "Caries risk assessment documented", 0.80, 0.62, 0.74)],
    "medical": [("a1c_control", "Diabetes: HbA1c below 9%", 0.70, 0.64, 0.69),
                ("bp_control", "Hypertension: blood pressure below 140/90", 0.70, 0.66, 0.63),
                ("colorectal_screening", "Colorectal cancer screening up to date", 0.72, 0.58, 0.66)],
}


def _quality(rng, spec: DemoSpec, appts: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    rows = []
    done = appts[appts["status"] == "completed"]
    per_month = np.bincount(cal.month_idx[done["day"].to_numpy()], minlength=N_DATA_MONTHS)[:N_DATA_MONTHS]
    hyg = np.bincount(cal.month_idx[done.loc[done["visit_type"].isin(["hygiene", "new_patient"]), "day"].to_numpy()],
                      minlength=N_DATA_MONTHS)[:N_DATA_MONTHS]
    for mid, name, target, r0, r1 in QUALITY[spec.kind]:
        for m in range(N_DATA_MONTHS):
            if spec.kind == "dental":
                denom = int(hyg[m]) if mid == "perio_charting" else int(round(hyg[m] * 0.6))
            else:
                share = {"a1c_control": 0.11, "bp_control": 0.24, "colorectal_screening": 0.2}[mid]
                denom = int(rng.binomial(int(per_month[m]), share))
            rate = r0 + (r1 - r0) * m / (N_DATA_MONTHS - 1)
            num = int(rng.binomial(denom, min(max(rate, 0), 1)))
            rows.append((m, mid, name, num, denom, target))
    return pd.DataFrame(rows, columns=["m", "measure_id", "measure_name", "numerator", "denominator", "target_rate"])


PATIENT_COMMENTS = {
    "dental": {
        "good": ["Dr. Rivera explained every option before starting.", "Quick, gentle cleaning as always.",
                 "The hygienist was wonderful with my kids.", "Love my new smile!",
                 "Front desk found me an appointment the same week.",
                 "Great team & friendly <b>front desk</b> staff.", "Very clear cost estimate before the crown."],
        "mid": ["Good care, but I waited 20 minutes past my time.", "Parking is hard on weekdays.",
                "Wish the reminders came by text instead of email."],
        "bad": ["The bill was higher than the estimate I was given.", "Had to call three times to reschedule.",
                "Felt rushed at the check-out desk."],
    },
    "medical": {
        "good": ["Dr. Okafor listens and never rushes me.", "Très bien organisé, merci!", "Nurse Zoë was so kind.",
                 "Same-day sick visit for my son, thank you.", "Easy to get lab results on the portal."],
        "mid": ["Good doctors, long phone hold times.", "The waiting room was crowded in January.",
                "Refill requests take a few days."],
        "bad": ["I could not get an appointment for three weeks.", "Billing sent me two different statements.",
                "Nobody called me back about my referral."],
    },
}


def _patient_survey(rng, spec: DemoSpec) -> pd.DataFrame:
    rows = []
    comments = PATIENT_COMMENTS[spec.kind]
    for m, (y, mo) in enumerate(MONTHS):
        n = int(rng.poisson(26 if spec.kind == "dental" else 34))
        last = (dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.date(y, mo, 1)).days
        p = [0.03, 0.01, 0.01, 0.02, 0.02, 0.03, 0.04, 0.07, 0.10, 0.22, 0.45] if spec.kind == "dental" else \
            [0.04, 0.02, 0.02, 0.03, 0.03, 0.04, 0.05, 0.09, 0.13, 0.22, 0.33]
        for _ in range(n):
            score = int(rng.choice(11, p=p))
            rating = int(min(10, max(0, score + rng.integers(-1, 2))))
            comment = ""
            if rng.random() < 0.3:
                pool = comments["good"] if score >= 9 else comments["mid"] if score >= 7 else comments["bad"]
                comment = pool[int(rng.integers(len(pool)))]
            rows.append((dt.date(y, mo, int(rng.integers(1, last + 1))), score, rating, comment))
    # make sure the escaping and non-ASCII comments appear at least once in the latest quarter
    special = [c for c in comments["good"] if "<b>" in c or "Zoë" in c or "Très" in c]
    for i, c in enumerate(special):
        rows.append((dt.date(2026, 9, 10 + i), 10, 10, c))
    df = pd.DataFrame(rows, columns=["response_date", "recommend_score", "rating", "comment"])
    return df.sort_values(["response_date", "recommend_score", "rating", "comment"], kind="stable").reset_index(drop=True)


def _team_survey(rng, spec: DemoSpec) -> pd.DataFrame:
    rows = []
    counts = {"physician": 3 if spec.kind == "dental" else 4, "administrator": 1 if spec.kind == "dental" else 2,
              "staff": 12 if spec.kind == "dental" else 17}
    for q in range(15):  # 2023Q1 … 2026Q3
        y, qm = 2023 + q // 4, 3 * (q % 4) + 2
        day = _nth_weekday(y, qm, 2, 2)  # second Wednesday of the quarter's middle month
        for role in ("physician", "administrator", "staff"):
            n = counts[role] - int(rng.binomial(counts[role], 0.12))  # not everyone answers
            if role == "staff":
                # about a quarter burned out until 2025, then a clear rise through 2026
                p_burn = (0.25, 0.25, 0.25, 0.3, 0.25, 0.25, 0.3, 0.25, 0.3, 0.25, 0.3, 0.3, 0.4, 0.48, 0.56)[q]
            else:
                p_burn = 0.2 if q % 2 else 0.3
            k = int(round(p_burn * n))
            burned = np.zeros(n, bool)
            burned[rng.choice(n, size=k, replace=False)] = True
            for b in burned:
                burn = int(rng.integers(3, 5)) if b else int(rng.integers(1, 3))
                sat = int(np.clip(round(4.2 - 0.45 * (burn - 1) + rng.normal(0, 0.5)), 1, 5))
                rec = int(np.clip(round(7.5 + 1.2 * (sat - 3.5) - 0.6 * (burn - 2) + rng.normal(0, 1.3)), 0, 10))
                rows.append((day, role, sat, burn, rec))
    df = pd.DataFrame(rows, columns=["response_date", "role", "satisfaction", "burnout", "recommend_workplace"])
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


# --- partnership ----------------------------------------------------------------------------------

#: Latest-assessment ratings (physician, administrator) and importance (physician, administrator).
#: Areas not listed get ratings 3/3 or 3/4, never 2 apart.
LATEST = {
    "dental": {
        "clear_communication": (2, 5, 5, 4), "constructive_feedback": (4, 2, 3, 5),
        "quality_commitment": (5, 4, 5, 4), "professionalism": (4, 4, 4, 4),
        "professional_development": (2, 2, 4, 3), "engagement": (4, 3, 3, 4),
        "org_understanding": (3, 3, 3, 4), "advocacy": (3, 4, 3, 3), "admin_effectiveness": (3, 3, 3, 4),
        "supportive_environment": (4, 4, 4, 3), "shared_vision": (3, 4, 4, 4), "respect_trust": (4, 3, 5, 5),
        "autonomy_accountability": (3, 3, 4, 3), "recognition": (3, 4, 3, 3),
    },
    "medical": {
        "autonomy_accountability": (2, 5, 5, 4), "admin_effectiveness": (4, 2, 3, 5),
        "respect_trust": (4, 5, 5, 5), "quality_commitment": (5, 4, 5, 4),
        "org_understanding": (2, 2, 3, 5), "engagement": (3, 3, 3, 4), "professionalism": (4, 3, 4, 4),
        "constructive_feedback": (3, 3, 3, 4), "advocacy": (3, 4, 3, 3), "supportive_environment": (3, 4, 4, 3),
        "shared_vision": (3, 3, 4, 4), "clear_communication": (4, 3, 4, 4), "recognition": (3, 3, 4, 2),
        "professional_development": (3, 4, 3, 3),
    },
}
NOTES = {
    "dental": {
        ("clear_communication", "physician"): "I hear about fee schedule and staffing changes after they happen.",
        ("clear_communication", "administrator"): "I send the monthly numbers and a weekly summary.",
        ("constructive_feedback", "administrator"): "Feedback comes in front of the team, or weeks later.",
        ("constructive_feedback", "physician"): "I try to raise issues as they come up.",
        ("professional_development", "physician"): "No time or budget set aside for the implant course.",
        ("quality_commitment", "administrator"): "Dr. Rivera sets the standard for the whole team.",
    },
    "medical": {
        ("autonomy_accountability", "physician"): "Scheduling templates change without asking the physicians.",
        ("autonomy_accountability", "administrator"): "Physicians decide their templates within the access targets.",
        ("admin_effectiveness", "administrator"): "Prior authorizations and inbox work pile up for the staff.",
        ("org_understanding", "physician"): "I don't really follow how the payer contracts work.",
        ("respect_trust", "physician"): "Priya backs our clinical calls every time.",
    },
}


#: The partners' words at earlier assessments: (assessment date, area, respondent) -> note.
EARLIER_NOTES = {
    "dental": {
        ("2025-06-20", "clear_communication", "physician"): "I don't see the numbers until the accountant's report.",
        ("2025-06-20", "clear_communication", "administrator"): "I report when something is decided.",
        ("2025-09-19", "constructive_feedback", "administrator"): "Comments on the front desk reach me through the team.",
        ("2025-12-12", "professional_development", "physician"): "I would like a budget for the implant course.",
        ("2026-03-20", "clear_communication", "physician"): "The monthly summary stopped after January.",
        ("2026-03-20", "professional_development", "physician"): "The implant course was postponed again.",
        ("2026-06-19", "clear_communication", "physician"): "The new fee schedule went live before we talked about it.",
        ("2026-06-19", "constructive_feedback", "administrator"): "Better since the private talks, but still in the hallway at times.",
        ("2026-06-19", "quality_commitment", "administrator"): "Perio charting is finally routine.",
    },
    "medical": {
        ("2025-06-20", "autonomy_accountability", "physician"): "Templates are set for us, not with us.",
        ("2025-09-19", "org_understanding", "physician"): "Payer mix is a mystery to most of us.",
        ("2025-12-12", "admin_effectiveness", "administrator"): "Inbox messages wait for days after the switch.",
        ("2026-03-20", "admin_effectiveness", "administrator"): "Notes still close late on clinic-heavy days.",
        ("2026-06-19", "autonomy_accountability", "physician"): "The July template change was announced, not discussed.",
        ("2026-06-19", "respect_trust", "physician"): "Our clinical calls are backed up.",
    },
}


def _dyad_assessment(rng, spec: DemoSpec) -> pd.DataFrame:
    latest = LATEST[spec.kind]
    notes = NOTES[spec.kind]
    earlier = EARLIER_NOTES[spec.kind]
    planted = {a for a, (rp, ra, _, _) in latest.items() if abs(rp - ra) >= 2 or max(rp, ra) <= 2}
    rows = []
    n = len(ASSESSMENT_DATES)
    for i, date in enumerate(ASSESSMENT_DATES):
        back = n - 1 - i  # assessments before the latest drift towards the middle
        for area in DYAD_AREA_CODES:
            rp, ra, ip, ia = latest[area]
            for resp, r, imp in (("physician", rp, ip), ("administrator", ra, ia)):
                rating = r
                if back:
                    # earlier: gaps narrower (they widened over the last year), others wobble ±1;
                    # the planted gaps hold steady through the last three assessments (2026)
                    drift = int(np.clip(round(3 + (r - 3) * (0.6 + 0.08 * (n - back)) + rng.normal(0, 0.45)), 1, 5))
                    rating = r if (area in planted and back <= 2) else drift
                note = notes.get((area, resp), "") if back == 0 else earlier.get((date, area, resp), "")
                rows.append((dt.date.fromisoformat(date), resp, area, rating, imp, note))
    return pd.DataFrame(rows, columns=["assessment_date", "respondent", "area", "rating", "importance", "note"])


COMPETENCIES = ("communication", "decision_making", "team_leadership", "reliability", "listening")


def _feedback_360(rng, spec: DemoSpec) -> pd.DataFrame:
    rows = []
    means = {"physician": {"communication": 3.6, "decision_making": 4.2, "team_leadership": 3.5,
                           "reliability": 4.4, "listening": 3.3},
             "administrator": {"communication": 4.0, "decision_making": 3.8, "team_leadership": 3.9,
                               "reliability": 4.3, "listening": 3.7}}
    for date in ("2025-05-15", "2026-05-15"):
        d = dt.date.fromisoformat(date)
        for subject in ("physician", "administrator"):
            for comp in COMPETENCIES:
                mu = means[subject][comp]
                groups = {"self": 1, "partner": 1, "peer": 4 if subject == "physician" else 3, "staff": 7,
                          "patient": 6}
                if subject == "administrator" or comp == "listening":
                    groups["patient"] = 2  # too few: folded into "others" by the anonymity rule
                for group, k in groups.items():
                    bias = {"self": 0.6, "partner": -0.3, "peer": 0.1, "staff": -0.2, "patient": 0.3}[group]
                    for _ in range(k):
                        rows.append((d, subject, group, comp, int(np.clip(round(mu + bias + rng.normal(0, 0.6)), 1, 5))))
    df = pd.DataFrame(rows, columns=["collected_date", "subject", "rater_group", "competency", "rating"])
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


def _meetings(rng, spec: DemoSpec, cal: Calendar) -> pd.DataFrame:
    rows = []
    d = _nth_weekday(2023, 1, 1, 1)  # Tuesdays
    while d <= DATA_END:
        r = rng.random()
        if r >= 0.05:  # about one week in twenty is not logged at all
            closed = cal.weight[cal.day_index(d)] == 0
            held = (not closed) and r >= 0.13
            rows.append((d, "weekly", held, int(rng.choice([15, 15, 20, 20, 25, 30])) if held else None))
        d += dt.timedelta(7)
    for y, mo in MONTHS:
        day = _nth_weekday(y, mo, 2, 2)
        held = rng.random() >= 0.1
        rows.append((day, "monthly", held, int(rng.choice([60, 75, 90])) if held else None))
        if mo % 3 == 0:
            qd = _last_weekday(y, mo, 3)
            held = rng.random() >= 0.08
            rows.append((qd, "quarterly", held, int(rng.choice([90, 120])) if held else None))
    retreat_month = 1 if spec.fiscal_year_start_month == 1 else 6
    for y in range(2023, 2027):
        day = _nth_weekday(y, retreat_month, 5, 3)  # third Saturday
        held = not (y == 2024 and spec.kind == "medical")
        rows.append((day, "annual", held, 360 if held else None))
    df = pd.DataFrame(rows, columns=["date", "cadence", "held", "duration_minutes"])
    return df.sort_values(["date", "cadence"], kind="stable").reset_index(drop=True)


#: The decision grid: (decision area, lead, consulted, notes[, metric id]).
DECISIONS = [
    ("Clinical protocols and standards of care", "physician", "administrator; hygienists", ""),
    ("Hiring and firing clinical staff", "joint", "lead assistant", "Physician interviews; administrator runs the process."),
    ("Hiring and firing front-office staff", "administrator", "physician", ""),
    ("Fee schedule and payer contracts", "administrator", "physician", "Review every January."),
    ("Capital purchases over $5,000", "joint", "accountant", "Both sign; business case first."),
    ("Scheduling templates", "joint", "providers", "Changes announced two weeks ahead."),
    ("Marketing and website", "administrator", "physician", ""),
    ("Supplier selection", "administrator", "clinical team", "Clinical sign-off on materials.",
     "overhead_ratio_clinical_supplies"),
    ("Patient complaints", "administrator", "physician", "Clinical complaints go to the physician within a day."),
    ("Annual budget and goals", "joint", "accountant", "Agreed at the annual retreat."),
    ("Continuing education", "physician", "administrator", "Budget set in the annual goals."),
]

CONFLICTS = {
    "dental": [
        ("C01", "2023-03-06", "Hygiene schedule overbooking", "2023-03-10", False),
        ("C02", "2023-09-12", "Who approves overtime for assistants", "2023-09-29", False),
        ("C03", "2024-02-05", "Choice of new implant system and its supplier", "2024-07-22", True),
        ("C04", "2024-10-14", "Handling of a patient billing complaint", "2024-10-16", False),
        ("C05", "2025-04-28", "Collections follow-up after the billing staff change", "2025-05-20", False,
         "collection_ratio"),
        ("C06", "2026-01-13", "Holiday closure dates", "2026-01-15", False),
        ("C07", "2026-08-17", "Rising supply spend and who orders materials", "", False,
         "overhead_ratio_clinical_supplies"),
    ],
    "medical": [
        ("C01", "2023-02-14", "Flu-season same-day slots", "2023-02-17", False),
        ("C02", "2023-11-06", "Front-desk coverage during lunch", "2023-11-20", False),
        ("C03", "2024-05-06", "Physician productivity compensation formula", "2024-10-28", True),
        ("C04", "2025-01-21", "Telehealth visit scheduling rules", "2025-01-24", False),
        ("C05", "2025-11-03", "Billing backlog after the clearinghouse switch", "2025-12-05", False,
         "collection_ratio"),
        ("C06", "2026-03-09", "Medical assistant staffing ratio", "2026-03-27", False),
        ("C07", "2026-08-24", "Scheduling template changes without physician input", "", False),
    ],
}

ACTIONS = {
    "dental": [
        ("AP01", "Share a one-page monthly numbers summary", "clear_communication", "administrator", "2025-06-27", "2025-07-31", "done", "2025-07-28"),
        ("AP02", "Weekly huddle agenda sent the day before", "clear_communication", "administrator", "2025-06-27", "2025-08-31", "done", "2025-09-15"),
        ("AP03", "Private feedback conversations, never in front of the team", "constructive_feedback", "physician", "2025-09-26", "2025-10-31", "done", "2025-10-20"),
        ("AP04", "Collections recovery plan with the billing service", "admin_effectiveness", "administrator", "2025-06-27", "2025-09-30", "done", "2025-09-26", "collection_ratio"),
        ("AP05", "Implant course budget for Dr. Rivera", "professional_development", "administrator", "2025-12-19", "2026-03-31", "dropped", ""),
        ("AP06", "Supply ordering: one owner, monthly budget", "admin_effectiveness", "both", "2026-03-27", "2026-06-30", "in_progress", "", "overhead_ratio_clinical_supplies"),
        ("AP07", "Staff recognition at every monthly meeting", "recognition", "both", "2026-03-27", "2026-05-31", "done", "2026-06-12"),
        ("AP08", "Explain fee-schedule changes before they go live", "clear_communication", "administrator", "2026-06-26", "2026-08-31", "open", ""),
        ("AP09", "Quarterly 30-minute feedback exchange between partners", "constructive_feedback", "both", "2026-06-26", "2026-09-15", "open", ""),
        ("AP10", "Case presentation training for the team", "quality_commitment", "physician", "2026-06-26", "2026-11-30", "open", "", "case_acceptance_value"),
        ("AP11", "Review staff workload and burnout survey results", "supportive_environment", "both", "2026-09-25", "2026-12-15", "open", ""),
    ],
    "medical": [
        ("AP01", "Physicians review template changes before release", "autonomy_accountability", "administrator", "2025-06-27", "2025-08-31", "done", "2025-08-22"),
        ("AP02", "Monthly payer-mix and denial briefing", "org_understanding", "administrator", "2025-09-26", "2025-11-30", "done", "2025-12-19"),
        ("AP03", "Inbox and prior-authorization workflow redesign", "admin_effectiveness", "both", "2025-09-26", "2026-01-31", "done", "2026-01-29"),
        ("AP04", "Clear the billing backlog from the clearinghouse switch", "admin_effectiveness", "administrator", "2025-12-19", "2026-02-28", "done", "2026-03-20", "collection_ratio"),
        ("AP05", "Physician leadership course", "professional_development", "administrator", "2025-12-19", "2026-04-30", "dropped", ""),
        ("AP06", "Documentation closed within one day", "quality_commitment", "physician", "2026-03-27", "2026-06-30", "in_progress", "", "documentation_timeliness"),
        ("AP07", "Recognize staff who covered flu season", "recognition", "both", "2026-03-27", "2026-04-30", "done", "2026-04-24"),
        ("AP08", "Decision rights for scheduling templates written down", "autonomy_accountability", "both", "2026-06-26", "2026-08-31", "open", ""),
        ("AP09", "Physicians attend one payer-contract review", "org_understanding", "physician", "2026-06-26", "2026-09-15", "in_progress", ""),
        ("AP10", "No-show reminder texts two days ahead", "engagement", "administrator", "2026-06-26", "2026-11-30", "open", "", "no_show_rate"),
        ("AP11", "Staff burnout follow-up sessions", "supportive_environment", "both", "2026-09-25", "2026-12-15", "open", ""),
    ],
}

#: The partners' choices, placed on the quarterly checkpoint of (year, month):
#: focus areas (chosen at, area, note, closed at or None).
FOCUS = {
    "dental": [
        ((2025, 6), "clear_communication", "The numbers and the reasons for changes, before they happen.", (2025, 12)),
        ((2025, 9), "constructive_feedback", "Feedback in private and within the week.", None),
        ((2025, 12), "professional_development", "A plan and a budget for the implant course.", (2026, 3)),
        ((2026, 3), "clear_communication", "Chosen again: the monthly summary lapsed.", None),
    ],
    "medical": [
        ((2025, 6), "autonomy_accountability", "Physicians shape the scheduling templates.", (2025, 12)),
        ((2025, 9), "org_understanding", "Physicians follow how payer contracts work.", (2026, 3)),
        ((2025, 12), "admin_effectiveness", "Inbox and billing work flow again.", None),
        ((2026, 6), "autonomy_accountability", "Chosen again after the July template change.", None),
    ],
}
#: Decisions: (id, cadence, (year, month) of the meeting, decision, lead, metric id, area, review date).
MEETING_DECISIONS = {
    "dental": [
        ("D01", "quarterly", (2025, 6), "Jordan sends a one-page numbers summary after every month end.",
         "administrator", "", "clear_communication", "2025-09-30"),
        ("D02", "quarterly", (2025, 6), "A billing service follows up unpaid claims for a trial quarter.",
         "administrator", "collection_ratio", "", "2025-09-30"),
        ("D03", "monthly", (2025, 10), "Keep the billing service: collections are back on track.",
         "administrator", "collection_ratio", "", ""),
        ("D04", "quarterly", (2025, 12), "The implant course waits until the supply budget is under control.",
         "joint", "", "professional_development", "2026-03-31"),
        ("D05", "quarterly", (2026, 3), "One person orders all clinical supplies, against a monthly budget.",
         "joint", "overhead_ratio_clinical_supplies", "admin_effectiveness", "2026-06-30"),
        ("D06", "monthly", (2026, 6), "Fee-schedule changes reach the dentist two weeks before they go live.",
         "administrator", "", "clear_communication", ""),
        ("D07", "monthly", (2026, 8), "Ask two other suppliers for quotes before renewing the supply contract.",
         "administrator", "overhead_ratio_clinical_supplies", "", "2026-10-14"),
        ("D08", "quarterly", (2026, 9), "Choose the supplier at the October meeting, with both quotes and six "
         "months of supply spend.", "joint", "overhead_ratio_clinical_supplies", "", "2026-10-14"),
        ("D09", "quarterly", (2026, 9), "Review staff workload after the burnout survey; the office manager "
         "brings options.", "administrator", "burnout_rate_staff", "supportive_environment", "2026-12-15"),
    ],
    "medical": [
        ("D01", "quarterly", (2025, 6), "Physicians review every template change before release.",
         "administrator", "", "autonomy_accountability", "2025-09-30"),
        ("D02", "quarterly", (2025, 12), "Clear the billing backlog before March; status at every weekly huddle.",
         "administrator", "collection_ratio", "admin_effectiveness", "2026-03-31"),
        ("D03", "quarterly", (2026, 3), "Visit notes are closed within one working day, tracked monthly.",
         "physician", "documentation_timeliness", "quality_commitment", "2026-06-30"),
        ("D04", "quarterly", (2026, 6), "Reminder texts go out two days before every visit from August.",
         "administrator", "no_show_rate", "", "2026-10-14"),
        ("D05", "monthly", (2026, 9), "A template changes only with the sign-off of the physician who works it.",
         "joint", "", "autonomy_accountability", ""),
        ("D06", "quarterly", (2026, 9), "Staff burnout follow-up sessions start in October.",
         "joint", "burnout_rate_staff", "supportive_environment", "2026-12-15"),
    ],
}


def _meeting_day(meetings: pd.DataFrame, cadence: str, year: int, month: int) -> dt.date:
    """The day the partners met at that cadence in that month (the held meeting of the log; else the
    first held meeting of the month, so a decision is never dated on a meeting that did not happen)."""
    d = pd.to_datetime(meetings["date"])
    in_month = meetings[(d.dt.year == year) & (d.dt.month == month) & meetings["held"].astype(bool)]
    same = in_month[in_month["cadence"] == cadence]
    pick = same if len(same) else in_month[in_month["cadence"] != "weekly"]
    pick = pick if len(pick) else in_month
    return pick["date"].iloc[0]


def _focus_areas(spec: DemoSpec, meetings: pd.DataFrame) -> pd.DataFrame:
    rows = [(_meeting_day(meetings, "quarterly", *at), area, note,
             _meeting_day(meetings, "quarterly", *closed) if closed else None)
            for at, area, note, closed in FOCUS[spec.kind]]
    return pd.DataFrame(rows, columns=["chosen_date", "area", "note", "closed_date"])


def _decisions(spec: DemoSpec, meetings: pd.DataFrame) -> pd.DataFrame:
    rows = [(i, cadence, _meeting_day(meetings, cadence, *at), text, lead, metric or None, area or None,
             dt.date.fromisoformat(review) if review else None)
            for i, cadence, at, text, lead, metric, area, review in MEETING_DECISIONS[spec.kind]]
    return pd.DataFrame(rows, columns=["decision_id", "cadence", "date", "decision", "lead", "metric_id", "area",
                                       "review_date"])[list(TABLES["decisions"].column_names)]


ANSWERS = {
    "biggest_challenge": {
        "physician": ["Keeping the schedule full without running late", "Finding time for the business side",
                      "Team turnover in the clinical staff", "Keeping quality up while volume grows"],
        "administrator": ["Collections and insurance follow-up", "Hiring and keeping good staff",
                          "Getting decisions made between meetings", "Rising supply and staff costs"],
    },
    "success_this_year": {
        "physician": ["Patients are accepting more of the treatment we recommend", "The new team members settled in",
                      "Fewer late afternoons", "Our quality numbers improved"],
        "administrator": ["Monthly reports are on time", "We hit the collections goal in most months",
                          "The huddles run on time", "Patient reviews are better"],
    },
    "wish_understood": {
        "physician": ["How tiring a full clinical day is", "Why some cases need more chair time",
                      "That I want the numbers, just shorter", "How much the team's mood affects patients"],
        "administrator": ["How long payer follow-up takes", "That budgets need decisions on time",
                          "That staff hear what is said in the hallway", "How the numbers connect to the schedule"],
    },
    "feedback_needed": {
        "physician": ["Whether my case presentations work", "How I come across to the front desk",
                      "How I could support the office more", "Which reports I should read first"],
        "administrator": ["Whether my updates are clear enough", "How I handle clinical staff questions",
                          "Whether the schedule works for the clinicians", "What I should stop doing"],
    },
    "appreciate_most": {
        "physician": ["Calm handling of difficult patients", "Reliable follow-through", "Protecting my clinical time",
                      "Honest numbers"],
        "administrator": ["Standing behind team decisions", "Care for every patient", "Openness to new ideas",
                          "Time given to the huddles"],
    },
}


def _partner_questions(rng, spec: DemoSpec) -> pd.DataFrame:
    rows = []
    for q in range(4, 15):  # 2024Q1 … 2026Q3, at the quarterly checkpoint
        y, mo = 2023 + q // 4, 3 * (q % 4) + 3
        d = _last_weekday(y, mo, 3)
        for resp in ("physician", "administrator"):
            for question in PARTNER_QUESTIONS:
                pool = ANSWERS[question][resp]
                rows.append((d, resp, question, pool[int(rng.integers(len(pool)))]))
    return pd.DataFrame(rows, columns=["date", "respondent", "question", "answer"])


#: Who the demo's provider ids are (the clinical lead is each practice's first provider).
PROVIDERS = {
    "harbor-dental": [("D01", "Dr. Ana Rivera", "dentist", 1.0), ("D02", "Dr. Marcus Bell", "dentist", 1.0),
                      ("D03", "Dr. Lena Park", "dentist", 1.0), ("H01", "Sofia Grant, RDH", "hygienist", 1.0),
                      ("H02", "Tomás Reyes, RDH", "hygienist", 1.0), ("H03", "Mia Novak, RDH", "hygienist", 1.0)],
    "maple-family-medicine": [("MD01", "Dr. Samuel Okafor", "physician", 1.0),
                              ("MD02", "Dr. Helen Ward", "physician", 1.0),
                              ("MD03", "Dr. Raj Mehta", "physician", 1.0),
                              ("MD04", "Dr. Claire Dubois", "physician", 0.75)],
}


def _providers(spec: DemoSpec) -> pd.DataFrame:
    rows = PROVIDERS[spec.practice_id]
    # fte as text: the generic number format keeps one decimal, and 0.75 must stay 0.75
    return pd.DataFrame({"provider_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                         "role": [r[2] for r in rows], "active": [True] * len(rows),
                         "fte": [f"{r[3]:g}" for r in rows]})


# --- assemble -------------------------------------------------------------------------------------

def generate(practice_id: str) -> dict[str, pd.DataFrame]:
    """Every table of one demo practice as DataFrames with real dates and numbers (not yet formatted)."""
    spec = PRACTICES[practice_id]
    cal = _calendar(spec.kind)

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([spec.seed, k])

    def day(i):
        return cal.days[int(i)] if i >= 0 else None

    month = [dt.date(y, m, 1) for y, m in MONTHS]
    appts = _appointments(rng(1), spec, cal)
    fin = _financials(rng(2), spec, appts, cal)
    exp = _expenses(rng(3), spec, fin)
    cap = _capacity(spec, cal, appts)
    plans = _treatment_plans(rng(4), spec, appts)
    qual = _quality(rng(5), spec, appts, cal)

    out: dict[str, pd.DataFrame] = {}
    out["financials"] = pd.DataFrame({"month": [month[m] for m in fin["m"]], "provider_id": fin["provider_id"],
                                      **{c: fin[c] for c in ("gross_production", "adjustments", "collections",
                                                             "ar_balance", "ar_over_90")}})
    out["expenses"] = pd.DataFrame({"month": [month[m] for m in exp["m"]], "category": exp["category"],
                                    "amount": exp["amount"]})
    out["capacity"] = pd.DataFrame({"month": [month[m] for m in cap["m"]],
                                    **{c: cap[c] for c in ("chair_hours_available", "provider_hours_available",
                                                           "working_days")}})
    out["appointments"] = pd.DataFrame({
        "appointment_id": appts["appointment_id"], "date": [day(i) for i in appts["day"]],
        "provider_id": appts["provider_id"], "patient_id": appts["patient_id"],
        "chair_minutes": appts["chair_minutes"], "status": appts["status"], "visit_type": appts["visit_type"],
        "production": appts["production"], "next_visit_booked": appts["next_visit_booked"],
        "documented_date": [day(i) for i in appts["documented_day"]]})
    out["treatment_plans"] = pd.DataFrame({
        "plan_id": plans["plan_id"], "patient_id": plans["patient_id"], "provider_id": plans["provider_id"],
        "presented_date": [day(i) for i in plans["presented_day"]], "amount_presented": plans["amount_presented"],
        "amount_accepted": plans["amount_accepted"], "accepted_date": [day(i) for i in plans["accepted_day"]]})
    out["quality_measures"] = pd.DataFrame({"month": [month[m] for m in qual["m"]],
                                            **{c: qual[c] for c in qual.columns if c != "m"}})
    out["patient_survey"] = _patient_survey(rng(6), spec)
    out["team_survey"] = _team_survey(rng(7), spec)
    out["dyad_assessment"] = _dyad_assessment(rng(8), spec)
    out["feedback_360"] = _feedback_360(rng(9), spec)
    out["meetings"] = _meetings(rng(10), spec, cal)
    decisions = [(a, lead, consulted.replace("hygienists", "nurse practitioners") if spec.kind == "medical" else consulted,
                  *rest) for a, lead, consulted, *rest in DECISIONS]
    out["decision_grid"] = pd.DataFrame([(*d, None)[:5] for d in decisions],
                                        columns=["decision_area", "lead", "consulted", "notes", "metric_id"])
    out["conflicts"] = pd.DataFrame(
        [(c, dt.date.fromisoformat(o), t, dt.date.fromisoformat(r) if r else None, m, *(rest or (None,)))
         for c, o, t, r, m, *rest in CONFLICTS[spec.kind]],
        columns=["conflict_id", "opened_date", "topic", "resolved_date", "mediated", "metric_id"])
    out["action_plan"] = pd.DataFrame(
        [(i, t, a, o, dt.date.fromisoformat(c), dt.date.fromisoformat(d), s, dt.date.fromisoformat(x) if x else None,
          *(rest or (None,)))
         for i, t, a, o, c, d, s, x, *rest in ACTIONS[spec.kind]],
        columns=["item_id", "title", "area", "owner", "created_date", "due_date", "status", "completed_date",
                 "metric_id"])
    out["partner_questions"] = _partner_questions(rng(11), spec)
    out["focus_areas"] = _focus_areas(spec, out["meetings"])
    out["decisions"] = _decisions(spec, out["meetings"])
    out["providers"] = _providers(spec)
    if spec.kind == "medical":
        _revenue_cycle(rng(12), out, appts, day)
    return {name: out[name] for name in TABLES if name in out}


def _revenue_cycle(r: np.random.Generator, out: dict[str, pd.DataFrame], appts: pd.DataFrame, day) -> None:
    """A physician practice's billing trail: the payer split of collections (about one dollar in six
    from patients), late cancellations (about a third of cancellations), and one charge row per billed
    visit — charges entered within a few days, most visits billed to an insurer the next day, about 7%
    of claims denied; the clearinghouse switch of late 2025 (the conflict log's billing backlog) slows
    charge entry and doubles denials for two months."""
    fin = out["financials"]
    coll = np.round(fin["collections"].to_numpy(dtype=float) * 100).astype(np.int64)
    share = np.clip(r.normal(0.17, 0.02, len(fin)), 0.05, 0.4)
    pat = np.round(coll * share).astype(np.int64)
    fin["patient_collections"] = pat / 100
    fin["insurance_collections"] = (coll - pat) / 100
    ap = out["appointments"]
    cancelled = (ap["status"] == "cancelled").to_numpy()
    late = r.random(len(ap)) < 0.35
    ap["late_cancellation"] = pd.array(np.where(cancelled, late, pd.NA), dtype="boolean")
    done = appts[(appts["status"] == "completed") & (appts["production"].fillna(0) > 0)]
    d = done["day"].to_numpy(dtype=np.int64)
    service = np.array([day(i) for i in d], dtype="datetime64[D]")
    backlog = (service >= np.datetime64("2025-11-01")) & (service < np.datetime64("2026-01-01"))
    lag = r.choice([0, 1, 2, 3, 5, 8, 14], size=len(d), p=[0.35, 0.25, 0.15, 0.1, 0.07, 0.05, 0.03])
    lag = np.where(backlog, lag + r.integers(3, 10, len(d)), lag)
    entry = service + lag.astype("timedelta64[D]")
    insured = r.random(len(d)) < 0.86
    submitted = entry + r.integers(0, 3, len(d)).astype("timedelta64[D]")
    denied = r.random(len(d)) < np.where(backlog, 0.14, 0.07)
    out["charges"] = pd.DataFrame({
        "charge_id": "V" + done["appointment_id"].astype(str).str.lstrip("V").to_numpy(),
        "service_date": service.astype("datetime64[ns]").astype(object),
        "entry_date": entry.astype("datetime64[ns]").astype(object),
        "provider_id": done["provider_id"].to_numpy(), "amount": done["production"].to_numpy(),
        "submitted_date": np.where(insured, submitted.astype("datetime64[ns]").astype(object), None),
        "denied": pd.array(np.where(insured, denied, pd.NA), dtype="boolean")})
    for c in ("service_date", "entry_date", "submitted_date"):
        out["charges"][c] = [None if v is None else pd.Timestamp(v).date() for v in out["charges"][c]]


# --- rendering ----------------------------------------------------------------------------------------

def _fmt_column(values: pd.Series, kind: str, spec: DemoSpec, dollars: bool) -> list[str]:
    """One column as fixed-format strings (blank for missing), fast enough for 100k rows."""
    vals = values.tolist()
    missing = [v is None or v is pd.NA or (isinstance(v, float) and v != v) for v in vals]
    if kind == "month":
        out = [f"{v.year:04d}-{v.month:02d}" if not x else "" for v, x in zip(vals, missing)]
    elif kind == "date":
        cache: dict = {}
        fmt = spec.date_format or "%Y-%m-%d"
        out = []
        for v, x in zip(vals, missing):
            if x:
                out.append("")
                continue
            text = cache.get(v)
            if text is None:
                text = cache[v] = v.strftime(fmt)
            out.append(text)
    elif kind == "money":
        out = [("" if x else f"${v:,.2f}" if dollars else f"{v:.2f}") for v, x in zip(vals, missing)]
    elif kind == "number":
        out = [("" if x else v if isinstance(v, str) else f"{int(v)}" if float(v) == int(v) else f"{float(v):.1f}")
               for v, x in zip(vals, missing)]
    elif kind == "bool":
        out = [("" if x else "true" if v else "false") for v, x in zip(vals, missing)]
    elif kind == "integer":
        out = [("" if x else str(int(v))) for v, x in zip(vals, missing)]
    else:
        out = [("" if x else str(v)) for v, x in zip(vals, missing)]
    return out


def render(practice_id: str, tables: dict[str, pd.DataFrame] | None = None) -> dict[str, bytes]:
    """The files of one demo practice, name -> exact bytes."""
    spec = PRACTICES[practice_id]
    tables = generate(practice_id) if tables is None else tables
    files = {"practice.yaml": _practice_yaml(spec).encode("utf-8")}
    for name, df in tables.items():
        table = TABLES[name]
        dollars = name in spec.dollar_money
        columns = [_fmt_column(df[c], table.column(c).kind, spec, dollars) for c in df.columns]
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";" if name in spec.semicolon else ",", lineterminator="\n")
        writer.writerow(list(df.columns))
        writer.writerows(zip(*columns))
        files[f"{name}.csv"] = buf.getvalue().encode("cp1252" if name in spec.cp1252 else "utf-8")
    return files


def _practice_yaml(spec: DemoSpec) -> str:
    lines = [
        "# Demo practice written by `dyad demo` (dyad_lib/demo.py); fictional data.",
        f"practice_id: {spec.practice_id}",
        f"name: {spec.name}",
        f"kind: {spec.kind}",
        f"fiscal_year_start_month: {spec.fiscal_year_start_month}",
        "currency: USD",
        f"active_patient_months: {spec.active_patient_months}",
    ]
    if spec.date_format:
        lines.append(f'date_format: "{spec.date_format}"')
    lines += ["partners:", f"  clinical_lead: {spec.clinical_lead}", f"  business_lead: {spec.business_lead}"]
    return "\n".join(lines) + "\n"


#: Fiscal years whose goals the partners have agreed in the demo: harbor plans its calendar-year
#: FY2026 in December 2025; maple (fiscal year from July) agreed FY2026 in June 2025 and FY2027 in
#: June 2026, so its September 2026 review has a goal to measure against.
DEMO_GOAL_YEARS = {"harbor-dental": ("FY2026",), "maple-family-medicine": ("FY2026", "FY2027")}


def write_demo(data_dir: Path, practices=None) -> list[Path]:
    """Write the demo practices into `data_dir` and return the files written.

    Each practice folder is built complete (tables, practice.yaml and the FY2026 goals.yaml from
    `dyad_lib.goals.history.write_demo_goals`) in a temporary folder beside it and swapped in whole, so a
    reader never sees half a practice; other practice folders are never touched."""
    from dyad_lib.goals.history import write_demo_goals

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for pid in (practices or list(PRACTICES)):
        if pid not in PRACTICES:
            raise KeyError(f"'{pid}' is not a demo practice; choose from {', '.join(PRACTICES)}")
        files = render(pid)
        staging = Path(tempfile.mkdtemp(prefix=f".demo-{pid}.", dir=data_dir))
        try:
            tmp = staging / pid
            tmp.mkdir()
            for name, data in files.items():
                (tmp / name).write_bytes(data)
            write_demo_goals(pid, staging, DEMO_GOAL_YEARS[pid])  # planned on the data just written
            names = sorted(p.name for p in tmp.iterdir())
            target = data_dir / pid
            if target.exists():  # moved into the staging folder, deleted with it
                os.replace(target, staging / f"{pid}.old")
            os.replace(tmp, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        written += [data_dir / pid / name for name in names]
    return written
