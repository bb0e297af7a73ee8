"""Validation: a corpus of bad inputs, each found with table, column and rows; the CLI; the snapshot.

Every case starts from the clean practice of `validation_fixtures` (which validates with no failure)
and breaks one thing, so the expected failure is the one we look for. None may crash, and none may
change the input files.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.contract import TABLES
from dyad_lib.data import snapshot
from dyad_lib.data.load import load_practice
from dyad_lib.data.fingerprint import fingerprint
from dyad_lib.data.snapshot import load_snapshot, prepare_practice, read_validation
from dyad_lib.data.validation import engine, validate_practice

sys.path.insert(0, str(Path(__file__).parent))
from validation_fixtures import CLEAN, PID, folder_hashes, make_practice, replace_line  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def gx_engine():
    """Import GX and build the context and suites once for the whole session."""
    return engine()


def _xlsx_with(sheet: str, rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# One case: (id, changes to the clean files, yaml text or extra, table, column, rows, severity, examples).
# rows=None: the failure has no row numbers (a missing month); [1] = the header row.
CASES = [
    # --- columns and files -------------------------------------------------------------------
    dict(id="missing_required_column",
         changes={"financials.csv": "month,gross_production,adjustments\n2025-01,1000,100\n2025-02,1200,150\n"
                                    "2025-03,1100,120\n"},
         table="financials", column="collections", rows=[1]),
    dict(id="missing_required_table", changes={"financials.csv": None},
         table="financials", column=None, rows=[]),
    dict(id="empty_file", changes={"capacity.csv": ""}, table="capacity", column=None, rows=[]),
    dict(id="header_only_file", changes={"treatment_plans.csv": CLEAN["treatment_plans.csv"].split("\n")[0] + "\n"},
         table="treatment_plans", column=None, rows=[], severity="warning"),
    dict(id="wrong_delimiter",
         changes={"expenses.csv": CLEAN["expenses.csv"].replace(",", "|")},
         table="expenses", column="category", rows=[1]),
    dict(id="duplicate_column",
         changes={"meetings.csv": "date,cadence,held,Held\n2025-01-07,weekly,yes,no\n"},
         table="meetings", column="held", rows=[1]),
    # --- values that cannot be read --------------------------------------------------------------
    dict(id="text_in_money", changes=replace_line("financials.csv", "2025-02,1200,150,1000", "2025-02,1200,150,n/a"),
         table="financials", column="collections", rows=[3], examples=["n/a"]),
    dict(id="unreadable_month", changes=replace_line("financials.csv", "2025-03,1100", "March 2025,1100"),
         table="financials", column="month", rows=[4], examples=["March 2025"],
         ),
    dict(id="mixed_date_formats",
         changes=replace_line("appointments.csv", "a3,2025-03-12", "a3,03/12/2025"),
         table="appointments", column="date", rows=[4], examples=["03/12/2025"]),
    dict(id="date_not_in_declared_format", yaml_extra='date_format: "%m/%d/%Y"\n',
         changes=replace_line("conflicts.csv", "c2,2025-03-01", "c2,13/03/2025"),
         table="conflicts", column="opened_date", rows=[3], examples=["13/03/2025"]),
    dict(id="fraction_in_integer", changes=replace_line("appointments.csv", "d1,p2,30,", "d1,p2,30.5,"),
         table="appointments", column="chair_minutes", rows=[3], examples=["30.5"]),
    dict(id="unreadable_bool", changes=replace_line("meetings.csv", "weekly,no,", "weekly,maybe,"),
         table="meetings", column="held", rows=[3], examples=["maybe"]),
    # --- codes, ranges, required values -----------------------------------------------------------
    dict(id="unknown_code", changes=replace_line("expenses.csv", "2025-01,facility", "2025-01,Rent"),
         table="expenses", column="category", rows=[3], examples=["rent"]),
    dict(id="unknown_status", changes=replace_line("appointments.csv", "cancelled", "done"),
         table="appointments", column="status", rows=[5], examples=["done"]),
    dict(id="negative_money", changes=replace_line("financials.csv", "2025-01,1000,100,850", "2025-01,1000,100,-850"),
         table="financials", column="collections", rows=[2], examples=["-850"]),
    dict(id="negative_money_in_parentheses",
         changes=replace_line("expenses.csv", "2025-02,facility,100", '2025-02,facility,"(100.00)"'),
         table="expenses", column="amount", rows=[5], examples=["-100"]),
    dict(id="chair_minutes_out_of_range", changes=replace_line("appointments.csv", "p3,90,", "p3,700,"),
         table="appointments", column="chair_minutes", rows=[4], examples=["700"]),
    dict(id="rating_of_7", changes=replace_line("dyad_assessment.csv", "recognition,2,", "recognition,7,"),
         table="dyad_assessment", column="rating", rows=[4], examples=["7"]),
    dict(id="burnout_of_6", changes=replace_line("team_survey.csv", "staff,4,2,8", "staff,4,6,8"),
         table="team_survey", column="burnout", rows=[2], examples=["6"]),
    dict(id="recommend_of_11", changes=replace_line("patient_survey.csv", "2025-01-10,9,", "2025-01-10,11,"),
         table="patient_survey", column="recommend_score", rows=[2], examples=["11"]),
    dict(id="target_rate_above_1", changes=replace_line("quality_measures.csv", "45,50,0.9", "45,50,90"),
         table="quality_measures", column="target_rate", rows=[3], examples=["90"]),
    dict(id="working_days_40", changes=replace_line("capacity.csv", "240,19.5", "240,40"),
         table="capacity", column="working_days", rows=[3], examples=["40"]),
    dict(id="zero_chair_hours", changes=replace_line("capacity.csv", "2025-03,310", "2025-03,0"),
         table="capacity", column="chair_hours_available", rows=[4], examples=["0"]),
    dict(id="required_value_blank", changes=replace_line("appointments.csv", "a4,2025-03-20,d2,p1", "a4,2025-03-20,d2,"),
         table="appointments", column="patient_id", rows=[5]),
    # --- keys ------------------------------------------------------------------------------------------
    dict(id="duplicated_key", changes=replace_line("appointments.csv", "a4,", "a3,"),
         table="appointments", column="appointment_id", rows=[4, 5], examples=["a3"]),
    dict(id="duplicated_month", changes=replace_line("financials.csv", "2025-03,", "2025-02,"),
         table="financials", column="month", rows=[3, 4], examples=["2025-02 / (blank)"]),
    dict(id="duplicate_assessment_row",
         changes={"dyad_assessment.csv": CLEAN["dyad_assessment.csv"] + "2025-03-01,Physician,engagement,5,5,\n"},
         table="dyad_assessment", column="area", rows=[2, 5]),
    dict(id="duplicate_decision_area", changes=replace_line("decision_grid.csv", "fees,", "hiring,"),
         table="decision_grid", column="decision_area", rows=[2, 3]),
    # --- cross-column rules --------------------------------------------------------------------------
    dict(id="adjustments_above_gross", changes=replace_line("financials.csv", "2025-02,1200,150", "2025-02,1200,1500"),
         table="financials", column="adjustments", rows=[3], examples=["adjustments=1500, gross_production=1200"]),
    dict(id="ar_over_90_above_ar", changes=replace_line("financials.csv", "2000,300", "2000,3000"),
         table="financials", column="ar_over_90", rows=[2]),
    dict(id="provider_id_on_some_rows",
         changes={"financials.csv": CLEAN["financials.csv"].replace("month,", "month,provider_id,", 1)
                  .replace("2025-01,", "2025-01,d1,").replace("2025-02,", "2025-02,d1,").replace("2025-03,", "2025-03,,")},
         table="financials", column="provider_id", rows=[4]),
    dict(id="accepted_above_presented", changes=replace_line("treatment_plans.csv", "1000,800", "1000,1800"),
         table="treatment_plans", column="amount_accepted", rows=[2]),
    dict(id="accepted_date_missing", changes=replace_line("treatment_plans.csv", "800,2025-01-20", "800,"),
         table="treatment_plans", column="accepted_date", rows=[2]),
    dict(id="accepted_before_presented", changes=replace_line("treatment_plans.csv", "800,2025-01-20", "800,2025-01-02"),
         table="treatment_plans", column="accepted_date", rows=[2]),
    dict(id="done_without_completed_date", changes=replace_line("action_plan.csv", "done,2025-02-01", "done,"),
         table="action_plan", column="completed_date", rows=[2]),
    dict(id="due_before_created", changes=replace_line("action_plan.csv", "2025-01-10,2025-04-01", "2025-01-10,2024-12-01"),
         table="action_plan", column="due_date", rows=[3], severity="warning"),
    dict(id="documented_before_date", changes=replace_line("appointments.csv", "yes,2025-01-06", "yes,2025-01-02"),
         table="appointments", column="documented_date", rows=[2]),
    dict(id="resolved_before_opened", changes=replace_line("conflicts.csv", "2025-02-01", "2025-01-01"),
         table="conflicts", column="resolved_date", rows=[2]),
    dict(id="numerator_above_denominator", changes=replace_line("quality_measures.csv", "40,50", "60,50"),
         table="quality_measures", column="numerator", rows=[2]),
    dict(id="focus_closed_before_chosen", changes=replace_line("focus_areas.csv", "Say why,", "Say why,2024-12-01"),
         table="focus_areas", column="closed_date", rows=[2]),
    dict(id="decision_reviewed_before_taken", changes=replace_line("decisions.csv", "2025-04-01", "2024-04-01"),
         table="decisions", column="review_date", rows=[2], severity="warning"),
    dict(id="unknown_focus_area", changes=replace_line("focus_areas.csv", "clear_communication", "Communication"),
         table="focus_areas", column="area", rows=[2], examples=["communication"]),
    # --- cross-table rules ------------------------------------------------------------------------------
    dict(id="metric_id_not_in_registry", changes=replace_line("decisions.csv", "overhead_ratio_clinical_supplies",
                                                              "supplies_overhead"),
         table="decisions", column="metric_id", rows=[2], examples=["supplies_overhead"]),
    dict(id="metric_id_names_no_measure", changes=replace_line("decisions.csv", "quality_perio_charting",
                                                               "quality_a1c_control"),
         table="decisions", column="metric_id", rows=[3], examples=["quality_a1c_control"]),
    dict(id="future_completed_appointment", changes=replace_line("appointments.csv", "scheduled", "completed"),
         table="appointments", column="date", rows=[6], examples=["date=2025-05-02"]),
    dict(id="month_gap", changes={"financials.csv": "\n".join(l for l in CLEAN["financials.csv"].split("\n")
                                                              if not l.startswith("2025-02"))},
         table="financials", column="month", rows=None, severity="warning", examples=["2025-02"]),
    dict(id="expenses_do_not_cover_months",
         changes={"expenses.csv": "\n".join(l for l in CLEAN["expenses.csv"].split("\n") if not l.startswith("2025-03"))},
         table="expenses", column="month", rows=None, severity="warning", examples=["2025-03"]),
    dict(id="capacity_does_not_cover_months",
         changes={"capacity.csv": "\n".join(l for l in CLEAN["capacity.csv"].split("\n") if not l.startswith("2025-01"))},
         table="capacity", column="month", rows=None, severity="warning", examples=["2025-01"]),
    # --- providers -------------------------------------------------------------------------------------
    dict(id="provider_missing_from_providers",
         changes={"providers.csv": "provider_id,name,role\nd1,Dr. A,dentist\n"},
         table="appointments", column="provider_id", rows=[4, 5], severity="warning", examples=["d2"]),
    dict(id="provider_role_not_a_code",
         changes={"providers.csv": "provider_id,name,role,fte\nd1,Dr. A,dentist,1\nd2,Dr. C,assistant,1\n"},
         table="providers", column="role", rows=[3], examples=["assistant"]),
    dict(id="provider_fte_out_of_range",
         changes={"providers.csv": "provider_id,name,role,fte\nd1,Dr. A,dentist,2\nd2,Dr. C,dentist,1\n"},
         table="providers", column="fte", rows=[2], examples=["2"]),
    # --- practice.yaml, encodings, workbooks ----------------------------------------------------------
    dict(id="bad_practice_yaml_kind", yaml_text="practice_id: test-clinic\nname: Test\nkind: veterinary\n",
         table="practice", column="kind", rows=[]),
    dict(id="bad_practice_yaml_fiscal_month",
         yaml_text="practice_id: test-clinic\nname: Test\nkind: dental\nfiscal_year_start_month: 13\n",
         table="practice", column="fiscal_year_start_month", rows=[]),
    dict(id="cp1252_file_with_bad_score",
         changes={"patient_survey.csv": "response_date;recommend_score;rating;comment\n"
                                        "2025-01-10;9;9;Très bien, merci\n2025-02-11;12;;Café froid\n".encode("cp1252")},
         table="patient_survey", column="recommend_score", rows=[3], examples=["12"]),
    dict(id="xlsx_sheet_variant",
         changes={"capacity.csv": None,
                  f"{PID}.xlsx": _xlsx_with("Capacity", [["Month", "Chair_Hours_Available", "working_days"],
                                                            ["2025-01", 300, 21], ["2025-02", 280, 35],
                                                            ["2025-03", 310, 21]])},
         table="capacity", column="working_days", rows=[3], examples=["35"], file=f"{PID}.xlsx › Capacity"),
]


def only(tables: tuple[str, ...], changes: dict | None = None) -> dict:
    """Changes that drop every clean file but `tables` (fewer tables = fewer GX expectations to run)."""
    return {**{name: None for name in CLEAN if name[:-4] not in tables}, **(changes or {})}


def _validate_case(root: Path, case: dict, minimal: bool = True):
    """Write the case's practice and validate it. `minimal` keeps only financials, the table under
    test and the files the case changes (each GX expectation costs ~15 ms, so fewer tables = faster)."""
    changes = dict(case.get("changes") or {})
    if minimal:
        keep = {"financials.csv", f"{case.get('table')}.csv", *changes}
        changes.update({name: None for name in CLEAN if name not in keep})
    folder = make_practice(root, changes, yaml_extra=case.get("yaml_extra", ""), yaml_text=case.get("yaml_text"))
    before = folder_hashes(folder)
    report = validate_practice(PID, root)
    assert folder_hashes(folder) == before, "validation changed the input files"
    return report


def test_clean_practice_has_no_failure(tmp_path):
    report = _validate_case(tmp_path, {}, minimal=False)
    assert report.ok
    assert report.failures == []
    assert set(report.tables) == set(TABLES)
    fin = report.tables["financials"]
    assert (fin.rows, fin.date_range, fin.failed) == (3, ["2025-01", "2025-03"], 0)
    assert fin.checks > 10


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_reported(tmp_path, case):
    report = _validate_case(tmp_path, case)
    severity = case.get("severity", "blocking")
    found = [f for f in report.failures if f.table == case["table"] and f.severity == severity
             and (case["column"] is None or case["column"] in f.columns)]
    assert found, [f.message for f in report.failures]
    f = found[0]
    if case["rows"] is None:
        assert f.rows == []
    else:
        assert f.rows[: len(case["rows"])] == case["rows"], f.message
    for ex in case.get("examples", []):
        assert ex in f.examples, f.examples
    if "file" in case:
        assert f.file == case["file"]
    assert f.message and f.fix and f.explanation
    assert report.ok == (severity != "blocking" and not report.blocking)
    # The problem is reported where it is, not echoed elsewhere.
    assert {x.table for x in report.failures} == {case["table"], *case.get("also", ())}, \
        [x.message for x in report.failures]


def test_summary_json_shape(tmp_path):
    report = _validate_case(tmp_path, CASES[6])  # text in money
    d = json.loads(json.dumps(report.to_dict()))
    assert d["ok"] is False and d["practice_id"] == PID and len(d["fingerprint"]) == 64
    f = d["failures"][0]
    assert set(f) >= {"table", "file", "severity", "check", "columns", "unexpected_count", "examples", "rows",
                      "explanation", "fix", "message"}
    assert f["message"] == "collections: 1 value is not an amount of money — row 3: 'n/a'"
    assert d["tables"]["financials"]["blocking"] is True
    assert d["load_issues"][0]["column"] == "collections"


def test_unreadable_value_is_not_also_reported_as_blank(tmp_path):
    # 'n/a' in a required money column becomes missing: one load failure, no second "blank" failure.
    report = _validate_case(tmp_path, CASES[6])
    assert [f.check for f in report.failures] == ["readable"]


def test_codes_are_listed_in_the_message(tmp_path):
    report = _validate_case(tmp_path, next(c for c in CASES if c["id"] == "unknown_status"))
    assert "completed, no_show, cancelled, scheduled" in report.failures[0].message


def _several_problems(root: Path) -> Path:
    changes = {}
    changes.update(replace_line("financials.csv", "2025-02,1200,150,1000", "2025-02,1200,1500,n/a"))
    changes.update(replace_line("expenses.csv", "2025-01,facility", "2025-01,Rent"))
    changes.update(replace_line("appointments.csv", "scheduled", "completed"))
    changes.update(replace_line("dyad_assessment.csv", "recognition,2,", "recognition,7,"))
    changes["capacity.csv"] = ""
    changes.update(replace_line("action_plan.csv", "2025-01-10,2025-04-01", "2025-01-10,2024-12-01"))
    return make_practice(root, changes)


def test_several_problems_are_all_listed_in_one_run(tmp_path):
    _several_problems(tmp_path)
    report = validate_practice(PID, tmp_path)
    got = {(f.table, f.check, f.severity) for f in report.failures}
    assert got == {
        ("financials", "readable", "blocking"),
        ("financials", "adjustments_le_gross", "blocking"),
        ("expenses", "category.allowed_codes", "blocking"),
        ("appointments", "no_completed_after_data_end", "blocking"),
        ("dyad_assessment", "rating.range", "blocking"),
        ("capacity", "readable", "blocking"),
        ("action_plan", "due_after_created", "warning"),
    }
    severities = [f.severity for f in report.failures]
    assert severities == sorted(severities)  # "blocking" < "warning": blocking first
    assert report.tables["capacity"].rows is None and report.tables["capacity"].blocking


# --- the command ---------------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    """`dyad validate` stores its result in the cache: keep it out of the project."""
    monkeypatch.setenv("DYAD_CACHE_DIR", str(tmp_path / "dyad-cache"))


def test_cli_stores_the_result_for_the_reports(tmp_path):
    make_practice(tmp_path / "data", {name: None for name in CLEAN if name != "financials.csv"})
    res = runner.invoke(app, ["validate", PID, "--data-dir", str(tmp_path / "data")])
    assert res.exit_code == 0
    assert read_validation(PID, tmp_path / "data")["ok"] is True


def test_cli_exit_1_and_lists_every_problem(tmp_path):
    _several_problems(tmp_path / "data")
    res = runner.invoke(app, ["validate", PID, "--data-dir", str(tmp_path / "data")], terminal_width=200)
    assert res.exit_code == 1, res.output
    for words in ("collections: 1 value is not an amount of money — row 3: 'n/a'", "rating:", "category:",
                  "capacity.csv", "due_date", "6 problems block the reports; 1 warning"):
        assert words in res.output


def test_cli_json(tmp_path):
    _several_problems(tmp_path / "data")
    res = runner.invoke(app, ["validate", PID, "--json", "--data-dir", str(tmp_path / "data")])
    assert res.exit_code == 1
    d = json.loads(res.output)
    assert d["blocking_count"] == 6 and d["warning_count"] == 1


def test_cli_exit_0_when_clean(tmp_path):
    make_practice(tmp_path / "data", only(("financials", "appointments")))
    res = runner.invoke(app, ["validate", PID, "--data-dir", str(tmp_path / "data")], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "Nothing blocks the reports" in res.output


def test_cli_exit_0_with_only_warnings(tmp_path):
    make_practice(tmp_path / "data", only(("financials", "expenses"),
                                          next(c for c in CASES if c["id"] == "month_gap")["changes"]))
    res = runner.invoke(app, ["validate", PID, "--data-dir", str(tmp_path / "data")], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "1 month is missing between the first and the last month" in res.output


@pytest.mark.parametrize("pid", ["../etc", "Bad_Id", "no-such-practice"])
def test_cli_usage_errors_exit_2(tmp_path, pid):
    make_practice(tmp_path / "data")
    res = runner.invoke(app, ["validate", pid, "--data-dir", str(tmp_path / "data")])
    assert res.exit_code == 2


# --- the snapshot ------------------------------------------------------------------------------------------



SNAPSHOT_TABLES = ("financials", "appointments", "action_plan")


@pytest.fixture
def dirs(tmp_path):
    """A clean practice with three tables (every dtype of the loader: dates, Int64, boolean, str)."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    make_practice(data, {name: None for name in CLEAN if name[:-4] not in SNAPSHOT_TABLES})
    return data, cache


