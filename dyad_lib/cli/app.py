"""The `dyad` command: one sub-command per module of `dyad_lib.cli` (this one and `common` aside).

Each module exposes `register(app)`; discovery keeps the commands independent of each other, and
each command imports its heavy dependencies (Great Expectations, papermill) only when it runs.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    help="dyad: shared, explained numbers for a practice's clinical lead and business lead.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """dyad: shared, explained numbers for a practice's clinical lead and business lead."""


def _register() -> None:
    import dyad_lib.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in ("app", "common"):
            continue
        module = importlib.import_module(f"dyad_lib.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
