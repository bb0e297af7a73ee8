"""The rules that turn Open Dental's rows into the contract's, as pure functions over frames.

Each rule is written down here once, in words (`RULES`, copied into import-report.json) and in
code, so the report states exactly what the import did. Codes and meanings come from Open
Dental's public source: `appointment.AptStatus` 0 None, 1 Scheduled, 2 Complete, 3 UnschedList,
4 ASAP, 5 Broken, 6 Planned, 7 PtNote, 8 PtNoteCompleted; `procedurelog.ProcStatus` 1 TP,
2 Complete, 3 EC, 4 EO, 5 R, 6 Deleted, 7 Cn, 8 TPi; `schedule.SchedType` 1 Provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Hygiene procedures by CDT code when the office has not flagged the code itself.
HYGIENE_CODES = ("D4341", "D4342", "D4346", "D4355", "D4910")
MISSED_CODE, CANCELLED_CODE = "D9986", "D9987"
NEW_PATIENT_CODES = ("D0150",)
#: A day counts as a full working day when the practice's providers span at least this many hours.
FULL_DAY_HOURS = 6.0
#: Hours a week that make one full-time equivalent.
FTE_HOURS_PER_WEEK = 40.0

RULES = {
    "production": "Gross production = Σ ProcFee × (UnitQty + BaseUnits) of completed procedures (ProcStatus 2) by "
                  "ProcDate and the procedure's provider, less capitation write-offs (claimproc Status 7) on them — "
                  "Open Dental's Production & Income report. Deleted (6), treatment-planned (1, 8) and charting-only "
                  "(EC 3, EO 4, R 5, Cn 7) procedures are not production.",
    "adjustments": "Adjustments = Σ adjustment.AdjAmt by AdjDate and provider, signed (a discount is negative).",
    "writeoffs": "Insurance write-offs = Σ claimproc.WriteOff, dated as the practice's PPOWriteoffDateCalc preference "
                 "says (see writeoff_dating).",
    "contract_adjustments": "The contract's adjustments column is gross − net production = write-offs − adjustments, "
                            "so net production (gross + adjustments − write-offs) is carried exactly.",
    "patient_income": "Patient income = Σ paysplit.SplitAmt by DatePay and provider, without prepayments "
                      "(UnearnedType ≠ 0 is unearned, not income) and without old discount splits (IsDiscount); "
                      "a prepayment becomes income when it is allocated to a provider.",
    "insurance_income": "Insurance income = Σ claimproc.InsPayAmt of claim procedures attached to an insurance check, "
                        "by claimpayment.CheckDate and provider; collections = patient + insurance income.",
    "providers": "Financials are per provider (procedurelog, adjustment, claimproc and paysplit ProvNum). Money booked "
                 "without a provider (ProvNum 0) goes on the practice row '0'. When a provider's month would break a "
                 "contract rule (write-offs larger than production — a dentist who left, whose claims are still "
                 "paid — or refunds larger than income), the part beyond the row's limit moves to the providers of "
                 "that month with the most room, and the import report lists every move; month totals never change. A "
                 "month whose adjustments add more than its write-offs take off (the contract has no negative "
                 "adjustments) counts the excess in the practice row's gross production, stated in the "
                 "reconciliation as 'reclassified'.",
    "ar": "A/R at each month end = Open Dental's historical aging from the ledger: per family (guarantor), completed "
          "procedures and positive adjustments are charges; payments, insurance payments and write-offs (claimproc "
          "Status 1, 4, 5, 7 by DateCP) and negative adjustments are credits, applied oldest charge first; A/R is the "
          "sum of the families' positive balances, A/R over 90 days the part of charges dated more than 90 days "
          "before the month end. It is carried on the practice row '0' (Open Dental keeps balances per family, not "
          "per provider); provider rows carry 0.",
    "appointment_status": "AptStatus 2 → completed; 1 and 4 → scheduled (a past one was never set complete); 5 Broken "
                           "→ no_show, or cancelled when a D9987 (cancelled appointment) was charted that day; 3 moved "
                           "to the unscheduled list → cancelled, or no_show when a D9986 (missed appointment) was "
                           "charted that day. 0, 6 Planned, 7 and 8 (notes) are not visits and are left out.",
    "chair_minutes": "chair_minutes = 5 × the length of appointment.Pattern (Open Dental stores 5-minute steps).",
    "visit_type": "From the procedures on the appointment, first match wins: new_patient (IsNewPatient, or a D0150 "
                  "comprehensive evaluation); procedure (any D3xxx–D8xxx other than hygiene codes); restorative "
                  "(D2xxx); hygiene (a code flagged IsHygiene, D1xxx, D4341/D4342/D4346/D4355/D4910, or an "
                  "appointment flagged IsHygiene without procedures); exam (D0xxx); other (anything else).",
    "appointment_provider": "A hygiene visit belongs to the hygienist named in appointment.ProvHyg (offices often bill "
                            "hygiene under the dentist's ProvNum); every other visit to appointment.ProvNum. Financials "
                            "keep Open Dental's own rule (the procedure's provider).",
    "appointment_production": "production = gross production of the completed procedures attached to the appointment.",
    "next_visit_booked": "For a completed visit: true when another appointment of the patient on a later day "
                         "(scheduled, completed, broken or unscheduled since) was created (SecDateTEntry) on or before "
                         "the visit's day; blank when a later appointment's creation time is unknown.",
    "treatment_plans": "Open Dental's Treatment Presentation Statistics: saved plans (TPStatus 0) dated in the range; "
                       "each procedure counts once, on the first plan that presented it; only procedures still "
                       "treatment-planned or completed count. Presented = Σ their gross production (fee × units − "
                       "capitation write-off); accepted = those completed, or treatment-planned on an appointment that "
                       "is Scheduled. accepted_date = the earliest completion or appointment date. The plan's provider "
                       "is the provider of the largest share of it.",
    "capacity": "chair_hours_available = per month, the hours each visible operatory has a provider scheduled "
                "(schedule.SchedType 1 linked by scheduleop; a provider schedule with no operatory linked uses the "
                "operatories whose default provider that provider is); hidden operatories are left out; overlapping "
                "schedules in one operatory count once. provider_hours_available = each provider's scheduled hours. "
                "working_days = days with a provider schedule; a day whose schedules span less than 6 hours counts "
                "as half.",
    "patients": "Patient numbers become opaque ids (a keyed hash); no name, birth date or other identifying column "
                "is read.",
}

WRITEOFF_DATING = {
    0: "write-offs dated by the insurance payment date (claimproc.DateCP), claim procedures Received (1) and "
       "Supplemental (4) — preference PPOWriteoffDateCalc = 0 (Insurance Pay Date)",
    1: "write-offs dated by the procedure date (claimproc.ProcDate), claim procedures Not received (0), Received (1) "
       "and Supplemental (4) — preference PPOWriteoffDateCalc = 1 (Procedure Date)",
    2: "write-off estimates dated when the claim was created (claimsnapshot.DateTEntry, claim procedures 0, 1, 4) and "
       "their later changes dated by the insurance payment (claimproc.WriteOff − the snapshot, by DateCP, 1 and 4) — "
       "preference PPOWriteoffDateCalc = 2 (Initial Claim Date/Ins Pay Date)",
}


# --- appointments ----------------------------------------------------------------------------------


def appointment_status(apt: pd.DataFrame, last_day: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Contract status per appointment (None = left out) and the reason it was left out.

    `apt` has AptStatus, day (datetime) and the booleans missed/cancelled (a D9986/D9987 charted
    for the patient that day)."""
    s = apt["AptStatus"].astype("int64")
    missed = apt["missed"].fillna(False).astype(bool)
    cancelled = apt["cancelled"].fillna(False).astype(bool)
    status = pd.Series(None, index=apt.index, dtype=object)
    status[s == 2] = "completed"
    status[s.isin([1, 4])] = "scheduled"
    status[(s == 5)] = np.where(cancelled[s == 5] & ~missed[s == 5], "cancelled", "no_show")
    status[(s == 3)] = np.where(missed[s == 3], "no_show", "cancelled")
    reason = pd.Series(None, index=apt.index, dtype=object)
    reason[s == 0] = "appointments without a status (AptStatus 0)"
    reason[s == 6] = "planned appointments (AptStatus 6): a plan, not a visit"
    reason[s.isin([7, 8])] = "patient notes on the schedule (AptStatus 7, 8): not visits"
    reason[~s.isin(range(9))] = "appointments with an unknown AptStatus"
    after = apt["day"] > last_day
    late = after & status.isin(["completed", "no_show", "cancelled"])
    reason[late] = "completed, broken or unscheduled appointments dated after the imported months"
    status[reason.notna()] = None
    return status, reason


