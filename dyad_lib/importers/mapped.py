"""`dyad import mapped`: any CSV/XLSX export, through a mapping file, into contract tables.

Why: most of what a practice keeps lives in exports no importer knows — the accountant's profit
and loss by month, a practice system's appointment report. A mapping file (YAML) says, per
contract table: which source file (or sheet) and header row, which source column or constant
fills each contract column, value maps for codes (an account → an expense category, a status
word → `no_show`), a wide-to-long unpivot for month columns, a date format, and whether rows that
share the table's key are summed. The mapping is checked before anything is read and the data
after: an unknown table, key or column, a required column left unmapped, a source column the
file lacks, or a source value the map does not cover is an error that lists every such problem
at once — nothing is dropped silently (a map sends a value to `null` to drop it on purpose, and
the report counts those rows). Values are then typed by the contract's own loader.

Example (`examples/mappings/accounting_pnl.yaml`)::

    mapping: 1
    tables:
      expenses:
        source: pnl_by_month.csv
        header_row: 4
        unpivot: {columns: '^[A-Z][a-z]{2} \\d{4}$', name: month, value: amount}
        aggregate: sum
        columns:
          month: {from: month, format: '%b %Y'}
          category: {from: Account, map: {Wages: staff_wages, Rent: facility, Total Expenses: null}}
          amount: {from: amount}
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dyad_lib.data.contract import TABLES
from dyad_lib.data.csvfile import decode_bytes, detect_delimiter
from dyad_lib.data.load import ROW_COL, LoadIssue, coerce_table
from dyad_lib.importers.delivery import check_target, practice_yaml, table_csv, write_delivery
from dyad_lib.importers.ids import map_ids, new_key
from dyad_lib.importers.problems import SourceProblem, UsageProblem

MAPPING_VERSION = 1
REPORT = "mapping-report.json"
TABLE_KEYS = {"source", "sheet", "header_row", "unpivot", "columns", "date_format", "aggregate"}
COLUMN_KEYS = {"from", "value", "map", "format", "multiply"}
UNPIVOT_KEYS = {"columns", "name", "value"}


@dataclass
class ColumnSpec:
    name: str
    source: str | None = None
    value: Any = None
    mapping: dict[str, Any] | None = None
    fmt: str | None = None
    multiply: float | None = None


@dataclass
class TableSpec:
    table: str
    source: str
    sheet: str | None
    header_row: int
    columns: list[ColumnSpec]
    unpivot: dict[str, str] | None = None
    date_format: str | None = None
    aggregate: bool = False


@dataclass
class MappedResult:
    practice_id: str
    folder: Path
    report: Any
    written: Any
    tables: dict[str, int] = field(default_factory=dict)


class MappingProblems(Exception):
    """Collects every problem of a mapping or of the data it maps, to report them in one error."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(text)

    def raise_if_any(self, what: str, cls=UsageProblem) -> None:
        if self.items:
            n = len(self.items)
            listed = "; ".join(f"({i + 1}) {t}" for i, t in enumerate(self.items))
            raise cls(f"{what}: {n} problem{'s' if n > 1 else ''}: {listed}")


