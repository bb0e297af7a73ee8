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
           "integer": "Int64", "bool": "boolean", "enum": "str", "metric": "str", "str": "str",
           "text": "str"}


#: Set in the environment of every report kernel the runner starts (dyad_lib.pipeline.kernel):
#: inside a report run, `load_snapshot` never validates on its own and never reads raw files.
REPORT_RUN_ENV = "DYAD_REPORT_RUN"


class CacheLocationError(ValueError):
    """The cache folder was pointed inside the data folder (dyad never writes there)."""


class BlockedPracticeError(ValueError):
    """Validation found problems that block the reports; nothing may be computed from these files."""


class StaleSnapshotError(ValueError):
    """Inside a report run, the files are not the ones that were validated (they changed since)."""


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

    Raises `PracticeIdError` / `UnknownPracticeError` for a bad or unknown id. A cache folder
    that cannot be written does not stop validation: the result is returned, not kept
    (`Prepared.summary["not_kept"]` says why), and reports then refuse to run.
    """
    return _prepare(practice_id, data_dir, cache_dir, force)[0]


def _prepare(practice_id: str, data_dir: str | os.PathLike | None, cache_dir: str | os.PathLike | None,
             force: bool) -> tuple[Prepared, Practice | None]:
    folder = practice_dir(practice_id, data_dir)
    if not folder.is_dir():
        from dyad_lib.data.paths import UnknownPracticeError

        raise UnknownPracticeError(f"no practice folder named '{practice_id}' in the data folder")
    fp = fingerprint(practice_id, data_dir)
    target = snapshot_path(practice_id, fp, data_dir, cache_dir)
    if not force:
        summary = _read_json(target / VALIDATION_FILE)
        if summary is not None and summary.get("fingerprint") == fp and _complete(target, summary):
            return Prepared(practice_id, bool(summary.get("ok")), fp, target if summary.get("ok") else None,
                            summary, cached=True), None
    from dyad_lib.data.validation import validate

    practice = load_practice(practice_id, data_dir, collect=True)
    report = validate(practice, fp)
    summary = report.to_dict()
    try:
        _write_snapshot(target, practice, summary)
    except OSError as exc:  # a read-only or full cache folder: the verdict stands, it is not kept
        summary["not_kept"] = (f"the result could not be kept in the cache folder {target.parents[1].name}/ "
                               f"({exc.strerror or type(exc).__name__})")
        return Prepared(practice_id, report.ok, fp, None, summary, cached=False), practice
    return Prepared(practice_id, report.ok, fp, target if report.ok else None, summary, cached=False), practice


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


def in_report_run() -> bool:
    """True inside a report kernel started by the runner (see REPORT_RUN_ENV)."""
    return os.environ.get(REPORT_RUN_ENV) == "1"


def _blocked(practice_id: str, summary: dict[str, Any]) -> BlockedPracticeError:
    n = int(summary.get("blocking_count") or 0)
    return BlockedPracticeError(
        f"{n} problem{'s' if n != 1 else ''} in the files of {practice_id} block{'s' if n == 1 else ''} every "
        f"figure; run `dyad validate {practice_id}` to see {'it' if n == 1 else 'them'} and what to fix")


def load_snapshot(practice_id: str, data_dir: str | os.PathLike | None = None,
                  cache_dir: str | os.PathLike | None = None) -> Practice:
    """The validated practice for the current files. Never the raw files unvalidated:

    - a snapshot of the current files: read it;
    - the current files were validated and something blocks: `BlockedPracticeError`;
    - no snapshot of the current files inside a report run (they changed after the runner
      validated them): `StaleSnapshotError`, so the report fails instead of showing data that
      validation never saw;
    - otherwise (a notebook opened by hand, `dyad metrics`): validate now, then read.
    """
    fp = fingerprint(practice_id, data_dir)
    folder = snapshot_path(practice_id, fp, data_dir, cache_dir)
    meta = _read_json(folder / PRACTICE_FILE)
    if meta is not None and meta.get("fingerprint") == fp and all(
            (folder / f"{t}.parquet").is_file() for t in meta.get("tables", [])):
        return _read_snapshot(practice_id, folder, meta, data_dir)
    summary = _read_json(folder / VALIDATION_FILE)
    if summary is not None and summary.get("fingerprint") == fp and not summary.get("ok"):
        raise _blocked(practice_id, summary)
    if in_report_run():
        raise StaleSnapshotError(
            f"the files of {practice_id} changed after they were validated for this report, so it was "
            "stopped rather than show unchecked figures; run it again")
    prepared, practice = _prepare(practice_id, data_dir, cache_dir, force=False)
    if not prepared.ok:
        raise _blocked(practice_id, prepared.summary)
    if prepared.snapshot_dir is not None:
        meta = _read_json(prepared.snapshot_dir / PRACTICE_FILE)
        if meta is not None:
            return _read_snapshot(practice_id, prepared.snapshot_dir, meta, data_dir)
    if practice is None:  # pragma: no cover - a snapshot vanished between writing and reading it
        raise StaleSnapshotError(f"the validated snapshot of {practice_id} could not be read; run it again")
    practice.issues = []
    return practice  # validated just now in this process; the cache could not keep it


def _read_snapshot(practice_id: str, folder: Path, meta: dict[str, Any],
                   data_dir: str | os.PathLike | None) -> Practice:
    config = PracticeConfig(**dict(meta["config"]))
    tables = {t: _retype(t, pd.read_parquet(folder / f"{t}.parquet")) for t in meta["tables"]}
    sources = {k: TableSource(**v) for k, v in meta.get("sources", {}).items()}
    return Practice(practice_id, practice_dir(practice_id, data_dir), config, tables, sources, [])
