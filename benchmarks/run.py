"""dyad's performance figures, each a ratio against a baseline measured in the same invocation.

    .venv/bin/python benchmarks/run.py            # the full set (under 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # a small smoke version (names and shape only)
    .venv/bin/python benchmarks/run.py --json out.json --only single_report,cache_rerun

Every input is generated deterministically into a temporary folder (copies of the demo practices
under new ids, a large multi-provider group, a 1M-appointment practice), every step runs in a
fresh subprocess exactly as a user would run it, and every figure is printed as a ratio to a
baseline timed in the same run, so the table means the same thing on a slower or busier machine.
Absolute seconds are shown for context only; tests never assert them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = sys.executable
DATA = ROOT / "data"
DEMO = ("harbor-dental", "maple-family-medicine")
#: Report preference for the benchmark (first three that exist); each runs for the demo period its
#: notebook declares (metadata.dyad.demo_period and demo_params).
PREFERRED = ("monthly_review", "quarterly_partnership", "annual_goals", "practice_assessment", "data_quality")
SINGLE = "quarterly_partnership"

#: Every figure this script prints, in order (the smoke test checks they all appear).
FIGURE_NAMES = ("single_report", "batch_vs_naive", "batch_workers", "batch_vs_floor", "cache_rerun",
                "large_practice_time", "large_practice_memory", "validation_1m", "metrics_3y",
                "opendental_import_time", "opendental_import_memory", "openemr_import_time", "openemr_import_memory")


@dataclass
class Figure:
    name: str
    what: str
    measured: float  # seconds, or MB for memory
    baseline: float
    baseline_what: str
    kind: str  # "speedup": baseline / measured (higher is better); "within": measured / baseline
    target: float | None = None
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.kind == "speedup":
            return self.baseline / self.measured if self.measured else float("inf")
        return self.measured / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio >= self.target if self.kind == "speedup" else self.ratio <= self.target

    def row(self) -> list[str]:
        r = f"{self.ratio:.2f}× faster" if self.kind == "speedup" else f"{self.ratio:.2f}× of baseline"
        tgt = "" if self.target is None else (f"≥ {self.target:g}×" if self.kind == "speedup" else f"≤ {self.target:g}×")
        met = {True: "yes", False: "NO", None: "—"}[self.met]
        return [self.name, f"{self.measured:.1f} {self.unit}", f"{self.baseline:.1f} {self.unit}", r, tgt, met]


# --- running things -----------------------------------------------------------------------------


#: Set by freeze_code(): every subprocess imports this copy of dyad_lib and its notebooks.
FROZEN: Path | None = None


def freeze_code(tmp: Path) -> Path:
    """Copy dyad_lib and the notebooks into the run's folder and run everything from that copy:
    the figures describe one version of the code even if the checkout changes meanwhile (the
    report cache keys on the code, so an edit during the run would rightly invalidate it)."""
    global FROZEN
    code = tmp / "code"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "dyad_lib", code / "dyad_lib", ignore=ignore)
    shutil.copytree(ROOT / "notebooks", code / "notebooks", ignore=ignore)
    FROZEN = code
    return code


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GX_ANALYTICS_ENABLED": "False", "PYTHONHASHSEED": "0", "TZ": "UTC"})
    if FROZEN is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(FROZEN), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Wall-clock seconds of a subprocess; raises with its output if it fails."""
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env or _env(), cwd=cwd or FROZEN or ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return took


