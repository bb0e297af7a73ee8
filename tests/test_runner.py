"""run_report on small test notebooks (tests/notebooks): outputs, failures, atomic reruns, escaping."""

from __future__ import annotations

import json
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


def test_blocking_validation_skips_all_but_data_quality(tmp_path):
    res = _run(tmp_path, "ok", prepared=fake_prepared("test-practice", ok=False))
    assert res.status == "skipped" and res.error == SKIPPED_BLOCKING
    assert not (tmp_path / "reports").exists()


def test_validation_warnings_mark_the_report(tmp_path):
    res = _run(tmp_path, "ok", prepared=fake_prepared("test-practice", warnings=2))
    assert res.status == "warnings" and res.warnings == ["2 data-quality warnings"]


def test_bad_requests_are_usage_errors(tmp_path):
    from dyad_lib.data.paths import PracticeIdError

    with pytest.raises(ReportError, match="available: chart, flaky, ok, raises"):
        _run(tmp_path, "nope")
    with pytest.raises(ReportError):
        _run(tmp_path, "../ok")
    with pytest.raises(PracticeIdError):
        _run(tmp_path, "ok", practice="../etc")
    with pytest.raises(ReportError):
        _run(tmp_path, "ok", period="../../x")


def test_unknown_practice_fails_in_plain_words(tmp_path):
    (tmp_path / "data").mkdir()
    res = run_report("ok", "no-such-practice", "2026-09", data_dir=tmp_path / "data",
                     reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache", notebooks_dir=TEST_NOTEBOOKS)
    assert res.status == "failed" and "no-such-practice" in res.error and str(tmp_path) not in res.error
