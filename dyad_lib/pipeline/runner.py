"""Run one report: prepare the practice, execute its notebook with papermill, write client HTML.

`run_report` never raises for a report that fails: it returns a `JobResult` with status `failed`
and a reason in plain words, keeps the partial notebook as `<report>.failed.ipynb` and writes
`<report>.error.html` ("this report could not be produced"). The last good `<report>.html` is
never touched by a failed run (every output is written to a temp file, then renamed). Great
Expectations runs here, in the orchestrator (`prepare_practice`), never inside a notebook.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dyad_lib.data.paths import atomic_write_text, check_practice_id
from dyad_lib.data.paths import cache_dir as resolve_cache_dir
from dyad_lib.data.paths import data_dir as resolve_data_dir
from dyad_lib.data.paths import reports_dir as resolve_reports_dir
from dyad_lib.reports import catalog

#: The folder (and placeholder practice id) of reports that cover every practice.
PORTFOLIO = "portfolio"
KERNEL_NAME = "dyad"
SKIPPED_BLOCKING = "data has blocking problems — see data_quality"
#: A practice whose data have blocking problems: its reports are "blocked" (the data-quality report,
#: which explains the problems, is produced and is "blocked" too), never "ok, with warnings".
BLOCKED = "blocked"


def blocking_text(summary: Any) -> str:
    """'5 blocking problems in the data — see data_quality' (the count from the validation summary)."""
    n = int((summary or {}).get("blocking_count") or 0) if isinstance(summary, dict) else 0
    if not n:
        return SKIPPED_BLOCKING
    return f"{n} blocking problem{'s' if n != 1 else ''} in the data — see data_quality"
DEFAULT_TIMEOUT = int(os.environ.get("DYAD_CELL_TIMEOUT", "600"))
_PAPERMILL_CELL_TIMES = ("start_time", "end_time", "duration")


class ReportError(ValueError):
    """A bad request (unknown report, bad practice id or period) — a usage error, not a failure."""


@dataclass
class JobResult:
    """What happened to one report; `html` / `error_html` are relative to the reports folder."""

    report: str
    practice_id: str
    period: str
    period_slug: str
    status: str  # ok | warnings | failed | skipped | blocked | not applicable
    practice_name: str = ""
    duration: float = 0.0
    html: str | None = None
    error_html: str | None = None
    notebook: str | None = None
    pdf: str | None = None
    error: str | None = None
    section: str | None = None
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    finished: str = ""
    cached: bool = False  # served from the report cache: inputs, notebook and code unchanged
    requested: str | None = None  # the period the batch was asked for, when this one was mapped from it
    note: str | None = None  # how the period was mapped ("each month of 2026Q3"), or why it does not apply

    @property
    def job(self) -> str:
        return f"{self.practice_id}/{self.period_slug}/{self.report}"

    @property
    def ok(self) -> bool:
        """Produced, or rightly not produced (the period does not apply): nothing failed."""
        return self.status in ("ok", "warnings", "not applicable")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["job"] = self.job
        return d


# --- names and places ------------------------------------------------------------------------------


def report_title(report: str, notebooks_dir: str | os.PathLike | None = None) -> str:
    """The title the report's notebook declares (or its name in words)."""
    found = catalog.spec(report, notebooks_dir) if isinstance(report, str) else None
    return found.title if found else str(report).replace("_", " ").capitalize()


def check_report(report: str, notebooks_dir: str | os.PathLike | None = None) -> Path:
    """The notebook of a report id, or a ReportError naming the reports that exist."""
    if not isinstance(report, str) or not catalog.REPORT_NAME.match(report):
        raise ReportError(f"'{report}' is not a report name")
    try:
        found = catalog.spec(report, notebooks_dir)
    except catalog.CatalogError as exc:
        raise ReportError(str(exc)) from None
    if found is None:
        have = ", ".join(available_reports(notebooks_dir)) or "none"
        raise ReportError(f"there is no report '{report}' (available: {have})")
    return found.path


def available_reports(notebooks_dir: str | os.PathLike | None = None) -> list[str]:
    """Report ids that have a notebook, in the order the notebooks declare."""
    return list(catalog.catalog(notebooks_dir))


