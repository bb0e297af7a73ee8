"""The annual goal-setting worksheet's sections: the committed plan beside today's derivation,
budget flags, scenarios side by side, the live what-if and the sign-off block.

Numbers come from `dyad_lib.goals` (a GoalPlan, or a goals.yaml entry for a committed year);
this module only arranges and words them, through the templates of `templates/fragments/goals/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from dyad_lib import fmt
from dyad_lib.goals.phasing import exact_weights
from dyad_lib.goals.plan import words
from dyad_lib.reports import charts
from dyad_lib.reports.html import Fragment, Markup, render

#: The what-if's cost controls: one change (percent over last year) per group of categories.
CATEGORY_GROUPS = (
    ("staff", "Staff costs: wages, taxes, benefits", ("staff_wages", "payroll_taxes_benefits")),
    ("facility", "Facility", ("facility",)),
    ("clinical", "Clinical costs: supplies and lab", ("clinical_supplies", "lab")),
    ("other", "Other overhead: equipment, office, marketing, other", ("equipment", "office_admin", "marketing",
                                                                      "other_overhead")),
)
#: Shown in the what-if: (spec name, label, unit).
OUTPUTS = (("overhead", "Total overhead", "money"), ("collection_goal", "Collection goal", "money"),
           ("net_production_goal", "Net production goal", "money"),
           ("gross_production_goal", "Gross production goal", "money"),
           ("break_even", "Break-even collections", "money"),
           ("needed_utilization", "Chair utilization needed", "ratio"),
           ("required_per_hour", "Net production per chair hour needed", "per_hour"),
           ("take_home", "Owners' take-home (pay + profit)", "money"))


def script_json(obj: Any) -> Markup:
    """`obj` as JSON inert inside a `<script>` (`charts.script_json`: `<`, `>`, `&`, U+2028/9 escaped)."""
    return Markup(charts.script_json(obj))


def _num_text(x: float) -> str:
    return f"{x:.10g}"


def whatif_controls(plan: Any) -> list[dict[str, Any]]:
    """The what-if's controls, each with its current value (the plan's) and the spec inputs it sets."""
    inp, kind = plan.inputs, plan.history.kind
    out: list[dict[str, Any]] = []
    for gid, label, cats in CATEGORY_GROUPS:
        budgets = [inp.overhead[c] for c in cats if c in inp.overhead]
        changes = {b.change for b in budgets if b.base is not None and b.change is not None}
        mixed = len(changes) != 1 or any(b.change is None for b in budgets)
        if not mixed:
            value, note = next(iter(changes)) * 100, ""
        else:
            base = sum(b.base or 0.0 for b in budgets)
            value = (sum(b.amount for b in budgets) / base - 1) * 100 if base else 0.0
            note = "the plan's categories differ; a change here sets them all"
        out.append({"id": f"cost_{gid}", "kind": "group", "categories": list(cats), "label": label,
                    "unit": "% on last year", "value": _num_text(round(value, 2)), "step": "0.5", "min": -50,
                    "max": 100, "note": note})
    money = (("owner_compensation", "Owner pay", inp.owner_compensation.value),
             ("debt_service", "Debt service", inp.debt_service.value),
             ("profit_target", "Profit / reinvestment", inp.profit_target.value))
    for key, label, value in money:
        out.append({"id": key, "kind": "money", "input": key, "label": label, "unit": "$ a year",
                    "value": _num_text(float(value)), "step": "1000", "min": 0, "max": None, "note": ""})
    rates = (("collection_ratio", "Collection ratio", inp.collection_ratio.value, "0.1", 50, 120),
             ("adjustment_rate", words("Adjustment rate", kind), inp.adjustment_rate.value, "0.1", 0, 60),
             ("fee_change", "Fee change", inp.fee_change.value or 0.0, "0.5", -20, 25))
    for key, label, value, step, lo, hi in rates:
        out.append({"id": key, "kind": "pct", "input": key, "label": label, "unit": "%",
                    "value": _num_text(round(float(value) * 100, 4)), "step": step, "min": lo, "max": hi,
                    "note": ""})
    out.append({"id": "added_chair_hours", "kind": "number", "input": "added_chair_hours",
                "label": words("Added chair hours", kind), "unit": "hours a year",
                "value": _num_text(float(inp.added_chair_hours.value or 0.0)), "step": "50", "min": None, "max": None,
                "note": ""})
    return out


def whatif(plan: Any, chart: Mapping[str, Any]) -> Fragment:
    """The live what-if section for `plan` (its formulas, controls, months and the phasing chart
    `chart`, a Vega-Lite spec whose inline data is named 'whatif')."""
    kind = plan.history.kind
    controls = whatif_controls(plan)
    val = plan.ledger.values
    outputs = [{"name": n, "label": words(label, kind), "unit": unit,
                "plan": _show(val.get(n), unit)} for n, label, unit in OUTPUTS]
    months = [{"label": f"{m:%B %Y}", "plan": f"${x:,.2f}"} for m, x in zip(plan.phasing["month"],
                                                                           plan.phasing["collections"])]
    payload = {"spec": plan.ledger.spec.to_json(),
               "controls": [{k: c[k] for k in ("id", "kind", "value", "categories", "input") if k in c}
                            for c in controls],
               "outputs": [{"name": o["name"], "unit": o["unit"]} for o in outputs],
               "months": [f"{m:%b %Y}" for m in plan.phasing["month"]],
               "plan_months": [float(x) for x in plan.phasing["collections"]],
               "weights": [str(w) for w in exact_weights(list(plan.phasing["collection_weight"]))],
               "chart": dict(chart), "chart_data": "whatif"}
    return render("goals/whatif", controls=controls, outputs=outputs, months=months, payload=script_json(payload))


def _show(x: float | None, unit: str) -> str:
    if x is None:
        return fmt.DASH
    if unit == "money":
        return f"${x:,.2f}" if x >= 0 else f"−${-x:,.2f}"
    if unit == "per_hour":
        return f"${x:,.0f}/h"
    return fmt.percent(x)


# --- the other sections ------------------------------------------------------------------------------


def scenario_table(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """`goals.scenarios.scenario_frame` formatted for people (one column per scenario)."""
    rows = []
    for r in frame.to_dict("records"):
        cells = {}
        for n in names:
            v = r[n]
            cells[n] = (str(v) if r["unit"] == "text" else fmt.money(v, compact=False) if r["unit"] == "money"
                        else fmt.percent(v, 1, signed=r["key"] == "growth"))
        rows.append({"": r["label"], **cells})
    return pd.DataFrame(rows)


def budget_flags(flags: Sequence[Any], kind: str = "dental") -> Fragment:
    """Each flagged category with the choice and what each option does to the goal."""
    items = [{"label": f.label, "reasons": list(f.reasons), "carry": fmt.money(f.carry, compact=False),
              "trim": fmt.money(f.trim, compact=False), "rule": f.trim_rule,
              "effect": fmt.money(abs(f.effect), compact=False), "lower": f.effect >= 0, "choice": f.choice,
              "key": f.category} for f in flags]
    return render("goals/budget_flags", items=items)


def agreed(entry: Mapping[str, Any]) -> Fragment:
    """When and by whom a committed year was agreed, and what it was planned on."""
    return render("goals/committed", fy=entry.get("fiscal_year"), on=entry.get("agreed_on"),
                  by=list(entry.get("agreed_by") or []), through=entry.get("history_through"),
                  scenario=entry.get("scenario"))


def signoff(names: Sequence[str], fiscal_year: str, goal: float, entry: Mapping[str, Any] | None = None,
            scenarios: Sequence[str] = ()) -> Fragment:
    """The worksheet's last block: the agreed goal, each partner's name with a signature and a
    date line (already filled in for a committed year), and the scenario chosen."""
    return render("goals/signoff", names=list(names), fy=fiscal_year, goal=fmt.money(goal, compact=False),
                  on=(entry or {}).get("agreed_on"), by=list((entry or {}).get("agreed_by") or []),
                  scenarios=list(scenarios), committed=entry is not None)


def ledger_rows(rows: pd.DataFrame | Sequence[Mapping[str, Any]], flagged: Sequence[str] = ()) -> pd.DataFrame:
    """Ledger steps for the table: step, formula, amount (whole dollars; the variable share as a
    percentage), source; a flagged category's label carries a ⚑."""
    df = pd.DataFrame(list(rows)) if not isinstance(rows, pd.DataFrame) else rows.copy()
    marks = {f"overhead.{c}" for c in flagged}
    df["label"] = [f"{lab} ⚑" if st in marks else lab for st, lab in zip(df["step"], df["label"])]
    df["amount"] = [fmt.percent(a, 2) if s == "variable_share" else fmt.money(a, compact=False)
                    for s, a in zip(df["step"], df["amount"])]
    return df[["label", "formula", "amount", "source"]].rename(columns={"label": "step"})


