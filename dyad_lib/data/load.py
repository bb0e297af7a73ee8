"""Load a practice folder into typed pandas DataFrames, honouring every export quirk of the contract.

Real exports arrive as UTF-8, UTF-8 with BOM or cp1252; comma, semicolon or tab delimited; with
dates in ISO or in the one format the practice declares; money as `$1,234.56` or `(1,234.56)`.
The loader reads them all, never writes into the data folder, and reports every value it cannot
read with the file, the spreadsheet row, the column, the value and what was expected — collected,
so a consultant sees every problem of a delivery in one pass.

Raw CSV files are read by `dyad_lib.data.csvfile` (shapes, encodings, bounds), workbook sheets
here; which example values may be patient identifiers is `dyad_lib.data.privacy`.

Typed columns: month -> datetime64 (first of month); date -> datetime64 (midnight);
money/number -> float64; integer -> Int64; bool -> boolean; enum -> lower-case str;
str/text -> str (stripped). Every table also gets `_row`, the spreadsheet row number of the record
(the header is row 1), which validation messages quote. Optional columns that the file lacks are
added empty, so downstream code can rely on every contract column being present.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dyad_lib.data.contract import PRACTICE_ID_RE, PRACTICE_KINDS, TABLES, Table
from dyad_lib.data.csvfile import MAX_COLUMNS, ROW_COL, FileProblem, read_csv
from dyad_lib.data.privacy import hide_private, private_values  # noqa: F401  (private_values: validation)
from dyad_lib.data.paths import practice_dir
from dyad_lib.data.yamltext import YamlError, read_yaml

ISO_DATE = "%Y-%m-%d"
MAX_EXAMPLES = 5
#: Characters that are never content: C0 controls (tab, line feed and carriage return aside in
#: free text), DEL, NEL and the Unicode line/paragraph separators, which also break JavaScript
#: string literals in chart specs. They become spaces.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]"
_CONTROL_ANY = r"[\x00-\x1f\x7f\x85\u2028\u2029]"


# --- results ----------------------------------------------------------------------------------


@dataclass
class LoadIssue:
    """One problem found while reading the files (not a rule violation: that is validation)."""

    file: str
    message: str
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    severity: str = "blocking"
    rows: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    count: int = 1
    #: Values left out because they look like patient identifiers (never shown anywhere).
    hidden: int = 0

    def __str__(self) -> str:
        where = [self.file]
        if self.rows and self.count > 1:
            shown = ", ".join(str(r) for r in self.rows[:MAX_EXAMPLES])
            more = f" and {self.count - len(self.rows[:MAX_EXAMPLES])} more" if self.count > MAX_EXAMPLES else ""
            where.append(f"rows {shown}{more}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        text = ", ".join(where) + ": " + self.message
        if self.values:
            text += ": " + ", ".join(f"'{v}'" for v in self.values[:MAX_EXAMPLES])
        if self.hidden:
            text += f" ({'the value is' if self.hidden == 1 else 'values are'} not shown: " \
                    f"{'it looks' if self.hidden == 1 else 'they look'} like a patient identifier)"
        if self.expected:
            text += f" — expected {self.expected}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "table": self.table,
            "row": self.row,
            "rows": self.rows[:MAX_EXAMPLES],
            "column": self.column,
            "value": self.value,
            "values": self.values[:MAX_EXAMPLES],
            "count": self.count,
            "expected": self.expected,
            "severity": self.severity,
            "message": str(self),
        }


class PracticeDataError(ValueError):
    """The practice's files cannot be read as the contract requires; `.issues` lists every problem."""

    def __init__(self, issues: list[LoadIssue]):
        self.issues = issues
        lines = [str(i) for i in issues]
        super().__init__("\n".join(lines) if lines else "practice data could not be read")


@dataclass
class PracticeConfig:
    """practice.yaml, checked."""

    practice_id: str
    name: str
    kind: str
    fiscal_year_start_month: int = 1
    currency: str = "USD"
    active_patient_months: int = 18
    date_format: str | None = None
    clinical_lead: str = ""
    business_lead: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableSource:
    """Where a table came from and how it was read (for the data-quality report and fingerprints)."""

    table: str
    file: str  # display name: "financials.csv" or "harbor-dental.xlsx › financials"
    path: str  # path relative to the practice folder
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0
    missing_optional: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)