def portfolio_report(report: str, notebooks_dir: str | os.PathLike | None = None) -> bool:
    """A report over every practice (its notebook declares scope: portfolio)."""
    found = catalog.spec(report, notebooks_dir)
    return found.portfolio if found else report == PORTFOLIO


#: Parameters dyad sets itself: `-p` may never set them (a report titled for one practice must
#: never read another's data, nor data from another folder than the one validated).
RESERVED_PARAMS = ("practice_id", "period", "data_dir", "cache_dir", "reports_dir")
PERIOD_WORDS = {"latest": "'latest' or a month like 2026-09", "month": "a month like 2026-09",
                "quarter": "a quarter like 2026Q3", "fiscal_year": "a fiscal year like FY2027",
                "any": "a month, a quarter or a fiscal year (2026-09, 2026Q3, FY2027)"}


def check_params(params: dict[str, Any]) -> None:
    """ReportError for a parameter dyad sets itself (see RESERVED_PARAMS)."""
    bad = sorted(set(params) & set(RESERVED_PARAMS))
    if bad:
        raise ReportError(f"-p {bad[0]} is set by dyad itself and cannot be given with -p; use "
                          "--practice, --period, --data-dir, --cache-dir or --reports-dir")


def check_period(report: str, period: str, view: str | None = None,
                 notebooks_dir: str | os.PathLike | None = None) -> None:
    """ReportError unless `period` is one of the kind of periods the report's notebook declares
    (metadata.dyad.period), checked before anything runs or is written."""
    from dyad_lib.metrics.periods import PeriodError, parse_period

    found = catalog.spec(report, notebooks_dir) if catalog.REPORT_NAME.match(str(report)) else None
    kinds = (found.period_kinds or (found.period_kind,)) if found else ("any",)
    text = str(period).strip()
    takes = f"the {report} report takes {' or '.join(PERIOD_WORDS[k] for k in kinds)}, not '{period}'"
    if view not in (None, "", "period", "ytd", "t12"):
        raise ReportError(f"view must be ytd or t12, not '{view}'")
    if text.lower() in ("latest", "none"):
        if "latest" in kinds:
            return
        raise ReportError(takes)
    try:
        p = parse_period(text, 1)
    except PeriodError as exc:
        raise ReportError(str(exc)) from None
    if "any" in kinds or p.kind in kinds or ("latest" in kinds and p.kind == "month"):
        return
    raise ReportError(takes)


def period_slug(period: str, view: str | None = None) -> str:
    """The folder name of a period: 2026-09, 2026Q3, FY2027, 2026-09-t12; 'latest' stays 'latest'."""
    from dyad_lib.metrics.periods import parse_period

    text = str(period).strip()
    try:
        return parse_period(text, 1, view=view if view in ("ytd", "t12") else None).slug
    except Exception:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,40}", text):
            raise ReportError(f"'{period}' is not a period (use 2026-09, 2026Q3 or FY2027)") from None
        return text.lower()


def output_dir(reports_root: Path, report: str, practice_id: str, slug: str,
               notebooks_dir: str | os.PathLike | None = None) -> Path:
    return reports_root / (PORTFOLIO if portfolio_report(report, notebooks_dir) else practice_id) / slug


# --- kernel ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def kernel_name() -> str:
    """'dyad' when registered (make setup does it), else the current interpreter's kernel."""
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager

    try:
        if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
            return KERNEL_NAME
    except Exception:
        pass
    return NATIVE_KERNEL_NAME


def kernel_problem() -> str | None:
    """Why the report kernel cannot start, in plain words, or None when its spec looks right."""
    import shutil

    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    name = kernel_name()
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return f"the report's Python kernel '{name}' is not installed; run `make setup` to register it."
    except Exception:
        return f"the report's Python kernel '{name}' has a kernel.json that cannot be read; run `make setup`."
    exe = spec.argv[0] if spec.argv else ""
    if exe in ("python", "python3", f"python3.{sys.version_info[1]}"):
        return None  # jupyter_client runs these with the current interpreter
    if not exe or not (shutil.which(exe) or os.access(exe, os.X_OK)):
        return (f"the report's Python kernel '{name}' cannot start: its kernel.json names a program that "
                f"does not exist ({Path(exe).name or 'none'}); run `make setup` to register the kernel again.")
    return None


# --- failures in plain words -----------------------------------------------------------------------


