"""The Open Dental importer on hand-made databases, on SQLite and on a real MariaDB server.

Every expected figure below is worked out by hand from `opendental_helpers.trap_db()`:

January 2024 — completed: D2391 200 + D0230 30 × 3 units = 90 + D9223 240 × (2 units + 1 base) = 720
(provider 1, appointment 1), D1110 100 for the capitation patient whose claim procedure (Status 7)
writes off 80 → 20 (billed under the dentist, provider 1), D9987 at no fee. The deleted D2740 (1250,
status 6), the existing-work D2740 (status 3) and the planned procedures are not production.
Production 1030. Adjustment −15 (a discount). Write-offs by insurance payment date: none in January.
Patient income 56 (provider 1) + 12 (no provider); the 500 prepayment and the 25 discount split are
not income. Insurance income: no check in January.
February — completed: D1110 115 (hygienist, provider 2), D9986 at no fee. Adjustment +10 (late fee).
Write-offs (mode 0, by DateCP, Status 1 and 4): 44 (check of 5 Feb) − 10 (supplemental, 20 Feb) = 34.
Patient income: the prepayment allocated to provider 1 on 15 Feb, +300 (its −300 unearned split is not
income), and a refund −6 → 294. Insurance income: 100 (check 1) + 10 (check 2) = 110.
Provider 1 in February: production 0, write-offs − adjustments = 34 − 10 = 24 > 0: the 24 moves to
provider 2, the only provider with production that month (115 − 24 = 91 net; the month's net is
115 + 10 − 34 = 91).

A/R (family of patients 1 and 2; patient 3 alone; a 700 charge of 2 Oct 2023 is the oldest):
31 Jan: charges 700 + 1010 = 1710, credits 15 + 56 + 500 + 25 + 12 = 608 → 1102; over 90 days:
700 − 608 = 92. Patient 3: 100 − 80 (capitation write-off) = 20. A/R 1122, over 90 92.
29 Feb: charges + 10 (late fee) + 115 + 300 (the −300 unearned split) + 6 (the refund) = 2141,
credits + 144 (insurance 100 + write-off 44) + 300 = 1052 → 1089; over 90 0. A/R 1109.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from dyad_lib.demo.opendental_fixture import FixtureSpec, build
from dyad_lib.importers.opendental import import_opendental
from dyad_lib.importers.problems import SourceProblem, UsageProblem

sys.path.insert(0, str(Path(__file__).parent))
from opendental_helpers import IMPORT_PASSWORD, ODB, trap_db  # noqa: E402

TODAY = dt.date(2025, 1, 1)
KEY = bytes(range(32))


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def trap(request, tmp_path_factory):
    """The trap database on one backend: (url, password, admin engine)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("od-sqlite") / "trap.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        trap_db().write(engine)
        yield f"sqlite:///{path}", None, engine
    else:
        server = request.getfixturevalue("mariadb")
        engine = server.create_database("od_trap")
        trap_db().write(engine)
        yield server.import_url("od_trap"), IMPORT_PASSWORD, engine
    engine.dispose()


def run(trap, tmp_path, pid="trap-dental", **kw):
    url, password, _ = trap
    kw.setdefault("today", TODAY)
    kw.setdefault("key", KEY)
    kw.setdefault("start", "2024-01")  # the database's first completed procedure is in 2023-10
    return import_opendental(url, pid, password=password, data_dir=tmp_path, **kw)


def csv(tmp_path, pid, table) -> pd.DataFrame:
    return pd.read_csv(tmp_path / pid / f"{table}.csv", dtype={"provider_id": str}, keep_default_na=False)


def set_mode(trap, mode: int) -> None:
    with trap[2].begin() as c:
        c.execute(sa.text("UPDATE preference SET ValueString = :v WHERE PrefName = 'PPOWriteoffDateCalc'"),
                  {"v": str(mode)})


def test_financials_by_provider_and_month(trap, tmp_path):
    r = run(trap, tmp_path)
    fin = csv(tmp_path, "trap-dental", "financials")
    rows = {(m, p): (g, a, c) for m, p, g, a, c in
            fin[["month", "provider_id", "gross_production", "adjustments", "collections"]].itertuples(index=False)}
    assert rows == {("2024-01", "0"): (0, 0, 12), ("2024-01", "1"): (1030, 15, 56),
                    ("2024-02", "0"): (0, 0, 0), ("2024-02", "1"): (0, 0, 404), ("2024-02", "2"): (115, 24, 0)}
    ar = fin[fin["provider_id"] == "0"].set_index("month")[["ar_balance", "ar_over_90"]]
    assert ar.loc["2024-01"].tolist() == [1122, 92] and ar.loc["2024-02"].tolist() == [1109, 0]
    assert (fin.loc[fin["provider_id"] != "0", ["ar_balance", "ar_over_90"]] == 0).all().all()
    assert r.report.max_delta == 0.0
    jan, feb = r.report.reconciliation
    assert jan["source"] == {"production": 1030.0, "adjustments": -15.0, "writeoffs": 0.0, "patient_income": 68.0,
                             "insurance_income": 0.0, "net_production": 1015.0, "collections": 68.0}
    assert feb["source"]["writeoffs"] == 34.0 and feb["source"]["collections"] == 404.0
    assert feb["imported"]["net_production"] == 91.0
    moves = next(c for c in r.report.checks if c["id"] == "provider_moves")["moves"]
    assert moves == [{"month": "2024-02", "provider_id": "1", "what": "write-offs beyond production", "amount": 2400,
                      "to": ["2"]}]


