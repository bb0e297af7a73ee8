"""Batches: parallel workers, a failure does not stop the others, manifests, index, CLI exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import dyad_lib.pipeline.runner as runner
from dyad_lib.pipeline.batch import Job, plan, run_batch
from dyad_lib.cli.app import app
from pipeline_helpers import TEST_NOTEBOOKS, fake_prepared

pytestmark = pytest.mark.slow


@pytest.fixture
def fake_validation(monkeypatch):
    """Validation happens in the orchestrator process: replace it there (workers get the result)."""
    monkeypatch.setattr(runner, "prepare", lambda p, d, c: fake_prepared(p, ok=p != "blocked-practice"))


@pytest.fixture(scope="module")
def two_worker_batch(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "prepare", lambda p, d, c: fake_prepared(p, ok=p != "blocked-practice"))
    tmp = tmp_path_factory.mktemp("batch")
    jobs = [Job("ok", "test-practice", "2026-09"), Job("chart", "test-practice", "2026-09"),
            Job("raises", "test-practice", "2026-09"), Job("ok", "second-practice", "2026Q3"),
            Job("ok", "blocked-practice", "2026-09")]
    seen = []
    try:
        res = run_batch(jobs, data_dir=tmp / "data", reports_dir=tmp / "reports", cache_dir=tmp / "cache", workers=2,
                        notebooks_dir=TEST_NOTEBOOKS, on_result=lambda r, done, total: seen.append((r.job, done, total)))
    finally:
        mp.undo()
    return res, tmp / "reports", seen


def test_two_workers_start_kernels_together_and_a_failure_does_not_stop_the_batch(two_worker_batch):
    res, root, seen = two_worker_batch
    status = {r.job: r.status for r in res.results}
    assert status == {"test-practice/2026-09/ok": "ok", "test-practice/2026-09/chart": "ok",
                      "test-practice/2026-09/raises": "failed", "second-practice/2026Q3/ok": "ok",
                      "blocked-practice/2026-09/ok": "blocked"}
    assert [r.job for r in res.results] == [j for j, *_ in sorted(seen, key=lambda s: s[1])] or len(seen) == 5
    assert sorted(d for _, d, _ in seen) == [1, 2, 3, 4, 5] and {t for *_, t in seen} == {5}
    assert not res.ok and res.counts == {"ok": 3, "failed": 1, "blocked": 1}
    assert (root / "second-practice/2026Q3/ok.html").is_file()


def test_manifests_record_every_job_in_plain_words(two_worker_batch):
    res, root, _ = two_worker_batch
    latest = json.loads((root / "manifest.json").read_text())["reports"]
    assert set(latest) == {r.job for r in res.results}
    failed = latest["test-practice/2026-09/raises"]
    assert failed["status"] == "failed" and failed["section"] == "Collections by payer"
    assert failed["error"].startswith("a column or value 'collections'")
    assert failed["error_html"] == "test-practice/2026-09/raises.error.html"
    ok = latest["test-practice/2026-09/ok"]
    assert ok["html"] == "test-practice/2026-09/ok.html" and ok["duration"] > 0 and ok["last_good"]
    assert latest["blocked-practice/2026-09/ok"]["error"] == runner.SKIPPED_BLOCKING
    run = json.loads(res.run_manifest.read_text())
    assert res.run_manifest.parent == root / "runs" and len(run["jobs"]) == 5 and run["workers"] == 2
    assert {j["report"] for j in run["jobs"]} == {"ok", "chart", "raises"}


def test_index_lists_every_report_with_status_and_link(two_worker_batch):
    res, root, _ = two_worker_batch
    page = res.index.read_text()
    assert res.index == root / "index.html"
    for href in ("test-practice/2026-09/ok.html", "test-practice/2026-09/chart.html",
                 "second-practice/2026Q3/ok.html", "test-practice/2026-09/raises.error.html"):
        assert f'href="{href}"' in page
    assert "failed" in page and "Collections by payer" in page and "see data_quality" in page
    assert "http://" not in page and "https://" not in page
    # a practice whose data have blocking problems is "blocked", never "ok, with warnings"
    blocked = page.split('id="p-blocked-practice"')[1].split("</table>")[0]
    assert 'class="dyad-status blocked">blocked<' in blocked and "ok, with warnings" not in blocked


def test_plan_is_practices_times_reports_with_one_portfolio():
    jobs = plan(["a-1", "b-2"], ["monthly_review", "portfolio"], "2026-09")
    assert [j.key for j in jobs] == ["a-1/2026-09/monthly_review", "b-2/2026-09/monthly_review",
                                     "portfolio/2026-09/portfolio"]


def _data(tmp_path, *practices):
    for p in practices:
        (tmp_path / "data" / p).mkdir(parents=True)
        (tmp_path / "data" / p / "practice.yaml").write_text(f"practice_id: {p}\nname: {p}\nkind: dental\n")
    return ["--data-dir", str(tmp_path / "data"), "--reports-dir", str(tmp_path / "reports"),
            "--cache-dir", str(tmp_path / "cache"), "--notebooks-dir", str(TEST_NOTEBOOKS)]


def test_cli_batch_exit_code_is_non_zero_when_a_report_fails(tmp_path, fake_validation):
    opts = _data(tmp_path, "test-practice")
    res = CliRunner().invoke(app, ["batch", "--period", "2026-09", "--reports", "ok,raises", "--workers", "1", *opts])
    assert res.exit_code == 1, res.output
    assert "Summary" in res.output and "failed" in res.output and "Index:" in res.output
    assert (tmp_path / "reports/test-practice/2026-09/ok.html").is_file()
    assert "Traceback" not in res.output


def test_cli_run_ok_and_failed(tmp_path, fake_validation):
    opts = _data(tmp_path, "test-practice")
    ok = CliRunner().invoke(app, ["run", "ok", "--practice", "test-practice", "--period", "2026-09",
                                  "-p", "comment=hello", *opts])
    assert ok.exit_code == 0, ok.output
    assert "ok.html" in ok.output and (tmp_path / "reports/index.html").is_file()
    bad = CliRunner().invoke(app, ["run", "raises", "--practice", "test-practice", "--period", "2026-09", *opts])
    assert bad.exit_code == 1 and "Collections by payer" in " ".join(bad.output.split())


def test_cli_usage_errors(tmp_path, fake_validation):
    opts = _data(tmp_path, "test-practice")
    assert CliRunner().invoke(app, ["run", "nope", "--practice", "test-practice", *opts]).exit_code == 2
    assert CliRunner().invoke(app, ["run", "ok", "--practice", "Bad/Id", *opts]).exit_code == 2
    assert CliRunner().invoke(app, ["run", "ok", "--practice", "test-practice", "-p", "novalue", *opts]).exit_code == 2
    r = CliRunner().invoke(app, ["batch", "--period", "2026-09", "--practices", "zzz", *opts])
    assert r.exit_code == 2 and "unknown practice" in " ".join(r.output.split())


def test_parse_params():
    from dyad_lib.cli.run import parse_params

    assert parse_params(["a=1", "b=true", "c=x y", "d=0.05", "e=2026-09"]) == \
        {"a": 1, "b": True, "c": "x y", "d": 0.05, "e": "2026-09"}
    with pytest.raises(ValueError):
        parse_params(["1x=2"])


# --- faults: Ctrl-C and SIGKILL of a running batch -----------------------------------------------------

FAULT_TAG = "DYAD_FAULT_TEST"


def _tagged(tag: str) -> list:
    """Every live process that inherited this test's tag: the batch, its workers and their kernels."""
    import psutil

    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get(FAULT_TAG) == tag and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


