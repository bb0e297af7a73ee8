"""Skip reports whose inputs have not changed: a key per job, kept beside the report it produced.

A report is a pure function of its notebook, its parameters, the practice's input files (the
snapshot fingerprint already covers the files, the validation suite and the dyad version) and the
dyad code that renders it. The key hashes all four; when `<report>.html` exists and the sidecar
`.<report>.cache.json` beside it holds the same key, the batch (or `dyad run`) returns the
previous result marked `cached` instead of starting a kernel. Any change to an input file, a
parameter, the notebook or the library changes the key, so a stale report is never served.

Set `DYAD_REPORT_CACHE=0` (or pass `cache=False`) to always execute.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

ENV = "DYAD_REPORT_CACHE"
#: The whole library (every stage), whose code a report depends on.
PACKAGE = Path(__file__).resolve().parents[1]
#: Result fields a cache hit restores (the rest is per run: duration, finished).
KEPT = ("status", "practice_name", "html", "notebook", "pdf", "warnings", "section", "error")


def enabled(flag: bool | None = None) -> bool:
    """The explicit flag if given, else on unless DYAD_REPORT_CACHE is 0/false/no/off."""
    if flag is not None:
        return bool(flag)
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the library's code, templates and registry (a few ms, once per process)."""
    from dyad_lib import __version__

    h = hashlib.sha256(f"dyad={__version__}\0".encode())
    for p in sorted(PACKAGE.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".yaml", ".json", ".j2", ".css", ".js", ".html", ".tpl") \
                and "__pycache__" not in p.parts:
            h.update(p.relative_to(PACKAGE).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def inputs_fingerprint(practice_id: str, data: Path, prepared: Any = None, portfolio: bool = False) -> str:
    """The practice's snapshot fingerprint; for the portfolio, every practice's."""
    from dyad_lib.data.fingerprint import fingerprint

    if portfolio:
        from dyad_lib.data.paths import list_practices

        return hashlib.sha256("|".join(f"{p}:{fingerprint(p, data)}" for p in list_practices(data))
                              .encode()).hexdigest()
    fp = getattr(prepared, "fingerprint", None)
    return fp or fingerprint(practice_id, data)


def job_key(nb_path: Path, report: str, practice_id: str, period: str, params: dict[str, Any],
            inputs: str, pdf: bool) -> str:
    blob = json.dumps({"report": report, "practice": practice_id, "period": str(period),
                       "params": {k: params[k] for k in sorted(params)}, "inputs": inputs, "pdf": bool(pdf),
                       "code": code_version()}, sort_keys=True, default=str)
    h = hashlib.sha256(blob.encode())
    h.update(nb_path.read_bytes())
    return h.hexdigest()


def sidecar(out: Path, report: str) -> Path:
    return out / f".{report}.cache.json"


def lookup(out: Path, report: str, key: str, root: Path) -> dict[str, Any] | None:
    """The stored result fields if the key matches and every file it names still exists."""
    try:
        entry = json.loads(sidecar(out, report).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("key") != key:
        return None
    res = entry.get("result") or {}
    for f in ("html", "notebook", "pdf"):
        if res.get(f) and not (root / res[f]).is_file():
            return None
    if not res.get("html"):
        return None
    return res


def store(out: Path, report: str, key: str, result: dict[str, Any]) -> None:
    from dyad_lib.data.paths import atomic_write_text

    atomic_write_text(sidecar(out, report), json.dumps(
        {"key": key, "result": {k: result.get(k) for k in KEPT}}, indent=1, default=str) + "\n")


def forget(out: Path, report: str) -> None:
    sidecar(out, report).unlink(missing_ok=True)
