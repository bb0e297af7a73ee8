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
CacheDirOption = Annotated[Optional[Path], typer.Option(
    "--cache-dir", envvar="DYAD_CACHE_DIR", help="Where validated snapshots are kept (default: .dyad-cache/).")]

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    """Print a plain-language error (no traceback) and exit with `code`."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def usage_error(message: str) -> None:
    """A bad argument: exit code 2, like typer's own usage errors."""
    fail(message, code=2)


def writable(folder: Path, what: str) -> Path:
    """`folder` if dyad can write there, else a usage error (exit 2) that names it: checked before
    any work starts, so a read-only folder costs one sentence and leaves nothing half done."""
    from dyad_lib.data.paths import FolderError, check_writable

    try:
        return check_writable(folder, what)
    except FolderError as exc:
        usage_error(str(exc))
        raise  # pragma: no cover - usage_error exits
