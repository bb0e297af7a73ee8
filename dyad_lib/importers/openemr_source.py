"""Reading an OpenEMR database: which tables and columns it must have, and every SELECT.

Built to OpenEMR's documented schema (openemr/openemr sql/database.sql and its table
migrations): table and column names are OpenEMR's own. A column an older version lacks is either
optional here (a stated default: no `ar_activity.deleted` → no voided postings known, no
`ar_activity.post_date` → the posting time dates every posting) or required, and then the import
stops naming it. Money is summed in SQL by month and provider; the rows read one by one
(appointments, encounters of the range, the ledger per encounter and month) carry no patient
column but the patient number, which becomes an opaque id before anything is written.
`patient_data` is never read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from dyad_lib.importers.problems import SourceProblem
from dyad_lib.importers import sql
from dyad_lib.importers.sql import day_of, day_seconds, frame, month_key

#: Columns the import reads, per table. Identifying columns (patient names, birth dates, SSN,
#: addresses, phones, provider NPI and tax ids) are never listed, so never selected.
REQUIRED: dict[str, tuple[str, ...]] = {
    "users": ("id", "fname", "lname", "authorized", "active"),
    "form_encounter": ("date", "pid", "encounter", "provider_id"),
    "billing": ("id", "date", "code_type", "pid", "provider_id", "encounter", "fee", "activity"),
    "ar_activity": ("pid", "encounter", "payer_type", "post_time", "pay_amount", "adj_amount"),
    "openemr_postcalendar_events": ("pc_eid", "pc_catid", "pc_aid", "pc_pid", "pc_eventDate", "pc_endDate",
                                    "pc_duration", "pc_recurrtype", "pc_recurrspec", "pc_startTime", "pc_endTime",
                                    "pc_alldayevent", "pc_apptstatus"),
    "openemr_postcalendar_categories": ("pc_catid", "pc_catname"),
}
#: Columns read when present, with the value assumed when a version lacks them (None: NULL).
OPTIONAL: dict[str, dict[str, object]] = {
    "users": {"mname": None, "suffix": None, "taxonomy": None, "physician_type": None},
    "ar_activity": {"deleted": None, "post_date": None},
    "openemr_postcalendar_events": {"pc_time": None},
    "openemr_postcalendar_categories": {"pc_constant_id": None, "pc_cattype": None},
}
#: Tables read when present (their absence is stated, never an error).
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "claims": ("patient_id", "encounter_id", "status", "payer_type", "bill_time"),
    "list_options": ("list_id", "option_id", "title", "toggle_setting_1", "toggle_setting_2"),
    "code_types": ("ct_key", "ct_diag"),
    "version": ("v_major", "v_minor", "v_patch", "v_realpatch", "v_tag"),
    "globals": ("gl_name", "gl_value"),
    "facility": ("id", "name", "primary_business_entity", "billing_location"),
}
#: Diagnosis code types when the database has no code_types table (OpenEMR's shipped ones).
DIAGNOSIS_TYPES = ("ICD9", "ICD10", "SNOMED", "SNOMED-CT", "DSMIV")
COPAY, TAX = "COPAY", "TAX"


@dataclass
class Schema(sql.Schema):
    """The tables as this database has them (present columns only)."""

    #: form_encounter holds each (pid, encounter) once: joined directly (its index), else grouped first.
    unique_encounters: bool = False


def inspect_schema(conn, database: str) -> Schema:
    """Check the tables and columns; raise naming every missing table or column."""
    insp = sa.inspect(conn)
    names = {n.lower(): n for n in insp.get_table_names()}
    missing_tables = [t for t in REQUIRED if t.lower() not in names]
    if missing_tables:
        if len(missing_tables) > len(REQUIRED) // 2:
            raise SourceProblem(f"the database '{database}' is not an OpenEMR database: it has no tables "
                                f"{', '.join(missing_tables)}")
        raise SourceProblem(f"the database '{database}' lacks OpenEMR tables dyad needs: {', '.join(missing_tables)}")
    schema = Schema(OPTIONAL)
    missing: list[str] = []
    wanted = {t: list(cols) + list(OPTIONAL.get(t, {})) for t, cols in REQUIRED.items()}
    wanted.update({t: list(cols) for t, cols in OPTIONAL_TABLES.items()})
    for table, cols in wanted.items():
        if table.lower() not in names:
            continue
        actual = {c["name"].lower(): c["name"] for c in insp.get_columns(names[table.lower()])}
        present = [c for c in cols if c.lower() in actual]
        if table in OPTIONAL_TABLES and len(present) < len(cols):
            continue  # an optional table without the columns dyad reads counts as absent
        schema.present[table] = set(present)
        # Column names are case-insensitive in MySQL and SQLite: OpenEMR's spelling works as is.
        schema.tables[table] = sa.table(names[table.lower()], *[sa.column(c) for c in present])
        missing += [f"{table}.{c}" for c in REQUIRED.get(table, ()) if c not in present]
    if missing:
        raise SourceProblem(f"this OpenEMR database lacks the column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} that dyad needs; import from an up-to-date OpenEMR")
    return schema


# --- settings ---------------------------------------------------------------------------------------------------


def read_version(conn, schema: Schema) -> str | None:
    if not schema.has("version"):
        return None
    v = schema.t("version")
    row = conn.execute(sa.select(v.c.v_major, v.c.v_minor, v.c.v_patch, v.c.v_realpatch, v.c.v_tag)).fetchone()
    if row is None:
        return None
    text = f"{row[0]}.{row[1]}.{row[2]}{row[4] or ''}"
    return text + (f" (patch {row[3]})" if row[3] else "")


def read_globals(conn, schema: Schema) -> dict[str, str]:
    if not schema.has("globals"):
        return {}
    g = schema.t("globals")
    rows = conn.execute(sa.select(g.c.gl_name, g.c.gl_value)
                        .where(g.c.gl_name.in_(["schedule_start", "schedule_end", "weekend_days"]))).fetchall()
    return {str(k): "" if v is None else str(v) for k, v in rows}


def practice_name(conn, schema: Schema) -> str | None:
    """The practice's name: the primary business entity, else the billing location, else the first facility."""
    if not schema.has("facility"):
        return None
    f = schema.t("facility")
    rows = conn.execute(sa.select(f.c.id, f.c.name, f.c.primary_business_entity, f.c.billing_location)
                        .order_by(f.c.id)).fetchall()
    named = [r for r in rows if str(r[1] or "").strip()]
    for pick in (lambda r: int(r[2] or 0) == 1, lambda r: int(r[3] or 0) == 1, lambda r: True):
        for r in named:
            if pick(r):
                return str(r[1]).strip()
    return None


