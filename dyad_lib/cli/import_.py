"""`dyad import SOURCE …`: a practice's data straight from its practice system, or from any export
through a mapping file, written as a delivery and validated.

A sub-command group, so each source system is one command (`opendental`, `openemr`, `mapped`). Exit codes: 0 imported and nothing blocks, 1 a problem in the source
data, the reconciliation or the delivery's validation, 2 a usage problem (options, URL,
credentials, an existing practice without --overwrite). Errors are one line; no traceback, no
password, no URL with a password is ever printed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dyad_lib.cli.common import DataDirOption, console, err_console, fail, usage_error

import_app = typer.Typer(help="Import a practice's data from its practice system, or from any export with a mapping "
                              "file.", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

PracticeArg = Annotated[str, typer.Argument(help="The practice id to create, e.g. seaside-dental.")]
OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="Replace an existing practice (its folder is kept "
                                                                   "as a dated backup).")]


def _fmt_money(x: float) -> str:
    return f"${x:,.2f}".replace("$-", "−$")


def _summary(report, written) -> None:
    from rich import box
    from rich.table import Table

    t = Table(title="Read", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column("source table")
    t.add_column("rows", justify="right")
    for name, n in report.rows_read.items():
        t.add_row(name, f"{n:,}")
    w = Table(title="Written", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    w.add_column("table")
    w.add_column("rows", justify="right")
    for name, n in report.rows_written.items():
        w.add_row(name, f"{n:,}")
    console.print(t)
    console.print(w)
    if report.excluded:
        console.print("Left out on purpose (see import-report.json):", style="bold")
        for e in report.excluded:
            amount = f", {_fmt_money(e.amount)}" if e.amount else ""
            console.print(f"  {e.table}: {e.rows:,} {e.reason}{amount}", highlight=False, soft_wrap=True)
    months = report.reconciliation
    if months:
        worst = report.max_delta
        style = "bold green" if worst == 0 else "bold red"
        console.print(f"[{style}]Reconciled with {report.system}'s own figures: {len(months)} month(s), largest "
                      f"difference {_fmt_money(worst)}[/]", highlight=False, soft_wrap=True)
    for c in report.checks:
        if c.get("id") == "ar_vs_stored_aging":
            console.print(f"A/R at the last aging run ({c['as_of']}): ledger {_fmt_money(c['ledger'])}, stored aging "
                          f"{_fmt_money(c['stored'])}, difference {_fmt_money(c['delta'])}", highlight=False,
                          soft_wrap=True)
    if written.carried_over:
        console.print(f"Kept from the previous folder: {', '.join(written.carried_over)}", highlight=False,
                      soft_wrap=True)
    if written.backup is not None:
        console.print(f"The previous folder is kept as {written.backup.name}/", highlight=False, soft_wrap=True)


def _validate(practice_id: str, data_dir) -> bool:
    from dyad_lib.cli.validate import render_summary
    from dyad_lib.data.snapshot import prepare_practice

    from dyad_lib.data.snapshot import CacheLocationError

    try:
        prepared = prepare_practice(practice_id, data_dir, force=True)
    except CacheLocationError as exc:
        usage_error(str(exc))
        return False
    render_summary(prepared.summary)
    return prepared.ok


def _run(do_import, practice_id: str, data_dir) -> None:
    """Run an import with a progress display; map every failure to one line and its exit code."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from dyad_lib.importers.connection import scrub
    from dyad_lib.importers.problems import ImportProblem

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("connecting", total=None)

        def progress(step: str, rows: int | None) -> None:
            bar.update(task, advance=1, description=f"{step}: {rows:,} rows" if rows is not None else step)

        try:
            result = do_import(progress, lambda total: bar.update(task, total=total))
        except ImportProblem as exc:
            bar.stop()
            fail(exc.message, exc.code)
            return
        except Exception as exc:  # a bug: one scrubbed line, the traceback only when asked for
            if os.environ.get("DYAD_DEBUG"):
                raise
            bar.stop()
            fail(scrub(f"the import failed ({type(exc).__name__}: {exc}); nothing was written. Set DYAD_DEBUG=1 "
                       "to see the details."), 1)
            return
    _summary(result.report, result.written)
    ok = _validate(practice_id, data_dir)
    if result.report.max_delta != 0:
        fail("the import does not reconcile with the source system's own figures (see the reconciliation in "
             "import-report.json)", 1)
    raise typer.Exit(0 if ok else 1)