def _until(check, timeout: float, what: str):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


@pytest.fixture(scope="module")
def fault_env(tmp_path_factory):
    """Two small practices, the test notebooks, and a command line for `dyad batch` in a process of
    its own (its own session, like a terminal's foreground job) tagged through its environment."""
    import os
    import subprocess
    import sys
    import uuid

    from report_fixtures import write_minimal

    root = tmp_path_factory.mktemp("faults")
    data, reports, cache, markers = root / "data", root / "reports", root / "cache", root / "markers"
    markers.mkdir()
    for pid in ("alpha-dental", "beta-dental"):
        write_minimal(data, pid, pid.split("-")[0].title() + " Dental")
    tag = uuid.uuid4().hex
    env = {**os.environ, FAULT_TAG: tag, "DYAD_TEST_MARKERS": str(markers), "DYAD_REPORT_CACHE": "1"}

    def start(reports_list: str):
        return subprocess.Popen(
            [sys.executable, "-m", "dyad_lib.cli.app", "batch", "--period", "2025-12", "--reports", reports_list,
             "--workers", "2", "--data-dir", str(data), "--reports-dir", str(reports), "--cache-dir", str(cache),
             "--notebooks-dir", str(TEST_NOTEBOOKS)],
            env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = start("ok")
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    return root, tag, start


def _both_holding(markers):
    return len(list(markers.glob("*.started"))) == 2


def _state(reports):
    manifest = json.loads((reports / "manifest.json").read_text())  # valid JSON, or this fails
    pages = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("ok.html")}
    assert "<html" in (reports / "index.html").read_text()
    return manifest, pages


@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_a_stopped_batch_leaves_nothing_running_and_nothing_broken(fault_env, how):
    """Ctrl-C (SIGINT to the whole terminal group) ends the batch cleanly within seconds; SIGKILL of
    the batch process takes its workers and kernels with it. Either way no process is left within
    10 s, the earlier reports and the manifest and index are intact, and a rerun completes."""
    import os
    import signal
    import time

    root, tag, start = fault_env
    reports, markers = root / "reports", root / "markers"
    manifest_before, pages_before = _state(reports)
    assert len(pages_before) == 2
    for m in markers.glob("*.started"):
        m.unlink()
    (markers / "hold").write_text("")
    proc = start("ok,hold")
    try:
        _until(lambda: _both_holding(markers), 120, "both hold reports running")
        t0 = time.monotonic()
        if how == "SIGINT":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        if how == "SIGINT":
            assert proc.returncode == 130, out + err
            assert time.monotonic() - t0 < 10
            assert "Traceback" not in out + err and "Error" not in err, out + err
            assert "Interrupted: 2 of 4 reports finished" in " ".join(out.split())
        _until(lambda: not _tagged(tag), 10, f"every process gone after {how}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    manifest, pages = _state(reports)
    assert pages == pages_before  # the earlier reports are untouched
    assert set(manifest["reports"]) == set(manifest_before["reports"])  # the held jobs never finished
    assert not list(reports.rglob("hold.html")) and not list(reports.rglob("*.running.ipynb"))
    # a rerun finishes what was interrupted
    (markers / "hold").unlink()
    again = start("ok,hold")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, out + err
    assert len(list(reports.rglob("hold.html"))) == 2
    for page in reports.rglob("hold.html"):  # reset for the next case
        page.unlink()
    for f in reports.rglob("hold.*"):
        f.unlink()
