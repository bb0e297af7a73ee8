"""The speed-ups change nothing a reader sees: every fast path is checked against the slow one.

- the loader's pyarrow CSV path gives the same typed tables (and the same problems) as pandas';
- validating a big frame through the split suites gives the same failures as the whole suite;
- reports are byte-identical (minus run timestamps) with and without the report cache and the
  warm kernel pool, and an unchanged rerun is served from the cache, a changed input is not;
- a batch sent to a Dask cluster gives the same manifest entries and reports as a local batch;
- the benchmark script runs and prints every figure (sizes only; no timing is asserted).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dyad_lib.data import csvfile as dyad_io
from dyad_lib.data.load import load_practice
from tests.validation_fixtures import CLEAN, make_practice
from dyad_lib.data import validation

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data"


# --- loader: the fast path and the forgiving path agree ----------------------------------------------

MESSY_APPOINTMENTS = (
    "Appointment_ID , Date,provider_id,patient_id,chair_minutes,status,visit_type,production,"
    "next_visit_booked,documented_date\n"
    "a1,2025-01-06,d1,p1,60,Completed,exam,$1,150.00,yes,2025-01-06\n"  # unquoted comma: ragged row
)


def _frames(root: Path, pid: str) -> tuple[dict[str, pd.DataFrame], list[str]]:
    p = load_practice(pid, root, collect=True)
    return p.tables, [str(i) for i in p.issues]


@pytest.mark.parametrize("changes", [
    {},
    {"appointments.csv": CLEAN["appointments.csv"].replace("a1,2025-01-06,d1,p1,60,completed,exam,150,yes",
                                                           "a1,2025-01-06,d1,p1,60,COMPLETED ,exam,\"$1,150.00\",Y")},
    {"appointments.csv": CLEAN["appointments.csv"].replace("a3,2025-03-12,d2,p3,90", "a3,2025-13-12,d2,p3,9x")},
    {"financials.csv": CLEAN["financials.csv"].replace("2025-02,1200,150", "2025-02,\"(1,200.50)\",abc")},
    # typed by the reader as it reads: numbers in every plain form, yes/no in its spellings,
    # whole numbers written with a decimal point, blank cells, a blank line, a header in capitals
    {"appointments.csv": CLEAN["appointments.csv"].replace("appointment_id,date", "Appointment_ID, Date ")
     .replace("a1,2025-01-06,d1,p1,60,completed,exam,150,yes", "a1,2025-01-06,d1,p1,60.0,completed,exam,1.5e2,YES")
     .replace("a3,2025-03-12,d2,p3,90,completed,restorative,400,no", "a3,2025-03-12,d2,p3,+90,completed,restorative,.5,N")
     + ",,,,,,,,,\n"},
    # values the reader must not type: a date that does not exist, a year outside pandas' range,
    # infinity, a fraction in a whole-number column, a yes/no in mixed case
    {"appointments.csv": CLEAN["appointments.csv"].replace("2025-01-06,d1", "2025-02-30,d1")},
    {"appointments.csv": CLEAN["appointments.csv"].replace("2025-02-10,d1", "1492-10-12,d1")},
    {"treatment_plans.csv": CLEAN["treatment_plans.csv"].replace("1000,800", "inf,800")},
    {"appointments.csv": CLEAN["appointments.csv"].replace("d2,p3,90", "d2,p3,90.5")},
    {"appointments.csv": CLEAN["appointments.csv"].replace("150,yes", "150,yEs")},
], ids=["clean", "money-and-codes", "bad-date-and-integer", "bad-money", "typed-forms", "impossible-date",
        "out-of-range-year", "infinite", "fraction", "mixed-case-yes"])
def test_arrow_csv_path_equals_pandas_path(tmp_path, monkeypatch, changes):
    make_practice(tmp_path / "fast", changes)
    fast, fast_issues = _frames(tmp_path / "fast", "test-clinic")
    monkeypatch.setattr(dyad_io, "_read_csv_arrow", lambda *a, **k: None)
    make_practice(tmp_path / "slow", changes)
    slow, slow_issues = _frames(tmp_path / "slow", "test-clinic")
    assert fast_issues == slow_issues
    assert fast.keys() == slow.keys()
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_dtype=True, obj=name)


def test_arrow_path_is_taken_for_a_clean_file_and_keeps_row_numbers():
    assert dyad_io._read_csv_arrow(b"a,b\n1,2\n3,4\n", ",")["a"].tolist() == ["1", "3"]
    # a blank line stays a (blank) record, so later rows keep their spreadsheet numbers
    blank = dyad_io._read_csv_arrow(b"a,b\n1,2\n\n3,4\n", ",")
    assert len(blank) == 3 and blank["a"].tolist()[2] == "3"
    assert dyad_io._read_csv_arrow(b"a,a\n1,2\n", ",") is None  # duplicate header: the careful reader reports it
    assert dyad_io._read_csv_arrow(b'a,b\n1,"2\n', ",") is None  # unclosed quote: the careful reader names its row


# --- validation: split suites on big frames == the whole suite ----------------------------------------


def test_split_validation_gives_the_same_failures(tmp_path, monkeypatch):

    bad = CLEAN["appointments.csv"] + (
        "a6,2025-03-03,d1,p4,700,completed,exam,100,yes,2025-03-01\n"  # range, note before visit
        "a6,2025-03-04,d1,p4,60,completed,exam,100,maybe,2025-03-04\n"  # duplicate id, bad bool
        "a7,2025-06-02,d2,p5,60,completed,exam,100,yes,2025-06-02\n"  # completed after data end
    )
    plans = CLEAN["treatment_plans.csv"] + "t3,p1,d1,2025-02-01,100,200,\n"  # accepted > presented, no date
    make_practice(tmp_path, {"appointments.csv": bad, "treatment_plans.csv": plans})
    practice = load_practice("test-clinic", tmp_path, collect=True)
    whole = validation.validate(practice).to_dict()
    monkeypatch.setattr(validation, "SPLIT_ROWS", 0)
    split = validation.validate(practice).to_dict()
    for d in (whole, split):
        d.pop("validated_at")
    assert split == whole
    checks = {f["check"] for f in whole["failures"]}
    assert {"documented_after_visit", "no_completed_after_data_end", "accepted_le_presented",
            "accepted_date_when_accepted", "key.unique"} <= checks


@pytest.mark.parametrize("bad", [False, True], ids=["clean", "failing"])
def test_boolean_first_pass_gives_the_same_report(tmp_path, monkeypatch, bad):

    changes = {"appointments.csv": CLEAN["appointments.csv"] + "a6,2025-03-03,d1,p4,700,completed,exam,100,yes,"
                                                               "2025-03-01\n"} if bad else {}
    make_practice(tmp_path, changes)
    practice = load_practice("test-clinic", tmp_path, collect=True)
    two_pass = validation.validate(practice).to_dict()
    monkeypatch.setattr(validation, "QUICK_FORMAT", validation.RESULT_FORMAT)
    full = validation.validate(practice).to_dict()
    for d in (two_pass, full):
        d.pop("validated_at")
    assert two_pass == full
    assert bool(full["failures"]) == bad


# --- reports: identical with and without the optimisations ---------------------------------------------

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?|\d{1,2}:\d{2}( UTC)?")


def normalised(html: str) -> str:
    """A report without its run timestamps (everything else must be identical)."""
    return _STAMP.sub("<time>", html)


def _copy_demo(dst: Path, ids: dict[str, str]) -> Path:
    for new, src in ids.items():
        shutil.copytree(DEMO / src, dst / new)
        y = dst / new / "practice.yaml"
        y.write_text(re.sub(r"(?m)^practice_id:.*$", f"practice_id: {new}", y.read_text()))
    return dst


def _reports(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): normalised(p.read_text(encoding="utf-8"))
            for p in sorted(root.rglob("*.html")) if p.name != "index.html" and "runs" not in p.parts}


def _entries(manifest: Path) -> dict[str, dict]:
    data = json.loads(manifest.read_text())["reports"]
    drop = {"duration", "finished", "last_good", "cached"}
    return {k: {f: v for f, v in e.items() if f not in drop} for k, e in data.items()}


JOBS = [("data_quality", "latest"), ("monthly_review", "2026-09")]


def _jobs(practices: list[str]):
    from dyad_lib.pipeline.batch import Job
    from dyad_lib.pipeline.runner import available_reports

    have = set(available_reports())
    return [Job(r, p, per) for p in practices for r, per in JOBS if r in have]


@pytest.mark.slow
def test_cache_and_kernel_pool_change_no_report(tmp_path, monkeypatch):
    from dyad_lib.pipeline.batch import run_batch

    data = _copy_demo(tmp_path / "data", {"perf-dental": "harbor-dental"})
    jobs = _jobs(["perf-dental"])
    assert jobs
    common = dict(data_dir=data, cache_dir=tmp_path / "cache", workers=1)

    monkeypatch.setenv("DYAD_KERNEL_POOL", "0")
    plain = run_batch(jobs, reports_dir=tmp_path / "plain", use_cache=False, **common)
    assert plain.ok and not any(r.cached for r in plain.results)
    monkeypatch.setenv("DYAD_KERNEL_POOL", "1")
    fast = run_batch(jobs, reports_dir=tmp_path / "fast", **common)
    assert fast.ok and not any(r.cached for r in fast.results)
    assert _reports(tmp_path / "fast") == _reports(tmp_path / "plain")
    assert _entries(fast.manifest) == _entries(plain.manifest)

    before = {p: p.read_bytes() for p in (tmp_path / "fast").rglob("*.html") if p.name != "index.html"}
    again = run_batch(jobs, reports_dir=tmp_path / "fast", **common)
    assert all(r.cached for r in again.results)
    assert all(p.read_bytes() == b for p, b in before.items())  # served, not rewritten
    entries = json.loads(again.manifest.read_text())["reports"]
    assert all(e["cached"] for e in entries.values())

    # a changed input is never served from the cache
    y = data / "perf-dental" / "practice.yaml"
    y.write_text(y.read_text().replace("name: ", "name: Renamed ", 1))
    changed = run_batch(jobs, reports_dir=tmp_path / "fast", **common)
    assert changed.ok and not any(r.cached for r in changed.results)
    assert all("Renamed" in (tmp_path / "fast" / r.html).read_text() for r in changed.results)


@pytest.mark.slow
def test_dask_cluster_batch_equals_local_batch(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    from dyad_lib.pipeline.batch import run_batch

    data = _copy_demo(tmp_path / "data", {"dask-dental": "harbor-dental", "dask-medical": "maple-family-medicine"})
    jobs = [j for j in _jobs(["dask-dental", "dask-medical"]) if j.report == "data_quality"]
    local = run_batch(jobs, data_dir=data, reports_dir=tmp_path / "local", cache_dir=tmp_path / "c1",
                      workers=1, use_cache=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        remote = run_batch(jobs, data_dir=data, reports_dir=tmp_path / "dask", cache_dir=tmp_path / "c2",
                           scheduler=lc.scheduler_address, use_cache=False)
    assert local.ok and remote.ok
    assert _entries(remote.manifest) == _entries(local.manifest)
    assert _reports(tmp_path / "dask") == _reports(tmp_path / "local")
    run = json.loads(remote.run_manifest.read_text())
    assert run["scheduler"] == lc.scheduler_address


# --- the benchmark script --------------------------------------------------------------------------------


@pytest.mark.slow
def test_benchmark_quick_prints_every_figure(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run import FIGURE_NAMES

    out = tmp_path / "figures.json"
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=1800)
    assert p.returncode == 0, p.stderr[-3000:]
    for name in FIGURE_NAMES:
        assert f"| {name} " in p.stdout, name
    # where a report's time goes: the phases of real runs, and each report's slowest cells
    assert "Where a report's time goes" in p.stdout and re.search(r"\| kernel_start +\| imports +\|", p.stdout)
    assert "Slowest cells" in p.stdout and "display(" in p.stdout
    figs = json.loads(out.read_text())["figures"]
    assert [f["name"] for f in figs] == list(FIGURE_NAMES)
    assert all(f["ratio"] > 0 for f in figs)


def test_unreachable_scheduler_is_a_plain_error(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setenv("DYAD_SCHEDULER_TIMEOUT", "2s")  # nothing listens there: fail fast
    from dyad_lib.cli.app import app

    make_practice(tmp_path / "data")
    res = CliRunner().invoke(app, ["batch", "--period", "2025-03", "--reports", "data_quality",
                                   "--data-dir", str(tmp_path / "data"), "--reports-dir", str(tmp_path / "out"),
                                   "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in res.output
    assert "Traceback" not in res.output
