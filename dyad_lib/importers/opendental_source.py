"""Reading an Open Dental database: which tables and columns it must have, and every SELECT.

Built to Open Dental's documented schema (OpenDentBusiness/TableTypes in its public source):
table and column names are Open Dental's own. A column an older version lacks is either
optional here (a stated default, e.g. appointment.SecDateTEntry → next visit booked unknown) or
required, and then the import stops naming it. Money is summed in SQL by month and provider, so
an office's live database returns a few thousand rows, not millions; the rows that must be read
one by one (appointments, plan procedures, schedules) are read without any patient column other
than the patient number, which becomes an opaque id before anything is written.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from dyad_lib.importers.problems import SourceProblem
from dyad_lib.importers.sql import Schema, day_of, day_seconds, frame, month_key, to_dates

#: Columns the import reads, per table. Identifying patient and provider columns (names, birth
#: dates, SSN, addresses, phone numbers) are never listed, so never selected.
REQUIRED: dict[str, tuple[str, ...]] = {
    "preference": ("PrefName", "ValueString"),
    "provider": ("ProvNum", "Abbr", "LName", "FName", "IsSecondary", "IsHidden"),
    "procedurecode": ("CodeNum", "ProcCode", "IsHygiene"),
    "procedurelog": ("ProcNum", "PatNum", "AptNum", "ProcDate", "ProcFee", "ProcStatus", "ProvNum", "CodeNum",
                     "UnitQty", "BaseUnits"),
    "claimproc": ("ClaimProcNum", "ProcNum", "PatNum", "ProvNum", "Status", "InsPayAmt", "WriteOff", "DateCP",
                  "ProcDate", "ClaimPaymentNum"),
    "claimpayment": ("ClaimPaymentNum", "CheckDate"),
    "adjustment": ("AdjDate", "AdjAmt", "PatNum", "ProvNum"),
    "paysplit": ("SplitAmt", "PatNum", "ProvNum", "DatePay", "UnearnedType"),
    "appointment": ("AptNum", "PatNum", "AptStatus", "Pattern", "ProvNum", "ProvHyg", "AptDateTime", "IsNewPatient"),
    "schedule": ("ScheduleNum", "SchedDate", "StartTime", "StopTime", "SchedType", "ProvNum"),
    "scheduleop": ("ScheduleNum", "OperatoryNum"),
    "operatory": ("OperatoryNum", "IsHidden", "ProvDentist", "ProvHygienist"),
    "patient": ("PatNum", "Guarantor", "Bal_0_30", "Bal_31_60", "Bal_61_90", "BalOver90"),
    "treatplan": ("TreatPlanNum", "PatNum", "DateTP", "TPStatus"),
    "proctp": ("TreatPlanNum", "ProcNumOrig"),
}
#: Columns read when present, with the value assumed when an older version lacks them.
OPTIONAL: dict[str, dict[str, object]] = {
    "provider": {"Suffix": "", "IsNotPerson": 0, "ProvStatus": 0},
    "paysplit": {"IsDiscount": 0, "PayPlanNum": 0},
    "claimproc": {"PayPlanNum": 0},
    "appointment": {"IsHygiene": 0, "SecDateTEntry": None},
}
#: Needed only with write-offs dated by claim snapshot (PPOWriteoffDateCalc = 2).
SNAPSHOT = ("claimsnapshot", ("ClaimProcNum", "Writeoff", "DateTEntry"))
PREFS = ("ProgramVersion", "PPOWriteoffDateCalc", "DateLastAging", "PracticeTitle", "BrokenApptProcedure",
         "PayPlansVersion")
#: Dates before this are Open Dental's "no date" (0001-01-01).
NO_DATE = "1880-01-01"


def inspect_schema(conn, database: str, version_hint: str | None = None) -> Schema:
    """Check the tables and columns; raise naming every missing table or column."""
    insp = sa.inspect(conn)
    names = {n.lower(): n for n in insp.get_table_names()}
    missing_tables = [t for t in REQUIRED if t not in names]
    if missing_tables:
        if len(missing_tables) > len(REQUIRED) // 2:
            raise SourceProblem(f"the database '{database}' is not an Open Dental database: it has no tables "
                                f"{', '.join(missing_tables)}")
        raise SourceProblem(f"the database '{database}' lacks Open Dental tables dyad needs: "
                            f"{', '.join(missing_tables)}")
    schema = Schema(OPTIONAL)
    missing: list[str] = []
    wanted = {t: list(cols) + list(OPTIONAL.get(t, {})) for t, cols in REQUIRED.items()}
    wanted[SNAPSHOT[0]] = list(SNAPSHOT[1])
    for table, cols in wanted.items():
        if table not in names:
            continue
        actual = {c["name"].lower(): c["name"] for c in insp.get_columns(names[table])}
        present = [c for c in cols if c.lower() in actual]
        schema.present[table] = set(present)
        # Column names are case-insensitive in MySQL and SQLite: Open Dental's spelling works as is.
        schema.tables[table] = sa.table(names[table], *[sa.column(c) for c in present])
        missing += [f"{table}.{c}" for c in REQUIRED.get(table, ()) if c not in present]
    if missing:
        if version_hint is None and {"PrefName", "ValueString"} <= schema.present.get("preference", set()):
            version_hint = read_prefs(conn, schema).get("ProgramVersion") or None
        version = f" (version {version_hint})" if version_hint else ""
        raise SourceProblem(f"this Open Dental database{version} lacks the column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} that dyad needs; import from an up-to-date Open Dental")
    return schema


def read_prefs(conn, schema: Schema) -> dict[str, str]:
    p = schema.t("preference")
    rows = conn.execute(sa.select(p.c.PrefName, p.c.ValueString).where(p.c.PrefName.in_(PREFS))).fetchall()
    return {str(k): ("" if v is None else str(v)) for k, v in rows}


def read_providers(conn, schema: Schema) -> pd.DataFrame:
    pv = schema.t("provider")
    cols = [pv.c.ProvNum, pv.c.Abbr, pv.c.FName, pv.c.LName, schema.c("provider", "Suffix").label("Suffix"),
            pv.c.IsSecondary, pv.c.IsHidden, schema.c("provider", "IsNotPerson").label("IsNotPerson"),
            schema.c("provider", "ProvStatus").label("ProvStatus")]
    return frame(conn, sa.select(*cols))


def completed_range(conn, schema: Schema) -> tuple[dt.date | None, dt.date | None]:
    pl = schema.t("procedurelog")
    row = conn.execute(sa.select(sa.func.min(day_of(pl.c.ProcDate)), sa.func.max(day_of(pl.c.ProcDate)))
                       .where(pl.c.ProcStatus == 2, pl.c.ProcDate >= NO_DATE)).fetchone()
    lo, hi = to_dates(pd.Series([row[0], row[1]]))
    return (None if pd.isna(lo) else lo.date(), None if pd.isna(hi) else hi.date())


# --- money by provider and month ---------------------------------------------------------------------------


def _cap_writeoffs(schema: Schema):
    cp = schema.t("claimproc")
    return (sa.select(cp.c.ProcNum.label("ProcNum"), sa.func.sum(cp.c.WriteOff).label("capwo"))
            .where(cp.c.Status == 7).group_by(cp.c.ProcNum).subquery("cap"))


def _fee(pl):
    return pl.c.ProcFee * (pl.c.UnitQty + pl.c.BaseUnits)


def production(conn, schema: Schema, lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    """Completed procedures' fee × units less capitation write-offs, by month (and provider)."""
    pl = schema.t("procedurelog")
    cap = _cap_writeoffs(schema)
    mk = month_key(pl.c.ProcDate)
    keys = [mk] + ([pl.c.ProvNum] if by_provider else [])
    stmt = (sa.select(mk.label("mk"), *([pl.c.ProvNum.label("prov")] if by_provider else []),
                      sa.func.count().label("n"), sa.func.sum(_fee(pl)).label("fees"),
                      sa.func.sum(sa.func.coalesce(cap.c.capwo, 0)).label("capwo"))
            .select_from(pl.outerjoin(cap, cap.c.ProcNum == pl.c.ProcNum))
            .where(pl.c.ProcStatus == 2, pl.c.ProcDate >= lo, pl.c.ProcDate < hi)
            .group_by(*keys))
    return frame(conn, stmt)