def plain_reason(ename: str, evalue: str, timeout: int | None = None) -> str:
    """An exception as one sentence for a practice owner (no traceback, no paths)."""
    from dyad_lib.pipeline.render import local_paths, scrub_paths

    value = scrub_paths(str(evalue or ""), local_paths()).strip()
    # any other absolute path: its last part (only a path that starts a word, so the `/` inside a
    # relative path such as data/harbor-dental is left alone)
    value = re.sub(r"(?<![\w.~-])/[^\s'\"]+", lambda m: Path(m.group(0)).name, value)
    if len(value) > 240:
        value = value[:237] + "…"
    key = value.strip("'\"")
    if ename == "KeyError":
        return f"a column or value '{key}' the report needs is missing from the data."
    if ename in ("FileNotFoundError",):
        return f"a file the report needs was not found ({value or 'no name given'})."
    if ename in ("ModuleNotFoundError", "ImportError"):
        return f"a software component the report needs is not installed ({value})."
    if ename == "ZeroDivisionError":
        return "a calculation divided by zero: a total the report needs is zero or missing."
    if ename in ("PeriodError",):
        return f"the period could not be used: {value}"
    if ename in ("PracticeIdError", "UnknownPracticeError"):
        return f"the practice could not be found: {value}"
    if ename == "PracticeDataError":
        return f"the practice's files could not be read: {value}"
    if ename in ("StaleSnapshotError", "BlockedPracticeError"):
        return f"{value}."
    if ename == "NoSuchKernel":
        return f"the report's Python kernel is not installed ({value}); run `make setup` to register it."
    if ename == "MaxRowsError":
        return "a chart was given row-level data; charts must show aggregated numbers."
    if ename in ("CellTimeoutError", "TimeoutError"):
        limit = f" of {timeout} seconds" if timeout else ""
        return f"a section took longer than the time limit{limit} and was stopped."
    if ename == "DeadKernelError":
        return "the report's Python process stopped unexpectedly (it may have run out of memory)."
    if ename in ("ValueError", "AssertionError") and value:
        return f"a value in the data could not be used: {value}"
    if ename in ("TypeError", "AttributeError", "IndexError"):
        return f"the report met data of an unexpected shape ({ename})."
    return f"an unexpected problem stopped the report ({ename}{': ' + value if value else ''})."


def failing_section(nb: Any) -> tuple[int | None, str | None]:
    """Index of the failed code cell and the nearest markdown heading above it."""
    idx = None
    for i, c in enumerate(nb.cells):
        pm = c.get("metadata", {}).get("papermill", {})
        if c.cell_type == "code" and (pm.get("status") == "failed" or any(
                o.get("output_type") == "error" for o in c.get("outputs", []))):
            idx = i
            break
    if idx is None:
        return None, None
    for c in reversed(nb.cells[:idx]):
        if c.cell_type != "markdown" or "papermill-error-cell" in c.source:
            continue
        heads = re.findall(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", c.source, flags=re.M)
        if heads:
            return idx, re.sub(r"[*_`]", "", heads[-1]).strip()
    return idx, None


def _clean_metadata(nb: Any) -> Any:
    """Drop run timestamps so the kept notebook is the same for the same inputs."""
    pm = nb.metadata.get("papermill", {})
    for k in (*_PAPERMILL_CELL_TIMES, "environment_variables"):
        pm.pop(k, None)
    for c in nb.cells:
        c.get("metadata", {}).pop("execution", None)
        cpm = c.get("metadata", {}).get("papermill", {})
        for k in _PAPERMILL_CELL_TIMES:
            cpm.pop(k, None)
    return nb


def _kept_notebook_paths(*folders: Path) -> list[str]:
    """Folders the notebook kept beside a report must not mention: those of the page, and the
    Python installation (a failed notebook's traceback names its files)."""
    import sys

    from dyad_lib.pipeline.render import local_paths

    return local_paths(*folders, sys.prefix, sys.exec_prefix, sys.base_prefix)


def _keep_notebook(nb: Any, tmp: Path, target: Path, hidden: list[str]) -> None:
    """Write the executed notebook to `target` (atomically, through `tmp`) without run timestamps
    and without a local path: the parameters papermill injected (data_dir, cache_dir, …), its
    record of where the notebook was read and written, and any path in an output become the
    folder's or file's own name. The parameters stay runnable: they are plain strings."""
    import json

    import nbformat

    from dyad_lib.pipeline.render import scrub_paths

    nb = _clean_metadata(nb)
    pm = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if key in pm:
            pm[key] = target.name
    pm.pop("cwd", None)
    text = scrub_paths(json.dumps(nb), hidden)
    nbformat.write(nbformat.from_dict(json.loads(text)), str(tmp))
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def error_page(report: str, practice_name: str, period: str, section: str | None, reason: str,
               has_previous: bool) -> str:
    """The page left where a report could not be produced: where and why, in plain words."""
    from dyad_lib.fmt import spell_date
    from dyad_lib.pipeline.render import page
    from dyad_lib.reports.html import render

    body = render("pages/error", practice_name=practice_name, report_title=report_title(report), period=period,
                  when=spell_date(time.strftime("%Y-%m-%d")), section=section, reason=reason,
                  has_previous=has_previous, report=report)
    return page(f"{report_title(report)} could not be produced", body)


# --- the run ---------------------------------------------------------------------------------------


def _kernel_pid(km: Any) -> int | None:
    return getattr(getattr(km, "provisioner", None), "pid", None) if km is not None else None


def _phases_done(timeline: Any, km: Any, res: JobResult, status: str) -> None:
    """Record the phases of a run that failed in its notebook (timings of what ran)."""
    if timeline is None:
        return
    timeline.mark("execute_end")
    timeline.merge_kernel(_kernel_pid(km))
    timeline.record(report=res.report, practice=res.practice_id, period=res.period, status=status)


def _declared(nb_path: Path) -> dict[str, Any]:
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.ERROR)  # "Unable to parse line …" is not for users
    try:
        return pm.inspect_notebook(str(nb_path))
    except Exception:
        return {}


