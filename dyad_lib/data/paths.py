"""Where things live: the data folder, the reports folder, a practice's folder.

Consultants keep client data outside the repository, so both folders can be pointed elsewhere
(`--data-dir` / `DYAD_DATA_DIR`, `--reports-dir` / `DYAD_REPORTS_DIR`). Practice ids are checked
as slugs before they touch the file system, so `../x` can never leave the data folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dyad_lib.data.contract import PRACTICE_ID_RE

#: Set in the environment of every report kernel the runner starts: inside a report run the
#: notebook reads only the snapshot the runner validated (dyad_lib.data.snapshot.load_snapshot).
REPORT_RUN_ENV = "DYAD_REPORT_RUN"

#: The project checkout (dyad is installed editable from it).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


class PracticeIdError(ValueError):
    """A practice id that is not a valid slug."""


class UnknownPracticeError(LookupError):
    """No folder for this practice id in the data folder."""


class FolderError(OSError):
    """A folder dyad must write to cannot be written (read-only, a file in the way, no space)."""


def check_writable(folder: Path, what: str) -> Path:
    """Make sure dyad can create `folder` and write files in it, before any work starts: a
    read-only reports or cache folder is then one plain sentence, not a traceback halfway through.
    Nothing is left behind: the probe is a temporary file in the folder, or in its nearest existing
    parent when the folder is still to be made, removed at once."""
    folder = Path(folder)
    where = folder
    while not where.exists() and where.parent != where:
        where = where.parent
    try:
        if not where.is_dir():
            raise NotADirectoryError(20, "a file is in the way")
        fd, probe = tempfile.mkstemp(prefix=".dyad-write-check-", dir=where)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FolderError(f"cannot write to the {what} {folder} ({reason.lower()}); make it writable "
                          f"or choose another one") from None
    return folder


def check_practice_id(practice_id: str) -> str:
    """Return the id if it is a valid slug, else raise a message that says what a valid one is."""
    if not isinstance(practice_id, str) or not PRACTICE_ID_RE.match(practice_id):
        raise PracticeIdError(
            f"'{practice_id}' is not a valid practice id: use 2-63 lower-case letters, digits and "
            "dashes, starting with a letter or digit (for example harbor-dental)."
        )
    return practice_id


def data_dir(value: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else $DYAD_DATA_DIR, else `data/` in the project."""
    chosen = value or os.environ.get("DYAD_DATA_DIR") or PROJECT_ROOT / "data"
    return Path(chosen).expanduser().resolve()


def reports_dir(value: str | os.PathLike | None = None) -> Path:
    """The reports folder: the argument, else $DYAD_REPORTS_DIR, else `reports/` in the project."""
    chosen = value or os.environ.get("DYAD_REPORTS_DIR") or PROJECT_ROOT / "reports"
    return Path(chosen).expanduser().resolve()


def practice_dir(practice_id: str, data: str | os.PathLike | None = None) -> Path:
    """The folder of one practice, refusing ids that are not slugs or that would leave `data`."""
    check_practice_id(practice_id)
    root = data_dir(data)
    folder = (root / practice_id).resolve()
    if folder.parent != root:
        raise PracticeIdError(f"'{practice_id}' would point outside the data folder {root.name}/.")
    return folder


def list_practices(data: str | os.PathLike | None = None) -> list[str]:
    """Ids of every practice folder (a slug-named folder holding practice.yaml), sorted."""
    root = data_dir(data)
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and PRACTICE_ID_RE.match(p.name) and (p / "practice.yaml").is_file()
    )


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: Path, text: str) -> None:
    """Text version of :func:`atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def cache_dir(value: str | os.PathLike | None = None) -> Path:
    """Where validated snapshots and run caches live: never inside the raw data folder."""
    chosen = value or os.environ.get("DYAD_CACHE_DIR") or PROJECT_ROOT / ".dyad-cache"
    return Path(chosen).expanduser().resolve()