def adjustments(conn, schema: Schema, lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    a = schema.t("adjustment")
    mk = month_key(a.c.AdjDate)
    keys = [mk] + ([a.c.ProvNum] if by_provider else [])
    stmt = (sa.select(mk.label("mk"), *([a.c.ProvNum.label("prov")] if by_provider else []),
                      sa.func.count().label("n"), sa.func.sum(a.c.AdjAmt).label("amount"))
            .where(a.c.AdjDate >= lo, a.c.AdjDate < hi).group_by(*keys))
    return frame(conn, stmt)


def writeoffs(conn, schema: Schema, lo: str, hi: str, mode: int, by_provider: bool = True) -> pd.DataFrame:
    """Insurance write-offs dated by the practice's PPOWriteoffDateCalc (0, 1 or 2)."""
    cp = schema.t("claimproc")
    parts = []

    def grouped(date_col, amount, *where, joined=None):
        mk = month_key(date_col)
        keys = [mk] + ([cp.c.ProvNum] if by_provider else [])
        stmt = sa.select(mk.label("mk"), *([cp.c.ProvNum.label("prov")] if by_provider else []),
                         sa.func.count().label("n"), sa.func.sum(amount).label("amount"))
        if joined is not None:
            stmt = stmt.select_from(joined)
        return frame(conn, stmt.where(*where).group_by(*keys))

    if mode == 1:
        parts.append(grouped(cp.c.ProcDate, cp.c.WriteOff, cp.c.Status.in_([0, 1, 4]), cp.c.ProcDate >= lo,
                             cp.c.ProcDate < hi))
    elif mode == 2:
        cs = schema.t("claimsnapshot")
        snap_wo = sa.case((cs.c.Writeoff == -1, 0), else_=cs.c.Writeoff)
        parts.append(grouped(cs.c.DateTEntry, snap_wo, cp.c.Status.in_([0, 1, 4]), cs.c.DateTEntry >= lo,
                             cs.c.DateTEntry < hi, joined=cp.join(cs, cs.c.ClaimProcNum == cp.c.ClaimProcNum)))
        parts.append(grouped(cp.c.DateCP, cp.c.WriteOff - sa.func.coalesce(snap_wo, 0), cp.c.Status.in_([1, 4]),
                             cp.c.DateCP >= lo, cp.c.DateCP < hi,
                             joined=cp.outerjoin(cs, cs.c.ClaimProcNum == cp.c.ClaimProcNum)))
    else:
        parts.append(grouped(cp.c.DateCP, cp.c.WriteOff, cp.c.Status.in_([1, 4]), cp.c.DateCP >= lo,
                             cp.c.DateCP < hi))
    out = pd.concat(parts, ignore_index=True)
    keys = ["mk", "prov"] if by_provider else ["mk"]
    if out.empty:
        return pd.DataFrame(columns=[*keys, "n", "amount"])
    return out.groupby(keys, as_index=False).agg(n=("n", "sum"), amount=("amount", "sum"))


def patient_income(conn, schema: Schema, lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    """Pay splits by month (and provider), split into income, prepayments and discount splits."""
    ps = schema.t("paysplit")
    mk = month_key(ps.c.DatePay)
    unearned = sa.case((ps.c.UnearnedType != 0, 1), else_=0)
    disc = schema.c("paysplit", "IsDiscount")
    keys = [mk] + ([ps.c.ProvNum] if by_provider else []) + [unearned, disc]
    stmt = (sa.select(mk.label("mk"), *([ps.c.ProvNum.label("prov")] if by_provider else []),
                      unearned.label("unearned"), disc.label("discount"),
                      sa.func.count().label("n"), sa.func.sum(ps.c.SplitAmt).label("amount"),
                      sa.func.sum(sa.case((ps.c.SplitAmt > 0, ps.c.SplitAmt), else_=0)).label("paid_in"))
            .where(ps.c.DatePay >= lo, ps.c.DatePay < hi).group_by(*keys))
    return frame(conn, stmt)


def insurance_income(conn, schema: Schema, lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    cp, ck = schema.t("claimproc"), schema.t("claimpayment")
    mk = month_key(ck.c.CheckDate)
    keys = [mk] + ([cp.c.ProvNum] if by_provider else [])
    stmt = (sa.select(mk.label("mk"), *([cp.c.ProvNum.label("prov")] if by_provider else []),
                      sa.func.count().label("n"), sa.func.sum(cp.c.InsPayAmt).label("amount"))
            .select_from(cp.join(ck, ck.c.ClaimPaymentNum == cp.c.ClaimPaymentNum))
            .where(ck.c.CheckDate >= lo, ck.c.CheckDate < hi).group_by(*keys))
    return frame(conn, stmt)


def unattached_insurance(conn, schema: Schema, lo: str, hi: str) -> tuple[int, float]:
    """Insurance payments received but never attached to a check (not income in Open Dental)."""
    cp = schema.t("claimproc")
    row = conn.execute(sa.select(sa.func.count(), sa.func.sum(cp.c.InsPayAmt))
                       .where(cp.c.Status.in_([1, 4]), cp.c.ClaimPaymentNum == 0, cp.c.InsPayAmt != 0,
                              cp.c.DateCP >= lo, cp.c.DateCP < hi)).fetchone()
    return int(row[0] or 0), float(row[1] or 0.0)


def procedures_by_status(conn, schema: Schema, lo: str, hi: str) -> pd.DataFrame:
    pl = schema.t("procedurelog")
    return frame(conn, sa.select(pl.c.ProcStatus.label("status"), sa.func.count().label("n"),
                                 sa.func.sum(_fee(pl)).label("fees"))
                 .where(pl.c.ProcDate >= lo, pl.c.ProcDate < hi).group_by(pl.c.ProcStatus))


# --- A/R ledger -------------------------------------------------------------------------------------------------


def _ledger(schema: Schema):
    """Every posting of Open Dental's aging: (PatNum, date, signed amount)."""
    pl, cp, a, ps = (schema.t(n) for n in ("procedurelog", "claimproc", "adjustment", "paysplit"))
    cp_amt = -sa.case((schema.c("claimproc", "PayPlanNum") == 0, cp.c.InsPayAmt), else_=0) - cp.c.WriteOff
    ps_amt = -sa.case((schema.c("paysplit", "PayPlanNum") == 0, ps.c.SplitAmt), else_=0)
    parts = [
        sa.select(pl.c.PatNum.label("PatNum"), pl.c.ProcDate.label("d"), _fee(pl).label("amt"))
        .where(pl.c.ProcStatus == 2, pl.c.ProcFee != 0),
        sa.select(cp.c.PatNum, cp.c.DateCP, cp_amt).where(cp.c.Status.in_([1, 4, 5, 7])),
        sa.select(a.c.PatNum, a.c.AdjDate, a.c.AdjAmt).where(a.c.AdjAmt != 0),
        sa.select(ps.c.PatNum, ps.c.DatePay, ps_amt).where(ps.c.SplitAmt != 0),
    ]
    return sa.union_all(*parts).subquery("trans")


def ledger_by_month(conn, schema: Schema, hi: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per family (guarantor) and month: charges and credits, and the month of date + 91 days (the
    day a charge turns 90 days old counts from the next month end). With `as_of`, the same scan also
    sums what Open Dental's aging sees on that day: charges to date, charges older than 90 days and
    credits. Grouped by patient in SQL (no join on the big scan) and by family here."""
    tr = _ledger(schema)
    mk, mk90 = month_key(tr.c.d), month_key(tr.c.d, 91)
    cols = [tr.c.PatNum.label("PatNum"), mk.label("mk"), mk90.label("mk90"), sa.func.count().label("n"),
            sa.func.sum(sa.case((tr.c.amt > 0, tr.c.amt), else_=0)).label("charges"),
            sa.func.sum(sa.case((tr.c.amt < 0, -tr.c.amt), else_=0)).label("credits")]
    upper = hi
    sums = ["n", "charges", "credits"]
    if as_of is not None:
        upto = tr.c.d < (as_of + dt.timedelta(days=1)).isoformat()
        older = tr.c.d < (as_of - dt.timedelta(days=90)).isoformat()  # Open Dental: TranDate < asOf − 90 days
        cols += [sa.func.sum(sa.case((sa.and_(tr.c.amt > 0, upto), tr.c.amt), else_=0)).label("c_asof"),
                 sa.func.sum(sa.case((sa.and_(tr.c.amt > 0, older), tr.c.amt), else_=0)).label("c90_asof"),
                 sa.func.sum(sa.case((sa.and_(tr.c.amt < 0, upto), -tr.c.amt), else_=0)).label("k_asof")]
        upper = max(hi, (as_of + dt.timedelta(days=1)).isoformat())
        sums += ["c_asof", "c90_asof", "k_asof"]
    per_patient = frame(conn, sa.select(*cols).where(tr.c.d < upper, tr.c.amt != 0)
                        .group_by(tr.c.PatNum, mk, mk90))
    pt = schema.t("patient")
    families = frame(conn, sa.select(pt.c.PatNum, pt.c.Guarantor))
    if per_patient.empty:
        return pd.DataFrame(columns=["g", "mk", "mk90", *sums])
    g = per_patient["PatNum"].map(families.set_index("PatNum")["Guarantor"])
    per_patient["g"] = g.fillna(per_patient["PatNum"]).astype("int64")  # a posting without its patient row
    for c in sums:
        per_patient[c] = pd.to_numeric(per_patient[c])
    return per_patient.groupby(["g", "mk", "mk90"], as_index=False)[sums].sum()


def stored_aging(conn, schema: Schema) -> tuple[int, int]:
    """Σ of the guarantors' stored aging buckets, and of the over-90 bucket (cents)."""
    pt = schema.t("patient")
    row = conn.execute(sa.select(sa.func.sum(pt.c.Bal_0_30 + pt.c.Bal_31_60 + pt.c.Bal_61_90 + pt.c.BalOver90),
                                 sa.func.sum(pt.c.BalOver90)).where(pt.c.PatNum == pt.c.Guarantor)).fetchone()
    return int(round(float(row[0] or 0) * 100)), int(round(float(row[1] or 0) * 100))


# --- appointments --------------------------------------------------------------------------------------------------


def appointments(conn, schema: Schema, lo: str, hi: str) -> pd.DataFrame:
    """Appointments from the range's first day on (later ones too: the booked future)."""
    ap = schema.t("appointment")
    created = day_of(ap.c.SecDateTEntry) if schema.has("appointment", "SecDateTEntry") else sa.null()
    cols = [ap.c.AptNum, ap.c.PatNum, ap.c.AptStatus, sa.func.length(ap.c.Pattern).label("pattern_len"),
            ap.c.ProvNum, ap.c.ProvHyg, day_of(ap.c.AptDateTime).label("day"), ap.c.IsNewPatient,
            schema.c("appointment", "IsHygiene").label("IsHygiene"), created.label("created")]
    return frame(conn, sa.select(*cols).where(ap.c.AptDateTime >= lo))


def appointment_procedures(conn, schema: Schema, lo: str) -> pd.DataFrame:
    """Per appointment: the flags the visit type reads, the number of procedures and the
    production of the completed ones (cents are computed later)."""
    pl, pc, ap = schema.t("procedurelog"), schema.t("procedurecode"), schema.t("appointment")
    cap = _cap_writeoffs(schema)
    code = pc.c.ProcCode
    hyg = sa.or_(pc.c.IsHygiene == 1, code.like("D1%"), code.in_(["D4341", "D4342", "D4346", "D4355", "D4910"]))
    major = sa.or_(*[code.like(f"D{k}%") for k in range(3, 9)])

    def flag(cond):
        return sa.func.max(sa.case((cond, 1), else_=0))

    done = pl.c.ProcStatus == 2
    stmt = (sa.select(pl.c.AptNum.label("AptNum"), flag(code.in_(["D0150"])).label("np"),
                      flag(sa.and_(major, sa.not_(hyg))).label("proc"), flag(code.like("D2%")).label("rest"),
                      flag(hyg).label("hyg"), flag(code.like("D0%")).label("exam"), sa.func.count().label("n"),
                      sa.func.sum(sa.case((done, _fee(pl) - sa.func.coalesce(cap.c.capwo, 0)), else_=0)).label("prod"))
            .select_from(pl.join(ap, ap.c.AptNum == pl.c.AptNum).join(pc, pc.c.CodeNum == pl.c.CodeNum)
                         .outerjoin(cap, cap.c.ProcNum == pl.c.ProcNum))
            .where(ap.c.AptDateTime >= lo, pl.c.AptNum != 0, pl.c.ProcStatus.in_([1, 2]))
            .group_by(pl.c.AptNum))
    return frame(conn, stmt)


def broken_codes(conn, schema: Schema, lo: str) -> pd.DataFrame:
    """Per patient and day: whether a missed (D9986) or cancelled (D9987) appointment was charted."""
    pl, pc = schema.t("procedurelog"), schema.t("procedurecode")
    stmt = (sa.select(pl.c.PatNum, day_of(pl.c.ProcDate).label("day"),
                      sa.func.max(sa.case((pc.c.ProcCode == "D9986", 1), else_=0)).label("missed"),
                      sa.func.max(sa.case((pc.c.ProcCode == "D9987", 1), else_=0)).label("cancelled"))
            .select_from(pl.join(pc, pc.c.CodeNum == pl.c.CodeNum))
            .where(pc.c.ProcCode.in_(["D9986", "D9987"]), pl.c.ProcStatus == 2, pl.c.ProcDate >= lo)
            .group_by(pl.c.PatNum, day_of(pl.c.ProcDate)))
    return frame(conn, stmt)


# --- treatment plans ---------------------------------------------------------------------------------------------


def plan_links(conn, schema: Schema, lo: str, hi: str) -> pd.DataFrame:
    tp, ptp = schema.t("treatplan"), schema.t("proctp")
    stmt = (sa.select(tp.c.TreatPlanNum, tp.c.PatNum, day_of(tp.c.DateTP).label("DateTP"), ptp.c.ProcNumOrig)
            .select_from(tp.join(ptp, ptp.c.TreatPlanNum == tp.c.TreatPlanNum))
            .where(tp.c.TPStatus == 0, tp.c.DateTP >= lo, tp.c.DateTP < hi))
    return frame(conn, stmt)


def plan_procedures(conn, schema: Schema, lo: str, hi: str) -> pd.DataFrame:
    tp, ptp, pl, ap = (schema.t(n) for n in ("treatplan", "proctp", "procedurelog", "appointment"))
    cap = _cap_writeoffs(schema)
    on_plans = (sa.select(ptp.c.ProcNumOrig).select_from(ptp.join(tp, tp.c.TreatPlanNum == ptp.c.TreatPlanNum))
                .where(tp.c.TPStatus == 0, tp.c.DateTP >= lo, tp.c.DateTP < hi))
    stmt = (sa.select(pl.c.ProcNum, pl.c.ProcStatus, pl.c.ProvNum, day_of(pl.c.ProcDate).label("ProcDate"),
                      (_fee(pl) - sa.func.coalesce(cap.c.capwo, 0)).label("gross"), pl.c.AptNum,
                      ap.c.AptStatus, day_of(ap.c.AptDateTime).label("apt_day"))
            .select_from(pl.outerjoin(cap, cap.c.ProcNum == pl.c.ProcNum)
                         .outerjoin(ap, sa.and_(ap.c.AptNum == pl.c.AptNum, pl.c.AptNum != 0)))
            .where(pl.c.ProcNum.in_(on_plans)))
    return frame(conn, stmt)


# --- schedules -----------------------------------------------------------------------------------------------------


def schedules(conn, schema: Schema, lo: str, hi: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    s, so, op = schema.t("schedule"), schema.t("scheduleop"), schema.t("operatory")
    where = (s.c.SchedType == 1, s.c.SchedDate >= lo, s.c.SchedDate < hi)
    sched = frame(conn, sa.select(s.c.ScheduleNum, day_of(s.c.SchedDate).label("day"),
                                  day_seconds(s.c.StartTime).label("start"), day_seconds(s.c.StopTime).label("stop"),
                                  s.c.ProvNum).where(*where))
    links = frame(conn, sa.select(so.c.ScheduleNum, so.c.OperatoryNum)
                  .select_from(so.join(s, s.c.ScheduleNum == so.c.ScheduleNum)).where(*where))
    ops = frame(conn, sa.select(op.c.OperatoryNum, op.c.IsHidden, op.c.ProvDentist, op.c.ProvHygienist))
    return sched, links, ops
