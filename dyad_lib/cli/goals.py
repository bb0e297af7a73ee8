"""`dyad goals PRACTICE --fiscal-year FY2027`: derive next year's goals and, on --commit, write them.

Prints the ledger (every step with its source), the realism checks, the levers and the monthly
phasing. Without --inputs every input is a default from the practice's history and the output
lists them. --commit writes the year into data/<practice>/goals.yaml (an existing year needs
--overwrite; the old file is kept as a dated backup).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dyad_lib.cli.common import CacheDirOption, DataDirOption, JsonOption, console, fail, usage_error, writable

#: Keys an --inputs file may hold (see goals.default_inputs) and the commit metadata.
INPUT_KEYS = ("overhead_change_pct", "overhead_changes", "overhead_budget", "owner_compensation", "debt_service",
              "profit_target", "collection_ratio", "adjustment_rate", "added_chair_hours", "fee_change_pct",
              "working_days")
META_KEYS = ("agreed_by", "agreed_on", "as_of")
#: No goal input is larger (a billion dollars a year); beyond it is a typing error, not a plan.
MAX_INPUT = 1_000_000_000


def read_inputs(path: Path) -> dict[str, Any]:
    """The goal inputs file (YAML mapping); unknown keys are a usage error naming them."""
    from dyad_lib.data.yamltext import YamlError, read_yaml

    try:
        raw = read_yaml(path) or {}
    except OSError as exc:
        raise ValueError(f"cannot read {path.name}: {exc.strerror}") from None
    except YamlError as exc:
        raise ValueError(f"{path.name} {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name} must be a mapping of goal inputs")
    unknown = sorted(set(raw) - set(INPUT_KEYS) - set(META_KEYS))
    if unknown:
        raise ValueError(f"{path.name}: unknown input(s) {', '.join(unknown)}; use "
                         f"{', '.join(INPUT_KEYS + META_KEYS)}")

    def number(v: Any) -> bool:  # .nan and .inf are YAML floats, but no amount or rate
        return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                             and abs(v) <= MAX_INPUT)

    for key, v in raw.items():
        if key in ("overhead_changes", "overhead_budget", "working_days"):
            if not isinstance(v, dict) or not all(number(x) for x in v.values()):
                raise ValueError(f"{path.name}: {key} must map names to finite numbers")
        elif key == "agreed_by":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ValueError(f"{path.name}: agreed_by must be a list of names")
        elif key in ("agreed_on", "as_of"):
            continue
        elif not number(v):
            raise ValueError(f"{path.name}: {key}: {v!r} is not a number (a finite amount or rate, at most "
                             f"{MAX_INPUT:,.0f})")
    return raw


def _clean(x: Any) -> Any:
    """NaN → None, recursively, so --json is valid JSON."""
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def _render(plan, entry: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dyad_lib.fmt import money_text, pct_text
    from dyad_lib.goals.plan import words

    h = plan.history
    console.print(f"[bold]{plan.fiscal_year} goals[/] — history through {h.as_of} ({escape(h.t12_label)})",
                  highlight=False)
    if plan.inputs.defaults_used:
        console.print("Defaults from history (no input entered):", style="yellow")
        for d in plan.inputs.defaults_used:
            console.print(f"  • {escape(d)}", highlight=False)
    for n in h.notes:
        console.print(f"  note: {escape(n)}", style="dim", highlight=False)

    t = Table(title="Goal ledger", title_justify="left")
    for c, j in (("step", "left"), ("formula", "left"), ("amount", "right"), ("source", "left")):
        t.add_column(c, justify=j)
    for r in plan.ledger.rows.itertuples():
        amount = pct_text(r.amount, 2) if r.step == "variable_share" else money_text(r.amount)
        bold = r.step in ("collection_goal", "net_production_goal", "gross_production_goal")
        t.add_row(escape(r.label), escape(r.formula), f"[bold]{amount}[/]" if bold else amount, escape(r.source))
    console.print(t)

    t = Table(title="Realism checks", title_justify="left")
    t.add_column("check"); t.add_column("status"); t.add_column("reason")
    style = {"pass": "green", "warn": "yellow", "fail": "bold red", "n/a": "dim"}
    for c in plan.checks:
        t.add_row(c.label, f"[{style[c.status]}]{c.status}[/]", escape(c.reason))
    console.print(t)

    t = Table(title="Levers (collections added a year)", title_justify="left")
    t.add_column("lever"); t.add_column("amount", justify="right"); t.add_column("formula")
    for r in plan.levers.itertuples():
        t.add_row(escape(r.setting), money_text(None if r.amount is None else float(r.amount)), escape(r.formula))
    console.print(t)
    if not plan.combination.empty:
        parts = ", ".join(f"{r.setting} ({r.share_of_lever:.0%} of it: {money_text(r.amount)})"
                          for r in plan.combination.itertuples())
        console.print(f"Combination: {escape(parts)}", highlight=False)
    console.print(escape(plan.combination_text), highlight=False)

    t = Table(title="Monthly phasing (working days × seasonality, never ÷ 12)", title_justify="left")
    for c in ("month", "working days", "seasonal index", "collections", "net production", "gross production"):
        t.add_column(words(c, h.kind), justify="left" if c == "month" else "right")
    for r in plan.phasing.itertuples():
        t.add_row(f"{r.month:%Y-%m}", f"{r.working_days:g}", f"{r.seasonal_index:.3f}", f"{r.collections:,.2f}",
                  f"{r.net_production:,.2f}", f"{r.gross_production:,.2f}")
    t.add_row("total", f"{plan.phasing['working_days'].sum():g}", "", f"{plan.phasing['collections'].sum():,.2f}",
              f"{plan.phasing['net_production'].sum():,.2f}", f"{plan.phasing['gross_production'].sum():,.2f}",
              style="bold")
    console.print(t)
    for n in plan.phasing_notes:
        console.print(f"  {escape(n)}", style="dim", highlight=False)

    t = Table(title="KPI targets", title_justify="left")
    for c in ("metric", "current (T12)", "target", "how"):
        t.add_column(c)
    for r in plan.kpi_targets.itertuples():
        def f(x):
            if x is None or x != x:
                return "n/a"
            return pct_text(x) if r.metric not in ("new_patients", "ar_days") else f"{x:,.1f}"
        t.add_row(escape(r.label), f(r.current), f(r.target), escape(r.how))
    console.print(t)


def register(app: typer.Typer) -> None:
    @app.command("goals")
    def goals(
        practice_id: Annotated[str, typer.Argument(help="The practice folder's name, e.g. harbor-dental.")],
        fiscal_year: Annotated[str, typer.Option("--fiscal-year", "-y", help="The fiscal year to plan, e.g. FY2027.")],
        inputs: Annotated[Optional[Path], typer.Option("--inputs", help=(
            "YAML file of goal inputs; any left out default from history: " + ", ".join(INPUT_KEYS)
            + "; and agreed_by, agreed_on, as_of."))] = None,
        json_out: JsonOption = False,
        commit: Annotated[bool, typer.Option("--commit", help="Write the year into goals.yaml.")] = False,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="With --commit: replace a year already in goals.yaml (a dated backup is kept).")] = False,
        data_dir: DataDirOption = None,
        cache_dir: CacheDirOption = None,
    ) -> None:
        """Derive a fiscal year's collection and production goals step by step; --commit writes goals.yaml."""
        import datetime as dt

        from dyad_lib.goals import store as goals_io
        from dyad_lib.goals.inputs import fy_label
        from dyad_lib.goals.plan import plan_to_entry
        from dyad_lib.goals.ledger import reconcile
        from dyad_lib.goals.history import load_practice_for_goals, plan_for_practice
        from dyad_lib.data.load import PracticeDataError
        from dyad_lib.data.snapshot import BlockedPracticeError, CacheLocationError
        from dyad_lib.data.paths import PracticeIdError, practice_dir
        from dyad_lib.metrics.periods import PeriodError

        try:
            fy = fy_label(fiscal_year)
            folder = practice_dir(practice_id, data_dir)
        except (PeriodError, ValueError, PracticeIdError) as exc:
            usage_error(str(exc))
            return
        if not folder.is_dir():
            usage_error(f"no practice folder named '{practice_id}' in the data folder")
        if commit:
            writable(folder, "practice folder (goals.yaml is written there)")
        overrides: dict[str, Any] = {}
        if inputs is not None:
            try:
                overrides = read_inputs(inputs)
            except ValueError as exc:
                usage_error(str(exc))
        meta = {k: overrides.pop(k) for k in META_KEYS if k in overrides}
        try:
            practice = load_practice_for_goals(practice_id, data_dir, cache_dir)
        except BlockedPracticeError as exc:
            fail(f"no goals: {exc}.")
            return
        except PracticeDataError as exc:
            fail(f"the practice's files cannot be read (run `dyad validate {practice_id}`):\n{exc}")
            return
        except CacheLocationError as exc:
            usage_error(str(exc))
            return
        try:
            plan = plan_for_practice(practice, fy, overrides, meta.get("as_of"))
        except ValueError as exc:
            fail(str(exc))
            return
        problems = reconcile(plan.ledger, plan.inputs)
        if problems:  # pragma: no cover - the ledger is built to reconcile
            fail("the ledger does not reconcile: " + "; ".join(problems))
        names = meta.get("agreed_by") or [n for n in (practice.config.clinical_lead, practice.config.business_lead) if n]
        agreed_on = str(meta.get("agreed_on") or dt.date.today().isoformat())
        entry = plan_to_entry(plan, list(names), agreed_on)
        written = None
        if commit:
            try:
                written = goals_io.write_goals(practice_id, entry, data_dir, overwrite=overwrite)
            except goals_io.GoalsExistError as exc:
                fail(str(exc))
            except goals_io.GoalsFileError as exc:
                fail(f"the existing goals.yaml cannot be read, fix it first: {exc}")
            except OSError as exc:
                fail(f"goals.yaml could not be written ({exc.strerror or type(exc).__name__}); nothing was changed")
        if json_out:
            out = dict(entry)
            out["defaults_used"] = plan.inputs.defaults_used
            out["history_notes"] = plan.history.notes
            out["levers"] = plan.levers.to_dict("records")
            out["combination"] = plan.combination.to_dict("records")
            out["combination_text"] = plan.combination_text
            out["gap"] = plan.gap
            out["committed"] = bool(written)
            typer.echo(json.dumps(_clean(out), indent=2, default=str, allow_nan=False))
        else:
            _render(plan, entry)
            if written:
                console.print(f"[green]Wrote {fy} into {practice_id}/goals.yaml[/] (agreed by {', '.join(names)} on {agreed_on}).",
                              highlight=False)
            else:
                console.print("Not written: run again with --commit once both partners agree.", style="dim")