def read_users(conn, schema: Schema) -> pd.DataFrame:
    u = schema.t("users")
    cols = [u.c.id, u.c.fname, u.c.lname, u.c.authorized, u.c.active] + [
        schema.c("users", c).label(c) for c in ("mname", "suffix", "taxonomy", "physician_type")]
    return frame(conn, sa.select(*cols))


def diagnosis_types(conn, schema: Schema) -> tuple[str, ...]:
    if not schema.has("code_types"):
        return DIAGNOSIS_TYPES
    ct = schema.t("code_types")
    rows = conn.execute(sa.select(ct.c.ct_key).where(ct.c.ct_diag == 1)).fetchall()
    return tuple(sorted({str(r[0]) for r in rows})) or DIAGNOSIS_TYPES


def appointment_statuses(conn, schema: Schema) -> pd.DataFrame:
    """The practice's apptstat list with OpenEMR's check-in / check-out flags."""
    if not schema.has("list_options"):
        return pd.DataFrame(columns=["option_id", "title", "checkin", "checkout"])
    lo = schema.t("list_options")
    return frame(conn, sa.select(lo.c.option_id, lo.c.title, lo.c.toggle_setting_1.label("checkin"),
                                 lo.c.toggle_setting_2.label("checkout")).where(lo.c.list_id == "apptstat"))


