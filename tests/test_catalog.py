"""Reports are declared by their notebooks: the catalog reads `metadata.dyad`, and adding a report
means adding a notebook — the runner, the batch, the index, the portfolio links and `dyad run
--help` all see it."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from dyad_lib.metrics.periods import parse_period
from dyad_lib.reports.catalog import PERIOD_KINDS, CatalogError, catalog, spec
from pipeline_helpers import TEST_NOTEBOOKS, fake_prepared

SHIPPED = ("data_quality", "monthly_review", "meeting_brief", "quarterly_partnership", "annual_goals",
           "practice_assessment", "portfolio")


def test_every_shipped_notebook_declares_itself():
    specs = catalog()
    assert tuple(specs) == SHIPPED  # in the order the notebooks declare
    for s in specs.values():
        assert set(s.period_kinds) <= set(PERIOD_KINDS) and s.period_kind == s.period_kinds[0]
        assert s.title and s.short_title and s.audience and s.tables
        nb = nbformat.read(s.path, as_version=4)
        first = nb.cells[0].source.splitlines()[0]
        assert first == f"# {s.title}", f"{s.name}: the declared title is the notebook's own heading"
        assert s.demo_period, f"{s.name} declares the demo period the demo runs it for"
        if s.period_kind not in ("latest", "any"):
            assert s.takes(parse_period(s.demo_period, 1).kind)


def test_only_the_data_quality_report_runs_on_blocked_data_and_only_the_portfolio_covers_all():
    specs = catalog()
    assert [s.name for s in specs.values() if s.runs_on_blocked_data] == ["data_quality"]
    assert [s.name for s in specs.values() if s.portfolio] == ["portfolio"]


def _add_report(folder, name="team_huddle", **meta):
    folder.mkdir(exist_ok=True)
    nb = nbformat.read(TEST_NOTEBOOKS / "ok.ipynb", as_version=4)
    nb.cells[0].source = f"# {meta.get('title', 'Team huddle')}"
    nb.metadata["dyad"] = {"title": "Team huddle", "short_title": "Huddle", "period": "month", "order": 25,
                           "audience": "both partners", "tables": ["financials"], "demo_period": "2026-09", **meta}
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder / f"{name}.ipynb"


def test_a_new_notebook_is_a_new_report_everywhere(tmp_path, monkeypatch):
    from dyad_lib.cli.run import reports_help
    from dyad_lib.pipeline.batch import demo_jobs, update_manifest
    from dyad_lib.pipeline.index import build_index
    from dyad_lib.pipeline.runner import available_reports, report_title, run_report

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    for name in SHIPPED:
        shutil.copy(catalog()[name].path, nbdir / f"{name}.ipynb")
    _add_report(nbdir)
    assert available_reports(nbdir)[:4] == ["data_quality", "monthly_review", "meeting_brief", "team_huddle"]
    assert report_title("team_huddle", nbdir) == "Team huddle"
    jobs = [j for j in demo_jobs(notebooks_dir=nbdir) if j.report == "team_huddle"]
    assert [(j.practice_id, j.period) for j in jobs] == [("harbor-dental", "2026-09"),
                                                        ("maple-family-medicine", "2026-09")]
    res = run_report("team_huddle", "test-practice", "2026-09", data_dir=tmp_path / "data",
                     reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache",
                     prepared=fake_prepared("test-practice"), notebooks_dir=nbdir)
    assert res.status == "ok", res.error
    page = (tmp_path / "reports" / res.html).read_text()
    assert "Team huddle — Test" in page or "<title>Team huddle" in page
    update_manifest(tmp_path / "reports", [res])
    monkeypatch.setenv("DYAD_NOTEBOOKS_DIR", str(nbdir))
    assert ">Team huddle</a>" in build_index(tmp_path / "reports").read_text()
    assert "team_huddle (a month, 2026-09)" in reports_help()


def test_portfolio_links_follow_the_catalog(tmp_path, monkeypatch):
    from dyad_lib.reports.portfolio import report_links

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    shutil.copy(catalog()["portfolio"].path, nbdir / "portfolio.ipynb")
    _add_report(nbdir)
    monkeypatch.setenv("DYAD_NOTEBOOKS_DIR", str(nbdir))
    out = tmp_path / "reports" / "acme" / "2026-09"
    out.mkdir(parents=True)
    (out / "team_huddle.html").write_text("<p>x</p>")
    assert report_links("acme", parse_period("2026-09"), tmp_path / "reports") == [
        ("Huddle", "../../acme/2026-09/team_huddle.html")]


@pytest.mark.parametrize("meta, words", [({"period": "weekly"}, "period 'weekly'"),
                                         ({"scope": "galaxy"}, "scope 'galaxy'"),
                                         ({"demo_params": [1]}, "demo_params")])
def test_a_bad_declaration_is_a_clear_error(tmp_path, meta, words):
    from dyad_lib.pipeline.runner import ReportError, check_report

    _add_report(tmp_path / "nb", **meta)
    with pytest.raises(CatalogError, match=words):
        spec("team_huddle", tmp_path / "nb")
    with pytest.raises(ReportError, match=words):
        check_report("team_huddle", tmp_path / "nb")


def test_a_report_may_take_a_month_or_a_quarter(tmp_path):
    from dyad_lib.cli.run import PERIOD_WORDS

    nbdir = tmp_path / "notebooks"
    _add_report(nbdir, period=["month", "quarter"])
    s = catalog(nbdir)["team_huddle"]
    assert s.period_kinds == ("month", "quarter") and s.period_kind == "month"
    assert s.takes("month") and s.takes("quarter") and not s.takes("fiscal_year")
    assert PERIOD_WORDS["quarter"] in " or ".join(PERIOD_WORDS[k] for k in s.period_kinds)
    _add_report(nbdir, name="bad_one", period=["month", "fortnight"])
    with pytest.raises(CatalogError, match="fortnight"):
        catalog(nbdir)