def py_json(code: str, env: dict[str, str] | None = None) -> dict:
    """Run Python code in a fresh interpreter; its last stdout line is a JSON dict."""
    p = subprocess.run([PY, "-c", code], env=env or _env(), cwd=FROZEN or ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{p.stdout[-3000:]}\n{p.stderr[-4000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def notebooks_dir() -> Path:
    return (FROZEN or ROOT) / "notebooks"


def available_reports() -> list[str]:
    return [r for r in PREFERRED if (notebooks_dir() / f"{r}.ipynb").is_file()]


def demo_period(report: str) -> tuple[str, dict]:
    """The period and parameters the report's notebook declares for the demo data."""
    meta = json.loads((notebooks_dir() / f"{report}.ipynb").read_text(encoding="utf-8"))["metadata"].get("dyad", {})
    return meta.get("demo_period") or "2026Q3", dict(meta.get("demo_params") or {})


def make_practices(data: Path, n: int) -> list[str]:
    """n practices: copies of the demo practices under new ids (bench-01 …), alternating kinds."""
    data.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n):
        src = DATA / DEMO[i % len(DEMO)]
        pid = f"bench-{i + 1:02d}"
        dst = data / pid
        shutil.copytree(src, dst)
        y = dst / "practice.yaml"
        y.write_text(re.sub(r"(?m)^practice_id:.*$", f"practice_id: {pid}", y.read_text()))
        ids.append(pid)
    return ids


def trivial_notebooks(folder: Path, names: list[str]) -> None:
    """One-cell notebooks (the parameters cell only) under the given report names: the floor."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell('practice_id = "x"\nperiod = "latest"\ndata_dir = None\ncache_dir = None')
        cell.metadata["tags"] = ["parameters"]
        nb.cells = [cell]
        nb.metadata["kernelspec"] = {"name": "dyad", "display_name": "Python (dyad)", "language": "python"}
        nbformat.write(nb, str(folder / f"{name}.ipynb"))


def batch_code(practices: list[str], reports: list[str], workers: int, data: Path, out: Path, cache: Path,
               notebooks: Path | None = None, periods: dict | None = None, extra: str = "") -> str:
    periods = periods or {r: demo_period(r) for r in reports}
    return textwrap.dedent(f"""
        import json, time
        from dyad_lib.pipeline.batch import Job, run_batch
        t = time.perf_counter()
        periods = {periods!r}
        jobs = [Job(r, p, periods[r][0], tuple(sorted(periods[r][1].items())))
                for p in {practices!r} for r in {reports!r}]
        res = run_batch(jobs, data_dir={str(data)!r}, reports_dir={str(out)!r}, cache_dir={str(cache)!r},
                        workers={workers}, notebooks_dir={str(notebooks) if notebooks else None!r}{extra})
        bad = [(r.job, r.status, r.error) for r in res.results if r.status not in ("ok", "warnings")]
        print(json.dumps({{"seconds": time.perf_counter() - t, "counts": res.counts, "bad": bad[:5],
                          "cached": sum(1 for r in res.results if getattr(r, "cached", False))}}))
    """)


def run_batch_timed(*args, **kw) -> tuple[float, dict]:
    """Wall-clock of the whole batch subprocess (interpreter start and imports included)."""
    t = time.perf_counter()
    out = py_json(batch_code(*args, **kw))
    took = time.perf_counter() - t
    if out["bad"]:
        raise RuntimeError(f"batch had failures: {out['bad']}")
    return took, out


def naive_one(report: str, practice: str, data: Path, out: Path, cache: Path) -> float:
    """The naive path: `papermill` CLI, then `jupyter nbconvert` CLI, same notebook and parameters."""
    period, params = demo_period(report)
    nb = notebooks_dir() / f"{report}.ipynb"
    dst = out / f"{practice}-{report}.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(BIN / "papermill"), str(nb), str(dst), "-k", "dyad", "--cwd", str(notebooks_dir()),
           "-r", "practice_id", practice, "-r", "period", period, "-r", "data_dir", str(data)]
    import papermill as pm

    declared = pm.inspect_notebook(str(nb))
    if "cache_dir" in declared:
        cmd += ["-r", "cache_dir", str(cache)]
    for k, v in params.items():
        if k in declared:
            cmd += ["-r", k, str(v)]
    env = _env(DYAD_DATA_DIR=data, DYAD_CACHE_DIR=cache)
    t = time.perf_counter()
    timed(cmd, env)
    timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(dst)], env)
    return time.perf_counter() - t


# --- the figures ---------------------------------------------------------------------------------


def fig_single(tmp: Path, quick: bool) -> list[Figure]:
    reports = available_reports()
    report = SINGLE if SINGLE in reports else reports[0]
    note = "" if report == SINGLE else f"{SINGLE} not there yet: measured with {report}"
    data, cache = tmp / "single-data", tmp / "single-cache"
    pid = make_practices(data, 1)[0]
    env = _env(DYAD_DATA_DIR=data, DYAD_CACHE_DIR=cache, DYAD_REPORTS_DIR=tmp / "single-out")
    # validate once, as a consultant does before producing reports (the snapshot is then reused)
    timed([str(BIN / "dyad"), "validate", pid], env)
    period, params = demo_period(report)
    cmd = [str(BIN / "dyad"), "run", report, "--practice", pid, "--period", period]
    cmd += [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    cold = timed(cmd, _env(DYAD_DATA_DIR=data, DYAD_CACHE_DIR=cache, DYAD_REPORTS_DIR=tmp / "single-out",
                           DYAD_REPORT_CACHE="0"))
    naive = naive_one(report, pid, data, tmp / "single-naive", cache)
    return [Figure("single_report", f"dyad run {report} (validated snapshot present, report cache off)", cold,
                   naive, "papermill CLI + jupyter nbconvert CLI", "speedup", 2.0, note=note)]


def fig_batches(tmp: Path, quick: bool) -> list[Figure]:
    """Batch figures. Serial runs cost the same per job, so the two slow serial baselines
    (naive path, --workers 1) are timed on a sample of the jobs and scaled: the full set of
    serial runs alone would take longer than the 10-minute budget on 2 cores."""
    reports = available_reports()[: (1 if quick else 3)]
    n_practices = 2 if quick else 12
    data = tmp / "batch-data"
    practices = make_practices(data, n_practices)
    n_jobs = len(practices) * len(reports)
    figs: list[Figure] = []
    note_r = f"reports: {', '.join(reports)}"

    w2, first = run_batch_timed(practices, reports, 2, data, tmp / "out-w2", tmp / "cache-w2")
    again, second = run_batch_timed(practices, reports, 2, data, tmp / "out-w2", tmp / "cache-w2")
    figs.append(Figure("cache_rerun", "second batch, unchanged inputs", again, w2, "first batch (cold)",
                       "speedup", 10.0, note=f"{second['cached']}/{n_jobs} jobs served from the report cache"))

    sub = practices[: max(1, len(practices) // 3)]
    w1_sample, _ = run_batch_timed(sub, reports, 1, data, tmp / "out-w1", tmp / "cache-w1")
    w1 = w1_sample * len(practices) / len(sub)
    figs.append(Figure("batch_workers", f"batch {n_jobs} reports, --workers 2", w2, w1, "--workers 1", "speedup",
                       None, note=f"{os.cpu_count()} cores; --workers 1 timed on {len(sub)} of {len(practices)} "
                                  "practices (validation included), scaled"))

    sample = [(p, r) for p in practices[:1] for r in reports]
    t = sum(naive_one(r, p, data, tmp / "naive", tmp / "cache-w2") for p, r in sample)
    naive = t * n_jobs / len(sample)
    figs.insert(0, Figure("batch_vs_naive", f"batch {len(practices)} practices × {len(reports)} reports, --workers 2",
                          w2, naive, "naive path run serially", "speedup", 3.0,
                          note=f"{note_r}; validation of every practice included; naive timed on {len(sample)} "
                               f"of {n_jobs} jobs, scaled"))

    nbdir = tmp / "trivial-nb"
    trivial_notebooks(nbdir, reports)
    floor, _ = run_batch_timed(practices, reports, 2, data, tmp / "out-floor", tmp / "cache-floor", nbdir)
    figs.insert(2, Figure("batch_vs_floor", "the same batch", w2, floor,
                          "one-cell notebooks, same pipeline, same job count (validation included)", "within", 1.5))
    return figs


LARGE_CODE = """
import json, os, resource, sys, time
import pandas as pd
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
mode, data, pid = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "read_csv":
    import glob
    before = rss(); t = time.perf_counter()
    frames = [pd.read_csv(f) for f in sorted(glob.glob(os.path.join(data, pid, "*.csv")))]
    took = time.perf_counter() - t
    size = sum(f.memory_usage(deep=True).sum() for f in frames) / 2**20
    print(json.dumps({"seconds": took, "data_mb": size, "rss_before": before,
                      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
else:
    from dyad_lib.data.load import load_practice
    from dyad_lib.data.validation import engine, validate
    t = time.perf_counter(); engine(); gx = time.perf_counter() - t
    import dyad_lib.metrics.compute as M
    from dyad_lib.metrics.periods import parse_period
    before = rss(); t0 = time.perf_counter()
    p = load_practice(pid, data, collect=True); t1 = time.perf_counter()
    peak_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rep = validate(p); t2 = time.perf_counter()
    peak_validate = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    years = sorted({ts.year for ts in p.tables["financials"]["month"].dropna()})
    months = p.tables["financials"]["month"].dropna()
    n = 0
    for y in years[1:]:
        M.compute_metrics(p, parse_period(f"FY{y}", p.config.fiscal_year_start_month)); n += 1
    ids = M.practice_metric_ids(p)
    series = M.monthly_series(p, ids, months.min(), months.max())
    t3 = time.perf_counter()
    size = sum(f.memory_usage(deep=True).sum() for f in p.tables.values()) / 2**20
    rows = sum(len(f) for f in p.tables.values())
    print(json.dumps({"seconds": t3 - t0, "load": t1 - t0, "validate": t2 - t1, "metrics": t3 - t2,
                      "gx_import": gx, "ok": rep.ok, "rows": rows, "data_mb": size, "rss_before": before,
                      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "peak_load": peak_load, "peak_validate": peak_validate, "periods": n, "series": list(series.shape)}))
"""


def fig_large(tmp: Path, quick: bool) -> list[Figure]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from large_practice import generate

    providers, years = (4, 2) if quick else (40, 10)
    data = tmp / "large"
    t = time.perf_counter()
    generate(data, "large-group", providers=providers, years=years)
    gen = time.perf_counter() - t
    base = _large("read_csv", data)
    ours = _large("dyad", data)
    if not ours["ok"]:
        raise RuntimeError("the generated large practice did not validate")
    grow = ours["peak"] - ours["rss_before"]
    return [
        Figure("large_practice_time", f"load + validate + all metrics, {ours['rows']:,} rows "
               f"({providers} providers × {years} years)", ours["seconds"], base["seconds"],
               "pandas.read_csv of the same files", "within", 4.0,
               note=(f"load {ours['load']:.1f}s, validate {ours['validate']:.1f}s, metrics {ours['metrics']:.1f}s; "
                     f"one-time GX import {ours['gx_import']:.1f}s not included; generated in {gen:.0f}s")),
        Figure("large_practice_memory", "peak RSS growth during load + validate + metrics", grow,
               ours["data_mb"], "in-memory size of the typed tables", "within", 3.0, unit="MB",
               note=(f"process peak {ours['peak']:.0f} MB incl. {ours['rss_before']:.0f} MB of imports "
                     f"(peak after load {ours['peak_load']:.0f}, after validation {ours['peak_validate']:.0f}); "
                     f"read_csv frames {base['data_mb']:.0f} MB")),
    ]


def _large(mode: str, data: Path, pid: str = "large-group") -> dict:
    p = subprocess.run([PY, "-c", LARGE_CODE, mode, str(data), pid], env=_env(), cwd=FROZEN or ROOT,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"large practice ({mode}) failed:\n{p.stderr[-4000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def fig_validation_1m(tmp: Path, quick: bool) -> list[Figure]:
    """The validation helper's figure: 1,000,000 appointments loaded and validated."""
    rows = 20_000 if quick else 1_000_000
    data = tmp / "v1m"
    data.mkdir()
    code = textwrap.dedent(f"""
        import sys, json; sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
        from pathlib import Path
        try:
            from validation_large import write_practice, PID
            write_practice(Path({str(data)!r}), {rows})
        except ImportError:
            from large_practice import generate
            PID = "large-group"; generate({str(data)!r}, PID, providers=8, years=4)
        print(json.dumps({{"pid": PID}}))
    """)
    pid = py_json(code)["pid"]
    base = _large("read_csv", data, pid)
    ours = _large("dyad", data, pid)
    return [Figure("validation_1m", f"load + validate {ours['rows']:,} rows (+ metrics {ours['metrics']:.1f}s)",
                   ours["load"] + ours["validate"], base["seconds"], "pandas.read_csv of the same files", "within",
                   None, note=f"validate alone {ours['validate']:.1f}s; peak RSS {ours['peak']:.0f} MB")]


METRICS_CODE = """
import json, sys, time
from dyad_lib.data.snapshot import load_snapshot, prepare_practice
import dyad_lib.metrics.compute as M
from dyad_lib.metrics.periods import parse_period
data, cache, pid = sys.argv[1:4]
prepare_practice(pid, data, cache)
t = time.perf_counter(); p = load_snapshot(pid, data, cache); load = time.perf_counter() - t
fy = p.config.fiscal_year_start_month
months = p.tables["financials"]["month"].dropna()
periods = [f"{m:%Y-%m}" for m in sorted(set(months))[-36:]]
t = time.perf_counter()
for per in periods:
    M.compute_metrics(p, parse_period(per, fy))
s = M.monthly_series(p, M.practice_metric_ids(p), periods[0], periods[-1])
took = time.perf_counter() - t
print(json.dumps({"seconds": took, "load": load, "n": len(periods), "shape": list(s.shape)}))
"""


def fig_metrics(tmp: Path, quick: bool) -> list[Figure]:
    data = tmp / "m3y"
    pid = make_practices(data, 1)[0]
    p = subprocess.run([PY, "-c", METRICS_CODE, str(data), str(tmp / "m3y-cache"), pid], env=_env(), cwd=FROZEN or ROOT,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"metrics figure failed:\n{p.stderr[-4000:]}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    return [Figure("metrics_3y", f"every metric for each of {r['n']} months + monthly series ({r['shape'][1]} ids)",
                   r["seconds"], r["load"], "reading the practice's validated snapshot", "within", None)]


def fig_opendental(tmp: Path, quick: bool) -> list[Figure]:
    """`dyad import opendental` of a ten-year, forty-provider database against pandas.read_sql of the
    same rows (benchmarks/opendental_import.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from opendental_import import measure

    db, data = tmp / "opendental.db", tmp / "od-data"
    made = py_json(textwrap.dedent(f"""
        import sys, json; sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
        from pathlib import Path
        from opendental_import import build
        print(json.dumps(build(Path({str(db)!r}), {quick})))
    """))
    base = measure("read_sql", db, data, PY, cwd=FROZEN or ROOT, env=_env())
    ours = measure("import", db, data, PY, cwd=FROZEN or ROOT, env=_env())
    if not ours["ok"] or ours["delta"] != 0:
        raise RuntimeError("the imported benchmark practice did not validate or reconcile")
    what = (f"import {made['procedures']:,} procedures ({made['providers']} providers × {made['years']:g} years) "
            f"into a delivery, reconciled")
    return [
        Figure("opendental_import_time", what, ours["seconds"], base["seconds"],
               f"pandas.read_sql of the same tables and columns ({base['rows']:,} rows)", "within", 2.0,
               note=(f"{sum(ours['written'].values()):,} rows written, {ours['months']} months reconciled to "
                     f"${ours['delta']:.2f}; validation of the delivery {ours['validate']:.1f}s more; database "
                     f"generated in {made['seconds']:.0f}s (SQLite)")),
        Figure("opendental_import_memory", "peak memory growth of the import", ours["peak"] - ours["rss_before"],
               base["peak"] - base["rss_before"], "peak memory growth of the read_sql baseline", "within", 1.0,
               unit="MB", note=f"process peaks {ours['peak']:.0f} MB and {base['peak']:.0f} MB"),
    ]


def fig_openemr(tmp: Path, quick: bool) -> list[Figure]:
    """`dyad import openemr` of a ten-year, forty-provider database against pandas.read_sql of the
    same rows (benchmarks/openemr_import.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from openemr_import import measure

    db, data = tmp / "openemr.db", tmp / "oe-data"
    made = py_json(textwrap.dedent(f"""
        import sys, json; sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
        from pathlib import Path
        from openemr_import import build
        print(json.dumps(build(Path({str(db)!r}), {quick})))
    """))
    base = measure("read_sql", db, data, PY, cwd=FROZEN or ROOT, env=_env())
    ours = measure("import", db, data, PY, cwd=FROZEN or ROOT, env=_env())
    if not ours["ok"] or ours["delta"] != 0:
        raise RuntimeError("the imported OpenEMR benchmark practice did not validate or reconcile")
    what = (f"import {made['billing_lines']:,} billing lines, {made['calendar_events']:,} calendar events "
            f"({made['providers']} providers × {made['years']:g} years) into a delivery, reconciled")
    return [
        Figure("openemr_import_time", what, ours["seconds"], base["seconds"],
               f"pandas.read_sql of the same tables and columns ({base['rows']:,} rows)", "within", 2.0,
               note=(f"{sum(ours['written'].values()):,} rows written, {ours['months']} months reconciled to "
                     f"${ours['delta']:.2f}; validation of the delivery {ours['validate']:.1f}s more; database "
                     f"generated in {made['seconds']:.0f}s (SQLite)")),
        Figure("openemr_import_memory", "peak memory growth of the import", ours["peak"] - ours["rss_before"],
               base["peak"] - base["rss_before"], "peak memory growth of the read_sql baseline", "within", 1.0,
               unit="MB", note=f"process peaks {ours['peak']:.0f} MB and {base['peak']:.0f} MB"),
    ]


STEPS = {"single_report": fig_single, "batch": fig_batches, "large": fig_large, "validation_1m": fig_validation_1m,
         "metrics_3y": fig_metrics, "opendental": fig_opendental, "openemr": fig_openemr}


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        mem = f"{kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores · {cpu} · {mem} · Python {platform.python_version()} · load {load:.1f}"


def table(figs: list[Figure]) -> str:
    head = ["figure", "measured", "baseline", "ratio", "target", "met"]
    rows = [f.row() for f in figs]
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(n) for c, n in zip(cells, w)) + " |"  # noqa: E731
    out = [line(head), "|" + "|".join("-" * (n + 2) for n in w) + "|"] + [line(r) for r in rows]
    out.append("")
    for f in figs:
        out.append(f"- {f.name}: {f.what}; baseline: {f.baseline_what}" + (f". {f.note}" if f.note else ""))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="dyad performance figures (ratios against same-run baselines)")
    ap.add_argument("--quick", action="store_true", help="small inputs: checks the script, not the speed")
    ap.add_argument("--only", help=f"comma list of steps: {', '.join(STEPS)}")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--keep", help="keep the generated inputs and outputs in this folder")
    a = ap.parse_args(argv)
    steps = [s.strip() for s in a.only.split(",")] if a.only else list(STEPS)
    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="dyad-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    figs: list[Figure] = []
    freeze_code(tmp)
    try:
        for s in steps:
            ts = time.perf_counter()
            figs += STEPS[s](tmp, a.quick)
            print(f"[{s}: {time.perf_counter() - ts:.0f}s]", file=sys.stderr, flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    order = {n: i for i, n in enumerate(FIGURE_NAMES)}
    figs.sort(key=lambda f: order.get(f.name, 99))
    print(f"dyad benchmark{' (quick: smoke sizes, ratios not meaningful)' if a.quick else ''} — {machine()}")
    print(f"total {time.perf_counter() - t0:.0f}s\n")
    print(table(figs))
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": machine(), "quick": a.quick,
                                            "figures": [{**asdict(f), "ratio": f.ratio, "met": f.met} for f in figs]},
                                           indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
