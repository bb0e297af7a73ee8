"""The `dyad` command: one sub-command per module of `dyad_lib.cli` (this one and `common` aside).

Each module exposes `register(app)`; discovery keeps the commands independent of each other, and
each command imports its heavy dependencies (Great Expectations, papermill) only when it runs.

The commands are registered when `app` is first used: `dyad run REPORT` starts the report's kernel
before that (registering imports pandas and the rest, ~0.5 s), so the kernel boots and imports the
notebook's modules on the other core meanwhile instead of after.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from typing import Any

import typer

_APP: typer.Typer | None = None
HELP = "dyad: shared, explained numbers for a practice's clinical lead and business lead."


def get_app() -> typer.Typer:
    """The command with every sub-command registered (once per process)."""
    global _APP
    if _APP is None:
        app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

        @app.callback()
        def _root() -> None:
            """dyad: shared, explained numbers for a practice's clinical lead and business lead."""

        import dyad_lib.cli as pkg

        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if info.name.startswith("_") or info.name in ("app", "common"):
                continue
            module = importlib.import_module(f"dyad_lib.cli.{info.name}")
            register = getattr(module, "register", None)
            if register is not None:
                register(app)
        _APP = app
    return _APP


def __getattr__(name: str) -> Any:
    """`from dyad_lib.cli.app import app`: the registered command."""
    if name == "app":
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def start_report_kernel(argv: list[str]) -> None:
    """For `dyad run REPORT …`: start REPORT's kernel now. Anything unusual (help, an option before
    the report, an unknown report) starts nothing here; `dyad run` checks it and reports it."""
    if len(argv) < 2 or argv[0] != "run" or argv[1].startswith("-") or "--help" in argv:
        return
    notebooks = os.environ.get("DYAD_NOTEBOOKS_DIR") or None
    for i, arg in enumerate(argv):
        if arg == "--notebooks-dir" and i + 1 < len(argv):
            notebooks = argv[i + 1]
        elif arg.startswith("--notebooks-dir="):
            notebooks = arg.split("=", 1)[1]
    try:
        from dyad_lib.pipeline.runner import start_kernel

        start_kernel(argv[1], notebooks)
    except Exception:  # the command itself reports whatever is wrong
        pass


def main() -> None:
    """Console entry point."""
    start_report_kernel(sys.argv[1:])
    get_app()()


if __name__ == "__main__":
    main()