@pytest.mark.parametrize("mode, jan_adj, feb_rows, reclassified", [
    # procedure date (Status 0, 1, 4): 44 + 20 (not received yet) − 10 (supplemental) = 54 in January; February
    # has +10 of adjustments and no write-off: the month's net exceeds its production, 10 goes to gross
    (1, 69, {("2024-02", "0"): (10, 0, 0), ("2024-02", "1"): (0, 0, 404), ("2024-02", "2"): (115, 0, 0)}, 10),
    # claim snapshot: estimates 50 + 20 dated 11 Jan; changes by payment date: 44 − 50 − 10 = −16 in February
    (2, 85, {("2024-02", "0"): (26, 0, 0), ("2024-02", "1"): (0, 0, 404), ("2024-02", "2"): (115, 0, 0)}, 26),
])
def test_writeoff_dating_follows_the_preference(trap, tmp_path, mode, jan_adj, feb_rows, reclassified):
    set_mode(trap, mode)
    try:
        r = run(trap, tmp_path)
    finally:
        set_mode(trap, 0)
    fin = csv(tmp_path, "trap-dental", "financials")
    rows = {(m, p): (g, a, c) for m, p, g, a, c in
            fin[["month", "provider_id", "gross_production", "adjustments", "collections"]].itertuples(index=False)}
    assert rows[("2024-01", "1")] == (1030, jan_adj, 56)
    assert {k: v for k, v in rows.items() if k[0] == "2024-02"} == feb_rows
    assert r.report.max_delta == 0.0
    assert r.report.reconciliation[1]["imported"]["reclassified"] == reclassified
    assert next(x for x in r.report.rules if x.id == "writeoff_dating").value == mode


