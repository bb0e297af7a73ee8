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
    assert list(doc) == ["schema", "practice_id", "kind", "period", "months", "previous_period", "year_ago_period",
                         "metrics"]
    assert doc["practice_id"] == "test-dental" and doc["period"] == "2026Q2" and doc["kind"] == "dental"
    assert doc["months"] == ["2026-04", "2026-05", "2026-06"]
    assert (doc["previous_period"], doc["year_ago_period"]) == ("2026Q1", "2025Q2")
    m = doc["metrics"]
    g = m["gross_production"]
    assert (g["value"], g["unit"], g["reason"]) == (27000.0, "money", None)
    # ratios as fractions: 26300 / 26100
    assert m["collection_ratio"]["value"] == pytest.approx(26300 / 26100) and m["collection_ratio"]["unit"] == "ratio"
    assert m["visits_completed"]["value"] == 5 and isinstance(m["visits_completed"]["value"], int)
    cu = m["chair_utilization"]
    assert (cu["value"], cu["reason"], cu["verdict"]) == (None, "no capacity rows for 2026-06", None)
    p = dental(root)
    assert list(m) == practice_metric_ids(p)


def test_json_carries_change_band_tier_and_verdict(root):
    """What the README promises: the change, the benchmark band with its tier and basis, the verdict."""
    doc = json.loads(invoke("test-dental", "--period", "2026-05", "--json", "--data-dir", str(root)).output)
    cr = doc["metrics"]["collection_ratio"]
    # 2026-05: 9000 / 9500; 2026-04: 9100 / 9000
    assert cr["previous"] == pytest.approx(9100 / 9000) and cr["change"] == pytest.approx(9000 / 9500 - 9100 / 9000)
    assert cr["change_text"] == "−6.4 pts" and cr["trend"] == "worse"
    assert cr["band"]["low"] == 0.97 and cr["band"]["tier"] == "top" and cr["band"]["applies_to"] == "dental"
    assert cr["tier"] == "top" and cr["position"] == "below" and cr["verdict"] == "watch"
    assert "Dental Intelligence" in cr["band"]["source"] and cr["verdict_reason"].startswith("below")
    # a band on a count is scaled to the period and says so: 20–28 per dentist per month × 1 dentist × 1 month
    np_ = doc["metrics"]["new_patients"]
    if np_["value"] is not None:
        assert (np_["band"]["low"], np_["band"]["high"], np_["band"]["per"]) == (20, 28, "provider_month")


def test_every_label_a_report_prints_is_a_period_the_cli_takes(root):
    for label in ("FY2026 YTD to 2026-06", "T12 to 2026-06", "2026-04..2026-05"):
        res = invoke("test-dental", "--period", label, "--json", "--data-dir", str(root))
        assert res.exit_code == 0, res.output
        assert json.loads(res.output)["period"] == label


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
