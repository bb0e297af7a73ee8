"""The data contract and the metric definitions are documented in the repository, generated from
the code that enforces them, and the committed documents are current."""

from __future__ import annotations

from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.contract import TABLES
from dyad_lib.metrics.registry import REGISTRY
from dyad_lib.reports.reference import DOCS_DIR, contract_markdown, metrics_markdown, stale


def test_committed_documents_are_current():
    assert stale() == [], "run `dyad docs` and commit docs/"


def test_the_contract_document_covers_every_table_and_column():
    text = contract_markdown()
    for t in TABLES.values():
        assert f"### {t.name}" in text
        for c in t.columns:
            assert f"| `{c.name}` |" in text, (t.name, c.name)
            for code in c.codes or ():
                assert f"`{code}`" in text
    assert "## goals.yaml" in text and "## practice.yaml" in text
    assert "`adjustments.range`" in text or "blocking" in text  # the checks are listed with their severity


def test_the_metrics_document_covers_every_id_with_formula_and_source():
    text = metrics_markdown()
    for mid, d in REGISTRY.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{mid}` |"))
        assert d.formula.replace("|", "\\|") in line
        for b in d.bands:
            assert b.source in line, mid
    assert "quality_<measure_id>" in text


def test_dyad_docs_check_and_write(tmp_path, monkeypatch):
    import dyad_lib.reports.reference as ref

    assert CliRunner().invoke(app, ["docs", "--check"]).exit_code == 0
    monkeypatch.setattr(ref, "DOCS_DIR", tmp_path)
    monkeypatch.setattr(ref.write, "__defaults__", (tmp_path,))
    monkeypatch.setattr(ref.stale, "__defaults__", (tmp_path,))
    r = CliRunner().invoke(app, ["docs", "--check"])
    assert r.exit_code == 1 and "out of date" in r.output
    monkeypatch.setattr("dyad_lib.data.paths.PROJECT_ROOT", tmp_path.parent)
    assert CliRunner().invoke(app, ["docs"]).exit_code == 0
    assert (tmp_path / "metrics.md").read_text() == (DOCS_DIR / "metrics.md").read_text()
