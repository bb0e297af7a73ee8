"""`dyad import opendental`: an Open Dental database (MariaDB/MySQL, or SQLite) → a delivery.

Reads the practice's numbers straight from Open Dental, read-only, with Open Dental's own report
definitions (`opendental_rules.RULES`), writes the contract's tables (financials by month and
provider, capacity, appointments, treatment_plans, providers), practice.yaml and
import-report.json — with a reconciliation of every month against Open Dental's Production &
Income figures computed by separate queries — into a new practice folder. Validation then runs
as for any delivery (the command does it).

Order of work: everything that can be refused without the database is refused first (practice
id, existing folder, options); then one read-only transaction reads everything; then the folder
is written in one swap. Nothing is written when anything fails.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from dyad_lib.importers import opendental_rules as rules
from dyad_lib.importers import opendental_source as src
from dyad_lib.importers.connection import create_source_engine, parse_source, read_only
from dyad_lib.importers.delivery import (REPORT_FILE, Target, check_target, practice_yaml, table_csv,
                                         write_delivery)
from dyad_lib.importers.ids import map_ids, new_key
from dyad_lib.importers.options import ImportResult, Progress, check_options, month_range
from dyad_lib.importers.problems import SourceProblem
from dyad_lib.importers.report import ImportReport, Rule, reconcile
from dyad_lib.importers.sql import month_from_key, to_dates

SYSTEM = "Open Dental"
PRACTICE_ROW = "0"
#: The steps the progress display counts (one per source read, then the write).
STEPS = ("connect", "preference", "provider", "procedurelog", "adjustment", "claimproc", "paysplit", "ledger",
         "appointment", "treatplan", "schedule", "reconciliation", "write")


def _split_cents(raw: pd.Series) -> np.ndarray:
    """Dollars (float sums) as cents whose total is the rounded total (largest remainder)."""
    x = raw.to_numpy(dtype=float) * 100.0
    base = np.round(x).astype(np.int64)
    diff = int(round(x.sum())) - int(base.sum())
    if diff:
        residual = x - base
        order = np.argsort(-residual if diff > 0 else residual, kind="stable")
        base[order[: abs(diff)]] += 1 if diff > 0 else -1
    return base


def _by_provider(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (month key, provider): gross, adj (write-offs − adjustments) and coll in cents."""
    parts = []
    prod = frames["production"]
    if len(prod):
        parts.append(prod.assign(col="gross", amount=prod["fees"].astype(float) - prod["capwo"].astype(float)))
    adj = frames["adjustments"]
    if len(adj):
        parts.append(adj.assign(col="adj", amount=-adj["amount"].astype(float)))
    wo = frames["writeoffs"]
    if len(wo):
        parts.append(wo.assign(col="adj", amount=wo["amount"].astype(float)))
    pi = frames["patient_income"]
    pi = pi[(pi["unearned"].astype(int) == 0) & (pi["discount"].astype(int) == 0)] if len(pi) else pi
    if len(pi):
        parts.append(pi.assign(col="coll", amount=pi["amount"].astype(float)))
    ii = frames["insurance_income"]
    if len(ii):
        parts.append(ii.assign(col="coll", amount=ii["amount"].astype(float)))
    if not parts:
        return pd.DataFrame(columns=["mk", "prov", "gross", "adj", "coll"])
    long = pd.concat([p[["mk", "prov", "col", "amount"]] for p in parts], ignore_index=True)
    long["mk"] = long["mk"].astype("int64")
    long["prov"] = long["prov"].fillna(0).astype("int64")
    wide = long.pivot_table(index=["mk", "prov"], columns="col", values="amount", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=["gross", "adj", "coll"], fill_value=0.0).reset_index()
    for c in ("gross", "adj", "coll"):
        wide[c] = np.concatenate([_split_cents(g[c]) for _, g in wide.groupby("mk", sort=False)]) \
            if len(wide) else wide[c]
    return wide


