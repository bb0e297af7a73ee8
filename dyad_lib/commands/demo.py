"""`dyad demo`: (re)write the two fictional demo practices into the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyad_lib.commands._common import DataDirOption, console


def write_demo_data(data_dir: Path | str | None = None) -> list[Path]:
    """Write both demo practices into `data_dir` (default: the data folder) and return the files.

    Kept separate from the command so the report pipeline can call it before running reports."""
    from dyad_lib.demo import write_demo
    from dyad_lib.paths import data_dir as resolve_data_dir

    return write_demo(resolve_data_dir(data_dir))


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        data_only: Annotated[bool, typer.Option("--data-only", help="Only (re)write the demo data.")] = False,
        data_dir: DataDirOption = None,
    ) -> None:
        """Write the demo practices harbor-dental and maple-family-medicine into the data folder."""
        written = write_demo_data(data_dir)
        folders = sorted({p.parent for p in written})
        for folder in folders:
            files = [p for p in written if p.parent == folder]
            size = sum(p.stat().st_size for p in files)
            console.print(f"Wrote {folder.name}/: {len(files)} files, {size / 1e6:.1f} MB", highlight=False)
        console.print(f"Demo data is in {folders[0].parent}.", highlight=False)
