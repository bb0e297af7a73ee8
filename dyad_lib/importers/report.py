"""import-report.json: what an import read, which rules it applied, what it left out, and the proof.

The proof is the reconciliation table: per month, the practice system's own figures computed
straight from its tables by its own report's definitions (production, adjustments, write-offs,
patient income, insurance income), side by side with the sums of the `financials` the import
wrote, and the difference to the cent. Every amount is kept in whole cents so a difference is
either exactly zero or a real cent. The data-quality report shows this file; OpenEMR and mapping
imports write the same shape.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dyad_lib.importers.delivery import REPORT_FILE

FORMAT = 1
#: Source columns of a reconciliation frame (one row per month, amounts in dollars).
SOURCE_COLUMNS = ("production", "adjustments", "writeoffs", "patient_income", "insurance_income")


def cents(x: Any) -> int:
    """Dollars (a float sum from SQL) as whole cents."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return 0
    return int(round(float(x) * 100))


def dollars(c: int) -> float:
    return round(c / 100.0, 2)


@dataclass
class Exclusion:
    """Rows of a source table that the import left out on purpose, and why."""

    table: str
    reason: str
    rows: int
    amount: float | None = None


@dataclass
class Rule:
    """A definition the import applied, stated for the reader (`value` when it is a setting)."""

    id: str
    text: str
    value: Any = None


@dataclass
class ImportReport:
    system: str
    practice_id: str
    source: str
    version: str | None
    range_from: str
    range_to: str
    read_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    rules: list[Rule] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)
    excluded: list[Exclusion] = field(default_factory=list)
    reconciliation: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: How the reconciliation's figures are named for this system (None hides a figure that does not
    #: apply) and what they were computed from; the data-quality report reads both.
    labels: dict[str, str | None] = field(default_factory=dict)
    reconciled_with: str = ""

    def read(self, table: str, rows: int) -> None:
        self.rows_read[table] = self.rows_read.get(table, 0) + int(rows)

    def exclude(self, table: str, reason: str, rows: int, amount: float | None = None) -> None:
        if rows:
            self.excluded.append(Exclusion(table, reason, int(rows), None if amount is None else round(float(amount), 2)))

    @property
    def max_delta(self) -> float:
        """The largest difference of any reconciled figure in any month, in dollars."""
        return max((abs(v) for r in self.reconciliation for v in r["delta"].values()), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "system": self.system,
            "practice_id": self.practice_id,
            "source": self.source,
            "version": self.version,
            "range": {"from": self.range_from, "to": self.range_to},
            "read_at": self.read_at,
            "rules": [asdict(r) for r in self.rules],
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "excluded": [asdict(e) for e in self.excluded],
            "reconciliation": {"months": self.reconciliation, "max_abs_delta": self.max_delta,
                               "ok": self.max_delta == 0.0, "labels": self.labels,
                               "reconciled_with": self.reconciled_with},
            "checks": self.checks,
            "notes": self.notes,
        }

    def to_json(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def reconcile(source: pd.DataFrame, financials: pd.DataFrame,
              reclassified: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Per month: the system's figures, the imported sums, and the differences in dollars.

    `source` has `month` (YYYY-MM) and SOURCE_COLUMNS; `financials` is the table as written
    (`month` as YYYY-MM, contract columns). The contract's `adjustments` is write-offs minus the
    (signed) adjustments, so net production = gross − adjustments on both sides. `reclassified`
    (cents per month) is adjustments counted in gross production because the contract has no
    negative adjustments; it is shown and taken into account, so Δ stays a true difference."""
    reclassified = reclassified or {}
    src = source.set_index("month")
    fin = financials.assign(month=pd.to_datetime(financials["month"]).dt.strftime("%Y-%m"))
    fin_c = fin[["gross_production", "adjustments", "collections"]].apply(lambda s: s.map(cents))
    fin_c["month"] = fin["month"]
    imported = fin_c.groupby("month").sum()
    months = sorted(set(src.index) | set(imported.index))
    rows = []
    for m in months:
        s = {c: cents(src.at[m, c]) if m in src.index else 0 for c in SOURCE_COLUMNS}
        i = {c: int(imported.at[m, c]) if m in imported.index else 0
             for c in ("gross_production", "adjustments", "collections")}
        net_s = s["production"] + s["adjustments"] - s["writeoffs"]
        net_i = i["gross_production"] - i["adjustments"]
        r = int(reclassified.get(m, 0))
        rows.append({
            "month": m,
            "source": {**{c: dollars(v) for c, v in s.items()}, "net_production": dollars(net_s),
                       "collections": dollars(s["patient_income"] + s["insurance_income"])},
            "imported": {**{c: dollars(v) for c, v in i.items()}, "net_production": dollars(net_i),
                         "reclassified": dollars(r)},
            "delta": {
                "gross_production": dollars(i["gross_production"] - r - s["production"]),
                "adjustments": dollars(i["adjustments"] - r - (s["writeoffs"] - s["adjustments"])),
                "net_production": dollars(net_i - net_s),
                "collections": dollars(i["collections"] - s["patient_income"] - s["insurance_income"]),
            },
        })
    return rows


def read_import_report(folder: Path, name: str = REPORT_FILE) -> dict[str, Any] | None:
    """An import report of a practice folder (import-report.json, or mapping-report.json for
    `name`), or None when there is none."""
    path = Path(folder) / name
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None
