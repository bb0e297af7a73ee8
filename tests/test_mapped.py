"""Mapping files: the two shipped examples import and validate; every problem of a mapping, or of the
data it maps, is listed at once; nothing is dropped silently; patient keys become opaque."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.paths import PROJECT_ROOT
from dyad_lib.importers.mapped import import_mapped
from dyad_lib.importers.opendental import import_opendental
from dyad_lib.importers.problems import SourceProblem, UsageProblem

sys.path.insert(0, str(Path(__file__).parent))
from opendental_helpers import trap_db  # noqa: E402

EX = PROJECT_ROOT / "examples" / "mappings"
PNL, PNL_MAP = EX / "fixtures" / "pnl_by_month.csv", EX / "accounting_pnl.yaml"
APPTS, APPTS_MAP = EX / "fixtures" / "appointment_report.csv", EX / "appointment_report.yaml"


def edited(tmp_path, path: Path, change) -> Path:
    spec = yaml.safe_load(path.read_text())
    change(spec)
    out = tmp_path / path.name
    out.write_text(yaml.safe_dump(spec, sort_keys=False))
    return out


def test_profit_and_loss_by_month_becomes_expenses(tmp_path):
    r = import_mapped(PNL_MAP, [PNL], "pnl-dental", data_dir=tmp_path)
    e = pd.read_csv(tmp_path / "pnl-dental" / "expenses.csv").set_index(["month", "category"])["amount"]
    assert len(e) == 66  # 11 categories × 6 months
    assert e[("2025-01", "facility")] == 6800 + 612.33  # rent + utilities
    assert e[("2025-01", "staff_wages")] == 18210 + 6480
    assert e[("2025-01", "office_admin")] == round(402.18 + 689 + 840, 2)
    assert e[("2025-06", "owner_compensation")] == 28000
    assert sorted((x.reason, x.rows) for x in r.report.excluded)[0] == \
        ("dropped on purpose by the mapping (Account = Dental Income)", 6)


def test_appointment_report_added_to_an_imported_practice(tmp_path):
    db = tmp_path / "od.db"
    trap_db().write(sa.create_engine(f"sqlite:///{db}"))
    first = import_opendental(f"sqlite:///{db}", "lake-dental", data_dir=tmp_path / "data", start="2024-01")
    assert (first.folder / "import-report.json").is_file()
    with pytest.raises(UsageProblem, match="already exists"):
        import_mapped(APPTS_MAP, [APPTS], "lake-dental", data_dir=tmp_path / "data")
    r = import_mapped(APPTS_MAP, [APPTS], "lake-dental", data_dir=tmp_path / "data", overwrite=True)
    folder = r.folder
    assert {p.name for p in folder.iterdir()} >= {"appointments.csv", "financials.csv", "import-report.json",
                                                  "mapping-report.json", "practice.yaml"}
    a = pd.read_csv(folder / "appointments.csv")
    raw = pd.read_csv(APPTS, skiprows=2)
    assert len(a) == len(raw) == 102
    want = raw["Status"].map({"Completed": "completed", "Checked Out": "completed", "No Show": "no_show",
                              "Broken": "no_show", "Cancelled": "cancelled", "Canceled": "cancelled",
                              "Rescheduled": "cancelled", "Scheduled": "scheduled", "Confirmed": "scheduled"})
    assert a["status"].value_counts().to_dict() == want.value_counts().to_dict()
    assert a["patient_id"].str.fullmatch(r"P[0-9A-F]{12}").all() and not a["patient_id"].str.contains("PT-").any()
    assert a["date"].iloc[0] == "2025-01-06"


def test_unmapped_codes_are_listed_never_dropped(tmp_path):
    def drop_two(spec):
        m = spec["tables"]["expenses"]["columns"]["category"]["map"]
        del m["Rent"], m["Advertising"]

    with pytest.raises(SourceProblem, match=r"2 values the map of expenses.category does not cover: "
                                            r"'Advertising', 'Rent'"):
        import_mapped(edited(tmp_path, PNL_MAP, drop_two), [PNL], "pnl-dental", data_dir=tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_every_mapping_problem_in_one_error(tmp_path):
    def break_it(spec):
        spec["tables"]["expenses"]["colums"] = {}
        spec["tables"]["expense"] = {"source": "x.csv", "columns": {"month": "m"}}
        cols = spec["tables"]["appointments"] = {"source": "appointment_report.csv", "columns": {"date": "Date"}}
        cols["columns"]["chairs"] = {"from": "Minutes"}
        spec["tables"]["expenses"]["columns"]["category"]["map"]["Rent"] = "rent"

    with pytest.raises(UsageProblem) as info:
        import_mapped(edited(tmp_path, PNL_MAP, break_it), [PNL, APPTS], "pnl-dental", data_dir=tmp_path / "data")
    msg = str(info.value)
    for part in ("unknown key 'colums'", "'expense' is not a contract table", "'chairs' is not a column of appointments",
                 "appointment_id, provider_id, patient_id, chair_minutes, status, visit_type are not mapped",
                 "the map gives 'rent', not among the codes"):
        assert part in msg, msg
    assert msg.count("(") >= 5


def test_a_missing_source_column_and_an_unreadable_value(tmp_path):
    def rename(spec):
        spec["tables"]["appointments"]["columns"]["chair_minutes"] = {"from": "Length"}

    with pytest.raises(SourceProblem, match=r"has no column 'Length' .*its columns: Appt ID, Date, Time"):
        import_mapped(edited(tmp_path, APPTS_MAP, rename), [APPTS], "x-dental", data_dir=tmp_path / "data")
    bad = tmp_path / "appointment_report.csv"
    bad.write_text(APPTS.read_text().replace(",60,Completed,", ",sixty,Completed,", 1))
    with pytest.raises(SourceProblem, match=r"appointment_report.csv, row \d+, column chair_minutes: 1 value is not a "
                                            r"whole number: 'sixty'"):
        import_mapped(APPTS_MAP, [bad], "x-dental", data_dir=tmp_path / "data")


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    args = ["import", "mapped", "--mapping", str(PNL_MAP), str(PNL), "pnl-dental", "--data-dir", str(tmp_path / "d")]
    env = {"DYAD_CACHE_DIR": str(tmp_path / "cache")}
    res = runner.invoke(app, args, env=env)
    assert res.exit_code == 1, res.output  # imported, but a practice needs financials: validation blocks
    assert "the required table financials is missing" in res.output
    res = runner.invoke(app, args, env=env)
    assert res.exit_code == 2 and "already exists" in res.output
    res = runner.invoke(app, ["import", "mapped", "--mapping", str(tmp_path / "none.yaml"), str(PNL), "p-dental",
                              "--data-dir", str(tmp_path / "d")], env=env)
    assert res.exit_code == 2 and "no mapping file none.yaml" in res.output