def _as_text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def parse_mapping(path: Path) -> list[TableSpec]:
    """Read and check a mapping file; every problem is listed in one UsageProblem."""
    probs = MappingProblems()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageProblem(f"there is no mapping file {Path(path).name}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageProblem(f"the mapping {Path(path).name} is not valid YAML{where}") from None
    name = Path(path).name
    if not isinstance(raw, dict) or not isinstance(raw.get("tables"), dict) or not raw["tables"]:
        raise UsageProblem(f"the mapping {name} must have 'mapping: {MAPPING_VERSION}' and a 'tables:' section "
                           "naming at least one contract table")
    if raw.get("mapping") != MAPPING_VERSION:
        probs.add(f"'mapping:' must be {MAPPING_VERSION}")
    for k in set(raw) - {"mapping", "tables"}:
        probs.add(f"unknown key '{k}' at the top")
    specs: list[TableSpec] = []
    for table, t in raw["tables"].items():
        if table not in TABLES:
            probs.add(f"'{table}' is not a contract table (one of: {', '.join(TABLES)})")
            continue
        if not isinstance(t, dict):
            probs.add(f"{table}: must be a mapping of keys")
            continue
        for k in sorted(set(t) - TABLE_KEYS):
            probs.add(f"{table}: unknown key '{k}' (allowed: {', '.join(sorted(TABLE_KEYS))})")
        contract = TABLES[table]
        cols = t.get("columns") or {}
        if not isinstance(cols, dict) or not cols:
            probs.add(f"{table}: 'columns:' must map contract columns to a source column or a value")
            cols = {}
        specs_cols = []
        for col, c in cols.items():
            if col not in contract.column_names:
                probs.add(f"{table}: '{col}' is not a column of {table} (its columns: {', '.join(contract.column_names)})")
                continue
            if isinstance(c, str):
                c = {"from": c}
            if not isinstance(c, dict):
                probs.add(f"{table}.{col}: give 'from:' with a source column, or 'value:' with a constant")
                continue
            for k in sorted(set(c) - COLUMN_KEYS):
                probs.add(f"{table}.{col}: unknown key '{k}' (allowed: {', '.join(sorted(COLUMN_KEYS))})")
            if ("from" in c) == ("value" in c):
                probs.add(f"{table}.{col}: give exactly one of 'from' (a source column) and 'value' (a constant)")
            m = c.get("map")
            if m is not None and not isinstance(m, dict):
                probs.add(f"{table}.{col}: 'map' must list source values and what they become")
                m = None
            kind = contract.column(col).kind
            if m and kind == "enum":
                bad = sorted({str(v) for v in m.values() if v is not None and str(v) not in (contract.column(col).codes or ())})
                if bad:
                    probs.add(f"{table}.{col}: the map gives {', '.join(repr(b) for b in bad)}, not among the codes "
                              f"{', '.join(contract.column(col).codes or ())}")
            mult = c.get("multiply")
            if mult is not None and not isinstance(mult, (int, float)):
                probs.add(f"{table}.{col}: 'multiply' must be a number")
                mult = None
            specs_cols.append(ColumnSpec(col, _as_text(c.get("from")) or None, c.get("value"),
                                         {_as_text(k): v for k, v in m.items()} if m else None,
                                         c.get("format"), mult))
        given = {c.name for c in specs_cols}
        missing = [c for c in contract.required_columns if c not in given]
        if missing and cols:
            probs.add(f"{table}: the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                      f"{'are' if len(missing) > 1 else 'is'} not mapped")
        up = t.get("unpivot")
        if up is not None:
            if not isinstance(up, dict) or not {"columns", "name", "value"} <= set(up):
                probs.add(f"{table}: 'unpivot' needs columns (a regular expression or a list), name and value")
                up = None
            else:
                for k in sorted(set(up) - UNPIVOT_KEYS):
                    probs.add(f"{table}.unpivot: unknown key '{k}'")
        header = t.get("header_row", 1)
        if not isinstance(header, int) or header < 1:
            probs.add(f"{table}: 'header_row' must be a row number (1 = the first line)")
            header = 1
        if not t.get("source"):
            probs.add(f"{table}: 'source:' must name the export file")
        specs.append(TableSpec(table, _as_text(t.get("source")), _as_text(t.get("sheet")) or None, header,
                               specs_cols, up, t.get("date_format"), t.get("aggregate") == "sum"))
        if t.get("aggregate") not in (None, "sum"):
            probs.add(f"{table}: 'aggregate' can only be 'sum'")
    probs.raise_if_any(f"the mapping {name} cannot be used")
    return specs


# --- reading sources ---------------------------------------------------------------------------------------------


def _rows_from_csv(path: Path) -> list[list[str]]:
    text, _, _ = decode_bytes(path.read_bytes())
    delim = detect_delimiter(text)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delim)]


