"""dyad's performance figures, each a ratio against a baseline measured in the same invocation.

    .venv/bin/python benchmarks/run.py            # the full set (under 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # a small smoke version (names and shape only)
    .venv/bin/python benchmarks/run.py --json out.json --only single_report,batch
    .venv/bin/python benchmarks/run.py --fresh      # regenerate the import benchmarks' source databases

Every input is generated deterministically into a temporary folder (copies of the demo practices
under new ids, a large multi-provider group, a 1M-appointment practice), every step runs in a
fresh subprocess exactly as a user would run it, and every figure is printed as a ratio to a
baseline timed in the same run, so the table means the same thing on a slower or busier machine.
Absolute seconds are shown for context only; tests never assert them. The import benchmarks'
source databases take minutes to write, so they are kept between runs (DB_CACHE), keyed by the
code that generates them.
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
from functools import partial
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


@dataclass(frozen=True)
class ImportBench:
    """One source system's import benchmark: `benchmarks/<module>.py` with `build(db, quick)` (writes
    the ten-year, forty-provider database, returns its counts) and `measure(mode, db, data, python,
    cwd, env)` for mode "read_sql" (the baseline) and "import"."""

    step: str  # the --only name; the figures are <step>_import_time and <step>_import_memory
    module: str
    system: str
    rows: str  # what was imported, from build()'s counts (str.format)

    def available(self) -> bool:
        return (ROOT / "benchmarks" / f"{self.module}.py").is_file()


#: The import benchmarks, in the order they print; one whose module is not there is left out.
IMPORTS = (
    ImportBench("opendental", "opendental_import", "Open Dental", "{procedures:,} procedures"),
    ImportBench("openemr", "openemr_import", "OpenEMR", "{billing_lines:,} billing lines, {calendar_events:,} calendar events"),
)


#: Every figure this script prints, in order (the smoke test checks they all appear).
FIGURE_NAMES = ("single_report", "report_phases", "batch_vs_naive", "batch_workers", "batch_vs_floor", "cache_rerun",
                "large_practice_time", "large_practice_memory", "validation_1m", "metrics_3y",
                *(f"{b.step}_import_{k}" for b in IMPORTS if b.available() for k in ("time", "memory")))
#: The phases of a report run, as dyad_lib.pipeline.phases records them (DYAD_PHASES).
PHASES = ("prepare", "kernel_start", "imports", "snapshot", "computation", "charts", "waiting", "overhead", "export")
#: Phase timings gathered by the steps, printed after the figures: (where measured, report) -> lines.
PHASE_LINES: dict[tuple[str, str], list[dict]] = {}


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


def read_phases(log: Path, where: str) -> None:
    """Keep the phase lines of a DYAD_PHASES file under `where` (then delete the file)."""
    try:
        lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if x.strip()]
    except OSError:
        return
    for line in lines:
        if line.get("status") == "ok":
            PHASE_LINES.setdefault((where, line["report"]), []).append(line)
    log.unlink(missing_ok=True)


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


def run_batch_timed(*args, phases: Path | None = None, **kw) -> tuple[float, dict]:
    """Wall-clock of the whole batch subprocess (interpreter start and imports included); with
    `phases`, each report's phase timings are written there (dyad_lib.pipeline.phases)."""
    t = time.perf_counter()
    out = py_json(batch_code(*args, **kw), _env(DYAD_PHASES=phases) if phases else None)
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
    # alternated and the median of each kept: on a shared machine one pair of runs measures the load
    runs = 1 if quick else 3
    ours, naive = [], []
    for _ in range(runs):
        ours.append(timed(cmd, _env(DYAD_DATA_DIR=data, DYAD_CACHE_DIR=cache, DYAD_REPORTS_DIR=tmp / "single-out",
                                    DYAD_REPORT_CACHE="0")))
        naive.append(naive_one(report, pid, data, tmp / "single-naive", cache))
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    spread = "" if runs == 1 else (f"median of {runs} alternated runs each (dyad run {min(ours):.1f}–{max(ours):.1f} s, "
                                   f"naive {min(naive):.1f}–{max(naive):.1f} s)")
    return [Figure("single_report", f"dyad run {report} (validated snapshot present, report cache off)", med(ours),
                   med(naive), "papermill CLI + jupyter nbconvert CLI", "speedup", 2.0,
                   note="; ".join(x for x in (spread, note) if x))]


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

    w2, first = run_batch_timed(practices, reports, 2, data, tmp / "out-w2", tmp / "cache-w2",
                                phases=tmp / "batch-phases.jsonl")
    read_phases(tmp / "batch-phases.jsonl", "batch (2 workers, forked kernels)")
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
    floor, _ = run_batch_timed(practices, reports, 2, data, tmp / "out-floor", tmp / "cache-floor", nbdir,
                               phases=tmp / "floor-phases.jsonl")
    (tmp / "floor-phases.jsonl").unlink(missing_ok=True)  # timed the same way as the batch, not shown
    figs.insert(2, Figure("batch_vs_floor", "the same batch", w2, floor,
                          "one-cell notebooks, same pipeline, same job count (validation included)", "within", 1.5))
    return figs