def report_inputs(report: str, path: str | os.PathLike, notebooks_dir: str | os.PathLike | None = None
                  ) -> dict[str, Any]:
    """The inputs file of `dyad run REPORT --inputs FILE`, read and checked before anything runs:
    the report's notebook must declare an `inputs` parameter; the YAML is read without aliases;
    the report's own check (metadata.dyad.inputs_check) names the file and the key. Returns the
    mapping as plain data (dates as ISO text), passed to the notebook as `inputs`."""
    import datetime as dt
    import importlib

    from dyad_lib.data.yamltext import YamlError, read_yaml_file

    nb_path = check_report(report, notebooks_dir)
    if "inputs" not in _declared(nb_path):
        takers = [r for r, s in catalog.catalog(notebooks_dir).items() if s.path and "inputs" in _declared(s.path)]
        raise ReportError(f"the {report} report takes no --inputs (reports that do: {', '.join(takers) or 'none'})")
    p = Path(path)
    try:
        raw = read_yaml_file(p)
    except YamlError as exc:
        raise ReportError(str(exc)) from None
    if not isinstance(raw, dict):
        raise ReportError(f"{p.name} must be a mapping (key: value lines)")

    def plain(x: Any) -> Any:
        if isinstance(x, dict):
            return {str(k): plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x.isoformat() if isinstance(x, (dt.date, dt.datetime)) else x

    raw = plain(raw)
    found = catalog.spec(report, notebooks_dir)
    if found is not None and found.inputs_check:
        module, _, fn = found.inputs_check.partition(":")
        try:
            getattr(importlib.import_module(module), fn)(raw, p.name)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
    return raw


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _practice_name(practice_id: str, data_dir: Path) -> str:
    try:
        from dyad_lib.data.load import read_practice_yaml
        from dyad_lib.data.paths import practice_dir

        cfg = read_practice_yaml(practice_dir(practice_id, data_dir), [])
        return cfg.name if cfg and cfg.name else practice_id
    except Exception:
        return practice_id


def prepare(practice_id: str, data_dir: Path, cache_dir: Path) -> Any:
    """Validate (or reuse the snapshot of) a practice in this process, and compute once what
    every report of it reads (dyad_lib.metrics.derived), kept in the snapshot."""
    from dyad_lib.data.snapshot import prepare_practice
    from dyad_lib.metrics.derived import ensure

    prepared = prepare_practice(practice_id, data_dir=data_dir, cache_dir=cache_dir)
    ensure(prepared, data_dir)
    return prepared


def _cache_key(report: str, practice_id: str, period: str, params: dict[str, Any], data: Path, nb_path: Path,
               prepared: Any, pdf: bool) -> str:
    from dyad_lib.pipeline import cache as report_cache

    inputs = report_cache.inputs_fingerprint(practice_id, data, prepared,
                                             portfolio=portfolio_report(report, nb_path.parent))
    return report_cache.job_key(nb_path, report, practice_id, str(period), params, inputs, pdf)


def cached_result(report: str, practice_id: str | None, period: str, params: dict[str, Any] | None = None,
                  data_dir: str | os.PathLike | None = None, reports_dir: str | os.PathLike | None = None, *,
                  prepared: Any = None, pdf: bool = False, notebooks_dir: str | os.PathLike | None = None,
                  cache: bool | None = None) -> JobResult | None:
    """The previous result of this job if nothing it depends on changed, else None.

    The batch asks this in the orchestrator before handing a job to a worker, so an unchanged
    rerun starts no kernel at all (see dyad_lib.pipeline.cache)."""
    from dyad_lib.pipeline import cache as report_cache

    if not report_cache.enabled(cache):
        return None
    is_portfolio = portfolio_report(report, notebooks_dir)
    if not is_portfolio and (prepared is None or not getattr(prepared, "ok", False)):
        return None
    nb_path = check_report(report, notebooks_dir)
    pid = PORTFOLIO if is_portfolio else str(practice_id)
    data, root = resolve_data_dir(data_dir), resolve_reports_dir(reports_dir)
    params = dict(params or {})
    slug = period_slug(period, params.get("view"))
    out = output_dir(root, report, pid, slug, notebooks_dir)
    key = _cache_key(report, pid, period, params, data, nb_path, prepared, pdf)
    hit = report_cache.lookup(out, report, key, root)
    if hit is None:
        return None
    res = JobResult(report, pid, str(period), slug, hit.get("status") or "ok", params=params, cached=True)
    for k in report_cache.KEPT:
        if k in hit and k != "status":
            setattr(res, k, hit[k])
    return res


def start_kernel(report: str, notebooks_dir: str | os.PathLike | None = None) -> None:
    """Start the report's kernel now, before anything else is done (`dyad run` calls this as soon
    as the report name is known): it boots and imports while the arguments are checked and the
    practice is prepared. `run_report` then takes it (DYAD_KERNEL_POOL=0: nothing is started)."""
    from dyad_lib.pipeline import kernel_pool

    found = catalog.spec(report, notebooks_dir) if isinstance(report, str) else None
    if found is not None and kernel_pool.enabled():
        # warmed with this notebook's imports only (a batch's kernels import every notebook's)
        kernel_pool.POOL.prestart(kernel_name(), str(found.path.parent), str(found.path))


def _warm_renderer() -> None:
    try:
        from dyad_lib.pipeline.render import warm_up

        warm_up()
    except Exception:  # the real export reports any problem
        pass


def run_report(report: str, practice_id: str | None, period: str, params: dict[str, Any] | None = None,
               data_dir: str | os.PathLike | None = None, reports_dir: str | os.PathLike | None = None,
               cache_dir: str | os.PathLike | None = None, *, prepared: Any = None, pdf: bool = False,
               notebooks_dir: str | os.PathLike | None = None, timeout: int | None = None,
               use_cache: bool | None = None) -> JobResult:
    """Execute `notebooks/<report>.ipynb` for one practice and period and write its HTML.

    An unchanged job (same notebook, parameters, input files and dyad code) returns its previous
    result marked `cached` without running (`use_cache=False` or DYAD_REPORT_CACHE=0 to force a run).

    Writes `<reports>/<practice_id>/<period_slug>/<report>.html` and `<report>.ipynb` (the portfolio
    under `<reports>/portfolio/<period_slug>/`). `prepared` is the `Prepared` of the practice when
    the caller (the batch) already validated it; otherwise it is validated here. Raises
    `ReportError` only for a bad request; every other problem is reported in the result.
    """
    t0 = time.perf_counter()
    from dyad_lib.pipeline import phases

    timeline = phases.Timeline() if phases.enabled() else None
    params = dict(params or {})
    nb_path = check_report(report, notebooks_dir)
    declared_by = catalog.spec(report, notebooks_dir)
    check_params(params)
    check_period(report, period, params.get("view"), notebooks_dir)
    is_portfolio = portfolio_report(report, notebooks_dir)
    data = resolve_data_dir(data_dir)
    if is_portfolio:
        practice_id = PORTFOLIO
    elif practice_id is None:
        raise ReportError(f"the {report} report needs a practice")
    else:
        check_practice_id(practice_id)
        if prepared is None and not (data / practice_id).is_dir():
            raise ReportError(f"there is no practice named '{practice_id}' in the data folder "
                              "(create one with `dyad new`)")
    root = resolve_reports_dir(reports_dir)
    cache = resolve_cache_dir(cache_dir)
    slug = period_slug(period, params.get("view"))
    out = output_dir(root, report, practice_id, slug, notebooks_dir)
    res = JobResult(report, practice_id, str(period), slug, "failed", params=params)
    html_path, nb_out = out / f"{report}.html", out / f"{report}.ipynb"
    err_path, failed_nb = out / f"{report}.error.html", out / f"{report}.failed.ipynb"
    name = "All practices" if is_portfolio else _practice_name(practice_id, data)
    res.practice_name = name
    if html_path.exists():
        res.html = _rel(html_path, root)

    def _fail(reason: str, section: str | None = None) -> JobResult:
        res.status, res.error, res.section = "failed", reason, section
        atomic_write_text(err_path, error_page(report, name, str(period),
                                               section, reason, html_path.exists()))
        res.error_html = _rel(err_path, root)
        res.duration = round(time.perf_counter() - t0, 2)
        return res

    # 0. a kernel starts (and imports what the notebooks import) while the practice is prepared
    from dyad_lib.pipeline import kernel_pool

    pooled = kernel_pool.enabled()
    if pooled:  # (one report: warmed with its notebook's imports; a batch's with every notebook's)
        kernel_pool.POOL.prestart(kernel_name(), str(nb_path.parent),
                                  None if kernel_pool.POOL.refill else str(nb_path))

    # 1. validate (or reuse the snapshot) before any notebook runs; the portfolio reads every
    # practice of the data folder, so each is validated (or its snapshot reused) first
    if is_portfolio and prepared is None:
        from dyad_lib.data.paths import list_practices

        for pid in list_practices(data):
            try:
                prepare(pid, data, cache)
            except Exception:  # the portfolio lists it as failed or not validated
                pass
    if not is_portfolio:
        since = phases.now()
        try:
            prep = prepared if prepared is not None else prepare(practice_id, data, cache)
        except Exception as exc:  # unknown practice, unreadable files
            return _fail(plain_reason(type(exc).__name__, str(exc)))
        if not prep.ok and not (declared_by and declared_by.runs_on_blocked_data):
            res.status, res.error = BLOCKED, blocking_text(prep.summary)
            res.duration = round(time.perf_counter() - t0, 2)
            return res
        if timeline is not None:
            timeline.add("prepare", since)
        n_warn = int(prep.summary.get("warning_count") or 0) if isinstance(prep.summary, dict) else 0
        if not prep.ok:
            res.warnings.append(blocking_text(prep.summary))
        if n_warn:
            res.warnings.append(f"{n_warn} data-quality warning{'s' if n_warn != 1 else ''}")

    # 2. an unchanged job is not run again
    from dyad_lib.pipeline import cache as report_cache

    key = None
    if report_cache.enabled(use_cache):
        hit = cached_result(report, practice_id, period, params, data, root, prepared=prep if not is_portfolio
                            else None, pdf=pdf, notebooks_dir=notebooks_dir, cache=True)
        if hit is not None:
            hit.duration = round(time.perf_counter() - t0, 2)
            return hit
        key = _cache_key(report, practice_id, period, params, data, nb_path,
                         None if is_portfolio else prep, pdf)
    report_cache.forget(out, report)

    # 3. execute
    declared = _declared(nb_path)
    run_params: dict[str, Any] = {"period": str(period)}
    if not is_portfolio:
        run_params["practice_id"] = practice_id
    for k, v in (("data_dir", str(data)), ("cache_dir", str(cache)), ("reports_dir", str(root))):
        if k in declared or k == "data_dir":
            run_params[k] = v
    run_params.update(params)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{report}.", suffix=".running.ipynb", dir=out)
    os.close(fd)
    tmp_nb = Path(tmp_name)
    from dyad_lib.pipeline.kernel import track_temp_file

    track_temp_file(tmp_nb)
    limit = timeout or DEFAULT_TIMEOUT
    hidden = _kept_notebook_paths(data, cache, root, nb_path.parent)
    km = kernel_pool.POOL.take(kernel_name(), str(nb_path.parent)) if pooled else None
    if timeline is not None:
        launched = getattr(km, "dyad_launched", None)
        timeline.mark("execute_start")
        timeline.marks["kernel_launch"] = (launched, 0.0) if launched else timeline.marks["execute_start"]
    # the exporter's templates compile in this process while the kernel works (the wait is I/O)
    renderer = threading.Thread(target=_warm_renderer, name="dyad-warm-renderer", daemon=True)
    renderer.start()
    try:
        import nbformat
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        try:
            pm.execute_notebook(str(nb_path), str(tmp_nb), parameters=run_params, kernel_name=kernel_name(),
                                progress_bar=False, log_output=False, cwd=str(nb_path.parent),
                                execution_timeout=limit, kernel_manager_class="dyad_lib.pipeline.kernel.IPCKernelManager",
                                request_save_on_cell_execute=False,  # one write at the end, not one per cell
                                **({"km": km} if km is not None else {}))
        except PapermillExecutionError as exc:
            _phases_done(timeline, km, res, "failed")
            section = None
            try:
                part = nbformat.read(str(tmp_nb), as_version=4)
                _, section = failing_section(part)
                _keep_notebook(part, tmp_nb, failed_nb, hidden)
                res.notebook = _rel(failed_nb, root)
            except Exception:
                pass
            return _fail(plain_reason(exc.ename, exc.evalue, limit), section)
        except Exception as exc:  # kernel could not start, timeout outside a cell, bad parameters
            _phases_done(timeline, km, res, "failed")
            kernel_why = kernel_problem()
            if kernel_why is not None:
                return _fail(kernel_why)
            section = None
            if tmp_nb.exists() and tmp_nb.stat().st_size:
                try:
                    part = nbformat.read(str(tmp_nb), as_version=4)
                    _, section = failing_section(part)
                    _keep_notebook(part, tmp_nb, failed_nb, hidden)
                    res.notebook = _rel(failed_nb, root)
                except Exception:
                    pass
            return _fail(plain_reason(type(exc).__name__, str(exc), limit), section)

        # 4. render, then replace the previous outputs atomically
        from dyad_lib.pipeline.render import local_paths, notebook_to_html

        if timeline is not None:
            timeline.mark("execute_end")
            timeline.merge_kernel(_kernel_pid(km))
        since = phases.now()
        renderer.join()
        nb = _clean_metadata(nbformat.read(str(tmp_nb), as_version=4))
        title = f"{report_title(report, notebooks_dir)} — {name} — {period}"
        try:
            body = notebook_to_html(nb, title, local_paths(data, cache, root, nb_path.parent))
        except Exception as exc:
            return _fail(f"the finished notebook could not be turned into a page ({type(exc).__name__}).")
        atomic_write_text(html_path, body)
        _keep_notebook(nb, tmp_nb, nb_out, hidden)
        for stale in (err_path, failed_nb):
            stale.unlink(missing_ok=True)
        res.html, res.notebook, res.status = _rel(html_path, root), _rel(nb_out, root), "ok"
        if timeline is not None:
            timeline.add("export", since)
            timeline.record(report=report, practice=practice_id, period=str(period), status="ok",
                            forked=type(getattr(getattr(km, "provisioner", None), "process", None)).__name__
                            == "ForkedKernel")
        if pdf:
            from dyad_lib.pipeline.pdf import PdfError, html_to_pdf

            try:
                res.pdf = _rel(html_to_pdf(html_path), root)
            except PdfError as exc:
                res.warnings.append(str(exc))
        if res.warnings:
            res.status = "warnings"
        if not is_portfolio and not prep.ok:  # the report that explains blocking problems
            res.status, res.error = BLOCKED, blocking_text(prep.summary)
        if key is not None and (res.pdf or not pdf):
            report_cache.store(out, report, key, res.to_dict())
        res.duration = round(time.perf_counter() - t0, 2)
        return res
    finally:
        kernel_pool.POOL.release(km)  # one notebook per kernel: never reused
        tmp_nb.unlink(missing_ok=True)
        track_temp_file(tmp_nb, running=False)