@dataclass
class Practice:
    """A loaded practice: its configuration and every table it provides."""

    practice_id: str
    folder: Path
    config: PracticeConfig
    tables: dict[str, pd.DataFrame]
    sources: dict[str, TableSource]
    issues: list[LoadIssue] = field(default_factory=list)

    def has(self, table: str) -> bool:
        return table in self.tables

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    @property
    def kind(self) -> str:
        return self.config.kind


# --- practice.yaml ----------------------------------------------------------------------------


def _issue(file: str, message: str, **kw: Any) -> LoadIssue:
    return LoadIssue(file=file, message=message, **kw)


def read_practice_yaml(folder: Path, issues: list[LoadIssue]) -> PracticeConfig | None:
    """Read and check practice.yaml; append a clear issue per bad key and return None if unusable."""
    fname = "practice.yaml"
    path = folder / fname
    if not path.is_file():
        issues.append(_issue(fname, f"the practice folder {folder.name}/ has no practice.yaml",
                             expected="a practice.yaml file (run `dyad new` to scaffold one)"))
        return None
    try:
        raw = read_yaml(path)
    except YamlError as exc:
        issues.append(_issue(fname, str(exc), row=exc.line, expected="key: value lines, as `dyad new` writes them"))
        return None
    if not isinstance(raw, dict):
        issues.append(_issue(fname, "must be a mapping of keys to values", expected="key: value lines"))
        return None
    start = len(issues)

    def bad(key: str, msg: str, expected: str) -> None:
        issues.append(_issue(fname, f"key '{key}': {msg}", column=key, expected=expected))

    pid = raw.get("practice_id")
    if pid is None:
        bad("practice_id", "is missing", "the folder name")
    elif not isinstance(pid, str) or not PRACTICE_ID_RE.match(pid):
        bad("practice_id", f"'{pid}' is not a valid id", "lower-case letters, digits and dashes")
    elif pid != folder.name:
        bad("practice_id", f"'{pid}' differs from the folder name '{folder.name}'", f"'{folder.name}'")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", "is missing or empty", "the practice's name")
    kind = str(raw.get("kind", "")).strip().lower()
    if kind not in PRACTICE_KINDS:
        bad("kind", f"'{raw.get('kind')}' is not allowed", "dental or medical")
    fy = raw.get("fiscal_year_start_month", 1)
    if isinstance(fy, bool) or not isinstance(fy, int) or not 1 <= fy <= 12:
        bad("fiscal_year_start_month", f"'{fy}' is not a month number", "a whole number 1-12")
    apm = raw.get("active_patient_months", 18)
    if isinstance(apm, bool) or not isinstance(apm, int) or not 1 <= apm <= 120:
        bad("active_patient_months", f"'{apm}' is not a number of months", "a whole number such as 12, 18 or 36")
    date_format = raw.get("date_format")
    if date_format is not None:
        if not isinstance(date_format, str) or not all(t in date_format for t in ("%d", "%m")) or not (
            "%Y" in date_format or "%y" in date_format
        ):
            bad("date_format", f"'{date_format}' is not a full date format",
                "a format with day, month and year, such as %m/%d/%Y")
        else:
            try:
                dt.datetime(2024, 12, 31).strftime(date_format)
            except ValueError:
                bad("date_format", f"'{date_format}' is not a valid format", "such as %m/%d/%Y")
    partners = raw.get("partners") or {}
    if not isinstance(partners, dict):
        bad("partners", "must hold clinical_lead and business_lead", "clinical_lead: … and business_lead: …")
        partners = {}
    currency = str(raw.get("currency", "USD")).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        bad("currency", f"'{raw.get('currency')}' is not a currency code", "a three-letter code such as USD")
    if len(issues) > start:
        return None
    return PracticeConfig(
        practice_id=pid,
        name=clean_text(name).strip(),
        kind=kind,
        fiscal_year_start_month=fy,
        currency=currency,
        active_patient_months=apm,
        date_format=date_format if date_format not in (None, ISO_DATE) else None,
        clinical_lead=clean_text(str(partners.get("clinical_lead") or "")).strip(),
        business_lead=clean_text(str(partners.get("business_lead") or "")).strip(),
        raw=raw,
    )


# --- reading raw tables -------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """`text` with control characters and line separators as spaces (see _CONTROL_ANY)."""
    return re.sub(_CONTROL_ANY, " ", text)


