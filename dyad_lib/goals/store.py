"""goals.yaml: the goals the partners agreed, one entry per fiscal year ("FY2026": {...}).

This is the one file dyad writes into a practice's data folder, and only on an explicit commit.
A commit holds an exclusive lock on the practice folder (`fcntl.flock` on the folder itself, so
no lock file is left in the client's data) while it re-reads goals.yaml, adds its year to what
is there *now*, keeps the previous file as `goals.yaml.bak-YYYYMMDDTHHMMSS` beside it and
replaces the file atomically. Two commits at the same moment therefore never lose a year: for
different years the second one adds its year to the first one's file; for the same year the
second one finds it there and refuses without `overwrite=True`. The checks of the file itself
live in `dyad_lib.data.goalsfile` (validation reads it too). A practice without goals.yaml has no
goals: `load_goals` returns {} and reports say "no goals set".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Mapping

import yaml

from dyad_lib.data.goalsfile import (  # noqa: F401  (re-exported: the goals API)
    GOALS_FILE,
    GoalsFileError,
    check_entry,
    is_fiscal_year,
    parse_goals,
    read_goals_file,
)
from dyad_lib.data.paths import atomic_write_text, practice_dir

NO_GOALS = "no goals set"


class GoalsExistError(FileExistsError):
    """The fiscal year is already in goals.yaml and overwrite was not asked for."""


def goals_path(practice_id: str, data_dir: str | os.PathLike | None = None) -> Path:
    return practice_dir(practice_id, data_dir) / GOALS_FILE


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


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` for as long as the block runs (other committers wait).

    The lock is taken on the folder itself, so nothing is written for it; it is released when
    the process ends however it ends."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def write_goals_file(path: Path, entry: Mapping[str, Any], overwrite: bool = False,
                     now: dt.datetime | None = None) -> Path | None:
    """Add (or, with overwrite, replace) one fiscal year in goals.yaml, under the folder's lock.

    Returns the backup's path when an existing file was kept as `goals.yaml.bak-<timestamp>`."""
    path = Path(path)
    fy = str(entry.get("fiscal_year", ""))
    if not is_fiscal_year(fy):
        raise ValueError(f"the goals entry has no fiscal_year like FY2026 (got {fy!r})")
    check_entry("goals to write", fy, dict(entry))
    with folder_lock(path.parent):
        existing = read_goals_file(path)  # what is there now, after any commit that held the lock
        if fy in existing and not overwrite:
            when = existing[fy].get("agreed_on") or "an unknown date"
            raise GoalsExistError(f"{path.name} already holds {fy} (agreed on {when}); pass overwrite "
                                  "(--overwrite) to replace it — the current file is kept as a dated backup")
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