def fig_phases(tmp: Path, quick: bool) -> list[Figure]:
    """Where a report's time goes: each report once through `dyad run` (validated snapshot present,
    report cache off) with DYAD_PHASES, against the one-cell notebook through the same command."""
    reports = available_reports()[: (1 if quick else 3)]
    data, cache = tmp / "phases-data", tmp / "phases-cache"
    pid = make_practices(data, 1)[0]
    common = dict(DYAD_DATA_DIR=data, DYAD_CACHE_DIR=cache, DYAD_REPORTS_DIR=tmp / "phases-out", DYAD_REPORT_CACHE="0")
    timed([str(BIN / "dyad"), "validate", pid], _env(**common))
    nbdir = tmp / "phases-trivial"
    trivial_notebooks(nbdir, reports)
    walls, floors = [], []
    for report in reports:
        period, params = demo_period(report)
        cmd = [str(BIN / "dyad"), "run", report, "--practice", pid, "--period", period]
        walls.append(timed(cmd + [a for k, v in params.items() for a in ("--param", f"{k}={v}")],
                           _env(**common, DYAD_PHASES=tmp / "phases.jsonl")))
        floors.append(timed(cmd + ["--notebooks-dir", str(nbdir)], _env(**common, DYAD_PHASES=tmp / "floor.jsonl")))
    read_phases(tmp / "phases.jsonl", "dyad run (a kernel started for the report)")
    read_phases(tmp / "floor.jsonl", "dyad run, one-cell notebook")
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    return [Figure("report_phases", f"dyad run, mean of {', '.join(reports)}", mean(walls), mean(floors),
                   "dyad run of a one-cell notebook (same command, same practice)", "within", None,
                   note="phase by phase below")]


