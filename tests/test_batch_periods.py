"""A batch's period mapped to each report by the kind of period it takes (dyad_lib.pipeline.periods)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import dyad_lib.pipeline.runner as runner
from dyad_lib.cli.app import app
from dyad_lib.metrics.periods import PeriodError
from dyad_lib.pipeline.periods import data_months, map_period, planning_year
from dyad_lib.metrics.periods import parse_period
from pipeline_helpers import TEST_NOTEBOOKS, fake_prepared

DATA = (pd.Timestamp("2023-01-01"), pd.Timestamp("2026-09-01"))


def test_a_quarter_gives_the_quarterly_report_and_the_monthly_review_of_each_month():
    assert map_period(("quarter",), "2026Q3", 1, DATA).periods == ("2026Q3",)
    m = map_period(("month",), "2026Q3", 1, DATA)
    assert m.periods == ("2026-07", "2026-08", "2026-09") and m.note == "each month of 2026Q3"
    # a report for a month or a quarter (the meeting brief) takes the quarter itself
    assert map_period(("month", "quarter"), "2026Q3", 1, DATA).periods == ("2026Q3",)
    # a report over any period and the portfolio take it as it is; the data quality the latest data
    assert map_period(("any",), "2026Q3", 1, DATA).periods == ("2026Q3",)
    assert map_period(("latest",), "2026Q3", 1, DATA).periods == ("latest",)
    assert map_period(("latest",), "2026-08", 1, DATA).periods == ("2026-08",)


def test_the_annual_goals_take_the_fiscal_year_of_the_period_or_the_next_one_and_say_so():
    m = map_period(("fiscal_year",), "2026Q3", 1, DATA)
    assert m.periods == ("FY2026",) and m.note == "FY2026, the fiscal year 2026Q3 belongs to"
    m = map_period(("fiscal_year",), "2026Q4", 1, None)  # the quarter that closes its fiscal year
    assert m.periods == ("FY2027",) and m.note.startswith("FY2027, the fiscal year after 2026Q4")
    # a fiscal year starting in July: 2026Q3 is the first quarter of FY2027, 2026Q2 the last of FY2026
    assert map_period(("fiscal_year",), "2026Q3", 7, DATA).periods == ("FY2027",)
    assert map_period(("fiscal_year",), "2026Q2", 7, DATA).periods == ("FY2027",)
    assert planning_year(parse_period("2026-03", 7))[0].label == "FY2026"
    assert planning_year(parse_period("2026-05", 7))[0].label == "FY2027"  # in the last quarter of FY2026
    assert map_period(("fiscal_year",), "FY2027", 1, DATA).periods == ("FY2027",)


def test_a_report_that_cannot_apply_says_why():
    m = map_period(("quarter",), "2026-08", 1, DATA)
    assert not m.applies and "does not close a quarter" in m.reason and "2026Q3 ends September 2026" in m.reason
    assert map_period(("quarter",), "2026-09", 1, DATA).periods == ("2026Q3",)
    # periods the data do not cover: not over yet, or before the data start
    m = map_period(("quarter",), "2026Q4", 1, DATA)
    assert not m.applies and "the data end 2026-09" in m.reason
    m = map_period(("month",), "2026Q4", 1, DATA)
    assert not m.applies and "no month of 2026Q4 is in the data" in m.reason
    assert map_period(("month",), "2023Q1", 1, DATA).periods == ("2023-01", "2023-02", "2023-03")
    assert not map_period(("month",), "2022-12", 1, DATA).applies
    with pytest.raises(PeriodError):
        map_period(("month",), "2026Q5", 1, DATA)


def test_a_fiscal_year_gives_its_quarters_and_months_in_the_data():
    m = map_period(("quarter",), "FY2026", 1, DATA)
    assert m.periods == ("2026Q1", "2026Q2", "2026Q3")
    m = map_period(("month",), "FY2026", 1, DATA)
    assert m.periods[0] == "2026-01" and m.periods[-1] == "2026-09" and "(9 of 12)" in m.note


def test_data_months_from_the_validation_summary():
    assert data_months({"tables": {"financials": {"date_range": ["2023-01", "2026-09"]}}}) == DATA
    assert data_months({}) is None and data_months(None) is None


@pytest.fixture
def kinds_notebooks(tmp_path):
    """Test notebooks that declare each kind of period (fast: no practice data read)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, period, requires in (("monthly", "month", None), ("quarterly", "quarter", None),
                                   ("yearly", "fiscal_year", ["expenses"]), ("anytime", "any", None)):
        nb = json.loads((TEST_NOTEBOOKS / "ok.ipynb").read_text())
        nb["metadata"]["dyad"] = {"title": "Test report", "period": period, **({"requires": requires} if requires else {})}
        (folder / f"{name}.ipynb").write_text(json.dumps(nb))
    return folder


def _prepared(practice_id: str):
    p = fake_prepared(practice_id)
    p.summary["tables"] = {"financials": {"date_range": ["2023-01", "2026-09"]}}
    return p


def test_dyad_batch_maps_a_quarter_and_lists_what_does_not_apply(tmp_path, kinds_notebooks, monkeypatch):
    monkeypatch.setattr(runner, "prepare", lambda p, d, c: _prepared(p))
    (tmp_path / "data" / "test-practice").mkdir(parents=True)
    (tmp_path / "data" / "test-practice" / "practice.yaml").write_text(
        "practice_id: test-practice\nname: Test\nkind: dental\n")
    opts = ["--data-dir", str(tmp_path / "data"), "--reports-dir", str(tmp_path / "reports"),
            "--cache-dir", str(tmp_path / "cache"), "--notebooks-dir", str(kinds_notebooks), "--workers", "1"]
    res = CliRunner().invoke(app, ["batch", "--period", "2026Q3", *opts], terminal_width=300)
    out = " ".join(res.output.split())
    assert res.exit_code == 0, res.output  # "not applicable" is never a failure
    latest = json.loads((tmp_path / "reports" / "manifest.json").read_text())["reports"]
    status = {k: v["status"] for k, v in latest.items()}
    assert status == {"test-practice/2026-07/monthly": "ok", "test-practice/2026-08/monthly": "ok",
                      "test-practice/2026-09/monthly": "ok", "test-practice/2026Q3/quarterly": "ok",
                      "test-practice/2026Q3/anytime": "ok", "test-practice/2026Q3/yearly": "not applicable"}
    assert "needs the expenses table" in latest["test-practice/2026Q3/yearly"]["error"]
    assert "monthly: each month of 2026Q3" in out and "not applicable" in out
    index = (tmp_path / "reports" / "index.html").read_text()
    assert "not applicable" in index and "needs the expenses table" in index and "each month of 2026Q3" in index
    # a month that does not close a quarter: the quarterly report does not apply, still exit 0
    res = CliRunner().invoke(app, ["batch", "--period", "2026-08", "--reports", "quarterly", *opts],
                             terminal_width=300)
    assert res.exit_code == 0 and "does not close a quarter" in " ".join(res.output.split())
    # a period that is not one is a usage error, before anything is written
    shutil.rmtree(tmp_path / "reports")
    res = CliRunner().invoke(app, ["batch", "--period", "2026Q9", *opts])
    assert res.exit_code == 2 and not (tmp_path / "reports").exists()