def phasing_from_entry(entry: Mapping[str, Any]) -> pd.DataFrame:
    """A committed year's phasing as the plan's columns (month, working_days, collections,
    net_production, gross_production)."""
    months = list(entry.get("phasing") or {})
    wd = entry.get("working_days") or {}
    return pd.DataFrame({
        "month": pd.to_datetime([m + "-01" for m in months]),
        "working_days": [float(wd.get(m, float("nan"))) for m in months],
        "collections": [float(entry["phasing"][m]) for m in months],
        "net_production": [float((entry.get("phasing_net_production") or {}).get(m, float("nan"))) for m in months],
        "gross_production": [float((entry.get("phasing_gross_production") or {}).get(m, float("nan")))
                             for m in months],
    })


def targets_from_entry(entry: Mapping[str, Any], kind: str, providers: float | None = None) -> pd.DataFrame:
    """A committed year's KPI targets in the plan's shape (metric, label, current, band, target,
    how); `providers` (the practice's dentists or physicians) scales a band per provider."""
    from dyad_lib.goals.targets import metric_band

    rows = []
    for mid, t in (entry.get("kpi_targets") or {}).items():
        band = metric_band(mid, kind, providers) or (None, None, "", "", "", "", "")
        try:
            from dyad_lib.metrics import registry

            label = registry.label(mid, kind)
        except KeyError:
            label = mid.replace("_", " ")
        rows.append({"metric": mid, "label": label, "current": t.get("current"), "band_low": band[0],
                     "band_high": band[1], "band_text": band[6], "better": t.get("better"), "target": t.get("target"),
                     "how": fmt.vocabulary(t.get("how") or "", kind), "source": band[3]})
    return pd.DataFrame(rows)