def phases_table() -> str:
    """The phase timings gathered by the steps: wall seconds, mean per report (CPU in brackets)."""
    if not PHASE_LINES:
        return ""
    head = ["where", "report", "n", "total", *PHASES]
    rows = []
    for (where, report), lines in PHASE_LINES.items():
        def mean(key: str, phase: str) -> float | None:
            vals = [x[key].get(phase) for x in lines if x[key].get(phase) is not None]
            return sum(vals) / len(vals) if vals else None
        cells = [where, report, str(len(lines)), f"{sum(x['total'] for x in lines) / len(lines):.2f}"]
        for p in PHASES:
            w, c = mean("wall", p), mean("cpu", p)
            cells.append("" if w is None else f"{w:.2f}" + ("" if c is None else f" ({c:.2f})"))
        rows.append(cells)
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(n) for c, n in zip(cells, w)) + " |"  # noqa: E731
    out = ["Where a report's time goes (seconds per report, wall and in brackets CPU of the process doing it; "
           "kernel phases are the kernel's, prepare and export the runner's; waiting = the runner waiting for "
           "the kernel to be ready):", "", line(head), "|" + "|".join("-" * (n + 2) for n in w) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def slowest_cells(n: int = 5) -> str:
    """Each report's slowest notebook cells (mean wall seconds over its runs, CPU in brackets), from
    the phase lines: where the computation phase goes inside a notebook."""
    out = []
    for (where, report), lines in PHASE_LINES.items():
        runs = [x["cells"] for x in lines if x.get("cells")]
        if not runs or "one-cell" in where:
            continue
        k = min(len(r) for r in runs)
        cells = [(sum(r[i][0] for r in runs) / len(runs), sum(r[i][1] for r in runs) / len(runs), i, runs[0][i][2])
                 for i in range(k)]
        total = sum(c[0] for c in cells)
        top = sorted(cells, reverse=True)[:n]
        out.append(f"- {report} ({where}, {len(runs)} run(s)): {k} cells, {total:.2f}s; slowest: "
                   + "; ".join(f"#{i + 1} `{label}` {w:.2f}s ({c:.2f})" for w, c, i, label in top))
    return "Slowest cells (cell number in the executed notebook, first line of code, wall and CPU seconds):\n" \
        + "\n".join(out) if out else ""


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


#: Generated source databases are kept here between runs (a 10-year, 40-provider one takes minutes
#: to write on a busy machine), keyed by the code that generates them; `--fresh` rebuilds them.
DB_CACHE = Path(os.environ.get("DYAD_BENCH_CACHE") or Path(tempfile.gettempdir()) / "dyad-bench-cache")
FRESH = False


def source_database(bench: ImportBench, tmp: Path, quick: bool) -> tuple[Path, dict]:
    """The benchmark's source database, built by its module's `build` (in a fresh interpreter) or
    taken from DB_CACHE when the generator code (the benchmark module and dyad_lib/demo) is unchanged."""
    import hashlib

    h = hashlib.sha256(f"{bench.module} quick={quick}".encode())
    for f in sorted([ROOT / "benchmarks" / f"{bench.module}.py", *((FROZEN or ROOT) / "dyad_lib" / "demo").rglob("*.py")]):
        h.update(f.name.encode() + f.read_bytes())
    prefix = f"{bench.step}-{'quick' if quick else 'full'}-"
    key = prefix + h.hexdigest()[:16]
    db, meta = DB_CACHE / f"{key}.db", DB_CACHE / f"{key}.json"
    if not FRESH and db.is_file() and meta.is_file():
        made = json.loads(meta.read_text())
        return db, {**made, "how": f"generated in {made['seconds']:.0f}s by an earlier run, reused from {DB_CACHE}"}
    DB_CACHE.mkdir(parents=True, exist_ok=True)
    part = tmp / f"{bench.step}.db"
    made = py_json(textwrap.dedent(f"""
        import sys, json; sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
        from pathlib import Path
        from {bench.module} import build
        print(json.dumps(build(Path({str(part)!r}), {quick})))
    """))
    for old in DB_CACHE.glob(prefix + "*"):  # what an older generator wrote
        old.unlink(missing_ok=True)
    shutil.move(str(part), db.with_suffix(".db.part"))
    os.replace(db.with_suffix(".db.part"), db)
    meta.write_text(json.dumps(made))
    return db, {**made, "how": f"generated in {made['seconds']:.0f}s"}


def fig_import(bench: ImportBench, tmp: Path, quick: bool) -> list[Figure]:
    """`dyad import <system>` of a ten-year, forty-provider database against pandas.read_sql of the
    same rows and columns, time and peak memory."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    measure = __import__(bench.module).measure

    data = tmp / f"{bench.step}-data"
    db, made = source_database(bench, tmp, quick)
    base = measure("read_sql", db, data, PY, cwd=FROZEN or ROOT, env=_env())
    ours = measure("import", db, data, PY, cwd=FROZEN or ROOT, env=_env())
    if not ours["ok"] or ours["delta"] != 0:
        raise RuntimeError(f"the imported {bench.system} benchmark practice did not validate or reconcile")
    what = (f"{bench.system} import of {bench.rows.format(**made)} ({made['providers']} providers × "
            f"{made['years']:g} years) into a delivery, reconciled")
    return [
        Figure(f"{bench.step}_import_time", what, ours["seconds"], base["seconds"],
               f"pandas.read_sql of the same tables and columns ({base['rows']:,} rows)", "within", 2.0,
               note=(f"{sum(ours['written'].values()):,} rows written, {ours['months']} months reconciled to "
                     f"${ours['delta']:.2f}; validation of the delivery {ours['validate']:.1f}s more; database "
                     f"(SQLite) {made['how']}")),
        Figure(f"{bench.step}_import_memory", "peak memory growth of the import", ours["peak"] - ours["rss_before"],
               base["peak"] - base["rss_before"], "peak memory growth of the read_sql baseline", "within", 1.0,
               unit="MB", note=f"process peaks {ours['peak']:.0f} MB and {base['peak']:.0f} MB"),
    ]


STEPS = {"single_report": fig_single, "phases": fig_phases, "batch": fig_batches, "large": fig_large,
         "validation_1m": fig_validation_1m, "metrics_3y": fig_metrics,
         **{b.step: partial(fig_import, b) for b in IMPORTS if b.available()}}


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
    ap.add_argument("--fresh", action="store_true", help=f"regenerate the import benchmarks' source databases "
                                                          f"instead of reusing them from {DB_CACHE}")
    a = ap.parse_args(argv)
    global FRESH
    FRESH = a.fresh
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
    for extra in (phases_table(), slowest_cells()):
        if extra:
            print("\n" + extra)
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": machine(), "quick": a.quick,
                                            "figures": [{**asdict(f), "ratio": f.ratio, "met": f.met} for f in figs],
                                            "phases": {f"{w} / {r}": lines for (w, r), lines in PHASE_LINES.items()}},
                                           indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