def _monthly_source(frames: dict[str, pd.DataFrame], months: list[str]) -> pd.DataFrame:
    """The reconciliation's side: Open Dental's P&I figures per month, from month-only queries."""
    out = pd.DataFrame({"month": months})

    def series(df: pd.DataFrame, value) -> pd.Series:
        if df.empty:
            return pd.Series(0.0, index=out.index)
        s = df.assign(v=value(df)).groupby(month_from_key(df["mk"]))["v"].sum()
        return out["month"].map(s).fillna(0.0)

    out["production"] = series(frames["production"], lambda d: d["fees"].astype(float) - d["capwo"].astype(float))
    out["adjustments"] = series(frames["adjustments"], lambda d: d["amount"].astype(float))
    out["writeoffs"] = series(frames["writeoffs"], lambda d: d["amount"].astype(float))
    pi = frames["patient_income"]
    pi = pi[(pi["unearned"].astype(int) == 0) & (pi["discount"].astype(int) == 0)] if len(pi) else pi
    out["patient_income"] = series(pi, lambda d: d["amount"].astype(float))
    out["insurance_income"] = series(frames["insurance_income"], lambda d: d["amount"].astype(float))
    return out


def _money_frames(conn, schema, lo: str, hi: str, mode: int, by_provider: bool) -> dict[str, pd.DataFrame]:
    return {
        "production": src.production(conn, schema, lo, hi, by_provider),
        "adjustments": src.adjustments(conn, schema, lo, hi, by_provider),
        "writeoffs": src.writeoffs(conn, schema, lo, hi, mode, by_provider),
        "patient_income": src.patient_income(conn, schema, lo, hi, by_provider),
        "insurance_income": src.insurance_income(conn, schema, lo, hi, by_provider),
    }


def _provider_name(r) -> str:
    name = " ".join(x for x in (str(r.FName or "").strip(), str(r.LName or "").strip()) if x)
    suffix = str(r.Suffix or "").strip()
    if name and suffix:
        name = f"{name}, {suffix}"
    return name or str(r.Abbr or "").strip() or f"Provider {r.ProvNum}"