def categories(conn, schema: Schema) -> pd.DataFrame:
    c = schema.t("openemr_postcalendar_categories")
    return frame(conn, sa.select(c.c.pc_catid, c.c.pc_catname,
                                 schema.c("openemr_postcalendar_categories", "pc_constant_id").label("pc_constant_id"),
                                 schema.c("openemr_postcalendar_categories", "pc_cattype").label("pc_cattype")))


# --- money ---------------------------------------------------------------------------------------------------


def check_encounter_keys(conn, schema: Schema) -> bool:
    """Whether form_encounter holds each (pid, encounter) once (OpenEMR's own rule); then the money
    queries join it through its index instead of grouping it first."""
    fe = schema.t("form_encounter")
    dup = conn.execute(sa.select(fe.c.pid).group_by(fe.c.pid, fe.c.encounter).having(sa.func.count() > 1)
                       .limit(1)).fetchone()
    schema.unique_encounters = dup is None
    return schema.unique_encounters


def encounters(schema: Schema):
    """form_encounter once per (pid, encounter): its service date and provider (a duplicated row never
    doubles a charge)."""
    fe = schema.t("form_encounter")
    if schema.unique_encounters:
        return fe.alias("enc")
    return (sa.select(fe.c.pid.label("pid"), fe.c.encounter.label("encounter"), sa.func.min(fe.c.date).label("date"),
                      sa.func.max(fe.c.provider_id).label("provider_id"))
            .group_by(fe.c.pid, fe.c.encounter).subquery("enc"))


def _charge_lines(schema: Schema, diag: tuple[str, ...]):
    b = schema.t("billing")
    return sa.and_(b.c.activity == 1, b.c.fee.isnot(None), sa.func.coalesce(b.c.code_type, "").notin_(
        list(diag) + [COPAY, TAX]))


def _service_date(schema: Schema, enc):
    b = schema.t("billing")
    return sa.func.coalesce(day_of(enc.c.date), day_of(b.c.date))


def _charge_provider(schema: Schema, enc):
    b = schema.t("billing")
    return sa.case((sa.func.coalesce(b.c.provider_id, 0) > 0, b.c.provider_id),
                   else_=sa.func.coalesce(enc.c.provider_id, 0))


def _billing_join(schema: Schema, enc):
    b = schema.t("billing")
    return b.outerjoin(enc, sa.and_(enc.c.pid == b.c.pid, enc.c.encounter == b.c.encounter))


def encounter_rows(conn, schema: Schema) -> pd.DataFrame:
    """Every encounter once: patient, encounter number, service day, provider."""
    enc = encounters(schema)
    return frame(conn, sa.select(enc.c.pid.label("pid"), enc.c.encounter.label("encounter"),
                                 day_of(enc.c.date).label("day"), enc.c.provider_id.label("enc_prov")))


def _line_kind(schema: Schema, diag: tuple[str, ...]):
    b = schema.t("billing")
    ctype = sa.func.coalesce(b.c.code_type, "")
    return sa.case((sa.func.coalesce(b.c.activity, 0) != 1, "deleted"), (ctype.in_(list(diag)), "diagnosis"),
                   (ctype == TAX, "tax"), (ctype == COPAY, "copay"), (b.c.fee.is_(None), "no_fee"), else_="charge")


def billing_rows(conn, schema: Schema, diag: tuple[str, ...]) -> pd.DataFrame:
    """Billing lines with their kind (charge, copay, tax, deleted, no_fee), line provider, day entered
    and fee — one plain scan, no join and no grouping (almost every line is its own group): the
    encounter's date and provider are matched and the sums made in pandas. Active diagnosis lines
    (no charge, about half the lines) are only counted (`diagnosis_lines`)."""
    b = schema.t("billing")
    ctype = sa.func.coalesce(b.c.code_type, "")
    stmt = (sa.select(b.c.pid.label("pid"), b.c.encounter.label("encounter"), _line_kind(schema, diag).label("kind"),
                      sa.func.coalesce(b.c.provider_id, 0).label("line_prov"), day_of(b.c.date).label("entered"),
                      sa.func.coalesce(b.c.fee, 0).label("amount"))
            .where(sa.not_(sa.and_(b.c.activity == 1, ctype.in_(list(diag))))))
    return frame(conn, stmt).assign(n=1)


