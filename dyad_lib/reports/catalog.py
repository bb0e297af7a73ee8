"""The reports, as their notebooks declare them.

Each report notebook carries its own description in its metadata (`metadata.dyad`): title, short
title (for links), the kind of period it takes, its demo period and parameters, who it is for, the
tables it reads, whether it covers one practice or all of them, and whether it runs on data that
failed validation. The runner, the batch, the index, the portfolio's links and `dyad run --help`
read this catalog, so adding a report means adding a notebook, nothing else.

Reading it costs a JSON parse per notebook (no papermill, no kernel), cached per file change.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dyad_lib.data.paths import NOTEBOOKS_DIR

#: The kinds of period a report takes; a notebook declares one, or a list ("a month or a quarter").
PERIOD_KINDS = ("month", "quarter", "fiscal_year", "latest", "any")
SCOPES = ("practice", "portfolio")
REPORT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
INPUTS_CHECK = re.compile(r"^dyad_lib(\.[a-z_][a-z0-9_]*)+:[a-z_][a-z0-9_]*$")


class CatalogError(ValueError):
    """A notebook's `metadata.dyad` is not a valid report declaration."""


@dataclass(frozen=True)
class ReportSpec:
    """One report, as its notebook declares it."""

    name: str
    title: str
    short_title: str
    period_kind: str = "any"  # the first (or only) kind of period it takes
    #: Every kind of period it takes (a report for "a month or a quarter" declares both).
    period_kinds: tuple[str, ...] = ()
    audience: str = ""
    description: str = ""
    tables: tuple[str, ...] = ()
    #: Tables without which the report cannot be made for a practice (a batch lists it as not
    #: applicable to a practice that lacks one; `dyad run` explains what is missing).
    requires: tuple[str, ...] = ()
    scope: str = "practice"
    order: int = 100
    demo_period: str | None = None
    demo_params: dict[str, Any] = field(default_factory=dict)
    #: Runs even when the practice's data has blocking problems (the data-quality report does: it
    #: is the one that explains them).
    runs_on_blocked_data: bool = False
    #: "dyad_lib.module:function" that checks what `dyad run --inputs FILE` passes as the
    #: notebook's `inputs` parameter (called with the parsed file and its name; raises ValueError).
    inputs_check: str | None = None
    path: Path | None = None

    @property
    def portfolio(self) -> bool:
        return self.scope == "portfolio"

    def takes(self, kind: str) -> bool:
        """Whether the report takes a period of this kind (`any` takes every kind)."""
        kinds = self.period_kinds or (self.period_kind,)
        return "any" in kinds or kind in kinds


def _declaration(path: Path) -> dict[str, Any]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{path.name} is not a readable notebook ({exc})") from None
    meta = (nb.get("metadata") or {}).get("dyad") or {}
    if not isinstance(meta, dict):
        raise CatalogError(f"{path.name}: metadata.dyad must be a mapping")
    return meta


def _spec(path: Path) -> ReportSpec:
    name = path.stem
    meta = _declaration(path)
    title = str(meta.get("title") or name.replace("_", " ").capitalize())
    declared = meta.get("period", "any")
    kinds = tuple(declared) if isinstance(declared, (list, tuple)) else (declared,)
    scope = meta.get("scope", "practice")
    for kind in kinds:
        if kind not in PERIOD_KINDS:
            raise CatalogError(f"{path.name}: metadata.dyad.period '{kind}' is not one of {', '.join(PERIOD_KINDS)} "
                               "(or a list of them)")
    if not kinds:
        raise CatalogError(f"{path.name}: metadata.dyad.period is an empty list")
    if scope not in SCOPES:
        raise CatalogError(f"{path.name}: metadata.dyad.scope '{scope}' is not one of {', '.join(SCOPES)}")
    params = meta.get("demo_params") or {}
    if not isinstance(params, dict):
        raise CatalogError(f"{path.name}: metadata.dyad.demo_params must be a mapping")
    check = meta.get("inputs_check")
    if check is not None and not (isinstance(check, str) and INPUTS_CHECK.match(check)):
        raise CatalogError(f"{path.name}: metadata.dyad.inputs_check must name a function like "
                           "dyad_lib.goals.scenarios:parse_inputs")
    return ReportSpec(
        name=name, title=title, short_title=str(meta.get("short_title") or title),
        period_kind=kinds[0], period_kinds=kinds, audience=str(meta.get("audience") or ""), description=str(meta.get("description") or ""),
        tables=tuple(meta.get("tables") or ()), requires=tuple(meta.get("requires") or ()), scope=scope,
        order=int(meta.get("order", 100)),
        demo_period=meta.get("demo_period"), demo_params=dict(params),
        runs_on_blocked_data=bool(meta.get("runs_on_blocked_data", False)), inputs_check=check, path=path,
    )


@lru_cache(maxsize=64)
def _cached(path: str, mtime_ns: int) -> ReportSpec:
    return _spec(Path(path))


def notebooks_dir(value: str | os.PathLike | None = None) -> Path:
    """The folder of report notebooks: the argument, else $DYAD_NOTEBOOKS_DIR, else notebooks/."""
    chosen = value or os.environ.get("DYAD_NOTEBOOKS_DIR") or NOTEBOOKS_DIR
    return Path(chosen)


def catalog(folder: str | os.PathLike | None = None) -> dict[str, ReportSpec]:
    """Every report notebook in the folder, in the order they declare (then by name)."""
    root = notebooks_dir(folder)
    specs = []
    for p in root.glob("*.ipynb") if root.is_dir() else []:
        if REPORT_NAME.match(p.stem):
            specs.append(_cached(str(p), p.stat().st_mtime_ns))
    return {s.name: s for s in sorted(specs, key=lambda s: (s.order, s.name))}


def spec(report: str, folder: str | os.PathLike | None = None) -> ReportSpec | None:
    """One report's declaration, or None when there is no notebook of that name."""
    return catalog(folder).get(report)


def titles(folder: str | os.PathLike | None = None) -> dict[str, str]:
    return {name: s.title for name, s in catalog(folder).items()}