def import_opendental(url: str, practice_id: str, *, password: str | None = None, data_dir=None,
                      start: str | None = None, end: str | None = None, kind: str = "dental",
                      name: str | None = None, fiscal_year_start: int | None = None, overwrite: bool = False,
                      progress: Progress | None = None, key: bytes | None = None,
                      today: dt.date | None = None) -> ImportResult:
    """Import an Open Dental database into `data_dir/practice_id/` (see the module docstring)."""
    say = progress or (lambda step, rows: None)
    source = parse_source(url)
    m_from, m_to = check_options(start, end, kind, fiscal_year_start)
    target: Target = check_target(practice_id, data_dir, overwrite)
    today = today or dt.date.today()

    engine = create_source_engine(source, password)
    with read_only(engine, source, password) as conn:
        say("connect", None)
        schema = src.inspect_schema(conn, source.url.database and Path(str(source.url.database)).name or "")
        prefs = src.read_prefs(conn, schema)
        say("preference", len(prefs))
        version = prefs.get("ProgramVersion") or None
        try:
            mode = int(prefs.get("PPOWriteoffDateCalc", "0") or 0)
        except ValueError:
            mode = 0
        mode = mode if mode in rules.WRITEOFF_DATING else 0
        if mode == 2 and not schema.has(src.SNAPSHOT[0]):
            raise SourceProblem("the practice dates write-offs by claim snapshot (PPOWriteoffDateCalc = 2) but the "
                                "database has no claimsnapshot table")
        first, last = src.completed_range(conn, schema)
        p_from, p_to = month_range(m_from, m_to, first, last, today, "completed procedure")
        months = [str(p) for p in pd.period_range(p_from, p_to, freq="M")]
        lo, hi = p_from.start_time.date().isoformat(), (p_to + 1).start_time.date().isoformat()
        last_day = p_to.end_time.normalize()

        providers = src.read_providers(conn, schema)
        say("provider", len(providers))
        status_counts = src.procedures_by_status(conn, schema, lo, hi)
        say("procedurelog", int(status_counts["n"].sum()) if len(status_counts) else 0)
        by_prov = _money_frames(conn, schema, lo, hi, mode, by_provider=True)
        say("adjustment", int(by_prov["adjustments"]["n"].sum()) if len(by_prov["adjustments"]) else 0)
        say("claimproc", int(by_prov["writeoffs"]["n"].sum() + by_prov["insurance_income"]["n"].sum()))
        pi_all = by_prov["patient_income"]
        say("paysplit", int(pi_all["n"].sum()) if len(pi_all) else 0)
        if not len(status_counts) and not len(pi_all) and not len(by_prov["insurance_income"]):
            raise SourceProblem(f"nothing to import from {months[0]} to {months[-1]}: the database has no "
                                "procedures, payments or insurance payments in those months")
        unattached = src.unattached_insurance(conn, schema, lo, hi)
        as_of = to_dates(pd.Series([prefs.get("DateLastAging", "")])).iloc[0]
        as_of = None if pd.isna(as_of) else as_of.date()
        ledger = src.ledger_by_month(conn, schema, hi, as_of)
        say("ledger", int(ledger["n"].sum()) if len(ledger) else 0)
        aging_check = None
        if as_of is not None:
            aging_check = (as_of, rules.ar_at(ledger), src.stored_aging(conn, schema))

        apts = src.appointments(conn, schema, lo, hi)
        apt_procs = src.appointment_procedures(conn, schema, lo)
        broken = src.broken_codes(conn, schema, lo)
        say("appointment", len(apts))
        links = src.plan_links(conn, schema, lo, hi)
        plan_procs = src.plan_procedures(conn, schema, lo, hi)
        say("treatplan", len(links))
        sched, sched_links, ops = src.schedules(conn, schema, lo, hi)
        say("schedule", len(sched))
        monthly = _money_frames(conn, schema, lo, hi, mode, by_provider=False)
        say("reconciliation", None)

    report = ImportReport(system=SYSTEM, practice_id=practice_id, source=source.shown, version=version,
                          range_from=months[0], range_to=months[-1])
    report.rules = [Rule(k, v) for k, v in rules.RULES.items()]
    report.rules.insert(3, Rule("writeoff_dating", rules.WRITEOFF_DATING[mode], mode))
    broken_pref = prefs.get("BrokenApptProcedure", "")
    report.rules.append(Rule("broken_appointments", "The practice's BrokenApptProcedure preference is "
                             f"'{broken_pref or 'not set'}' (0 none, 1 D9986 missed, 2 D9987 cancelled, 3 both); the "
                             "appointment_status rule reads whichever code was charted.", broken_pref or None))
    report.rules.append(Rule("range", f"Months {months[0]} to {months[-1]} (a month with no activity is written with "
                             "zeros); appointments booked after it are included as scheduled.",
                             [months[0], months[-1]]))

    # --- financials -------------------------------------------------------------------------------------------
    wide = _by_provider(by_prov)
    wide["month"] = month_from_key(wide["mk"]) if len(wide) else []
    wide["provider_id"] = wide["prov"].astype("int64").astype(str) if len(wide) else []
    fitted, moves = rules.fit_financials(
        pd.concat([wide[["month", "provider_id", "gross", "adj", "coll"]],
                   pd.DataFrame({"month": months, "provider_id": PRACTICE_ROW, "gross": 0, "adj": 0, "coll": 0})]),
        PRACTICE_ROW)
    ar = rules.ar_by_month(ledger.assign(
        charges=(ledger["charges"].astype(float) * 100).round().astype("int64") if len(ledger) else [],
        credits=(ledger["credits"].astype(float) * 100).round().astype("int64") if len(ledger) else []), months)
    ar = ar.set_index("month")
    practice = fitted["provider_id"] == PRACTICE_ROW
    fin = pd.DataFrame({
        "month": pd.to_datetime(fitted["month"] + "-01"), "provider_id": fitted["provider_id"],
        "gross_production": fitted["gross"] / 100, "adjustments": fitted["adj"] / 100,
        "collections": fitted["coll"] / 100,
        "ar_balance": np.where(practice, fitted["month"].map(ar["ar"]).fillna(0) / 100, 0.0),
        "ar_over_90": np.where(practice, fitted["month"].map(ar["ar90"]).fillna(0) / 100, 0.0),
    })
    fin = fin.assign(_p=pd.to_numeric(fin["provider_id"], errors="coerce")).sort_values(
        ["month", "_p", "provider_id"], kind="stable").drop(columns="_p").reset_index(drop=True)
    for mv in moves:
        amount = f"{abs(mv['amount']) / 100:,.2f}"
        if mv["what"] == "reclassified":
            report.notes.append(f"{mv['month']}: adjustments added {amount} more than write-offs took off; counted "
                                "in the practice row's gross production (net production unchanged).")
            continue
        to = mv["to"] if isinstance(mv["to"], str) else ", ".join(mv["to"] or [])
        report.notes.append(f"{mv['month']}: {mv['what']} of provider {mv['provider_id']} ({amount}) moved to "
                            f"provider {to} of the same month.")
    report.checks.append({"id": "provider_moves", "moves": moves})

    # --- what the money queries left out --------------------------------------------------------------------------
    sc = status_counts.set_index("status") if len(status_counts) else pd.DataFrame(columns=["n", "fees"])
    sc.index = sc.index.astype(int)

    def status_rows(codes):
        sel = sc.loc[sc.index.isin(codes)]
        return int(sel["n"].sum()), float(sel["fees"].astype(float).sum())

    report.exclude("procedurelog", "deleted procedures (ProcStatus 6); they keep their fee in Open Dental",
                   *status_rows([6]))
    report.exclude("procedurelog", "charting-only procedures (EC 3, EO 4, R 5, Cn 7): existing work, referrals, "
                   "conditions", *status_rows([3, 4, 5, 7]))
    report.exclude("procedurelog", "treatment-planned procedures (TP 1, TPi 8): not done yet", *status_rows([1, 8]))
    if len(pi_all):
        pre = pi_all[pi_all["unearned"].astype(int) != 0]
        disc = pi_all[(pi_all["unearned"].astype(int) == 0) & (pi_all["discount"].astype(int) != 0)]
        report.exclude("paysplit", "prepayment splits (UnearnedType ≠ 0): unearned, income only when allocated to a "
                       "provider (amount: the money prepaid)", int(pre["n"].sum()),
                       float(pre["paid_in"].astype(float).sum()))
        report.exclude("paysplit", "discount splits (IsDiscount, no longer used by Open Dental)",
                       int(disc["n"].sum()), float(disc["amount"].astype(float).sum()))
    report.exclude("claimproc", "insurance payments received but not attached to an insurance check (not income "
                   "in Open Dental's report until attached)", *unattached)

    # --- appointments -------------------------------------------------------------------------------------------------
    apts["day"] = to_dates(apts["day"])
    n_nodate = int(apts["day"].isna().sum())
    report.exclude("appointment", "appointments without a date", n_nodate)
    apts = apts[apts["day"].notna()].copy()
    flags = apt_procs.set_index("AptNum") if len(apt_procs) else pd.DataFrame(
        columns=["np", "proc", "rest", "hyg", "exam", "n", "prod"])
    apts = apts.join(flags, on="AptNum")
    if len(broken):
        broken["day"] = to_dates(broken["day"])
        apts = apts.merge(broken, on=["PatNum", "day"], how="left")
    else:
        apts["missed"], apts["cancelled"] = 0, 0
    apts["missed"] = apts["missed"].fillna(0).astype(int).astype(bool)
    apts["cancelled"] = apts["cancelled"].fillna(0).astype(int).astype(bool)
    status, reason = rules.appointment_status(apts, last_day)
    minutes = 5 * apts["pattern_len"].fillna(0).astype("int64")
    reason = reason.where(reason.notna() | (minutes >= 5), "appointments with no length (empty Pattern)")
    reason = reason.where(reason.notna() | (minutes <= 600), "appointments longer than 10 hours (Pattern)")
    for why, n in reason.value_counts().items():
        report.exclude("appointment", why, int(n))
    keep = reason.isna()
    past_sched = int(((status == "scheduled") & (apts["day"] <= last_day) & keep).sum())
    if past_sched:
        report.notes.append(f"{past_sched} past appointment(s) still marked Scheduled in Open Dental (never set "
                            "complete or broken) are written as scheduled.")
    a = apts[keep].copy()
    a["status"] = status[keep]
    vtype = rules.visit_type(a)
    a["next"] = pd.array([pd.NA] * len(a), dtype="boolean")
    has_created = schema.has("appointment", "SecDateTEntry")
    if has_created:
        apts["created"] = to_dates(apts["created"])
        nb = rules.next_visit_booked(apts)
        a["next"] = pd.array(a["AptNum"].map(nb).to_numpy(), dtype="boolean")
    a.loc[a["status"] != "completed", "next"] = pd.NA
    if not has_created:
        report.notes.append("This Open Dental version has no appointment.SecDateTEntry: next_visit_booked is left "
                            "blank.")
    key = key or target.key or new_key()
    completed = a["status"] == "completed"
    appointments = pd.DataFrame({
        "appointment_id": "A" + a["AptNum"].astype("int64").astype(str),
        "date": a["day"], "provider_id": rules.appointment_provider(a, vtype),
        "patient_id": map_ids(a["PatNum"], key), "chair_minutes": minutes[keep],
        "status": a["status"], "visit_type": vtype,
        "production": np.where(completed, (a["prod"].fillna(0).astype(float) * 100).round().clip(lower=0) / 100,
                               np.nan),
        "next_visit_booked": a["next"],
    }).sort_values(["date", "appointment_id"], kind="stable").reset_index(drop=True)

    # --- treatment plans --------------------------------------------------------------------------------------------------
    links["DateTP"] = to_dates(links["DateTP"]) if len(links) else links.get("DateTP")
    if len(plan_procs):
        plan_procs["gross"] = (plan_procs["gross"].astype(float) * 100).round().astype("int64")
        plan_procs["ProcDate"] = to_dates(plan_procs["ProcDate"])
        plan_procs["apt_day"] = to_dates(plan_procs["apt_day"])
    plans, plan_excl = rules.treatment_plans(links, plan_procs)
    for why, n in plan_excl:
        report.exclude("proctp", why, n)
    treatment_plans = pd.DataFrame({
        "plan_id": "TP" + plans["TreatPlanNum"].astype("int64").astype(str),
        "patient_id": map_ids(plans["PatNum"], key),
        "provider_id": plans["ProvNum"].fillna(0).astype("int64").astype(str),
        "presented_date": plans["presented_date"], "amount_presented": plans["presented"].astype(float) / 100,
        "amount_accepted": plans["accepted"].astype(float) / 100, "accepted_date": plans["accepted_date"],
    })

    # --- capacity -------------------------------------------------------------------------------------------------------
    sched["day"] = to_dates(sched["day"]) if len(sched) else sched.get("day")
    for c in ("start", "stop"):
        if len(sched):
            sched[c] = pd.to_numeric(sched[c], errors="coerce").fillna(0).astype("int64")
    cap = rules.capacity(sched, sched_links, ops)
    for why, n in cap.excluded:
        report.exclude("schedule", why, n)
    capm = cap.monthly[cap.monthly["month"].isin(months)].copy()
    capm = capm[capm["chair_hours_available"].fillna(0) > 0]
    capacity = pd.DataFrame({"month": pd.to_datetime(capm["month"] + "-01"),
                             "chair_hours_available": capm["chair_hours_available"].round(2),
                             "provider_hours_available": capm["provider_hours_available"].round(2),
                             "working_days": capm["working_days"]})
    no_cap = [m for m in months if m not in set(capm["month"])]
    if no_cap:
        report.notes.append(f"No provider schedule with chair time in {len(no_cap)} month(s) "
                            f"({', '.join(no_cap[:6])}{' …' if len(no_cap) > 6 else ''}): no capacity row for them.")

    # --- providers ---------------------------------------------------------------------------------------------------------
    used = set(fin["provider_id"]) | set(appointments["provider_id"]) | set(treatment_plans["provider_id"])
    fte = rules.fte(cap.provider_hours, last_day)
    pv = providers.copy()
    pv["provider_id"] = pv["ProvNum"].astype("int64").astype(str)
    hidden = pv["IsHidden"].fillna(0).astype(int).astype(bool) | (pv["ProvStatus"].fillna(0).astype(int) == 1)
    pv = pv[pv["provider_id"].isin(used) | ~hidden]
    prov_out = pd.DataFrame({
        "provider_id": pv["provider_id"], "name": [_provider_name(r) for r in pv.itertuples()],
        "role": np.where(pv["IsNotPerson"].fillna(0).astype(int) == 1, "other",
                         np.where(pv["IsSecondary"].fillna(0).astype(int) == 1, "hygienist", "dentist")),
        "active": ~hidden[pv.index], "fte": pv["ProvNum"].astype("int64").map(fte),
    })
    extra = sorted(used - set(prov_out["provider_id"]), key=lambda v: (len(v), v))
    if extra:
        prov_out = pd.concat([prov_out, pd.DataFrame({
            "provider_id": extra,
            "name": ["Practice (no provider)" if e == PRACTICE_ROW else f"Provider {e} (not in Open Dental's list)"
                     for e in extra],
            "role": "other", "active": True, "fte": np.nan})], ignore_index=True)
    prov_out = prov_out.assign(_p=pd.to_numeric(prov_out["provider_id"], errors="coerce")).sort_values(
        ["_p", "provider_id"], kind="stable").drop(columns="_p").reset_index(drop=True)

    # --- reconciliation and checks ------------------------------------------------------------------------------------------
    fin_text = fin.assign(month=fin["month"].dt.strftime("%Y-%m"))
    reclassified = {mv["month"]: mv["amount"] for mv in moves if mv["what"] == "reclassified"}
    report.reconciliation = reconcile(_monthly_source(monthly, months), fin_text, reclassified)
    if aging_check is not None:
        day, (led, led90), (sto, sto90) = aging_check
        report.checks.append({
            "id": "ar_vs_stored_aging", "as_of": day.isoformat(),
            "text": "A/R from the ledger at Open Dental's last aging run (DateLastAging) against the aging stored on "
                    "the guarantors (patient.Bal_0_30 … BalOver90). A difference means entries dated on or before "
                    "that day were made or changed after the aging run, or payment plans (not read).",
            "ledger": led / 100, "stored": sto / 100, "delta": (led - sto) / 100,
            "ledger_over_90": led90 / 100, "stored_over_90": sto90 / 100, "delta_over_90": (led90 - sto90) / 100})
    else:
        report.notes.append("Open Dental has no DateLastAging: the stored aging could not be compared.")
    report.rows_read = {
        "preference": len(prefs), "provider": len(providers),
        "procedurelog": int(status_counts["n"].sum()) if len(status_counts) else 0,
        "adjustment": int(by_prov["adjustments"]["n"].sum()) if len(by_prov["adjustments"]) else 0,
        "claimproc": int(by_prov["writeoffs"]["n"].sum() + by_prov["insurance_income"]["n"].sum()),
        "paysplit": int(pi_all["n"].sum()) if len(pi_all) else 0,
        "ledger postings (A/R)": int(ledger["n"].sum()) if len(ledger) else 0,
        "appointment": len(apts) + n_nodate, "proctp": len(links), "schedule": len(sched),
        "scheduleop": len(sched_links), "operatory": len(ops),
    }

    # --- write -------------------------------------------------------------------------------------------------------------------
    tables = {"financials": fin, "capacity": capacity, "appointments": appointments,
              "treatment_plans": treatment_plans, "providers": prov_out}
    tables = {k: v for k, v in tables.items() if len(v)}
    for t in ("capacity", "appointments", "treatment_plans"):
        if t not in tables:
            report.notes.append(f"Nothing for {t} in these months: no {t}.csv written.")
    report.rows_written = {k: len(v) for k, v in tables.items()}
    pname = name or prefs.get("PracticeTitle") or practice_id.replace("-", " ").title()
    old = target.old_config or {}
    fy = fiscal_year_start or int(old.get("fiscal_year_start_month", 1) or 1)
    files = {"practice.yaml": practice_yaml(practice_id, name=(name or old.get("name") or pname), kind=kind,
                                            fiscal_year_start_month=fy, old=old, source_note=SYSTEM)}
    files.update({f"{k}.csv": table_csv(k, v) for k, v in tables.items()})
    files[REPORT_FILE] = report.to_json()
    written = write_delivery(target, files, key)
    say("write", sum(report.rows_written.values()))
    return ImportResult(practice_id, written.folder, report, written, report.rows_written)
