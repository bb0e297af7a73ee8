"""`dyad goals PRACTICE --fiscal-year FY2027`: derive next year's goals and, on --commit, write them.

Prints the ledger (every step with its source), the budget flags, the realism checks, the levers,
the monthly phasing and the KPI targets. Without --inputs every input is a default from the
practice's history and the output lists them. An inputs file holds one set of inputs or named
scenarios (`dyad_lib.goals.scenarios`): all are compared side by side and --scenario picks the
one shown in full (and committed). --commit writes the year into data/<practice>/goals.yaml with
who agreed (--agreed-by, required) and when (an existing year needs --overwrite; the old file is
kept as a dated backup).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dyad_lib.cli.common import CacheDirOption, DataDirOption, JsonOption, console, fail, usage_error, writable
from dyad_lib.goals.inputs import INPUT_KEYS

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

    for f in plan.inputs.budget_flags:
        console.print(f"[yellow]Budget flag[/] {escape(f.label)}: {escape('; '.join(f.reasons))}. "
                      f"Carry it: {money_text(f.carry)}; bring it back ({escape(f.trim_rule)}): {money_text(f.trim)}, "
                      f"the goal {money_text(f.effect)} lower. Choice: {f.choice} "
                      f"(budget_choices: {{{f.category}: trim}} to bring it back).", highlight=False)

    t = Table(title="Realism checks", title_justify="left")
    t.add_column("check"); t.add_column("status"); t.add_column("reason")
    style = {"pass": "green", "warn": "yellow", "fail": "bold red", "n/a": "dim"}
    for c in plan.checks:
        t.add_row(c.label, f"[{style[c.status]}]{c.status}[/]", escape(c.reason))
    console.print(t)

    t = Table(title="Levers (collections a year)", title_justify="left")
    for c, j in (("lever", "left"), ("status", "left"), ("size", "right"), ("counted", "right"), ("formula", "left")):
        t.add_column(c, justify=j)
    for r in plan.levers.itertuples():
        size = None if r.amount is None or r.amount != r.amount else float(r.amount)
        counted = None if r.counted is None or r.counted != r.counted else float(r.counted)
        t.add_row(escape(r.setting), r.status, money_text(size), money_text(counted) if counted is not None else "",
                  escape(r.formula))
    console.print(t)
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


def _render_scenarios(plans: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dyad_lib import fmt
    from dyad_lib.goals.scenarios import scenario_frame

    frame = scenario_frame(plans)
    t = Table(title="Scenarios side by side", title_justify="left")
    t.add_column("")
    for name in plans:
        t.add_column(escape(name), justify="right")
    for r in frame.to_dict("records"):
        t.add_row(escape(r["label"]), *(escape(str(r[n]) if r["unit"] == "text" else
                                               fmt.money(r[n], compact=False) if r["unit"] == "money" else
                                               fmt.number(r[n], r["unit"])) for n in plans))
    console.print(t)


def register(app: typer.Typer) -> None:
    @app.command("goals")
    def goals(
        practice_id: Annotated[str, typer.Argument(help="The practice folder's name, e.g. harbor-dental.")],
        fiscal_year: Annotated[str, typer.Option("--fiscal-year", "-y", help="The fiscal year to plan, e.g. FY2027.")],
        inputs: Annotated[Optional[Path], typer.Option("--inputs", help=(
            "YAML file of goal inputs, or of named scenarios under `scenarios:`; any input left out defaults "
            "from history. Inputs: " + ", ".join(INPUT_KEYS) + ". Also agreed_by, agreed_on, as_of."))] = None,
        scenario: Annotated[Optional[str], typer.Option("--scenario", help=(
            "With several scenarios: the one shown in full and committed (default: the first).")
        )] = None,
        json_out: JsonOption = False,
        commit: Annotated[bool, typer.Option("--commit", help="Write the year into goals.yaml.")] = False,
        agreed_by: Annotated[Optional[str], typer.Option("--agreed-by", help=(
            "With --commit: who agreed, separated by commas (\"Dr. Ana Rivera, Jordan Chen\").")
        )] = None,
        agreed_on: Annotated[Optional[str], typer.Option("--agreed-on", help=(
            "With --commit: the date of the agreement, YYYY-MM-DD (default today).")
        )] = None,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="With --commit: replace a year already in goals.yaml (a dated backup is kept).")] = False,
        data_dir: DataDirOption = None,
        cache_dir: CacheDirOption = None,
    ) -> None:
        """Derive a fiscal year's collection and production goals step by step; --commit writes goals.yaml."""
        import datetime as dt

        from rich.markup import escape

        from dyad_lib.goals import store as goals_io
        from dyad_lib.goals.inputs import fy_label
        from dyad_lib.goals.plan import plan_to_entry
        from dyad_lib.goals.ledger import reconcile
        from dyad_lib.goals.history import load_practice_for_goals
        from dyad_lib.goals.scenarios import (InputsError, agreed_by_list, agreed_on_text, parse_inputs, plans,
                                              read_inputs_file)
        from dyad_lib.data.load import PracticeDataError
        from dyad_lib.data.snapshot import BlockedPracticeError, CacheLocationError
        from dyad_lib.data.paths import PracticeIdError, practice_dir
        from dyad_lib.metrics.periods import PeriodError

        try:
            fy = fy_label(fiscal_year)
            folder = practice_dir(practice_id, data_dir)
        except (PeriodError, ValueError, PracticeIdError) as exc:
            usage_error(escape(str(exc)))
            return
        if not folder.is_dir():
            usage_error(f"no practice folder named '{escape(practice_id)}' in the data folder")
        if commit:
            writable(folder, "practice folder (goals.yaml is written there)")
        try:
            scen = read_inputs_file(inputs) if inputs is not None else parse_inputs({}, "inputs")
            chosen = scen.pick(scenario)
            names = agreed_by_list(agreed_by, "--agreed-by") if agreed_by is not None else scen.meta.get("agreed_by")
            when = agreed_on_text(agreed_on, "--agreed-on") if agreed_on is not None else scen.meta.get("agreed_on")
        except InputsError as exc:
            usage_error(escape(str(exc)))
            return
        if commit and len(scen.sets) > 1 and scenario is None:
            usage_error(f"{escape(scen.where)} holds {len(scen.sets)} scenarios ({escape(', '.join(scen.names))}): "
                        "say which one the partners agreed with --scenario")
        if commit and not names:
            usage_error("--commit records who agreed: add --agreed-by \"Dr. Ana Rivera, Jordan Chen\" "
                        "(or agreed_by in the inputs file)")
        try:
            practice = load_practice_for_goals(practice_id, data_dir, cache_dir)
        except BlockedPracticeError as exc:
            fail(f"no goals: {escape(str(exc))}.")
            return
        except PracticeDataError as exc:
            fail(f"the practice's files cannot be read (run `dyad validate {escape(practice_id)}`):\n{escape(str(exc))}")
            return
        except CacheLocationError as exc:
            usage_error(escape(str(exc)))
            return
        try:
            derived = plans(practice, fy, scen)
        except InputsError as exc:
            usage_error(escape(str(exc)))
            return
        except ValueError as exc:
            fail(escape(str(exc)))
            return
        plan = derived[chosen]
        problems = reconcile(plan.ledger, plan.inputs)
        if problems:  # pragma: no cover - the ledger is built to reconcile
            fail("the ledger does not reconcile: " + "; ".join(problems))
        names = list(names or [n for n in (practice.config.clinical_lead, practice.config.business_lead) if n])
        when = str(when or dt.date.today().isoformat())
        entry = plan_to_entry(plan, names, when)
        written = None
        if commit:
            try:
                written = goals_io.write_goals(practice_id, entry, data_dir, overwrite=overwrite)
            except goals_io.GoalsExistError as exc:
                fail(escape(str(exc)))
            except goals_io.GoalsFileError as exc:
                fail(f"the existing goals.yaml cannot be read, fix it first: {escape(str(exc))}")
            except OSError as exc:
                fail(f"goals.yaml could not be written ({exc.strerror or type(exc).__name__}); nothing was changed")
        if json_out:
            from dyad_lib.goals.scenarios import scenario_summary

            out = dict(entry)
            out["defaults_used"] = plan.inputs.defaults_used
            out["history_notes"] = plan.history.notes
            out["levers"] = plan.levers.to_dict("records")
            out["combination"] = plan.combination.to_dict("records")
            out["combination_text"] = plan.combination_text
            out["gap"] = plan.gap
            out["gap_left"] = plan.gap_left
            out["committed"] = bool(written)
            out["scenarios"] = {n: scenario_summary(p) for n, p in derived.items()}
            typer.echo(json.dumps(_clean(out), indent=2, default=str, allow_nan=False))
        else:
            if len(derived) > 1:
                _render_scenarios(derived)
                console.print(f"In full below: [bold]{escape(chosen)}[/]", highlight=False)
            _render(plan, entry)
            if written:
                console.print(f"[green]Wrote {fy} into {escape(practice_id)}/goals.yaml[/] (agreed by "
                              f"{escape(', '.join(names))} on {when}).", highlight=False)
            else:
                console.print("Not written: run again with --commit --agreed-by \"…\" once both partners agree.",
                              style="dim")
