"""The validated snapshot: typed tables as parquet, keyed by a fingerprint of the input files.

The report notebooks read the snapshot and never import great_expectations; an unchanged practice
is not validated twice. Layout: `<cache_dir>/<practice_id>/<fingerprint[:16]>/` holding
`validation.json` (always, even when validation blocks, so the data-quality report can render it),
and only when nothing blocks, `practice.json` (config + sources) and one `<table>.parquet` per
table (typed, with `_row`). Each folder is written to a temporary sibling and renamed into place,
so readers never see half a snapshot. Nothing is ever written into the data folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dyad_lib.data.contract import TABLES
from dyad_lib.data.fingerprint import fingerprint
from dyad_lib.data.load import ROW_COL, Practice, PracticeConfig, TableSource, load_practice
from dyad_lib.data.paths import cache_dir as default_cache_dir
from dyad_lib.data.paths import data_dir as resolve_data_dir
from dyad_lib.data.paths import practice_dir

VALIDATION_FILE = "validation.json"
PRACTICE_FILE = "practice.json"
#: Snapshots kept per practice (the current one and the previous versions of the files).
KEEP_SNAPSHOTS = 3
_DTYPES = {"month": "datetime64[ns]", "date": "datetime64[ns]", "money": "float64", "number": "float64",
           "integer": "Int64", "bool": "boolean", "enum": "str", "str": "str", "text": "str"}


class CacheLocationError(ValueError):
    """The cache folder was pointed inside the data folder (dyad never writes there)."""


@dataclass
class Prepared:
    """The outcome of `prepare_practice`: where the snapshot is and what validation said."""

    practice_id: str
    ok: bool
    fingerprint: str
    snapshot_dir: Path | None
    summary: dict[str, Any]
    cached: bool


def _cache_root(cache_dir: str | os.PathLike | None, data_dir: str | os.PathLike | None) -> Path:
    root = default_cache_dir(cache_dir)
    data = resolve_data_dir(data_dir)
    if root == data or data in root.parents:
        raise CacheLocationError(f"the cache folder {root} is inside the data folder; point DYAD_CACHE_DIR "
                                 "elsewhere (dyad never writes into the data folder)")
    return root


def snapshot_path(practice_id: str, fp: str, data_dir: str | os.PathLike | None = None,
                  cache_dir: str | os.PathLike | None = None) -> Path:
    return _cache_root(cache_dir, data_dir) / practice_id / fp[:16]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _complete(folder: Path, summary: dict[str, Any]) -> bool:
    if not summary.get("ok"):
        return True
    if not (folder / PRACTICE_FILE).is_file():
        return False
    meta = _read_json(folder / PRACTICE_FILE) or {}
    return all((folder / f"{t}.parquet").is_file() for t in meta.get("tables", []))


def _json_default(v: Any) -> Any:
    if isinstance(v, Path):
        return str(v)
    return str(v)


def _write_snapshot(target: Path, practice: Practice | None, summary: dict[str, Any]) -> None:
    """Write the folder atomically: build it in a temp sibling, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        if summary.get("ok") and practice is not None:
            for name, df in practice.tables.items():
                df.to_parquet(tmp / f"{name}.parquet", index=False)
            meta = {
                "practice_id": practice.practice_id,
                "config": {k: v for k, v in dataclasses.asdict(practice.config).items()},
                "sources": {k: dataclasses.asdict(v) for k, v in practice.sources.items()},
                "tables": list(practice.tables),
                "fingerprint": summary.get("fingerprint"),
                "suite_version": summary.get("suite_version"),
            }
            (tmp / PRACTICE_FILE).write_text(json.dumps(meta, indent=2, default=_json_default), encoding="utf-8")
        (tmp / VALIDATION_FILE).write_text(json.dumps(summary, indent=2, default=_json_default), encoding="utf-8")
        try:
            os.replace(tmp, target)
        except OSError:  # the folder exists (forced re-validation, or a concurrent writer)
            old = target.with_name(f".{target.name}.old.{os.getpid()}.{tmp.name[-8:]}")
            try:
                os.replace(target, old)
            except FileNotFoundError:
                pass
            try:
                os.replace(tmp, target)
            except OSError:
                pass  # another process just wrote the same fingerprint: same content, keep theirs
            shutil.rmtree(old, ignore_errors=True)
        _prune(target.parent, keep=target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(folder: Path, keep: Path) -> None:
    """Keep the newest KEEP_SNAPSHOTS snapshots of a practice; older fingerprints are dead weight."""
    dirs = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and p != keep]
    dirs.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for p in dirs[KEEP_SNAPSHOTS - 1:]:
        shutil.rmtree(p, ignore_errors=True)


