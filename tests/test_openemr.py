"""The OpenEMR importer on a hand-made database, on SQLite and on a real MariaDB server.

Every expected figure below is worked out by hand from `openemr_helpers.trap_db()`:

Charges (active lines, by encounter date; ICD10 lines, the COPAY line, the TAX line and the deleted
99214 are not charges). January: encounter 100 (Okafor, 2): 99213 120 + 81002 30 (3 units, the line
total) = 150; encounter 101 (no line provider → the encounter's, Park, 3): 200. February:
encounter 102 (2) 120 + encounter 104 (2) 80 = 200.
Postings (by ar_activity.post_date, else post_time; the voided 20 left out). January: patient 10
(encounter 100, provider 2) + the COPAY line 20 (provider 2) → patient 30 for 2; patient 20
(encounter 101, re-entered after the void) for 3; insurance 80 and adjustment 15 on encounter 103,
whose physician (5) left: his row has no charges, so the 15 moves to the provider with the most room
(3: 200). February: insurance 70 + adjustment 20 (encounter 100, 2); insurance 150 + adjustment 30
on encounter 101 posted 1 March but dated 28 February (post_date) → provider 3, no charges: the 30
moves to 2; a −5 debit adjustment on encounter 102 (2); patient 12 on encounter 999, which has no
form_encounter row → the practice row. Provider 2 in February: adjustments 20 − 5 + 30 = 45.
Totals: January gross 350, adjustments 15, patient 50, insurance 80 (collections 130); February
gross 200, adjustments 45, patient 12, insurance 220 (collections 232).
A/R per encounter at month end. 31 Jan: 103: 100 − 95 = 5; 100: 150 − 20 − 10 = 120; 101:
200 − 20 = 180; 105 (2 Oct 2023, never paid) 60, over 90 days → 365, over 90: 60. 29 Feb: 103 5;
100: 120 − 90 = 30; 101: 180 − 180 = 0; 102: 120 + 5 (the debit) = 125; 104: 80; 999: a credit of
12, not a receivable → 300, over 90: 60 (the debit ages with its visit of 5 February).
Office hours: Okafor In Office every workday from 08:00 to the Out Of Office at 17:00, less a one-hour
lunch, except the exception dates 1 and 15 January → January 21 days × 8 h = 168; February 21 × 8
+ an In Office block of 3 h on Saturday 10 February = 171. Park In Office on Tuesdays and Thursdays
from 09:00 with no Out Of Office → until schedule_end 17:00 = 8 h: January 9 days = 72, February 9
days less the vacation of 13 February = 64. Working days: January 21; February 21 + ½ (the
Saturday spans 3 h).
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

from dyad_lib.importers.openemr import import_openemr
from dyad_lib.importers.problems import SourceProblem, UsageProblem

sys.path.insert(0, str(Path(__file__).parent))
from opendental_helpers import IMPORT_PASSWORD  # noqa: E402
from openemr_helpers import trap_db  # noqa: E402

TODAY = dt.date(2024, 3, 15)
KEY = bytes(range(32))
PID = "trap-clinic"


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def trap(request, tmp_path_factory):
    """The trap database on one backend: (url, password)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("oe-sqlite") / "trap.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        trap_db().write(engine)
        engine.dispose()
        return f"sqlite:///{path}", None
    server = request.getfixturevalue("mariadb")
    engine = server.create_database("oe_trap")
    trap_db().write(engine)
    engine.dispose()
    return server.import_url("oe_trap"), IMPORT_PASSWORD


@pytest.fixture(scope="module")
def imported(trap, tmp_path_factory):
    """The trap database imported once per backend: (result, data folder)."""
    url, password = trap
    data = tmp_path_factory.mktemp("oe-data")
    r = import_openemr(url, PID, password=password, data_dir=data, today=TODAY, key=KEY, start="2024-01")
    return r, data


def csv(data, table) -> pd.DataFrame:
    return pd.read_csv(data / PID / f"{table}.csv", dtype={"provider_id": str}, keep_default_na=False)


