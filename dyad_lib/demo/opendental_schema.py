"""The Open Dental tables the fixture builds, with Open Dental's own table and column names and types.

Taken from Open Dental's public source (OpenDentBusiness/TableTypes/*.cs and its CRUD type
mapping: long → bigint, enum and bool → tinyint, double → double, DateTime → date, DateT →
datetime, TimeSpan → time, string → varchar(255) or text). Only the columns an import or a
realistic test needs are declared, but every name is the real one — including identifying patient
and provider columns (names, birthdates, SSN), so tests can prove the importer never selects them.
Indexes follow the keys Open Dental itself indexes (patient, appointment, procedure, claim
payment, dates), so the same queries run at realistic speed.

`write()` creates the tables on any SQLAlchemy engine (SQLite or MariaDB) and bulk-inserts the
rows, filling unset columns with Open Dental's defaults (0, '', 0001-01-01).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from dyad_lib.demo import sqltables

TINY = sa.SmallInteger().with_variant(mysql.TINYINT(), "mysql")
BIG = sa.BigInteger
DBL = sa.Double
STR = sa.String(255)

MIN_DATE = "0001-01-01"
MIN_DATETIME = "0001-01-01 00:00:00"

metadata = sa.MetaData()


def _table(name: str, *cols: sa.Column, indexes: tuple[tuple[str, ...], ...] = ()) -> sa.Table:
    t = sa.Table(name, metadata, *cols)
    for cols_ in indexes:
        sa.Index(f"ix_{name}_{'_'.join(cols_)}".lower(), *[t.c[c] for c in cols_])
    return t


def _pk(name: str) -> sa.Column:
    return sa.Column(name, BIG, primary_key=True, autoincrement=False)


def C(name: str, type_) -> sa.Column:  # noqa: N802  (a column, Open Dental-style: NOT NULL with a default)
    return sa.Column(name, type_, nullable=False)


preference = _table("preference", _pk("PrefNum"), C("PrefName", STR), C("ValueString", sa.Text),
                    C("Comments", sa.Text))
definition = _table("definition", _pk("DefNum"), C("Category", TINY), C("ItemOrder", sa.Integer),
                    C("ItemName", STR), C("ItemValue", STR), C("IsHidden", TINY))
provider = _table("provider", _pk("ProvNum"), C("Abbr", STR), C("ItemOrder", sa.Integer), C("LName", STR),
                  C("FName", STR), C("MI", STR), C("Suffix", STR), C("FeeSched", BIG), C("Specialty", BIG),
                  C("SSN", STR), C("StateLicense", STR), C("IsSecondary", TINY), C("IsHidden", TINY),
                  C("NationalProvID", STR), C("IsNotPerson", TINY), C("ProvStatus", TINY), C("IsHiddenReport", TINY),
                  C("Birthdate", sa.Date), C("DateTerm", sa.Date))
patient = _table("patient", _pk("PatNum"), C("LName", STR), C("FName", STR), C("MiddleI", STR), C("Preferred", STR),
                 C("PatStatus", TINY), C("Gender", TINY), C("Position", TINY), C("Birthdate", sa.Date), C("SSN", STR),
                 C("Address", STR), C("City", STR), C("State", STR), C("Zip", STR), C("HmPhone", STR),
                 C("WirelessPhone", STR), C("Email", STR), C("Guarantor", BIG), C("PriProv", BIG), C("SecProv", BIG),
                 C("BalTotal", DBL), C("Bal_0_30", DBL), C("Bal_31_60", DBL), C("Bal_61_90", DBL),
                 C("BalOver90", DBL), C("InsEst", DBL), C("DateFirstVisit", sa.Date), C("ClinicNum", BIG),
                 indexes=(("Guarantor",),))
procedurecode = _table("procedurecode", _pk("CodeNum"), C("ProcCode", STR), C("Descript", STR), C("AbbrDesc", STR),
                       C("ProcTime", STR), C("ProcCat", BIG), C("TreatArea", TINY), C("IsHygiene", TINY),
                       C("BaseUnits", sa.Integer), C("IsProsth", TINY), C("NoBillIns", TINY),
                       indexes=(("ProcCode",),))
procedurelog = _table("procedurelog", _pk("ProcNum"), C("PatNum", BIG), C("AptNum", BIG), C("OldCode", STR),
                      C("ProcDate", sa.Date), C("ProcFee", DBL), C("Surf", STR), C("ToothNum", STR),
                      C("Priority", BIG), C("ProcStatus", TINY), C("ProvNum", BIG), C("Dx", BIG),
                      C("PlannedAptNum", BIG), C("ClinicNum", BIG), C("CodeNum", BIG), C("UnitQty", sa.Integer),
                      C("BaseUnits", sa.Integer), C("DateTP", sa.Date), C("DateEntryC", sa.Date),
                      C("SecDateEntry", sa.DateTime), C("DateComplete", sa.Date), C("Discount", DBL),
                      indexes=(("PatNum",), ("AptNum",), ("ProcDate",), ("PlannedAptNum",)))
claim = _table("claim", _pk("ClaimNum"), C("PatNum", BIG), C("DateService", sa.Date), C("DateSent", sa.Date),
               C("ClaimStatus", STR), C("DateReceived", sa.Date), C("PlanNum", BIG), C("ProvTreat", BIG),
               C("ClaimFee", DBL), C("InsPayEst", DBL), C("InsPayAmt", DBL), C("WriteOff", DBL),
               C("ClaimType", STR), indexes=(("PatNum",),))
claimpayment = _table("claimpayment", _pk("ClaimPaymentNum"), C("CheckDate", sa.Date), C("CheckAmt", DBL),
                      C("CheckNum", STR), C("BankBranch", STR), C("Note", STR), C("ClinicNum", BIG),
                      C("DepositNum", BIG), C("CarrierName", STR), C("DateIssued", sa.Date), C("IsPartial", TINY),
                      C("PayType", BIG))
claimproc = _table("claimproc", _pk("ClaimProcNum"), C("ProcNum", BIG), C("ClaimNum", BIG), C("PatNum", BIG),
                   C("ProvNum", BIG), C("FeeBilled", DBL), C("InsPayEst", DBL), C("DedApplied", DBL),
                   C("Status", TINY), C("InsPayAmt", DBL), C("Remarks", STR), C("ClaimPaymentNum", BIG),
                   C("PlanNum", BIG), C("DateCP", sa.Date), C("WriteOff", DBL), C("CodeSent", STR),
                   C("AllowedOverride", DBL), C("Percentage", sa.SmallInteger), C("CopayAmt", DBL),
                   C("ProcDate", sa.Date), C("DateEntry", sa.Date), C("WriteOffEst", DBL),
                   C("WriteOffEstOverride", DBL), C("ClinicNum", BIG), C("InsSubNum", BIG), C("PayPlanNum", BIG),
                   indexes=(("ProcNum",), ("ClaimNum",), ("PatNum",), ("ClaimPaymentNum",), ("DateCP",)))
claimsnapshot = _table("claimsnapshot", _pk("ClaimSnapshotNum"), C("ProcNum", BIG), C("ClaimType", STR),
                       C("Writeoff", DBL), C("InsPayEst", DBL), C("Fee", DBL), C("DateTEntry", sa.DateTime),
                       C("ClaimProcNum", BIG), C("SnapshotTrigger", TINY), indexes=(("ClaimProcNum",),))
adjustment = _table("adjustment", _pk("AdjNum"), C("AdjDate", sa.Date), C("AdjAmt", DBL), C("PatNum", BIG),
                    C("AdjType", BIG), C("ProvNum", BIG), C("AdjNote", sa.Text), C("ProcDate", sa.Date),
                    C("ProcNum", BIG), C("DateEntry", sa.Date), C("ClinicNum", BIG),
                    indexes=(("PatNum",), ("AdjDate",)))
payment = _table("payment", _pk("PayNum"), C("PayType", BIG), C("PayDate", sa.Date), C("PayAmt", DBL),
                 C("CheckNum", STR), C("BankBranch", STR), C("PayNote", sa.Text), C("IsSplit", TINY),
                 C("PatNum", BIG), C("ClinicNum", BIG), C("DateEntry", sa.Date), C("DepositNum", BIG),
                 indexes=(("PatNum",),))
paysplit = _table("paysplit", _pk("SplitNum"), C("SplitAmt", DBL), C("PatNum", BIG), C("ProcDate", sa.Date),
                  C("PayNum", BIG), C("IsDiscount", TINY), C("DiscountType", TINY), C("ProvNum", BIG),
                  C("PayPlanNum", BIG), C("DatePay", sa.Date), C("ProcNum", BIG), C("DateEntry", sa.Date),
                  C("UnearnedType", BIG), C("ClinicNum", BIG), C("AdjNum", BIG), C("FSplitNum", BIG),
                  indexes=(("PatNum",), ("DatePay",), ("PayNum",)))
appointment = _table("appointment", _pk("AptNum"), C("PatNum", BIG), C("AptStatus", TINY), C("Pattern", STR),
                     C("Confirmed", BIG), C("TimeLocked", TINY), C("Op", BIG), C("Note", sa.Text), C("ProvNum", BIG),
                     C("ProvHyg", BIG), C("AptDateTime", sa.DateTime), C("NextAptNum", BIG),
                     C("UnschedStatus", BIG), C("IsNewPatient", TINY), C("ProcDescript", STR), C("Assistant", BIG),
                     C("ClinicNum", BIG), C("IsHygiene", TINY), C("DateTimeArrived", sa.DateTime),
                     C("DateTimeSeated", sa.DateTime), C("DateTimeDismissed", sa.DateTime),
                     C("AppointmentTypeNum", BIG), C("SecDateTEntry", sa.DateTime), C("Priority", TINY),
                     indexes=(("PatNum",), ("AptDateTime",), ("Op",)))
operatory = _table("operatory", _pk("OperatoryNum"), C("OpName", STR), C("Abbrev", STR), C("ItemOrder", sa.Integer),
                   C("IsHidden", TINY), C("ProvDentist", BIG), C("ProvHygienist", BIG), C("IsHygiene", TINY),
                   C("ClinicNum", BIG), C("SetProspective", TINY), C("IsWebSched", TINY))
schedule = _table("schedule", _pk("ScheduleNum"), C("SchedDate", sa.Date), C("StartTime", sa.Time),
                  C("StopTime", sa.Time), C("SchedType", TINY), C("ProvNum", BIG), C("BlockoutType", BIG),
                  C("Note", sa.Text), C("Status", TINY), C("EmployeeNum", BIG), C("ClinicNum", BIG),
                  indexes=(("SchedDate",), ("ProvNum",)))
scheduleop = _table("scheduleop", _pk("ScheduleOpNum"), C("ScheduleNum", BIG), C("OperatoryNum", BIG),
                    indexes=(("ScheduleNum",),))
treatplan = _table("treatplan", _pk("TreatPlanNum"), C("PatNum", BIG), C("DateTP", sa.Date), C("Heading", STR),
                   C("Note", sa.Text), C("Signature", sa.Text), C("SigIsTopaz", TINY), C("ResponsParty", BIG),
                   C("DocNum", BIG), C("TPStatus", TINY), C("SecUserNumEntry", BIG), C("SecDateEntry", sa.Date),
                   C("UserNumPresenter", BIG), C("TPType", TINY), indexes=(("PatNum",),))
proctp = _table("proctp", _pk("ProcTPNum"), C("TreatPlanNum", BIG), C("PatNum", BIG), C("ProcNumOrig", BIG),
                C("ItemOrder", sa.Integer), C("Priority", BIG), C("ToothNumTP", STR), C("Surf", STR),
                C("ProcCode", STR), C("Descript", STR), C("FeeAmt", DBL), C("PriInsAmt", DBL), C("SecInsAmt", DBL),
                C("PatAmt", DBL), C("Discount", DBL), C("ProcAbbr", STR), C("ProvNum", BIG), C("DateTP", sa.Date),
                C("ClinicNum", BIG), indexes=(("TreatPlanNum",), ("ProcNumOrig",)))
treatplanattach = _table("treatplanattach", _pk("TreatPlanAttachNum"), C("TreatPlanNum", BIG), C("ProcNum", BIG),
                         C("Priority", BIG), indexes=(("TreatPlanNum",),))

#: Insert order (no foreign keys are declared, as in Open Dental, but keep a natural order).
TABLES = tuple(metadata.tables)


def rows_for(table: sa.Table, df: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """Column names and row tuples for `table`, every unset column at Open Dental's default."""
    return sqltables.rows_for(table, df, MIN_DATE)


def write(engine: sa.engine.Engine, frames: Mapping[str, pd.DataFrame], *, chunk: int = 20_000) -> dict[str, int]:
    """Create every table (dropping old ones) and insert the frames; returns rows per table."""
    return sqltables.write(engine, metadata, frames, chunk=chunk, no_date=MIN_DATE)


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows given as dicts (tests, small fixtures) as a frame."""
    return pd.DataFrame(rows) if rows else pd.DataFrame()


def as_int(a) -> np.ndarray:
    return np.asarray(a, dtype=np.int64)
