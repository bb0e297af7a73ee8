"""Reports in a real browser with the network off: every chart draws, PDF prints, screenshots work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dyad_lib.pipeline.runner import run_report
from pipeline_helpers import TEST_NOTEBOOKS, chart_containers, chromium_or_skip, dump_dom, fake_prepared

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def chart_report(tmp_path_factory) -> Path:
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("browser")
    res = run_report("chart", "test-practice", "2026-09", None, tmp / "data", tmp / "reports", tmp / "cache",
                     prepared=fake_prepared("test-practice"), notebooks_dir=TEST_NOTEBOOKS)
    assert res.status == "ok", res.error
    return tmp / "reports" / res.html


def _assert_all_charts_drew(html_path: Path, dom: str | None = None) -> int:
    source = html_path.read_text()
    expected = set(re.findall(r'<div id="(dyad-chart-[0-9a-f]{16}(?:-\d+)?)"', source))
    dom = dom if dom is not None else dump_dom(html_path)
    shown = re.sub(r"<script\b.*?</script>", "", dom, flags=re.S)  # what the page shows, not its code
    assert "Error loading script" not in shown and "JavaScript Error" not in shown
    drawn = chart_containers(dom)
    assert set(drawn) == expected
    for div, inner in drawn.items():
        assert re.search(r"<(svg|canvas)\b", inner), f"{div} did not draw"
        assert 'class="marks"' in inner or "<canvas" in inner
    return len(expected)


def test_every_chart_draws_offline(chart_report):
    assert _assert_all_charts_drew(chart_report) == 3


def test_pdf_has_the_charts(chart_report):
    from dyad_lib.pipeline.pdf import html_to_pdf

    pdf = html_to_pdf(chart_report)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert pdf == chart_report.with_suffix(".pdf")


def test_screenshot_of_first_page(chart_report, tmp_path):
    from dyad_lib.pipeline.pdf import run_chromium

    png = tmp_path / "first.png"
    run_chromium(chart_report.resolve().as_uri(), f"--screenshot={png}", "--window-size=1200,1600")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_missing_chromium_gives_a_clear_message(monkeypatch, tmp_path):
    from dyad_lib.pipeline import pdf

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DYAD_CHROMIUM", raising=False)
    with pytest.raises(pdf.PdfError, match="apt-get install chromium"):
        pdf.html_to_pdf(tmp_path / "x.html")


def test_run_with_pdf_flag(tmp_path):
    chromium_or_skip()
    res = run_report("ok", "test-practice", "2026-09", None, tmp_path / "data", tmp_path / "reports",
                     tmp_path / "cache", prepared=fake_prepared("test-practice"), notebooks_dir=TEST_NOTEBOOKS,
                     pdf=True)
    assert res.status == "ok" and res.pdf == "test-practice/2026-09/ok.pdf"
    assert (tmp_path / "reports" / res.pdf).read_bytes().startswith(b"%PDF")


def test_demo_reports_draw_offline(demo_run):
    chromium_or_skip()
    result, root, _ = demo_run
    pages = [root / r.html for r in result.results if r.status in ("ok", "warnings") and r.html]
    assert pages
    charts = sum(_assert_all_charts_drew(p) for p in pages)
    assert charts > 0


# --- hostile text: nothing a practice's files hold can run in a report ----------------------------


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    """The dental demo with a script payload as every provider id, both partners' names and every
    360 competency; the data-quality, monthly, quarterly and assessment reports and one error page."""
    chromium_or_skip()
    from dyad_lib.pipeline.batch import Job, run_batch
    from hostile_fixtures import write_hostile_practice, write_ragged_practice
    from report_fixtures import demo_data_dir

    root = tmp_path_factory.mktemp("hostile")
    data, reports, cache = root / "data", root / "reports", root / "cache"
    write_hostile_practice(demo_data_dir(tmp_path_factory), data)
    write_ragged_practice(data)
    jobs = [Job("data_quality", "hostile-dental", "latest"), Job("monthly_review", "hostile-dental", "2026-09"),
            Job("quarterly_partnership", "hostile-dental", "2026Q3"),
            Job("practice_assessment", "hostile-dental", "2026-09", (("view", "t12"),)),
            Job("data_quality", "ragged-dental", "latest")]
    result = run_batch(jobs, data_dir=data, reports_dir=reports, cache_dir=cache, workers=2)
    # the ragged practice's data have blocking problems: its data-quality report is made, and "blocked"
    assert all(r.status in ("ok", "warnings") or (r.status == "blocked" and r.html) for r in result.results), \
        [r.error for r in result.results]
    failed = run_report("raises", "hostile-dental", "2026-09", None, data, reports, cache,
                        prepared=fake_prepared("hostile-dental"), notebooks_dir=TEST_NOTEBOOKS)
    assert failed.status == "failed"
    pages = [reports / r.html for r in result.results] + [reports / failed.error_html, result.index]
    return root, pages


def test_hostile_text_never_runs_in_a_report(hostile_reports):
    from hostile_fixtures import ran

    _, pages = hostile_reports
    charts = 0
    for i, page in enumerate(pages):
        dom = dump_dom(page)
        assert not ran(dom), f"a planted script ran in {page.name}"
        if "ragged-dental" not in page.parts:
            assert "Harbor </SCRIPT >" in dom or "Harbor &lt;/SCRIPT &gt;" in dom, page.name  # shown as text
        if 1 <= i <= 3:  # the monthly, quarterly and assessment reports: every chart still draws
            charts += _assert_all_charts_drew(page, dom)
    assert charts > 5


def test_no_payload_reaches_a_page_source_unescaped(hostile_reports):
    """Belt and braces for the browser check: no planted value appears raw anywhere in a page's
    source (in HTML it is entity-escaped, inside a script or JSON block \\u003c-escaped), and no
    inline script holds a `<!--` or a line separator."""
    from hostile_fixtures import PAYLOADS

    _, pages = hostile_reports
    for page in pages:
        source = page.read_text(encoding="utf-8")
        for name, payload in PAYLOADS.items():
            assert payload not in source, f"{name} payload raw in {page.name}"
        for body in re.findall(r"<script\b[^>]*>(.*?)</script>", source, flags=re.S | re.I):
            assert "<!--" not in body and "\u2028" not in body and "\u2029" not in body, page.name


def test_kept_notebooks_hold_no_local_path(hostile_reports):
    import os
    import sys
    import tempfile

    from dyad_lib.data.paths import PROJECT_ROOT

    root, pages = hostile_reports
    kept = list((root / "reports").rglob("*.ipynb"))
    assert len(kept) >= 6  # five reports and one failed notebook
    local = {str(root), str(PROJECT_ROOT), os.path.expanduser("~"), tempfile.gettempdir(), sys.prefix}
    for nb in kept:
        text = nb.read_text(encoding="utf-8")
        for path in local:
            assert path not in text, f"{nb.name} holds {path}"


def test_a_row_shifted_by_an_extra_value_never_shows_its_patient_id(hostile_reports):
    """Issue 13, item 2: a trailing empty header column and one row with an extra value; the
    data-quality report names the row and shows none of its values, nor does the notebook kept."""
    from hostile_fixtures import RAGGED_PATIENT

    root, _ = hostile_reports
    folder = root / "reports" / "ragged-dental" / "latest"
    page = (folder / "data_quality.html").read_text(encoding="utf-8")
    assert "row 4" in page and "different number of values" in page
    for kept in (page, (folder / "data_quality.ipynb").read_text(encoding="utf-8")):
        assert RAGGED_PATIENT not in kept
