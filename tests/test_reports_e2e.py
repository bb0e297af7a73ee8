"""The monthly review, the practice assessment and the portfolio, rendered end to end.

Runs `dyad batch` for both demo practices (the way a consultant does), then checks that the
numbers each report shows are the numbers `dyad metrics --json` prints for the same practice and
period (the notebooks emit them as an `application/vnd.dyad.metrics+json` output), that each
practice reads in its own vocabulary, and that a practice with only practice.yaml and
financials still gets a useful review and assessment that name what is missing.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dyad_lib import fmt
from dyad_lib.reports.monthly_review import METRICS_MIME
from report_fixtures import demo_data_dir, write_minimal

pytestmark = pytest.mark.slow
DYAD = [sys.executable, "-m", "dyad_lib.cli.app"]
REPORTS = ("monthly_review", "practice_assessment", "portfolio")
PRACTICES = ("harbor-dental", "maple-family-medicine")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*DYAD, *args], capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_data_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def batch(demo, tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    reports, cache = root / "reports", root / "cache"
    r = run_cli("batch", "--period", "2026-09", "--reports", ",".join(REPORTS), "--workers", "2",
                "--data-dir", str(demo), "--reports-dir", str(reports), "--cache-dir", str(cache))
    assert r.returncode == 0, r.stdout + r.stderr
    return demo, reports, cache


def emitted(nb_path: Path) -> dict:
    nb = nbformat.read(str(nb_path), as_version=4)
    found = [o["data"][METRICS_MIME] for c in nb.cells if c.cell_type == "code"
             for o in c.get("outputs", []) if METRICS_MIME in o.get("data", {})]
    assert len(found) == 1, f"{nb_path.name}: expected one metrics output"
    return found[0]


def cli_metrics(data: Path, practice: str, period: str, view: str | None = None) -> dict:
    args = ["metrics", practice, "--period", period, "--json", "--data-dir", str(data)]
    if view:
        args += ["--view", view]
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("practice", PRACTICES)
@pytest.mark.parametrize("report,view", [("monthly_review", None), ("practice_assessment", "t12")])
def test_report_numbers_equal_dyad_metrics(batch, practice, report, view):
    data, reports, _ = batch
    shown = emitted(reports / practice / "2026-09" / f"{report}.ipynb")
    cli = cli_metrics(data, practice, "2026-09", view)
    assert shown["period"] == cli["period"] and shown["months"] == cli["months"]
    assert len(shown["metrics"]) >= 6
    for mid, v in shown["metrics"].items():
        assert same(v["value"], cli["metrics"][mid]["value"]), (mid, v, cli["metrics"][mid])
    # and the page shows those numbers as people read them
    page = (reports / practice / "2026-09" / f"{report}.html").read_text(encoding="utf-8")
    for mid in ("collections", "net_production"):
        v = shown["metrics"][mid]["value"]
        assert fmt.money(v) in page, (mid, fmt.money(v))


def test_reports_render_offline_without_code_or_paths(batch):
    data, reports, cache = batch
    for practice in PRACTICES:
        for report in ("monthly_review", "practice_assessment"):
            page = (reports / practice / "2026-09" / f"{report}.html").read_text(encoding="utf-8")
            assert "Traceback" not in page and "import dyad_lib" not in page
            assert str(data) not in page and str(cache) not in page
            assert not re.search(r"<script[^>]+src=[\"']https?:", page)
            assert "dyad-chart-" in page  # charts drawn (offline bundle inlined by the template)
            assert "HD-0" not in page and "MRN" not in page  # no patient identifier
    portfolio = (reports / "portfolio" / "2026-09" / "portfolio.html").read_text(encoding="utf-8")
    assert "Harbor Cosmetic" in portfolio and "Maple Street Family Medicine" in portfolio
    assert 'href="../../harbor-dental/2026-09/monthly_review.html"' in portfolio
    assert 'href="../../maple-family-medicine/2026-09/practice_assessment.html"' in portfolio


def test_each_practice_reads_in_its_own_words(batch):
    _, reports, _ = batch
    # the glossary prints the registry's formulas, which name both kinds ("hygiene visits (dental) or …")
    maple = (reports / "maple-family-medicine" / "2026-09" / "monthly_review.html").read_text(
        encoding="utf-8").split('id="Glossary"')[0]
    harbor = (reports / "harbor-dental" / "2026-09" / "monthly_review.html").read_text(
        encoding="utf-8").split('id="Glossary"')[0]
    for word in ("Net charges", "Exam-room utilization", "physician", "practice administrator"):
        assert word in maple, word
    for word in ("Gross production", "Chair utilization", "Hygiene pre-appointment", "dentist", "hygiene"):
        assert word not in maple, word
    for word in ("Net production", "Chair utilization", "dentist", "office manager"):
        assert word in harbor, word
    for word in ("Net charges", "exam-room", "physician"):
        assert word not in harbor, word
    # the headline's headings too: "Charges: the physician's view", "Production: the dentist's view"
    assert "Charges: the physician" in maple and "Production: the" not in maple
    assert "Production: the dentist" in harbor


def test_harbor_talking_points_name_the_supplies_creep(batch):
    _, reports, _ = batch
    page = (reports / "harbor-dental" / "2026-09" / "monthly_review.html").read_text(encoding="utf-8")
    points = re.sub(r"<[^>]+>", "", page.split("Talking points", 2)[-1])  # numbers are tagged spans
    assert re.search(r"Clinical supplies took \d+\.\d% of collections", points)


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    root = tmp_path_factory.mktemp("minimal")
    data = root / "data"
    folder = write_minimal(data, "bare-dental", "Bare Dental", expenses=False)
    assert sorted(p.name for p in folder.iterdir()) == ["financials.csv", "practice.yaml"]
    return data, root / "reports", root / "cache"


@pytest.mark.parametrize("report,args", [("monthly_review", ["--period", "2025-12"]),
                                         ("practice_assessment", ["--period", "2025-12"])])
def test_practice_with_only_financials(minimal, report, args):
    data, reports, cache = minimal
    r = run_cli("run", report, "--practice", "bare-dental", *args, "--data-dir", str(data),
                "--reports-dir", str(reports), "--cache-dir", str(cache))
    assert r.returncode == 0, r.stdout + r.stderr
    page = (reports / "bare-dental" / "2025-12" / f"{report}.html").read_text(encoding="utf-8")
    # useful: the financial numbers are there ($100.0K a month, $1.20M over twelve months) …
    assert ("$100.0K" if report == "monthly_review" else "$1.20M") in page
    # … and every missing section says so in one line
    for table in ("expenses", "appointments", "treatment_plans"):
        assert re.search(rf"needs the <b>{table}</b> table, which was not provided", page), table
    if report == "monthly_review":
        assert "No goals set for FY2025" in page
    else:
        assert "partnership" in page and "dyad_assessment" in page
