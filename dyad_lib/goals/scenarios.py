"""Goal inputs from an inputs file or the notebook's parameters: one set, or named scenarios.

An inputs file is YAML. Its top-level goal inputs apply to every scenario; `scenarios:` names
the sets to compare side by side, each adding or changing inputs:

    overhead_change_pct: 3          # every scenario
    scenarios:
      base: {}
      stretch: {owner_compensation_change_pct: 8, fee_change_pct: 3, collection_ratio: 0.98}
      cautious: {overhead_change_pct: 5, profit_target_change_pct: -25}
    agreed_by: [Dr. Ana Rivera, Jordan Chen]   # used by --commit

Without `scenarios:` the file is one set of inputs, named "base". Every error names the file
and the key path ("inputs.yaml: scenarios.stretch.fee_change_pct: 300% is not a plausible
change …"). YAML aliases are refused: a few bytes of nested aliases expand into gigabytes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from dyad_lib.data.yamltext import YamlError, load_yaml, read_yaml_file
from dyad_lib.goals.inputs import EXCLUSIVE, INPUT_KEYS, History, InputError, check_overrides

META_KEYS = ("agreed_by", "agreed_on", "as_of")
SCENARIO_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]{0,29}$")
MAX_SCENARIOS = 6
DEFAULT_NAME = "base"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class InputsError(ValueError):
    """Goal inputs that cannot be used; the message names where (file) and the key path."""


def load_inputs_text(text: str, where: str) -> Any:
    """The YAML document in `text`; InputsError (naming `where`) for aliases, size or invalid YAML."""
    try:
        return load_yaml(text)
    except YamlError as exc:
        raise InputsError(f"{where}: {exc}") from None


@dataclass
class Scenarios:
    """Named sets of checked goal inputs (in order) and the commit metadata."""

    sets: dict[str, dict[str, Any]]
    where: str = "inputs"
    meta: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> key -> its path in the file

    @property
    def names(self) -> list[str]:
        return list(self.sets)

    def pick(self, name: str | None) -> str:
        """`name`, or the first scenario; InputsError for a name that is not there."""
        if name is None:
            return self.names[0]
        if name not in self.sets:
            raise InputsError(f"{self.where}: no scenario named '{name}' (there are: {', '.join(self.names)})")
        return name

    def locate(self, name: str, err: InputError) -> InputsError:
        """An InputError of scenario `name` as a message naming the file and the key's path there."""
        top = err.key.split(".")[0]
        path = self.origin.get(name, {}).get(top)
        full = err.key if path is None else path + err.key[len(top):]
        return InputsError(f"{self.where}: {full}: {err.message}")