def _rows_from_sheet(path: Path, sheet: str | None) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = {s.strip().lower(): s for s in wb.sheetnames}
        if sheet is None:
            ws = wb[wb.sheetnames[0]]
        elif sheet.strip().lower() in names:
            ws = wb[names[sheet.strip().lower()]]
        else:
            raise SourceProblem(f"{path.name} has no sheet '{sheet}' (its sheets: {', '.join(wb.sheetnames)})")
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_source(path: Path, spec: TableSpec) -> pd.DataFrame:
    """The export as text columns, the header at `header_row`, `_row` = the spreadsheet row."""
    rows = _rows_from_sheet(path, spec.sheet) if path.suffix.lower() in (".xlsx", ".xlsm") else _rows_from_csv(path)
    if len(rows) < spec.header_row:
        raise SourceProblem(f"{path.name} has fewer than {spec.header_row} lines: no header row there")
    header = [_cell(h) for h in rows[spec.header_row - 1]]
    while header and not header[-1]:
        header.pop()
    body = [[_cell(v) for v in (r[:len(header)] + [None] * (len(header) - len(r)))] for r in rows[spec.header_row:]]
    df = pd.DataFrame(body, columns=header, dtype=object)
    df.insert(0, ROW_COL, np.arange(spec.header_row + 1, spec.header_row + 1 + len(df), dtype="int64"))
    keep = df.drop(columns=ROW_COL).apply(lambda r: any(bool(v) for v in r), axis=1) if len(df) else []
    return df[keep] if len(df) else df


def _find(headers: list[str], name: str) -> str | None:
    low = {h.strip().lower(): h for h in headers}
    return low.get(name.strip().lower())


