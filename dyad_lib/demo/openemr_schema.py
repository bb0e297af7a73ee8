"""The OpenEMR tables the fixture builds, with OpenEMR's own table and column names and types.

Taken from OpenEMR's public schema (openemr/openemr: sql/database.sql and the per-table
migrations that replaced it): `int(11)` → Integer, `bigint(20)` → BigInteger, `tinyint` →
TINYINT, `decimal(12,2)` → Numeric(12, 2), `datetime`, `date`, `time`, `varchar(n)`, `text`. Only
the columns an import or a realistic test needs are declared, but every name is the real one —
including identifying patient columns (`patient_data` names, birth date, social security number,
address, phone, email) and provider identifiers (NPI, tax id), so tests can prove the importer
never selects them. Nullable columns and defaults follow OpenEMR (`pc_apptstatus` defaults to
'-', most dates to NULL, a calendar event's end date to '0000-00-00'), and the indexes are the
ones OpenEMR declares (`billing.pid`, `form_encounter(pid, encounter)`, `form_encounter.date`,
`ar_activity.session_id`, `openemr_postcalendar_events.pc_eventDate` …).

`write()` creates the tables on any SQLAlchemy engine (SQLite or MariaDB) and bulk-inserts the
rows (`dyad_lib.demo.sqltables`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from dyad_lib.demo import sqltables

TINY = sa.SmallInteger().with_variant(mysql.TINYINT(), "mysql")
INT = sa.Integer
BIG = sa.BigInteger
MONEY = sa.Numeric(12, 2, asdecimal=False)
#: OpenEMR's "no date" in NOT NULL date columns (MariaDB accepts it outside NO_ZERO_DATE mode).
ZERO_DATE = "0000-00-00"

metadata = sa.MetaData()


def _table(name: str, *cols: sa.Column, indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> sa.Table:
    """A table with OpenEMR's own index names (index names are per table in MySQL, global in SQLite)."""
    t = sa.Table(name, metadata, *cols)
    for index_name, cols_ in indexes:
        sa.Index(f"{name}_{index_name}" if index_name in ("pid", "date") else index_name, *[t.c[c] for c in cols_])
    return t


def N(name: str, type_, default=None) -> sa.Column:  # noqa: N802  (a nullable column, OpenEMR's DEFAULT NULL)
    return sa.Column(name, type_, nullable=True, default=default)


def R(name: str, type_, default=None) -> sa.Column:  # noqa: N802  (NOT NULL, with OpenEMR's default when it has one)
    return sa.Column(name, type_, nullable=False, default=default)


def _pk(name: str, type_=INT) -> sa.Column:
    return sa.Column(name, type_, primary_key=True, autoincrement=False)


version = _table("version", R("v_major", INT, 0), R("v_minor", INT, 0), R("v_patch", INT, 0),
                 R("v_realpatch", INT, 0), R("v_tag", sa.String(31), ""), R("v_database", INT, 0),
                 R("v_acl", INT, 0))
globals_ = _table("globals", _pk("gl_name", sa.String(63)), _pk("gl_index", INT), R("gl_value", sa.String(255), ""))
facility = _table("facility", _pk("id"), N("name", sa.String(255)), N("phone", sa.String(30)),
                  N("street", sa.String(255)), N("city", sa.String(255)), N("state", sa.String(50)),
                  N("postal_code", sa.String(11)), N("federal_ein", sa.String(15)),
                  R("service_location", TINY, 1), R("billing_location", TINY, 0),
                  R("primary_business_entity", INT, 0), N("facility_npi", sa.String(15)))
users = _table("users", _pk("id", BIG), N("username", sa.String(255)), N("password", sa.Text),
               N("authorized", TINY, 0), N("fname", sa.String(255)), N("mname", sa.String(255)),
               N("lname", sa.String(255)), N("suffix", sa.String(255)), N("federaltaxid", sa.String(255)),
               N("federaldrugid", sa.String(255)), N("npi", sa.String(15)), N("title", sa.String(30)),
               N("specialty", sa.String(255)), N("facility_id", INT, 0), R("see_auth", INT, 1),
               R("active", TINY, 1), N("email", sa.String(255)), N("phonecell", sa.String(30)),
               R("calendar", TINY, 0), R("taxonomy", sa.String(30), "207Q00000X"),
               N("physician_type", sa.String(50)))
