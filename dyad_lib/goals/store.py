"""goals.yaml: the goals the partners agreed, one entry per fiscal year ("FY2026": {...}).

This is the one file dyad writes into a practice's data folder, and only on an explicit commit.
Writing a year that is already there needs `overwrite=True` and keeps the previous file as
`goals.yaml.bak-YYYYMMDDTHHMMSS` beside it; the write is atomic. Reading checks every key a later
report relies on and names the file and the key path of the first thing wrong
("goals.yaml: FY2026.phasing.2026-03: 'abc' is not a number"). A practice without goals.yaml has
no goals: `load_goals` returns {} and reports say "no goals set".
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any, Mapping

import yaml

from dyad_lib.data.paths import atomic_write_text, practice_dir

GOALS_FILE = "goals.yaml"
NO_GOALS = "no goals set"
_FY_KEY = re.compile(r"^FY\d{4}$")
_MONTH_KEY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_REQUIRED_NUMBERS = ("collection_goal", "net_production_goal", "gross_production_goal")
_OPTIONAL_NUMBERS = ("break_even",)
_PHASINGS = ("phasing", "phasing_net_production", "phasing_gross_production", "working_days")


class GoalsFileError(ValueError):
    """goals.yaml cannot be used; the message names the file and the key path."""


class GoalsExistError(FileExistsError):
    """The fiscal year is already in goals.yaml and overwrite was not asked for."""


def goals_path(practice_id: str, data_dir: str | os.PathLike | None = None) -> Path:
    return practice_dir(practice_id, data_dir) / GOALS_FILE


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def _err(file: str, path: str, message: str) -> GoalsFileError:
    return GoalsFileError(f"{file}: {path}: {message}")


def _check_entry(file: str, fy: str, entry: Any) -> dict[str, Any]:
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
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise GoalsFileError(f"{file}: not valid YAML{line}: {getattr(exc, 'problem', exc)}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise GoalsFileError(f"{file}: must map fiscal years (FY2026) to their goals")
    out = {}
    for key, entry in raw.items():
        if not _FY_KEY.match(str(key)):
            raise _err(file, str(key), "is not a fiscal year like FY2026")
        out[str(key)] = _check_entry(file, str(key), entry)
    return out


def read_goals_file(path: Path) -> dict[str, dict[str, Any]]:
    """The goals in `path`; {} when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return {}
    return parse_goals(path.read_text(encoding="utf-8"), path.name)


def load_goals(practice_id: str, data_dir: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """Every fiscal year's goals of a practice; {} when it has no goals.yaml (reports: NO_GOALS)."""
    return read_goals_file(goals_path(practice_id, data_dir))


def goals_for_year(practice_id: str, fiscal_year: str, data_dir: str | os.PathLike | None = None
                   ) -> dict[str, Any] | None:
    """One fiscal year's goals, or None when they were not set."""
    from dyad_lib.goals.inputs import fy_label

    return load_goals(practice_id, data_dir).get(fy_label(fiscal_year))


def dump_goals(goals: Mapping[str, Any]) -> str:
    header = ("# Goals the partners agreed, one entry per fiscal year. Written by `dyad goals --commit`\n"
              "# or the annual_goals notebook; every later report reads its goal lines from here.\n")
    ordered = {k: goals[k] for k in sorted(goals)}
    return header + yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=110)


def write_goals_file(path: Path, entry: Mapping[str, Any], overwrite: bool = False,
                     now: dt.datetime | None = None) -> Path | None:
    """Add (or, with overwrite, replace) one fiscal year in goals.yaml, atomically.

    Returns the backup's path when an existing file was kept as `goals.yaml.bak-<timestamp>`."""
    path = Path(path)
    fy = str(entry.get("fiscal_year", ""))
    if not _FY_KEY.match(fy):
        raise ValueError(f"the goals entry has no fiscal_year like FY2026 (got {fy!r})")
    _check_entry("goals to write", fy, dict(entry))
    existing = read_goals_file(path)
    if fy in existing and not overwrite:
        when = existing[fy].get("agreed_on") or "an unknown date"
        raise GoalsExistError(f"{path.name} already holds {fy} (agreed on {when}); pass overwrite (--overwrite) "
                              "to replace it — the current file is kept as a dated backup")
    backup = None
    if path.is_file():
        stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
        backup = path.with_name(f"{path.name}.bak-{stamp}")
        n = 1
        while backup.exists():  # two commits within a second keep both versions
            backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
            n += 1
        shutil.copy2(path, backup)
    existing[fy] = dict(entry)
    atomic_write_text(path, dump_goals(existing))
    return backup


def write_goals(practice_id: str, entry: Mapping[str, Any], data_dir: str | os.PathLike | None = None,
                overwrite: bool = False) -> Path:
    """Commit one fiscal year's goals into data/<practice_id>/goals.yaml; returns the file's path."""
    path = goals_path(practice_id, data_dir)
    write_goals_file(path, entry, overwrite=overwrite)
    return path
