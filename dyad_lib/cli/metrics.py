"""`dyad metrics PRACTICE --period P [--view ytd|t12] [--json]`: every metric of the registry.

The table shows each value next to the previous period, the benchmark or target band (its tier and
basis) and a verdict; `--json` prints the same, keyed by metric id (ratios as fractions, money as
plain numbers, null with the reason when a metric cannot be computed; the schema is in the
README). `--period` takes every label a report prints (`2026-09`, `2026Q3`, `FY2026`,
`T12 to 2026-09`, `FY2026 YTD to 2026-09`, `2026-06..2026-08`). Figures come only from validated
files. Exit codes: 0 ok, 1 the practice's data cannot be read or has blocking problems (nothing
is printed), 2 usage error (bad period, view or practice id).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Optional

import typer

from dyad_lib.cli.common import CacheDirOption, DataDirOption, JsonOption, console, fail, usage_error

VERDICT_STYLE = {"good": "green", "steady": "cyan", "watch": "yellow", "concern": "bold red"}


def load(practice_id: str, data_dir: Any = None, cache_dir: Any = None):
    """The validated snapshot (validating now if the files were not validated yet). Never the raw
    files: a practice whose files have blocking problems raises BlockedPracticeError."""
    from dyad_lib.data.snapshot import load_snapshot

    return load_snapshot(practice_id, data_dir, cache_dir)


from dyad_lib.metrics.payload import json_number, metrics_payload  # noqa: E402,F401


def render_table(practice, period, table) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dyad_lib import fmt
    from dyad_lib.metrics.registry import get

    t = Table(title=f"{escape(practice.config.name)} — {escape(period.description)}", title_justify="left")
    for col, just in (("metric", "left"), ("value", "right"), ("vs previous", "right"),
                      ("benchmark / target", "left"), ("", "left")):
        t.add_column(col, justify=just)
    section = None
    for r in table.itertuples(index=False):
        sec = get(r.id).section if not r.id.startswith("quality_") else "quality"
        if sec != section:
            section = sec
            t.add_row(f"[bold]{sec.capitalize()}[/]", "", "", "", "")
        value = None if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)) else r.value
        change = None if r.change is None or (isinstance(r.change, float) and math.isnan(r.change)) else r.change
        band = r.band_label if isinstance(r.band_label, str) else ""
        if value is None:
            note = f"[dim]{escape(str(r.reason))}[/]"
        else:
            style = VERDICT_STYLE.get(r.verdict, "")
            note = f"[{style}]{r.verdict}[/]" if style else str(r.verdict or "")
        t.add_row(escape(r.label), fmt.metric(value, r.unit),
                  fmt.difference(value, r.previous, r.unit) if change is not None else "",
                  escape(band), note)
    console.print(t)


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def register(app: typer.Typer) -> None:
    @app.command("metrics")
    def metrics(
        practice_id: Annotated[str, typer.Argument(help="The practice folder's name, e.g. harbor-dental.")],
        period: Annotated[str, typer.Option("--period", "-p",
                                            help="2026-09 (month), 2026Q3 (quarter), FY2026 (fiscal year), or a "
                                                 "label a report prints: 'T12 to 2026-09', 'FY2026 YTD to 2026-09', "
                                                 "2026-06..2026-08.")],
        view: Annotated[Optional[str], typer.Option("--view", help="ytd (fiscal year to date) or t12 "
                                                    "(trailing twelve months), ending at the period's last month.")] = None,
        json_out: JsonOption = False,
        data_dir: DataDirOption = None,
        cache_dir: CacheDirOption = None,
    ) -> None:
        """Every metric for a period: value, change, benchmark band and verdict (or why it is missing).

        Only from validated files: a practice not validated yet is validated first, and one with
        blocking problems gets no figure at all (exit 1)."""
        from dyad_lib.data.load import PracticeDataError
        from dyad_lib.data.snapshot import BlockedPracticeError, CacheLocationError
        from dyad_lib.data.paths import PracticeIdError, practice_dir
        from dyad_lib.metrics.periods import PeriodError, parse_period

        if view is not None and view.lower() not in ("ytd", "t12", "period"):
            usage_error(f"--view must be ytd or t12, not '{view}'")
        try:
            parse_period(period, 1, view, any_fiscal_year=True)
        except PeriodError as exc:
            usage_error(str(exc))
        try:
            folder = practice_dir(practice_id, data_dir)
        except PracticeIdError as exc:
            usage_error(str(exc))
            return
        if not (folder / "practice.yaml").is_file() and not folder.is_dir():
            usage_error(f"no practice named '{practice_id}' in {folder.parent} "
                        "(create one with `dyad new`)")
        try:
            practice = load(practice_id, data_dir, cache_dir)
        except BlockedPracticeError as exc:
            fail(f"no figures: {exc}.")
            return
        except PracticeDataError as exc:
            fail(f"the data of {practice_id} cannot be read; run `dyad validate {practice_id}`.\n{exc}")
            return
        except CacheLocationError as exc:
            usage_error(str(exc))
            return
        p = parse_period(period, practice.config.fiscal_year_start_month, view)
        if json_out:
            typer.echo(json.dumps(metrics_payload(practice, p), indent=2, ensure_ascii=False))
            return
        from dyad_lib.metrics.compare import compare

        render_table(practice, p, compare(practice, p))