def visit_type(flags: pd.DataFrame) -> pd.Series:
    """Visit type from per-appointment flags: np, proc, rest, hyg, exam (0/1 from the procedures),
    IsNewPatient, IsHygiene and n (number of procedures)."""
    f = {c: flags[c].fillna(0).astype(int).astype(bool) for c in ("np", "proc", "rest", "hyg", "exam")}
    new = flags["IsNewPatient"].fillna(0).astype(int).astype(bool) | f["np"]
    hyg = f["hyg"] | ((flags["n"].fillna(0) == 0) & flags["IsHygiene"].fillna(0).astype(int).astype(bool))
    return pd.Series(np.select([new, f["proc"], f["rest"], hyg, f["exam"]],
                               ["new_patient", "procedure", "restorative", "hygiene", "exam"], "other"),
                     index=flags.index)


def next_visit_booked(apt: pd.DataFrame) -> pd.Series:
    """For each completed visit: did the patient leave with a later visit booked?

    `apt`: AptNum, PatNum, AptStatus, day and created (the appointment's creation day; missing =
    unknown) for every appointment from the range on. True when an appointment of the patient on
    a later day (status 1–5: booked, done, unscheduled or broken since) was created on or before
    the visit's day; missing when no such is known but a later one's creation day is unknown."""
    never = np.int64(1 << 40)  # "no known creation day", larger than any day number
    later = apt[apt["AptStatus"].isin([1, 2, 3, 4, 5]) & apt["day"].notna()]
    later = later.assign(d=later["day"].to_numpy().astype("datetime64[D]").astype(np.int64),
                         c=np.where(later["created"].isna(), never,
                                    later["created"].to_numpy().astype("datetime64[D]").astype(np.int64)),
                         u=later["created"].isna().astype(np.int64))
    per_day = later.groupby(["PatNum", "d"], sort=False).agg(c=("c", "min"), u=("u", "max")).reset_index()
    per_day = per_day.sort_values(["PatNum", "d"], ascending=[True, False], kind="stable")
    g = per_day.groupby("PatNum", sort=False)
    per_day["cm"], per_day["um"] = g["c"].cummin(), g["u"].cummax()
    g = per_day.groupby("PatNum", sort=False)  # the earliest creation / any unknown on strictly later days
    per_day["later_c"] = g["cm"].shift(1).fillna(never).astype(np.int64)
    per_day["later_u"] = g["um"].shift(1).fillna(0).astype(np.int64)
    visits = apt.loc[apt["AptStatus"] == 2, ["AptNum", "PatNum", "day"]]
    visits = visits.assign(d=visits["day"].to_numpy().astype("datetime64[D]").astype(np.int64))
    v = visits.merge(per_day[["PatNum", "d", "later_c", "later_u"]], on=["PatNum", "d"], how="left")
    booked = (v["later_c"].fillna(never) <= v["d"]).to_numpy()
    out = pd.array(booked, dtype="boolean")
    out[~booked & (v["later_u"].fillna(0) > 0).to_numpy()] = pd.NA
    return pd.Series(out, index=v["AptNum"].to_numpy())


