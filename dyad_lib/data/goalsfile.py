"""goals.yaml as data: the file every report reads its goal lines from, and its checks.

It sits with the other inputs of a practice, so validation checks it with the tables: a
goals.yaml that a later report could not use blocks the reports at `dyad validate`, instead of
failing every report one by one. Reading checks every key a later report relies on and names
the file and the key path of the first thing wrong ("goals.yaml: FY2026.phasing.2026-03: 'abc'
is not a number"). Writing the file (with its lock and backups) is `dyad_lib.goals.store`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Mapping

from dyad_lib.data.yamltext import YamlError, load_yaml

GOALS_FILE = "goals.yaml"
_FY_KEY = re.compile(r"^FY\d{4}$")
_MONTH_KEY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_REQUIRED_NUMBERS = ("collection_goal", "net_production_goal", "gross_production_goal")
_OPTIONAL_NUMBERS = ("break_even",)
_PHASINGS = ("phasing", "phasing_net_production", "phasing_gross_production", "working_days")


class GoalsFileError(ValueError):
    """goals.yaml cannot be used; the message names the file and the key path."""


def is_fiscal_year(key: Any) -> bool:
    return bool(_FY_KEY.match(str(key)))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def _err(file: str, path: str, message: str) -> GoalsFileError:
    return GoalsFileError(f"{file}: {path}: {message}")


def check_entry(file: str, fy: str, entry: Any) -> dict[str, Any]:
    """One fiscal year's goals, checked (GoalsFileError naming `file` and the key path)."""
    if not isinstance(entry, Mapping):
        raise _err(file, fy, "must be a mapping of the year's goals")
    for key in _REQUIRED_NUMBERS:
        if key not in entry:
            raise _err(file, f"{fy}.{key}", "is missing")
    for key in _REQUIRED_NUMBERS + _OPTIONAL_NUMBERS:
        if key in entry and entry[key] is not None and not _is_number(entry[key]):
            raise _err(file, f"{fy}.{key}", f"{entry[key]!r} is not a number")
    if "phasing" not in entry:
        raise _err(file, f"{fy}.phasing", "is missing")
    for name in _PHASINGS:
        ph = entry.get(name)
        if ph is None and name != "phasing":
            continue
        if not isinstance(ph, Mapping) or not ph:
            raise _err(file, f"{fy}.{name}", "must map months (YYYY-MM) to amounts")
        for k, v in ph.items():
            if not _MONTH_KEY.match(str(k)):
                raise _err(file, f"{fy}.{name}.{k}", "is not a month like 2026-03")
            if not _is_number(v):
                raise _err(file, f"{fy}.{name}.{k}", f"{v!r} is not a number")
    ph_sum = round(sum(float(v) for v in entry["phasing"].values()), 2)
    if abs(ph_sum - float(entry["collection_goal"])) > 0.005:
        raise _err(file, f"{fy}.phasing", f"the months add up to {ph_sum:,.2f}, not the collection goal "
                                          f"{float(entry['collection_goal']):,.2f}")
    for name, total in (("phasing_net_production", "net_production_goal"),
                        ("phasing_gross_production", "gross_production_goal")):
        if entry.get(name):
            s = round(sum(float(v) for v in entry[name].values()), 2)
            if abs(s - float(entry[total])) > 0.005:
                raise _err(file, f"{fy}.{name}", f"the months add up to {s:,.2f}, not {total} {float(entry[total]):,.2f}")
    ledger = entry.get("ledger")
    if ledger is not None:
        if not isinstance(ledger, list):
            raise _err(file, f"{fy}.ledger", "must be a list of steps")
        for i, step in enumerate(ledger):
            if not isinstance(step, Mapping):
                raise _err(file, f"{fy}.ledger[{i}]", "must be a mapping (label, formula, amount, source)")
            if not _is_number(step.get("amount")):
                raise _err(file, f"{fy}.ledger[{i}].amount", f"{step.get('amount')!r} is not a number")
    targets = entry.get("kpi_targets")
    if targets is not None:
        if not isinstance(targets, Mapping):
            raise _err(file, f"{fy}.kpi_targets", "must map metric ids to targets")
        for mid, t in targets.items():
            if not isinstance(t, Mapping):
                raise _err(file, f"{fy}.kpi_targets.{mid}", "must be a mapping with a target")
            if t.get("target") is not None and not _is_number(t["target"]):
                raise _err(file, f"{fy}.kpi_targets.{mid}.target", f"{t['target']!r} is not a number")
    agreed_by = entry.get("agreed_by")
    if agreed_by is not None and (not isinstance(agreed_by, list) or not all(isinstance(x, str) for x in agreed_by)):
        raise _err(file, f"{fy}.agreed_by", "must be a list of names")
    on = entry.get("agreed_on")
    if on is not None and not isinstance(on, dt.date):
        try:
            dt.date.fromisoformat(str(on))
        except ValueError:
            raise _err(file, f"{fy}.agreed_on", f"{on!r} is not a date like 2025-12-16") from None
    out = dict(entry)
    if isinstance(on, dt.date):
        out["agreed_on"] = on.isoformat()
    return out


def parse_goals(text: str, file: str = GOALS_FILE) -> dict[str, dict[str, Any]]:
    """Check and return the goals of a goals.yaml text: {"FY2026": {...}, ...}."""
    try:
        raw = load_yaml(text)
    except YamlError as exc:
        raise GoalsFileError(f"{file}: {str(exc).removeprefix('is ')}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise GoalsFileError(f"{file}: must map fiscal years (FY2026) to their goals")
    out = {}
    for key, entry in raw.items():
        if not _FY_KEY.match(str(key)):
            raise _err(file, str(key), "is not a fiscal year like FY2026")
        out[str(key)] = check_entry(file, str(key), entry)
    return out


def read_goals_file(path: Path) -> dict[str, dict[str, Any]]:
    """The goals in `path`; {} when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GoalsFileError(f"{path.name}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    return parse_goals(text, path.name)


