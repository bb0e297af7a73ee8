"""`dyad metrics`: the table, the --json document, usage errors, and every demo practice/period."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.metrics.compute import compute_metrics, practice_metric_ids
from dyad_lib.metrics.periods import parse_period
from metrics_fixtures import dental

DATA = Path(__file__).resolve().parents[1] / "data"
DEMOS = ("harbor-dental", "maple-family-medicine")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    dental(root)
    return root


def invoke(*args):
    return CliRunner().invoke(app, ["metrics", *args])


def test_json_document(root):
    res = invoke("test-dental", "--period", "2026Q2", "--json", "--data-dir", str(root))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert list(doc) == ["practice_id", "period", "months", "metrics"]
    assert doc["practice_id"] == "test-dental" and doc["period"] == "2026Q2"
    assert doc["months"] == ["2026-04", "2026-05", "2026-06"]
    m = doc["metrics"]
    assert m["gross_production"] == {"value": 27000.0, "unit": "money", "reason": None}
    # ratios as fractions: 26300 / 26100
    assert m["collection_ratio"]["value"] == pytest.approx(26300 / 26100) and m["collection_ratio"]["unit"] == "ratio"
    assert m["visits_completed"]["value"] == 5 and isinstance(m["visits_completed"]["value"], int)
    assert m["chair_utilization"] == {"value": None, "unit": "ratio", "reason": "no capacity rows for 2026-06"}
    p = dental(root)
    assert list(m) == practice_metric_ids(p)


def test_views(root):
    res = invoke("test-dental", "--period", "2026-06", "--view", "ytd", "--json", "--data-dir", str(root))
    doc = json.loads(res.output)
    assert doc["period"] == "FY2026 YTD to 2026-06" and doc["months"][0] == "2026-01"
    # 10000 + 12000 + 11000 + 9000 + 10000 + 8000
    assert doc["metrics"]["gross_production"]["value"] == 60000
    res = invoke("test-dental", "--period", "2026-06", "--view", "t12", "--json", "--data-dir", str(root))
    doc = json.loads(res.output)
    assert len(doc["months"]) == 12 and doc["metrics"]["gross_production"]["value"] is None  # data start 2026-01


def test_table(root):
    res = invoke("test-dental", "--period", "2026Q2", "--data-dir", str(root))
    assert res.exit_code == 0, res.output
    for text in ("Gross", "$27.0K", "100.8%", "capacity", "Financial"):
        assert text in res.output


@pytest.mark.parametrize("period", ["2026Q5", "FY26", "June", "0000-01"])
def test_bad_period_exits_2_with_the_accepted_forms(root, period):
    res = invoke("test-dental", "--period", period, "--data-dir", str(root))
    assert res.exit_code == 2
    assert "2025Q3" in res.output and "FY2026" in res.output


def test_unknown_practice_and_bad_view(root):
    assert invoke("nobody", "--period", "2026Q2", "--data-dir", str(root)).exit_code == 2
    assert invoke("Bad Id!", "--period", "2026Q2", "--data-dir", str(root)).exit_code == 2
    assert invoke("test-dental", "--period", "2026Q2", "--view", "weekly", "--data-dir", str(root)).exit_code == 2


@pytest.mark.skipif(not all((DATA / d / "practice.yaml").is_file() for d in DEMOS), reason="demo data not generated")
@pytest.mark.parametrize("practice_id", DEMOS)
@pytest.mark.parametrize("period", ["2026Q3", "FY2025", "2026-09"])
def test_demo_practices_print_every_metric(practice_id, period):
    res = invoke(practice_id, "--period", period, "--json", "--data-dir", str(DATA))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    m = doc["metrics"]
    assert len(m) >= 55
    for mid, v in m.items():
        assert (v["value"] is None) != (v["reason"] is None), mid
        assert v["value"] is None or math.isfinite(v["value"]), mid
    # the core financial and schedule figures are there for every demo period
    for mid in ("gross_production", "net_production", "collections", "collection_ratio", "overhead_ratio",
                "operating_margin", "ar_days", "visits_completed", "no_show_rate", "chair_utilization",
                "case_acceptance_value", "patient_nps", "dyad_alignment"):
        assert m[mid]["value"] is not None, (mid, m[mid]["reason"])
    table = invoke(practice_id, "--period", period, "--data-dir", str(DATA))
    assert table.exit_code == 0, table.output


@pytest.mark.skipif(not (DATA / "harbor-dental" / "practice.yaml").is_file(), reason="demo data not generated")
def test_demo_json_equals_the_library():
    from dyad_lib.data.load import load_practice

    p = load_practice("harbor-dental", DATA)
    period = parse_period("2026Q3", p.config.fiscal_year_start_month)
    lib = compute_metrics(p, period)
    doc = json.loads(invoke("harbor-dental", "--period", "2026Q3", "--json", "--data-dir", str(DATA)).output)
    for mid, v in lib.items():
        got = doc["metrics"][mid]["value"]
        assert (got is None) == (v.value is None), mid
        if got is not None:
            assert got == pytest.approx(v.value, abs=0.005), mid
