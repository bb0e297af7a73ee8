"""An Open Dental-shaped practice database, generated: the fixture for the importer's tests, the
dental demo built through the import, and the benchmark's ten-year, forty-provider practice.

The tables and columns are Open Dental's own (`dyad_lib.demo.opendental_schema`); the data is a
simulated practice with the traps real databases have, so an importer built to the documented
definitions — not to this file — is what passes:

* deleted procedures (ProcStatus 6) that keep their fee; charting-only statuses (EC 3, EO 4,
  R 5, Cn 7) and inactive plans (TPi 8) with fees; units > 1 (`UnitQty`) and base units
  (`BaseUnits`, deep sedation);
* signed adjustments (cash discounts and bad-debt write-offs −, late fees +); prepayments (`paysplit.UnearnedType`, no
  provider) later allocated by a $0 transfer; refunds; unallocated income (provider 0); old
  discount splits (`IsDiscount`);
* insurance paid weeks later, often in the next month, on checks (`claimpayment.CheckDate`);
  claims not yet received at the end (status 0, with write-off estimates); supplemental payments
  (status 4) with negative write-offs; write-offs that changed after the claim snapshot; a received
  payment never attached to a check; capitation write-offs (status 7) that reduce production;
* broken appointments both ways (AptStatus 5, or moved to the unscheduled list 3), each with the
  D9986/D9987 code charted or not; planned (6) and note (7, 8) appointments; past appointments
  never set complete; appointments whose creation time is unknown (old rows);
* hygiene under the dentist's number (the first hygienist's appointments carry the dentist as
  ProvNum, IsHygiene unset, and the dentist on every procedure); a dentist who left (hidden, his
  operatory hidden) whose insurance still pays after he is gone; a hidden operatory still linked
  to live schedules; provider schedules with no operatory linked (Open Dental then uses the
  operatories whose default provider they are);
* saved treatment plans (proctp) with procedures later completed, scheduled, left, deleted or
  inactivated, and plans saved again with the same procedures; active plans (treatplanattach);
* stored aging on the guarantors (`patient.Bal_0_30` … `BalOver90`) computed as Open Dental's
  aging does at `DateLastAging`.

Everything is drawn from one seeded numpy generator, so a spec always gives the same database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dyad_lib.demo import opendental_schema as schema

#: (code, description, fee, IsHygiene, BaseUnits, billed to insurance)
CODES = [
    ("D0120", "Periodic oral evaluation", 62.0, 0, 0, 1),
    ("D0140", "Limited oral evaluation", 85.0, 0, 0, 1),
    ("D0150", "Comprehensive oral evaluation", 110.0, 0, 0, 1),
    ("D0210", "Intraoral complete series of radiographic images", 150.0, 0, 0, 1),
    ("D0220", "Intraoral periapical first radiographic image", 32.0, 0, 0, 1),
    ("D0230", "Intraoral periapical each additional image", 28.0, 0, 0, 1),
    ("D0274", "Bitewings four radiographic images", 70.0, 0, 0, 1),
    ("D1110", "Prophylaxis adult", 115.0, 1, 0, 1),
    ("D1120", "Prophylaxis child", 85.0, 1, 0, 1),
    ("D1206", "Topical application of fluoride varnish", 45.0, 1, 0, 1),
    ("D4910", "Periodontal maintenance", 165.0, 1, 0, 1),
    ("D4341", "Periodontal scaling and root planing, per quadrant", 260.0, 1, 0, 1),
    ("D2391", "Resin-based composite, one surface, posterior", 195.0, 0, 0, 1),
    ("D2392", "Resin-based composite, two surfaces, posterior", 250.0, 0, 0, 1),
    ("D2740", "Crown, porcelain/ceramic", 1250.0, 0, 0, 1),
    ("D2950", "Core buildup, including any pins", 310.0, 0, 0, 1),
    ("D3330", "Endodontic therapy, molar", 1150.0, 0, 0, 1),
    ("D7140", "Extraction, erupted tooth", 210.0, 0, 0, 1),
    ("D6010", "Surgical placement of implant body", 2100.0, 0, 0, 1),
    ("D9223", "Deep sedation/general anesthesia, each 15 minutes", 240.0, 0, 1, 1),
    ("D9986", "Missed appointment", 50.0, 0, 0, 0),
    ("D9987", "Cancelled appointment", 0.0, 0, 0, 0),
    ("99999", "Whitening take-home kit (office code)", 300.0, 0, 0, 0),
]
CODE_NUM = {c[0]: i + 1 for i, c in enumerate(CODES)}
FEE = np.array([0.0] + [c[2] for c in CODES])
IS_HYG = np.array([0] + [c[3] for c in CODES])
BASE_UNITS = np.array([0] + [c[4] for c in CODES])
BILLED = np.array([0] + [c[5] for c in CODES])
PLAN_CODES = ["D2391", "D2392", "D2740", "D3330", "D7140", "D6010"]

# definition.DefNum values the fixture uses (Category: 1 adjustment types, 10 payment types,
# 29 unearned split types).
DEF_DISCOUNT, DEF_LATE_FEE, DEF_BAD_DEBT, DEF_PAY_CHECK, DEF_PAY_CARD, DEF_PREPAYMENT = 101, 102, 103, 201, 202, 288

FIRST_NAMES = ["Ana", "Marcus", "Lena", "Omar", "Grace", "Ivan", "Nadia", "Peter", "Rosa", "Samir", "Tara",
               "Victor", "Wen", "Yara", "Zoe", "Elias", "Farah", "Gavin", "Hana", "Jonas"]
LAST_NAMES = ["Rivera", "Bell", "Park", "Haddad", "Kim", "Petrov", "Silva", "Novak", "Grant", "Okafor",
              "Lindqvist", "Mensah", "Castro", "Dubois", "Tanaka", "Moreau", "Ahmed", "Walsh", "Berg", "Costa"]


@dataclass(frozen=True)
class FixtureSpec:
    """One simulated practice: its dates, its team and the settings the import must honour."""

    start: dt.date = dt.date(2024, 1, 1)
    end: dt.date = dt.date(2024, 6, 30)  # the last day with data; later only bookings
    dentists: int = 2
    hygienists: int = 2
    seed: int = 7
    horizon_days: int = 45
    fill: float = 0.88
    writeoff_mode: int = 0  # preference PPOWriteoffDateCalc
    version: str = "23.3.12.0"
    title: str = "Seaside Family Dental"
    former_dentist: bool = True


#: The practice `dyad demo --opendental` imports: the demo's dates (2023-01 … 2026-09), 3 dentists + 2 hygienists.
DEMO = FixtureSpec(start=dt.date(2023, 1, 1), end=dt.date(2026, 9, 30), dentists=3, hygienists=2, seed=11,
                   horizon_days=200)
DEMO_PRACTICE = "seaside-dental"
#: The benchmark's practice: ten years, forty providers (about two million procedures).
BENCHMARK = FixtureSpec(start=dt.date(2016, 1, 1), end=dt.date(2025, 12, 31), dentists=28, hygienists=12, fill=0.97,
                        seed=3, former_dentist=False)


def _holidays(years: range) -> set[int]:
    out = set()
    for y in years:  # New Year, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas
        nov1 = dt.date(y, 11, 1)
        thanks = nov1 + dt.timedelta((3 - nov1.weekday()) % 7 + 21)
        may31 = dt.date(y, 5, 31)
        memorial = may31 - dt.timedelta((may31.weekday() - 0) % 7)
        sep1 = dt.date(y, 9, 1)
        labor = sep1 + dt.timedelta((0 - sep1.weekday()) % 7)
        for d in (dt.date(y, 1, 1), dt.date(y, 7, 4), dt.date(y, 12, 25), thanks, memorial, labor):
            out.add(_day(d))
    return out


class _Ids:
    """Primary keys per table, handed out in blocks."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str, n: int) -> np.ndarray:
        start = self.next.get(table, 1)
        self.next[table] = start + n
        return np.arange(start, start + n, dtype=np.int64)


EPOCH = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    """A date as a day number (days since 1970-01-01): the generator counts days as integers."""
    return (d - EPOCH).days


def _ts(days) -> pd.Series:
    """Day numbers as timestamps (missing stays missing)."""
    return pd.to_datetime(pd.Series(days, dtype="float64"), unit="D")


def _money(x) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float), 2)


