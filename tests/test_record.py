"""`dyad record`: a filled capture workbook goes back into the practice's tables (round trip), a bad
one is rejected naming its sheet, row and column, and nothing is ever written half-way or over an
existing row. The capture workbook itself (dyad_lib.data.capture) is checked here too."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.capture import CAPTURE_TABLES, SHEETS, capture_workbook
from dyad_lib.data.contract import TABLES
from dyad_lib.data.load import load_practice
from dyad_lib.data.record import next_ids, record

sys.path.insert(0, str(Path(__file__).parent))
from validation_fixtures import PID, folder_hashes, make_practice  # noqa: E402

MEETING = dt.date(2025, 4, 9)


@pytest.fixture(scope="module", autouse=True)
def gx_engine():
    from dyad_lib.data.validation import engine

    return engine()


def _fill(path: Path, cells: dict[str, dict[str, object]], *, questions: bool = True) -> Path:
    """A capture workbook with `cells` ({sheet: {"A2": value}}) filled in."""
    data = capture_workbook(practice_name="Test Clinic", cadence="monthly", questions=questions)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for sheet, values in cells.items():
        for ref, v in values.items():
            wb[sheet][ref] = v
    wb.save(path)
    return path


GOOD = {
    # decisions: decision, lead, review_date, metric_id, area, date, cadence, decision_id
    "decisions": {"A2": "One supplier for clinical supplies", "B2": "Administrator", "C2": "2025-07-01",
                  "D2": "overhead_ratio_clinical_supplies",
                  "A3": "Chart perio at every recall", "B3": "physician", "D3": "quality_perio_charting",
                  "E3": "quality_commitment", "F3": dt.datetime(2025, 4, 8)},
    # action_plan: title, owner, due_date, area, metric_id, created_date, status, item_id, completed_date
    "action_plan": {"A2": "Call two suppliers", "B2": "administrator", "C2": dt.datetime(2025, 5, 15),
                    "E2": "overhead_ratio_clinical_supplies"},
    # focus_areas: area, note, chosen_date, closed_date
    "focus_areas": {"A2": "Recognition", "B2": "Say thank you, in person"},
    # partner_questions: respondent, question, answer, date — rows pre-filled, C2 = the physician's first answer
    "partner_questions": {"C2": "Supply costs, again", "C8": "Being heard"},
}


@pytest.fixture
def clinic(tmp_path):
    folder = make_practice(tmp_path, {"focus_areas.csv": None, "decisions.csv": None})
    return tmp_path, folder


def test_capture_workbook_is_the_tables_and_is_deterministic():
    a = capture_workbook(practice_name="Test", cadence="quarterly", meeting_date=MEETING, rows=3)
    assert a == capture_workbook(practice_name="Test", cadence="quarterly", meeting_date=MEETING, rows=3)
    wb = openpyxl.load_workbook(io.BytesIO(a))
    assert set(CAPTURE_TABLES) <= set(wb.sheetnames)
    for t in CAPTURE_TABLES:
        header = [c.value for c in wb[t][1] if c.value]
        assert set(TABLES[t].column_names) <= set(header), t  # every column of the table, same names
        assert wb[t].data_validations.dataValidation, f"{t}: coded columns have dropdowns"
    assert [c.value for c in wb["decisions"][2]][5:7] == [dt.datetime(2025, 4, 9), "quarterly"]
    assert wb["partner_questions"].max_row == 11  # both partners x five questions, answers blank


def test_next_ids_follow_the_practice_numbering():
    assert next_ids(pd.Series(["AP01", "AP09", "AP11", "x"]), "action_plan", 2) == ["AP12", "AP13"]
    assert next_ids(pd.Series(["i1", "i2"]), "action_plan", 1) == ["i3"]
    assert next_ids(pd.Series([], dtype=object), "decisions", 2) == ["D01", "D02"]


def test_a_filled_capture_round_trips(clinic):
    root, folder = clinic
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    rep = record(PID, _fill(root / "capture.xlsx", GOOD), root, meeting_date=MEETING)
    assert rep.ok, rep.problems
    added = {a.table: a for a in rep.added}
    assert {t: a.rows for t, a in added.items()} == {"decisions": 2, "action_plan": 1, "focus_areas": 1,
                                                     "partner_questions": 2}
    assert added["decisions"].created and added["decisions"].ids == ["D01", "D02"]
    assert added["action_plan"].ids == ["i3"] and not added["action_plan"].created
    # every byte of the files that were there is still there, at the start of the file
    for name, old in before.items():
        assert (folder / name).read_bytes().startswith(old), name
    untouched = {n for n in before if n.split(".")[0] not in added}
    assert all((folder / n).read_bytes() == before[n] for n in untouched)
    # the previous versions are kept
    backup = folder / rep.backup
    assert sorted(p.name for p in backup.iterdir()) == ["action_plan.csv", "partner_questions.csv"]
    assert (backup / "action_plan.csv").read_bytes() == before["action_plan.csv"]
    # and the practice reads back the rows as captured, with the blanks filled
    p = load_practice(PID, root)
    d = p.tables["decisions"].set_index("decision_id")
    assert d.loc["D01", ["lead", "metric_id", "cadence"]].tolist() == [
        "administrator", "overhead_ratio_clinical_supplies", "monthly"]
    assert d.loc["D01", "date"] == pd.Timestamp(MEETING) and d.loc["D02", "date"] == pd.Timestamp("2025-04-08")
    assert d.loc["D01", "review_date"] == pd.Timestamp("2025-07-01")
    a = p.tables["action_plan"].set_index("item_id").loc["i3"]
    assert (a["title"], a["status"], a["created_date"], a["due_date"]) == (
        "Call two suppliers", "open", pd.Timestamp(MEETING), pd.Timestamp("2025-05-15"))
    f = p.tables["focus_areas"].iloc[0]
    assert (f["area"], f["note"], f["chosen_date"]) == ("recognition", "Say thank you, in person", pd.Timestamp(MEETING))
    q = p.tables["partner_questions"]
    new = q[q["date"] == pd.Timestamp(MEETING)].set_index("question")
    assert new.loc["biggest_challenge", ["respondent", "answer"]].tolist() == ["physician", "Supply costs, again"]
    assert new.loc["success_this_year", ["respondent", "answer"]].tolist() == ["administrator", "Being heard"]
    # recording the same capture again adds nothing and says why
    again = record(PID, root / "capture.xlsx", root, meeting_date=MEETING)
    assert not again.ok and any("already in the practice's decisions" in x and "rows 2, 3" in x for x in again.problems)


def test_a_bad_capture_is_rejected_naming_each_row_and_writes_nothing(clinic):
    root, folder = clinic
    hashes = folder_hashes(folder)
    bad = {
        "decisions": {"A2": "Renew the contract", "B2": "the manager", "D2": "supplies_overhead",
                      "A3": "Fine decision", "B3": "joint", "C3": "2025-01-01"},
        "action_plan": {"A2": "Call supplier", "B2": "administrator", "C2": "next week",
                        "A4": "Same id", "B4": "both", "C4": "2025-06-01", "H4": "i1"},
    }
    rep = record(PID, _fill(root / "bad.xlsx", bad), root, meeting_date=MEETING)
    assert not rep.ok and not rep.added and rep.backup is None
    text = "\n".join(rep.problems)
    assert "bad.xlsx › decisions, row 2, column lead" in text and "'the manager'" in text
    assert "bad.xlsx › decisions, row 2, column metric_id" in text and "'supplies_overhead'" in text
    assert "bad.xlsx › action_plan, row 2, column due_date" in text and "next week" in text
    assert "bad.xlsx › action_plan, row 4, column item_id" in text and "'i1'" in text
    assert len(rep.problems) == 4  # the unreadable date is not reported a second time as missing
    # a review before the decision is a warning, not a rejection
    assert any("decisions, row 3" in w and "review" in w for w in rep.warnings)
    assert folder_hashes(folder) == hashes and not (folder / "backups").exists()


def test_the_cli_records_and_rejects(clinic):
    root, folder = clinic
    runner = CliRunner()
    good = _fill(root / "capture.xlsx", {"focus_areas": GOOD["focus_areas"]})
    r = runner.invoke(app, ["record", PID, str(good), "--date", "2025-04-09", "--dry-run", "--data-dir", str(root)])
    assert r.exit_code == 0, r.output
    assert "Would add 1 row to focus_areas.csv" in r.output and not (folder / "focus_areas.csv").exists()
    r = runner.invoke(app, ["record", PID, str(good), "--date", "2025-04-09", "--data-dir", str(root)])
    assert r.exit_code == 0 and "Added 1 row to focus_areas.csv — a new file" in r.output
    bad = _fill(root / "bad.xlsx", {"focus_areas": {"A2": "listening"}})
    r = runner.invoke(app, ["record", PID, str(bad), "--data-dir", str(root)])
    assert r.exit_code == 1 and "row 2" in r.output and "nothing was recorded" in r.output
    r = runner.invoke(app, ["record", PID, str(root / "missing.xlsx"), "--data-dir", str(root)])
    assert r.exit_code == 2 and "no file" in r.output
    r = runner.invoke(app, ["record", PID, str(good), "--date", "09/04/2025", "--data-dir", str(root)])
    assert r.exit_code == 2


def test_record_keeps_each_files_own_format(tmp_path):
    """US dates, semicolons and cp1252 in the practice's files: new rows are written the same way;
    a table kept as a sheet of the practice workbook gets its rows appended to that sheet; a capture
    CSV named after a table works too; a column the file lacks is asked for, not silently added."""
    yaml_extra = 'date_format: "%m/%d/%Y"\n'
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "decisions"
    ws.append(["decision_id", "date", "cadence", "decision", "lead", "metric_id", "area", "review_date"])
    ws.append(["D7", dt.datetime(2025, 3, 12), "monthly", "Hire a hygienist", "joint", None, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    folder = make_practice(tmp_path, {
        "partner_questions.csv": ("date;respondent;question;answer\n"
                                  "03/01/2025;physician;biggest_challenge;Café supplies\n").encode("cp1252"),
        "action_plan.csv": ("item_id,title,area,owner,created_date,due_date,status,completed_date\n"
                            "i1,Weekly huddle,clear_communication,both,01/10/2025,02/10/2025,done,02/01/2025\n"),
        f"{PID}.xlsx": buf.getvalue(), "decisions.csv": None, "focus_areas.csv": None,
    }, yaml_extra=yaml_extra)
    old_q = (folder / "partner_questions.csv").read_bytes()
    cap = _fill(tmp_path / "cap.xlsx", {"partner_questions": {"C7": "Très bien"},
                                          "decisions": {"A2": "Keep the hygienist", "B2": "joint"}})
    rep = record(PID, cap, tmp_path, meeting_date=MEETING)
    assert rep.ok, rep.problems
    q = (folder / "partner_questions.csv").read_bytes()
    assert q.startswith(old_q) and q[len(old_q):] == "04/09/2025;administrator;biggest_challenge;Très bien\n".encode("cp1252")
    sheet = openpyxl.load_workbook(folder / f"{PID}.xlsx")["decisions"]
    assert [c.value for c in sheet[2]][:4] == ["D7", dt.datetime(2025, 3, 12), "monthly", "Hire a hygienist"]
    assert [c.value for c in sheet[3]][:5] == ["D8", dt.datetime(2025, 4, 9), "monthly", "Keep the hygienist", "joint"]
    assert load_practice(PID, tmp_path).tables["decisions"]["decision_id"].tolist() == ["D7", "D8"]
    # a CSV capture named after its table
    (tmp_path / "action_plan.csv").write_text("title,owner,due_date,metric_id\nCall supplier,administrator,"
                                              "2025-05-01,overhead_ratio_clinical_supplies\n")
    rep = record(PID, tmp_path / "action_plan.csv", tmp_path, meeting_date=MEETING)
    assert not rep.ok and "has no column metric_id" in rep.problems[0]
    (tmp_path / "action_plan.csv").write_text("title,owner,due_date\nCall supplier,administrator,05/01/2025\n")
    rep = record(PID, tmp_path / "action_plan.csv", tmp_path, meeting_date=MEETING)
    assert rep.ok, rep.problems
    assert (folder / "action_plan.csv").read_text().endswith("i2,Call supplier,,administrator,04/09/2025,05/01/2025,open,\n")


def test_two_records_at_once_add_the_rows_once(clinic):
    """The practice folder is locked from reading to writing: the second of two simultaneous records
    of the same capture finds the rows already there."""
    from concurrent.futures import ThreadPoolExecutor

    root, folder = clinic
    cap = _fill(root / "capture.xlsx", {"focus_areas": GOOD["focus_areas"]})
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda _: record(PID, cap, root, meeting_date=MEETING), range(2)))
    assert sorted(r.ok for r in reports) == [False, True]
    assert "already in the practice's focus_areas" in next(r for r in reports if not r.ok).problems[0]
    assert len(load_practice(PID, root).tables["focus_areas"]) == 1


def test_a_read_only_practice_folder_is_one_sentence(clinic):
    import os
    import subprocess

    root, folder = clinic
    cap = _fill(root / "capture.xlsx", {"focus_areas": GOOD["focus_areas"]})
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root on a file system without chattr +i: no folder can be made read-only")
    try:
        hashes = folder_hashes(folder)
        r = CliRunner().invoke(app, ["record", PID, str(cap), "--data-dir", str(root)])
        assert r.exit_code == 2 and "cannot write" in r.output and "Traceback" not in r.output
        assert folder_hashes(folder) == hashes
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)
