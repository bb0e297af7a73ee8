"""Hostile but fair inputs, through the `dyad` command as a consultant runs it.

Each case of the table breaks one thing of a small clean practice (encodings, delimiters,
quoting, numbers, dates, codes, duplicates, sheets, YAML, sizes, arguments) and runs one
command in-process. For every case: no traceback, the documented exit code (0 fine or only
warnings, 1 a problem in the data, 2 a usage error), a message that names the file, row and
column where they exist, nothing written into the data folder, and no patient identifier in
anything printed or kept (the patient ids of this practice are PT-4000xx).
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app

PID = "hostile-clinic"
PATIENTS = ("PT-400001", "PT-400002", "PT-400003", "PT-400017")
YAML = (f"practice_id: {PID}\nname: Hostile Clinic\nkind: dental\nfiscal_year_start_month: 1\n"
        "currency: USD\nactive_patient_months: 18\npartners:\n  clinical_lead: Dr. A\n  business_lead: B\n")
FIN = ("month,gross_production,adjustments,collections\n"
       "2025-01,1000,100,850\n2025-02,1200,150,1000\n2025-03,1100,120,990\n")
APPT_HEAD = "appointment_id,date,provider_id,patient_id,chair_minutes,status,visit_type,production\n"
APPT_ROWS = ["a1,2025-01-06,d1,PT-400001,60,completed,exam,150",
             "a2,2025-02-10,d1,PT-400002,30,no_show,hygiene,",
             "a3,2025-03-12,d2,PT-400003,90,completed,restorative,400",
             "a4,2025-03-20,d2,PT-400001,45,cancelled,exam,"]
APPTS = APPT_HEAD + "\n".join(APPT_ROWS) + "\n"
SURVEY = "response_date,recommend_score,rating,comment\n2025-01-10,9,9,Great care\n2025-02-11,6,,Long wait\n"


def appts(*rows: str, head: str = APPT_HEAD) -> str:
    return head + "\n".join(rows) + "\n"


def fin_row(row: str) -> str:
    """financials with its second data row (spreadsheet row 3) replaced."""
    lines = FIN.splitlines()
    lines[2] = row
    return "\n".join(lines) + "\n"


def workbook(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FIN_ROWS = [["month", "gross_production", "adjustments", "collections"], ["2025-01", 1000, 100, 850],
            ["2025-02", 1200, 150, 1000]]
BOMB = ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
        'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'
        'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n')


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes | None]
    exit: int
    says: tuple[str, ...] = ()
    command: tuple[str, ...] = ("validate", PID)
    yaml: str = YAML
    absent: tuple[str, ...] = ()  # what must not be printed (beyond the patient ids)
    extra: dict[str, str] = field(default_factory=dict)  # other files: inputs for --inputs


C = Case
CASES = [
    # --- encodings ----------------------------------------------------------------------------------
    C("utf16_with_bom", {"financials.csv": FIN.encode("utf-16")}, 1, ("financials.csv", "UTF-16")),
    C("utf16_without_bom", {"financials.csv": FIN.encode("utf-16-le")}, 1, ("financials.csv", "NUL bytes")),
    C("bom_then_cp1252", {"patient_survey.csv": b"\xef\xbb\xbf" + SURVEY.replace("Great care", "Caf\xe9 staff")
                          .encode("cp1252")}, 0, ("patient_survey.csv", "cp1252", "line 2")),
    C("cp1252_without_bom", {"patient_survey.csv": SURVEY.replace("Great", "Tr\xe8s").encode("cp1252")}, 0,
      ("Nothing blocks",), absent=("cp1252",)),
    C("utf8_and_cp1252_lines", {"patient_survey.csv": (SURVEY.replace("Great", "Caf\u00e9").encode("utf-8")
                                                       + "2025-03-01,8,8,Tr\xe8s bien\n".encode("cp1252"))},
      0, ("patient_survey.csv", "mixes UTF-8", "line 4")),
    C("utf8_with_bom", {"financials.csv": "\ufeff" + FIN}, 0, ("Nothing blocks",)),
    C("binary_garbage", {"financials.csv": bytes(range(256)) * 4}, 1, ("financials.csv", "not CSV text")),
    C("workbook_named_csv", {"financials.csv": b"PK\x03\x04" + b"\x00" * 60}, 1, ("financials.csv", "Excel workbook")),
    C("xls_named_csv", {"financials.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60}, 1,
      ("financials.csv", ".xls")),
    # --- delimiters and line endings ------------------------------------------------------------------
    C("semicolons", {"financials.csv": FIN.replace(",", ";")}, 0, ("Nothing blocks",)),
    C("tabs", {"financials.csv": FIN.replace(",", "\t")}, 0, ("Nothing blocks",)),
    C("pipes", {"financials.csv": FIN.replace(",", "|")}, 1, ("financials.csv", "required column 'month' is missing")),
    C("cr_only_line_endings", {"financials.csv": FIN.replace("\n", "\r")}, 0, ("Nothing blocks",)),
    C("crlf_line_endings", {"financials.csv": FIN.replace("\n", "\r\n")}, 0, ("Nothing blocks",)),
    C("a_row_with_semicolons", {"financials.csv": fin_row("2025-02;1200;150;1000")}, 1,
      ("financials.csv", "row 3", "different number of values")),
    # --- quoting --------------------------------------------------------------------------------------
    C("unclosed_quote", {"financials.csv": fin_row('2025-02,"1200,150,1000')}, 1,
      ("financials.csv", "row 3", "never closed")),
    C("quoted_thousands", {"financials.csv": fin_row('2025-02,"1,200.00",150,"$1,000"')}, 0, ("Nothing blocks",)),
    C("stray_quote_inside_a_value", {"patient_survey.csv": SURVEY.replace("Long wait", 'a 5" wait')}, 0,
      ("Nothing blocks",)),
    C("line_break_inside_quotes", {"patient_survey.csv": SURVEY.replace("Long wait", '"Long\nwait"')}, 0,
      ("Nothing blocks",)),
    C("doubled_quotes", {"patient_survey.csv": SURVEY.replace("Long wait", '"say ""hi"""')}, 0, ("Nothing blocks",)),
    # --- rows whose values would land in the wrong columns -------------------------------------------------
    C("trailing_blank_header_and_an_extra_field",  # issue 13, item 2
      {"appointments.csv": appts(*(r + "," for r in APPT_ROWS[:3]), "a5,2025-03-21,d2,x,PT-400017,60,completed,exam,150",
                                 APPT_ROWS[3] + ",", head=APPT_HEAD.rstrip("\n") + ",\n")},
      1, ("appointments.csv", "row 5", "different number of values", "1 problem block"), absent=("'60'", "'x'")),
    C("a_value_left_out", {"appointments.csv": appts(*APPT_ROWS[:2], "a3,2025-03-12,d2,90,completed,restorative,400")},
      1, ("appointments.csv", "row 4", "different number of values")),
    C("an_unquoted_comma", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,60,completed,exam,$1,150.00",
                                                      *APPT_ROWS[1:])},
      1, ("appointments.csv", "row 2", "different number of values")),
    C("trailing_commas_everywhere", {"financials.csv": FIN.replace("\n", ",,\n")}, 0, ("Nothing blocks",)),
    C("patient_id_shifted_into_a_number", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,PT-400002,completed,exam,",
                                                                     *APPT_ROWS[1:])},
      1, ("appointments.csv", "row 2", "chair_minutes", "not shown", "patient identifier")),
    # --- numbers ----------------------------------------------------------------------------------------
    C("inf", {"financials.csv": fin_row("2025-02,inf,150,1000")}, 1, ("financials.csv", "gross_production", "row 3", "'inf'")),
    C("infinity", {"financials.csv": fin_row("2025-02,1200,150,Infinity")}, 1, ("collections", "row 3", "'Infinity'")),
    C("minus_inf", {"financials.csv": fin_row("2025-02,1200,-inf,1000")}, 1, ("adjustments", "row 3")),
    C("1e309", {"financials.csv": fin_row("2025-02,1e309,150,1000")}, 1, ("gross_production", "row 3", "'1e309'")),
    C("nan", {"financials.csv": fin_row("2025-02,1200,NaN,1000")}, 1, ("adjustments", "row 3", "'NaN'")),
    C("1e300_beyond_the_bound", {"financials.csv": fin_row("2025-02,1e300,150,1000")}, 1,
      ("gross_production", "outside the allowed range", "100,000,000", "row 3")),
    C("a_million_hours", {"capacity.csv": "month,chair_hours_available\n2025-01,300\n2025-02,1000000\n"}, 1,
      ("chair_hours_available", "at most 100,000", "row 3")),
    C("text_in_money", {"financials.csv": fin_row("2025-02,n/a,150,1000")}, 1, ("gross_production", "row 3", "'n/a'")),
    C("decimal_comma", {"financials.csv": fin_row('2025-02,"1.200,50",150,1000')}, 1, ("gross_production", "row 3")),
    C("euro_sign", {"financials.csv": fin_row("2025-02,€1200,150,1000")}, 1, ("gross_production", "row 3")),
    C("hex_number", {"financials.csv": fin_row("2025-02,0x4B0,150,1000")}, 1, ("gross_production", "row 3")),
    C("negative_in_parentheses", {"financials.csv": fin_row('2025-02,"(1,200.00)",150,1000')}, 1,
      ("gross_production", "outside the allowed range", "row 3")),
    C("huge_whole_number", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,1e300,completed,exam,",
                                                      *APPT_ROWS[1:])}, 1, ("chair_minutes", "row 2")),
    C("fraction_of_a_minute", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,60.5,completed,exam,",
                                                         *APPT_ROWS[1:])}, 1, ("chair_minutes", "row 2", "'60.5'")),
    C("percent_sign_in_a_rate", {"quality_measures.csv": "month,measure_id,measure_name,numerator,denominator,"
                                 "target_rate\n2025-01,perio,Perio,40,50,90%\n"}, 1, ("target_rate", "row 2", "'90%'")),
    # --- dates ------------------------------------------------------------------------------------------
    C("day_first_date_undeclared", {"appointments.csv": appts("a1,31/01/2025,d1,PT-400001,60,completed,exam,",
                                                              *APPT_ROWS[1:])}, 1, ("date", "row 2", "'31/01/2025'")),
    C("impossible_date", {"appointments.csv": appts("a1,2025-02-30,d1,PT-400001,60,completed,exam,", *APPT_ROWS[1:])},
      1, ("date", "row 2", "'2025-02-30'")),
    C("spreadsheet_serial_date", {"appointments.csv": appts("a1,45678,d1,PT-400001,60,completed,exam,", *APPT_ROWS[1:])},
      1, ("date", "row 2", "serial numbers")),
    C("two_digit_year", {"appointments.csv": appts("a1,25-01-06,d1,PT-400001,60,completed,exam,", *APPT_ROWS[1:])},
      1, ("date", "row 2")),
    C("month_13", {"financials.csv": fin_row("2025-13,1200,150,1000")}, 1, ("month", "row 3", "'2025-13'")),
    C("month_as_words", {"financials.csv": fin_row("Feb 2025,1200,150,1000")}, 1, ("month", "row 3", "'Feb 2025'")),
    C("date_with_a_time", {"appointments.csv": appts("a1,2025-01-06T10:30,d1,PT-400001,60,completed,exam,",
                                                     *APPT_ROWS[1:])}, 0, ("Nothing blocks",)),
    C("date_format_that_is_not_one", {}, 1, ("practice.yaml", "date_format"),
      yaml=YAML.replace("partners:", "date_format: \"%Y\"\npartners:")),
    # --- codes ------------------------------------------------------------------------------------------
    C("unknown_status", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,60,done,exam,", *APPT_ROWS[1:])},
      1, ("status", "row 2", "completed, no_show, cancelled, scheduled")),
    C("codes_in_capitals_with_spaces", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,60, COMPLETED ,EXAM,",
                                                                  *APPT_ROWS[1:])}, 0, ("Nothing blocks",)),
    C("zero_width_space_in_a_code", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,60,comp\u200bleted,exam,",
                                                               *APPT_ROWS[1:])}, 1, ("status", "row 2")),
    C("control_characters_in_a_code", {"appointments.csv": appts("a1,2025-01-06,d1,PT-400001,60,completed\x07,exam,",
                                                                 *APPT_ROWS[1:])}, 0, ("Nothing blocks",)),
    C("unknown_expense_category", {"expenses.csv": "month,category,amount\n2025-01,rent,100\n"}, 1,
      ("expenses.csv", "category", "row 2", "staff_wages")),
    C("yes_no_not_understood", {"meetings.csv": "date,cadence,held\n2025-01-07,weekly,maybe\n"}, 1,
      ("meetings.csv", "held", "row 2", "'maybe'")),
    # --- duplicates -------------------------------------------------------------------------------------
    C("the_same_column_twice", {"financials.csv": FIN.replace("collections", "collections,collections", 1)
                                .replace(",850\n", ",850,850\n").replace(",1000\n", ",1000,1000\n")
                                .replace(",990\n", ",990,990\n")}, 1, ("financials.csv", "'collections' appears twice")),
    C("the_same_column_in_two_cases", {"financials.csv": FIN.replace("collections", "collections,Collections", 1)
                                       .replace(",850\n", ",850,1\n").replace(",1000\n", ",1000,1\n")
                                       .replace(",990\n", ",990,1\n")}, 1, ("financials.csv", "appears twice")),
    C("file_names_differing_in_case", {"FINANCIALS.csv": fin_row("2025-02,9999,150,1000")}, 1,
      ("FINANCIALS.csv and financials.csv", "differ only in the case")),
    C("a_month_twice", {"financials.csv": fin_row("2025-01,1200,150,1000")}, 1, ("month", "repeated", "rows 2, 3")),
    C("an_appointment_id_twice", {"appointments.csv": appts(*APPT_ROWS[:3], APPT_ROWS[3].replace("a4,", "a3,"))},
      1, ("appointment_id", "repeated", "'a3'")),
    C("a_table_as_file_and_sheet", {f"{PID}.xlsx": workbook({"financials": FIN_ROWS})}, 1,
      ("the table financials is given twice",)),
    # --- workbooks ----------------------------------------------------------------------------------------
    C("hidden_stale_sheet", {"financials.csv": None, f"{PID}.xlsx": workbook(
        {"Financials 2026": FIN_ROWS, "financials": FIN_ROWS[:2]}, hidden=("financials",))}, 1,
      ("hidden", "'Financials 2026' is there: rename it to 'financials'")),
    C("password_protected_workbook", {"financials.csv": None,
                                      f"{PID}.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500}, 1,
      (f"{PID}.xlsx", "password"), absent=("BadZipFile",)),
    C("damaged_workbook", {"financials.csv": None, f"{PID}.xlsx": b"PK\x03\x04" + b"\x13" * 500}, 1,
      (f"{PID}.xlsx", "damaged")),
    C("sheet_with_600_columns", {"financials.csv": None, f"{PID}.xlsx": workbook(
        {"financials": [FIN_ROWS[0] + [f"x{i}" for i in range(600)], FIN_ROWS[1]]})}, 1,
      ("financials", "more than 500 columns")),
    C("sheet_name_in_capitals_with_spaces", {"financials.csv": None, f"{PID}.xlsx": workbook(
        {" Financials ": FIN_ROWS})}, 0, ("Nothing blocks",)),
    C("text_in_a_number_cell_of_a_sheet", {"financials.csv": None, f"{PID}.xlsx": workbook(
        {"financials": [*FIN_ROWS, ["2025-03", "lots", 1, 1]]})}, 1, (f"{PID}.xlsx › financials", "row 4",
                                                                      "gross_production", "'lots'")),
    C("two_workbooks_differing_in_case", {"financials.csv": None, f"{PID}.xlsx": workbook({"financials": FIN_ROWS}),
                                          f"{PID.upper()}.xlsx": workbook({"financials": FIN_ROWS})}, 1,
      ("differ only in the case",)),
    # --- YAML ---------------------------------------------------------------------------------------------
    C("alias_bomb_in_practice_yaml", {}, 1, ("practice.yaml", "alias"), yaml=YAML + BOMB),  # issue 13, item 11
    C("practice_yaml_is_a_list", {}, 1, ("practice.yaml", "mapping"), yaml="- a\n- b\n"),
    C("practice_yaml_is_not_yaml", {}, 1, ("practice.yaml", "not valid YAML", "line"), yaml=YAML + "partners: [\n"),
    C("python_object_tag", {}, 1, ("practice.yaml",), yaml=YAML + "x: !!python/object/apply:os.system ['true']\n"),
    C("practice_yaml_of_3_mb", {}, 1, ("practice.yaml", "MB"), yaml=YAML + "# " + "x" * 3_000_000 + "\n"),
    C("practice_yaml_in_cp1252", {}, 1, ("practice.yaml", "UTF-8"),
      yaml=YAML.replace("Hostile Clinic", "Cl\xednica").encode("cp1252")),  # type: ignore[arg-type]
    C("practice_id_of_another_folder", {}, 1, ("practice.yaml", "differs from the folder name"),
      yaml=YAML.replace(f"practice_id: {PID}", "practice_id: other-clinic")),
    C("goals_yaml_malformed", {"goals.yaml": "FY2025:\n  collection_goal: lots\n"}, 1, ("goals.yaml", "FY2025")),
    C("goals_yaml_with_an_alias", {"goals.yaml": "FY2025: &g {collection_goal: 1}\nFY2026: *g\n"}, 1,
      ("goals.yaml", "alias")),
    # --- sizes --------------------------------------------------------------------------------------------
    C("100000_columns", {"capacity.csv": ("month,chair_hours_available," + ",".join(f"c{i}" for i in range(100_000))
                                          + "\n2025-01,300" + "," * 100_000 + "\n")}, 1,
      ("capacity.csv", "header row is longer than 64 KB")),  # issue 13, item 15
    C("600_columns", {"capacity.csv": "month,chair_hours_available," + ",".join(f"c{i}" for i in range(600))
                      + "\n2025-01,300\n"}, 1, ("capacity.csv", "602 columns")),
    C("empty_file", {"expenses.csv": ""}, 1, ("expenses.csv", "is empty")),
    C("header_only_financials", {"financials.csv": FIN.splitlines()[0] + "\n"}, 1, ("financials.csv", "no rows")),
    C("blank_first_line", {"financials.csv": "\n" + FIN}, 1, ("financials.csv", "header")),
    C("a_one_megabyte_comment", {"patient_survey.csv": SURVEY.replace("Long wait", "w" * 1_000_000)}, 0,
      ("Nothing blocks",)),
    # --- commands and arguments ---------------------------------------------------------------------------
    C("metrics_of_a_blocked_practice", {"financials.csv": fin_row("2025-01,1200,150,1000")}, 1,  # item 6
      ("blocks", f"dyad validate {PID}"), command=("metrics", PID, "--period", "2025-01"), absent=("$", "Collections")),
    C("goals_input_nan", {}, 2, ("inputs.yaml", "profit_target", "not a number"),  # item 16
      command=("goals", PID, "-y", "FY2026", "--inputs", "{inputs}"), extra={"inputs.yaml": "profit_target: .nan\n"},
      absent=("Fraction",)),
    C("goals_input_inf", {}, 2, ("inputs.yaml", "owner_compensation"),
      command=("goals", PID, "-y", "FY2026", "--inputs", "{inputs}"), extra={"inputs.yaml": "owner_compensation: .inf\n"}),
    C("goals_input_alias_bomb", {}, 2, ("inputs.yaml", "alias"),
      command=("goals", PID, "-y", "FY2026", "--inputs", "{inputs}"), extra={"inputs.yaml": BOMB}),
    C("run_with_another_practice_id", {}, 2, ("-p practice_id is set by dyad itself",),  # item 5
      command=("run", "monthly_review", "--practice", PID, "--period", "2025-03", "-p", "practice_id=other")),
    C("run_with_another_data_dir", {}, 2, ("-p data_dir is set by dyad itself",),
      command=("run", "monthly_review", "--practice", PID, "--period", "2025-03", "-p", "data_dir=/elsewhere")),
    C("run_with_month_13", {}, 2, ("'2025-13' is not a period",),  # item 17
      command=("run", "monthly_review", "--practice", PID, "--period", "2025-13")),
    C("run_monthly_with_a_quarter", {}, 2, ("takes a month",),
      command=("run", "monthly_review", "--practice", PID, "--period", "2025Q1")),
    C("run_unknown_practice", {}, 2, ("no practice named 'nobody-here'",),
      command=("run", "monthly_review", "--practice", "nobody-here", "--period", "2025-03")),
    C("run_same_parameter_twice", {}, 2, ("given twice",),
      command=("run", "practice_assessment", "--practice", PID, "--period", "2025-03", "-p", "view=t12", "-p",
               "view=ytd")),
    C("run_nan_parameter", {}, 2, ("not a finite number",),
      command=("run", "annual_goals", "--practice", PID, "--period", "FY2026", "-p", "profit_target=.nan")),
    C("batch_bad_period", {}, 2, ("'soon' is not a period",), command=("batch", "--period", "soon")),
    C("batch_report_whose_period_does_not_apply", {}, 0, ("not applicable", "does not close a quarter"),
      command=("batch", "--period", "2025-02", "--reports", "quarterly_partnership")),
    C("forms_unknown_practice", {}, 2, ("no practice named 'nobody-here'",), command=("forms", "nobody-here")),
    C("validate_path_as_id", {}, 2, ("not a valid practice id",), command=("validate", "../etc")),
    C("metrics_bad_period", {}, 2, ("'FY20' is not a period",), command=("metrics", PID, "--period", "FY20")),
]


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write(folder: Path, files: dict[str, str | bytes | None]) -> None:
    for name, content in files.items():
        path = folder / name
        if content is None:
            path.unlink(missing_ok=True)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def test_the_table_is_large_and_covers_every_kind():
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)
    assert {c.exit for c in CASES} == {0, 1, 2}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(tmp_path, case: Case):
    data, cache, reports, other = (tmp_path / n for n in ("data", "cache", "reports", "other"))
    folder = data / PID
    folder.mkdir(parents=True)
    other.mkdir()
    yaml_text = case.yaml
    (folder / "practice.yaml").write_bytes(yaml_text if isinstance(yaml_text, bytes) else yaml_text.encode())
    _write(folder, {"financials.csv": FIN, **case.files})
    _write(other, case.extra)
    before = _hashes(data)
    args = [a.replace("{inputs}", str(other / "inputs.yaml")) for a in case.command]
    if args[0] in ("run", "batch", "forms"):
        args += ["--reports-dir", str(reports)]
    res = CliRunner().invoke(app, [*args, "--data-dir", str(data)], terminal_width=400,
                             env={"DYAD_CACHE_DIR": str(cache), "DYAD_REPORT_CACHE": "0", "COLUMNS": "400"})
    out = res.output
    flat = " ".join(out.split())
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in out
    assert res.exit_code == case.exit, out
    for words in case.says:
        assert words in flat, f"{words!r} not in: {flat[:3000]}"
    for words in case.absent:
        assert words not in flat, f"{words!r} printed: {flat[:3000]}"
    assert _hashes(data) == before, "the data folder changed"
    kept = "".join(p.read_text(errors="replace") for p in cache.rglob("*.json")) if cache.exists() else ""
    for pid in PATIENTS:
        assert pid not in out and pid not in kept, f"patient id {pid} shown"
    if case.exit == 2:
        assert not reports.exists(), "a usage error wrote into the reports folder"