def _excel_cell_to_str(v: Any) -> Any:
    """Excel cells arrive typed; dates stay datetimes (parsed as such), numbers become plain text."""
    if v is None:
        return ""
    if isinstance(v, (dt.datetime, dt.date)):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_sheet(wb: Any, sheet: str) -> pd.DataFrame:
    ws = wb[sheet]
    # at most one column past the limit is read, so a sheet 16,384 columns wide costs nothing
    rows = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
    try:
        header = next(rows)
    except StopIteration:
        return pd.DataFrame()
    header = ["" if h is None else str(h) for h in header]
    # Trailing empty header cells are formatting noise, not columns.
    while header and not header[-1].strip():
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise FileProblem(f"its header row has more than {MAX_COLUMNS} columns; a table has at most {MAX_COLUMNS}",
                          f"a header row with the table's columns (at most {MAX_COLUMNS})", row=1)
    width = len(header)
    header = [h if h.strip() else f"(unnamed column {i + 1})" for i, h in enumerate(header)]
    body = [[_excel_cell_to_str(v) for v in (r[:width] + (None,) * (width - len(r)))] for r in rows]
    df = pd.DataFrame(body, columns=header, dtype=object)
    df.insert(0, ROW_COL, np.arange(2, len(df) + 2, dtype="int64"))
    return df


# --- converting columns -------------------------------------------------------------------------

_MONEY_RE = re.compile(
    r"^\s*(?P<open>\()?\s*(?P<s1>[-+])?\s*\$?\s*(?P<s2>[-+])?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)\s*(?P<close>\))?\s*$"
)
_BOOL_MAP = {"true": True, "false": False, "yes": True, "no": False, "y": True, "n": False,
             "1": True, "0": False, "t": True, "f": False}
_ISO_RE = r"^\s*\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$"
_MONTH_RE = r"^\s*\d{4}-\d{1,2}\s*$"


def _arrow(s: pd.Series) -> Any:
    """The pyarrow array behind an arrow-backed string Series (zero-copy), else None.

    The fast paths below run pyarrow compute kernels (RE2 regexes, string->float casts) over it
    instead of a Python call per cell; object columns (workbook sheets) take the pandas path."""
    dtype = s.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        return pa.array(s.array)
    return None


def _match(t: pd.Series, pattern: str) -> pd.Series:
    """`t.str.match(pattern)` (missing -> False), via pyarrow's RE2 when the column is arrow-backed."""
    arr = _arrow(t)
    if arr is None:
        return t.str.match(pattern).fillna(False).astype(bool)
    import pyarrow.compute as pc

    anchored = pattern if pattern.startswith("^") else "^(?:" + pattern + ")"
    hit = pc.fill_null(pc.match_substring_regex(arr, anchored), False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=t.index)