def prepare_practice(practice_id: str, data_dir: str | os.PathLike | None = None,
                     cache_dir: str | os.PathLike | None = None, force: bool = False) -> Prepared:
    """Validate the practice unless a snapshot for the same fingerprint exists; write the snapshot.

    Raises `PracticeIdError` / `UnknownPracticeError` for a bad or unknown id.
    """
    folder = practice_dir(practice_id, data_dir)
    if not folder.is_dir():
        from dyad_lib.data.paths import UnknownPracticeError

        raise UnknownPracticeError(f"no practice folder named '{practice_id}' in {folder.parent}")
    fp = fingerprint(practice_id, data_dir)
    target = snapshot_path(practice_id, fp, data_dir, cache_dir)
    if not force:
        summary = _read_json(target / VALIDATION_FILE)
        if summary is not None and summary.get("fingerprint") == fp and _complete(target, summary):
            return Prepared(practice_id, bool(summary.get("ok")), fp, target if summary.get("ok") else None,
                            summary, cached=True)
    from dyad_lib.data.validation import validate

    practice = load_practice(practice_id, data_dir, collect=True)
    report = validate(practice, fp)
    summary = report.to_dict()
    _write_snapshot(target, practice, summary)
    return Prepared(practice_id, report.ok, fp, target if report.ok else None, summary, cached=False)


def read_validation(practice_id: str, data_dir: str | os.PathLike | None = None,
                    cache_dir: str | os.PathLike | None = None) -> dict[str, Any] | None:
    """The validation summary for the current files, or None if they were not validated yet."""
    fp = fingerprint(practice_id, data_dir)
    summary = _read_json(snapshot_path(practice_id, fp, data_dir, cache_dir) / VALIDATION_FILE)
    if summary is None or summary.get("fingerprint") != fp:
        return None
    return summary


def _retype(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Parquet keeps pandas dtypes, but pin them to the loader's so a reader never sees drift."""
    for col in TABLES[name].columns:
        if col.name in df:
            want = _DTYPES[col.kind]
            if str(df[col.name].dtype) != want:
                df[col.name] = df[col.name].astype(want)
    if ROW_COL in df and str(df[ROW_COL].dtype) != "int64":
        df[ROW_COL] = df[ROW_COL].astype("int64")
    return df


def load_snapshot(practice_id: str, data_dir: str | os.PathLike | None = None,
                  cache_dir: str | os.PathLike | None = None) -> Practice:
    """The validated practice for the current files; without a snapshot, the raw files via
    `load_practice` (no validation), so a notebook opened by hand still runs."""
    fp = fingerprint(practice_id, data_dir)
    folder = snapshot_path(practice_id, fp, data_dir, cache_dir)
    meta = _read_json(folder / PRACTICE_FILE)
    if meta is None or meta.get("fingerprint") != fp or not all(
            (folder / f"{t}.parquet").is_file() for t in meta.get("tables", [])):
        return load_practice(practice_id, data_dir)
    cfg = dict(meta["config"])
    config = PracticeConfig(**cfg)
    tables = {t: _retype(t, pd.read_parquet(folder / f"{t}.parquet")) for t in meta["tables"]}
    sources = {k: TableSource(**v) for k, v in meta.get("sources", {}).items()}
    return Practice(practice_id, practice_dir(practice_id, data_dir), config, tables, sources, [])