def test_snapshot_written_and_reused(dirs, monkeypatch):
    data, cache = dirs
    first = prepare_practice(PID, data, cache)
    assert first.ok and not first.cached
    assert first.snapshot_dir == cache / PID / first.fingerprint[:16]
    files = {p.name for p in first.snapshot_dir.iterdir()}
    assert files == {"validation.json", "practice.json"} | {f"{t}.arrow" for t in SNAPSHOT_TABLES}
    assert json.loads((first.snapshot_dir / "validation.json").read_text())["ok"] is True

    import dyad_lib.data.validation as validation

    def boom(*a, **k):
        raise AssertionError("re-validated an unchanged practice")

    monkeypatch.setattr(validation, "validate", boom)
    second = prepare_practice(PID, data, cache)
    assert second.cached and second.ok and second.fingerprint == first.fingerprint
    assert second.summary == first.summary
    assert read_validation(PID, data, cache) == first.summary


def test_snapshot_invalidated_when_a_file_changes(dirs):
    data, cache = dirs
    first = prepare_practice(PID, data, cache)
    path = data / PID / "action_plan.csv"
    path.write_text(path.read_text() + "i3,Review fees,,both,2025-02-01,2025-05-01,open,,\n")
    assert fingerprint(PID, data) != first.fingerprint
    assert read_validation(PID, data, cache) is None
    second = prepare_practice(PID, data, cache)
    assert not second.cached and second.snapshot_dir != first.snapshot_dir
    assert len(load_snapshot(PID, data, cache).tables["action_plan"]) == 3


