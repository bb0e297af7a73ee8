"""Hand-made Open Dental databases for the importer tests, and the MariaDB server they also run on.

`trap_db()` is a two-month practice small enough to work out every figure by hand (the expected
values in tests/test_opendental.py are computed in comments there, from these rows). The MariaDB
server is started by the test session itself (a temporary data folder, a unix socket, a free TCP
port, a SELECT-only user for the importer) and stopped at the end.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dyad_lib.demo import opendental_schema as schema

IMPORT_USER, IMPORT_PASSWORD = "reader", "s3cret-Pw!"


class ODB:
    """Rows per Open Dental table; primary keys are numbered when not given."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.next: dict[str, int] = defaultdict(lambda: 1)

    def add(self, table: str, **cols) -> int:
        pk = next(c.name for c in schema.metadata.tables[table].columns if c.primary_key)
        if pk not in cols:
            cols[pk] = self.next[table]
        self.next[table] = max(self.next[table], int(cols[pk]) + 1)
        self.rows[table].append(cols)
        return int(cols[pk])

    def frames(self) -> dict[str, pd.DataFrame]:
        return {t: pd.DataFrame(r) for t, r in self.rows.items()}

    def write(self, engine) -> None:
        schema.write(engine, self.frames())


def trap_db(writeoff_mode: int = 0) -> ODB:
    """Two months (2024-01, 2024-02) with one of each trap; see test_opendental.py for the sums."""
    db = ODB()
    for name, value in (("ProgramVersion", "22.4.31.0"), ("PPOWriteoffDateCalc", str(writeoff_mode)),
                        ("DateLastAging", "2024-02-29"), ("PracticeTitle", "Trap Dental"),
                        ("BrokenApptProcedure", "3")):
        db.add("preference", PrefName=name, ValueString=value)
    codes = {}
    for code, fee, hyg, base in (("D2391", 200, 0, 0), ("D0230", 30, 0, 0), ("D9223", 240, 0, 1),
                                 ("D2740", 1250, 0, 0), ("D2392", 250, 0, 0), ("D1110", 100, 1, 0),
                                 ("D2950", 310, 0, 0), ("D7140", 210, 0, 0), ("D9986", 0, 0, 0),
                                 ("D9987", 0, 0, 0)):
        codes[code] = db.add("procedurecode", ProcCode=code, Descript=code, IsHygiene=hyg, BaseUnits=base)
    db.add("provider", ProvNum=1, Abbr="DOC1", FName="Ana", LName="Rivera", Suffix="DDS", SSN="123456789")
    db.add("provider", ProvNum=2, Abbr="HYG1", FName="Sofia", LName="Grant", Suffix="RDH", IsSecondary=1)
    db.add("provider", ProvNum=3, Abbr="HYG2", FName="Tom", LName="Reyes", IsSecondary=1)
    db.add("provider", ProvNum=4, Abbr="OLD", FName="Old", LName="Doc", IsHidden=1)
    # families: 1 and 2 share guarantor 1; 3 (capitation) and 4 are their own
    for pat, guar in ((1, 1), (2, 1), (3, 3), (4, 4)):
        db.add("patient", PatNum=pat, Guarantor=guar, LName=f"Secret{pat}", FName="Name", Birthdate="1980-01-01",
               SSN=f"99900{pat}", Email=f"p{pat}@example.com")
    db.add("operatory", OperatoryNum=1, OpName="Op 1", ProvDentist=1)
    db.add("operatory", OperatoryNum=2, OpName="Hyg", ProvHygienist=2, IsHygiene=1)
    db.add("operatory", OperatoryNum=3, OpName="Old", IsHidden=1)

    def proc(pat, day, code, status, prov, fee=None, units=1, apt=0, base=None):
        return db.add("procedurelog", PatNum=pat, ProcDate=day, CodeNum=codes[code], ProcStatus=status, ProvNum=prov,
                      ProcFee=fee if fee is not None else {"D2391": 200, "D0230": 30, "D9223": 240, "D2740": 1250,
                                                            "D2392": 250, "D1110": 100, "D2950": 310, "D7140": 210,
                                                            "D9986": 0, "D9987": 0}[code],
                      UnitQty=units, BaseUnits=(1 if code == "D9223" else 0) if base is None else base, AptNum=apt)

    def appt(apt, pat, status, day_time, pattern, prov=1, hyg=0, is_hyg=0, new=0, created="2023-12-20 09:00:00"):
        db.add("appointment", AptNum=apt, PatNum=pat, AptStatus=status, AptDateTime=day_time, Pattern=pattern,
               ProvNum=prov, ProvHyg=hyg, IsHygiene=is_hyg, IsNewPatient=new, Op=1, SecDateTEntry=created)

    # appointments (ids fixed so the tests can name them)
    appt(1, 1, 2, "2024-01-10 09:00:00", "/XXXX/")                                  # restorative, 30 min
    appt(2, 3, 2, "2024-01-10 10:00:00", "/XXXXXXXXXX/", prov=1, hyg=2)              # hygiene under the dentist
    appt(3, 2, 2, "2024-02-10 09:00:00", "/XXXXXXXXXX/", prov=1, hyg=2, is_hyg=1, created="2024-01-10 16:00:00")
    appt(4, 2, 5, "2024-01-20 09:00:00", "/XX/")                                     # broken + D9987 → cancelled
    appt(5, 1, 1, "2024-03-05 09:00:00", "/XXXX/", created="2024-01-10 17:00:00")    # booked at checkout
    appt(6, 3, 3, "2024-02-12 09:00:00", "/XX/")                                     # unscheduled + D9986 → no_show
    appt(7, 1, 5, "2024-02-14 09:00:00", "/XX/", created="2024-01-11 09:00:00")      # broken, no code → no_show
    appt(8, 2, 3, "2024-01-25 09:00:00", "/XX/")                                     # unscheduled, no code → cancelled
    appt(9, 1, 6, "2024-01-10 09:00:00", "/XX/")                                     # planned: left out
    appt(10, 2, 7, "2024-01-15 08:00:00", "//")                                      # patient note: left out
    appt(11, 1, 2, "2024-03-01 09:00:00", "/XX/", created="2024-02-20 09:00:00")     # done after the range
    appt(12, 4, 2, "2024-01-05 09:00:00", "/XXXXXXXXXXXXXXXX/", new=1)               # new patient, 90 min
    appt(13, 4, 2, "2024-02-01 09:00:00", "/XX/", created="0001-01-01 00:00:00")     # creation unknown

    # procedures
    p_d2391 = proc(1, "2024-01-10", "D2391", 2, 1, apt=1)
    proc(1, "2024-01-10", "D0230", 2, 1, units=3, apt=1)               # 30 × 3 = 90
    proc(1, "2024-01-10", "D9223", 2, 1, units=2, apt=1)               # 240 × (2 + 1) = 720
    proc(1, "2024-01-10", "D2740", 6, 1)                               # deleted, keeps its fee
    proc(1, "2024-01-10", "D2740", 3, 1)                               # existing work (EC): charting only
    p_cap = proc(3, "2024-01-10", "D1110", 2, 1, apt=2)                # capitation patient, billed under the dentist
    proc(2, "2024-02-10", "D1110", 2, 2, fee=115, apt=3)               # hygiene by the hygienist
    proc(2, "2024-01-20", "D9987", 2, 1)                               # the cancelled appointment charted
    proc(3, "2024-02-12", "D9986", 2, 1)                               # the missed appointment charted
    proc(1, "2023-10-02", "D2740", 2, 1, fee=700)                      # before the range: only A/R sees it
    p_x = proc(1, "2024-01-05", "D2392", 1, 1, apt=5)                  # planned, on the Scheduled appointment 5
    p_z = proc(1, "2024-01-05", "D2950", 1, 1)                         # planned, not booked
    p_w = proc(1, "2024-01-05", "D2740", 6, 1)                         # planned then deleted
    p_v = proc(1, "2024-02-01", "D7140", 1, 1, apt=7)                  # planned, on the broken appointment 7

    # insurance: a check in February for a January procedure, a claim not yet received, a supplemental payment
    db.add("claimpayment", ClaimPaymentNum=1, CheckDate="2024-02-05", CheckAmt=100)
    db.add("claimpayment", ClaimPaymentNum=2, CheckDate="2024-02-20", CheckAmt=10)
    cp1 = db.add("claimproc", ProcNum=p_d2391, PatNum=1, ProvNum=1, Status=1, InsPayAmt=100, WriteOff=44,
                 DateCP="2024-02-05", ProcDate="2024-01-10", ClaimPaymentNum=1, ClaimNum=1)
    cp2 = db.add("claimproc", ProcNum=p_d2391 + 1, PatNum=1, ProvNum=1, Status=0, InsPayEst=40, WriteOff=20,
                 DateCP="2024-01-10", ProcDate="2024-01-10", ClaimNum=1)
    db.add("claimproc", ProcNum=p_d2391, PatNum=1, ProvNum=1, Status=4, InsPayAmt=10, WriteOff=-10,
           DateCP="2024-02-20", ProcDate="2024-01-10", ClaimPaymentNum=2, ClaimNum=1)
    db.add("claimproc", ProcNum=p_cap, PatNum=3, ProvNum=1, Status=7, WriteOff=80, DateCP="2024-01-10",
           ProcDate="2024-01-10")
    db.add("claimproc", ProcNum=p_x, PatNum=1, ProvNum=1, Status=6, InsPayEst=99, WriteOffEst=50, ProcDate="2024-01-05")
    db.add("claimsnapshot", ClaimProcNum=cp1, Writeoff=50, DateTEntry="2024-01-11 10:00:00", ProcNum=p_d2391)
    db.add("claimsnapshot", ClaimProcNum=cp2, Writeoff=20, DateTEntry="2024-01-11 10:00:00", ProcNum=p_d2391 + 1)

    # adjustments: a discount (−) in January, a late fee (+) in February
    db.add("adjustment", AdjDate="2024-01-12", AdjAmt=-15, PatNum=1, ProvNum=1, AdjType=101)
    db.add("adjustment", AdjDate="2024-02-03", AdjAmt=10, PatNum=1, ProvNum=1, AdjType=102)

    # patient money: income, a prepayment and its allocation, an unallocated split, a refund, a discount split
    def pay(day, amount, splits):
        pn = db.add("payment", PayDate=day, PayAmt=amount, PatNum=splits[0][0])
        for pat, prov, amt, unearned, disc in splits:
            db.add("paysplit", PayNum=pn, PatNum=pat, ProvNum=prov, SplitAmt=amt, DatePay=day, UnearnedType=unearned,
                   IsDiscount=disc)

    pay("2024-01-10", 56, [(1, 1, 56, 0, 0)])
    pay("2024-01-10", 500, [(1, 0, 500, 288, 0)])
    pay("2024-01-10", 25, [(1, 1, 25, 0, 1)])
    pay("2024-01-20", 12, [(1, 0, 12, 0, 0)])
    pay("2024-02-15", 0, [(1, 0, -300, 288, 0), (1, 1, 300, 0, 0)])
    pay("2024-02-20", -6, [(1, 1, -6, 0, 0)])

    # stored aging as of 2024-02-29 (see test_opendental: family 1 owes 1089.00, family 3 owes 20.00)
    for r in db.rows["patient"]:
        if r["PatNum"] == 1:
            r.update(BalTotal=1089, Bal_0_30=1089)
        if r["PatNum"] == 3:
            r.update(BalTotal=20, Bal_31_60=20)

    # treatment plans: A presents D2391 (done), X (scheduled), Z (open), W (deleted); B re-presents X, Z and adds V;
    # C presents only X again
    for tp, pat, day, procs_ in ((1, 1, "2024-01-05", (p_d2391, p_x, p_z, p_w)), (2, 1, "2024-02-01", (p_x, p_z, p_v)),
                                 (3, 2, "2024-02-02", (p_x,))):
        db.add("treatplan", TreatPlanNum=tp, PatNum=pat, DateTP=day, TPStatus=0)
        for i, pn in enumerate(procs_):
            db.add("proctp", TreatPlanNum=tp, PatNum=pat, ProcNumOrig=pn, ItemOrder=i)
    db.add("treatplan", TreatPlanNum=4, PatNum=1, DateTP="2024-02-01", TPStatus=1)
    db.add("treatplanattach", TreatPlanNum=4, ProcNum=p_z)

    # schedules (SchedType 1 provider, 0 practice, 2 blockout)
    def sched(num, day, start, stop, prov, ops=(), kind=1):
        db.add("schedule", ScheduleNum=num, SchedDate=day, StartTime=start, StopTime=stop, ProvNum=prov, SchedType=kind)
        for op in ops:
            db.add("scheduleop", ScheduleNum=num, OperatoryNum=op)

    sched(1, "2024-01-08", "08:00:00", "12:00:00", 1, (1,))
    sched(2, "2024-01-08", "13:00:00", "17:00:00", 1, (1, 3))      # also linked to the hidden operatory
    sched(3, "2024-01-08", "08:00:00", "12:00:00", 2)              # no link: the hygienist's default operatory
    sched(4, "2024-01-08", "10:00:00", "14:00:00", 2, (2,))        # overlaps schedule 3 in operatory 2
    sched(5, "2024-01-09", "08:00:00", "11:00:00", 1, (1,))        # a short day
    sched(6, "2024-01-08", "12:00:00", "13:00:00", 0, (1,), kind=2)  # a blockout: not provider time
    sched(7, "2024-02-05", "08:00:00", "12:00:00", 1, (1,))
    sched(8, "2024-02-05", "09:00:00", "12:00:00", 3)              # no operatory anywhere: provider hours only
    return db


