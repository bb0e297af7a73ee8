"""Options and error handling shared by the sub-commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", envvar="DYAD_DATA_DIR", help="Folder holding one sub-folder per practice (default: data/)."),
]
ReportsDirOption = Annotated[
    Optional[Path],
    typer.Option("--reports-dir", envvar="DYAD_REPORTS_DIR", help="Folder the reports are written to (default: reports/)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    """Print a plain-language error (no traceback) and exit with `code`."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def usage_error(message: str) -> None:
    """A bad argument: exit code 2, like typer's own usage errors."""
    fail(message, code=2)