patient_data = _table("patient_data", _pk("id", BIG), R("pid", BIG, 0), R("pubpid", sa.String(255), ""),
                      N("title", sa.String(255)), N("fname", sa.String(255)), N("lname", sa.String(255)),
                      N("mname", sa.String(255)), N("DOB", sa.Date), N("ss", sa.String(255)),
                      N("street", sa.String(255)), N("city", sa.String(255)), N("postal_code", sa.String(255)),
                      N("phone_home", sa.String(255)), N("phone_cell", sa.String(255)), N("email", sa.String(255)),
                      N("sex", sa.String(255)), N("regdate", sa.Date), N("date", sa.DateTime),
                      N("providerID", INT), indexes=(("pid", ("pid",)),))
form_encounter = _table("form_encounter", _pk("id", BIG), N("date", sa.DateTime), N("reason", sa.Text),
                        N("facility", sa.Text), R("facility_id", INT, 0), N("pid", BIG), N("encounter", BIG),
                        N("onset_date", sa.DateTime), N("sensitivity", sa.String(30)), N("billing_note", sa.Text),
                        R("pc_catid", INT, 5), R("last_level_billed", INT, 0), R("last_level_closed", INT, 0),
                        N("last_stmt_date", sa.Date), R("stmt_count", INT, 0), N("provider_id", INT, 0),
                        N("supervisor_id", INT, 0), R("invoice_refno", sa.String(31), ""),
                        R("billing_facility", INT, 0), N("pos_code", TINY),
                        indexes=(("pid_encounter", ("pid", "encounter")), ("encounter_date", ("date",))))
billing = _table("billing", _pk("id"), N("date", sa.DateTime), N("code_type", sa.String(15)), N("code", sa.String(20)),
                 N("pid", BIG), N("provider_id", INT), N("user", INT), N("groupname", sa.String(255)),
                 N("authorized", TINY), N("encounter", INT), N("code_text", sa.Text), N("billed", TINY),
                 N("activity", TINY), N("payer_id", INT), R("bill_process", TINY, 0), N("bill_date", sa.DateTime),
                 N("process_date", sa.DateTime), N("process_file", sa.String(255)), N("modifier", sa.String(12)),
                 N("units", INT), N("fee", MONEY), N("justify", sa.String(255)), N("target", sa.String(30)),
                 N("x12_partner_id", INT), N("ndc_info", sa.String(255)), R("notecodes", sa.String(25), ""),
                 N("external_id", sa.String(20)), R("pricelevel", sa.String(31), ""),
                 R("revenue_code", sa.String(6), ""), R("chargecat", sa.String(31), ""),
                 indexes=(("pid", ("pid",)),))
ar_session = _table("ar_session", _pk("session_id"), R("payer_id", INT, 0), R("user_id", INT, 0),
                    R("closed", TINY, 0), R("reference", sa.String(255), ""), N("check_date", sa.Date),
                    N("deposit_date", sa.Date), R("pay_total", MONEY, 0), N("created_time", sa.DateTime),
                    N("modified_time", sa.DateTime), R("global_amount", MONEY, 0),
                    R("payment_type", sa.String(50), ""), N("description", sa.Text),
                    R("adjustment_code", sa.String(50), ""), N("post_to_date", sa.Date), R("patient_id", BIG, 0),
                    R("payment_method", sa.String(25), ""), indexes=(("deposit_date", ("deposit_date",)),))
ar_activity = _table("ar_activity", _pk("pid"), _pk("encounter"), _pk("sequence_no"),
                     R("code_type", sa.String(12), ""), R("code", sa.String(20), ""), R("modifier", sa.String(12), ""),
                     R("payer_type", INT, 0), R("post_time", sa.DateTime), R("post_user", INT, 0),
                     R("session_id", INT, 0), R("memo", sa.String(255), ""), R("pay_amount", MONEY, 0),
                     R("adj_amount", MONEY, 0), N("modified_time", sa.DateTime), R("follow_up", sa.String(1), ""),
                     N("follow_up_note", sa.Text), R("account_code", sa.String(15), ""),
                     N("reason_code", sa.String(255)), N("deleted", sa.DateTime), N("post_date", sa.Date),
                     N("payer_claim_number", sa.String(30)), indexes=(("session_id", ("session_id",)),))
claims = _table("claims", _pk("patient_id", BIG), _pk("encounter_id"), _pk("version"), R("payer_id", INT, 0),
                R("status", TINY, 0), R("payer_type", TINY, 0), R("bill_process", TINY, 0), N("bill_time", sa.DateTime),
                N("process_time", sa.DateTime), N("process_file", sa.String(255)), N("target", sa.String(30)),
                R("x12_partner_id", INT, 0), N("submitted_claim", sa.Text))