def _meta(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if raw.get("agreed_by") is not None:
        out["agreed_by"] = agreed_by_list(raw["agreed_by"], f"{where}: agreed_by")
    if raw.get("agreed_on") is not None:
        out["agreed_on"] = agreed_on_text(raw["agreed_on"], f"{where}: agreed_on")
    if raw.get("as_of") is not None:
        a = str(raw["as_of"]).strip()
        if not _MONTH.match(a):
            raise InputsError(f"{where}: as_of: {raw['as_of']!r} is not a month like 2026-05")
        out["as_of"] = a
    return out


def agreed_by_list(value: Any, where: str = "agreed_by") -> list[str]:
    """Names from a list or a comma-separated text ("Dr. Ana Rivera, Jordan Chen")."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) for x in items):
        raise InputsError(f"{where}: must be names, as a list or separated by commas")
    names = [x.strip() for x in items if x.strip()]
    if not names:
        raise InputsError(f"{where}: names no one")
    if any(len(n) > 80 for n in names):
        raise InputsError(f"{where}: a name is longer than 80 characters")
    return names


def agreed_on_text(value: Any, where: str = "agreed_on") -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InputsError(f"{where}: {value!r} is not a date like 2026-06-17") from None


def parse_inputs(raw: Any, where: str = "inputs") -> Scenarios:
    """Scenarios from a parsed inputs mapping (see the module docstring)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InputsError(f"{where}: must be a mapping of goal inputs (key: value lines)")
    allowed = (*INPUT_KEYS, *META_KEYS, "scenarios")
    unknown = [str(k) for k in raw if str(k) not in allowed]
    if unknown:
        raise InputsError(f"{where}: {unknown[0]}: is not a goal input (use {', '.join(allowed)})")
    common = {str(k): v for k, v in raw.items() if str(k) in INPUT_KEYS}
    named = raw.get("scenarios")
    if named is None:
        named = {DEFAULT_NAME: {}}
    else:
        if not isinstance(named, Mapping) or not named:
            raise InputsError(f"{where}: scenarios: must name one or more scenarios, each with its inputs")
        if len(named) > MAX_SCENARIOS:
            raise InputsError(f"{where}: scenarios: {len(named)} scenarios; compare at most {MAX_SCENARIOS}")
    sets: dict[str, dict[str, Any]] = {}
    origin: dict[str, dict[str, str]] = {}
    for name, own in named.items():
        name = str(name)
        if not SCENARIO_NAME.match(name):
            raise InputsError(f"{where}: scenarios.{name}: a scenario's name is a word of up to 30 letters, "
                              "digits, spaces, - or _")
        own = own or {}
        if not isinstance(own, Mapping):
            raise InputsError(f"{where}: scenarios.{name}: must be a mapping of goal inputs")
        bad = [str(k) for k in own if str(k) not in INPUT_KEYS]
        if bad:
            raise InputsError(f"{where}: scenarios.{name}.{bad[0]}: is not a goal input "
                              f"(use {', '.join(INPUT_KEYS)})")
        merged = {**common, **{str(k): v for k, v in own.items()}}
        origin[name] = {k: (k if k in common and k not in own else f"scenarios.{name}.{k}") for k in merged}
        sc = Scenarios({}, where, {}, origin)
        try:
            sets[name] = check_overrides(merged)
        except InputError as exc:
            raise sc.locate(name, exc) from None
    return Scenarios(sets, where, _meta(raw, where), origin)


def read_inputs_file(path: str | Path) -> Scenarios:
    """The inputs file at `path` (named by its file name in every message)."""
    try:
        raw = read_yaml_file(path)
    except YamlError as exc:
        raise InputsError(str(exc)) from None
    return parse_inputs(raw, Path(path).name)


#: Parameters of the annual notebook that are goal inputs of a mapping type (typed as text on a
#: command line: '{"2027-08": 12}').
_MAPPING_KEYS = ("overhead_changes_pct", "overhead_budget", "budget_choices", "working_days")


def from_parameters(inputs: Any = None, **params: Any) -> Scenarios:
    """The notebook's scenarios: `inputs` (a mapping as `dyad run --inputs` passes it, YAML text,
    or the path of a YAML file) with the single-input parameters applied on top of every scenario
    (a parameter left at None changes nothing)."""
    if isinstance(inputs, str) and "\n" not in inputs and inputs.strip().endswith((".yaml", ".yml")):
        base = read_inputs_file(inputs.strip())
    elif isinstance(inputs, str):
        base = parse_inputs(load_inputs_text(inputs, "inputs"), "inputs")
    else:
        base = parse_inputs(inputs, "inputs")
    given: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if key not in INPUT_KEYS:
            raise InputsError(f"parameter {key}: is not a goal input (use {', '.join(INPUT_KEYS)})")
        if key in _MAPPING_KEYS and isinstance(value, str):
            value = load_inputs_text(value, f"parameter {key}")
        elif isinstance(value, str):  # a number typed as text (papermill -r)
            try:
                value = float(value)
            except ValueError:
                pass
        given[key] = value
    if not given:
        return base
    sets, origin = {}, {}
    for name, s in base.sets.items():
        merged = {**s, **given}
        for a, b in EXCLUSIVE:  # a parameter replaces the scenario's way of giving the same input
            if a in given and b not in given:
                merged.pop(b, None)
            if b in given and a not in given:
                merged.pop(a, None)
        origin[name] = {**base.origin.get(name, {}), **{k: f"parameter {k}" for k in given}}
        try:
            sets[name] = check_overrides(merged)
        except InputError as exc:
            raise Scenarios({}, base.where, {}, origin).locate(name, exc) from None
    return Scenarios(sets, base.where, base.meta, origin)


def plans(practice_or_history: Any, fiscal_year: str, scenarios: Scenarios, as_of: Any = None) -> dict[str, Any]:
    """{scenario: GoalPlan} on one history (a practice is read once); an InputError of one
    scenario becomes an InputsError naming its file and key path."""
    from dyad_lib.goals.history import history_from_practice
    from dyad_lib.goals.inputs import default_inputs
    from dyad_lib.goals.plan import build_plan

    history = practice_or_history if isinstance(practice_or_history, History) else \
        history_from_practice(practice_or_history, fiscal_year, as_of if as_of is not None else scenarios.meta.get("as_of"))
    out = {}
    for name, overrides in scenarios.sets.items():
        try:
            out[name] = build_plan(default_inputs(fiscal_year, history, overrides), history, scenario=name)
        except InputError as exc:
            raise scenarios.locate(name, exc) from None
    return out


#: What the scenarios are compared on: (key, label, unit).
COMPARE_ROWS = (("inputs", "Inputs entered", "text"), ("collection_goal", "Collection goal", "money"), ("growth", "Growth on the last twelve months", "ratio"),
                ("net_production_goal", "Net production goal", "money"),
                ("gross_production_goal", "Gross production goal", "money"),
                ("break_even", "Break-even collections", "money"),
                ("needed_utilization", "Chair utilization needed", "ratio"),
                ("owner_compensation", "Owner pay", "money"), ("profit_target", "Profit / reinvestment", "money"),
                ("take_home", "Owners' take-home (pay + profit)", "money"),
                ("take_home_share", "Take-home share of the goal", "ratio"),
                ("status", "Realism checks", "text"))


def scenario_summary(plan: Any) -> dict[str, Any]:
    """The numbers scenarios are compared on, and the monthly collection goals."""
    lg, coll = plan.ledger, plan.history.get("collections")
    return {"inputs": describe(plan.inputs.entered, plan.history.kind),
            "collection_goal": lg.collection_goal, "growth": lg.collection_goal / coll - 1 if coll else None,
            "net_production_goal": lg.net_production_goal, "gross_production_goal": lg.gross_production_goal,
            "break_even": lg.break_even, "needed_utilization": plan.capacity.required_utilization,
            "owner_compensation": lg.values["owner"], "profit_target": lg.values["profit"],
            "take_home": lg.take_home,
            "take_home_share": lg.take_home / lg.collection_goal if lg.collection_goal else None,
            "status": plan.status,
            "phasing": {m.strftime("%Y-%m"): float(x) for m, x in zip(plan.phasing["month"], plan.phasing["collections"])}}


def scenario_frame(plans_by_name: Mapping[str, Any]) -> pd.DataFrame:
    """One row per compared number (label, unit), one column per scenario."""
    from dyad_lib.goals.plan import words

    sums = {n: scenario_summary(p) for n, p in plans_by_name.items()}
    kind = next(iter(plans_by_name.values())).history.kind if plans_by_name else "dental"
    rows = [{"key": k, "label": words(label, kind), "unit": unit, **{n: s[k] for n, s in sums.items()}}
            for k, label, unit in COMPARE_ROWS]
    return pd.DataFrame(rows)


def describe(entered: Mapping[str, Any], kind: str = "dental") -> str:
    """A scenario's entered inputs in words ("owner pay +8%, fees +3%, collection ratio 98.0%"),
    or "the defaults from history"."""
    from dyad_lib.goals.inputs import CATEGORY_LABELS
    from dyad_lib.goals.plan import words

    def pct(x: float) -> str:
        return f"{x:+g}%".replace("-", "−")

    def money(x: float) -> str:
        return f"${x:,.0f}"

    parts = []
    for key, v in entered.items():
        if key == "overhead_change_pct":
            parts.append(f"costs {pct(v)}")
        elif key == "overhead_changes_pct":
            parts += [f"{CATEGORY_LABELS[c].lower()} {pct(p)}" for c, p in v.items()]
        elif key == "overhead_budget":
            parts += [f"{CATEGORY_LABELS[c].lower()} {money(a)}" for c, a in v.items()]
        elif key == "budget_choices":
            parts += [f"{CATEGORY_LABELS[c].lower()} {'back to its band' if ch == 'trim' else 'carried'}"
                      for c, ch in v.items()]
        elif key == "owner_compensation":
            parts.append(f"owner pay {money(v)}")
        elif key == "owner_compensation_change_pct":
            parts.append(f"owner pay {pct(v)}")
        elif key == "debt_service":
            parts.append(f"debt service {money(v)}")
        elif key == "profit_target":
            parts.append(f"profit {money(v)}")
        elif key == "profit_target_change_pct":
            parts.append(f"profit {pct(v)}")
        elif key == "collection_ratio":
            parts.append(f"collection ratio {v * 100:.1f}%")
        elif key == "adjustment_rate":
            parts.append(f"adjustment rate {v * 100:.1f}%")
        elif key == "fee_change_pct":
            parts.append(f"fees {pct(v)}")
        elif key == "added_chair_hours":
            parts.append(words(f"{v:+,.0f} chair hours", kind))
        elif key == "working_days":
            parts += [f"{pd.Timestamp(m + '-01'):%B %Y} {d:g} working days" for m, d in v.items()]
    return ", ".join(parts) if parts else "the defaults from history"