def flagged_categories(flags: Sequence[Any]) -> list[str]:
    return [f.category if hasattr(f, "category") else f.get("category") for f in flags]


def category_choice_note(flags: Sequence[Mapping[str, Any]]) -> list[str]:
    """A committed year's budget flags in words (from goals.yaml)."""
    out = []
    for f in flags:
        label = str(f.get("category", "")).replace("_", " ")
        choice = {"carry": "carried", "trim": "brought back", "entered": "entered by the partners"}.get(
            f.get("choice"), f.get("choice"))
        out.append(f"{label.capitalize()}: {'; '.join(f.get('reasons') or [])}. Budget {choice}.")
    return out



# --- the worksheet as a whole -----------------------------------------------------------------------


@dataclass
class Worksheet:
    """Everything the annual notebook shows: the scenarios' plans (the chosen one in full), and
    for a committed year its goals.yaml entry and what today's data derives from its inputs."""

    fiscal_year: str
    plans: dict[str, Any]
    chosen: str
    committed: dict[str, Any] | None = None
    today: Any = None  # GoalPlan: the committed inputs on today's data

    @property
    def plan(self) -> Any:
        """The plan shown in full (and explored in the what-if)."""
        return self.plans[self.chosen]


def worksheet(practice: Any, fiscal_year: str, scen: Any, scenario: str | None = None, data_dir: Any = None,
              as_of: Any = None, explicit: bool = True) -> Worksheet:
    """Plan every scenario on one history; for a committed year also re-derive its own inputs on
    today's data. Without inputs of their own (`explicit=False`) a committed year's worksheet is
    that re-derivation."""
    from dyad_lib.goals import scenarios as sc
    from dyad_lib.goals import store
    from dyad_lib.goals.committed import entered_inputs
    from dyad_lib.goals.history import history_from_practice

    entry = store.goals_for_year(practice.practice_id, fiscal_year, data_dir)
    history = history_from_practice(practice, fiscal_year, as_of if as_of is not None else scen.meta.get("as_of"))
    today = None
    if entry is not None:
        own = sc.parse_inputs(entered_inputs(entry), "goals.yaml")
        today = sc.plans(history, fiscal_year, sc.Scenarios({"as committed": own.sets["base"]}, "goals.yaml"))[
            "as committed"]
        if not explicit:
            return Worksheet(fiscal_year, {"as committed": today}, "as committed", entry, today)
    plans = sc.plans(history, fiscal_year, scen)
    return Worksheet(fiscal_year, plans, scen.pick(scenario), entry, today)


def checks_tile(checks: Sequence[Any], when: str = "") -> tuple[str, str, str, str]:
    """The realism checks' tile: the worst status, how many pass, in the tile's tone."""
    rows = [c.to_dict() if hasattr(c, "to_dict") else dict(c) for c in checks]
    statuses = [r.get("status") for r in rows]
    worst = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
    tone = {"pass": "good", "warn": "warn", "fail": "bad"}[worst]
    note = f"{statuses.count('pass')} of {len(rows)} pass" + (f", {when}" if when else "")
    return ("Realism checks", {"warn": "warning"}.get(worst, worst), note, tone)


def section(title: str, intro: str = "") -> Fragment:
    """A section heading shown only when its section applies (listed in the contents like the others)."""
    anchor = "-".join(title.split())
    return render("goals/section", title=title, anchor=anchor, intro=intro)


def kept_table(df: pd.DataFrame, **kw: Any) -> Fragment:
    """A table kept on one printed page (a month-by-month table read as a whole)."""
    from dyad_lib.reports.blocks import table_html

    return Fragment(table_html(df, cls="dyad-table dyad-keep", **kw))