@import_app.command("opendental")
def opendental(
    practice_id: PracticeArg,
    url: Annotated[str, typer.Option("--url", help="mysql+pymysql://USER@HOST[:PORT]/DATABASE (no password: set "
                                                   "DYAD_IMPORT_PASSWORD or answer the prompt), or sqlite:///file.db")],
    from_: Annotated[Optional[str], typer.Option("--from", help="First month, YYYY-MM (default: the first month "
                                                                "with a completed procedure).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last month, YYYY-MM (default: the last complete month "
                                                           "with a completed procedure).")] = None,
    kind: Annotated[str, typer.Option(help="dental or medical")] = "dental",
    name: Annotated[Optional[str], typer.Option(help="The practice's name on reports (default: Open Dental's "
                                                     "practice title).")] = None,
    fiscal_year_start: Annotated[Optional[int], typer.Option("--fiscal-year-start", help="Month the fiscal year "
                                                                                         "starts, 1-12.")] = None,
    overwrite: OverwriteOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Import an Open Dental database read-only, reconcile it with Open Dental's own figures, validate it."""
    from dyad_lib.importers.opendental import STEPS, import_opendental

    _database_import(import_opendental, STEPS, url, practice_id, data_dir, start=from_, end=to, kind=kind, name=name,
                     fiscal_year_start=fiscal_year_start, overwrite=overwrite)


@import_app.command("openemr")
def openemr(
    practice_id: PracticeArg,
    url: Annotated[str, typer.Option("--url", help="mysql+pymysql://USER@HOST[:PORT]/DATABASE (no password: set "
                                                   "DYAD_IMPORT_PASSWORD or answer the prompt), or sqlite:///file.db")],
    from_: Annotated[Optional[str], typer.Option("--from", help="First month, YYYY-MM (default: the first month "
                                                                "with an active charge).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last month, YYYY-MM (default: the last complete month "
                                                           "with an active charge).")] = None,
    kind: Annotated[str, typer.Option(help="medical or dental")] = "medical",
    name: Annotated[Optional[str], typer.Option(help="The practice's name on reports (default: OpenEMR's primary "
                                                     "facility).")] = None,
    fiscal_year_start: Annotated[Optional[int], typer.Option("--fiscal-year-start", help="Month the fiscal year "
                                                                                         "starts, 1-12.")] = None,
    overwrite: OverwriteOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Import an OpenEMR database read-only, reconcile it with OpenEMR's own figures, validate it."""
    from dyad_lib.importers.openemr import STEPS, import_openemr

    _database_import(import_openemr, STEPS, url, practice_id, data_dir, start=from_, end=to, kind=kind, name=name,
                     fiscal_year_start=fiscal_year_start, overwrite=overwrite)


def _database_import(do, steps, url: str, practice_id: str, data_dir, **options) -> None:
    """The shared path of the database imports: check the URL, get the password, run, summarise."""
    from dyad_lib.importers.connection import PASSWORD_ENV, parse_source, password_from_env
    from dyad_lib.importers.problems import ImportProblem

    try:
        source = parse_source(url)
    except ImportProblem as exc:
        usage_error(exc.message)
        return
    password = password_from_env()
    if password is None and source.dialect == "mysql" and sys.stdin.isatty():
        password = typer.prompt(f"Password for {source.user}@{source.where} (or set {PASSWORD_ENV})",
                                hide_input=True, default="", show_default=False) or None

    def do_import(progress, set_total):
        set_total(len(steps))
        return do(url, practice_id, password=password, data_dir=data_dir, progress=progress, **options)

    _run(do_import, practice_id, data_dir)


@import_app.command("mapped")
def mapped(
    sources: Annotated[list[Path], typer.Argument(help="The export files (CSV or XLSX) the mapping names.")],
    practice_id: PracticeArg,
    mapping: Annotated[Path, typer.Option("--mapping", help="The mapping file (YAML).")],
    kind: Annotated[str, typer.Option(help="dental or medical (a new practice)")] = "dental",
    name: Annotated[Optional[str], typer.Option(help="The practice's name on reports (a new practice).")] = None,
    overwrite: OverwriteOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Import CSV/XLSX exports through a mapping file into a practice (new, or with --overwrite)."""
    from dyad_lib.importers.mapped import import_mapped

    def do_import(progress, set_total):
        set_total(len(sources) + 1)
        return import_mapped(mapping, sources, practice_id, data_dir=data_dir, kind=kind, name=name,
                             overwrite=overwrite, progress=progress)

    _run(do_import, practice_id, data_dir)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
