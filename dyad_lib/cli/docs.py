"""`dyad docs [--check]`: regenerate docs/data-contract.md and docs/metrics.md from the code.

The data contract and the metric definitions are documented by the code that enforces them
(`dyad_lib.reports.reference`); `--check` only reports stale files (exit 1), for CI.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dyad_lib.cli.common import console, fail


def register(app: typer.Typer) -> None:
    @app.command("docs")
    def docs(check: Annotated[bool, typer.Option("--check", help="Only report documents that are out of date.")] = False
             ) -> None:
        """Regenerate the data-contract and metrics documents in docs/ from the code."""
        from dyad_lib.data.paths import PROJECT_ROOT
        from dyad_lib.reports.reference import stale, write

        if check:
            bad = stale()
            if bad:
                fail(f"out of date: {', '.join(bad)} (run `dyad docs`)")
            console.print("docs are current")
            return
        changed = write()
        for p in changed:
            console.print(f"wrote {p.relative_to(PROJECT_ROOT)}", highlight=False)
        if not changed:
            console.print("docs were already current")
