"""`dyad new`: a practice folder to fill in, that loads, and that never escapes or overwrites."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.contract import TABLES
from dyad_lib.data.load import load_practice

runner = CliRunner()


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_creates_yaml_and_header_only_csvs_that_load(tmp_path):
    result = runner.invoke(app, ["new", "lakeside-dental", "--kind", "dental", "--name", "Lakeside Dental",
                                 "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "lakeside-dental"
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(["practice.yaml"] + [f"{t}.csv" for t in TABLES])
    assert len(files) == len(TABLES) + 1
    for name, table in TABLES.items():
        lines = (folder / f"{name}.csv").read_text().splitlines()
        assert lines == [",".join(table.column_names)]  # header only, every column of the contract
    config = yaml.safe_load((folder / "practice.yaml").read_text())
    assert config["practice_id"] == "lakeside-dental"
    assert (config["name"], config["kind"]) == ("Lakeside Dental", "dental")
    practice = load_practice("lakeside-dental", tmp_path, collect=True)
    assert set(practice.tables) == set(TABLES)
    assert all(len(df) == 0 for df in practice.tables.values())
    missing = [i for i in practice.issues if "missing" in str(i).lower() and i.column]
    assert missing == []
    assert [i for i in practice.issues if i.severity == "blocking"] == []


def test_new_uses_the_data_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DYAD_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["new", "maple-clinic", "--kind", "medical"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "maple-clinic" / "practice.yaml").read_text())
    assert config["kind"] == "medical"
    assert config["name"] == "Maple Clinic"  # derived from the slug when no --name is given


@pytest.mark.parametrize("bad", ["../x", "Harbor", "a", "-lead", "has space", "x/y", "under_score"])
def test_new_refuses_invalid_ids_with_usage_error(tmp_path, bad):
    result = runner.invoke(app, ["new", bad, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "x").exists()


def test_new_refuses_an_unknown_kind(tmp_path):
    result = runner.invoke(app, ["new", "some-practice", "--kind", "veterinary", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_an_existing_folder_and_changes_nothing(tmp_path):
    folder = tmp_path / "harbor-dental"
    folder.mkdir()
    (folder / "practice.yaml").write_text("practice_id: harbor-dental\nname: Mine\n")
    (folder / "financials.csv").write_text("month,gross_production,adjustments,collections\n2025-01,1,0,1\n")
    before = _snapshot(tmp_path)
    result = runner.invoke(app, ["new", "harbor-dental", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert _snapshot(tmp_path) == before