def appointment_provider(apt: pd.DataFrame, vtype: pd.Series) -> pd.Series:
    """ProvHyg for hygiene visits that name a hygienist, else ProvNum (as text ids)."""
    hyg = apt["ProvHyg"].fillna(0).astype("int64")
    dent = apt["ProvNum"].fillna(0).astype("int64")
    return pd.Series(np.where((vtype == "hygiene") & (hyg != 0), hyg, dent), index=apt.index).astype(str)


# --- treatment plans --------------------------------------------------------------------------------


def treatment_plans(links: pd.DataFrame, procs: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """One row per saved plan that presented something, by Open Dental's presentation rule.

    `links`: TreatPlanNum, PatNum, DateTP (datetime), ProcNumOrig — saved plans in the range.
    `procs`: ProcNum, ProcStatus, ProvNum, ProcDate, gross (cents), AptNum, AptStatus, apt_day —
    the procedures those plans point to. Returns the plans and (reason, count) exclusions."""
    out_cols = ["TreatPlanNum", "PatNum", "ProvNum", "presented_date", "presented", "accepted", "accepted_date"]
    excluded: list[tuple[str, int]] = []
    if links.empty:
        return pd.DataFrame(columns=out_cols), excluded
    first = links.sort_values(["ProcNumOrig", "DateTP", "TreatPlanNum"], kind="stable") \
                 .drop_duplicates("ProcNumOrig", keep="first")
    dup = len(links) - len(first)
    if dup:
        excluded.append(("procedures presented again on a later plan (counted on the first)", dup))
    p = first.merge(procs, left_on="ProcNumOrig", right_on="ProcNum", how="left")
    live = p["ProcStatus"].isin([1, 2])
    if (~live).sum():
        excluded.append(("planned procedures since deleted, inactivated or otherwise no longer planned or done",
                         int((~live).sum())))
    p = p[live].copy()
    done = p["ProcStatus"] == 2
    sched = (p["ProcStatus"] == 1) & (p["AptNum"].fillna(0) != 0) & (p["AptStatus"].fillna(-1) == 1)
    p["acc"] = done | sched
    p["acc_day"] = np.where(done, p["ProcDate"], np.where(sched, p["apt_day"], pd.NaT))
    p["acc_day"] = pd.to_datetime(p["acc_day"])
    g = p.groupby("TreatPlanNum")
    plans = pd.DataFrame({
        "PatNum": g["PatNum"].first(),
        "presented_date": g["DateTP"].first(),
        "presented": g["gross"].sum(),
        "accepted": p[p["acc"]].groupby("TreatPlanNum")["gross"].sum(),
        "accepted_date": p[p["acc"]].groupby("TreatPlanNum")["acc_day"].min(),
    })
    share = p.groupby(["TreatPlanNum", "ProvNum"])["gross"].sum().reset_index() \
             .sort_values(["TreatPlanNum", "gross", "ProvNum"], ascending=[True, False, True], kind="stable")
    plans["ProvNum"] = share.drop_duplicates("TreatPlanNum").set_index("TreatPlanNum")["ProvNum"]
    plans["accepted"] = plans["accepted"].fillna(0).astype("int64")
    empty = plans["presented"] <= 0
    n_empty = int(empty.sum()) + len(set(links["TreatPlanNum"]) - set(plans.index))
    if n_empty:
        excluded.append(("plans with nothing left to present (every procedure counted on an earlier plan, deleted, "
                         "or at no fee)", n_empty))
    plans = plans[~empty].copy()
    plans["accepted"] = plans["accepted"].clip(lower=0, upper=plans["presented"])
    plans["accepted_date"] = plans["accepted_date"].where(plans["accepted"] > 0)
    plans["accepted_date"] = plans[["accepted_date", "presented_date"]].max(axis=1).where(plans["accepted"] > 0)
    return plans.reset_index().reindex(columns=out_cols), excluded


# --- capacity -------------------------------------------------------------------------------------------


def _union_hours(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Hours covered by the union of [start, stop) seconds intervals per key."""
    if df.empty:
        return pd.DataFrame(columns=[*keys, "hours"])
    d = df.sort_values([*keys, "start", "stop"], kind="stable").reset_index(drop=True)
    same = (d[keys].shift() == d[keys]).all(axis=1)
    reach = d.groupby(keys, sort=False)["stop"].cummax().shift()
    new = ~same | (d["start"] > reach)
    seg = new.cumsum()
    s = d.groupby(seg).agg(**{k: (k, "first") for k in keys}, start=("start", "min"), stop=("stop", "max"))
    s["hours"] = (s["stop"] - s["start"]) / 3600.0
    return s.groupby(keys, as_index=False)["hours"].sum()


@dataclass
class Capacity:
    monthly: pd.DataFrame  # month (YYYY-MM), chair_hours_available, provider_hours_available, working_days
    provider_hours: pd.DataFrame  # ProvNum, day, hours
    excluded: list[tuple[str, int]]


def capacity(schedules: pd.DataFrame, links: pd.DataFrame, ops: pd.DataFrame) -> Capacity:
    """Chair hours, provider hours and working days per month from provider schedules.

    `schedules`: ScheduleNum, day (datetime), start, stop (seconds), ProvNum — SchedType 1 only.
    `links`: ScheduleNum, OperatoryNum (scheduleop). `ops`: OperatoryNum, IsHidden, ProvDentist,
    ProvHygienist."""
    excluded: list[tuple[str, int]] = []
    s = schedules[schedules["stop"] > schedules["start"]].copy()
    if len(schedules) - len(s):
        excluded.append(("provider schedules of no length (stop time not after start time)", len(schedules) - len(s)))
    if s.empty:
        empty = pd.DataFrame(columns=["month", "chair_hours_available", "provider_hours_available", "working_days"])
        return Capacity(empty, pd.DataFrame(columns=["ProvNum", "day", "hours"]), excluded)
    visible = ops[ops["IsHidden"].fillna(0).astype(int) == 0]
    hidden = set(ops.loc[ops["IsHidden"].fillna(0).astype(int) != 0, "OperatoryNum"])
    lk = links[links["ScheduleNum"].isin(s["ScheduleNum"])]
    n_hidden = int(lk["OperatoryNum"].isin(hidden).sum())
    if n_hidden:
        excluded.append(("schedule links to hidden operatories (not counted as chair time)", n_hidden))
    lk = lk[~lk["OperatoryNum"].isin(hidden)]
    unlinked = s[~s["ScheduleNum"].isin(links["ScheduleNum"])]
    defaults = pd.concat([
        visible[["OperatoryNum", "ProvDentist"]].rename(columns={"ProvDentist": "ProvNum"}),
        visible[["OperatoryNum", "ProvHygienist"]].rename(columns={"ProvHygienist": "ProvNum"}),
    ])
    defaults = defaults[defaults["ProvNum"].fillna(0) != 0]
    by_default = unlinked.merge(defaults, on="ProvNum")[["ScheduleNum", "OperatoryNum"]]
    nowhere = unlinked[~unlinked["ScheduleNum"].isin(by_default["ScheduleNum"])]
    if len(nowhere):
        excluded.append(("provider schedules with no operatory linked and none defaulting to the provider "
                         "(provider hours only)", len(nowhere)))
    chair = s.merge(pd.concat([lk[["ScheduleNum", "OperatoryNum"]], by_default]), on="ScheduleNum")
    chair_h = _union_hours(chair, ["OperatoryNum", "day"])
    prov_h = _union_hours(s, ["ProvNum", "day"])
    span = s.groupby("day").agg(start=("start", "min"), stop=("stop", "max"))
    weight = np.where((span["stop"] - span["start"]) / 3600.0 >= FULL_DAY_HOURS, 1.0, 0.5)
    days = pd.DataFrame({"day": span.index, "w": weight})

    def by_month(df: pd.DataFrame, col: str) -> pd.Series:
        return df.groupby(df["day"].dt.strftime("%Y-%m"))[col].sum()

    monthly = pd.DataFrame({
        "chair_hours_available": by_month(chair_h, "hours") if len(chair_h) else pd.Series(dtype=float),
        "provider_hours_available": by_month(prov_h, "hours"),
        "working_days": by_month(days, "w"),
    })
    monthly.index.name = "month"
    monthly = monthly.reset_index()
    return Capacity(monthly, prov_h, excluded)


def fte(provider_hours: pd.DataFrame, last_day: pd.Timestamp, weeks: int = 13) -> pd.Series:
    """Full-time equivalent per provider from the last `weeks` weeks of schedules (40 h = 1)."""
    if provider_hours.empty:
        return pd.Series(dtype=float)
    recent = provider_hours[provider_hours["day"] > last_day - pd.Timedelta(weeks=weeks)]
    f = (recent.groupby("ProvNum")["hours"].sum() / (weeks * FTE_HOURS_PER_WEEK)).round(2)
    return f[(f > 0) & (f <= 1.5)]


# --- A/R from the ledger --------------------------------------------------------------------------------


def _month_index(keys: np.ndarray, first: int) -> np.ndarray:
    y, m = keys // 100, keys % 100
    return (y * 12 + m - 1) - ((first // 100) * 12 + first % 100 - 1)


def ar_by_month(ledger: pd.DataFrame, months: list[str], chunk: int = 8192) -> pd.DataFrame:
    """A/R and A/R over 90 days at each month end, in cents, by Open Dental's aging rule.

    `ledger` rows: g (guarantor), mk (month key of the date), mk90 (month key of date + 91 days),
    charges, credits (cents ≥ 0). A family's balance at a month end is its charges to date minus
    its credits to date; only positive balances are receivables; the part over 90 days is what
    remains of charges dated 91+ days before the month end once credits are applied oldest first."""
    first = int(months[0].replace("-", ""))
    n = len(months)
    out_ar = np.zeros(n, dtype=np.int64)
    out_90 = np.zeros(n, dtype=np.int64)
    if ledger.empty:
        return pd.DataFrame({"month": months, "ar": out_ar, "ar90": out_90})
    g_codes, g_index = np.unique(ledger["g"].to_numpy(), return_inverse=True)
    pos = np.clip(_month_index(ledger["mk"].to_numpy(dtype=np.int64), first) + 1, 0, None)
    pos90 = np.clip(_month_index(ledger["mk90"].to_numpy(dtype=np.int64), first) + 1, 0, None)
    ch = ledger["charges"].to_numpy(dtype=np.int64)
    cr = ledger["credits"].to_numpy(dtype=np.int64)
    for lo in range(0, len(g_codes), chunk):
        sel = (g_index >= lo) & (g_index < lo + chunk)
        rows = g_index[sel] - lo
        width = n + 1
        n_rows = min(chunk, len(g_codes) - lo)

        def summed(col: np.ndarray, values: np.ndarray) -> np.ndarray:
            # a scatter-add as one bincount (np.add.at is slow); cents are exact in float64 below 2**53
            flat = rows * (width + 1) + np.minimum(col, width)
            out = np.bincount(flat, weights=values.astype(np.float64), minlength=n_rows * (width + 1))
            return np.rint(out).astype(np.int64).reshape(n_rows, width + 1)

        charges = summed(pos[sel], ch[sel])
        credits = summed(pos[sel], cr[sel])
        charges90 = summed(pos90[sel], ch[sel])
        c, k, c90 = (np.cumsum(a, axis=1)[:, 1:width] for a in (charges, credits, charges90))
        out_ar += np.maximum(c - k, 0).sum(axis=0)
        out_90 += np.maximum(c90 - k, 0).sum(axis=0)
    return pd.DataFrame({"month": months, "ar": out_ar, "ar90": out_90})


def ar_at(ledger: pd.DataFrame) -> tuple[int, int]:
    """A/R and A/R over 90 days (cents) on the ledger's as-of day: per family, charges to date less
    credits to date when positive, and charges older than 90 days less all credits when positive."""
    if ledger.empty:
        return 0, 0
    per = ledger.groupby("g")[["c_asof", "c90_asof", "k_asof"]].sum()
    c, c90, k = ((per[x].astype(float) * 100).round().astype("int64") for x in ("c_asof", "c90_asof", "k_asof"))
    return int((c - k).clip(lower=0).sum()), int((c90 - k).clip(lower=0).sum())


# --- financials per provider and month -------------------------------------------------------------


def _spread(values: dict[str, int], room: dict[str, int], amount: int) -> dict[str, int]:
    """Take `amount` (cents, > 0) into the rows with the most room first; returns what each took."""
    took: dict[str, int] = {}
    for pid in sorted(room, key=lambda k: (-room[k], k)):
        if amount <= 0:
            break
        t = min(room[pid], amount)
        if t > 0:
            took[pid] = t
            amount -= t
    return took


def fit_financials(rows: pd.DataFrame, practice_row: str = "0") -> tuple[pd.DataFrame, list[dict]]:
    """Per (month, provider) cents → rows that meet the contract, every month's totals unchanged.

    Open Dental books write-offs and refunds to a provider in the month they are posted, so a
    provider's month can hold more write-offs than production (a dentist who left, whose claims are
    still being paid) or more refunds than income. The contract wants 0 ≤ adjustments ≤ gross and
    collections ≥ 0 on every row, so the part beyond a row's limit moves to the providers of the
    same month with the most room (write-offs to those with production to spare, refunds to those
    with the most collections); a row with negative production moves whole to the practice row.
    Gross production never moves between providers except in that last case. Every move is
    returned (month, provider_id, what, amount, to) for the import report.

    `rows`: month, provider_id, gross, adj (write-offs − adjustments), coll — cents."""
    moves: list[dict] = []
    out = []
    rows = rows.groupby(["month", "provider_id"], as_index=False)[["gross", "adj", "coll"]].sum()
    for month, m in rows.groupby("month", sort=True):
        g = {r.provider_id: int(r.gross) for r in m.itertuples()}
        a = {r.provider_id: int(r.adj) for r in m.itertuples()}
        c = {r.provider_id: int(r.coll) for r in m.itertuples()}
        for d in (g, a, c):
            d.setdefault(practice_row, 0)
        for pid in sorted(k for k in g if k != practice_row and g[k] < 0):
            moves.append({"month": month, "provider_id": pid, "what": "negative production (whole row)",
                          "amount": g[pid], "to": practice_row})
            for d in (g, a, c):
                d[practice_row] += d.pop(pid)
        # adjustments: clamp each row into [0, gross], then place the rest where there is room
        excess = 0
        for pid in sorted(a):
            lo, hi = 0, max(g[pid], 0)
            clamped = min(max(a[pid], lo), hi)
            if clamped != a[pid]:
                moves.append({"month": month, "provider_id": pid,
                              "what": "write-offs beyond production" if a[pid] > hi else
                              "adjustments beyond write-offs", "amount": a[pid] - clamped, "to": None})
                excess += a[pid] - clamped
                a[pid] = clamped
        if excess > 0:
            took = _spread(a, {k: max(g[k], 0) - a[k] for k in a}, excess)
        else:
            took = {k: -v for k, v in _spread(a, dict(a), -excess).items()}
        for pid, t in took.items():
            a[pid] += t
        left = excess - sum(took.values())
        a[practice_row] += left
        if a[practice_row] < 0:
            # the month's adjustments add more than its write-offs take off (late fees, finance charges in
            # an office with few insurance write-offs): the contract has no negative adjustments, so the
            # excess is counted in the practice row's gross production; net production is unchanged
            moves.append({"month": month, "provider_id": practice_row, "what": "reclassified",
                          "amount": -a[practice_row], "to": practice_row})
            g[practice_row] += -a[practice_row]
            a[practice_row] = 0
        # (adjustments above the month's whole production stay on the practice row: validation reports them)
        for mv in moves:
            if mv["month"] == month and mv["to"] is None and mv["what"] != "refunds beyond income":
                mv["to"] = sorted(took) or [practice_row]
        # collections: a row's refunds beyond its income are taken from the largest collections
        short = 0
        for pid in sorted(c):
            if c[pid] < 0:
                moves.append({"month": month, "provider_id": pid, "what": "refunds beyond income",
                              "amount": c[pid], "to": None})
                short += -c[pid]
                c[pid] = 0
        if short:
            took_c = _spread(c, dict(c), short)
            for pid, t in took_c.items():
                c[pid] -= t
            c[practice_row] -= short - sum(took_c.values())
            for mv in moves:
                if mv["month"] == month and mv["what"] == "refunds beyond income" and mv["to"] is None:
                    mv["to"] = sorted(took_c)
        for pid in g:
            out.append((month, pid, g[pid], a[pid], c[pid]))
    fin = pd.DataFrame(out, columns=["month", "provider_id", "gross", "adj", "coll"])
    return fin, moves
