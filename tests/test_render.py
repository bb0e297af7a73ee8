"""Client HTML without a kernel: what nbconvert keeps and drops, charts offline, helpers escape."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dyad_lib.reports import charts
from dyad_lib.pipeline import render
from dyad_lib.data.paths import PROJECT_ROOT
from dyad_lib.pipeline.runner import failing_section, period_slug, plain_reason
from dyad_lib.reports import blocks

SCRIPT = "<script>alert(1)</script>"


def _html_output(obj) -> dict:
    """The display_data output a notebook would store for an IPython HTML object / Altair chart."""
    if hasattr(obj, "_repr_mimebundle_"):
        data = obj._repr_mimebundle_()
        data = data[0] if isinstance(data, tuple) else data
    else:
        data = {"text/html": obj.data, "text/plain": "<IPython.core.display.HTML object>"}
    return new_output("display_data", data=data)


def _executed_notebook(chart=None) -> nbformat.NotebookNode:
    params = new_code_cell('practice_id = "x"\nperiod = "2026-09"', metadata={"tags": ["parameters"]})
    injected = new_code_cell(f'data_dir = "{PROJECT_ROOT}/data"', metadata={"tags": ["injected-parameters"]})
    title = new_code_cell("display(title)", outputs=[_html_output(blocks.title_block(
        {"name": "n"} and type("C", (), {"name": "Dr <b>Evil</b> Dental", "clinical_lead": "A", "business_lead": "B",
                                       "fiscal_year_start_month": 1})(), "2026-09", "Monthly review"))])
    noisy = new_code_cell("print('x')", outputs=[
        new_output("stream", name="stdout", text="STDOUT-NOISE\n"),
        new_output("stream", name="stderr", text=f"STDERR-NOISE {PROJECT_ROOT}/data\n"),
        _html_output(blocks.tiles([("Collections", "$1.24M", "goal $1.20M", "good")]))])
    err = new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                   traceback=["Traceback (most recent call last)", "SECRET-TB"])])
    empty = new_code_cell("import pandas as pd  # CODE-SOURCE")
    cells = [new_markdown_cell("# Monthly review\n\nIntro text."), params, injected, title,
             new_markdown_cell("## Headline numbers"), noisy, empty, new_markdown_cell("## Money"), err]
    if chart is not None:
        cells += [new_markdown_cell("## Trend"), new_code_cell("chart", outputs=[_html_output(chart)])]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "dyad", "display_name": "Python (dyad)",
                                                             "language": "python"}})
    return nb


@pytest.fixture(scope="module")
def chart():
    charts.setup()
    df = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=3, freq="MS"), "value": [1.0, 2.0, 3.0],
                       "goal": [2.0, 2.0, 2.0]})
    return charts.trend(df, goal="goal", title="Collections")


@pytest.fixture(scope="module")
def page(chart):
    return render.notebook_to_html(_executed_notebook(chart), "Monthly review — x — 2026-09")


def test_page_drops_code_streams_tracebacks_and_parameters(page):
    for text in ("STDOUT-NOISE", "STDERR-NOISE", "SECRET-TB", "Traceback", "CODE-SOURCE", "practice_id",
                 "injected-parameters", "In&nbsp;["):
        assert text not in page, text
    assert "$1.24M" in page and "Headline numbers" in page


def test_page_has_no_local_paths(page):
    assert str(PROJECT_ROOT) not in page
    assert "/home/" not in page and "/tmp/" not in page


def test_title_block_replaces_the_notebook_h1_and_escapes(page):
    assert page.count("<h1") == 1  # the markdown "# Monthly review" was folded into the title block
    assert "Intro text." in page
    assert "Dr &lt;b&gt;Evil&lt;/b&gt; Dental" in page and "<b>Evil</b>" not in page


def test_table_of_contents_lists_the_sections_after_the_title(page):
    toc = re.search(r'<nav class="dyad-toc".*?</nav>', page, re.S).group(0)
    assert [t for t in re.findall(r">([^<>]+)</a></li>", toc)] == ["Headline numbers", "Money", "Trend"]
    assert page.index(blocks.TITLE_END) < page.index('<nav class="dyad-toc"')


def test_offline_bundle_inlined_once_with_versions_from_altair(page):
    from altair.vegalite.v6 import display as d6

    assert not re.search(r"<script[^>]+src=[\"']?https?:", page, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", page, re.I)
    assert "require.min.js" not in page and "MathJax" not in page and "mermaid.min" not in page
    assert page.count("VEGA_DEBUG.vega_version =") == 1  # the bundle once, however many charts
    assert page.count(render.vega_bundle()[:200]) == 1
    assert f'VEGA_DEBUG.vegalite_version = "{d6.VEGALITE_VERSION}"' in page
    assert f'VEGA_DEBUG.vega_version = "{d6.VEGA_VERSION}"' in page
    assert f'VEGA_DEBUG.vegaembed_version = "{d6.VEGAEMBED_VERSION}"' in page
    assert "vegaEmbed" in page and 'id="dyad-chart-' in page


def test_page_without_charts_has_no_bundle():
    html = render.notebook_to_html(_executed_notebook(None), "t")
    assert "VEGA_DEBUG" not in html and len(html) < 200_000


def test_print_css_pages_numbers_and_keeps():
    """Print rules (their effect on real PDFs is tested in test_print): page-margin boxes for the
    running header and the page numbers, sections that flow, an appendix on a new page, headings
    and lead-ins kept with what follows, rows never cut, headers repeated."""
    css = render.stylesheet()
    assert "@media print" in css and '"Page " counter(page) " of " counter(pages)' in css
    assert "@top-left" in css and 'h2[id^="Appendix"]' in css
    assert not re.search(r"\bh2 \{ break-before: page", css)  # sections flow on
    assert ".jp-MarkdownCell { break-after: avoid" in css and "tr { break-inside: avoid" in css
    assert "display: table-header-group" in css  # table headers repeat on each printed page


def test_renderer_ids_are_deterministic_and_actions_off(chart):
    charts.setup()
    a = chart._repr_mimebundle_()
    charts.setup()
    b = chart._repr_mimebundle_()
    a, b = (x[0] if isinstance(x, tuple) else x for x in (a, b))
    assert a["text/html"] == b["text/html"]
    ids = re.findall(r'id="(dyad-chart-[0-9a-f]{16})"', a["text/html"])
    assert ids and '"actions": false' in a["text/html"]
    c = chart._repr_mimebundle_()  # the same chart twice in one notebook gets a second id
    c = c[0] if isinstance(c, tuple) else c
    assert re.search(r'id="dyad-chart-[0-9a-f]{16}-2"', c["text/html"])


def test_theme_and_partner_colours():
    import altair as alt

    charts.setup()
    assert alt.theme.active == "dyad" and alt.renderers.active == "dyad_html"
    cfg = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a").to_dict()["config"]
    assert cfg["range"]["category"] == charts.CATEGORY
    assert charts.CLINICAL not in charts.CATEGORY and charts.BUSINESS not in charts.CATEGORY
    d = pd.DataFrame({"item": ["Money"], "a": [2.0], "b": [4.0]})
    spec = charts.dumbbell(d, item="item", left="a", right="b", left_label="Dr A", right_label="Ms B").to_dict()
    scale = spec["layer"][1]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Dr A", "Ms B"], "range": [charts.CLINICAL, charts.BUSINESS]}


def test_goal_line_is_dashed_and_band_shaded():
    df = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=2, freq="MS"), "value": [1.0, 2.0],
                       "goal": [1.5, 1.5]})
    spec = charts.trend(df, goal="goal").to_dict()
    dash = spec["layer"][1]["encoding"]["strokeDash"]  # dashed, with its own legend entry
    assert dash["scale"] == {"domain": [charts.GOAL_LABEL], "range": [[6, 4]]} and "legend" in dash
    b = pd.DataFrame({"c": ["Staff"], "v": [0.3], "lo": [0.24], "hi": [0.28]})
    spec = charts.bar_vs_band(b, category="c", value="v", low="lo", high="hi").to_dict()
    assert spec["layer"][0]["mark"]["opacity"] < 0.5 and spec["layer"][0]["encoding"]["x2"]["field"] == "hi"


def test_max_rows_guard_stays_on_unless_data_is_aggregated():
    import altair as alt

    charts.setup()
    big = pd.DataFrame({"a": range(charts.MAX_ROWS + 1)})
    with pytest.raises(alt.MaxRowsError):
        alt.Chart(big).mark_point().encode(x="a").to_dict()
    charts.setup(allow_large_data=True)
    assert alt.Chart(big).mark_point().encode(x="a").to_dict()
    charts.setup()


def test_report_helpers_escape_free_text():
    df = pd.DataFrame({"comment": [SCRIPT], "score": [4.5]})
    t = blocks.html_table(df, formats={"score": lambda v: f"{v:.1f} / 5"}).data
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in t and SCRIPT not in t
    assert '<td class="num">4.5 / 5</td>' in t
    assert SCRIPT not in blocks.tiles([{"label": SCRIPT, "value": SCRIPT, "note": SCRIPT}]).data
    assert SCRIPT not in blocks.section_missing(SCRIPT, SCRIPT).data
    assert SCRIPT not in blocks.note(SCRIPT).data


def test_data_quality_note_keeps_only_this_reports_tables():
    summary = {"failures": [{"table": "financials", "file": "financials.csv", "message": "3 rows <b>", "severity": "warning"},
                            {"table": "surveys", "file": "surveys.csv", "message": "other", "severity": "warning"}],
               "missing_tables": [{"table": "ar_aging"}]}
    h = blocks.data_quality_note(summary, ["financials", "ar_aging"]).data
    assert "financials.csv" in h and "surveys.csv" not in h and "3 rows &lt;b&gt;" in h and "ar_aging" in h
    assert "No data-quality warning" in blocks.data_quality_note({"failures": []}, ["x"]).data


def test_title_and_footer():
    cfg = type("C", (), {"name": "Harbor Dental", "clinical_lead": "Dr. Ada", "business_lead": "Sam",
                         "fiscal_year_start_month": 1})()
    t = blocks.title_block(cfg, "2026Q3", "Quarterly partnership report", run_date="2026-11-23").data
    assert "July 2026 – September 2026" in t and "November 23, 2026" in t and "Dr. Ada" in t
    f = blocks.footer("0123456789abcdef0123", run_time="2026-11-23 14:05").data
    assert "0123456789ab" in f and "0123456789abc" not in f and "dyad 0.1.0" in f and "November 23, 2026, 14:05" in f


def test_plain_reasons_have_no_paths_or_tracebacks():
    assert plain_reason("KeyError", "'collections'") == \
        "a column or value 'collections' the report needs is missing from the data."
    r = plain_reason("FileNotFoundError", f"[Errno 2] No such file: '{PROJECT_ROOT}/data/x/financials.csv'")
    assert str(PROJECT_ROOT) not in r and "/data/" not in r and "financials.csv" in r
    assert "divided by zero" in plain_reason("ZeroDivisionError", "division by zero")
    assert "time limit of 30 seconds" in plain_reason("CellTimeoutError", "", 30)
    assert "Traceback" not in plain_reason("RuntimeError", "boom")


def test_failing_section_is_the_nearest_heading_above():
    nb = new_notebook(cells=[new_markdown_cell("# Title\n## First"), new_code_cell("1"),
                             new_markdown_cell("## Collections *by* payer\ntext"), new_markdown_cell("no heading"),
                             new_code_cell("x", metadata={"papermill": {"status": "failed"}})])
    assert failing_section(nb) == (4, "Collections by payer")
    nb.cells[2].source = "plain"
    assert failing_section(nb) == (4, "First")


@pytest.mark.parametrize("period,view,slug", [("2026-09", None, "2026-09"), ("2026Q3", None, "2026Q3"),
                                               ("FY2027", None, "FY2027"), ("2026-09", "t12", "2026-09-t12"),
                                               ("latest", None, "latest")])
def test_period_slug(period, view, slug):
    assert period_slug(period, view) == slug


def test_period_slug_rejects_path_tricks():
    from dyad_lib.pipeline.runner import ReportError

    for bad in ("../../etc", "/abs", "", "2026-09/..", "a b"):
        with pytest.raises(ReportError):
            period_slug(bad)


def test_index_escapes_and_links(tmp_path):
    import json

    from dyad_lib.pipeline.index import build_index

    (tmp_path / "evil" / "2026-09").mkdir(parents=True)
    (tmp_path / "evil" / "2026-09" / "monthly_review.html").write_text("old good")
    (tmp_path / "evil" / "2026-09" / "monthly_review.error.html").write_text("err")
    (tmp_path / "manifest.json").write_text(json.dumps({"reports": {"evil/2026-09/monthly_review": {
        "report": "monthly_review", "practice_id": "evil", "period": "2026-09", "period_slug": "2026-09",
        "status": "failed", "practice_name": SCRIPT, "error": "a value <i>x</i> is bad", "section": "Money",
        "html": "evil/2026-09/monthly_review.html", "error_html": "evil/2026-09/monthly_review.error.html"}}}))
    page = build_index(tmp_path).read_text()
    assert SCRIPT not in page and "&lt;script&gt;" in page and "<i>x</i>" not in page
    assert 'href="evil/2026-09/monthly_review.html"' in page and 'href="evil/2026-09/monthly_review.error.html"' in page
    assert "last good version" in page and not re.search(r"(src|href)=\"https?:", page)


def test_kernel_falls_back_to_the_current_interpreter(monkeypatch):
    from jupyter_client import kernelspec

    from dyad_lib.pipeline.runner import kernel_name

    monkeypatch.setattr(kernelspec.KernelSpecManager, "find_kernel_specs", lambda self: {"python3": "/x"})
    assert kernel_name.__wrapped__() == kernelspec.NATIVE_KERNEL_NAME
    monkeypatch.setattr(kernelspec.KernelSpecManager, "find_kernel_specs", lambda self: {"dyad": "/x"})
    assert kernel_name.__wrapped__() == "dyad"
