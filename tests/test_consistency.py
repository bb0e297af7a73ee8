"""One number, one value, everywhere: every number every report shows, checked.

Each report tags the numbers it shows with their metric id, period (as `dyad metrics --period`
spells it) and unrounded value — tiles, tables, talking points, the brief, charts' embedded data,
the scorecard's small charts (tests/consistency.py reads them back). Here they are held against
`compute_metrics` for that metric and period, against `dyad metrics --json` (the CLI itself),
against each other (one value per practice, metric, period and basis across every surface and
report) and bands against their kind of practice and basis: on both demo practices and every
report, and on deliveries built another way (a practice imported from an Open Dental database, a
dental and a medical practice with only financials) through `dyad batch` over a quarter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consistency import check, check_cli, read_page, read_pages

pytestmark = pytest.mark.slow


def _practices(ids, data, cache):
    from dyad_lib.data.snapshot import load_snapshot

    return {p: load_snapshot(p, data, cache) for p in ids}


@pytest.fixture(scope="module")
def demo_tagged(demo_run):
    result, root, data = demo_run
    tagged = read_pages(root)
    return tagged, root, data


def test_every_demo_report_tags_its_numbers(demo_tagged):
    tagged, root, _ = demo_tagged
    by_report: dict[tuple[str, str], int] = {}
    for t in tagged:
        by_report[(t.practice, t.report)] = by_report.get((t.practice, t.report), 0) + 1
    for practice in ("harbor-dental", "maple-family-medicine"):
        for report in ("monthly_review", "practice_assessment", "quarterly_partnership", "annual_goals",
                       "meeting_brief"):
            assert by_report.get((practice, report), 0) >= 20, (practice, report, by_report)
    assert sum(n for (p, r), n in by_report.items() if r == "portfolio") >= 10
    surfaces = {t.surface for t in tagged}
    assert surfaces == {"html", "chart", "sparkline"}
    # tiles, tables, talking points and the brief all carry numbers with their period
    kinds = {t.metric for t in tagged if t.surface == "html"} - {None}
    assert {"collections", "net_production", "overhead_ratio", "no_show_rate", "patient_retention"} <= kinds


def test_every_tagged_number_is_its_metric_for_its_period(demo_tagged, demo_run):
    tagged, root, data = demo_tagged
    cache = _cache_of(demo_run)
    rep = check(tagged, _practices({t.practice for t in tagged}, data, cache))
    assert rep.problems == [], "\n".join(rep.problems[:40])
    assert rep.checked == len(tagged) and rep.keys > 500


def test_reports_agree_with_dyad_metrics_json(demo_tagged, demo_run):
    tagged, root, data = demo_tagged
    cache = _cache_of(demo_run)
    rep = check_cli(tagged, data, cache, _practices({t.practice for t in tagged}, data, cache))
    assert rep.problems == [], "\n".join(rep.problems[:40])
    assert rep.keys >= 20 and rep.checked >= 300


def _cache_of(demo_run) -> Path:
    """The snapshot cache the demo run used."""
    return demo_run[0].extra["cache_dir"]


def test_a_number_shown_twice_with_two_values_is_caught(demo_tagged, demo_run, tmp_path):
    """The harness itself: a page that shows a metric with another value, a band of the other kind
    of practice, or a period the CLI does not spell that way, fails."""
    tagged, root, data = demo_tagged
    page = next(root.glob("harbor-dental/2026-09/monthly_review.html")).read_text(encoding="utf-8")
    one = next(t for t in tagged if t.practice == "harbor-dental" and t.report == "monthly_review"
               and t.metric == "collections" and t.period == "2026-09" and t.surface == "html")
    bad = page.replace(f'data-value="{one.attr("value")}"', 'data-value="1.0"', 1)
    assert bad != page
    bad = bad.replace('data-band-applies-to="dental"', 'data-band-applies-to="medical"', 1)
    (tmp_path / "page.html").write_text(bad, encoding="utf-8")
    mine = read_page(tmp_path / "page.html", "harbor-dental", "monthly_review")
    cache = _cache_of(demo_run)
    rep = check(mine + [t for t in tagged if t.practice == "harbor-dental" and t.report == "practice_assessment"],
                _practices({"harbor-dental"}, data, cache))
    text = "\n".join(rep.problems)
    assert "collections 2026-09: more than one value" in text
    assert "a medical band shown" in text


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    """Deliveries built another way, through `dyad batch --period 2025Q4`: the dental demo imported
    from a generated Open Dental database, the medical demo imported from a generated OpenEMR
    database, and a dental and a medical practice with only financials (the dental one without
    expenses)."""
    from dyad_lib.cli.app import app
    from report_fixtures import write_minimal

    root = tmp_path_factory.mktemp("unseen")
    data, reports, cache = root / "data", root / "reports", root / "cache"
    for system in ("--opendental", "--openemr"):
        res = CliRunner().invoke(app, ["demo", system, "--data-only", "--data-dir", str(data)])
        assert res.exit_code == 0, res.output
    write_minimal(data, "bare-dental", "Bare Dental", expenses=False)
    write_minimal(data, "bare-clinic", "Bare Clinic", kind="medical")
    res = CliRunner().invoke(app, ["batch", "--period", "2025Q4", "--workers", "2", "--data-dir", str(data),
                                   "--reports-dir", str(reports), "--cache-dir", str(cache)], terminal_width=300)
    return res, data, reports, cache


def test_a_batch_over_a_quarter_on_other_deliveries_agrees_everywhere(unseen):
    res, data, reports, cache = unseen
    out = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    latest = json.loads((reports / "manifest.json").read_text())["reports"]
    status = {k: v["status"] for k, v in latest.items()}
    assert not [k for k, s in status.items() if s in ("failed", "skipped")], status
    # the quarter mapped to each report: its months, the quarter, the fiscal year after it
    for pid in ("seaside-dental", "cedar-family-medicine", "bare-clinic"):
        for key in ("2025-10/monthly_review", "2025-11/monthly_review", "2025-12/monthly_review",
                    "2025Q4/quarterly_partnership", "2025Q4/meeting_brief", "2025Q4/practice_assessment",
                    "FY2026/annual_goals", "latest/data_quality"):
            assert status[f"{pid}/{key}"] in ("ok", "warnings"), (pid, key, status.get(f"{pid}/{key}"))
    assert status["bare-dental/2025Q4/annual_goals"] == "not applicable"  # no expenses: no goal ledger
    assert "FY2026, the fiscal year after 2025Q4" in out
    tagged = read_pages(reports)
    assert {t.practice for t in tagged} == {"seaside-dental", "cedar-family-medicine", "bare-dental", "bare-clinic"}
    practices = _practices({t.practice for t in tagged}, data, cache)
    rep = check(tagged, practices)
    assert rep.problems == [], "\n".join(rep.problems[:40])
    cli = check_cli(tagged, data, cache, practices)
    assert cli.problems == [], "\n".join(cli.problems[:40])
    assert rep.checked > 1000 and cli.checked > 200
