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
    assert "delivered as they are" in html
    assert not any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))


@pytest.mark.slow
def test_notebook_shows_the_import_of_an_imported_practice(tmp_path):
    import json

    import papermill as pm
    import sqlalchemy as sa

    from dyad_lib.importers.opendental import import_opendental
    from opendental_helpers import trap_db

    db = tmp_path / "od.db"
    trap_db().write(sa.create_engine(f"sqlite:///{db}"))
    import_opendental(f"sqlite:///{db}", "trap-dental", data_dir=tmp_path / "data", start="2024-01")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="dyad", progress_bar=False,
                        parameters={"practice_id": "trap-dental", "period": "latest",
                                    "data_dir": str(tmp_path / "data"), "cache_dir": str(tmp_path / "cache")})
    nb = json.loads(out.read_text())
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "Every one of the 2 months matches Open Dental&#39;s own Production &amp; Income figures to the cent" in html
    assert 'class="dq-verdict dq-ok"' in html
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


# --- where the data came from ------------------------------------------------------------------------------


def test_the_import_section_shows_the_reconciliation_and_hides_the_connection(tmp_path):
    import json

    import sqlalchemy as sa

    from dyad_lib.importers.opendental import import_opendental
    from opendental_helpers import trap_db

    db = tmp_path / "od.db"
    trap_db().write(sa.create_engine(f"sqlite:///{db}"))
    r = import_opendental(f"sqlite:///{db}", "trap-dental", data_dir=tmp_path / "data", start="2024-01")
    report = r.folder / "import-report.json"
    data = json.loads(report.read_text())
    data["source"] = "mysql+pymysql://reader@10.0.0.5:3306/opendental"  # as a MariaDB import stores it
    data["notes"].append("a note with <b>markup</b> & an ampersand")
    report.write_text(json.dumps(data))
    html = str(quality.import_html(quality.import_records("trap-dental", tmp_path / "data")))
    assert "Imported from Open Dental 22.4.31.0 (database opendental)" in html
    assert "Every one of the 2 months matches Open Dental&#39;s own Production &amp; Income figures to the cent" in html
    assert "$1,030.00" in html and "$1,109.00" in html  # January production; A/R at the last aging run
    assert "2 procedurelog rows: deleted procedures" in html
    assert "10.0.0.5" not in html and "reader" not in html and str(tmp_path) not in html
    assert "&lt;b&gt;markup&lt;/b&gt; &amp; an ampersand" in html and "<b>markup" not in html
    assert "dq-off" not in html


def test_a_delivered_practice_says_so(tmp_path):
    make_practice(tmp_path, {name: None for name in CLEAN if name != "financials.csv"})
    assert quality.import_records(PID, tmp_path) == []
    assert "delivered as they are" in str(quality.import_html([]))


def test_a_month_that_does_not_reconcile_is_marked():
    rec = {"format": 1, "system": "Open Dental", "version": "23.1", "source": "sqlite:///od.db",
           "range": {"from": "2024-01", "to": "2024-01"}, "read_at": "2024-02-01T10:00:00+00:00",
           "reconciliation": {"months": [{"month": "2024-01", "source": {"production": 100.0},
                                          "imported": {"reclassified": 0},
                                          "delta": {"gross_production": 0.01, "net_production": 0.0,
                                                    "collections": 0.0}}], "max_abs_delta": 0.01}}
    html = str(quality.import_html([rec]))
    assert 'class="dq-off"' in html and "differ from the practice system's own figures by up to $0.01" in html
