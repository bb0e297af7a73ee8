"""`dyad record PRACTICE FILE`: append a meeting's filled-in capture file to the practice's tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from dyad_lib.cli.common import DataDirOption, console, err_console, fail, usage_error, writable


def register(app: typer.Typer) -> None:
    @app.command("record")
    def record_cmd(
        practice_id: Annotated[str, typer.Argument(help="The practice, e.g. harbor-dental.")],
        capture: Annotated[Path, typer.Argument(help="The filled-in capture workbook (.xlsx from the meeting brief "
                                                     "or `dyad forms`), or one CSV named after a table "
                                                     "(decisions.csv, action_plan.csv, focus_areas.csv, "
                                                     "partner_questions.csv).")],
        date: Annotated[Optional[str], typer.Option("--date", help="The meeting date, for the dates left blank "
                                                                   "(YYYY-MM-DD; default: today).")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the rows and say what would be added; "
                                                                "write nothing.")] = False,
        data_dir: DataDirOption = None,
    ) -> None:
        """Check a capture file's decisions, actions, focus choices and answers against the data contract,
        then append them to the practice's files (a backup of each file first). One bad row and nothing
        is written: every problem is listed with its sheet, row and column."""
        from dyad_lib.data.paths import PracticeIdError, practice_dir
        from dyad_lib.data.record import CaptureError, RecordWriteError, record

        when = None
        if date is not None:
            try:
                when = dt.date.fromisoformat(date)
            except ValueError:
                usage_error(f"--date must be a date like 2026-10-14, not '{date}'")
        try:
            folder = practice_dir(practice_id, data_dir)
        except PracticeIdError as exc:
            usage_error(str(exc))
        if not folder.is_dir():
            usage_error(f"there is no practice named '{practice_id}' in the data folder")
        if not dry_run:
            writable(folder, "practice folder")  # checked before anything is read or written
        try:
            rep = record(practice_id, capture, data_dir, meeting_date=when, dry_run=dry_run)
        except CaptureError as exc:
            usage_error(str(exc))
            return
        except RecordWriteError as exc:
            fail(str(exc))
            return
        for w in rep.warnings:
            err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
        if not rep.ok:
            for p in rep.problems:
                err_console.print(f"[bold red]rejected:[/] {p}", highlight=False)
            fail(f"nothing was recorded: {len(rep.problems)} problem{'s' if len(rep.problems) != 1 else ''} in "
                 f"{rep.capture}. Correct the file and run dyad record again.")
        verb = "Would add" if dry_run else "Added"
        for a in rep.added:
            ids = f" ({', '.join(a.ids)})" if a.ids else ""
            new = " — a new file" if a.created else ""
            console.print(f"{verb} {a.rows} row{'s' if a.rows != 1 else ''} to {a.file}{ids}{new}", highlight=False)
        if rep.backup:
            console.print(f"The files as they were are kept in {folder.name}/{rep.backup}/.", highlight=False)
        if dry_run:
            console.print("Dry run: nothing was written.", highlight=False)
