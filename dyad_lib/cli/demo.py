"""`dyad demo`: the two fictional demo practices and every report for them.

`dyad demo --data-only` (re)writes the data; `dyad demo` writes it only if missing or changed, then
runs the batch of every available report over the practices' latest periods and prints the index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dyad_lib.cli.common import DataDirOption, ReportsDirOption, console, writable


def write_demo_data(data_dir: Path | str | None = None) -> list[Path]:
    """Write both demo practices into `data_dir` (default: the data folder) and return the files.

    Kept separate from the command so the report pipeline can call it before running reports."""
    from dyad_lib.demo.practices import write_demo
    from dyad_lib.data.paths import data_dir as resolve_data_dir

    return write_demo(resolve_data_dir(data_dir))


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        data_only: Annotated[bool, typer.Option("--data-only", help="Only (re)write the demo data.")] = False,
        data_dir: DataDirOption = None,
        reports_dir: ReportsDirOption = None,
        workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Parallel worker processes.")] = None,
        pdf: Annotated[bool, typer.Option("--pdf", help="Also print each report to PDF.")] = False,
        opendental: Annotated[bool, typer.Option(
            "--opendental", help="Build the dental demo seaside-dental through the Open Dental import instead: "
                                 "a generated Open Dental database (embedded SQLite) imported, reconciled and "
                                 "validated like a client's.")] = False,
        openemr: Annotated[bool, typer.Option(
            "--openemr", help="Build the medical demo cedar-family-medicine through the OpenEMR import instead: a "
                              "generated OpenEMR database (embedded SQLite) imported, reconciled and validated like a "
                              "client's.")] = False,
    ) -> None:
        """Write the demo practices harbor-dental and maple-family-medicine, then produce their reports."""
        from dyad_lib.data.paths import cache_dir as resolve_cache
        from dyad_lib.data.paths import data_dir as resolve_data
        from dyad_lib.data.paths import reports_dir as resolve_reports

        writable(resolve_data(data_dir), "data folder")
        if opendental or openemr:
            if opendental and openemr:
                from dyad_lib.cli.common import usage_error

                usage_error("give --opendental or --openemr, not both")
                return
            if opendental:
                from dyad_lib.demo.opendental_fixture import DEMO_PRACTICE, write_opendental_demo as write_imported
                system = "Open Dental"
            else:
                from dyad_lib.demo.openemr_fixture import DEMO_PRACTICE, write_openemr_demo as write_imported
                system = "OpenEMR"

            if not data_only:
                writable(resolve_reports(reports_dir), "reports folder")
                writable(resolve_cache(None), "cache folder")
            result = write_imported(resolve_data(data_dir))
            console.print(f"Imported {DEMO_PRACTICE}/ from a generated {system} database: "
                          f"{sum(result.tables.values()):,} rows; largest difference from {system}'s own figures "
                          f"${result.report.max_delta:,.2f}",
                          highlight=False)
            if data_only:
                return
            from dyad_lib.cli.batch import default_workers, run_and_report
            from dyad_lib.pipeline.batch import demo_jobs

            result = run_and_report(demo_jobs([DEMO_PRACTICE]), data_dir=data_dir, reports_dir=reports_dir,
                                    cache_dir=None, workers=workers or default_workers(), pdf=pdf)
            console.print(f"Open {result.index}", style="bold", highlight=False, soft_wrap=True)
            raise typer.Exit(0 if result.ok else 1)
        if not data_only:
            writable(resolve_reports(reports_dir), "reports folder")
            writable(resolve_cache(None), "cache folder")
            from dyad_lib.pipeline.batch import demo_jobs, ensure_demo_data
            from dyad_lib.cli.batch import default_workers, run_and_report

            rewritten = ensure_demo_data(data_dir)
            if rewritten:
                console.print(f"Wrote demo data: {', '.join(rewritten)}", highlight=False)
            result = run_and_report(demo_jobs(), data_dir=data_dir, reports_dir=reports_dir, cache_dir=None,
                                    workers=workers or default_workers(), pdf=pdf)
            console.print(f"Open {result.index}", style="bold", highlight=False, soft_wrap=True)
            raise typer.Exit(0 if result.ok else 1)
        written = write_demo_data(data_dir)
        folders = sorted({p.parent for p in written})
        for folder in folders:
            files = [p for p in written if p.parent == folder]
            size = sum(p.stat().st_size for p in files)
            console.print(f"Wrote {folder.name}/: {len(files)} files, {size / 1e6:.1f} MB", highlight=False)
        console.print(f"Demo data is in {folders[0].parent}.", highlight=False)
