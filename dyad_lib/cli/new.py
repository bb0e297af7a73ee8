"""`dyad new PRACTICE_ID`: scaffold a practice folder to fill in."""

from __future__ import annotations

from typing import Annotated

import typer

from dyad_lib.cli.common import DataDirOption, console, fail, usage_error
from dyad_lib.data.paths import PracticeIdError, practice_dir


def register(app: typer.Typer) -> None:
    @app.command("new")
    def new(
        practice_id: Annotated[str, typer.Argument(help="Slug for the practice, e.g. harbor-dental.")],
        kind: Annotated[str, typer.Option(help="dental or medical")] = "dental",
        name: Annotated[str, typer.Option(help="The practice's name as shown on reports.")] = "",
        data_dir: DataDirOption = None,
    ) -> None:
        """Create data/PRACTICE_ID/ with a practice.yaml to fill in and empty CSV templates."""
        from dyad_lib.data.scaffold import scaffold_practice

        if kind not in ("dental", "medical"):
            usage_error(f"--kind must be dental or medical, not '{kind}'")
        try:
            folder = practice_dir(practice_id, data_dir)
        except PracticeIdError as exc:
            usage_error(str(exc))
        if folder.exists():
            fail(f"the folder {folder.name}/ already exists; nothing was changed.")
        written = scaffold_practice(folder, practice_id, kind=kind, name=name)
        console.print(f"Created {folder.name}/ with {len(written)} files. Next: fill in practice.yaml and "
                      "financials.csv (the only required table), then run `dyad validate "
                      f"{practice_id}`.")
