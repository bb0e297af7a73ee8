"""`dyad validate PRACTICE`: every problem of a practice's files in one pass.

The result is also stored in the snapshot cache ($DYAD_CACHE_DIR, default .dyad-cache/), so the
data-quality report and the other reports reuse it instead of validating again.

Exit codes: 0 nothing blocks (warnings may remain), 1 something blocks, 2 usage error.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from dyad_lib.cli.common import DataDirOption, JsonOption, console, usage_error


def render_summary(summary: dict[str, Any]) -> None:
    """The compact table, then each failure in plain words (blocking first)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{escape(summary.get('practice_name') or summary['practice_id'])}: validation",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col, just in (("table", "left"), ("rows", "right"), ("dates", "left"),
                      ("checks", "right"), ("failed", "right"), ("blocks?", "left")):
        table.add_column(col, justify=just, no_wrap=True)
    for name, t in summary["tables"].items():
        dates = " – ".join(t["date_range"]) if t.get("date_range") else ""
        rows = "" if t.get("rows") is None else f"{t['rows']:,}"
        table.add_row(name, rows, dates, str(t["checks"]), str(t["failed"]),
                      "[bold red]yes[/]" if t["blocking"] else "no")
    console.print(table)
    if summary.get("missing_tables"):
        console.print("Not provided: " + ", ".join(m["table"] for m in summary["missing_tables"]), style="dim")
    for f in summary["failures"]:
        tag = "[bold red]BLOCKING[/]" if f["severity"] == "blocking" else "[yellow]warning[/]"
        console.print(f"{tag} {f['table']} ({escape(f['file'])}) {escape(f['message'])}", highlight=False,
                      soft_wrap=True)
        console.print(f"    fix: {escape(f['fix'])}", style="dim", highlight=False, soft_wrap=True)
    n_block, n_warn = summary.get("blocking_count", 0), summary.get("warning_count", 0)
    warn = f"{n_warn} warning{'s' if n_warn != 1 else ''}"
    if n_block:
        console.print(f"[bold red]{n_block} problem{'s' if n_block != 1 else ''} block the reports[/]"
                      f"{'; ' + warn if n_warn else ''}.", soft_wrap=True)
    else:
        console.print(f"[bold green]Nothing blocks the reports[/]{' (' + warn + ')' if n_warn else ''}.",
                      soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        practice_id: Annotated[str, typer.Argument(help="The practice folder's name, e.g. harbor-dental.")],
        json_out: JsonOption = False,
        data_dir: DataDirOption = None,
    ) -> None:
        """Check a practice's files against the data contract and list every problem at once."""
        from dyad_lib.data.paths import PracticeIdError
        from dyad_lib.data.snapshot import CacheLocationError, prepare_practice
        from dyad_lib.data.paths import UnknownPracticeError

        try:
            # Always validate afresh, and keep the result (and the snapshot when nothing blocks) in
            # the cache, so the reports made next do not validate the same files again.
            prepared = prepare_practice(practice_id, data_dir, force=True)
        except (PracticeIdError, UnknownPracticeError, CacheLocationError) as exc:
            usage_error(str(exc))
            return
        summary = prepared.summary
        if summary.get("not_kept") and not json_out:  # validation needs no cache; the reports do
            console.print(f"note: {summary['not_kept']}; reports will validate again.", style="yellow",
                          highlight=False, soft_wrap=True)
        if json_out:
            typer.echo(json.dumps(summary, indent=2, default=str))
        else:
            render_summary(summary)
        raise typer.Exit(0 if prepared.ok else 1)
