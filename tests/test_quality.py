"""The data-quality summary in words: tables, failures blocking first, the verdict, escaping;
and the data_quality notebook under plain papermill, also when validation blocks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dyad_lib.reports import data_quality as quality

sys.path.insert(0, str(Path(__file__).parent))
from validation_fixtures import CLEAN, PID, make_practice  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "data_quality.ipynb"


def _failure(severity, table, file, columns, message, rows=(), examples=()):
    return {"severity": severity, "table": table, "file": file, "check": "x", "columns": list(columns),
            "unexpected_count": max(len(rows), 1), "rows": list(rows), "examples": list(examples),
            "message": message, "explanation": "Why it matters.", "fix": "What to do.", "source": "rule"}


SUMMARY = {
    "practice_id": PID, "ok": False, "blocking_count": 2, "warning_count": 1,
    "tables": {
        "financials": {"file": "financials.csv", "rows": 36, "date_range": ["2023-01", "2025-12"], "checks": 18,
                       "failed": 2, "blocking": True},
        "expenses": {"file": "expenses.csv", "rows": 200, "date_range": ["2023-01", "2025-11"], "checks": 10,
                     "failed": 1, "blocking": False},
    },
    "failures": [
        _failure("warning", "expenses", "expenses.csv", ["month"], "month: 1 month of financials has no expenses — '2025-12'",
                 examples=["2025-12"]),
        _failure("blocking", "financials", "financials.csv", ["collections"],
                 "collections: 3 values are not amounts of money — rows 14, 15, 40: 'n/a'", [14, 15, 40], ["n/a"]),
        _failure("blocking", "financials", "financials.csv", ["adjustments", "gross_production"],
                 "adjustments, gross_production: 1 row has adjustments larger than gross_production — row 9", [9]),
    ],
    "missing_tables": [{"table": "capacity", "enables": "chair utilization", "collects": ""}],
}


def test_tables_frame():
    df = quality.tables_frame(SUMMARY)
    assert list(df["table"]) == ["financials", "expenses"]
    row = df.iloc[0]
    assert (row["rows"], row["date range"], row["checks run"], row["failed"], row["status"]) == (
        36, "2023-01 – 2025-12", 18, 2, "blocks reports")
    assert df.iloc[1]["status"] == "warnings"


def test_failures_frame_puts_blocking_first():
    df = quality.failures_frame(SUMMARY)
    assert list(df["severity"]) == ["blocking", "blocking", "warning"]
    assert df.iloc[0]["rows"] == "14, 15, 40" and df.iloc[0]["examples"] == "n/a"


def test_verdict_when_blocked():
    text = quality.verdict(SUMMARY)
    assert text.startswith("2 problems block the reports: 2 in financials.csv (collections; adjustments, "
                           "gross_production).")
    assert "1 warning can wait" in text


def test_verdict_when_only_warnings_and_when_clean():
    warn = {**SUMMARY, "ok": True, "failures": SUMMARY["failures"][:1]}
    assert quality.verdict(warn).startswith("The data is ready for the reports. 1 warning is worth a look: expenses")
    clean = {**SUMMARY, "ok": True, "failures": []}
    assert quality.verdict(clean) == "The data is ready for the reports: all 2 tables passed every check."


def test_client_text_is_escaped():
    evil = {**SUMMARY, "failures": [_failure("blocking", "expenses", "expenses.csv", ["category"],
                                             "category: 1 value is not one of the allowed codes — row 3: "
                                             "'<script>alert(1)</script>'", [3], ["<script>alert(1)</script>"])]}
    html = quality.failures_html(evil)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" not in quality.verdict_html(evil)


def test_failures_html_lists_blocking_with_fix_then_warnings():
    html = quality.failures_html(SUMMARY)
    assert html.index("2 problems to fix") < html.index("1 warning")
    assert html.count("What to do:") == 3
    assert "rows 14, 15, 40" in html


@pytest.mark.parametrize("period,label", [("latest", "latest data"), ("none", "latest data"), (None, "latest data"),
                                          ("2025-09", "2025-09")])
def test_period(period, label):
    assert quality.check_period(period) == label


def test_bad_period():
    with pytest.raises(ValueError):
        quality.check_period("FY2026")


@pytest.mark.slow
def test_notebook_renders_a_blocked_practice_under_papermill(tmp_path):
    import json

    import papermill as pm

    data, cache = tmp_path / "data", tmp_path / "cache"
    bad = CLEAN["expenses.csv"].replace("2025-01,facility", "2025-01,<b>Rent</b>", 1)
    make_practice(data, {"expenses.csv": bad})
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="dyad", progress_bar=False,
                        parameters={"practice_id": PID, "period": "latest", "data_dir": str(data),
                                    "cache_dir": str(cache)})
    nb = json.loads(out.read_text())
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert 'class="dq-verdict dq-blocked"' in html
    assert "1 problem blocks the reports: 1 in expenses.csv (category)" in html
    assert "&lt;b&gt;rent&lt;/b&gt;" in html and "<b>rent</b>" not in html
    assert "row 3" in html
    assert not any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))


def test_notebook_is_stored_clean():
    import json

    nb = json.loads(NOTEBOOK.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "dyad"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    src = "".join(code[0]["source"])
    for name in ("practice_id = ", "period = ", "data_dir = None", "cache_dir = None"):
        assert name in src
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "great_expectations" not in NOTEBOOK.read_text()
