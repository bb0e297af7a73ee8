"""Writing an import as a delivery: the contract's CSV files, practice.yaml, the import report.

A delivery is built complete in a temporary folder beside the practice folder and renamed into
place, so a failed import leaves nothing half-written. An existing practice is replaced only when
asked (`--overwrite`): the old folder is kept whole as `<practice_id>.bak-<YYYYMMDD-HHMMSS>/`,
and the files the import does not produce (expenses, the partnership tables, goals.yaml …) are
carried over into the new folder, so re-importing never loses the consultant's own tables.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dyad_lib.data.contract import PRACTICE_KINDS, TABLES
from dyad_lib.data.paths import PracticeIdError, data_dir as resolve_data_dir, practice_dir
from dyad_lib.importers.ids import KEY_FILE, key_file_text, read_key
from dyad_lib.importers.problems import UsageProblem

REPORT_FILE = "import-report.json"


@dataclass
class Target:
    """Where a delivery goes, checked before anything is read from the source."""

    practice_id: str
    root: Path
    folder: Path
    exists: bool
    old_config: dict[str, Any] | None
    key: bytes | None


def check_target(practice_id: str, data_dir: str | os.PathLike | None, overwrite: bool) -> Target:
    """Refuse a bad id or an existing practice without `overwrite` — before the source is touched."""
    try:
        folder = practice_dir(practice_id, data_dir)
    except PracticeIdError as exc:
        raise UsageProblem(str(exc)) from None
    exists = folder.exists()
    if exists and not overwrite:
        raise UsageProblem(f"a practice named {practice_id} already exists in the data folder; add --overwrite "
                           "to replace it (the current folder is kept as a dated backup)")
    old = None
    if exists and (folder / "practice.yaml").is_file():
        try:
            loaded = yaml.safe_load((folder / "practice.yaml").read_text(encoding="utf-8-sig"))
            old = loaded if isinstance(loaded, dict) else None
        except (yaml.YAMLError, UnicodeDecodeError):
            old = None
    return Target(practice_id, resolve_data_dir(data_dir), folder, exists, old, read_key(folder) if exists else None)


# --- contract tables as CSV ------------------------------------------------------------------------------


def _number(s: pd.Series) -> pd.Series:
    v = pd.to_numeric(s, errors="coerce")
    return v.map(lambda x: "" if pd.isna(x) else (f"{int(x)}" if float(x).is_integer() else
                                                  f"{float(x):.4f}".rstrip("0").rstrip(".")))


def format_column(s: pd.Series, kind: str) -> pd.Series:
    """One column in the contract's canonical text form for CSV (money with two decimals); missing
    stays missing (a blank cell)."""
    if kind in ("month", "date"):
        d = pd.to_datetime(s, errors="coerce")
        return d.dt.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
    if kind == "money":
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64").round(2) + 0.0  # + 0.0: no "-0.00"
        text = np.char.mod("%.2f", np.nan_to_num(v)).astype(object)
        text[np.isnan(v)] = None
        return pd.Series(text, index=s.index)
    if kind == "number":
        return _number(s)
    if kind == "integer":
        return pd.to_numeric(s, errors="coerce").round().astype("Int64")
    if kind == "bool":
        b = pd.array(s, dtype="boolean")
        return pd.Series(np.where(pd.isna(b), None, np.where(b.fillna(False), "true", "false")), index=s.index)
    return s.astype(object).where(s.notna(), None)


def table_csv(name: str, df: pd.DataFrame) -> bytes:
    """A contract table as UTF-8 CSV with the contract's columns in the contract's order."""
    table = TABLES[name]
    cols = [c for c in table.columns if c.name in df.columns]
    out = pd.DataFrame({c.name: format_column(df[c.name], c.kind) for c in cols})
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n", na_rep="")
    return buf.getvalue().encode("utf-8")


def practice_yaml(practice_id: str, *, name: str, kind: str, fiscal_year_start_month: int,
                  old: dict[str, Any] | None = None, source_note: str = "") -> bytes:
    """practice.yaml for the delivery: the old file's settings kept, the import's options applied."""
    if kind not in PRACTICE_KINDS:
        raise UsageProblem(f"--kind must be one of {', '.join(PRACTICE_KINDS)}, not '{kind}'")
    cfg: dict[str, Any] = {
        "practice_id": practice_id, "name": name, "kind": kind,
        "fiscal_year_start_month": fiscal_year_start_month, "currency": "USD", "active_patient_months": 18,
        "partners": {"clinical_lead": "", "business_lead": ""},
    }
    if old:
        for k, v in old.items():
            if k not in ("practice_id", "name", "kind", "fiscal_year_start_month", "date_format"):
                cfg[k] = v
    head = f"# Written by `dyad import`{(' from ' + source_note) if source_note else ''}; fill in the partners.\n"
    return (head + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)).encode("utf-8")


# --- the folder -----------------------------------------------------------------------------------------------


@dataclass
class Written:
    folder: Path
    files: list[str]
    carried_over: list[str]
    backup: Path | None


def _carry_over(old: Path, written: set[str]) -> list[Path]:
    """Files of the old folder that the import does not replace (another importer's report included)."""
    keep = []
    for p in sorted(old.iterdir()):
        if not p.is_file() or p.name.startswith("~$") or p.name == KEY_FILE:
            continue
        if p.name in written:
            continue
        keep.append(p)
    return keep


def write_delivery(target: Target, files: dict[str, bytes], key: bytes) -> Written:
    """Build the folder in a temporary sibling and swap it in; the old one becomes a dated backup."""
    root = target.root
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".import-{target.practice_id}.", dir=root))
    backup = None
    try:
        tmp = staging / target.practice_id
        tmp.mkdir()
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        (tmp / KEY_FILE).write_text(key_file_text(key), encoding="ascii")
        os.chmod(tmp / KEY_FILE, 0o600)
        carried: list[str] = []
        if target.folder.exists():
            for p in _carry_over(target.folder, set(files)):
                shutil.copy2(p, tmp / p.name)
                carried.append(p.name)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = root / f"{target.practice_id}.bak-{stamp}"
            n = 1
            while backup.exists():
                n += 1
                backup = root / f"{target.practice_id}.bak-{stamp}-{n}"
            os.replace(target.folder, backup)
        try:
            os.replace(tmp, target.folder)
        except OSError:
            if backup is not None:
                os.replace(backup, target.folder)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(target.folder, sorted(files), carried, backup)
