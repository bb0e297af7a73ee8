"""The loader honours every convention of data-contract.md, and names file, row and column on bad input."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest

from dyad_lib.data.load import PracticeDataError, load_practice
from dyad_lib.data.paths import PracticeIdError, practice_dir

PRACTICE_YAML = """\
practice_id: {pid}
name: Test Dental
kind: {kind}
fiscal_year_start_month: 1
currency: USD
active_patient_months: 18
{extra}
partners:
  clinical_lead: Dr. A
  business_lead: B
"""

FIN = "month,gross_production,adjustments,collections\n2025-01,1000,10,900\n2025-02,2000,20,1800\n"


def make_practice(root: Path, files: dict[str, str | bytes], pid: str = "test-dental", kind: str = "dental",
                  extra: str = "") -> Path:
    folder = root / pid
    folder.mkdir(parents=True)
    (folder / "practice.yaml").write_text(PRACTICE_YAML.format(pid=pid, kind=kind, extra=extra))
    files = {"financials.csv": FIN, **files}
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def issues_of(root: Path, pid: str = "test-dental") -> list:
    return load_practice(pid, root, collect=True).issues


def the_issue(root: Path, pid: str = "test-dental"):
    issues = issues_of(root, pid)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


# --- encodings and delimiters ------------------------------------------------------------------


def test_plain_csv_is_typed(tmp_path):
    make_practice(tmp_path, {})
    p = load_practice("test-dental", tmp_path)
    fin = p.tables["financials"]
    assert list(fin["month"]) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert fin["gross_production"].tolist() == [1000.0, 2000.0]
    assert fin["_row"].tolist() == [2, 3]  # header is spreadsheet row 1
    # optional columns the file lacks are present and empty
    assert fin["ar_balance"].isna().all() and fin["provider_id"].isna().all()
    assert set(p.sources["financials"].missing_optional) == {"provider_id", "ar_balance", "ar_over_90",
                                                             "patient_collections", "insurance_collections"}
    assert p.config.kind == "dental" and p.config.active_patient_months == 18


def test_utf8_bom_is_read(tmp_path):
    make_practice(tmp_path, {"financials.csv": b"\xef\xbb\xbf" + FIN.encode()})
    p = load_practice("test-dental", tmp_path)
    assert p.sources["financials"].encoding == "utf-8-sig"
    assert "month" in p.tables["financials"].columns  # the BOM is not glued to the first header


def test_cp1252_is_read(tmp_path):
    survey = "response_date,recommend_score,comment\n2025-01-03,10,Très bien – merci\n"
    make_practice(tmp_path, {"patient_survey.csv": survey.encode("cp1252")})
    p = load_practice("test-dental", tmp_path)
    assert p.sources["patient_survey"].encoding == "cp1252"
    assert p.tables["patient_survey"]["comment"].iloc[0] == "Très bien – merci"


@pytest.mark.parametrize("delim", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_detected(tmp_path, delim):
    make_practice(tmp_path, {"financials.csv": FIN.replace(",", delim)})
    p = load_practice("test-dental", tmp_path)
    assert p.sources["financials"].delimiter == delim
    assert p.tables["financials"]["collections"].sum() == 2700.0


def test_semicolon_file_with_decimal_comma_money_is_an_error_not_a_guess(tmp_path):
    # '1.234,56' (European) is not an accepted money form: refuse it rather than misread it.
    make_practice(tmp_path, {"financials.csv": "month;gross_production;adjustments;collections\n2025-01;1.234,56;0;0\n"})
    issue = the_issue(tmp_path)
    assert (issue.file, issue.row, issue.column) == ("financials.csv", 2, "gross_production")


# --- headers -----------------------------------------------------------------------------------------


def test_headers_match_case_insensitively_after_trimming_and_extra_columns_are_kept(tmp_path):
    csv = " Month ,GROSS_PRODUCTION,Adjustments,collections,Notes\n2025-01,1,0,1,hello\n"
    make_practice(tmp_path, {"financials.csv": csv})
    p = load_practice("test-dental", tmp_path)
    assert p.tables["financials"]["gross_production"].iloc[0] == 1.0
    assert p.sources["financials"].extra_columns == ["notes"]


def test_missing_required_column_names_file_and_column(tmp_path):
    make_practice(tmp_path, {"financials.csv": "month,gross_production,collections\n2025-01,1,1\n"})
    issue = the_issue(tmp_path)
    assert issue.file == "financials.csv" and issue.column == "adjustments" and issue.row == 1
    assert "missing" in str(issue)
    with pytest.raises(PracticeDataError, match="financials.csv.*adjustments"):
        load_practice("test-dental", tmp_path)


def test_missing_column_with_a_space_instead_of_underscore_gets_a_rename_hint(tmp_path):
    make_practice(tmp_path, {"financials.csv": "month,gross production,adjustments,collections\n2025-01,1,0,1\n"})
    assert "rename it to 'gross_production'" in str(the_issue(tmp_path))


def test_duplicate_header_is_an_error(tmp_path):
    make_practice(tmp_path, {"financials.csv": "month,Month,gross_production,adjustments,collections\n"})
    assert "appears twice" in str(the_issue(tmp_path))


# --- dates and months --------------------------------------------------------------------------------

APPTS_HEAD = "appointment_id,date,provider_id,patient_id,chair_minutes,status,visit_type\n"


def test_declared_date_format_is_used_and_iso_still_accepted(tmp_path):
    appts = APPTS_HEAD + "A1,03/04/2025,D1,P1,30,completed,exam\nA2,2025-03-05,D1,P1,30,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts}, extra='date_format: "%m/%d/%Y"')
    dates = load_practice("test-dental", tmp_path).tables["appointments"]["date"]
    # 03/04/2025 is March 4th because the practice declared month-first; never guessed.
    assert dates.tolist() == [pd.Timestamp("2025-03-04"), pd.Timestamp("2025-03-05")]


def test_day_first_declared_format(tmp_path):
    appts = APPTS_HEAD + "A1,03/04/2025,D1,P1,30,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts}, extra='date_format: "%d/%m/%Y"')
    assert load_practice("test-dental", tmp_path).tables["appointments"]["date"].iloc[0] == pd.Timestamp("2025-04-03")


def test_undeclared_non_iso_date_is_an_error_not_a_guess(tmp_path):
    appts = APPTS_HEAD + "A1,2025-03-04,D1,P1,30,completed,exam\nA2,03/04/2025,D1,P1,30,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    issue = the_issue(tmp_path)
    assert (issue.file, issue.row, issue.column, issue.value) == ("appointments.csv", 3, "date", "03/04/2025")
    assert "date_format" in str(issue)  # tells the user how to fix it


def test_impossible_date_is_reported(tmp_path):
    appts = APPTS_HEAD + "A1,2025-02-30,D1,P1,30,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    issue = the_issue(tmp_path)
    assert (issue.row, issue.column) == (2, "date")


@pytest.mark.parametrize("date", ["1492-10-12", "2300-01-01"])
def test_a_date_outside_the_supported_years_is_reported_not_a_crash(tmp_path, date):
    appts = APPTS_HEAD + f"A1,{date},D1,P1,30,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    issue = the_issue(tmp_path)
    assert (issue.row, issue.column, issue.value) == (2, "date", date)


def test_month_accepts_yyyy_mm_and_a_date(tmp_path):
    csv = "month,gross_production,adjustments,collections\n2025-01,1,0,1\n2025-02-17,1,0,1\n02/28/2025,1,0,1\n"
    make_practice(tmp_path, {"financials.csv": csv}, extra='date_format: "%m/%d/%Y"')
    months = load_practice("test-dental", tmp_path).tables["financials"]["month"]
    assert months.tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-01")]


def test_bad_month_names_row_and_column(tmp_path):
    make_practice(tmp_path, {"financials.csv": "month,gross_production,adjustments,collections\nJan 2025,1,0,1\n"})
    issue = the_issue(tmp_path)
    assert (issue.row, issue.column, issue.value) == (2, "month", "Jan 2025")


# --- money, numbers, integers, booleans, codes -------------------------------------------------------


def test_money_forms(tmp_path):
    csv = ("month,gross_production,adjustments,collections\n"
           '2025-01,"$1,234.56",(1.50),1234.56\n'
           '2025-02,"1,234.56","($1,000.00)",\n'
           "2025-03,  $12 ,-3,0.5\n")
    make_practice(tmp_path, {"financials.csv": csv})
    fin = load_practice("test-dental", tmp_path).tables["financials"]
    assert fin["gross_production"].tolist() == [1234.56, 1234.56, 12.0]
    assert fin["adjustments"].tolist() == [-1.5, -1000.0, -3.0]  # parentheses = negative
    assert fin["collections"].iloc[0] == 1234.56 and math.isnan(fin["collections"].iloc[1])  # blank = missing


def test_text_in_money_column_names_rows_and_values(tmp_path):
    csv = "month,gross_production,adjustments,collections\n2025-01,1,0,n/a\n2025-02,1,0,1\n2025-03,1,0,TBD\n"
    make_practice(tmp_path, {"financials.csv": csv})
    issue = the_issue(tmp_path)
    assert issue.file == "financials.csv" and issue.column == "collections"
    assert issue.rows == [2, 4] and issue.values == ["n/a", "TBD"] and issue.count == 2
    assert "rows 2, 4" in str(issue) and "'n/a'" in str(issue)


def test_malformed_thousands_separator_is_refused(tmp_path):
    make_practice(tmp_path, {"financials.csv": 'month,gross_production,adjustments,collections\n2025-01,"1,23",0,1\n'})
    assert the_issue(tmp_path).column == "gross_production"


def test_integers_accept_whole_floats_and_refuse_fractions(tmp_path):
    appts = APPTS_HEAD + "A1,2025-01-02,D1,P1,60.0,completed,exam\nA2,2025-01-02,D1,P1,45.5,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    p = load_practice("test-dental", tmp_path, collect=True)
    assert p.tables["appointments"]["chair_minutes"].iloc[0] == 60
    (issue,) = p.issues
    assert (issue.row, issue.column, issue.value) == (3, "chair_minutes", "45.5")


@pytest.mark.parametrize("spelled,expected", [
    ("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("y", True), ("N", False),
    ("1", True), ("0", False), (" TRUE ", True),
])
def test_boolean_spellings(tmp_path, spelled, expected):
    appts = APPTS_HEAD.strip() + ",next_visit_booked\n" + f"A1,2025-01-02,D1,P1,60,completed,hygiene,{spelled}\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    assert load_practice("test-dental", tmp_path).tables["appointments"]["next_visit_booked"].iloc[0] == expected


def test_bad_boolean_is_reported(tmp_path):
    appts = APPTS_HEAD.strip() + ",next_visit_booked\nA1,2025-01-02,D1,P1,60,completed,hygiene,maybe\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    issue = the_issue(tmp_path)
    assert (issue.row, issue.column, issue.value) == (2, "next_visit_booked", "maybe")


def test_codes_are_normalised_case_and_spaces(tmp_path):
    appts = APPTS_HEAD + "A1,2025-01-02,D1,P1,60, Completed ,HYGIENE\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    row = load_practice("test-dental", tmp_path).tables["appointments"].iloc[0]
    assert (row["status"], row["visit_type"]) == ("completed", "hygiene")


def test_identifiers_are_opaque_strings(tmp_path):
    appts = APPTS_HEAD + "A1,2025-01-02,007,00042,60,completed,exam\n"
    make_practice(tmp_path, {"appointments.csv": appts})
    row = load_practice("test-dental", tmp_path).tables["appointments"].iloc[0]
    assert (row["provider_id"], row["patient_id"]) == ("007", "00042")  # leading zeros kept


def test_blank_lines_are_not_records_and_rows_keep_spreadsheet_numbers(tmp_path):
    csv = "month,gross_production,adjustments,collections\n2025-01,1,0,1\n\n2025-03,1,0,x\n,,,\n"
    make_practice(tmp_path, {"financials.csv": csv})
    p = load_practice("test-dental", tmp_path, collect=True)
    assert len(p.tables["financials"]) == 2
    assert p.issues[0].row == 4  # the blank line 3 still counts, as in a spreadsheet


# --- files -------------------------------------------------------------------------------------------


def test_empty_file_is_reported(tmp_path):
    make_practice(tmp_path, {"expenses.csv": ""})
    issue = the_issue(tmp_path)
    assert issue.file == "expenses.csv" and "empty" in str(issue)


def test_header_only_file_gives_an_empty_table(tmp_path):
    make_practice(tmp_path, {"expenses.csv": "month,category,amount\n"})
    p = load_practice("test-dental", tmp_path)
    assert len(p.tables["expenses"]) == 0 and p.has("expenses")


def test_financials_is_required(tmp_path):
    make_practice(tmp_path, {"financials.csv": None})
    issue = the_issue(tmp_path)
    assert "financials" in str(issue) and "missing" in str(issue)


def test_absent_optional_tables_are_absent(tmp_path):
    make_practice(tmp_path, {})
    p = load_practice("test-dental", tmp_path)
    assert set(p.tables) == {"financials"} and not p.has("appointments")


def test_unparseable_csv_names_the_line(tmp_path):
    make_practice(tmp_path, {"expenses.csv": 'month,category,amount\n2025-01,lab,"10\n'})
    issue = the_issue(tmp_path)
    assert issue.file == "expenses.csv"


def test_all_problems_are_collected_in_one_pass(tmp_path):
    make_practice(tmp_path, {
        "financials.csv": "month,gross_production,adjustments,collections\n2025-01,abc,0,1\n",
        "expenses.csv": "month,category\n2025-01,lab\n",
        "appointments.csv": APPTS_HEAD + "A1,31/01/2025,D1,P1,60,completed,exam\n",
    })
    issues = issues_of(tmp_path)
    assert {(i.file, i.column) for i in issues} == {
        ("financials.csv", "gross_production"), ("expenses.csv", "amount"), ("appointments.csv", "date")}
    with pytest.raises(PracticeDataError) as err:
        load_practice("test-dental", tmp_path)
    assert len(err.value.issues) == 3


# --- workbooks ---------------------------------------------------------------------------------------


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


def test_workbook_sheets_with_excel_dates_and_numbers(tmp_path):
    import datetime as dt

    folder = make_practice(tmp_path, {"financials.csv": None})
    write_workbook(folder / "test-dental.xlsx", {
        "Financials": [["Month", "gross_production", "adjustments", "collections"],
                       [dt.datetime(2025, 1, 1), 1000.5, 10, 900],
                       ["2025-02", "$2,000.00", 0, 1800]],
        "appointments": [["appointment_id", "date", "provider_id", "patient_id", "chair_minutes", "status",
                          "visit_type", "next_visit_booked"],
                         ["A1", dt.datetime(2025, 1, 3), "D1", 1001, 60.0, "completed", "exam", True],
                         ["A2", dt.datetime(2025, 1, 4), "D1", "P2", 30, "no_show", "exam", None]],
    })
    p = load_practice("test-dental", tmp_path)
    fin, appts = p.tables["financials"], p.tables["appointments"]
    assert fin["month"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert fin["gross_production"].tolist() == [1000.5, 2000.0]
    assert appts["date"].iloc[0] == pd.Timestamp("2025-01-03")
    assert appts["patient_id"].iloc[0] == "1001" and appts["chair_minutes"].tolist() == [60, 30]
    assert appts["next_visit_booked"].iloc[0] == True  # noqa: E712
    assert p.sources["appointments"].file == "test-dental.xlsx › appointments"


def test_workbook_bad_value_names_sheet_row_and_column(tmp_path):
    folder = make_practice(tmp_path, {"financials.csv": None})
    write_workbook(folder / "test-dental.xlsx", {
        "financials": [["month", "gross_production", "adjustments", "collections"],
                       ["2025-01", 1, 0, 1], ["2025-02", "lots", 0, 1]]})
    issue = the_issue(tmp_path)
    assert issue.file == "test-dental.xlsx › financials" and (issue.row, issue.column) == (3, "gross_production")


LIBREOFFICE_FIXTURE = Path(__file__).parent / "fixtures" / "libreoffice-dental.xlsx"


@pytest.mark.skipif(not LIBREOFFICE_FIXTURE.exists(), reason="fixture made with LibreOffice not present")
def test_workbook_saved_by_libreoffice(tmp_path):
    """A workbook written by a real spreadsheet program (LibreOffice Calc), not by openpyxl."""
    folder = make_practice(tmp_path, {"financials.csv": None})
    (folder / "test-dental.xlsx").write_bytes(LIBREOFFICE_FIXTURE.read_bytes())
    p = load_practice("test-dental", tmp_path)
    fin = p.tables["financials"]
    assert fin["month"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01")]
    assert fin["gross_production"].tolist() == [1234.56, 2000.0, 1500.0]
    assert p.tables["appointments"]["date"].tolist() == [pd.Timestamp("2025-01-06"), pd.Timestamp("2025-02-03")]


def test_table_given_as_csv_and_sheet_is_ambiguous(tmp_path):
    folder = make_practice(tmp_path, {})
    write_workbook(folder / "test-dental.xlsx", {"financials": [["month", "gross_production", "adjustments",
                                                                  "collections"], ["2025-01", 1, 0, 1]]})
    assert "given twice" in str(the_issue(tmp_path))


# --- practice.yaml and ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("line,key", [
    ("kind: veterinary", "kind"),
    ("fiscal_year_start_month: 13", "fiscal_year_start_month"),
    ("active_patient_months: many", "active_patient_months"),
    ('date_format: "%Y"', "date_format"),
    ("currency: dollars", "currency"),
])
def test_bad_practice_yaml_key_is_named(tmp_path, line, key):
    folder = make_practice(tmp_path, {})
    text = (folder / "practice.yaml").read_text()
    field = line.split(":")[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(field + ":")] + [line]
    (folder / "practice.yaml").write_text("\n".join(lines) + "\n")
    issue = the_issue(tmp_path)
    assert issue.file == "practice.yaml" and issue.column == key


def test_practice_id_must_match_folder(tmp_path):
    folder = make_practice(tmp_path, {})
    (folder / "practice.yaml").write_text((folder / "practice.yaml").read_text().replace(
        "practice_id: test-dental", "practice_id: other-dental"))
    assert "differs from the folder name" in str(the_issue(tmp_path))


@pytest.mark.parametrize("bad", ["../x", "x", "Harbor", "harbor_dental", "-harbor", "a/b", ""])
def test_invalid_practice_ids_are_refused(tmp_path, bad):
    with pytest.raises(PracticeIdError, match="not a valid practice id"):
        practice_dir(bad, tmp_path)
    with pytest.raises(PracticeIdError):
        load_practice(bad, tmp_path)


def test_unknown_practice_is_a_clear_error(tmp_path):
    with pytest.raises(PracticeDataError, match="no practice folder named 'nobody-here'"):
        load_practice("nobody-here", tmp_path)


def test_data_dir_from_environment(tmp_path, monkeypatch):
    make_practice(tmp_path, {})
    monkeypatch.setenv("DYAD_DATA_DIR", str(tmp_path))
    assert load_practice("test-dental").folder == (tmp_path / "test-dental").resolve()


def test_loading_never_writes_into_the_data_folder(tmp_path):
    folder = make_practice(tmp_path, {
        "financials.csv": "month,gross_production,adjustments,collections\n2025-01,abc,0,1\n",
        "patient_survey.csv": "response_date,recommend_score,comment\n2025-01-03,10,Très bien\n".encode("cp1252"),
    })
    write_workbook(folder / "test-dental.xlsx", {"expenses": [["month", "category", "amount"], ["2025-01", "lab", 5]]})

    def snapshot() -> dict[str, str]:
        return {str(p.relative_to(tmp_path)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(tmp_path.rglob("*")) if p.is_file()}

    before = snapshot()
    load_practice("test-dental", tmp_path, collect=True)
    with pytest.raises(PracticeDataError):
        load_practice("test-dental", tmp_path)
    assert snapshot() == before


def test_workbook_date_column_holding_serial_numbers_gets_a_hint(tmp_path):
    folder = make_practice(tmp_path, {})
    write_workbook(folder / "test-dental.xlsx", {"appointments": [
        ["appointment_id", "date", "provider_id", "patient_id", "chair_minutes", "status", "visit_type"],
        ["A1", 45663, "D1", "P1", 30, "completed", "exam"]]})
    issue = the_issue(tmp_path)
    assert (issue.row, issue.column) == (2, "date") and "serial numbers" in str(issue)
