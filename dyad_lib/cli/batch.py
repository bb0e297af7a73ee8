"""`dyad batch --period X [--practices a,b|all] [--reports r1,r2|all] [--workers N] [--pdf]`.

Every practice × report in worker processes, with a progress bar, a status line per job, a JSON
run manifest (reports/runs/<run>.json, and reports/manifest.json for the latest state of every
report), a summary table and the rebuilt reports/index.html. The period is mapped to each report
by the kind of period it takes (`dyad_lib.pipeline.periods`: a quarter gives the quarterly report
for it and the monthly review for each of its months …); a report that cannot apply is listed as
"not applicable" with the reason. Exit 0 if every report was produced or does not apply (warnings
allowed); 1 if any failed or its practice's data are blocked; 2 for a usage error.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Optional

import typer

from dyad_lib.cli.common import DataDirOption, ReportsDirOption, console, fail, usage_error, writable
from dyad_lib.cli.run import (
    CacheDirOption,
    NotebooksDirOption,
    ParamOption,
    PdfOption,
    parse_params,
    status_line,
)


def split_list(value: str | None, allowed: list[str], what: str) -> list[str]:
    """'all' (or nothing) -> every allowed value; 'a,b' -> checked list."""
    if not value or value.strip().lower() == "all":
        return list(allowed)
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)} (available: {', '.join(allowed) or 'none'})")
    return items


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C


def _term_is_interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def run_and_report(jobs: list[Any], *, data_dir: Any, reports_dir: Any, cache_dir: Any, workers: int,
                   pdf: bool, notebooks_dir: Any = None, scheduler: str | None = None,
                   use_cache: bool | None = None) -> Any:
    """Run the jobs with a progress bar and print the summary; returns the BatchResult.

    Ctrl-C (or SIGTERM) ends the batch within seconds: the reports that finished are recorded in
    the manifest and the index, every other one is left as it was, and the command exits 130."""
    import signal
    import threading

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from dyad_lib.pipeline.batch import BatchInterrupted, run_batch

    main = threading.current_thread() is threading.main_thread()  # only there can signals be set
    previous = signal.signal(signal.SIGTERM, _term_is_interrupt) if main else None
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("Validating practices", total=len(jobs))

            def on_result(r: Any, done: int, total: int) -> None:
                progress.console.print(status_line(r), highlight=False)
                progress.update(task, completed=done, description="Reports")

            result = run_batch(jobs, data_dir=data_dir, reports_dir=reports_dir, cache_dir=cache_dir,
                               workers=workers, pdf=pdf, notebooks_dir=notebooks_dir, on_result=on_result,
                               scheduler=scheduler, use_cache=use_cache)
    except BatchInterrupted as exc:
        done = exc.result
        console.print(f"Interrupted: {len(done.results)} of {exc.total} reports finished and are recorded in "
                      f"the manifest and the index; every other report was left as it was. Run the same "
                      "command again to finish.", highlight=False, soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    except KeyboardInterrupt:
        console.print("Interrupted before any report ran; nothing was changed.", highlight=False)
        raise typer.Exit(INTERRUPTED) from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    table = Table(title="Summary", title_justify="left")
    for col, just in (("practice", "left"), ("period", "left"), ("report", "left"), ("status", "left"),
                      ("seconds", "right")):
        table.add_column(col, justify=just)
    from rich.markup import escape

    for r in result.results:
        style = {"ok": "green", "warnings": "yellow", "failed": "bold red", "skipped": "dim", "blocked": "bold red",
                 "not applicable": "dim"}.get(r.status, "")
        table.add_row(escape(r.practice_id), escape(r.period), escape(r.report), f"[{style}]{r.status}[/]",
                      f"{r.duration:.1f}")
    mapped: dict[tuple[str, str], list[str]] = {}
    for r in result.results:
        if r.note and r.status != "not applicable":
            mapped.setdefault((r.report, r.note), []).append(r.practice_id)
    for (report, note), who in sorted(mapped.items()):
        whom = "" if len(set(who)) == len({x.practice_id for x in result.results if x.report == report}) \
            else f" ({', '.join(sorted(set(who)))})"
        console.print(f"{escape(report)}: {escape(note)}{escape(whom)}", style="dim", highlight=False, soft_wrap=True)
    console.print(table)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(result.counts.items()))
    console.print(f"{len(result.results)} report{'s' if len(result.results) != 1 else ''} in {result.duration:.1f}s "
                  f"({counts}); validation {result.prepare_seconds:.1f}s.", highlight=False)
    console.print(f"Run manifest: {result.run_manifest}", style="dim", highlight=False, soft_wrap=True)
    console.print(f"Index: {result.index}", highlight=False, soft_wrap=True)
    return result


def register(app: typer.Typer) -> None:
    @app.command("batch")
    def batch(
        period: Annotated[str, typer.Option("--period", help="2026-09, 2026Q3 or FY2027: each report runs for the "
                                                             "periods of its own kind this one covers (a quarter: "
                                                             "the quarterly report, the monthly review of each of "
                                                             "its months …), or is listed as not applicable.")],
        practices: Annotated[Optional[str], typer.Option("--practices", help="a,b or all (default: all).")] = "all",
        reports: Annotated[Optional[str], typer.Option("--reports", help="r1,r2 or all (default: all).")] = "all",
        workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Parallel worker processes (default: CPUs, at most 4).")] = None,
        param: ParamOption = None,
        pdf: PdfOption = False,
        data_dir: DataDirOption = None,
        reports_dir: ReportsDirOption = None,
        cache_dir: CacheDirOption = None,
        notebooks_dir: NotebooksDirOption = None,
        scheduler: Annotated[Optional[str], typer.Option(
            "--scheduler", envvar="DYAD_SCHEDULER",
            help="Dask scheduler address (tcp://HOST:8786): run on that cluster; folders must be shared.")] = None,
        no_cache: Annotated[bool, typer.Option(
            "--no-cache", help="Run every report, even those whose inputs have not changed.")] = False,
    ) -> None:
        """Produce many reports at once: practices × reports, in parallel worker processes."""
        from dyad_lib.data.paths import list_practices
        from dyad_lib.metrics.periods import PeriodError, parse_period
        from dyad_lib.pipeline.batch import plan
        from dyad_lib.pipeline.runner import ReportError, available_reports, check_params, portfolio_report

        try:  # every argument is checked before anything is written
            params = parse_params(param)
            check_params(params)
            chosen_practices = split_list(practices, list_practices(data_dir), "practice")
            chosen_reports = split_list(reports, available_reports(notebooks_dir), "report")
            if params.get("view") not in (None, "", "period", "ytd", "t12"):
                raise ReportError(f"view must be ytd or t12, not '{params.get('view')}'")
            text = period.strip()
            if text.lower() not in ("latest", "none"):
                try:
                    parse_period(text, 1, any_fiscal_year=True)
                except PeriodError as exc:
                    raise ReportError(str(exc)) from None
        except (ValueError, ReportError) as exc:
            usage_error(str(exc))
            return
        if not chosen_practices and any(not portfolio_report(r, notebooks_dir) for r in chosen_reports):
            usage_error("no practice found in the data folder (each practice is a folder with practice.yaml)")
        from dyad_lib.data.paths import cache_dir as resolve_cache
        from dyad_lib.data.paths import reports_dir as resolve_reports

        writable(resolve_reports(reports_dir), "reports folder")
        writable(resolve_cache(cache_dir), "cache folder")
        # each report gets the period the batch was asked for, mapped to its own kind of period
        # once its practice is validated (its fiscal year and the months its data cover)
        jobs = plan(chosen_practices, chosen_reports, period=text, params={r: params for r in chosen_reports},
                    notebooks_dir=notebooks_dir, requested=True)
        from dyad_lib.pipeline.cluster import SchedulerError

        try:
            result = run_and_report(jobs, data_dir=data_dir, reports_dir=reports_dir, cache_dir=cache_dir,
                                    workers=workers or default_workers(), pdf=pdf, notebooks_dir=notebooks_dir,
                                    scheduler=scheduler, use_cache=False if no_cache else None)
        except SchedulerError as exc:
            fail(str(exc))
            return
        raise typer.Exit(0 if result.ok else 1)
