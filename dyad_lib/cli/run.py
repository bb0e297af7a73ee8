"""`dyad run REPORT --practice P --period X [-p name=value ...] [--pdf]`: one report, one practice.

Validates the practice first (or reuses its snapshot), executes the notebook, writes
`reports/<practice>/<period>/<report>.html`, updates the manifest and rebuilds reports/index.html.
Exit codes: 0 produced, 1 failed or skipped, 2 usage error (an unknown report or practice, a period
the report does not take, a `-p` that dyad sets itself, a folder that cannot be written): a usage
error is found before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dyad_lib.cli.common import CacheDirOption, DataDirOption, ReportsDirOption, console, usage_error, writable

ParamOption = Annotated[Optional[list[str]], typer.Option(
    "-p", "--param", help="A notebook parameter as name=value (repeatable); values are read as YAML: "
                          "true, 12, 0.05, text, or a small mapping such as {\"2027-08\": 12}.")]
NotebooksDirOption = Annotated[Optional[Path], typer.Option(
    "--notebooks-dir", envvar="DYAD_NOTEBOOKS_DIR", hidden=True,
    help="Folder of the report notebooks (default: notebooks/ in the project).")]
PdfOption = Annotated[bool, typer.Option("--pdf", help="Also print each report to PDF with headless Chromium.")]
InputsOption = Annotated[Optional[Path], typer.Option(
    "--inputs", help="A YAML file of inputs for a report whose notebook takes them (an `inputs` parameter), "
                     "checked before the run: e.g. annual_goals takes goal inputs or named scenarios.")]

STATUS_STYLE = {"ok": "green", "warnings": "yellow", "failed": "bold red", "skipped": "dim", "blocked": "bold red",
                "not applicable": "dim"}


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """['a=1', 'b=true', 'c=x y'] -> {'a': 1, 'b': True, 'c': 'x y'}; raises ValueError on a bad item."""
    import re

    from dyad_lib.data.yamltext import YamlError, load_yaml

    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"'{item}' is not name=value (the name must be a Python identifier)")
        try:
            parsed = load_yaml(value) if value.strip() else ""
        except YamlError:
            parsed = value
        if name in out:
            raise ValueError(f"-p {name} is given twice")
        if isinstance(parsed, float) and parsed != parsed or parsed in (float("inf"), float("-inf")):
            raise ValueError(f"-p {name}: '{value}' is not a finite number")
        out[name] = parsed if _plain_value(parsed) else value
    return out


def _plain_value(x: Any, depth: int = 0) -> bool:
    """A scalar, or a small mapping / list of them (`-p 'working_days={"2027-08": 12}'`)."""
    if x is None or isinstance(x, (str, int, float, bool)):
        return True
    if depth >= 2:
        return False
    if isinstance(x, dict):
        return all(isinstance(k, (str, int)) and _plain_value(v, depth + 1) for k, v in x.items())
    if isinstance(x, list):
        return all(_plain_value(v, depth + 1) for v in x)
    return False


def status_line(r: Any) -> str:
    from rich.markup import escape

    style = STATUS_STYLE.get(r.status, "")
    why = f" — {escape(r.error)}" if r.error else ""
    if r.section and r.status == "failed":
        why += f" (section “{escape(r.section)}”)"
    if r.warnings and r.status == "warnings":
        why = " — " + escape("; ".join(r.warnings))
    return (f"[{style}]{r.status:<8}[/] {escape(r.practice_id)} · {escape(r.period)} · {escape(r.report)} "
            f"[dim]{r.duration:.1f}s[/]{why}")


PERIOD_WORDS = {"month": "a month, 2026-09", "quarter": "a quarter, 2026Q3", "fiscal_year": "a fiscal year, FY2027",
                "latest": "latest", "any": "a month, quarter or fiscal year"}


def reports_help() -> str:
    """The reports the notebooks declare, each with the period it takes (for `dyad run --help`)."""
    from dyad_lib.reports.catalog import CatalogError, catalog

    try:
        specs = catalog()
    except CatalogError as exc:
        return f"Report name (the notebooks could not be listed: {exc})."
    listed = "; ".join(f"{s.name} ({' or '.join(PERIOD_WORDS[k] for k in s.period_kinds or (s.period_kind,))})"
                       for s in specs.values())
    return f"Report name, one of: {listed}."


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        report: Annotated[str, typer.Argument(help=reports_help())],
        practice: Annotated[Optional[str], typer.Option("--practice", help="Practice id (not needed for portfolio).")] = None,
        period: Annotated[str, typer.Option("--period", help="2026-09, 2026Q3, FY2027 (data_quality: latest).")] = "latest",
        param: ParamOption = None,
        inputs: InputsOption = None,
        pdf: PdfOption = False,
        data_dir: DataDirOption = None,
        reports_dir: ReportsDirOption = None,
        cache_dir: CacheDirOption = None,
        notebooks_dir: NotebooksDirOption = None,
    ) -> None:
        """Produce one report for one practice and period (HTML, the executed notebook, optionally PDF)."""
        from dyad_lib.pipeline.batch import update_manifest
        from dyad_lib.pipeline.index import build_index
        from dyad_lib.data.paths import PracticeIdError
        from dyad_lib.data.paths import reports_dir as resolve_reports
        from dyad_lib.pipeline.runner import ReportError, report_inputs, run_report

        from rich.markup import escape

        from dyad_lib.data.paths import cache_dir as resolve_cache
        from dyad_lib.data.paths import data_dir as resolve_data
        from dyad_lib.data.paths import practice_dir
        from dyad_lib.pipeline.runner import PORTFOLIO, check_params, check_period, check_report

        try:  # every argument is checked before anything is written
            params = parse_params(param)
            check_report(report, notebooks_dir)
            check_params(params)
            check_period(report, period, params.get("view"))
            if report != PORTFOLIO:
                if practice is None:
                    raise ReportError(f"the {report} report needs --practice")
                if not practice_dir(practice, data_dir).is_dir():
                    raise ReportError(f"there is no practice named '{practice}' in the data folder "
                                      f"{resolve_data(data_dir)} (create one with `dyad new`)")
            if inputs is not None:
                if "inputs" in params:
                    raise ValueError("give the inputs with --inputs or -p inputs=…, not both")
                params["inputs"] = report_inputs(report, inputs, notebooks_dir)
        except (ValueError, ReportError, PracticeIdError) as exc:
            usage_error(escape(str(exc)))
            return
        writable(resolve_reports(reports_dir), "reports folder")
        writable(resolve_cache(cache_dir), "cache folder")
        try:
            with console.status(f"Running {report}…", spinner="dots"):
                result = run_report(report, practice, period, params, data_dir, reports_dir, cache_dir, pdf=pdf,
                                    notebooks_dir=notebooks_dir)
        except (ReportError, PracticeIdError) as exc:
            usage_error(str(exc))
            return
        except KeyboardInterrupt:
            from dyad_lib.pipeline.kernel import kill_kernels, remove_temp_files

            kill_kernels()
            remove_temp_files()
            console.print("Interrupted: the report was left as it was.", highlight=False)
            raise typer.Exit(130) from None
        import datetime as dt

        result.finished = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        root = resolve_reports(reports_dir)
        update_manifest(root, [result])
        index = build_index(root)
        console.print(status_line(result), highlight=False)
        shown = result.html if result.status in ("ok", "warnings") else (result.error_html or None)
        if shown:
            console.print(f"  {root / shown}", highlight=False, soft_wrap=True)
        if result.pdf:
            console.print(f"  {root / result.pdf}", highlight=False, soft_wrap=True)
        console.print(f"  index: {index}", style="dim", highlight=False, soft_wrap=True)
        raise typer.Exit(0 if result.ok else 1)