code_types = _table("code_types", _pk("ct_key", sa.String(15)), R("ct_id", INT, 0), R("ct_seq", INT, 0),
                    R("ct_mod", INT, 0), R("ct_just", sa.String(15), ""), R("ct_fee", TINY, 0),
                    R("ct_rel", TINY, 0), R("ct_nofs", TINY, 0), R("ct_diag", TINY, 0), R("ct_active", TINY, 1),
                    R("ct_label", sa.String(31), ""), R("ct_external", TINY, 0), R("ct_claim", TINY, 0),
                    R("ct_proc", TINY, 0), R("ct_term", TINY, 0), R("ct_problem", TINY, 0), R("ct_drug", TINY, 0))
list_options = _table("list_options", _pk("list_id", sa.String(100)), _pk("option_id", sa.String(100)),
                      R("title", sa.String(255), ""), R("seq", INT, 0), R("is_default", TINY, 0),
                      R("option_value", sa.Float, 0), R("mapping", sa.String(31), ""), N("notes", sa.Text),
                      R("codes", sa.String(255), ""), R("toggle_setting_1", TINY, 0), R("toggle_setting_2", TINY, 0),
                      R("activity", TINY, 1), R("subtype", sa.String(31), ""))
openemr_postcalendar_categories = _table(
    "openemr_postcalendar_categories", _pk("pc_catid"), N("pc_constant_id", sa.String(255)),
    N("pc_catname", sa.String(100)), N("pc_catcolor", sa.String(50)), N("pc_catdesc", sa.Text),
    R("pc_recurrtype", INT, 0), N("pc_enddate", sa.Date), N("pc_recurrspec", sa.Text), R("pc_recurrfreq", INT, 0),
    R("pc_duration", BIG, 0), R("pc_end_date_flag", TINY, 0), N("pc_end_date_type", INT),
    R("pc_end_date_freq", INT, 0), R("pc_end_all_day", TINY, 0), R("pc_dailylimit", INT, 0),
    R("pc_cattype", INT, 0), R("pc_active", TINY, 1), R("pc_seq", INT, 0),
    R("aco_spec", sa.String(63), "encounters|notes"))
openemr_postcalendar_events = _table(
    "openemr_postcalendar_events", _pk("pc_eid"), R("pc_catid", INT, 0), R("pc_multiple", INT, 0),
    N("pc_aid", sa.String(30)), N("pc_pid", sa.String(11)), N("pc_gid", INT, 0), N("pc_title", sa.String(150)),
    N("pc_time", sa.DateTime), N("pc_hometext", sa.Text), N("pc_comments", INT, 0), N("pc_counter", INT, 0),
    R("pc_topic", INT, 1), N("pc_informant", sa.String(20)), R("pc_eventDate", sa.Date, ZERO_DATE),
    R("pc_endDate", sa.Date, ZERO_DATE), R("pc_duration", BIG, 0), R("pc_recurrtype", INT, 0),
    N("pc_recurrspec", sa.Text), R("pc_recurrfreq", INT, 0), N("pc_startTime", sa.Time), N("pc_endTime", sa.Time),
    R("pc_alldayevent", INT, 0), N("pc_location", sa.Text), N("pc_conttel", sa.String(50)),
    N("pc_contname", sa.String(50)), N("pc_contemail", sa.String(255)), N("pc_website", sa.String(255)),
    N("pc_fee", sa.String(50)), R("pc_eventstatus", INT, 0), R("pc_sharing", INT, 0),
    N("pc_language", sa.String(30)), R("pc_apptstatus", sa.String(15), "-"), R("pc_prefcatid", INT, 0),
    R("pc_facility", INT, 0), R("pc_sendalertsms", sa.String(3), "NO"), R("pc_sendalertemail", sa.String(3), "NO"),
    R("pc_billing_location", sa.SmallInteger, 0), R("pc_room", sa.String(20), ""),
    indexes=(("basic_event", ("pc_catid", "pc_aid", "pc_eventDate", "pc_endDate", "pc_eventstatus", "pc_sharing",
                              "pc_topic")), ("pc_eventDate", ("pc_eventDate",))))

TABLES = tuple(metadata.tables)


def rows_for(table: sa.Table, df: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """Column names and row tuples for `table`, every unset column at OpenEMR's default."""
    return sqltables.rows_for(table, df, ZERO_DATE)


def write(engine: sa.engine.Engine, frames: Mapping[str, pd.DataFrame], *, chunk: int = 20_000) -> dict[str, int]:
    """Create every table (dropping old ones) and insert the frames; returns rows per table."""
    return sqltables.write(engine, metadata, frames, chunk=chunk, no_date=ZERO_DATE)