def test_financials_by_provider_and_month(imported):
    r, data = imported
    fin = csv(data, "financials")
    rows = {(m, p): (g, a, c, pt, ins) for m, p, g, a, c, pt, ins in fin[[
        "month", "provider_id", "gross_production", "adjustments", "collections", "patient_collections",
        "insurance_collections"]].itertuples(index=False)}
    assert rows == {
        ("2024-01", "0"): (0, 0, 0, 0, 0), ("2024-01", "2"): (150, 0, 30, 30, 0),
        ("2024-01", "3"): (200, 15, 20, 20, 0), ("2024-01", "5"): (0, 0, 80, 0, 80),
        ("2024-02", "0"): (0, 0, 12, 12, 0), ("2024-02", "2"): (200, 45, 70, 0, 70),
        ("2024-02", "3"): (0, 0, 150, 0, 150)}
    ar = fin[fin["provider_id"] == "0"].set_index("month")[["ar_balance", "ar_over_90"]]
    assert ar.loc["2024-01"].tolist() == [365, 60] and ar.loc["2024-02"].tolist() == [300, 60]
    assert r.report.max_delta == 0.0
    jan, feb = r.report.reconciliation
    assert jan["source"] == {"production": 350.0, "adjustments": 0.0, "writeoffs": 15.0, "patient_income": 50.0,
                             "insurance_income": 80.0, "net_production": 335.0, "collections": 130.0}
    assert feb["source"]["collections"] == 232.0 and feb["imported"]["net_production"] == 155.0
    moves = next(c for c in r.report.checks if c["id"] == "provider_moves")["moves"]
    assert [(m["month"], m["provider_id"], m["what"], m["amount"], m["to"]) for m in moves] == [
        ("2024-01", "5", "adjustments beyond charges", 1500, ["3"]),
        ("2024-02", "3", "adjustments beyond charges", 3000, ["2"])]


def test_what_was_left_out_and_the_rules(imported):
    r, data = imported
    rep = json.loads((data / PID / "import-report.json").read_text())
    assert rep["system"] == "OpenEMR" and rep["version"] == "7.0.2 (patch 1)"
    out = {(e["table"], e["reason"].split(" (")[0].split(":")[0]): (e["rows"], e["amount"]) for e in rep["excluded"]}
    assert out[("billing", "deleted lines")] == (1, 160.0)
    assert out[("billing", "TAX lines")] == (1, 4.0)
    assert out[("billing", "diagnosis lines")][0] == 1
    assert out[("ar_activity", "voided postings")] == (1, 20.0)
    assert out[("openemr_postcalendar_events", "events without a patient")][0] == 8
    assert out[("openemr_postcalendar_events", "appointments with no length")][0] == 1
    assert any("COPAY" in n and "20.00" in n for n in rep["notes"])
    assert {x["id"] for x in rep["rules"]} >= {"charges", "payments", "adjustments", "ar", "appointment_status",
                                               "capacity", "charges_table", "capacity_source"}
    cap_rule = next(x for x in rep["rules"] if x["id"] == "capacity_source")
    assert "In Office" in cap_rule["text"]
    assert rep["reconciliation"]["labels"]["production"] == "Charges"
    assert rep["rows_written"] == {"financials": 7, "capacity": 2, "appointments": 14, "charges": 4, "providers": 4}


def test_appointments(imported):
    _, data = imported
    a = csv(data, "appointments").set_index("appointment_id")
    want = {  # status, visit type, provider, minutes, production, next visit booked, late cancellation
        "E1001": ("completed", "exam", "2", 15, "150.00", "true", ""),
        "E1002": ("completed", "new_patient", "3", 30, "200.00", "false", ""),
        "E1003": ("no_show", "exam", "2", 15, "", "", ""),
        "E1004": ("cancelled", "exam", "2", 15, "", "", "true"),            # % canceled < 24 h
        "E1005": ("cancelled", "exam", "2", 15, "", "", "false"),
        "E1006": ("completed", "exam", "2", 15, "120.00", "false", ""),     # the practice's own check-in code
        "E1007": ("no_show", "exam", "3", 20, "", "", ""),                  # ! left without visit
        "E1008": ("no_show", "other", "3", 15, "", "", ""),                 # No Show category, no status
        "E1009": ("scheduled", "exam", "2", 15, "", "", ""),                # booked after the range
        "E1010": ("completed", "exam", "2", 15, "80.00", "false", ""),
        "E1011-20240201": ("scheduled", "exam", "3", 30, "", "", ""),        # a weekly series, 15 Feb skipped
        "E1011-20240208": ("scheduled", "exam", "3", 30, "", "", ""),
        "E1011-20240222": ("scheduled", "exam", "3", 30, "", "", ""),
        "E1011-20240229": ("scheduled", "exam", "3", 30, "", "", ""),
    }
    got = {i: (r.status, r.visit_type, r.provider_id, int(r.chair_minutes),
               "" if r.production == "" else f"{float(r.production):.2f}", str(r.next_visit_booked),
               str(r.late_cancellation)) for i, r in a.iterrows()}
    assert got == want
    assert a["patient_id"].str.fullmatch(r"P[0-9A-F]{12}").all()
    assert a.loc["E1001", "patient_id"] == a.loc["E1009", "patient_id"] != a.loc["E1002", "patient_id"]


