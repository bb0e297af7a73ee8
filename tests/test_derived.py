"""Computed once, shown many times: the components and the partnership history kept in the snapshot
give exactly what computing them in the report would.

- the partnership metrics from the history equal the direct computation from the tables, for
  every month, quarter, fiscal year, year to date and trailing twelve months of the fixtures and
  the demo practices (edge cases: a one-partner assessment, meetings of every cadence, dropped and
  late action items, open conflicts, tables missing);
- stored components and history read back equal to built ones;
- the orchestrator writes them once per snapshot, a report reads them, and a replaced table, a
  missing file or other code means they are computed again, never served stale.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dyad_lib.data.load import load_practice
from dyad_lib.data.snapshot import _write_snapshot, read_snapshot_folder
from dyad_lib.metrics import components as comp_mod
from dyad_lib.metrics import derived
from dyad_lib.metrics import partnership as part
from dyad_lib.metrics.periods import parse_period
from tests.partnership_fixtures import ACTIONS, CONFLICTS, MAIN_ASSESSMENT, MEETINGS, main_practice, write_practice

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data"


def every_period(month_years: range, quarter_years: range, fy: int):
    """Every month (with its year to date and trailing twelve months) of `month_years`, every
    quarter and fiscal year of `quarter_years`."""
    for y in month_years:
        for m in range(1, 13):
            month = parse_period(f"{y}-{m:02d}", fy)
            yield from (month, month.view("ytd"), month.view("t12"))
    for y in quarter_years:
        for q in range(1, 5):
            yield parse_period(f"{y}Q{q}", fy)
        yield parse_period(f"FY{y}", fy)


def assert_history_matches(practice, month_years: range, quarter_years: range) -> int:
    n = 0
    for period in every_period(month_years, quarter_years, practice.config.fiscal_year_start_month):
        assert part.partnership_metrics(practice, period) == part.direct_partnership_metrics(practice, period), period
        n += 1
    return n


def test_history_equals_direct_on_the_fixture(tmp_path):
    assert assert_history_matches(main_practice(tmp_path), range(2026, 2027), range(2025, 2028)) > 40


@pytest.mark.parametrize("tables", [
    {},  # no partnership table at all
    {"meetings": MEETINGS},
    {"dyad_assessment": MAIN_ASSESSMENT, "action_plan": ACTIONS},
    {"conflicts": CONFLICTS, "meetings": "date,cadence,held,duration_minutes\n2026-07-06,weekly,,\n"},
], ids=["none", "meetings-only", "assessment-actions", "conflicts-blank-held"])
def test_history_equals_direct_with_tables_missing(tmp_path, tables):
    assert_history_matches(write_practice(tmp_path, tables, fy=7), range(2026, 2027), range(2026, 2028))


def test_history_equals_direct_on_a_demo_practice():
    if not (DEMO / "harbor-dental" / "practice.yaml").is_file():
        pytest.skip("demo data not generated")
    assert_history_matches(load_practice("harbor-dental", DEMO), range(2026, 2027), range(2023, 2027))


def _snapshot(tmp_path: Path, practice) -> Path:
    folder = tmp_path / "cache" / practice.practice_id / "0123456789abcdef"
    _write_snapshot(folder, practice, {"ok": True, "fingerprint": "0123456789abcdef"})
    return folder


class Prepared:
    def __init__(self, pid: str, folder: Path):
        self.practice_id, self.snapshot_dir, self.ok = pid, folder, True


def test_stored_equal_built_and_written_once(tmp_path, monkeypatch):
    src = main_practice(tmp_path / "data")
    folder = _snapshot(tmp_path, src)
    prepared = Prepared(src.practice_id, folder)
    assert derived.ensure(prepared, tmp_path / "data")
    assert not derived.ensure(prepared, tmp_path / "data")  # already there: nothing computed again

    practice = read_snapshot_folder(src.practice_id, folder, tmp_path / "data")
    built = comp_mod.build_components(practice)
    stored = comp_mod.stored_components(folder, practice)
    pd.testing.assert_frame_equal(stored.monthly, built.monthly)
    for name in ("visit_patient", "visit_month", "first_visit_month"):
        assert np.array_equal(getattr(stored, name), getattr(built, name))
    for name in ("kind", "active_months", "fin_start", "fin_end", "appt_start", "tables", "measure_names"):
        assert getattr(stored, name) == getattr(built, name)
    history = part.stored_history(folder, practice)
    assert history is not None and history.to_json() == part.build_history(practice).to_json()

    # a report reads what was kept: nothing is aggregated again
    def boom(*a, **k):
        raise AssertionError("recomputed in the report")

    monkeypatch.setattr(comp_mod, "build_components", boom)
    monkeypatch.setattr(part, "build_history", boom)
    assert comp_mod.components(practice) is not None
    assert part.partnership_history(practice) is not None


def test_never_served_stale(tmp_path, monkeypatch):
    src = main_practice(tmp_path / "data")
    folder = _snapshot(tmp_path, src)
    derived.ensure(Prepared(src.practice_id, folder), tmp_path / "data")

    # a table replaced after reading: computed from the tables in hand
    practice = read_snapshot_folder(src.practice_id, folder, tmp_path / "data")
    practice.tables["meetings"] = practice.tables["meetings"].iloc[:0]
    assert practice.from_snapshot() is None
    assert part.partnership_history(practice).meetings["weekly"][0].size == 0

    # other code, or a file gone: not used (and the orchestrator writes them again)
    fresh = read_snapshot_folder(src.practice_id, folder, tmp_path / "data")
    monkeypatch.setattr(comp_mod, "code_version", lambda: "another-version")
    assert comp_mod.stored_components(folder, fresh) is None
    monkeypatch.undo()
    (folder / part.STORED_HISTORY).unlink()
    assert part.stored_history(folder, fresh) is None
    assert derived.ensure(Prepared(src.practice_id, folder), tmp_path / "data")
    assert part.stored_history(folder, fresh) is not None


def test_a_read_only_snapshot_costs_only_the_computation(tmp_path, monkeypatch):
    src = main_practice(tmp_path / "data")
    folder = _snapshot(tmp_path, src)

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(comp_mod, "_replace_into", full)
    assert derived.ensure(Prepared(src.practice_id, folder), tmp_path / "data") is False
    practice = read_snapshot_folder(src.practice_id, folder, tmp_path / "data")
    assert comp_mod.components(practice).fin_start == pd.Timestamp("2026-07-01")
    shutil.rmtree(folder)