def diagnosis_lines(conn, schema: Schema, diag: tuple[str, ...], lo: str, hi: str) -> int:
    """Active diagnosis lines entered in the range (they carry no charge)."""
    b = schema.t("billing")
    day = day_of(b.c.date)
    row = conn.execute(sa.select(sa.func.count()).where(b.c.activity == 1, sa.func.coalesce(b.c.code_type, "").in_(
        list(diag)), day >= lo, day < hi)).fetchone()
    return int(row[0] or 0)


def posting_rows(conn, schema: Schema, hi: str) -> pd.DataFrame:
    """ar_activity postings before `hi`: patient, encounter, posting month, payer (0 patient, 1
    insurance), voided flag, pay, adj — one plain scan, no join (summed in pandas)."""
    a = schema.t("ar_activity")
    d = _post_date(schema)
    ins = sa.case((a.c.payer_type > 0, 1), else_=0)
    voided = sa.case((schema.c("ar_activity", "deleted").isnot(None), 1), else_=0)
    return frame(conn, sa.select(a.c.pid.label("pid"), a.c.encounter.label("encounter"), month_key(d).label("mk"),
                                 ins.label("ins"), voided.label("voided"), a.c.pay_amount.label("pay"),
                                 a.c.adj_amount.label("adj"))
                 .where(d < hi, d >= "1900-01-01")).assign(n=1)


def claim_rows(conn, schema: Schema) -> pd.DataFrame | None:
    """Per encounter: the first time a claim was billed to an insurer (status 2 or later, payer_type ≥ 1)
    and whether any claim version was marked denied (status 7). None without a claims table."""
    if not schema.has("claims"):
        return None
    c = schema.t("claims")
    billed = sa.and_(c.c.status >= 2, c.c.payer_type >= 1, c.c.bill_time.isnot(None))
    return frame(conn, sa.select(c.c.patient_id.label("pid"), c.c.encounter_id.label("encounter"),
                                 sa.func.min(sa.case((billed, day_of(c.c.bill_time)), else_=None)).label("submitted"),
                                 sa.func.max(sa.case((c.c.status == 7, 1), else_=0)).label("denied"))
                 .group_by(c.c.patient_id, c.c.encounter_id))