def _to_float(s: pd.Series, blank: pd.Series) -> pd.Series:
    """Plain numbers as float64, NaN where blank or not a plain number (those get a closer look).

    pyarrow's cast parses a clean column in one C++ pass; it refuses the whole column at the first
    non-number (`$1,234.56`), and then pandas' to_numeric marks the odd cells one by one."""
    arr = _arrow(s)
    if arr is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            nums = pc.cast(pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr), pa.float64())
            return pd.Series(nums.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pd.to_numeric(s.where(~blank), errors="coerce").astype("float64")


class _Coercer:
    """Turns one raw column into its typed form, recording each unreadable value."""

    def __init__(self, file: str, table: str, date_format: str | None, issues: list[LoadIssue]):
        self.file, self.table, self.date_format, self.issues = file, table, date_format, issues

    def _report(self, col: str, raw: pd.Series, bad: pd.Series, rows: pd.Series, what: tuple[str, str], expected: str) -> None:
        if not bad.any():
            return
        idx = bad[bad].index
        vals = [str(v) for v in raw.loc[idx[:MAX_EXAMPLES]]]
        rws = [int(r) for r in rows.loc[idx[:MAX_EXAMPLES]]]
        n = int(bad.sum())
        one, many = what
        label = f"{n} values are not {many}" if n > 1 else f"1 value is not {one}"
        self.issues.append(LoadIssue(
            file=self.file, table=self.table, column=col, row=rws[0], rows=rws, value=vals[0],
            values=vals, count=n, message=label, expected=expected,
        ))

    @staticmethod
    def _blank(s: pd.Series) -> pd.Series:
        return s.map(lambda v: isinstance(v, str) and not v.strip()) if s.dtype == object else s.str.strip().eq("")

    def money(self, col: str, s: pd.Series, rows: pd.Series, what=("an amount of money", "amounts of money"),
              expected="a number like 1234.56, $1,234.56 or (1,234.56)") -> pd.Series:
        s = s.astype(str).str.strip()
        blank = s.eq("")
        out = _to_float(s, blank)
        # inf, Infinity, 1e309 and NaN parse as floats but are no amount: they get the closer
        # look below, which refuses them
        out = out.where(np.isfinite(out.to_numpy(dtype="float64", na_value=np.nan)))
        todo = out.isna() & ~blank
        if todo.any():
            m = s[todo].str.extract(_MONEY_RE)
            ok = m["num"].notna() & (m["open"].isna() == m["close"].isna()) & ~(m["s1"].notna() & m["s2"].notna())
            val = pd.to_numeric(m["num"].str.replace(",", "", regex=False), errors="coerce")
            neg = m["open"].notna() | m["s1"].eq("-") | m["s2"].eq("-")
            val = val.where(~neg, -val)
            out.loc[val[ok].index] = val[ok].astype("float64")
            bad = pd.Series(False, index=s.index)
            bad.loc[ok[~ok].index] = True
            self._report(col, s, bad, rows, what, expected)
        return out

    def number(self, col: str, s: pd.Series, rows: pd.Series) -> pd.Series:
        return self.money(col, s, rows, what=("a number", "numbers"), expected="a number such as 152.5")

    def integer(self, col: str, s: pd.Series, rows: pd.Series) -> pd.Series:
        before = len(self.issues)
        x = self.money(col, s, rows, what=("a whole number", "whole numbers"), expected="a whole number such as 45")
        # beyond 2**53 a float is no exact whole number (and Int64 cannot hold 1e300)
        frac = x.notna() & ((x != np.floor(x.fillna(0))) | (x.abs() > 2.0 ** 53))
        if len(self.issues) == before:
            self._report(col, s.astype(str), frac, rows, ("a whole number", "whole numbers"), "a whole number such as 45")
        x = x.where(~frac)
        return x.round().astype("Int64")

    def boolean(self, col: str, s: pd.Series, rows: pd.Series) -> pd.Series:
        t = s.astype(str).str.strip().str.lower()
        blank = t.isin(["", "nan", "none"]).to_numpy(dtype=bool)
        true = t.isin([k for k, v in _BOOL_MAP.items() if v]).to_numpy(dtype=bool)
        known = t.isin(list(_BOOL_MAP)).to_numpy(dtype=bool)
        bad = pd.Series(~known & ~blank, index=s.index)
        self._report(col, s, bad, rows, ("a yes/no value", "yes/no values"), "true/false, yes/no, y/n or 1/0")
        return pd.Series(pd.arrays.BooleanArray(true, ~known), index=s.index)

    def date(self, col: str, s: pd.Series, rows: pd.Series, *, month: bool = False) -> pd.Series:
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        if s.dtype == object:
            is_dt = s.map(lambda v: isinstance(v, (dt.datetime, dt.date)))
            if is_dt.any():
                out.loc[is_dt] = pd.to_datetime(s[is_dt].map(lambda v: dt.datetime(v.year, v.month, v.day)))
            t = s.where(~is_dt, "").astype(str).str.strip()
        else:
            t = s.astype(str).str.strip()
        blank = t.eq("")
        todo = ~blank & out.isna()
        iso = _match(t, _ISO_RE) & todo
        if iso.all():  # the usual export: every cell an ISO date, parsed in one vectorised pass
            out = pd.to_datetime(t.str.slice(0, 10), format=ISO_DATE, errors="coerce")
        elif iso.any():
            out.loc[iso] = pd.to_datetime(t[iso].str.slice(0, 10), format=ISO_DATE, errors="coerce")
        if month:
            ym = _match(t, _MONTH_RE) & todo & ~iso
            if ym.any():
                out.loc[ym] = pd.to_datetime(t[ym] + "-01", format=ISO_DATE, errors="coerce")
            iso = iso | ym
        rest = todo & ~iso
        if rest.any() and self.date_format:
            out.loc[rest] = pd.to_datetime(t[rest], format=self.date_format, errors="coerce")
        bad = ~blank & out.isna()
        fmt_words = "YYYY-MM-DD" + (f" or the declared {self.date_format}" if self.date_format else "")
        if month:
            self._report(col, t, bad, rows, ("a month", "months"), f"YYYY-MM or a date ({fmt_words})")
            out = out.dt.to_period("M").dt.to_timestamp()
        else:
            hint = "" if self.date_format else " (declare date_format in practice.yaml if your exports use another format)"
            serial = t[bad].str.fullmatch(r"\d{5}(\.\d+)?")
            if len(serial) and serial.all():
                hint = " (these look like spreadsheet date serial numbers: format the column as dates)"
            self._report(col, t, bad, rows, ("a date", "dates"), fmt_words + hint)
            out = out.dt.normalize()
        return out.astype("datetime64[ns]")

    @staticmethod
    def text(s: pd.Series, free: bool = False) -> pd.Series:
        """Stripped text; blank cells become missing so not-null checks see them. Control
        characters and line separators become spaces (line breaks stay in free text)."""
        t = s.astype("str")
        control = _CONTROL if free else _CONTROL_ANY
        if t.str.contains(control, regex=True).fillna(False).any():
            t = t.str.replace(control, " ", regex=True)
        t = t.str.strip()
        return t.where(t.ne("") & t.notna(), None).astype("str")

    @classmethod
    def code(cls, s: pd.Series) -> pd.Series:
        return cls.text(s).str.lower()


def coerce_table(table: Table, df: pd.DataFrame, file: str, date_format: str | None,
                 issues: list[LoadIssue]) -> tuple[pd.DataFrame | None, list[str], list[str]]:
    """Type a raw all-text table per the contract; None when a required column is missing."""
    renamed: dict[str, str] = {}
    seen: dict[str, str] = {}
    for c in df.columns:
        if c == ROW_COL:
            continue
        key = str(c).strip().lower()
        if key in seen:
            issues.append(_issue(file, f"the column '{key}' appears twice ('{seen[key]}' and '{c}')",
                                 table=table.name, column=key, row=1, expected="each column once"))
            return None, [], []
        seen[key] = str(c)
        renamed[c] = key
    df = df.rename(columns=renamed)
    # Fully blank rows (trailing lines, spacer rows) are not records.
    data_cols = [c for c in df.columns if c != ROW_COL]
    if len(df) and data_cols:
        filled = np.zeros(len(df), dtype=bool)
        for c in data_cols:
            col = df[c]
            filled |= ~(col.isna() | col.astype(str).str.strip().isin(["", "nan", "None"])).to_numpy(dtype=bool)
            if filled.all():  # usually after the first column: no need to scan the others
                break
        if not filled.all():
            df = df[filled]
    missing = [c for c in table.required_columns if c not in df.columns]
    if missing:
        found = ", ".join(c for c in df.columns if c != ROW_COL) or "no columns"
        for c in missing:
            near = [f for f in df.columns if f.replace(" ", "_") == c]
            hint = f" (a column '{near[0]}' is there: rename it to '{c}')" if near else ""
            issues.append(_issue(file, f"the required column '{c}' is missing{hint}; the file has: {found}",
                                 table=table.name, column=c, row=1,
                                 expected=f"a header row with {', '.join(table.required_columns)}"))
        return None, [], []
    co = _Coercer(file, table.name, date_format, issues)
    rows = df[ROW_COL]
    out = pd.DataFrame({ROW_COL: rows.astype("int64")}, index=df.index)
    missing_optional = []
    extra = [c for c in df.columns if c != ROW_COL and c not in table.column_names]
    for col in table.columns:
        if col.name not in df.columns:
            missing_optional.append(col.name)
            s = pd.Series([""] * len(df), index=df.index, dtype=object)
        else:
            # take the raw column out of the frame: once typed, its text is freed (a large table
            # then never holds all its raw text and all its typed columns at the same time)
            s = df.pop(col.name)
        k = col.kind
        if k == "money":
            out[col.name] = co.money(col.name, s, rows)
        elif k == "number":
            out[col.name] = co.number(col.name, s, rows)
        elif k == "integer":
            out[col.name] = co.integer(col.name, s, rows)
        elif k == "bool":
            out[col.name] = co.boolean(col.name, s, rows)
        elif k in ("date", "month"):
            out[col.name] = co.date(col.name, s, rows, month=(k == "month"))
        elif k in ("enum", "metric"):
            out[col.name] = co.code(s)
        else:
            out[col.name] = co.text(s, free=k == "text")
    return out.reset_index(drop=True), missing_optional, extra


# --- the practice ---------------------------------------------------------------------------------


def _workbook_problem(path: Path) -> str | None:
    """Why a workbook cannot be opened, told from its first bytes (openpyxl only says BadZipFile)."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return ("is protected with a password (or is an old .xls file renamed to .xlsx): open it in Excel, "
                "remove the password under File › Info › Protect Workbook, and save it as .xlsx")
    if not magic.startswith(b"PK\x03\x04"):
        return "is not an Excel .xlsx workbook (its content is not a workbook)"
    return None


def _by_name(paths: list[Path], key: Any) -> tuple[dict[str, Path], list[list[Path]]]:
    """Group files by `key(path)`; names that differ only in case (or spaces) are a clash, not a
    choice: which one a file system lists first is chance."""
    groups: dict[str, list[Path]] = {}
    for p in sorted(paths, key=lambda p: p.name):
        groups.setdefault(key(p), []).append(p)
    return {k: v[0] for k, v in groups.items() if len(v) == 1}, [v for v in groups.values() if len(v) > 1]


def _table_hint(name: str, candidates: list[str]) -> str:
    """' (a sheet 'Financials 2026' is there: rename it to 'financials')' when a name is close."""
    near = [c for c in candidates if c.strip().lower().replace(" ", "_").startswith(name)]
    return f" ({near[0]!r} is there: rename it to '{name}')" if near else ""


def load_practice(practice_id: str, data_dir: str | os.PathLike | None = None, *,
                  collect: bool = False) -> Practice:
    """Read practice.yaml and every table present (CSV or workbook sheet) into typed DataFrames.

    With ``collect=False`` (the default) a blocking problem raises :class:`PracticeDataError`
    listing all of them; with ``collect=True`` the problems are returned on ``Practice.issues``
    and every table that could be read is kept (unreadable values become missing, rows whose
    values would land in the wrong columns are left out), so validation can report everything at
    once. No example value that may be a patient identifier is kept in an issue. Nothing is ever
    written into the data folder.
    """
    folder = practice_dir(practice_id, data_dir)
    issues: list[LoadIssue] = []
    if not folder.is_dir():
        raise PracticeDataError([_issue(practice_id, f"no practice folder named '{practice_id}' in the data folder",
                                        expected="a folder data/<practice_id>/ with practice.yaml (see `dyad new`)")])
    config = read_practice_yaml(folder, issues)
    date_format = config.date_format if config else None
    if config is None:
        config = PracticeConfig(practice_id=practice_id, name=practice_id, kind="dental")
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, TableSource] = {}

    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", "."))]
    csvs, clashes = _by_name([p for p in files if p.suffix.lower() == ".csv"], lambda p: p.stem.strip().lower())
    books, book_clashes = _by_name([p for p in files if p.suffix.lower() == ".xlsx"
                                    and p.stem.strip().lower() == practice_id.lower()], lambda p: "book")
    clashed = set()
    for group in clashes + book_clashes:
        names = " and ".join(p.name for p in group)
        key = group[0].stem.strip().lower()
        clashed.add(key)
        issues.append(_issue(group[0].name, f"{names} differ only in the case of their names; dyad cannot tell "
                             "which one is current", table=key if key in TABLES else None,
                             expected="one file per table (delete or rename the others)"))
    workbook = books.get("book")
    sheets: dict[str, str] = {}
    wb = None
    if workbook is not None:
        why = _workbook_problem(workbook)
        if why is None:
            try:
                import openpyxl

                wb = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
            except Exception as exc:  # a damaged workbook
                why = f"cannot be opened as an Excel workbook ({type(exc).__name__}: it may be damaged)"
        if why is not None:
            issues.append(_issue(workbook.name, why, expected="an .xlsx file saved by Excel or LibreOffice"))
        else:
            visible, hidden = [], []
            for name in wb.sheetnames:
                (hidden if getattr(wb[name], "sheet_state", "visible") != "visible" else visible).append(name)
            sheets, sheet_clashes = _by_name([Path(n) for n in visible], lambda p: p.name.strip().lower())
            sheets = {k: v.name for k, v in sheets.items()}
            for group in sheet_clashes:
                key = group[0].name.strip().lower()
                clashed.add(key)
                issues.append(_issue(workbook.name, "the sheets " + " and ".join(f"'{g.name}'" for g in group)
                                     + " differ only in case; dyad cannot tell which one is current",
                                     table=key if key in TABLES else None, expected="one sheet per table"))
            for name in hidden:
                if name.strip().lower() in TABLES:
                    issues.append(_issue(f"{workbook.name} › {name}", "this sheet is hidden, so it was not read "
                                         "(a hidden sheet is usually an old copy)", table=name.strip().lower(),
                                         severity="warning",
                                         expected="the current data in a visible sheet; unhide the sheet if it is "
                                                  "current, or delete it"))
    candidates = [p.name for p in files if p.suffix.lower() == ".csv"] + list(sheets.values())
    try:
        for name, table in TABLES.items():
            if name in clashed:
                continue
            in_csv, in_wb = name in csvs, name in sheets
            if in_csv and in_wb:
                issues.append(_issue(csvs[name].name, f"the table {name} is given twice: as {csvs[name].name} "
                                     f"and as the sheet '{sheets[name]}' of {workbook.name}",
                                     table=name, expected="one of the two (remove the other)"))
                continue
            if not (in_csv or in_wb):
                if table.required:
                    issues.append(_issue(f"{name}.csv", f"the required table {name} is missing"
                                         + _table_hint(name, candidates), table=name,
                                         expected=f"{name}.csv or a sheet '{name}' in {practice_id}.xlsx"))
                continue
            if in_csv:
                path = csvs[name]
                fname, rel, sheet = path.name, path.name, None
                try:
                    raw, meta = read_csv(path)
                except FileProblem as exc:
                    issues.append(_issue(fname, str(exc), table=name, row=exc.row, expected=exc.expected))
                    continue
            else:
                sheet = sheets[name]
                fname, rel = f"{workbook.name} › {sheet}", workbook.name
                try:
                    raw = _read_sheet(wb, sheet)
                except FileProblem as exc:
                    issues.append(_issue(fname, str(exc), table=name, row=exc.row, expected=exc.expected))
                    continue
                meta = {"encoding": None, "delimiter": None, "empty": raw.shape[1] <= 1 and raw.empty}
            if meta.get("empty"):
                issues.append(_issue(fname, "is empty", table=name,
                                     expected=f"a header row ({', '.join(table.required_columns)}) and data rows"))
                continue
            _shape_issues(fname, name, meta, issues)
            # hand the raw frame over (no reference kept here) so coerce_table can free it column by column
            held = [raw]
            del raw
            typed, missing_opt, extra = coerce_table(table, held.pop(), fname, date_format, issues)
            if typed is None:
                continue
            tables[name] = typed
            sources[name] = TableSource(name, fname, rel, sheet, meta.get("encoding"), meta.get("delimiter"),
                                        len(typed), missing_opt, extra)
    finally:
        if wb is not None:
            wb.close()
    if any(i.values or i.value is not None for i in issues):
        hide_private(issues, private_values(tables))
    practice = Practice(practice_id, folder, config, tables, sources, issues)
    if not collect and any(i.severity == "blocking" for i in issues):
        raise PracticeDataError(issues)
    return practice


def _shape_issues(fname: str, table: str, meta: dict[str, Any], issues: list[LoadIssue]) -> None:
    """Rows left out for a wrong number of values; lines of a mixed-encoding file."""
    ragged = meta.get("ragged") or []
    if ragged:
        n, width = len(ragged), meta.get("width")
        issues.append(LoadIssue(
            file=fname, table=table, row=ragged[0], rows=ragged[:MAX_EXAMPLES], count=n,
            message=(f"{n} row{'s' if n > 1 else ''} {'have' if n > 1 else 'has'} a different number of values "
                     f"than the header has columns ({width}), so {'their' if n > 1 else 'its'} values would land "
                     f"in the wrong columns; {'they were' if n > 1 else 'it was'} left out"),
            expected="one value per column on every row: put quotes around a value that holds the delimiter, "
                     "and leave no value out"))
    lines = meta.get("cp1252_lines") or []
    if lines:
        shown = ", ".join(str(x) for x in lines[:MAX_EXAMPLES]) + (" …" if len(lines) > MAX_EXAMPLES else "")
        issues.append(LoadIssue(
            file=fname, table=table, severity="warning", count=len(lines),
            message=f"mixes UTF-8 with Windows cp1252 text (line{'s' if len(lines) > 1 else ''} {shown} "
                    "read as cp1252); check the accented letters on those lines",
            expected="one encoding for the whole file: save it again as 'CSV UTF-8'"))
