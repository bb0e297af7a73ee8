"""Every report notebook keeps the contract, and the demo reports are clean client documents."""

from __future__ import annotations

import json
import re

import nbformat
import papermill as pm
import pytest

from dyad_lib.data.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from pipeline_helpers import demo_patient_ids

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_contract(path):
    params = pm.inspect_notebook(str(path))
    assert {"practice_id", "period", "data_dir"} <= set(params), f"{path.name}: parameters cell incomplete"
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "dyad"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert len(tagged) == 1 and tagged[0] is first_code
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.outputs and c.execution_count is None, f"{path.name} is committed with outputs"
    assert "mimetype" not in "".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "great_expectations" not in "".join(c.source for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_visible_to_papermill(path):
    """A name papermill cannot parse (e.g. a trailing comment it takes for a type hint) is silently
    not a parameter: `dyad batch` would never pass it. Every assignment must be recognised."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = set(re.findall(r"^([A-Za-z_]\w*)\s*=", cell.source, flags=re.M))
    assert assigned == set(pm.inspect_notebook(str(path))), f"{path.name}: unparsed parameter lines"


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ is empty"


# --- the demo run (every available report, both demo practices): end to end ----------------------


@pytest.mark.slow
def test_demo_reports_are_all_produced(demo_run):
    result, root, _ = demo_run
    bad = {r.job: r.error for r in result.results if r.status not in ("ok", "warnings")}
    assert not bad, bad
    from dyad_lib.reports.catalog import catalog

    assert {r.report for r in result.results} == {s.name for s in catalog().values() if s.demo_period}
    assert (root / "index.html").is_file()


def _produced(root):
    return [p for p in root.rglob("*.html")]


@pytest.mark.slow
def test_no_patient_identifier_in_any_report(demo_run):
    result, root, data = demo_run
    ids = demo_patient_ids(data)
    assert len(ids) > 100
    # patient ids look like P000123; match whole tokens so "P0001" does not hit inside "P00012"
    for page in _produced(root):
        text = page.read_text(encoding="utf-8")
        tokens = set(re.findall(r"[A-Za-z0-9_-]+", text))
        leaked = ids & tokens
        assert not leaked, f"{page.relative_to(root)} shows patient ids {sorted(leaked)[:5]}"


@pytest.mark.slow
def test_demo_reports_are_offline_and_path_free(demo_run):
    result, root, data = demo_run
    for page in _produced(root):
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(root)
        assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", text, re.I), name
        assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", text, re.I), name
        for local in (str(PROJECT_ROOT), str(data), str(root)):
            assert local not in text, (name, local)
        assert "Traceback" not in text and "In&nbsp;[" not in text, name
        if '<div id="dyad-chart-' in text:
            assert "VEGA_DEBUG.vegalite_version" in text, name
    manifest = json.loads((root / "manifest.json").read_text())
    assert all(not str(e.get("html") or "").startswith("/") for e in manifest["reports"].values())