# --- folders dyad cannot write to (issue 13, item 13) -------------------------------------------------------


@pytest.fixture
def read_only(tmp_path):
    """Make folders unwritable for real: chmod for a normal user; for root, whom permissions do
    not stop, the immutable attribute (chattr +i). Undone at the end."""
    import shutil
    import subprocess

    made: list[Path] = []

    def lock(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            folder.chmod(0o555)
        elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)],
                                                               capture_output=True).returncode != 0:
            pytest.skip("running as root on a file system without chattr +i: no folder can be made read-only")
        made.append(folder)
        return folder

    yield lock
    for folder in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


def _practice(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / PID).mkdir(parents=True)
    (data / PID / "practice.yaml").write_text(YAML)
    (data / PID / "financials.csv").write_text(FIN)
    return data


def test_read_only_reports_or_cache_folder_is_one_sentence(tmp_path, read_only):
    data = _practice(tmp_path)
    ro_reports, ro_cache = read_only(tmp_path / "ro-reports"), read_only(tmp_path / "ro-cache")
    ok_cache = tmp_path / "cache"
    runs = {
        "run, reports": (["run", "data_quality", "--practice", PID, "--reports-dir", str(ro_reports),
                          "--cache-dir", str(ok_cache)], 2, "cannot write to the reports folder"),
        "run, cache": (["run", "data_quality", "--practice", PID, "--reports-dir", str(tmp_path / "reports"),
                        "--cache-dir", str(ro_cache)], 2, "cannot write to the cache folder"),
        "batch, reports": (["batch", "--period", "2025-03", "--reports-dir", str(ro_reports),
                            "--cache-dir", str(ok_cache)], 2, "cannot write to the reports folder"),
        "forms": (["forms", PID, "--out", str(ro_reports / "forms")], 2, "cannot write to the forms folder"),
        # validation needs no cache: it validates, says the result was not kept, exits by the data
        "validate": (["validate", PID], 0, "could not be kept in the cache folder"),
        "metrics": (["metrics", PID, "--period", "2025-03"], 0, "Collections"),
    }
    for what, (args, code, says) in runs.items():
        res = CliRunner().invoke(app, [*args, "--data-dir", str(data)], terminal_width=400,
                                 env={"DYAD_CACHE_DIR": str(ro_cache), "COLUMNS": "400"})
        assert res.exception is None or isinstance(res.exception, SystemExit), (what, repr(res.exception))
        assert "Traceback" not in res.output
        assert res.exit_code == code, (what, res.output)
        assert says in " ".join(res.output.split()), (what, res.output)
    assert not (tmp_path / "reports").exists() and list(ro_reports.iterdir()) == []
    assert list(ro_cache.iterdir()) == []
