"""`dyad import opendental` on the command line: the summary, the exit codes the README states, one
clear line per bad input, nothing written, and never a password in the output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dyad_lib.cli.app import app

sys.path.insert(0, str(Path(__file__).parent))
from opendental_helpers import IMPORT_PASSWORD, trap_db  # noqa: E402

runner = CliRunner()
SECRET = "hunter2-Secret"


@pytest.fixture(scope="module")
def trap_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("od-cli") / "trap.db"
    trap_db().write(sa.create_engine(f"sqlite:///{path}"))
    return path


def invoke(tmp_path, *args, password: str | None = SECRET):
    env = {"DYAD_CACHE_DIR": str(tmp_path / "cache"), "DYAD_IMPORT_PASSWORD": password}
    return runner.invoke(app, ["import", "opendental", *args, "--data-dir", str(tmp_path / "data")], env=env,
                         terminal_width=200)


def one_line_error(res) -> str:
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in res.output, res.output
    assert SECRET not in res.output and IMPORT_PASSWORD not in res.output
    return errors[0]


def test_import_prints_the_summary_and_validates(trap_file, tmp_path):
    res = invoke(tmp_path, "trap-dental", "--url", f"sqlite:///{trap_file}", "--from", "2024-01", "--to", "2024-02")
    assert res.exit_code == 0, res.output
    assert "largest difference $0.00" in res.output
    assert "A/R at the last aging run (2024-02-29): ledger $1,109.00, stored aging $1,109.00" in res.output
    assert "Nothing blocks the reports" in res.output
    assert (tmp_path / "data" / "trap-dental" / "import-report.json").is_file()


def test_existing_practice_needs_overwrite(trap_file, tmp_path):
    args = ["trap-dental", "--url", f"sqlite:///{trap_file}", "--from", "2024-01"]
    assert invoke(tmp_path, *args).exit_code == 0
    before = sorted(p.name for p in (tmp_path / "data").iterdir())
    res = invoke(tmp_path, *args)
    assert res.exit_code == 2
    assert "already exists" in one_line_error(res)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == before


@pytest.mark.parametrize("url, code, words", [
    (f"mysql+pymysql://reader:{SECRET}@db.example/od", 2, "must not contain a password"),
    ("mysql+pymysql://reader@127.0.0.1:1/opendental", 2, "cannot reach the database server at 127.0.0.1:1"),
    ("postgresql://reader@db/od", 2, "MariaDB/MySQL or SQLite"),
    ("sqlite:///no/such/file.db", 2, "no SQLite database file named file.db"),
    ("not a url", 2, "not a database URL"),
])
def test_bad_urls(tmp_path, url, code, words):
    res = invoke(tmp_path, "x-dental", "--url", url)
    assert res.exit_code == code, res.output
    assert words in one_line_error(res)
    assert not (tmp_path / "data").exists()


def test_not_open_dental_and_empty_range(trap_file, tmp_path):
    other = tmp_path / "other.db"
    e = sa.create_engine(f"sqlite:///{other}")
    with e.begin() as c:
        c.exec_driver_sql("CREATE TABLE invoices (id INTEGER)")
    res = invoke(tmp_path, "x-dental", "--url", f"sqlite:///{other}")
    assert res.exit_code == 1 and "not an Open Dental database" in one_line_error(res)
    res = invoke(tmp_path, "x-dental", "--url", f"sqlite:///{trap_file}", "--from", "2024-02", "--to", "2024-01")
    assert res.exit_code == 2 and "range is empty" in one_line_error(res)
    res = invoke(tmp_path, "x-dental", "--url", f"sqlite:///{trap_file}", "--from", "2019-01", "--to", "2019-02")
    assert res.exit_code == 1 and "nothing to import" in one_line_error(res)
    assert not (tmp_path / "data").exists()


def test_mariadb_credentials_and_database(mariadb, tmp_path):
    mariadb.create_database("od_cli").dispose()
    res = invoke(tmp_path, "x-dental", "--url", mariadb.import_url("od_cli"), password="wrong-password")
    assert res.exit_code == 2
    line = one_line_error(res)
    assert "refused the user 'reader'" in line and "wrong-password" not in res.output
    res = invoke(tmp_path, "x-dental", "--url", mariadb.import_url("no_such_db"), password=IMPORT_PASSWORD)
    assert res.exit_code == 2
    assert "no database named 'no_such_db'" in one_line_error(res) or "may not read" in one_line_error(res)
    res = invoke(tmp_path, "x-dental", "--url", mariadb.import_url("od_cli"), password=IMPORT_PASSWORD)
    assert res.exit_code == 1 and "not an Open Dental database" in one_line_error(res)
    assert not (tmp_path / "data").exists()


def test_openemr_import_on_the_command_line(tmp_path):
    from openemr_helpers import trap_db as openemr_trap

    path = tmp_path / "oe.db"
    openemr_trap().write(sa.create_engine(f"sqlite:///{path}"))
    env = {"DYAD_CACHE_DIR": str(tmp_path / "cache"), "DYAD_IMPORT_PASSWORD": SECRET}
    args = ["import", "openemr", "maple-clinic", "--url", f"sqlite:///{path}", "--from", "2024-01", "--to", "2024-02",
            "--data-dir", str(tmp_path / "data")]
    res = runner.invoke(app, args, env=env, terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "Reconciled with OpenEMR's own figures: 2 month(s), largest difference $0.00" in res.output
    assert "Nothing blocks the reports" in res.output and SECRET not in res.output
    res = runner.invoke(app, args, env=env, terminal_width=200)
    assert res.exit_code == 2 and "already exists" in one_line_error(res)
    res = runner.invoke(app, ["import", "openemr", "x-clinic", "--url", "postgresql://u@h/db", "--data-dir",
                              str(tmp_path / "data")], env=env, terminal_width=200)
    assert res.exit_code == 2 and "MariaDB/MySQL or SQLite" in one_line_error(res)
