"""Many reports at once: validate each practice once, run the notebooks in worker processes,
write a run manifest and rebuild the reports index.

Validation (Great Expectations, seconds to import) happens here in the orchestrator, once per
practice; workers only execute notebooks. Each worker process keeps one HTMLExporter and one vega
bundle (cached in dyad_lib.pipeline.render) and starts kernels over IPC, so kernels started together by
different workers cannot collide on TCP ports. The portfolio runs last: it links to the others.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import signal
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dyad_lib.data.paths import atomic_write_text
from dyad_lib.data.paths import cache_dir as resolve_cache_dir
from dyad_lib.data.paths import data_dir as resolve_data_dir
from dyad_lib.data.paths import reports_dir as resolve_reports_dir
from dyad_lib.pipeline.runner import PORTFOLIO, JobResult, period_slug, plain_reason, run_report

MANIFEST = "manifest.json"
RUNS_DIR = "runs"


@dataclass(frozen=True)
class Job:
    report: str
    practice_id: str | None
    period: str
    params: tuple[tuple[str, Any], ...] = ()
    #: True: `period` is what the batch was asked for, mapped to this report's kind of period (and
    #: the practice's fiscal year and data) once the practice is validated (`pipeline.periods`).
    requested: bool = False
    note: str = ""  # how a mapped period was chosen
    @property
    def key(self) -> str:
        practice = PORTFOLIO if self.practice_id is None else self.practice_id
        return f"{practice}/{period_slug(self.period, dict(self.params).get('view'))}/{self.report}"


@dataclass
class BatchResult:
    results: list[JobResult]
    manifest: Path
    run_manifest: Path
    index: Path
    duration: float
    prepare_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every report produced, or rightly not produced (its period does not apply)."""
        return all(r.status in ("ok", "warnings", "not applicable") for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _run_job(job: Job, data: str, reports: str, cache: str, prepared: Any, pdf: bool,
             notebooks_dir: str | None, use_cache: bool | None = None) -> JobResult:
    """Worker entry point (module level so it pickles)."""
    try:
        res = run_report(job.report, job.practice_id, job.period, dict(job.params), data, reports, cache,
                         prepared=prepared, pdf=pdf, notebooks_dir=notebooks_dir, use_cache=use_cache)
    except Exception as exc:  # a bad request or a bug in the runner: still one line in the manifest
        res = JobResult(job.report, job.practice_id or PORTFOLIO, job.period, job.key.split("/")[1], "failed",
                        error=plain_reason(type(exc).__name__, str(exc)), params=dict(job.params))
    res.finished = _now()
    return res


def _skipped(job: Job, reason: str) -> JobResult:
    return JobResult(job.report, job.practice_id or PORTFOLIO, job.period, job.key.split("/")[1], "skipped",
                     error=reason, params=dict(job.params), finished=_now())


def _not_applicable(job: Job, reason: str) -> JobResult:
    slug = job.key.split("/")[1] if _slug_ok(job) else str(job.period).strip().lower()
    return JobResult(job.report, job.practice_id or PORTFOLIO, job.period, slug, "not applicable",
                     error=reason, params=dict(job.params), finished=_now(), requested=job.period, note=reason)


def _slug_ok(job: Job) -> bool:
    try:
        job.key
    except Exception:
        return False
    return True


def map_jobs(jobs: list[Job], prepared: dict[str, Any], data: Path, notebooks_dir: Any = None
             ) -> tuple[list[Job], list[JobResult]]:
    """Requested jobs mapped to each report's kind of period for its practice (fiscal year and the
    months its data cover; `pipeline.periods.map_period`): the jobs to run and the results of
    those that do not apply. Jobs not marked `requested` pass as they are."""
    from dyad_lib.pipeline.periods import data_months, map_period
    from dyad_lib.reports.catalog import catalog

    specs = catalog(notebooks_dir)
    out: list[Job] = []
    na: list[JobResult] = []
    seen: set[str] = set()
    for j in jobs:
        if not j.requested:
            out.append(j)
            continue
        spec = specs.get(j.report)
        kinds = (spec.period_kinds or (spec.period_kind,)) if spec is not None else ("any",)
        prep = prepared.get(j.practice_id) if j.practice_id else None
        fy, months = 1, None
        if j.practice_id and not isinstance(prep, Exception) and prep is not None:
            fy = _fiscal_start(j.practice_id, data)
            months = data_months(getattr(prep, "summary", None))
        missing = _missing_tables(spec, prep)
        if missing:
            na.append(_not_applicable(j, f"not applicable: it needs the {' and '.join(missing)} table"
                                         f"{'s' if len(missing) > 1 else ''}, which the practice does not provide"))
            continue
        m = map_period(kinds, j.period, fy, months, dict(j.params).get("view"))
        if not m.applies:
            na.append(_not_applicable(j, f"not applicable to {j.period}: {m.reason}"))
            continue
        for per in m.periods:
            note = "" if per == j.period else m.note
            job = Job(j.report, j.practice_id, per, j.params, False, note)
            if job.key not in seen:
                seen.add(job.key)
                out.append(job)
    return out, na


def _missing_tables(spec: Any, prep: Any) -> list[str]:
    """The tables a report requires (its notebook's `requires`) that a validated practice lacks."""
    if spec is None or not spec.requires or prep is None or isinstance(prep, Exception):
        return []
    summary = getattr(prep, "summary", None) or {}
    have = set((summary.get("tables") or {}))
    if not have:
        return []
    return [t for t in spec.requires if t not in have]


def _fiscal_start(practice_id: str, data: Path) -> int:
    from dyad_lib.data.load import read_practice_yaml
    from dyad_lib.data.paths import practice_dir

    try:
        cfg = read_practice_yaml(practice_dir(practice_id, data), [])
    except Exception:
        return 1
    return int(getattr(cfg, "fiscal_year_start_month", 1) or 1) if cfg is not None else 1


def prepare_all(practices: Iterable[str], data: Path, cache: Path) -> dict[str, Any]:
    """Validate every practice once in this process; an exception is kept as the value."""
    from dyad_lib.pipeline.runner import prepare

    out: dict[str, Any] = {}
    for p in practices:
        try:
            out[p] = prepare(p, data, cache)
        except Exception as exc:
            out[p] = exc
    return out


def update_manifest(reports_root: Path, results: list[JobResult]) -> Path:
    """Merge the run's results into `<reports>/manifest.json` (the latest state of every report),
    under a file lock so two runs never lose each other's entries."""
    path = reports_root / MANIFEST
    reports_root.mkdir(parents=True, exist_ok=True)
    with open(reports_root / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except ValueError:
            data = {}
        entries = data.get("reports", {})
        for r in results:
            d = r.to_dict()
            prev = entries.get(r.job, {})
            if r.status in ("ok", "warnings"):
                d["last_good"] = d["finished"]
            else:
                d["last_good"] = prev.get("last_good") if d.get("html") else None
            entries[r.job] = d
        data = {"updated": _now(), "reports": dict(sorted(entries.items()))}
        atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")
    return path


def run_batch(jobs: list[Job], *, data_dir: Any = None, reports_dir: Any = None, cache_dir: Any = None,
              workers: int = 1, pdf: bool = False, notebooks_dir: Any = None,
              on_result: Callable[[JobResult, int, int], None] | None = None,
              use_cache: bool | None = None, scheduler: str | None = None) -> BatchResult:
    """Run `jobs`; never raises for a failing report. `on_result(result, done, total)` is called as
    each job ends (the CLI draws its progress bar with it). A job whose notebook, parameters,
    inputs and code are unchanged is answered from the report cache here, without a worker.

    `scheduler` (or $DYAD_SCHEDULER), a Dask address such as tcp://host:8786, sends the same
    validations and jobs to a Dask cluster instead of local processes (see dyad_lib.pipeline.cluster);
    data, reports and cache folders must then be shared storage at the same paths."""
    t0 = time.perf_counter()
    started = _now()
    data, reports, cache = resolve_data_dir(data_dir), resolve_reports_dir(reports_dir), resolve_cache_dir(cache_dir)
    nbdir = str(notebooks_dir) if notebooks_dir else None
    scheduler = scheduler or os.environ.get("DYAD_SCHEDULER") or None
    practices = sorted({j.practice_id for j in jobs if j.practice_id})
    if any(j.practice_id is None for j in jobs):  # a portfolio reads every practice: validate them all
        from dyad_lib.data.paths import list_practices

        practices = sorted(set(practices) | set(list_practices(data)))
    client = None
    if scheduler:
        from dyad_lib.pipeline.cluster import connect

        client = connect(scheduler)
    try:
        return _run_batch(jobs, practices, data, reports, cache, nbdir, t0, started, workers, pdf, on_result,
                          use_cache, client, scheduler)
    finally:
        if client is not None:
            client.close()


def _run_batch(jobs: list[Job], practices: list[str], data: Path, reports: Path, cache: Path, nbdir: str | None,
               t0: float, started: str, workers: int, pdf: bool,
               on_result: Callable[[JobResult, int, int], None] | None, use_cache: bool | None, client: Any,
               scheduler: str | None) -> BatchResult:
    tp = time.perf_counter()
    if client is not None:
        from dyad_lib.pipeline.cluster import prepare_on_cluster

        prepared = prepare_on_cluster(client, practices, data, cache) if practices else {}
    else:
        prepared = prepare_all(practices, data, cache) if practices else {}
    prepare_seconds = round(time.perf_counter() - tp, 2)

    results: list[JobResult] = []
    runnable: list[tuple[Job, Any]] = []
    total = len(jobs)

    def _done(r: JobResult) -> None:
        results.append(r)
        if on_result:
            on_result(r, len(results), total)

    jobs, not_applicable = map_jobs(jobs, prepared, data, nbdir)
    total = len(jobs) + len(not_applicable)
    for r in not_applicable:
        _done(r)
    for j in jobs:
        prep = prepared.get(j.practice_id) if j.practice_id else None
        if isinstance(prep, Exception):
            r = _skipped(j, plain_reason(type(prep).__name__, str(prep)))
            r.status = "failed"
            _done(r)
        else:
            runnable.append((j, prep))
    first = [x for x in runnable if x[0].practice_id is not None]
    last = [x for x in runnable if x[0].practice_id is None]  # reports over every practice link to the others
    args = (str(data), str(reports), str(cache))
    from dyad_lib.pipeline.runner import cached_result

    def _from_cache(wave: list[tuple[Job, Any]]) -> list[tuple[Job, Any]]:
        todo = []
        for j, prep in wave:
            try:
                hit = cached_result(j.report, j.practice_id, j.period, dict(j.params), data, reports,
                                    prepared=prep, pdf=pdf, notebooks_dir=nbdir, cache=use_cache)
            except Exception:  # a bad request: the worker reports it
                hit = None
            if hit is None:
                todo.append((j, prep))
            else:
                hit.finished = _now()
                _done(hit)
        return todo

    interrupted = False
    try:
        for wave in (first, last):
            wave = _from_cache(wave)
            if not wave:
                continue
            if client is not None:
                from dyad_lib.pipeline.cluster import run_on_cluster

                for r in run_on_cluster(client, _run_job, wave, args, pdf, nbdir, use_cache):
                    r.finished = r.finished or _now()
                    _done(r)
            elif workers <= 1 or len(wave) == 1:
                _run_here(wave, args, pdf, nbdir, use_cache, _done)
            else:
                _run_in_workers(wave, workers, args, pdf, nbdir, use_cache, _done)
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM): record what finished, leave the rest untouched
        interrupted = True
        _set_sigint(signal.SIG_IGN)  # a second Ctrl-C must not cut the records short

    order = {j.key: i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order.get(r.job, len(order)))
    notes = {j.key: j.note for j in jobs if j.note}
    for r in results:
        if r.job in notes and not r.note:
            r.note = notes[r.job]
    duration = round(time.perf_counter() - t0, 2)
    manifest = update_manifest(reports, results)
    run_id = f"{started.replace(':', '').replace('-', '')}-{os.getpid()}"
    run_path = reports / RUNS_DIR / f"{run_id}.json"
    atomic_write_text(run_path, json.dumps({
        "run": run_id, "started": started, "finished": _now(), "duration": duration, "interrupted": interrupted,
        "prepare_seconds": prepare_seconds, "workers": workers, "scheduler": scheduler,
        "practices": {p: ({"ok": v.ok, "cached": v.cached, "fingerprint": v.fingerprint}
                          if not isinstance(v, Exception) else {"error": plain_reason(type(v).__name__, str(v))})
                      for p, v in prepared.items()},
        "jobs": [r.to_dict() for r in results]}, indent=2, default=str) + "\n")
    from dyad_lib.pipeline.index import build_index

    index = build_index(reports)
    result = BatchResult(results, manifest, run_path, index, duration, prepare_seconds)
    if interrupted:
        _set_sigint(signal.default_int_handler)
        raise BatchInterrupted(result, total)
    return result


def _run_here(wave: list[tuple[Job, Any]], args: tuple[str, str, str], pdf: bool, nbdir: str | None,
              use_cache: bool | None, done: Callable[[JobResult], None]) -> None:
    """One job after the other in this process (one worker, or one job)."""
    from dyad_lib.pipeline.kernel import kill_kernels, remove_temp_files
    from dyad_lib.pipeline.kernel_pool import POOL

    POOL.refill = len(wave) > 1  # the next job's kernel warms up while this one runs
    try:
        for j, prep in wave:
            done(_run_job(j, *args, prep, pdf, nbdir, use_cache))
    except BaseException:
        kill_kernels()  # an interrupted notebook's kernel is not waited for
        remove_temp_files()
        raise
    finally:
        POOL.refill = False
        POOL.shutdown()


def _run_in_workers(wave: list[tuple[Job, Any]], workers: int, args: tuple[str, str, str], pdf: bool,
                    nbdir: str | None, use_cache: bool | None, done: Callable[[JobResult], None]) -> None:
    """The jobs in spawned worker processes. Interrupted, the workers are told to stop (each kills
    its kernels and exits, see kernel_pool.worker_init) instead of being waited for, and any that
    does not stop in a few seconds is killed: Ctrl-C ends a batch in seconds, whenever it comes."""
    import multiprocessing as mp

    from dyad_lib.pipeline.kernel_pool import worker_init

    ex = ProcessPoolExecutor(max_workers=min(workers, len(wave)), mp_context=mp.get_context("spawn"),
                             initializer=worker_init)
    try:
        futs = {ex.submit(_run_job, j, *args, prep, pdf, nbdir, use_cache): j for j, prep in wave}
        for f in as_completed(futs):
            j = futs[f]
            try:
                done(f.result())
            except Exception as exc:  # the worker process died
                r = _skipped(j, plain_reason(type(exc).__name__, str(exc)))
                r.status = "failed"
                done(r)
    except BaseException:
        stop_workers(ex)
        raise
    ex.shutdown(wait=True)


def stop_workers(ex: ProcessPoolExecutor, grace: float = 5.0) -> None:
    """Stop a pool's workers now: no new job starts, each worker gets SIGTERM (it kills its kernels
    and exits at once), and one still alive after `grace` seconds is killed."""
    previous = _set_sigint(signal.SIG_IGN)
    try:
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        deadline = time.monotonic() + grace
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(1.0)
    finally:
        _set_sigint(previous)


def _set_sigint(handler: Any) -> Any:
    """Set the SIGINT handler (only the main thread may); returns the previous one."""
    import threading

    if threading.current_thread() is not threading.main_thread() or handler is None:
        return None
    return signal.signal(signal.SIGINT, handler)


class BatchInterrupted(KeyboardInterrupt):
    """The batch was interrupted; `result` holds the reports that finished (recorded in the
    manifest and the index; every other report was left as it was)."""

    def __init__(self, result: BatchResult, total: int):
        self.result, self.total = result, total
        super().__init__(f"interrupted after {len(result.results)} of {total} reports")


def plan(practices: list[str], reports: list[str], period: str | None = None,
         periods: dict[str, str] | None = None, params: dict[str, dict[str, Any]] | None = None,
         notebooks_dir: Any = None, requested: bool = False) -> list[Job]:
    """Practices × reports; `periods` gives a report its own period (demo: monthly 2026-09,
    quarterly 2026Q3 …); `params` adds per-report parameters. A report over every practice (its
    notebook declares scope: portfolio) is one job, without a practice. `requested`: the period is
    what the batch was asked for, mapped to each report once its practice is validated."""
    from dyad_lib.pipeline.runner import portfolio_report

    jobs: list[Job] = []
    for rep in reports:
        per = (periods or {}).get(rep, period)
        if per is None:
            continue
        extra = tuple(sorted((params or {}).get(rep, {}).items()))
        if portfolio_report(rep, notebooks_dir):
            jobs.append(Job(rep, None, per, extra, requested))
            continue
        for p in practices:
            jobs.append(Job(rep, p, per, extra, requested))
    return jobs


#: The demo practices (data 2023-01 … 2026-09); each report's demo period is in its notebook.
DEMO_PRACTICES = ("harbor-dental", "maple-family-medicine")


def demo_jobs(practices: Iterable[str] = DEMO_PRACTICES, notebooks_dir: Any = None) -> list[Job]:
    """Every report whose notebook declares a demo period, for the demo practices. A demo
    parameter (e.g. view=t12) is passed only if the notebook declares it as a parameter."""
    import papermill as pm

    from dyad_lib.reports.catalog import catalog

    jobs: list[Job] = []
    for spec in catalog(notebooks_dir).values():
        if not spec.demo_period:
            continue
        declared = pm.inspect_notebook(str(spec.path))
        extra = tuple(sorted((k, v) for k, v in spec.demo_params.items() if k in declared))
        if spec.portfolio:
            jobs.append(Job(spec.name, None, spec.demo_period, extra))
        else:
            jobs.extend(Job(spec.name, p, spec.demo_period, extra) for p in practices)
    return jobs


def ensure_demo_data(data_dir: Any = None) -> list[str]:
    """(Re)write a demo practice only if its folder is missing or differs from what the generator
    makes now (same bytes -> untouched, so its validated snapshot is reused). Returns the rewritten."""
    from dyad_lib.demo.practices import PRACTICES, render, write_demo

    root = resolve_data_dir(data_dir)
    stale = []
    for pid in PRACTICES:
        folder = root / pid
        if not (folder / "practice.yaml").is_file() or not (folder / "goals.yaml").is_file():
            stale.append(pid)
            continue
        files = render(pid)
        if any(not (folder / n).is_file() or (folder / n).read_bytes() != b for n, b in files.items()):
            stale.append(pid)
    if stale:
        write_demo(root, stale)
    return stale