def test_charges_table(imported):
    _, data = imported
    ch = csv(data, "charges").set_index("charge_id")
    assert ch.to_dict("index") == {
        "C100-1": {"service_date": "2024-01-10", "entry_date": "2024-01-12", "provider_id": "2", "amount": 150.0,
                   "submitted_date": "2024-01-13", "denied": "true"},    # denied once (status 7), then resubmitted
        "C101-2": {"service_date": "2024-01-15", "entry_date": "2024-01-20", "provider_id": "3", "amount": 200.0,
                   "submitted_date": "2024-01-21", "denied": "false"},
        "C102-3": {"service_date": "2024-02-05", "entry_date": "2024-02-06", "provider_id": "2", "amount": 120.0,
                   "submitted_date": "", "denied": ""},                 # never billed to an insurer
        "C104-4": {"service_date": "2024-02-20", "entry_date": "2024-02-20", "provider_id": "2", "amount": 80.0,
                   "submitted_date": "", "denied": ""},                 # entered 02-18, before the re-dated visit
    }


def test_capacity_and_providers(imported):
    _, data = imported
    cap = csv(data, "capacity").set_index("month")
    assert cap.loc["2024-01"].tolist() == [240, 240, 21]
    assert cap.loc["2024-02"].tolist() == [235, 235, 21.5]
    pv = csv(data, "providers").set_index("provider_id")
    assert pv[["name", "role", "active"]].to_dict("index") == {
        "0": {"name": "Practice (no provider)", "role": "other", "active": True},
        "2": {"name": "Samuel Okafor, MD", "role": "physician", "active": True},
        "3": {"name": "Nina Park, NP", "role": "nurse_practitioner", "active": True},
        "5": {"name": "Old Timer, MD", "role": "physician", "active": False}}  # 1 and 4 are not providers
    assert float(pv.loc["2", "fte"]) == round(339 / (13 * 40), 2) and float(pv.loc["3", "fte"]) == round(136 / 520, 2)


def test_the_delivery_validates(imported):
    from dyad_lib.data.validation import validate_practice

    _, data = imported
    report = validate_practice(PID, data)
    assert report.ok and not report.failures, [f.message for f in report.failures]
    assert "name: Maple Creek Family Clinic" in (data / PID / "practice.yaml").read_text()
    assert "kind: medical" in (data / PID / "practice.yaml").read_text()