# --- the MariaDB server of the test session ------------------------------------------------------------------------


@dataclass
class MariaDB:
    socket: Path
    port: int
    process: subprocess.Popen

    def admin_url(self, database: str = "") -> str:
        return f"mysql+pymysql://root@localhost/{database}?unix_socket={self.socket}"

    def import_url(self, database: str) -> str:
        return f"mysql+pymysql://{IMPORT_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> object:
        """A fresh database the import user may only SELECT from; returns an admin engine on it."""
        import sqlalchemy as sa

        admin = sa.create_engine(self.admin_url(), poolclass=sa.pool.NullPool)
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
            c.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            c.exec_driver_sql(f"GRANT SELECT ON `{name}`.* TO '{IMPORT_USER}'@'%%'")
            c.exec_driver_sql(f"GRANT SELECT ON `{name}`.* TO '{IMPORT_USER}'@'localhost'")
        admin.dispose()
        return sa.create_engine(self.admin_url(name), poolclass=sa.pool.NullPool)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_mariadb() -> tuple[str, str] | None:
    server = shutil.which("mariadbd") or shutil.which("mysqld") or next(
        (p for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld") if os.path.exists(p)), None)
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    return (server, install) if server and install else None


def start_mariadb(base: Path) -> MariaDB:
    """Initialise a data folder and start a private server on a unix socket and a free port."""
    found = find_mariadb()
    assert found, "no MariaDB server"
    server, install = found
    user = getpass.getuser()
    datadir, sock, port = base / "data", base / "mysqld.sock", _free_port()
    subprocess.run([install, "--no-defaults", f"--datadir={datadir}", f"--user={user}", "--skip-test-db",
                    "--auth-root-authentication-method=normal"], check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen([server, "--no-defaults", f"--datadir={datadir}", f"--socket={sock}", f"--port={port}",
                             "--bind-address=127.0.0.1", f"--user={user}", f"--pid-file={base / 'mysqld.pid'}",
                             f"--log-error={base / 'error.log'}", "--skip-name-resolve", "--skip-log-bin",
                             "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0",
                             "--innodb-doublewrite=0", "--max-allowed-packet=64M"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import pymysql

    deadline = time.monotonic() + 60
    while True:
        try:
            pymysql.connect(unix_socket=str(sock), user="root").close()
            break
        except pymysql.err.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (base / "error.log").read_text(errors="replace")[-2000:] if (base / "error.log").exists() else ""
                proc.kill()
                raise RuntimeError(f"MariaDB did not start: {log}")
            time.sleep(0.1)
    try:
        conn = pymysql.connect(unix_socket=str(sock), user="root", autocommit=True)
        with conn.cursor() as c:
            for host in ("%", "localhost"):
                c.execute(f"CREATE USER '{IMPORT_USER}'@'{host}' IDENTIFIED BY {conn.escape(IMPORT_PASSWORD)}")
        conn.close()
    except Exception:
        proc.kill()
        raise
    return MariaDB(sock, port, proc)


def stop_mariadb(db: MariaDB) -> None:
    db.process.terminate()
    try:
        db.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        db.process.kill()
        db.process.wait()
