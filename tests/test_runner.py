"""run_report on small test notebooks (tests/notebooks): outputs, failures, atomic reruns, escaping."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
import pytest

from dyad_lib.pipeline.runner import SKIPPED_BLOCKING, ReportError, run_report
from pipeline_helpers import TEST_NOTEBOOKS, fake_prepared

pytestmark = pytest.mark.slow
SCRIPT = "<script>alert(1)</script>"


def _run(tmp_path, report, practice="test-practice", period="2026-09", params=None, prepared=None):
    return run_report(report, practice, period, params, data_dir=tmp_path / "data", reports_dir=tmp_path / "reports",
                      cache_dir=tmp_path / "cache", prepared=prepared or fake_prepared(practice),
                      notebooks_dir=TEST_NOTEBOOKS)


@pytest.fixture(scope="module")
def ok_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ok")
    res = _run(tmp, "ok", params={"comment": f"Loved it {SCRIPT} & more"})
    return res, tmp / "reports"


def test_ok_report_writes_html_and_clean_notebook(ok_run):
    res, root = ok_run
    assert res.status == "ok" and res.error is None
    assert res.html == "test-practice/2026-09/ok.html" and res.notebook == "test-practice/2026-09/ok.ipynb"
    page = (root / res.html).read_text()
    assert "$1.24M" in page and "Headline numbers" in page
    assert "this stdout must not reach the client" not in page and "neither must stderr" not in page
    nb = nbformat.read(root / res.notebook, as_version=4)
    assert "start_time" not in nb.metadata["papermill"] and "duration" not in nb.metadata["papermill"]
    assert all("execution" not in c.metadata and "start_time" not in c.metadata.get("papermill", {})
               for c in nb.cells)
    assert nb.metadata["papermill"]["parameters"]["practice_id"] == "test-practice"


def test_free_text_comment_with_script_shows_as_text(ok_run):
    res, root = ok_run
    page = (root / res.html).read_text()
    assert "Loved it &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert SCRIPT not in page
    assert "Sam &lt;Ortiz&gt;" in page  # a partner name with markup is text too


def test_no_local_paths_in_page(ok_run, tmp_path_factory):
    res, root = ok_run
    page = (root / res.html).read_text()
    assert str(root.parent) not in page and str(TEST_NOTEBOOKS) not in page and tempfile.gettempdir() + "/" not in page


def test_kernel_socket_dir_is_removed_on_shutdown():
    import asyncio

    from dyad_lib.pipeline.kernel import IPCKernelManager
    from dyad_lib.pipeline.runner import kernel_name

    async def go():
        km = IPCKernelManager(kernel_name=kernel_name())
        folder = Path(km._dyad_sock_dir)
        assert folder.is_dir() and km.transport == "ipc" and km.ip.startswith(str(folder))
        await km.start_kernel()
        try:
            assert await km.is_alive()
        finally:
            await km.shutdown_kernel(now=True)
        return folder

    assert not asyncio.run(go()).exists()


def test_two_managers_get_different_sockets():
    from dyad_lib.pipeline.kernel import IPCKernelManager

    a, b = IPCKernelManager(), IPCKernelManager()
    try:
        assert a.ip != b.ip
    finally:
        a.remove_socket_dir(), b.remove_socket_dir()


def test_failing_cell_keeps_partial_notebook_and_writes_plain_error_page(tmp_path):
    res = _run(tmp_path, "raises")
    root = tmp_path / "reports"
    assert res.status == "failed"
    assert res.error == "a column or value 'collections' the report needs is missing from the data."
    assert res.section == "Collections by payer"
    assert res.html is None and not (root / "test-practice/2026-09/raises.html").exists()
    failed = nbformat.read(root / "test-practice/2026-09/raises.failed.ipynb", as_version=4)
    assert failed.metadata["papermill"]["exception"] is True
    statuses = [c.metadata.get("papermill", {}).get("status") for c in failed.cells if c.cell_type == "code"]
    assert "failed" in statuses and "pending" in statuses  # partial: the last section never ran
    page = (root / res.error_html).read_text()
    assert "This report could not be produced" in page and "Collections by payer" in page
    assert "&#39;collections&#39;" in page or "&#x27;collections&#x27;" in page
    for bad in ("Traceback", "KeyError", str(tmp_path), "site-packages", "<script src"):
        assert bad not in page, bad


def test_failed_rerun_keeps_last_good_report(tmp_path):
    root = tmp_path / "reports"
    good = _run(tmp_path, "flaky")
    assert good.status == "ok"
    html_path = root / good.html
    before = html_path.read_bytes()
    bad = _run(tmp_path, "flaky", params={"fail": True})
    assert bad.status == "failed" and bad.section == "Numbers"
    assert bad.error == "a value in the data could not be used: the month 2026-13 does not exist"
    assert html_path.read_bytes() == before and bad.html == good.html  # last good still linked
    err = (root / bad.error_html).read_text()
    assert "previous version of this report is still available" in err
    assert not list(html_path.parent.glob(".*.tmp")) and not list(html_path.parent.glob("*.running.ipynb"))
    again = _run(tmp_path, "flaky")
    assert again.status == "ok" and not (root / bad.error_html).exists()
    assert not (root / "test-practice/2026-09/flaky.failed.ipynb").exists()


def test_blocking_validation_blocks_all_but_data_quality(tmp_path):
    res = _run(tmp_path, "ok", prepared=fake_prepared("test-practice", ok=False))
    assert res.status == "blocked" and res.error == SKIPPED_BLOCKING
    assert not (tmp_path / "reports").exists()
    prep = fake_prepared("test-practice", ok=False)
    prep.summary["blocking_count"] = 5
    res = _run(tmp_path, "ok", prepared=prep)
    assert res.status == "blocked" and res.error == "5 blocking problems in the data — see data_quality"


def test_validation_warnings_mark_the_report(tmp_path):
    res = _run(tmp_path, "ok", prepared=fake_prepared("test-practice", warnings=2))
    assert res.status == "warnings" and res.warnings == ["2 data-quality warnings"]


def test_bad_requests_are_usage_errors(tmp_path):
    from dyad_lib.data.paths import PracticeIdError

    with pytest.raises(ReportError, match="available: chart, flaky, hold, ok, raises, snapshot"):
        _run(tmp_path, "nope")
    with pytest.raises(ReportError):
        _run(tmp_path, "../ok")
    with pytest.raises(PracticeIdError):
        _run(tmp_path, "ok", practice="../etc")
    with pytest.raises(ReportError):
        _run(tmp_path, "ok", period="../../x")


def test_unknown_practice_is_a_usage_error_that_writes_nothing(tmp_path):
    (tmp_path / "data").mkdir()
    with pytest.raises(ReportError, match="no practice named 'no-such-practice'") as err:
        run_report("ok", "no-such-practice", "2026-09", data_dir=tmp_path / "data",
                   reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache", notebooks_dir=TEST_NOTEBOOKS)
    assert str(tmp_path) not in str(err.value)
    assert not (tmp_path / "reports").exists() and not (tmp_path / "cache").exists()


def test_files_changed_after_validation_fail_the_report(tmp_path):
    """The runner validated the files; one is replaced before the notebook reads them. The report
    fails in plain words instead of reading the new, unvalidated file (issue 13, item 4)."""
    from dyad_lib.data.snapshot import prepare_practice
    from validation_fixtures import CLEAN, PID, make_practice

    data, cache, reports = tmp_path / "data", tmp_path / "cache", tmp_path / "reports"
    make_practice(data, {name: None for name in CLEAN if name != "financials.csv"})
    prepared = prepare_practice(PID, data, cache)
    assert prepared.ok
    path = data / PID / "financials.csv"
    path.write_text(path.read_text().replace("2025-03,1100,", "2025-03,-99999,"))
    res = run_report("snapshot", PID, "2025-03", None, data, reports, cache, prepared=prepared,
                     notebooks_dir=TEST_NOTEBOOKS)
    assert res.status == "failed" and "changed after they were validated" in res.error, res.error
    assert not (reports / PID / "2025-03" / "snapshot.html").exists()
    assert "99,999" not in (reports / res.error_html).read_text()


def test_reserved_parameters_are_refused_before_anything_is_written(tmp_path):
    for name, value in (("practice_id", "other-practice"), ("data_dir", "/elsewhere"), ("cache_dir", "/x"),
                        ("reports_dir", "/y"), ("period", "2020-01")):
        with pytest.raises(ReportError, match=f"-p {name} is set by dyad itself"):
            _run(tmp_path, "ok", params={name: value})
    assert not (tmp_path / "reports").exists()


def test_a_period_the_report_does_not_take_is_a_usage_error(tmp_path):
    from dyad_lib.pipeline.runner import check_period

    for report, period in (("monthly_review", "2026Q3"), ("quarterly_partnership", "2026-09"),
                           ("annual_goals", "2026-09"), ("monthly_review", "latest"), ("ok", "2026-13"),
                           ("data_quality", "2026Q3"), ("portfolio", "soon")):
        with pytest.raises(ReportError):
            check_period(report, period)
    for report, period in (("monthly_review", "2026-09"), ("data_quality", "latest"), ("portfolio", "FY2026"),
                           ("practice_assessment", "2026Q3"), ("annual_goals", "FY2027")):
        check_period(report, period)
    with pytest.raises(ReportError):
        _run(tmp_path, "ok", period="2026-13")
    assert not (tmp_path / "reports").exists()


def test_a_broken_kernel_spec_is_named_as_such(tmp_path, monkeypatch):
    import json as _json

    from dyad_lib.pipeline import runner

    spec = tmp_path / "jupyter" / "kernels" / runner.KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(_json.dumps({
        "argv": ["/nonexistent/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "broken", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("DYAD_KERNEL_POOL", "0")
    runner.kernel_name.cache_clear()
    try:
        res = _run(tmp_path, "ok")
    finally:
        runner.kernel_name.cache_clear()
    assert res.status == "failed"
    assert "kernel 'dyad' cannot start" in res.error and "make setup" in res.error, res.error
    assert "a file the report needs" not in res.error


def test_paths_in_a_reason_are_shortened_not_mangled():
    """A relative path left after the local folders are hidden keeps its slashes (it used to read
    'relharbor-dental'); any other absolute path becomes its last part."""
    from pathlib import Path

    from dyad_lib.pipeline.runner import plain_reason

    home = str(Path.home())
    why = plain_reason("FileNotFoundError", f"{home}/rel/harbor-dental/financials.csv")
    assert "rel/harbor-dental/financials.csv" in why and "relharbor" not in why and home not in why
    why = plain_reason("ValueError", "cannot read /srv/clients/harbor-dental/financials.csv")
    assert why.endswith("cannot read financials.csv") and "/srv" not in why