def test_reads_only_and_never_an_identifying_column(tmp_path):
    path = tmp_path / "oe.db"
    trap_db().write(sa.create_engine(f"sqlite:///{path}"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        import_openemr(f"sqlite:///{path}", PID, data_dir=tmp_path / "data", today=TODAY, key=KEY, start="2024-01")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    allowed = re.compile(r"^\s*(SELECT|WITH|PRAGMA|BEGIN|ROLLBACK|\(SELECT)", re.I)
    assert seen and all(allowed.match(s) for s in seen), [s for s in seen if not allowed.match(s)][:3]
    text = "\n".join(s for s in seen if not s.lstrip().upper().startswith("PRAGMA")).lower()
    assert "patient_data" not in text
    for col in ("dob", "ss", "npi", "federaltaxid", "pc_hometext", "phone", "email", "street", "pubpid", "password"):
        assert not re.search(rf"\b{col}\b", text), col


def test_overwrite_keeps_the_ids_and_practice_yaml_capacity(tmp_path):
    """Without In Office events, capacity comes from practice.yaml's exam rooms × open hours."""
    db = trap_db()
    db.rows["openemr_postcalendar_events"] = [e for e in db.rows["openemr_postcalendar_events"]
                                              if e["pc_catid"] not in (2, 3)]
    path = tmp_path / "oe.db"
    db.write(sa.create_engine(f"sqlite:///{path}"))
    url = f"sqlite:///{path}"
    first = import_openemr(url, PID, data_dir=tmp_path / "data", today=TODAY, start="2024-01")
    folder = first.folder
    assert not (folder / "capacity.csv").exists()
    assert any("no capacity.csv" in n for n in first.report.notes)
    ids = pd.read_csv(folder / "appointments.csv")["patient_id"].tolist()
    with pytest.raises(UsageProblem, match="already exists.*--overwrite"):
        import_openemr(url, PID, data_dir=tmp_path / "data", today=TODAY, start="2024-01")
    yml = (folder / "practice.yaml").read_text()
    (folder / "practice.yaml").write_text(yml + "capacity:\n  exam_rooms: 3\n  open_hours:\n    mon: 08:00-17:00\n"
                                                "    tue: 08:00-17:00\n    wed: 08:00-17:00\n    thu: 08:00-17:00\n"
                                                "    fri: 08:00-12:00\n")
    second = import_openemr(url, PID, data_dir=tmp_path / "data", today=TODAY, start="2024-01", overwrite=True)
    assert second.written.backup is not None
    assert pd.read_csv(folder / "appointments.csv")["patient_id"].tolist() == ids
    cap = pd.read_csv(folder / "capacity.csv").set_index("month")
    # January 2024: 4 Fridays (5, 12, 19, 26) × 4 h + 19 other weekdays × 9 h = 187 h; × 3 rooms
    assert cap.loc["2024-01", "chair_hours_available"] == 3 * (4 * 4 + 19 * 9)
    assert cap.loc["2024-01", "working_days"] == 19 + 4 * 0.5
    assert "practice.yaml" in next(x for x in second.report.rules if x.id == "capacity_source").text


@pytest.mark.parametrize("kw, problem, match", [
    ({"start": "2024-03", "end": "2024-02"}, UsageProblem, "range is empty"),
    ({"start": "2020-01", "end": "2020-02"}, SourceProblem, "nothing to import from 2020-01 to 2020-02"),
    ({"start": "2024-13"}, UsageProblem, "YYYY-MM"),
])
def test_bad_options_write_nothing(tmp_path, kw, problem, match):
    path = tmp_path / "oe.db"
    trap_db().write(sa.create_engine(f"sqlite:///{path}"))
    with pytest.raises(problem, match=match):
        import_openemr(f"sqlite:///{path}", PID, data_dir=tmp_path / "data", today=TODAY, **kw)
    assert not (tmp_path / "data").exists()


def test_a_database_that_is_not_openemr_or_too_old(tmp_path):
    other = tmp_path / "other.db"
    e = sa.create_engine(f"sqlite:///{other}")
    with e.begin() as c:
        c.exec_driver_sql("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(SourceProblem, match="is not an OpenEMR database: it has no tables users, form_encounter"):
        import_openemr(f"sqlite:///{other}", PID, data_dir=tmp_path / "data")
    old = tmp_path / "old.db"
    trap_db().write(sa.create_engine(f"sqlite:///{old}"))
    e = sa.create_engine(f"sqlite:///{old}")
    with e.begin() as c:
        c.exec_driver_sql("ALTER TABLE ar_activity DROP COLUMN adj_amount")
        c.exec_driver_sql("ALTER TABLE ar_activity DROP COLUMN deleted")
    with pytest.raises(SourceProblem, match="lacks the column ar_activity.adj_amount"):
        import_openemr(f"sqlite:///{old}", PID, data_dir=tmp_path / "data", today=TODAY)
    assert not (tmp_path / "data").exists()


SIM = None  # built lazily: the generated practice of `dyad_lib.demo.openemr_fixture`


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def backend_sim(request, tmp_path_factory):
    from dyad_lib.demo.openemr_fixture import FixtureSpec, build

    spec = FixtureSpec(start=dt.date(2024, 1, 1), end=dt.date(2024, 4, 30), physicians=2, nurse_practitioners=1, seed=5)
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("oe-sim") / "sim.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        build(engine, spec)
        engine.dispose()
        return f"sqlite:///{path}", None
    server = request.getfixturevalue("mariadb")
    engine = server.create_database("oe_sim")
    build(engine, spec)
    engine.dispose()
    return server.import_url("oe_sim"), IMPORT_PASSWORD


def test_a_simulated_practice_reconciles_to_the_cent(backend_sim, tmp_path):
    """The generated practice (every trap, thousands of rows): Δ = 0.00 every month, and the delivery
    validates with nothing to warn about."""
    from dyad_lib.data.validation import validate_practice

    url, password = backend_sim
    r = import_openemr(url, "sim-clinic", password=password, data_dir=tmp_path, today=dt.date(2025, 1, 1), key=KEY)
    assert [m["month"] for m in r.report.reconciliation] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert r.report.max_delta == 0.0, [m for m in r.report.reconciliation if any(m["delta"].values())]
    assert all(m["source"]["insurance_income"] > 0 and m["source"]["writeoffs"] > 0 for m in r.report.reconciliation)
    report = validate_practice("sim-clinic", tmp_path)
    assert report.ok and not report.failures, [f.message for f in report.failures]
    fin = pd.read_csv(tmp_path / "sim-clinic" / "financials.csv")
    assert (fin["patient_collections"] + fin["insurance_collections"] - fin["collections"]).abs().max() < 0.005
