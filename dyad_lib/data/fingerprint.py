"""The input fingerprint: one hash over a practice's files, the suite version and the dyad version.

It keys the validated snapshot, the report cache and every report's footer, so "same inputs, same
version" can be checked by anyone holding the files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dyad_lib import __version__
from dyad_lib.data.paths import practice_dir
from dyad_lib.data.suites import SUITE_VERSION


def input_files(folder: Path, practice_id: str) -> list[Path]:
    """The files a practice's reports depend on: practice.yaml, *.csv, the workbook, goals.yaml and
    the import reports (the data-quality report shows them)."""
    out = []
    for p in folder.iterdir():
        if not p.is_file() or p.name.startswith((".", "~$")):
            continue
        name = p.name.lower()
        if name in ("practice.yaml", "goals.yaml", "import-report.json", "mapping-report.json") or \
                p.suffix.lower() == ".csv" or (
                p.suffix.lower() == ".xlsx" and p.stem.lower() == practice_id.lower()):
            out.append(p)
    return sorted(out, key=lambda p: p.name)


def fingerprint(practice_id: str, data_dir: str | os.PathLike | None = None) -> str:
    """sha256 over the input files' names and bytes, the suite version and the dyad version."""
    folder = practice_dir(practice_id, data_dir)
    h = hashlib.sha256()
    h.update(f"suite={SUITE_VERSION}\0dyad={__version__}\0".encode())
    if folder.is_dir():
        for p in input_files(folder, practice_id):
            h.update(p.name.encode() + b"\0")
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            h.update(b"\0")
    return h.hexdigest()