def charges(conn, schema: Schema, diag: tuple[str, ...], lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    """Active charge lines by month of service (and provider): n, amount."""
    b = schema.t("billing")
    enc = encounters(schema)
    d = _service_date(schema, enc)
    mk = month_key(d)
    prov = _charge_provider(schema, enc)
    keys = [mk] + ([prov] if by_provider else [])
    stmt = (sa.select(mk.label("mk"), *([prov.label("prov")] if by_provider else []), sa.func.count().label("n"),
                      sa.func.sum(b.c.fee).label("amount"))
            .select_from(_billing_join(schema, enc))
            .where(_charge_lines(schema, diag), d >= lo, d < hi).group_by(*keys))
    return frame(conn, stmt)


def _post_date(schema: Schema):
    a = schema.t("ar_activity")
    return sa.func.coalesce(day_of(schema.c("ar_activity", "post_date")), day_of(a.c.post_time))


def postings(conn, schema: Schema, lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    """ar_activity by posting month (and the encounter's provider) and payer (0 patient, 1 insurance),
    voided postings apart: n, pay, adj."""
    a = schema.t("ar_activity")
    enc = encounters(schema)
    d = _post_date(schema)
    mk = month_key(d)
    prov = sa.func.coalesce(enc.c.provider_id, 0)
    ins = sa.case((a.c.payer_type > 0, 1), else_=0)
    voided = sa.case((schema.c("ar_activity", "deleted").isnot(None), 1), else_=0)
    keys = [mk] + ([prov] if by_provider else []) + [ins, voided]
    src = a.outerjoin(enc, sa.and_(enc.c.pid == a.c.pid, enc.c.encounter == a.c.encounter)) if by_provider else a
    stmt = (sa.select(mk.label("mk"), *([prov.label("prov")] if by_provider else []), ins.label("ins"),
                      voided.label("voided"), sa.func.count().label("n"), sa.func.sum(a.c.pay_amount).label("pay"),
                      sa.func.sum(a.c.adj_amount).label("adj"))
            .select_from(src).where(d >= lo, d < hi).group_by(*keys))
    return frame(conn, stmt)


def copays(conn, schema: Schema, lo: str, hi: str, by_provider: bool = True) -> pd.DataFrame:
    """COPAY lines of the fee sheet (patient payments, −fee) by month of billing.date (and provider)."""
    b = schema.t("billing")
    enc = encounters(schema)
    d = day_of(b.c.date)
    mk = month_key(d)
    prov = sa.func.coalesce(enc.c.provider_id, 0)
    keys = [mk] + ([prov] if by_provider else [])
    src = _billing_join(schema, enc) if by_provider else b
    stmt = (sa.select(mk.label("mk"), *([prov.label("prov")] if by_provider else []), sa.func.count().label("n"),
                      sa.func.sum(-b.c.fee).label("amount"))
            .select_from(src)
            .where(b.c.activity == 1, b.c.code_type == COPAY, d >= lo, d < hi).group_by(*keys))
    return frame(conn, stmt)


# --- the calendar ------------------------------------------------------------------------------------------


def _event_columns(schema: Schema):
    e = schema.t("openemr_postcalendar_events")
    return [e.c.pc_eid, e.c.pc_catid, e.c.pc_aid, e.c.pc_pid, day_of(e.c.pc_eventDate).label("pc_eventDate"),
            day_of(e.c.pc_endDate).label("pc_endDate"), e.c.pc_duration, e.c.pc_recurrtype,
            # the repeat rule only of repeating events (OpenEMR stores a "no repeat" rule on every other one)
            sa.case((e.c.pc_recurrtype > 0, e.c.pc_recurrspec), else_=sa.null()).label("pc_recurrspec"),
            day_seconds(e.c.pc_startTime).label("t_start"), day_seconds(e.c.pc_endTime).label("t_stop"),
            e.c.pc_alldayevent, e.c.pc_apptstatus,
            day_of(schema.c("openemr_postcalendar_events", "pc_time")).label("entered")]


def _has_patient(schema: Schema):
    e = schema.t("openemr_postcalendar_events")
    pid = sa.func.trim(sa.func.coalesce(e.c.pc_pid, ""))
    return sa.and_(pid != "", pid != "0")


def _in_range(schema: Schema, lo: str):
    e = schema.t("openemr_postcalendar_events")
    return sa.or_(e.c.pc_eventDate >= lo, sa.and_(e.c.pc_recurrtype > 0,
                                                   sa.or_(e.c.pc_endDate >= lo, e.c.pc_endDate.is_(None),
                                                          e.c.pc_endDate < "1900-01-01")))


def patient_events(conn, schema: Schema, lo: str) -> pd.DataFrame:
    """Patients' calendar events from the range's first day on (and repeating ones that reach it)."""
    return frame(conn, sa.select(*_event_columns(schema)).where(_has_patient(schema), _in_range(schema, lo)))


def other_events(conn, schema: Schema, lo: str, hi: str) -> pd.DataFrame:
    """Events without a patient in the range, counted by category (meetings, lunch, office hours …)."""
    e = schema.t("openemr_postcalendar_events")
    return frame(conn, sa.select(e.c.pc_catid.label("pc_catid"), sa.func.count().label("n"))
                 .where(sa.not_(_has_patient(schema)), _in_range(schema, lo), e.c.pc_eventDate < hi)
                 .group_by(e.c.pc_catid))


def provider_events(conn, schema: Schema, lo: str, hi: str, cats: tuple[int, ...]) -> pd.DataFrame:
    """Providers' office-hour events (In/Out Of Office, Lunch, Vacation) reaching the range."""
    e = schema.t("openemr_postcalendar_events")
    return frame(conn, sa.select(*_event_columns(schema))
                 .where(sa.not_(_has_patient(schema)), e.c.pc_catid.in_(list(cats)), _in_range(schema, lo),
                        e.c.pc_eventDate < hi))