def generate(spec: FixtureSpec = DEMO) -> dict[str, pd.DataFrame]:  # noqa: C901  (one story, told in order)
    """Every table of the simulated practice as frames with Open Dental's column names."""
    rng = np.random.default_rng(spec.seed)
    ids = _Ids()
    start, end = _day(spec.start), _day(spec.end)
    last = end + spec.horizon_days
    days = np.arange(start, last + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    hol = _holidays(range(spec.start.year, spec.end.year + 2))
    working = (weekday < 5) & ~np.isin(days, list(hol))

    # --- providers and operatories -----------------------------------------------------------------
    n_d, n_h = spec.dentists, spec.hygienists
    kinds = ["D"] * n_d + ["H"] * n_h + (["F"] if spec.former_dentist else [])
    n_p = len(kinds)
    prov = np.arange(1, n_p + 1, dtype=np.int64)
    is_hyg_prov = np.array([k == "H" for k in kinds])
    dentists = prov[[k == "D" for k in kinds]]
    hygienists = prov[is_hyg_prov]
    former = prov[-1] if spec.former_dentist else None
    providers = pd.DataFrame({
        "ProvNum": prov,
        "Abbr": [f"{'DOC' if k != 'H' else 'HYG'}{i + 1}" for i, k in enumerate(kinds)],
        "ItemOrder": np.arange(n_p),
        "FName": [FIRST_NAMES[i % len(FIRST_NAMES)] for i in range(n_p)],
        "LName": [LAST_NAMES[(i * 7) % len(LAST_NAMES)] for i in range(n_p)],
        "Suffix": ["RDH" if k == "H" else "DDS" for k in kinds],
        "SSN": [f"9{i:08d}" for i in range(n_p)],
        "IsSecondary": is_hyg_prov.astype(int),
        "IsHidden": [int(k == "F") for k in kinds],
        "Birthdate": ["1975-05-17"] * n_p,
    })
    hidden_op = n_p + 1
    ops = pd.DataFrame({
        "OperatoryNum": np.arange(1, n_p + 2),
        "OpName": [f"Op {i + 1}" for i in range(n_p)] + ["Old Op"],
        "Abbrev": [f"O{i + 1}" for i in range(n_p + 1)],
        "ItemOrder": np.arange(n_p + 1),
        "IsHidden": [int(k == "F") for k in kinds] + [1],
        "ProvDentist": [p if k != "H" else 0 for p, k in zip(prov, kinds)] + [0],
        "ProvHygienist": [p if k == "H" else 0 for p, k in zip(prov, kinds)] + [0],
        "IsHygiene": [int(k == "H") for k in kinds] + [0],
    })

    # --- schedules ----------------------------------------------------------------------------------
    sched_rows = []
    former_until = start + 61
    for i, p in enumerate(prov):
        off = i % 5 if i % 4 == 3 else -1
        mask = working & (weekday != off) & (days <= last)
        if kinds[i] == "F":
            mask &= days < former_until
        d = days[mask]
        fri = weekday[mask] == 4
        morning = pd.DataFrame({"SchedDate": d, "start": 8, "stop": 12, "ProvNum": p})
        afternoon = pd.DataFrame({"SchedDate": d[~fri], "start": 13, "stop": 17, "ProvNum": p})
        sched_rows += [morning, afternoon]
    sched = pd.concat(sched_rows, ignore_index=True).sort_values(["SchedDate", "ProvNum", "start"],
                                                                  kind="stable").reset_index(drop=True)
    sched["ScheduleNum"] = ids.take("schedule", len(sched))
    sched["StartTime"] = sched["start"].map(lambda h: f"{h:02d}:00:00")
    sched["StopTime"] = sched["stop"].map(lambda h: f"{h:02d}:00:00")
    sched["SchedType"] = 1
    own_op = dict(zip(prov, np.arange(1, n_p + 1)))
    linked = rng.random(len(sched)) < 0.85
    so = pd.DataFrame({"ScheduleNum": sched.loc[linked, "ScheduleNum"],
                       "OperatoryNum": sched.loc[linked, "ProvNum"].map(own_op)})
    if n_h >= 2:  # the second hygienist's schedules are often also linked to the hidden operatory
        h2 = (sched["ProvNum"] == hygienists[1]) & (rng.random(len(sched)) < 0.3)
        so = pd.concat([so, pd.DataFrame({"ScheduleNum": sched.loc[h2, "ScheduleNum"], "OperatoryNum": hidden_op})])
    so = so.sort_values(["ScheduleNum", "OperatoryNum"]).reset_index(drop=True)
    so["ScheduleOpNum"] = ids.take("scheduleop", len(so))
    hol_days = np.array(sorted(h for h in hol if start <= h <= last), dtype=np.int64)
    extra_sched = pd.DataFrame({"SchedDate": hol_days, "SchedType": 0, "Status": 2, "Note": "Holiday",
                                "StartTime": "00:00:00", "StopTime": "00:00:00", "ProvNum": 0})
    extra_sched["ScheduleNum"] = ids.take("schedule", len(extra_sched))
    blk = sched.sample(frac=0.05, random_state=spec.seed)[["SchedDate"]].copy()
    blk["SchedType"], blk["BlockoutType"], blk["StartTime"], blk["StopTime"] = 2, 401, "12:00:00", "13:00:00"
    blk["ScheduleNum"] = ids.take("schedule", len(blk))

    # --- patients and families -------------------------------------------------------------------------
    hours = (sched["stop"] - sched["start"]).to_numpy()
    slots_per_year = hours.sum() * spec.fill / max((last - start) / 365.25, 0.25)
    n_pat = max(80, int(slots_per_year / 2.2))
    pat = np.arange(1, n_pat + 1, dtype=np.int64)
    sizes = rng.choice([1, 1, 2, 2, 3, 4], size=n_pat)
    guarantor = np.empty(n_pat, dtype=np.int64)
    i = 0
    while i < n_pat:
        k = int(sizes[i])
        guarantor[i:i + k] = pat[i]
        i += k
    fam_plan = {g: rng.choice(3, p=[0.55, 0.05, 0.40]) for g in np.unique(guarantor)}
    plan = np.array([fam_plan[g] for g in guarantor])  # 0 PPO, 1 capitation, 2 none
    # most patients are with the practice before the data starts; the others join along the way
    joins = np.where(rng.random(n_pat) < 0.8, start - 400, rng.integers(start, max(end, start + 1), n_pat))
    home_d = rng.choice(dentists, size=n_pat)
    home_h = rng.choice(hygienists, size=n_pat) if n_h else np.zeros(n_pat, dtype=np.int64)

    # --- appointments in the schedule's slots --------------------------------------------------------------
    rep = np.repeat(np.arange(len(sched)), hours)
    slot_hour = sched["start"].to_numpy()[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(hours) - hours, hours))
    a = pd.DataFrame({"day": sched["SchedDate"].to_numpy()[rep], "hour": slot_hour,
                      "p": sched["ProvNum"].to_numpy()[rep]})
    # the book thins out into the future: about three months of bookings ahead, fewer further out
    ahead = np.maximum(a["day"].to_numpy() - end, 0)
    a = a[rng.random(len(a)) < spec.fill * np.maximum(0.15, np.exp(-ahead / 75.0))].reset_index(drop=True)
    n_a = len(a)
    is_h = np.isin(a["p"].to_numpy(), hygienists)
    kind = np.where(is_h, "hygiene",
                    rng.choice(["new_patient", "restorative", "procedure", "exam", "other"], size=n_a,
                               p=[0.08, 0.50, 0.17, 0.15, 0.10]))
    patient = np.empty(n_a, dtype=np.int64)
    for p in prov:
        m = (a["p"] == p).to_numpy()
        if p in hygienists:
            panel = pat[home_h == p]
        elif p == former:
            panel = pat
        else:
            panel = pat[home_d == p]
        panel = panel if len(panel) else pat
        panel = panel[np.argsort(joins[panel - 1], kind="stable")]
        # a visit on day d goes to a patient who has joined by then
        k = np.maximum(np.searchsorted(joins[panel - 1], a["day"].to_numpy()[m], side="right"), 1)
        patient[m] = panel[(rng.random(int(m.sum())) * k).astype(np.int64)]
    pidx = patient - 1
    length = pd.Series(kind).map({"hygiene": 60, "new_patient": 90, "restorative": 60, "procedure": 90,
                                  "exam": 30, "other": 30}).to_numpy()
    past = a["day"].to_numpy() <= end
    u = rng.random(n_a)
    status = np.where(past, np.select([u < 0.90, u < 0.94, u < 0.97, u < 0.973], [2, 5, 3, 1], 2), 1)
    dentist_of = np.where(is_h, home_d[pidx], a["p"].to_numpy())
    appts = pd.DataFrame({
        "day": a["day"].to_numpy(), "hour": a["hour"].to_numpy(), "PatNum": patient, "AptStatus": status,
        "kind": kind, "length": length, "ProvNum": dentist_of,
        "ProvHyg": np.where(is_h, a["p"].to_numpy(), 0), "Op": pd.Series(a["p"]).map(own_op).to_numpy(),
        "IsNewPatient": (kind == "new_patient").astype(int),
        "IsHygiene": (is_h & (a["p"].to_numpy() != (hygienists[0] if n_h else -1))).astype(int),
    })

    # --- procedures on the appointments ------------------------------------------------------------------
    proc_parts = []

    def procs(mask: np.ndarray, code, prob: float = 1.0, units=1, hyg_provider: bool = False) -> None:
        m = mask & (rng.random(len(appts)) < prob)
        idx = np.flatnonzero(m)
        if not len(idx):
            return
        codes = np.asarray(code(len(idx)) if callable(code) else [code] * len(idx))
        uq = units(len(idx)) if callable(units) else np.full(len(idx), units)
        provider = appts["ProvNum"].to_numpy()[idx]
        if hyg_provider:
            trap = appts["IsHygiene"].to_numpy()[idx] == 0
            provider = np.where(trap, provider, appts["ProvHyg"].to_numpy()[idx])
        proc_parts.append(pd.DataFrame({"appt": idx, "code": codes, "UnitQty": uq, "ProvNum": provider}))

    k = appts["kind"].to_numpy()
    hyg = k == "hygiene"
    procs(hyg, lambda n: rng.choice(["D1110", "D4910", "D1120"], size=n, p=[0.7, 0.15, 0.15]), hyg_provider=True)
    procs(hyg, "D0120", 0.8)
    procs(hyg, "D0274", 0.55)
    procs(hyg, "D1206", 0.3, hyg_provider=True)
    procs(hyg, "D0220", 0.25)
    procs(hyg, "D4341", 0.04, units=lambda n: rng.integers(2, 5, n), hyg_provider=True)
    np_ = k == "new_patient"
    procs(np_, "D0150")
    procs(np_, "D0210")
    procs(np_, "D1110", 0.8)
    procs(np_, "D0274", 0.6)
    rest = k == "restorative"
    crown = rest & (rng.random(len(appts)) < 0.25)
    for p_tooth in (1.0, 0.45, 0.2):  # one to three teeth filled in a visit
        procs(rest & ~crown, lambda n: rng.choice(["D2391", "D2392"], size=n, p=[0.6, 0.4]), p_tooth)
    procs(crown, "D2740")
    procs(crown, "D2950", 0.6)
    procs(rest, "D0220", 0.4)
    procs(rest, "D0230", 0.2, units=lambda n: rng.integers(2, 4, n))
    pr = k == "procedure"
    procs(pr, lambda n: rng.choice(["D3330", "D7140", "D6010"], size=n, p=[0.4, 0.4, 0.2]))
    procs(pr, "D9223", 0.15, units=2)
    procs(pr, "D0220", 0.6)
    procs(pr, "D0230", 0.4, units=lambda n: rng.integers(2, 4, n))
    ex = k == "exam"
    procs(ex, "D0140")
    procs(ex, "D0220", 0.5)
    procs(ex, "D0230", 0.25, units=lambda n: rng.integers(2, 4, n))
    ot = k == "other"
    whit = ot & (rng.random(len(appts)) < 0.5)
    procs(whit, "99999")
    procs(ot & ~whit, "D0140")
    pl = pd.concat(proc_parts, ignore_index=True).sort_values(["appt", "code"], kind="stable").reset_index(drop=True)

    # --- treatment plans from exams: some accepted, booked and done later ---------------------------------------
    done_exam = (appts["AptStatus"].to_numpy() == 2) & np.isin(k, ["new_patient", "exam", "hygiene"])
    p_plan = np.select([k == "new_patient", k == "exam"], [0.55, 0.35], 0.08)
    chosen = np.flatnonzero(done_exam & (rng.random(len(appts)) < p_plan) & (appts["day"].to_numpy() < end))
    n_items = rng.integers(1, 4, len(chosen))
    it_plan = np.repeat(np.arange(len(chosen)), n_items)
    it_code = rng.choice(PLAN_CODES, size=len(it_plan), p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    plan_appt = chosen[it_plan]
    items = pd.DataFrame({"plan": it_plan, "code": it_code, "PatNum": appts["PatNum"].to_numpy()[plan_appt],
                          "ProvNum": appts["ProvNum"].to_numpy()[plan_appt], "DateTP": appts["day"].to_numpy()[plan_appt]})
    items["fee"] = FEE[items["code"].map(CODE_NUM).to_numpy()]
    plan_total = items.groupby("plan")["fee"].transform("sum").to_numpy()
    p_acc = np.select([plan_total < 1000, plan_total < 4000], [0.75, 0.6], 0.4)
    items["accepted"] = rng.random(len(items)) < p_acc
    lag = rng.integers(7, 76, len(chosen))
    booked_day = appts["day"].to_numpy()[chosen] + lag
    # move a booking to the next working day of the practice; bookings past the horizon do not happen
    wd = days[working]
    pos = np.searchsorted(wd, booked_day)
    ok = pos < len(wd)
    booked_day = np.where(ok, wd[np.minimum(pos, len(wd) - 1)], -1)
    items["book_day"] = booked_day[items["plan"].to_numpy()]
    items["accepted"] &= ok[items["plan"].to_numpy()]
    acc_plans = np.unique(items.loc[items["accepted"], "plan"])
    extra = pd.DataFrame({
        "day": booked_day[acc_plans], "hour": rng.integers(8, 16, len(acc_plans)),
        "PatNum": appts["PatNum"].to_numpy()[chosen[acc_plans]],
        "kind": "plan", "length": 60, "ProvNum": appts["ProvNum"].to_numpy()[chosen[acc_plans]], "ProvHyg": 0,
        "IsNewPatient": 0, "IsHygiene": 0})
    extra["Op"] = extra["ProvNum"].map(own_op)
    extra["AptStatus"] = np.where(extra["day"].to_numpy() <= end, 2, 1)
    extra_appt = dict(zip(acc_plans, len(appts) + np.arange(len(acc_plans))))
    appts = pd.concat([appts, extra], ignore_index=True)
    items["appt"] = items["plan"].map(extra_appt).where(items["accepted"])

    # --- appointment keys and creation times ------------------------------------------------------------------
    appts["AptNum"] = ids.take("appointment", len(appts))
    appts["AptDateTime"] = _ts(appts["day"]) + pd.to_timedelta(appts["hour"], unit="h")
    order = appts.sort_values(["PatNum", "AptDateTime", "AptNum"]).index
    s = appts.loc[order]
    prev_day = s.groupby("PatNum")["day"].shift(1)
    at_checkout = rng.random(len(s)) < 0.62
    gap = pd.to_timedelta(rng.integers(3, 31, len(s)), unit="D")
    created = _ts(s["day"]).set_axis(s.index) - gap
    has_prev = prev_day.notna().to_numpy()
    prev_dt = _ts(prev_day).set_axis(s.index)
    booked = has_prev & at_checkout & (prev_day.fillna(-1).to_numpy() < s["day"].to_numpy())
    created = created.where(~booked, prev_dt + pd.Timedelta(hours=16, minutes=30))
    # not booked at checkout: created after the previous visit's day
    late = has_prev & ~booked
    floor = prev_dt + pd.Timedelta(days=1, hours=9)
    created = created.where(~late | (created > floor), floor)
    created = created.where(created <= s["AptDateTime"], s["AptDateTime"] - pd.Timedelta(hours=1))
    unknown = rng.random(len(s)) < 0.03
    appts.loc[order, "SecDateTEntry"] = created.dt.strftime("%Y-%m-%d %H:%M:%S").where(~unknown, schema.MIN_DATETIME).to_numpy()
    appts["Pattern"] = ["/" + "X" * (n // 5 - 2) + "/" for n in appts["length"]]

    # --- procedure rows ------------------------------------------------------------------------------------------
    pl["AptNum"] = appts["AptNum"].to_numpy()[pl["appt"].to_numpy()]
    pl["PatNum"] = appts["PatNum"].to_numpy()[pl["appt"].to_numpy()]
    pl["ProcDate"] = appts["day"].to_numpy()[pl["appt"].to_numpy()]
    pl["ProcStatus"] = np.where(appts["AptStatus"].to_numpy()[pl["appt"].to_numpy()] == 2, 2, 1)
    # the plan's procedures: created on the exam day (TP), completed on their booked appointment if done
    it = items.copy()
    has_appt = it["appt"].notna()
    appt_i = it["appt"].fillna(0).astype(int).to_numpy()
    it_status = np.where(has_appt, np.where(appts["AptStatus"].to_numpy()[appt_i] == 2, 2, 1), 1)
    fate = rng.random(len(it))
    it_status = np.where(~has_appt & (fate < 0.05), 6, np.where(~has_appt & (fate < 0.10), 8, it_status))
    plan_procs = pd.DataFrame({
        "code": it["code"], "UnitQty": 1, "ProvNum": it["ProvNum"], "PatNum": it["PatNum"],
        "AptNum": np.where(has_appt, appts["AptNum"].to_numpy()[appt_i], 0),
        "ProcDate": np.where(it_status == 2, appts["day"].to_numpy()[appt_i], it["DateTP"].to_numpy()),
        "ProcStatus": it_status, "DateTP": it["DateTP"].to_numpy(), "plan": it["plan"]})
    pl = pd.concat([pl.drop(columns=["appt"]), plan_procs], ignore_index=True)
    pl["DateTP"] = pl["DateTP"].fillna(pd.Series(pl["ProcDate"]))
    # broken appointments: the D9986 (missed) or D9987 (cancelled) code charted, or nothing
    broken = appts.index[appts["AptStatus"].isin([3, 5]).to_numpy()]
    ub = rng.random(len(broken))
    code_b = np.where(ub < 0.5, "D9986", np.where(ub < 0.7, "D9987", ""))
    bsel = code_b != ""
    bro = appts.loc[broken[bsel]]
    pl = pd.concat([pl, pd.DataFrame({
        "code": code_b[bsel], "UnitQty": 1, "ProvNum": bro["ProvNum"].to_numpy(), "PatNum": bro["PatNum"].to_numpy(),
        "AptNum": 0, "ProcDate": bro["day"].to_numpy(), "ProcStatus": 2, "DateTP": bro["day"].to_numpy(),
        "fee_override": np.where(rng.random(int(bsel.sum())) < 0.5, 50.0, 0.0)})], ignore_index=True)
    # charting-only statuses on exams, and deleted procedures that keep their fee
    ex_done = appts.index[(appts["AptStatus"] == 2).to_numpy() & appts["kind"].isin(["new_patient", "exam"]).to_numpy()]
    cs = rng.choice([3, 4, 5, 7], size=len(ex_done), p=[0.45, 0.25, 0.05, 0.25])
    keep = rng.random(len(ex_done)) < 0.6
    exd = appts.loc[ex_done[keep]]
    chart_code = np.where(cs[keep] == 3, "D2740", np.where(cs[keep] == 4, "D2391", np.where(cs[keep] == 5, "D3330",
                                                                                            "D7140")))
    pl = pd.concat([pl, pd.DataFrame({
        "code": chart_code, "UnitQty": 1, "ProvNum": exd["ProvNum"].to_numpy(), "PatNum": exd["PatNum"].to_numpy(),
        "AptNum": 0, "ProcDate": exd["day"].to_numpy(), "ProcStatus": cs[keep], "DateTP": exd["day"].to_numpy(),
        "fee_override": np.where(cs[keep] == 3, 1250.0, np.where(cs[keep] == 5, 1150.0, 0.0))})], ignore_index=True)
    done_idx = pl.index[(pl["ProcStatus"] == 2).to_numpy() & pl["AptNum"].gt(0).to_numpy()]
    dele = rng.choice(done_idx, size=max(1, int(len(done_idx) * 0.015)), replace=False) if len(done_idx) else []
    dd = pl.loc[dele].copy()
    dd["ProcStatus"], dd["AptNum"] = 6, 0
    pl = pd.concat([pl, dd], ignore_index=True)
    pl["CodeNum"] = pl["code"].map(CODE_NUM).astype(np.int64)
    pl["BaseUnits"] = BASE_UNITS[pl["CodeNum"].to_numpy()]
    fee = FEE[pl["CodeNum"].to_numpy()]
    if "fee_override" in pl:
        fee = np.where(pl["fee_override"].notna(), pl["fee_override"].fillna(0).to_numpy(), fee)
    pl["ProcFee"] = fee
    pl = pl.sort_values(["ProcDate", "PatNum", "AptNum", "CodeNum"], kind="stable").reset_index(drop=True)
    pl["ProcNum"] = ids.take("procedurelog", len(pl))
    pl["fee_total"] = _money(pl["ProcFee"] * (pl["UnitQty"] + pl["BaseUnits"]))

    # --- saved plans (proctp), plans saved again, active plans (treatplanattach) ---------------------------------
    pp = pl[pl["plan"].notna()].copy()
    pp["plan"] = pp["plan"].astype(int)
    plan_ids = ids.take("treatplan", len(chosen))
    tps = [pd.DataFrame({"TreatPlanNum": plan_ids, "PatNum": appts["PatNum"].to_numpy()[chosen],
                         "DateTP": appts["day"].to_numpy()[chosen], "Heading": "Proposed Treatment Plan",
                         "TPStatus": 0, "UserNumPresenter": 1})]
    ptp = [pd.DataFrame({"TreatPlanNum": plan_ids[pp["plan"].to_numpy()], "PatNum": pp["PatNum"].to_numpy(),
                         "ProcNumOrig": pp["ProcNum"].to_numpy(), "ProcCode": pp["code"].to_numpy(),
                         "FeeAmt": pp["fee_total"].to_numpy(), "PatAmt": pp["fee_total"].to_numpy(),
                         "ProvNum": pp["ProvNum"].to_numpy(), "DateTP": pp["DateTP"].to_numpy()})]
    again = np.flatnonzero(rng.random(len(chosen)) < 0.12)
    again_day = appts["day"].to_numpy()[chosen[again]] + rng.integers(20, 61, len(again))
    again = again[again_day <= end]
    again_day = again_day[again_day <= end]
    if len(again):
        re_ids = ids.take("treatplan", len(again))
        tps.append(pd.DataFrame({"TreatPlanNum": re_ids, "PatNum": appts["PatNum"].to_numpy()[chosen[again]],
                                 "DateTP": again_day, "Heading": "Proposed Treatment Plan (revised)", "TPStatus": 0,
                                 "UserNumPresenter": 1}))
        rp = pp[pp["plan"].isin(again)]
        re_map = dict(zip(again, re_ids))
        ptp.append(pd.DataFrame({"TreatPlanNum": rp["plan"].map(re_map).to_numpy(), "PatNum": rp["PatNum"].to_numpy(),
                                 "ProcNumOrig": rp["ProcNum"].to_numpy(), "ProcCode": rp["code"].to_numpy(),
                                 "FeeAmt": rp["fee_total"].to_numpy(), "PatAmt": rp["fee_total"].to_numpy(),
                                 "ProvNum": rp["ProvNum"].to_numpy(),
                                 "DateTP": rp["plan"].map(dict(zip(again, again_day))).to_numpy()}))
    open_tp = pl[(pl["ProcStatus"] == 1) & (pl["AptNum"] == 0)]
    act_pats = np.unique(open_tp["PatNum"].to_numpy())
    act_ids = ids.take("treatplan", len(act_pats))
    tps.append(pd.DataFrame({"TreatPlanNum": act_ids, "PatNum": act_pats, "DateTP": end, "Heading": "Active Treatment Plan",
                             "TPStatus": 1}))
    treatplan = pd.concat(tps, ignore_index=True)
    proctp = pd.concat(ptp, ignore_index=True)
    proctp["ProcTPNum"] = ids.take("proctp", len(proctp))
    proctp["ItemOrder"] = proctp.groupby("TreatPlanNum").cumcount()
    tpa = pd.DataFrame({"TreatPlanNum": open_tp["PatNum"].map(dict(zip(act_pats, act_ids))).to_numpy(),
                        "ProcNum": open_tp["ProcNum"].to_numpy()})
    tpa["TreatPlanAttachNum"] = ids.take("treatplanattach", len(tpa))

    # --- money on completed procedures: insurance, capitation, patient portions ------------------------------------
    c = pl[(pl["ProcStatus"] == 2) & (pl["ProcDate"] <= end)].copy()
    c_plan = plan[c["PatNum"].to_numpy() - 1]
    billed = BILLED[c["CodeNum"].to_numpy()] == 1
    ppo = (c_plan == 0) & billed
    cap = (c_plan == 1) & billed
    allowed = _money(c["fee_total"] * 0.78)
    cov = np.where(np.char.startswith(c["code"].to_numpy().astype(str), "D0") |
                   np.char.startswith(c["code"].to_numpy().astype(str), "D1"), 0.8, 0.5)
    ins = _money(allowed * cov)
    wo_est = _money(c["fee_total"] - allowed)
    copay = _money(c["fee_total"] * 0.2)
    c["pat_portion"] = np.where(ppo, allowed - ins, np.where(cap, copay, c["fee_total"]))
    # claims: one per PPO visit (patient, day)
    cp_src = c[ppo].copy()
    cp_src["ins"], cp_src["wo"] = ins[ppo], wo_est[ppo]
    visit_key = cp_src[["PatNum", "ProcDate"]].drop_duplicates().reset_index(drop=True)
    visit_key["ClaimNum"] = ids.take("claim", len(visit_key))
    visit_key["payday"] = visit_key["ProcDate"].to_numpy() + rng.integers(10, 51, len(visit_key))
    visit_key["received"] = visit_key["payday"].to_numpy() <= end
    visit_key["attached"] = visit_key["received"] & (rng.random(len(visit_key)) > 0.01)
    visit_key["changed"] = visit_key["received"] & (rng.random(len(visit_key)) < 0.10)
    cp_src = cp_src.merge(visit_key, on=["PatNum", "ProcDate"], how="left")
    chk = visit_key[visit_key["attached"]].copy()
    chk["ClaimPaymentNum"] = ids.take("claimpayment", len(chk))
    cp_src = cp_src.merge(chk[["ClaimNum", "ClaimPaymentNum"]], on="ClaimNum", how="left")
    cp_src["ClaimPaymentNum"] = cp_src["ClaimPaymentNum"].fillna(0).astype(np.int64)
    rec = cp_src["received"].to_numpy()
    changed = cp_src["changed"].to_numpy() & (cp_src["wo"].to_numpy() >= 10)
    final_wo = np.where(changed, cp_src["wo"] - 10.0, cp_src["wo"])
    final_ins = np.where(changed, cp_src["ins"] + 10.0, cp_src["ins"])
    claimproc = pd.DataFrame({
        "ProcNum": cp_src["ProcNum"], "ClaimNum": cp_src["ClaimNum"], "PatNum": cp_src["PatNum"],
        "ProvNum": cp_src["ProvNum"], "FeeBilled": cp_src["fee_total"], "InsPayEst": cp_src["ins"],
        "Status": np.where(rec, 1, 0), "InsPayAmt": np.where(rec, final_ins, 0.0),
        "ClaimPaymentNum": cp_src["ClaimPaymentNum"], "PlanNum": 1,
        "DateCP": np.where(rec, cp_src["payday"], cp_src["ProcDate"]), "WriteOff": np.where(rec, final_wo, cp_src["wo"]),
        "CodeSent": cp_src["code"], "ProcDate": cp_src["ProcDate"],
        "DateEntry": np.where(rec, cp_src["payday"], cp_src["ProcDate"]), "WriteOffEst": cp_src["wo"],
        "WriteOffEstOverride": -1.0, "AllowedOverride": -1.0})
    claimproc["ClaimProcNum"] = ids.take("claimproc", len(claimproc))
    snap = pd.DataFrame({"ProcNum": claimproc["ProcNum"], "ClaimType": "P", "Writeoff": cp_src["wo"].to_numpy(),
                         "InsPayEst": cp_src["ins"].to_numpy(), "Fee": cp_src["fee_total"].to_numpy(),
                         "DateTEntry": _ts(cp_src["ProcDate"]) + pd.Timedelta(days=1, hours=10),
                         "ClaimProcNum": claimproc["ClaimProcNum"]})
    snap["ClaimSnapshotNum"] = ids.take("claimsnapshot", len(snap))
    # supplemental payments: insurance pays more later and the write-off shrinks by as much
    sup_claims = visit_key[visit_key["attached"] & (rng.random(len(visit_key)) < 0.03)].copy()
    sup_claims["supday"] = sup_claims["payday"].to_numpy() + rng.integers(20, 41, len(sup_claims))
    sup_claims = sup_claims[sup_claims["supday"] <= end]
    first_cp = claimproc.groupby("ClaimNum").first().reset_index()
    sup = first_cp[first_cp["ClaimNum"].isin(sup_claims["ClaimNum"])].merge(sup_claims[["ClaimNum", "supday"]], on="ClaimNum")
    sup_chk = pd.DataFrame({"ClaimPaymentNum": ids.take("claimpayment", len(sup)), "CheckDate": sup["supday"].to_numpy(),
                            "CheckAmt": 18.0, "CarrierName": "Delta Dental"})
    sup_rows = pd.DataFrame({"ProcNum": sup["ProcNum"], "ClaimNum": sup["ClaimNum"], "PatNum": sup["PatNum"],
                             "ProvNum": sup["ProvNum"], "Status": 4, "InsPayAmt": 18.0, "WriteOff": -18.0,
                             "ClaimPaymentNum": sup_chk["ClaimPaymentNum"].to_numpy(), "PlanNum": 1,
                             "DateCP": sup["supday"].to_numpy(), "ProcDate": sup["ProcDate"].to_numpy(),
                             "DateEntry": sup["supday"].to_numpy(), "CodeSent": sup["CodeSent"],
                             "WriteOffEst": -1.0, "WriteOffEstOverride": -1.0, "AllowedOverride": -1.0})
    sup_rows["ClaimProcNum"] = ids.take("claimproc", len(sup_rows))
    # capitation: the write-off is taken at the procedure (status 7 CapComplete), the patient pays a copay
    cc = c[cap]
    cap_rows = pd.DataFrame({"ProcNum": cc["ProcNum"], "PatNum": cc["PatNum"], "ProvNum": cc["ProvNum"],
                             "FeeBilled": cc["fee_total"], "Status": 7, "InsPayAmt": 0.0, "PlanNum": 2,
                             "DateCP": cc["ProcDate"], "ProcDate": cc["ProcDate"], "DateEntry": cc["ProcDate"],
                             "WriteOff": _money(cc["fee_total"] - copay[cap]), "CopayAmt": copay[cap],
                             "CodeSent": cc["code"], "WriteOffEst": -1.0, "WriteOffEstOverride": -1.0,
                             "AllowedOverride": -1.0})
    cap_rows["ClaimProcNum"] = ids.take("claimproc", len(cap_rows))
    # estimates on planned work (status 6): present in every database, never income or write-off
    tp_open = pl[(pl["ProcStatus"] == 1)]
    tp_open = tp_open[plan[tp_open["PatNum"].to_numpy() - 1] == 0]
    est_rows = pd.DataFrame({"ProcNum": tp_open["ProcNum"], "PatNum": tp_open["PatNum"], "ProvNum": tp_open["ProvNum"],
                             "Status": 6, "InsPayEst": _money(tp_open["fee_total"] * 0.4), "PlanNum": 1,
                             "ProcDate": tp_open["ProcDate"], "WriteOffEst": _money(tp_open["fee_total"] * 0.22),
                             "WriteOffEstOverride": -1.0, "AllowedOverride": -1.0})
    est_rows["ClaimProcNum"] = ids.take("claimproc", len(est_rows))
    claimproc = pd.concat([claimproc, sup_rows, cap_rows, est_rows], ignore_index=True)
    chk_rows = pd.DataFrame({"ClaimPaymentNum": chk["ClaimPaymentNum"], "CheckDate": chk["payday"],
                             "CarrierName": "Delta Dental"})
    chk_amt = claimproc[claimproc["ClaimPaymentNum"] > 0].groupby("ClaimPaymentNum")["InsPayAmt"].sum()
    claimpayment = pd.concat([chk_rows, sup_chk], ignore_index=True)
    claimpayment["CheckAmt"] = claimpayment["ClaimPaymentNum"].map(chk_amt).fillna(0).round(2)
    claimpayment["DateIssued"] = claimpayment["CheckDate"]
    claims = cp_src.groupby("ClaimNum").agg(PatNum=("PatNum", "first"), DateService=("ProcDate", "first"),
                                            ClaimFee=("fee_total", "sum"), InsPayEst=("ins", "sum"),
                                            ProvTreat=("ProvNum", "first"), received=("received", "first"),
                                            payday=("payday", "first")).reset_index()
    claims["DateSent"] = claims["DateService"] + 1
    claims["ClaimStatus"] = np.where(claims["received"], "R", "S")
    claims["DateReceived"] = claims["payday"].where(claims["received"])
    claims["ClaimType"] = "P"
    claims = claims.drop(columns=["received", "payday"])

    # --- adjustments: cash discounts (−) for uninsured visits, late fees (+) later ---------------------------------
    unins = c[c_plan == 2]
    uv = unins.groupby(["PatNum", "ProcDate"]).agg(total=("fee_total", "sum"), ProvNum=("ProvNum", "first")).reset_index()
    disc = uv[rng.random(len(uv)) < 0.10].copy()
    disc["AdjAmt"] = -_money(disc["total"] * 0.05)
    adj = pd.DataFrame({"AdjDate": disc["ProcDate"], "AdjAmt": disc["AdjAmt"], "PatNum": disc["PatNum"],
                        "AdjType": DEF_DISCOUNT, "ProvNum": disc["ProvNum"], "ProcDate": disc["ProcDate"],
                        "DateEntry": disc["ProcDate"], "AdjNote": "Cash discount"})

    # --- patient payments per visit -------------------------------------------------------------------------------------
    c = c.merge(disc[["PatNum", "ProcDate", "AdjAmt"]], on=["PatNum", "ProcDate"], how="left")
    first_of_visit = ~c.duplicated(["PatNum", "ProcDate"])
    c["pat_portion"] = _money(c["pat_portion"] + np.where(first_of_visit, c["AdjAmt"].fillna(0.0), 0.0))
    visits = c.groupby(["PatNum", "ProcDate", "ProvNum"])["pat_portion"].sum().reset_index()
    vt = visits.groupby(["PatNum", "ProcDate"])["pat_portion"].sum().reset_index(name="total")
    vt = vt[vt["total"] > 0].reset_index(drop=True)
    r = rng.random(len(vt))
    vt["payday"] = np.where(r < 0.65, vt["ProcDate"].to_numpy(), vt["ProcDate"].to_numpy() + rng.integers(15, 76, len(vt)))
    vt["paid"] = (r < 0.94) & (vt["payday"].to_numpy() <= end)
    vt["never"] = r >= 0.94
    # prepayments on large accepted plans, allocated by a $0 transfer when the work is done
    acc_items = pl[pl["plan"].notna() & (pl["ProcStatus"] == 2)]
    big = acc_items.groupby("plan").agg(total=("fee_total", "sum"), PatNum=("PatNum", "first"),
                                        ProvNum=("ProvNum", "first"), done=("ProcDate", "min")).reset_index()
    big = big[(big["total"] > 1500) & (rng.random(len(big)) < 0.4)].copy()
    big["plan"] = big["plan"].astype(int)
    big["prepay_day"] = appts["day"].to_numpy()[chosen[big["plan"].to_numpy()]]
    big["amount"] = _money(big["total"] * 0.3)
    pay_parts, split_parts = [], []
    paid = vt[vt["paid"]].reset_index(drop=True)
    paid["PayNum"] = ids.take("payment", len(paid))
    pay_parts.append(pd.DataFrame({"PayNum": paid["PayNum"], "PayType": DEF_PAY_CARD, "PayDate": paid["payday"],
                                   "PayAmt": paid["total"], "PatNum": paid["PatNum"], "DateEntry": paid["payday"]}))
    sp = visits.merge(paid[["PatNum", "ProcDate", "PayNum", "payday"]], on=["PatNum", "ProcDate"])
    sp = sp[sp["pat_portion"] != 0]
    unalloc = rng.random(len(sp)) < 0.01
    split_parts.append(pd.DataFrame({"SplitAmt": sp["pat_portion"], "PatNum": sp["PatNum"],
                                     "ProvNum": np.where(unalloc, 0, sp["ProvNum"]), "PayNum": sp["PayNum"],
                                     "DatePay": sp["payday"], "ProcDate": sp["ProcDate"], "UnearnedType": 0}))
    pre_ids = ids.take("payment", len(big))
    pay_parts.append(pd.DataFrame({"PayNum": pre_ids, "PayType": DEF_PAY_CHECK, "PayDate": big["prepay_day"],
                                   "PayAmt": big["amount"], "PatNum": big["PatNum"], "DateEntry": big["prepay_day"]}))
    split_parts.append(pd.DataFrame({"SplitAmt": big["amount"], "PatNum": big["PatNum"], "ProvNum": 0, "PayNum": pre_ids,
                                     "DatePay": big["prepay_day"], "ProcDate": big["prepay_day"],
                                     "UnearnedType": DEF_PREPAYMENT}))
    alloc = big[big["done"] <= end]
    xfer_ids = ids.take("payment", len(alloc))
    pay_parts.append(pd.DataFrame({"PayNum": xfer_ids, "PayType": 0, "PayDate": alloc["done"], "PayAmt": 0.0,
                                   "PatNum": alloc["PatNum"], "DateEntry": alloc["done"], "PayNote": "Income transfer"}))
    split_parts.append(pd.DataFrame({"SplitAmt": -alloc["amount"].to_numpy(), "PatNum": alloc["PatNum"].to_numpy(),
                                     "ProvNum": 0, "PayNum": xfer_ids, "DatePay": alloc["done"].to_numpy(),
                                     "ProcDate": alloc["done"].to_numpy(), "UnearnedType": DEF_PREPAYMENT}))
    split_parts.append(pd.DataFrame({"SplitAmt": alloc["amount"].to_numpy(), "PatNum": alloc["PatNum"].to_numpy(),
                                     "ProvNum": alloc["ProvNum"].to_numpy(), "PayNum": xfer_ids,
                                     "DatePay": alloc["done"].to_numpy(), "ProcDate": alloc["done"].to_numpy(),
                                     "UnearnedType": 0}))
    # refunds of overpayments, and two old discount splits (IsDiscount, no longer used)
    ref = paid[rng.random(len(paid)) < 0.005].copy()
    ref["refday"] = ref["payday"].to_numpy() + rng.integers(5, 31, len(ref))
    ref = ref[ref["refday"] <= end]
    ref_ids = ids.take("payment", len(ref))
    ref_prov = ref.merge(visits.groupby(["PatNum", "ProcDate"])["ProvNum"].first().reset_index(),
                         on=["PatNum", "ProcDate"])["ProvNum"].to_numpy()
    pay_parts.append(pd.DataFrame({"PayNum": ref_ids, "PayType": DEF_PAY_CARD, "PayDate": ref["refday"],
                                   "PayAmt": -15.0, "PatNum": ref["PatNum"], "DateEntry": ref["refday"],
                                   "PayNote": "Refund"}))
    split_parts.append(pd.DataFrame({"SplitAmt": -15.0, "PatNum": ref["PatNum"].to_numpy(), "ProvNum": ref_prov,
                                     "PayNum": ref_ids, "DatePay": ref["refday"].to_numpy(),
                                     "ProcDate": ref["refday"].to_numpy(), "UnearnedType": 0}))
    if len(paid) >= 2:
        old = paid.iloc[:2]
        split_parts.append(pd.DataFrame({"SplitAmt": 25.0, "PatNum": old["PatNum"].to_numpy(),
                                         "ProvNum": dentists[0], "PayNum": old["PayNum"].to_numpy(),
                                         "DatePay": old["payday"].to_numpy(), "ProcDate": old["payday"].to_numpy(),
                                         "UnearnedType": 0, "IsDiscount": 1, "DiscountType": 1}))
    # bad debt: most balances never paid are written off by an adjustment months later
    never = vt[vt["never"]]
    bad = never[(rng.random(len(never)) < 0.7)].copy()
    bad["day"] = bad["ProcDate"].to_numpy() + rng.integers(120, 241, len(bad))
    bad = bad[bad["day"] <= end]
    bad_prov = bad.merge(visits.groupby(["PatNum", "ProcDate"])["ProvNum"].first().reset_index(),
                         on=["PatNum", "ProcDate"])["ProvNum"].to_numpy()
    adj = pd.concat([adj, pd.DataFrame({"AdjDate": bad["day"].to_numpy(), "AdjAmt": -bad["total"].to_numpy(),
                                        "PatNum": bad["PatNum"].to_numpy(), "AdjType": DEF_BAD_DEBT,
                                        "ProvNum": bad_prov, "DateEntry": bad["day"].to_numpy(),
                                        "AdjNote": "Sent to collections"})], ignore_index=True)
    # late fees on visits left unpaid
    unpaid = vt[~vt["paid"]]
    late_fee = unpaid[(rng.random(len(unpaid)) < 0.1) & (unpaid["ProcDate"].to_numpy() + 45 <= end)]
    late_prov = late_fee.merge(visits.groupby(["PatNum", "ProcDate"])["ProvNum"].first().reset_index(),
                               on=["PatNum", "ProcDate"])["ProvNum"].to_numpy()
    adj = pd.concat([adj, pd.DataFrame({"AdjDate": late_fee["ProcDate"].to_numpy() + 45, "AdjAmt": 15.0,
                                        "PatNum": late_fee["PatNum"].to_numpy(), "AdjType": DEF_LATE_FEE,
                                        "ProvNum": late_prov, "DateEntry": late_fee["ProcDate"].to_numpy() + 45,
                                        "AdjNote": "Late fee"})], ignore_index=True)
    adj = adj.sort_values(["AdjDate", "PatNum"], kind="stable").reset_index(drop=True)
    adj["AdjNum"] = ids.take("adjustment", len(adj))
    payment = pd.concat(pay_parts, ignore_index=True)
    paysplit = pd.concat(split_parts, ignore_index=True).sort_values(["DatePay", "PayNum"], kind="stable")
    paysplit["SplitNum"] = ids.take("paysplit", len(paysplit))

    # --- planned and note appointments (not visits) ----------------------------------------------------------------
    done_d = appts.index[(appts["AptStatus"] == 2).to_numpy() & ~np.isin(appts["kind"].to_numpy(), ["hygiene"])]
    planned = appts.loc[rng.choice(done_d, size=min(len(done_d), max(1, len(done_d) // 10)), replace=False)].copy()
    planned["AptStatus"] = 6
    notes = appts.loc[rng.choice(appts.index, size=max(2, len(appts) // 100), replace=False)].copy()
    notes["AptStatus"] = np.where(rng.random(len(notes)) < 0.5, 7, 8)
    notes["Pattern"] = "//"
    side = pd.concat([planned, notes], ignore_index=True)
    side["AptNum"] = ids.take("appointment", len(side))
    side["Op"] = np.where(side["AptStatus"] == 6, 0, side["Op"])
    side["NextAptNum"] = 0
    appointment = pd.concat([appts, side], ignore_index=True)

    # --- patients with the stored aging (Open Dental's rule, as of DateLastAging) --------------------------------------
    patients = pd.DataFrame({
        "PatNum": pat, "LName": [LAST_NAMES[i % 20] for i in range(n_pat)],
        "FName": [FIRST_NAMES[(i * 3) % 20] for i in range(n_pat)], "PatStatus": 0, "Gender": pat % 2,
        "Birthdate": [f"{1950 + int(i % 60)}-0{1 + int(i % 9)}-1{int(i % 9)}" for i in range(n_pat)],
        "SSN": [f"{700000000 + i}" for i in range(n_pat)], "Address": [f"{i} Harbor Road" for i in range(n_pat)],
        "HmPhone": [f"555-{i:04d}" for i in range(n_pat)], "Email": [f"p{i}@example.com" for i in range(n_pat)],
        "Guarantor": guarantor, "PriProv": home_d, "SecProv": home_h})
    aging = stored_aging(pl, claimproc, adj, paysplit, patients, end)
    patients = patients.merge(aging, on="PatNum", how="left")
    for col in ("BalTotal", "Bal_0_30", "Bal_31_60", "Bal_61_90", "BalOver90", "InsEst"):
        patients[col] = patients[col].fillna(0.0)

    # --- preferences, definitions, codes ---------------------------------------------------------------------------------
    prefs = pd.DataFrame({"PrefName": ["ProgramVersion", "PPOWriteoffDateCalc", "DateLastAging", "PracticeTitle",
                                       "BrokenApptProcedure", "PayPlansVersion"],
                          "ValueString": [spec.version, str(spec.writeoff_mode), spec.end.isoformat(), spec.title,
                                          "3", "1"]})
    prefs["PrefNum"] = np.arange(1, len(prefs) + 1)
    defs = pd.DataFrame({"DefNum": [DEF_DISCOUNT, DEF_LATE_FEE, DEF_BAD_DEBT, DEF_PAY_CHECK, DEF_PAY_CARD,
                                    DEF_PREPAYMENT, 401],
                         "Category": [1, 1, 1, 10, 10, 29, 25],
                         "ItemName": ["Cash discount", "Late fee", "Bad debt write-off", "Check", "Credit card",
                                      "Prepayment", "High production"],
                         "ItemValue": ["-", "+", "-", "", "", "", ""]})
    codes = pd.DataFrame({"CodeNum": np.arange(1, len(CODES) + 1), "ProcCode": [c[0] for c in CODES],
                          "Descript": [c[1] for c in CODES], "AbbrDesc": [c[0] for c in CODES],
                          "IsHygiene": [c[3] for c in CODES], "BaseUnits": [c[4] for c in CODES],
                          "NoBillIns": [1 - c[5] for c in CODES], "ProcTime": "/XX/"})

    def dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
        for col in cols:
            if col in df:
                df[col] = _ts(df[col]).set_axis(df.index)
        return df

    procedurelog = pl[["ProcNum", "PatNum", "AptNum", "ProcDate", "ProcFee", "ProcStatus", "ProvNum", "CodeNum",
                       "UnitQty", "BaseUnits", "DateTP"]].copy()
    procedurelog["DateEntryC"] = procedurelog["ProcDate"]
    appointment_out = appointment[["AptNum", "PatNum", "AptStatus", "Pattern", "Op", "ProvNum", "ProvHyg",
                                   "AptDateTime", "IsNewPatient", "IsHygiene", "SecDateTEntry"]].copy()
    return {
        "preference": prefs, "definition": defs, "provider": providers, "patient": dates(patients),
        "procedurecode": codes, "procedurelog": dates(procedurelog, "ProcDate", "DateTP", "DateEntryC"),
        "claim": dates(claims, "DateService", "DateSent", "DateReceived"),
        "claimpayment": dates(claimpayment, "CheckDate", "DateIssued"),
        "claimproc": dates(claimproc, "DateCP", "ProcDate", "DateEntry"), "claimsnapshot": snap,
        "adjustment": dates(adj, "AdjDate", "ProcDate", "DateEntry"), "payment": dates(payment, "PayDate", "DateEntry"),
        "paysplit": dates(paysplit, "DatePay", "ProcDate"), "appointment": appointment_out, "operatory": ops,
        "schedule": dates(pd.concat([sched.drop(columns=["start", "stop"]), extra_sched, blk], ignore_index=True),
                          "SchedDate"),
        "scheduleop": so, "treatplan": dates(treatplan, "DateTP"), "proctp": dates(proctp, "DateTP"),
        "treatplanattach": tpa,
    }


def stored_aging(procs: pd.DataFrame, claimprocs: pd.DataFrame, adjustments: pd.DataFrame,
                 splits: pd.DataFrame, patients: pd.DataFrame, as_of) -> pd.DataFrame:
    """Open Dental's aging per guarantor as of a date: charges by age, credits applied oldest first.

    Written from Open Dental's ledger rules (completed procedures as charges, insurance payments and
    write-offs of received/supplemental/capitation claim procedures, signed adjustments and every
    payment split as they post), independently of the importer, so the import's A/R check compares
    two separate computations."""
    as_of = int(as_of)
    t = []
    p = procs[(procs["ProcStatus"] == 2) & (procs["ProcFee"] != 0)]
    t.append(pd.DataFrame({"PatNum": p["PatNum"], "d": p["ProcDate"], "amt": p["fee_total"]}))
    cp = claimprocs[claimprocs["Status"].isin([1, 4, 5, 7])]
    cp_amt = -cp["InsPayAmt"] - cp["WriteOff"]  # the fixture has no payment plans
    t.append(pd.DataFrame({"PatNum": cp["PatNum"], "d": cp["DateCP"], "amt": cp_amt}))
    t.append(pd.DataFrame({"PatNum": adjustments["PatNum"], "d": adjustments["AdjDate"], "amt": adjustments["AdjAmt"]}))
    t.append(pd.DataFrame({"PatNum": splits["PatNum"], "d": splits["DatePay"], "amt": -splits["SplitAmt"]}))
    tr = pd.concat(t, ignore_index=True)
    tr = tr[tr["amt"] != 0]
    tr["d"] = tr["d"].astype(np.int64)
    tr["cents"] = np.round(tr["amt"].to_numpy(dtype=float) * 100).astype(np.int64)
    tr["g"] = tr["PatNum"].map(dict(zip(patients["PatNum"], patients["Guarantor"])))
    upto = tr[tr["d"] <= as_of]
    charge = upto[upto["cents"] > 0]
    age = as_of - charge["d"].to_numpy()
    bucket = np.select([age > 90, age > 60, age > 30], [3, 2, 1], 0)
    ch = pd.DataFrame({"g": charge["g"].to_numpy(), "b": bucket, "c": charge["cents"].to_numpy()})
    by = ch.pivot_table(index="g", columns="b", values="c", aggfunc="sum", fill_value=0).reindex(columns=[0, 1, 2, 3],
                                                                                                  fill_value=0)
    credits = -upto[upto["cents"] < 0].groupby("g")["cents"].sum()
    by = by.reindex(sorted(set(by.index) | set(credits.index)), fill_value=0)
    cr = credits.reindex(by.index, fill_value=0).to_numpy()
    b90, b61, b31, b0 = (by[c].to_numpy() for c in (3, 2, 1, 0))
    over90 = np.maximum(b90 - cr, 0)
    left = np.maximum(cr - b90, 0)
    r61 = np.maximum(b61 - left, 0)
    left = np.maximum(left - b61, 0)
    r31 = np.maximum(b31 - left, 0)
    left = np.maximum(left - b31, 0)
    r0 = np.maximum(b0 - left, 0)
    total = tr.groupby("g")["cents"].sum().reindex(by.index, fill_value=0).to_numpy()
    inscp = claimprocs[claimprocs["Status"] == 0]
    inscp = inscp.assign(g=inscp["PatNum"].map(dict(zip(patients["PatNum"], patients["Guarantor"]))),
                         est=np.round((inscp["InsPayEst"] + inscp["WriteOff"]) * 100).astype(np.int64))
    ins_est = inscp.groupby("g")["est"].sum().reindex(by.index, fill_value=0).to_numpy()
    return pd.DataFrame({"PatNum": by.index.to_numpy(), "BalTotal": total / 100, "Bal_0_30": r0 / 100,
                         "Bal_31_60": r31 / 100, "Bal_61_90": r61 / 100, "BalOver90": over90 / 100,
                         "InsEst": ins_est / 100})


def build(engine, spec: FixtureSpec = DEMO) -> dict[str, int]:
    """Generate the practice and write it into `engine`'s database; returns rows per table."""
    return schema.write(engine, generate(spec))


def build_sqlite(path: str | Path, spec: FixtureSpec = DEMO) -> Path:
    """Generate the practice into an SQLite file (replaced if it exists)."""
    import sqlalchemy as sa

    path = Path(path)
    if path.exists():
        path.unlink()
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        build(engine, spec)
    finally:
        engine.dispose()
    return path


#: The demo's accounting accounts: (account in the P&L export, share of collections, fixed monthly?).
PNL_ACCOUNTS = [
    ("Payroll - Clinical Staff", 0.170, False), ("Payroll - Front Office", 0.062, False),
    ("Payroll Taxes", 0.030, False), ("Employee Benefits", 0.022, True), ("Rent", 0.056, True),
    ("Utilities", 0.010, False), ("Dental Supplies", 0.055, False), ("Lab Fees", 0.084, False),
    ("Equipment Lease", 0.021, True), ("Office Supplies", 0.010, False), ("Software Subscriptions", 0.012, True),
    ("Business Insurance", 0.012, True), ("Advertising", 0.031, False), ("Bank Charges", 0.019, False),
    ("Officer Compensation", 0.285, True), ("Loan Payments", 0.032, True),
]


#: The same chart of accounts for a family practice: medical supplies, a reference lab, patient service revenue.
MEDICAL_PNL_ACCOUNTS = [(("Medical Supplies", s, f) if a == "Dental Supplies" else
                         ("Reference Lab Fees", s * 0.25, f) if a == "Lab Fees" else (a, s, f))
                        for a, s, f in PNL_ACCOUNTS]


def pnl_export(collections: pd.Series, title: str, seed: int = 1, accounts=None, income: str = "Dental Income") -> str:
    """An accountant's "Profit and Loss by Month" CSV (title lines, one row per account, one column
    per month) for monthly collections (index YYYY-MM): the shape examples/mappings/accounting_pnl.yaml
    reads. Variable costs follow the month's collections, fixed ones the year's average."""
    import csv
    import io

    rng = np.random.default_rng(seed)
    months = list(collections.index)
    coll = collections.to_numpy(dtype=float)
    level = pd.Series(coll).rolling(12, min_periods=1).mean().to_numpy()
    labels = [pd.Period(m, freq="M").strftime("%b %Y") for m in months]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerows([[title], ["Profit and Loss by Month"], [f"{labels[0]} - {labels[-1]}"]])
    w.writerow(["Account", *labels, "Total"])

    def money(v: float) -> str:
        return f"({abs(v):,.2f})" if v < 0 else f"{v:,.2f}"

    w.writerow(["Income", *[""] * (len(months) + 1)])
    w.writerow([income, *[money(v) for v in coll], money(coll.sum())])
    w.writerow(["Total Income", *[money(v) for v in coll], money(coll.sum())])
    w.writerow(["Expenses", *[""] * (len(months) + 1)])
    total = np.zeros(len(months))
    for account, share, fixed in accounts or PNL_ACCOUNTS:
        base = level if fixed else coll
        noise = 1 + rng.normal(0, 0.004 if fixed else 0.03, len(months))
        v = np.round(base * share * noise, 2)
        total += v
        w.writerow([account, *[money(x) for x in v], money(v.sum())])
    w.writerow(["Total Expenses", *[money(x) for x in total], money(total.sum())])
    w.writerow(["Net Income", *[money(x) for x in coll - total], money((coll - total).sum())])
    return buf.getvalue()


def write_opendental_demo(data_dir: str | Path, practice_id: str = DEMO_PRACTICE, spec: FixtureSpec = DEMO):
    """The dental demo built the way a client's would be: generate an Open Dental database (embedded
    SQLite, in a temporary folder) and run the real import on it; then the accountant's profit and
    loss export through the shipped mapping (examples/mappings/accounting_pnl.yaml) for expenses.

    The demo folder is regenerated, not backed up (like the other demo practices); the patient-id
    key is derived from the practice id so the same spec gives the same files."""
    import hashlib
    import shutil
    import tempfile

    import yaml

    from dyad_lib.data.paths import PROJECT_ROOT
    from dyad_lib.importers.mapped import import_mapped
    from dyad_lib.importers.opendental import import_opendental

    folder = Path(data_dir) / practice_id
    key = hashlib.sha256(f"dyad-demo:{practice_id}".encode()).digest()
    with tempfile.TemporaryDirectory(prefix="dyad-opendental-") as tmp:
        db = build_sqlite(Path(tmp) / "opendental.db", spec)
        if folder.exists():
            shutil.rmtree(folder)
        result = import_opendental(f"sqlite:///{db}", practice_id, data_dir=data_dir, key=key,
                                   today=spec.end + dt.timedelta(days=1))
        fin = pd.read_csv(folder / "financials.csv")
        pnl = Path(tmp) / "pnl_by_month.csv"
        pnl.write_text(pnl_export(fin.groupby("month")["collections"].sum(), spec.title, spec.seed), encoding="utf-8")
        import_mapped(PROJECT_ROOT / "examples" / "mappings" / "accounting_pnl.yaml", [pnl], practice_id,
                      data_dir=data_dir, overwrite=True, key=key, keep_backup=False)
    cfg = yaml.safe_load((folder / "practice.yaml").read_text(encoding="utf-8"))
    cfg["partners"] = {"clinical_lead": "Dr. Ana Rivera", "business_lead": "Jordan Blake"}
    (folder / "practice.yaml").write_text("# Demo practice imported from a generated Open Dental database.\n"
                                          + yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return result