def test_fingerprint_ignores_unrelated_files(dirs):
    data, _ = dirs
    fp = fingerprint(PID, data)
    (data / PID / "notes.txt").write_text("call the client")
    assert fingerprint(PID, data) == fp
    (data / PID / "goals.yaml").write_text("fy2025: {}\n")
    assert fingerprint(PID, data) != fp


def test_force_revalidates(dirs):
    data, cache = dirs
    prepare_practice(PID, data, cache)
    assert not prepare_practice(PID, data, cache, force=True).cached


def test_snapshot_round_trip_keeps_dtypes(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    make_practice(data)  # every table
    assert prepare_practice(PID, data, cache).ok
    raw, snap = load_practice(PID, data), load_snapshot(PID, data, cache)
    assert snap.config == raw.config and snap.sources == raw.sources
    for name, df in raw.tables.items():
        pd.testing.assert_frame_equal(snap.tables[name], df, check_exact=True)
    appt = snap.tables["appointments"]
    assert str(appt["date"].dtype) == "datetime64[ns]"
    assert str(appt["chair_minutes"].dtype) == "Int64"
    assert str(appt["next_visit_booked"].dtype) == "boolean"
    assert appt["patient_id"].dtype == "str"
    assert str(appt["_row"].dtype) == "int64"


def test_blocking_practice_writes_validation_only(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    make_practice(data, only(("financials", "action_plan"),
                             replace_line("financials.csv", "2025-02,1200,150", "2025-02,1200,1500")))
    prep = prepare_practice(PID, data, cache)
    assert not prep.ok and prep.snapshot_dir is None
    folder = cache / PID / prep.fingerprint[:16]
    assert [p.name for p in folder.iterdir()] == ["validation.json"]
    assert read_validation(PID, data, cache)["blocking_count"] == 1
    again = prepare_practice(PID, data, cache)
    assert again.cached and not again.ok


def test_load_snapshot_by_hand_validates_first(dirs, monkeypatch):
    data, cache = dirs
    monkeypatch.delenv(snapshot.REPORT_RUN_ENV, raising=False)
    snap = load_snapshot(PID, data, cache)  # nothing prepared yet: a notebook opened by hand
    raw = load_practice(PID, data)
    for name, df in raw.tables.items():
        pd.testing.assert_frame_equal(snap.tables[name], df)
    assert read_validation(PID, data, cache)["ok"] is True  # validated, and the result kept


def test_load_snapshot_never_reads_files_validation_blocks(tmp_path, monkeypatch):
    data, cache = tmp_path / "data", tmp_path / "cache"
    make_practice(data, only(("financials",), replace_line("financials.csv", "2025-03,", "2025-02,")))
    monkeypatch.delenv(snapshot.REPORT_RUN_ENV, raising=False)
    with pytest.raises(snapshot.BlockedPracticeError, match="1 problem in the files of test-clinic blocks"):
        load_snapshot(PID, data, cache)
    with pytest.raises(snapshot.BlockedPracticeError):  # and again from the kept verdict
        load_snapshot(PID, data, cache)


def test_load_snapshot_in_a_report_run_refuses_changed_files(dirs, monkeypatch):
    """Item 4 of issue 13: the runner validated the files, then one changed before the notebook
    read them; the notebook must fail, not read the new files unvalidated."""
    data, cache = dirs
    assert prepare_practice(PID, data, cache).ok
    monkeypatch.setenv(snapshot.REPORT_RUN_ENV, "1")
    assert len(load_snapshot(PID, data, cache).tables["financials"]) == 3
    path = data / PID / "financials.csv"
    path.write_text(path.read_text().replace("2025-03,1100,", "2025-03,-1100,"))
    with pytest.raises(snapshot.StaleSnapshotError, match="changed after they were validated"):
        load_snapshot(PID, data, cache)


def test_nothing_written_in_the_data_folder(dirs):
    data, cache = dirs
    before = {p.relative_to(data): p.read_bytes() for p in data.rglob("*")if p.is_file()}
    prepare_practice(PID, data, cache)
    load_snapshot(PID, data, cache)
    read_validation(PID, data, cache)
    after = {p.relative_to(data): p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert after == before and {p for p in data.rglob("*")} == {data / PID} | {data / PID / n for n in
                                                                           (p.name for p in (data / PID).iterdir())}


def test_cache_inside_data_folder_is_refused(dirs):
    data, _ = dirs
    with pytest.raises(snapshot.CacheLocationError):
        prepare_practice(PID, data, data / ".cache")
    assert not (data / ".cache").exists()


def test_reading_the_snapshot_never_imports_gx(dirs):
    data, cache = dirs
    prepare_practice(PID, data, cache)
    code = ("import sys\nfrom dyad_lib.data.snapshot import load_snapshot, read_validation, prepare_practice\n"
            "from dyad_lib.reports import data_quality as quality\n"
            f"p = prepare_practice('{PID}', r'{data}', r'{cache}')\nassert p.cached\n"
            f"load_snapshot('{PID}', r'{data}', r'{cache}')\n"
            f"quality.quality_summary('{PID}', r'{data}', r'{cache}')\n"
            "assert 'great_expectations' not in sys.modules, 'GX imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_suite_json_files_are_current():
    for name, spec in snapshot_specs().items():
        path = Path(snapshot.__file__).with_name("expectations") / f"{name}.json"
        assert json.loads(path.read_text()) == json.loads(json.dumps(spec)), f"run python -m dyad_lib.data.suites ({name})"


def snapshot_specs():
    from dyad_lib.data.suites import suite_specs

    return suite_specs()


def test_every_expectation_explains_itself():
    from dyad_lib.data.suites import suite_specs

    for spec in suite_specs().values():
        for e in spec["expectations"]:
            meta = e["meta"]
            assert meta["severity"] in ("blocking", "warning")
            assert meta["why"].endswith(".") and meta["fix"].endswith(".")


def test_patient_ids_never_shown_as_examples(tmp_path):
    # A key that includes no patient column still never quotes patient_id values.
    case = dict(table="appointments", changes=replace_line("appointments.csv", "a4,2025-03-20,d2,p1", "a3,2025-03-20,d2,p1"))
    report = _validate_case(tmp_path, case)
    text = json.dumps(report.to_dict())
    assert "a3" in text  # the appointment id is quoted
    for pid in ("p1", "p2", "p3"):
        assert f'"{pid}"' not in text and f"'{pid}'" not in text


@pytest.mark.slow
@pytest.mark.parametrize("pid", ["harbor-dental", "maple-family-medicine"])
def test_demo_practices_validate_clean(pid):
    from dyad_lib.data.paths import data_dir

    if not (data_dir() / pid / "practice.yaml").is_file():
        pytest.skip(f"demo practice {pid} not generated")
    report = validate_practice(pid)
    assert report.ok and report.failures == [], [f.message for f in report.failures]
    # every table of the contract; the billed visits (charges) only in the medical demo
    assert set(report.tables) == set(TABLES) - ({"charges"} if report.kind == "dental" else set())


def test_old_snapshots_are_pruned(tmp_path):
    import os

    folder = tmp_path / PID
    for i in range(5):
        (folder / f"fp{i}").mkdir(parents=True)
        os.utime(folder / f"fp{i}", (1000 + i, 1000 + i))
    snapshot._prune(folder, keep=folder / "fp0")
    assert sorted(p.name for p in folder.iterdir()) == ["fp0", "fp3", "fp4"]  # current + the 2 newest


def test_validating_again_and_again_keeps_nothing_in_the_gx_context(tmp_path):
    """Results go to the caller only: GX's in-memory results store does not grow with each practice
    (a batch orchestrator validates hundreds)."""
    from dyad_lib.data.load import load_practice
    from dyad_lib.data.validation import engine, validate

    root = Path(__file__).resolve().parents[1] / "data"
    store = engine().context.validation_results_store
    before = len(store.list_keys())
    p = load_practice("harbor-dental", root, collect=True)
    first, second = validate(p), validate(p)
    assert first.ok and second.ok
    assert len(store.list_keys()) == before


def test_the_billing_trail_rules(tmp_path):
    """Collections split into patient and insurance parts that add up; a late cancellation is a
    cancellation; charges are entered on or after the visit."""
    changes = {
        "financials.csv": ("month,gross_production,adjustments,collections,patient_collections,insurance_collections\n"
                           "2025-01,1000,100,850,150,700\n2025-02,1200,150,1000,150,800\n2025-03,1100,120,990,90,\n"),
        "appointments.csv": ("appointment_id,date,provider_id,patient_id,chair_minutes,status,visit_type,late_cancellation\n"
                             "a1,2025-01-06,d1,p1,60,completed,exam,true\n"
                             "a2,2025-02-10,d1,p2,30,cancelled,exam,true\na3,2025-02-11,d1,p2,30,cancelled,exam,no\n"),
        "charges.csv": ("charge_id,service_date,entry_date,provider_id,amount,submitted_date,denied\n"
                        "c1,2025-01-06,2025-01-08,d1,150,2025-01-09,no\nc2,2025-02-10,2025-02-09,d1,80,,\n"),
    }
    report = validate_practice(PID, make_practice(tmp_path, changes).parent)
    problems = {(f.table, f.check) for f in report.failures}
    assert ("financials", "payer_split_ge_collections") in problems      # 150 + 800 ≠ 1000 in February
    assert ("financials", "insurance_when_patient") in problems          # March gives one part only
    assert ("appointments", "late_only_when_cancelled") in problems      # a1 completed, marked late
    assert ("charges", "entered_after_service") in problems              # c2 entered the day before
    assert not report.ok
    ok = {**changes, "financials.csv": changes["financials.csv"].replace("150,800", "200,800").replace("90,\n", "90,900\n"),
          "appointments.csv": changes["appointments.csv"].replace("exam,true\na2", "exam,\na2"),
          "charges.csv": changes["charges.csv"].replace("2025-02-09", "2025-02-12")}
    clean = validate_practice(PID, make_practice(tmp_path / "ok", ok).parent)
    assert clean.ok and not clean.failures, [f.message for f in clean.failures]