def map_table(spec: TableSpec, df: pd.DataFrame, file: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Apply one table's mapping to its source frame; returns text columns (+ _row) and the rows
    dropped on purpose by value (`null` in a map). Problems are collected and raised together."""
    probs = MappingProblems()
    headers = [c for c in df.columns if c != ROW_COL]
    if spec.unpivot:
        pat = spec.unpivot["columns"]
        if isinstance(pat, list):
            wide = [h for h in headers if h.strip().lower() in {str(p).strip().lower() for p in pat}]
            absent = [p for p in pat if _find(headers, str(p)) is None]
            for p in absent:
                probs.add(f"{file} has no column '{p}' to unpivot")
        else:
            wide = [h for h in headers if re.fullmatch(str(pat), h.strip())]
        if not wide:
            probs.add(f"{file}: no column matches the unpivot columns {pat!r} (its columns: {', '.join(headers)})")
        ids = [h for h in headers if h not in wide]
        df = df.melt(id_vars=[ROW_COL, *ids], value_vars=wide, var_name=spec.unpivot["name"],
                     value_name=spec.unpivot["value"])
        df = df[df[spec.unpivot["value"]].astype(str).str.strip() != ""]
        headers = [c for c in df.columns if c != ROW_COL]
    out = pd.DataFrame({ROW_COL: df[ROW_COL].to_numpy()}, index=df.index)
    drop = pd.Series(False, index=df.index)
    dropped: dict[str, int] = {}
    for c in spec.columns:
        if c.source is None:
            out[c.name] = "" if c.value is None else str(c.value)
            continue
        src = _find(headers, c.source)
        if src is None:
            probs.add(f"{file} has no column '{c.source}' (for {spec.table}.{c.name}); its columns: "
                      f"{', '.join(headers)}")
            continue
        s = df[src].map(_as_text)
        if c.mapping is not None:
            known = s.isin(c.mapping)
            unmapped = sorted(set(s[~known & (s != "")]))
            if unmapped:
                shown = ", ".join(repr(u) for u in unmapped[:20]) + (" …" if len(unmapped) > 20 else "")
                probs.add(f"{file}, column '{src}': {len(unmapped)} value{'s' if len(unmapped) > 1 else ''} the map of "
                          f"{spec.table}.{c.name} does not cover: {shown}")
            mapped = s.map(lambda v: c.mapping.get(v, v) if v in c.mapping else v)
            nulls = s.map(lambda v: v in c.mapping and c.mapping[v] is None)
            for v, n in s[nulls].value_counts().items():
                dropped[f"{src} = {v}"] = dropped.get(f"{src} = {v}", 0) + int(n)
            drop |= nulls
            s = mapped.map(lambda v: "" if v is None else str(v))
        kind = TABLES[spec.table].column(c.name).kind
        fmt = c.fmt or (spec.date_format if kind in ("date", "month") else None)
        if fmt and kind in ("date", "month"):
            parsed = pd.to_datetime(s.where(s != ""), format=fmt, errors="coerce")
            bad = sorted(set(s[(s != "") & parsed.isna()]))[:5]
            if bad:
                probs.add(f"{file}, column '{src}': {', '.join(repr(b) for b in bad)} do not match the format {fmt!r}")
            s = parsed.dt.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d").fillna("")
        if c.multiply is not None:
            num = pd.to_numeric(s.str.replace(r"[$,\s]", "", regex=True).replace("", np.nan), errors="coerce")
            s = (num * float(c.multiply)).map(lambda x: "" if pd.isna(x) else f"{x:g}")
        out[c.name] = s
    probs.raise_if_any(f"the mapping of {spec.table} does not fit {file}", SourceProblem)
    return out[~drop], dropped


def _aggregate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    t = TABLES[name]
    money = [c.name for c in t.columns if c.kind in ("money", "number") and c.name in df]
    keys = [c for c in df.columns if c not in money and c != ROW_COL]
    agg = df.groupby(keys, dropna=False, sort=True).agg({**{m: "sum" for m in money}, ROW_COL: "min"}).reset_index()
    return agg[[ROW_COL, *[c for c in df.columns if c != ROW_COL]]]


def import_mapped(mapping: str | Path, sources: Sequence[str | Path], practice_id: str, *, data_dir=None,
                  kind: str = "dental", name: str | None = None, overwrite: bool = False,
                  progress: Callable[[str, int | None], None] | None = None, key: bytes | None = None,
                  keep_backup: bool = True) -> MappedResult:
    """Map the exports into contract tables and write them into the practice (new, or --overwrite,
    which keeps the practice's other files and its previous folder as a dated backup)."""
    from dyad_lib.importers.report import ImportReport

    say = progress or (lambda step, rows: None)
    specs = parse_mapping(Path(mapping))
    by_name = {}
    for s in sources:
        p = Path(s)
        if not p.is_file():
            raise UsageProblem(f"there is no export file {p.name}")
        by_name[p.name.lower()] = p
    missing = [sp.source for sp in specs if sp.source.lower() not in by_name]
    if missing:
        raise UsageProblem(f"the mapping reads {', '.join(sorted(set(missing)))}, which {'is' if len(missing) == 1 else 'are'}"
                           f" not among the files given ({', '.join(Path(s).name for s in sources)})")
    target = check_target(practice_id, data_dir, overwrite)
    key = key or target.key or new_key()
    report = ImportReport(system="mapping", practice_id=practice_id, source=Path(mapping).name, version=None,
                          range_from="", range_to="")
    tables: dict[str, pd.DataFrame] = {}
    for spec in specs:
        path = by_name[spec.source.lower()]
        raw = read_source(path, spec)
        report.read(path.name, len(raw))
        mapped, dropped = map_table(spec, raw, path.name)
        for what, n in dropped.items():
            report.exclude(spec.table, f"dropped on purpose by the mapping ({what})", n)
        issues: list[LoadIssue] = []
        typed, _, _ = coerce_table(TABLES[spec.table], mapped.reset_index(drop=True), path.name, None, issues)
        if issues or typed is None:
            probs = MappingProblems()
            for i in issues:
                probs.add(str(i))
            probs.raise_if_any(f"the values mapped from {path.name} into {spec.table} cannot be read", SourceProblem)
        if spec.aggregate:
            typed = _aggregate(spec.table, typed)
        if "patient_id" in typed:  # a practice system's patient key never reaches the delivery
            typed["patient_id"] = map_ids(typed["patient_id"], key)
        if spec.table in tables:
            raise UsageProblem(f"the mapping fills {spec.table} twice")
        tables[spec.table] = typed.drop(columns=ROW_COL)
        say(spec.table, len(typed))
    report.rows_written = {k: len(v) for k, v in tables.items()}
    report.notes.append(f"Mapped with {Path(mapping).name} from {', '.join(sorted({by_name[s.source.lower()].name for s in specs}))}.")
    files: dict[str, bytes] = {f"{k}.csv": table_csv(k, v) for k, v in tables.items()}
    if not target.exists:
        files["practice.yaml"] = practice_yaml(practice_id, name=name or practice_id.replace("-", " ").title(),
                                               kind=kind, fiscal_year_start_month=1, source_note="a mapping file")
    files[REPORT] = (json.dumps({**report.to_dict(), "mapping": Path(mapping).name}, indent=2, ensure_ascii=False,
                                default=str) + "\n").encode("utf-8")
    written = write_delivery(target, files, key)
    if not keep_backup and written.backup is not None:
        import shutil

        shutil.rmtree(written.backup, ignore_errors=True)
        written.backup = None
    say("write", sum(report.rows_written.values()))
    return MappedResult(practice_id, written.folder, report, written, report.rows_written)