def test_appointments(trap, tmp_path):
    run(trap, tmp_path)
    a = csv(tmp_path, "trap-dental", "appointments").set_index("appointment_id")
    assert sorted(a.index) == sorted(f"A{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 12, 13))  # 9 planned, 10 note, 11 late
    want = {  # status, visit type, provider, minutes, production, next visit booked
        "A1": ("completed", "restorative", "1", 30, "1010.00", "true"),
        "A2": ("completed", "hygiene", "2", 60, "20.00", "true"),     # hygiene billed under the dentist
        "A3": ("completed", "hygiene", "2", 60, "115.00", "false"),
        "A4": ("cancelled", "other", "1", 20, "", ""),                # broken, D9987 charted that day
        "A5": ("scheduled", "restorative", "1", 30, "", ""),          # booked after the range: kept
        "A6": ("no_show", "other", "1", 20, "", ""),                  # unscheduled list + D9986
        "A7": ("no_show", "procedure", "1", 20, "", ""),              # broken, no code
        "A8": ("cancelled", "other", "1", 20, "", ""),                # unscheduled list, no code
        "A12": ("completed", "new_patient", "1", 90, "0.00", ""),     # next visit's creation time unknown
        "A13": ("completed", "other", "1", 20, "0.00", "false"),
    }
    got = {i: (r.status, r.visit_type, r.provider_id, r.chair_minutes, f"{r.production}", f"{r.next_visit_booked}")
           for i, r in a.iterrows()}
    got = {i: (*v[:4], "" if v[4] == "" else f"{float(v[4]):.2f}", v[5]) for i, v in got.items()}
    assert got == want
    assert a["patient_id"].str.fullmatch(r"P[0-9A-F]{12}").all()
    assert a.loc["A1", "patient_id"] == a.loc["A5", "patient_id"] != a.loc["A3", "patient_id"]


def test_treatment_plans_follow_the_presentation_rule(trap, tmp_path):
    r = run(trap, tmp_path)
    tp = csv(tmp_path, "trap-dental", "treatment_plans").set_index("plan_id")
    assert tp.to_dict("index") == {
        "TP1": {"patient_id": tp.loc["TP1", "patient_id"], "provider_id": "1", "presented_date": "2024-01-05",
                "amount_presented": 760.0, "amount_accepted": 450.0, "accepted_date": "2024-01-10"},
        "TP2": {"patient_id": tp.loc["TP1", "patient_id"], "provider_id": "1", "presented_date": "2024-02-01",
                "amount_presented": 210.0, "amount_accepted": 0.0, "accepted_date": ""},
    }
    why = {e.reason: e.rows for e in r.report.excluded if e.table == "proctp"}
    assert why["procedures presented again on a later plan (counted on the first)"] == 3
    assert sum(why.values()) == 3 + 1 + 1  # + the deleted procedure + plan 3 with nothing left


def test_capacity_from_provider_schedules(trap, tmp_path):
    r = run(trap, tmp_path)
    cap = csv(tmp_path, "trap-dental", "capacity").set_index("month")
    # Jan 8: operatory 1 8-12 + 13-17 (the hidden operatory ignored), operatory 2 8-12 ∪ 10-14 = 6 h; Jan 9 3 h
    assert cap.loc["2024-01"].tolist() == [17, 17, 1.5]
    # Feb 5: operatory 1 8-12; provider 3 has no operatory: provider hours only; the day spans 4 h = half a day
    assert cap.loc["2024-02"].tolist() == [4, 7, 0.5]
    why = {e.reason: e.rows for e in r.report.excluded if e.table == "schedule"}
    assert list(why.values()) == [1, 1]


def test_providers_and_the_stored_aging(trap, tmp_path):
    r = run(trap, tmp_path)
    pv = csv(tmp_path, "trap-dental", "providers").set_index("provider_id")
    assert pv[["name", "role"]].to_dict("index") == {
        "0": {"name": "Practice (no provider)", "role": "other"},
        "1": {"name": "Ana Rivera, DDS", "role": "dentist"},
        "2": {"name": "Sofia Grant, RDH", "role": "hygienist"},
        "3": {"name": "Tom Reyes", "role": "hygienist"}}  # 4 is hidden and named nowhere
    assert float(pv.loc["1", "fte"]) == round(15 / (13 * 40), 2)
    aging = next(c for c in r.report.checks if c["id"] == "ar_vs_stored_aging")
    assert (aging["as_of"], aging["ledger"], aging["stored"], aging["delta"]) == ("2024-02-29", 1109.0, 1109.0, 0.0)
    assert r.report.version == "22.4.31.0"


def test_the_report_file_and_what_was_left_out(trap, tmp_path):
    run(trap, tmp_path)
    rep = json.loads((tmp_path / "trap-dental" / "import-report.json").read_text())
    assert rep["system"] == "Open Dental" and rep["range"] == {"from": "2024-01", "to": "2024-02"}
    assert "password" not in json.dumps(rep).lower() and IMPORT_PASSWORD not in json.dumps(rep)
    out = {(e["table"], e["reason"].split(" (")[0]): (e["rows"], e["amount"]) for e in rep["excluded"]}
    assert out[("procedurelog", "deleted procedures")] == (2, 2500.0)
    assert out[("procedurelog", "charting-only procedures")] == (1, 1250.0)
    assert out[("paysplit", "prepayment splits")] == (2, 500.0)
    assert out[("paysplit", "discount splits")] == (1, 25.0)
    assert out[("appointment", "planned appointments")][0] == 1
    assert rep["rows_written"] == {"financials": 5, "capacity": 2, "appointments": 10, "treatment_plans": 2,
                                   "providers": 4}
    assert {r["id"] for r in rep["rules"]} >= {"production", "writeoff_dating", "ar", "visit_type", "treatment_plans"}


def test_reads_only_and_never_an_identifying_column(trap, tmp_path):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        run(trap, tmp_path)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert seen
    allowed = re.compile(r"^\s*(SELECT|WITH|PRAGMA|BEGIN|ROLLBACK|SHOW|DESCRIBE|SET SESSION TRANSACTION|"
                         r"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY|\(SELECT)", re.I)
    assert all(allowed.match(s) for s in seen), [s for s in seen if not allowed.match(s)][:3]
    text = "\n".join(s for s in seen if not s.lstrip().upper().startswith(("SHOW", "PRAGMA", "DESCRIBE")))
    for col in ("Birthdate", "SSN", "Email", "HmPhone", "Address", "MiddleI", "Preferred"):
        assert col.lower() not in text.lower(), col
    names = [s for s in seen if re.search(r"\bLName\b", s)]
    assert names and all(re.search(r"FROM\s+`?provider`?", s) for s in names)


def test_the_sqlite_source_is_not_changed(tmp_path):
    path = tmp_path / "od.db"
    trap_db().write(sa.create_engine(f"sqlite:///{path}"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    import_opendental(f"sqlite:///{path}", "trap-dental", data_dir=tmp_path / "data", today=TODAY, key=KEY,
                      start="2024-01")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_overwrite_keeps_a_backup_the_ids_and_the_other_tables(trap, tmp_path):
    first = run(trap, tmp_path, key=None)
    folder = first.folder
    (folder / "expenses.csv").write_text("month,category,amount\n2024-01,lab,100\n")
    ids = csv(tmp_path, "trap-dental", "appointments")["patient_id"].tolist()
    with pytest.raises(UsageProblem, match="already exists.*--overwrite"):
        run(trap, tmp_path, key=None)
    second = run(trap, tmp_path, key=None, overwrite=True, name="Renamed Dental")
    assert second.written.backup is not None and (second.written.backup / "expenses.csv").is_file()
    assert second.written.carried_over == ["expenses.csv"]
    assert (folder / "expenses.csv").is_file()
    assert csv(tmp_path, "trap-dental", "appointments")["patient_id"].tolist() == ids
    assert "name: Renamed Dental" in (folder / "practice.yaml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == \
        sorted(["trap-dental", second.written.backup.name])


@pytest.mark.parametrize("kw, problem, match", [
    ({"start": "2024-03", "end": "2024-02"}, UsageProblem, "range is empty"),
    ({"start": "2020-01", "end": "2020-02"}, SourceProblem, "nothing to import from 2020-01 to 2020-02"),
    ({"start": "2024-13"}, UsageProblem, "YYYY-MM"),
    ({"fiscal_year_start": 13}, UsageProblem, "1-12"),
])
def test_bad_options_write_nothing(trap, tmp_path, kw, problem, match):
    with pytest.raises(problem, match=match):
        run(trap, tmp_path, **kw)
    assert list(tmp_path.iterdir()) == []


def _older(tmp_path, drop: str) -> str:
    """The trap database without one table or column (as an older or a foreign database)."""
    path = tmp_path / "old.db"
    db = trap_db()
    table, _, column = drop.partition(".")
    if column:
        for row in db.rows[table]:
            row.pop(column, None)
    engine = sa.create_engine(f"sqlite:///{path}")
    db.write(engine)
    with engine.begin() as c:
        if column:
            c.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            c.exec_driver_sql(f"DROP TABLE {table}")
    engine.dispose()
    return f"sqlite:///{path}"


def test_an_older_version_names_the_missing_column(tmp_path):
    url = _older(tmp_path, "procedurelog.BaseUnits")
    with pytest.raises(SourceProblem, match=r"\(version 22\.4\.31\.0\) lacks the column procedurelog\.BaseUnits"):
        import_opendental(url, "x-dental", data_dir=tmp_path / "data", today=TODAY)
    assert not (tmp_path / "data").exists()


def test_an_optional_column_missing_leaves_next_visit_blank(tmp_path):
    url = _older(tmp_path, "appointment.SecDateTEntry")
    r = import_opendental(url, "x-dental", data_dir=tmp_path / "data", today=TODAY, key=KEY, start="2024-01")
    a = pd.read_csv(r.folder / "appointments.csv", keep_default_na=False)
    assert (a["next_visit_booked"] == "").all()
    assert any("SecDateTEntry" in n for n in r.report.notes)


def test_a_database_that_is_not_open_dental(tmp_path):
    path = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    engine.dispose()
    with pytest.raises(SourceProblem, match="is not an Open Dental database: it has no tables preference, provider"):
        import_opendental(f"sqlite:///{path}", "x-dental", data_dir=tmp_path / "data")


def test_a_simulated_practice_reconciles_to_the_cent(backend_sim, tmp_path):
    """The generated practice (every trap, thousands of rows): Δ = 0.00 every month, the stored aging
    matches the ledger, and the delivery validates."""
    from dyad_lib.data.validation import validate_practice

    url, password = backend_sim
    r = import_opendental(url, "sim-dental", password=password, data_dir=tmp_path, today=TODAY, key=KEY)
    assert len(r.report.reconciliation) == 4
    assert r.report.max_delta == 0.0, [m for m in r.report.reconciliation if any(m["delta"].values())]
    aging = next(c for c in r.report.checks if c["id"] == "ar_vs_stored_aging")
    assert aging["delta"] == 0.0 and aging["delta_over_90"] == 0.0 and aging["ledger"] > 0
    report = validate_practice("sim-dental", tmp_path)
    assert report.ok, [f.message for f in report.failures]
    assert not report.failures


SIM = FixtureSpec(start=dt.date(2024, 1, 1), end=dt.date(2024, 4, 30), dentists=2, hygienists=2, seed=5)


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def backend_sim(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("od-sim") / "sim.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        build(engine, SIM)
        engine.dispose()
        return f"sqlite:///{path}", None
    server = request.getfixturevalue("mariadb")
    engine = server.create_database("od_sim")
    build(engine, SIM)
    engine.dispose()
    return server.import_url("od_sim"), IMPORT_PASSWORD
