"""Validate a practice with Great Expectations and summarise every problem in one report.

`validate_practice()` loads the folder with `load_practice(collect=True)`, so values the loader
cannot read (and missing columns, empty files, a bad practice.yaml) and rule failures found by the
GX suites of `dyad_lib.data.suites` land in ONE `ValidationReport`: a consultant sees every problem of a
client's delivery in one pass. Failures quote spreadsheet rows (the loader's `_row`) and up to
five example values, blocking ones first.

great_expectations is imported lazily and the ephemeral context, suites and validation
definitions are built once per process (`engine()`), because the import alone costs ~4.5 s.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dyad_lib import __version__
from dyad_lib.data.contract import PROVIDER_TABLES, TABLES, known_metric_id
from dyad_lib.data.goalsfile import GOALS_FILE, GoalsFileError, read_goals_file
from dyad_lib.data.load import ROW_COL, LoadIssue, Practice, load_practice, private_values
from dyad_lib.data.paths import UnknownPracticeError, practice_dir  # noqa: F401  (raised for an unknown id)
from dyad_lib.data.suites import (BLOCKING, COVERAGE, METRIC_UNKNOWN, PAYER_SPLIT, PROVIDER_UNLISTED, SUITE_VERSION,
                                  suite_specs)

MAX_SHOWN = 5
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_COL]}
COVERAGE_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["month"]}
#: Columns whose values never appear as examples: patient identifiers never leave the library.
PRIVATE_COLUMNS = frozenset({"patient_id"})
#: Where practice.yaml and goals.yaml problems are filed in the summary.
PRACTICE_TABLE = "practice"
GOALS_TABLE = "goals"
_ORDER = {name: i for i, name in enumerate((PRACTICE_TABLE, *TABLES, GOALS_TABLE))}


# --- the report ---------------------------------------------------------------------------------


@dataclass
class Failure:
    """One problem, in words a practice manager can act on."""

    table: str
    file: str
    severity: str
    check: str
    columns: list[str]
    unexpected_count: int
    examples: list[str]
    rows: list[int]
    explanation: str
    fix: str
    message: str
    source: str = "rule"  # "load" (could not be read) or "rule" (a GX expectation failed)
    expectation: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TableSummary:
    """Per-table line of the summary."""

    name: str
    file: str
    rows: int | None
    date_range: list[str] | None
    checks: int = 0
    failed: int = 0
    blocking: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "name"}


@dataclass
class ValidationReport:
    """Everything wrong (or fine) with one practice's files; `ok` means nothing blocks."""

    practice_id: str
    practice_name: str
    kind: str
    fingerprint: str
    tables: dict[str, TableSummary]
    failures: list[Failure]
    load_issues: list[dict[str, Any]]
    missing_tables: list[dict[str, str]]
    suite_version: str = SUITE_VERSION
    validated_at: str = ""
    gx_version: str | None = None
    dyad_version: str = __version__
    practice: Practice | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.failures)

    @property
    def blocking(self) -> list[Failure]:
        return [f for f in self.failures if f.blocking]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if not f.blocking]

    def to_dict(self) -> dict[str, Any]:
        return {
            "practice_id": self.practice_id,
            "practice_name": self.practice_name,
            "kind": self.kind,
            "fingerprint": self.fingerprint,
            "suite_version": self.suite_version,
            "dyad_version": self.dyad_version,
            "gx_version": self.gx_version,
            "validated_at": self.validated_at,
            "ok": self.ok,
            "blocking_count": len(self.blocking),
            "warning_count": len(self.warnings),
            "tables": {name: t.to_dict() for name, t in self.tables.items()},
            "failures": [f.to_dict() for f in self.failures],
            "load_issues": self.load_issues,
            "missing_tables": self.missing_tables,
        }


# --- the GX engine (built once per process) -----------------------------------------------------


@dataclass
class Engine:
    context: Any
    definitions: dict[str, Any]
    gx_version: str
    #: For big frames: per table, the whole suite split into one definition for the table-level
    #: checks (run on the frame as it is), one per column for that column's checks and one per
    #: row-filtering check, each run on just the columns it reads: GX copies the whole frame it is
    #: given for a row_condition, a pair's missing-value filter, and every column check on a column
    #: with blanks (it first drops the rows where the column is blank), so a narrow frame makes that
    #: copy one or two columns instead of all of them. Entries: (definition, columns, positions of
    #: its expectations in GX's result order). Built on first use (`split_parts`): only a big
    #: table needs them, and defining them all costs most of a second.
    split: dict[str, list[tuple[Any, list[str] | None, list[int]]]] = field(default_factory=dict)
    define: Any = None

    def split_parts(self, name: str) -> list[tuple[Any, list[str] | None, list[int]]]:
        if name not in self.split:
            self.split[name] = _split_definitions(self, name)
        return self.split[name]


#: Frames with at least this many rows are validated through `Engine.split` (same results, faster).
SPLIT_ROWS = 50_000

_ENGINE: Engine | None = None


def _filters_rows(exp: dict[str, Any]) -> bool:
    kw = exp["kwargs"]
    return bool(kw.get("row_condition")) or "column_A" in kw or "column_list" in kw


def _columns_read(exp: dict[str, Any]) -> list[str]:
    import re

    kw = exp["kwargs"]
    cols = [kw[k] for k in ("column", "column_A", "column_B") if k in kw] + list(kw.get("column_list", []))
    cond = kw.get("row_condition") or ""
    cols += [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"\"[^\"]*\"", "", cond))
             if w not in ("in", "and", "or", "not", "True", "False", "None")]
    return list(dict.fromkeys([*cols, ROW_COL]))


def _gx_order(exps: list[dict[str, Any]]) -> list[int]:
    """Where GX puts each expectation in its results: grouped by `column` in order of first
    appearance, column-less ones as one group (Validator.process_expectations_for_validation).
    Split results are put back in this order so both ways report failures identically."""
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(exps):
        col = e["kwargs"].get("column")
        groups.setdefault(col if isinstance(col, str) else "\0none", []).append(i)
    order = [i for g in groups.values() for i in g]
    pos = [0] * len(exps)
    for p, i in enumerate(order):
        pos[i] = p
    return pos


def engine() -> Engine:
    """The ephemeral GX context with one suite and validation definition per table (cached)."""
    global _ENGINE
    if _ENGINE is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from dyad_lib.data.suites import build_suites

        _cheap_batch_fingerprint()
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_pandas("dyad")

        def define(name: str, suite: Any, table: str | None = None) -> Any:
            """A suite and its validation definition; a split part (`table` given) runs on its
            table's batch definition (a new asset would make GX re-serialize its whole config)."""
            suite = context.suites.add(suite)
            batch = (source.get_asset(table).get_batch_definition("whole") if table else
                     source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole"))
            return context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite))

        definitions = {name: define(name, suite) for name, suite in build_suites().items()}
        _ENGINE = Engine(context, definitions, gx.__version__, {}, define)
    return _ENGINE


def _split_definitions(eng: Engine, name: str) -> list[tuple[Any, list[str] | None, list[int]]]:
    """A table's suite as the parts described at `Engine.split`."""
    import json

    import great_expectations as gx

    spec = suite_specs()[name]
    exps = spec["expectations"]
    narrow = [i for i, e in enumerate(exps) if _filters_rows(e)]
    by_column: dict[str, list[int]] = {}
    for i, e in enumerate(exps):
        col = e["kwargs"].get("column")
        if i not in narrow and isinstance(col, str):
            by_column.setdefault(col, []).append(i)
    table_level = [i for i in range(len(exps)) if i not in narrow and not isinstance(exps[i]["kwargs"].get("column"), str)]
    pos = _gx_order(exps)
    parts: list[tuple[list[int], list[str] | None]] = ([(table_level, None)] if table_level else []) + [
        (idx, [col, ROW_COL]) for col, idx in by_column.items()] + [([i], _columns_read(exps[i])) for i in narrow]
    out = []
    for k, (idx, cols) in enumerate(parts):
        part = {**json.loads(json.dumps(spec)), "name": f"{name}__part{k}",
                "expectations": [json.loads(json.dumps(exps[i])) for i in idx]}
        out.append((eng.define(f"{name}__part{k}", gx.ExpectationSuite(**part), name), cols, [pos[i] for i in idx]))
    return out


#: First pass: pass/fail only (GX then skips the unexpected-row metrics, about a third of its work).
QUICK_FORMAT = {"result_format": "BOOLEAN_ONLY"}


#: Expectations whose outcome depends only on which values are equal and which are missing.
_EQUALITY_ONLY = frozenset({"expect_column_values_to_not_be_null", "expect_column_values_to_be_unique",
                            "expect_compound_columns_to_be_unique"})
_UNIQUENESS = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})


def _encodable(name: str) -> list[str]:
    """The text columns of a suite that only uniqueness and not-null checks read (ids)."""
    checks: dict[str, set[str]] = {}
    for e in suite_specs().get(name, {}).get("expectations", []):
        for col in _columns_read(e):
            checks.setdefault(col, set()).add(e["type"])
    return [c for c, types in checks.items() if types <= _EQUALITY_ONLY and types & _UNIQUENESS]


def _quick_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame for the pass/fail pass: an id column checked only for being present and unique,
    whose values are short ASCII (at most 9 characters, ids like A00000001), is given as one
    64-bit integer per value (`_packed_ids`). Equal ids give equal integers and different ids
    different ones, a missing id stays missing, so the outcome is the same, and GX finds the
    duplicates among two million integers in a fraction of the time and memory strings take. The
    full pass, which quotes values, always gets the text."""
    packed = {}
    for col in _encodable(name):
        s = frame.get(col)
        if s is not None:
            ints = _packed_ids(s)
            if ints is not None:
                packed[col] = ints
    return frame.assign(**packed) if packed else frame


#: Characters an id may have to be packed into 63 bits (7 bits each).
PACKED_WIDTH = 9


def _packed_ids(s: pd.Series) -> pd.Series | None:
    """Each value as the number its characters spell in base 128, padded at the end with NULs:
    ASCII characters are 1..127 (no id holds a NUL: the loader makes control characters spaces),
    so the padded string and the number determine each other, and nine characters fit in 63 bits.
    None when a value is longer, not ASCII or holds a NUL, or the column is not arrow-backed text."""
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow") or not len(s):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s.array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if arr.null_count == len(arr):
        return None
    longest = pc.max(pc.binary_length(arr)).as_py()
    if longest is None or longest > PACKED_WIDTH or not pc.all(pc.string_is_ascii(arr)).as_py() \
            or pc.any(pc.match_substring(arr, "\x00")).as_py():
        return None
    fixed = pc.ascii_rpad(arr, width=PACKED_WIDTH, padding="\x00").cast(pa.binary(PACKED_WIDTH))
    raw = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)
    raw = raw[fixed.offset * PACKED_WIDTH:(fixed.offset + len(fixed)) * PACKED_WIDTH].reshape(-1, PACKED_WIDTH)
    values = np.zeros(len(fixed), dtype=np.int64)
    for j in range(PACKED_WIDTH):  # one byte column at a time: no n x 9 int64 temporary
        values *= 128
        values += raw[:, j]
    missing = s.isna().to_numpy(dtype=bool)
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=s.index)


def _run_suite(eng: Engine, name: str, frame: pd.DataFrame) -> list[Any]:
    """The suite's expectation results for one frame, in GX's order.

    A clean table (the usual case) is checked once with BOOLEAN_ONLY (short ids as integers,
    see `_quick_frame`); only a table with a failing check is checked again with the full format that
    lists the rows and values. Passing results carry nothing else the summary uses, so the report
    is the same either way (tested)."""
    quick = _run_suite_as(eng, name, _quick_frame(name, frame), QUICK_FORMAT)
    if all(r.success for r in quick):
        return quick
    return _run_suite_as(eng, name, frame, COVERAGE_FORMAT if name == COVERAGE else RESULT_FORMAT)


def _run_definition(vd: Any, frame: pd.DataFrame, fmt: dict[str, Any]) -> list[Any]:
    """A validation definition's expectation results on `frame`: the validator
    `ValidationDefinition.run` uses, without the rest of `run`, which also serializes every result
    into the context's results store (kept in memory for the process's life: a batch orchestrator
    grew by ~0.3 MB per practice, and storing cost ~8% of validating a large practice)."""
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(batch_definition=vd.batch_definition, batch_parameters={"dataframe": frame},
                          result_format=fmt)
    return list(validator.validate_expectation_suite(vd.suite, None).results)


def _run_suite_as(eng: Engine, name: str, frame: pd.DataFrame, fmt: dict[str, Any]) -> list[Any]:
    if len(frame) < SPLIT_ROWS or name not in eng.definitions:
        return _run_definition(eng.definitions[name], frame, fmt)
    ordered: list[tuple[int, Any]] = []
    for vd, cols, idx in eng.split_parts(name):
        part = frame if cols is None else frame[[c for c in cols if c in frame.columns]]
        ordered += zip(idx, _run_definition(vd, part, fmt))
    return [r for _, r in sorted(ordered, key=lambda x: x[0])]


def _cheap_batch_fingerprint() -> None:
    """GX hashes every value of a runtime DataFrame (`hash_pandas_object`) only to store it as a
    batch marker; on a 2-million-row table that is seconds per validation. Our batches are
    in-memory frames whose provenance is the input-file fingerprint, so a shape/schema digest
    is an honest marker and validation results do not depend on it."""
    import hashlib

    from great_expectations.execution_engine import pandas_execution_engine as pee

    def fingerprint(df: pd.DataFrame) -> str:
        schema = f"{df.shape}|{list(map(str, df.columns))}|{list(map(str, df.dtypes))}"
        return hashlib.md5(schema.encode(), usedforsecurity=False).hexdigest()

    if hasattr(pee, "hash_pandas_dataframe"):
        pee.hash_pandas_dataframe = fingerprint


# --- validation frames ------------------------------------------------------------------------------


def _last_financial_day(practice: Practice) -> pd.Timestamp | None:
    fin = practice.tables.get("financials")
    if fin is None or fin["month"].dropna().empty:
        return None
    return fin["month"].max() + pd.offsets.MonthEnd(0)


def _unknown_metrics(ids: pd.Series, measures: set[str]) -> pd.Series:
    """The metric_id of each row that names no known metric, else missing (for `metric_id.known`)."""
    unknown = [isinstance(v, str) and not known_metric_id(v, measures) for v in ids.tolist()]
    return ids.where(pd.Series(unknown, index=ids.index, dtype=bool), None).astype(object)


def validation_frames(practice: Practice) -> dict[str, pd.DataFrame]:
    """Each loaded table plus the derived columns its cross-column/cross-table rules read,
    and the per-month `coverage` frame (first to last financial month)."""
    frames: dict[str, pd.DataFrame] = {}
    end = _last_financial_day(practice)
    quality = practice.tables.get("quality_measures")
    measures = set(quality["measure_id"].dropna().astype(str)) if quality is not None else set()
    providers = practice.tables.get("providers")
    listed = set(providers["provider_id"].dropna().astype(str)) if providers is not None else None
    for name, df in practice.tables.items():
        # GX's range check is vectorised only for numpy int/float columns and falls back to a Python
        # call per cell for nullable Int64; float64 holds these counts exactly (missing -> NaN).
        ints = [c for c in df.columns if str(df[c].dtype) == "Int64"]
        if ints:
            df = df.astype({c: "float64" for c in ints})
        if name == "financials":
            df = df.assign(_uses_providers=bool(df["provider_id"].notna().any()))
            if {"patient_collections", "insurance_collections"} <= set(df.columns):
                df = df.assign(**{PAYER_SPLIT: (df["patient_collections"] + df["insurance_collections"]).round(2)})
        elif name == "appointments":
            df = df.assign(_data_end=pd.Series(end if end is not None else pd.NaT, index=df.index,
                                               dtype="datetime64[ns]"))
        if "metric_id" in df.columns:
            df = df.assign(**{METRIC_UNKNOWN: _unknown_metrics(df["metric_id"], measures)})
        if name in PROVIDER_TABLES:
            ids = df["provider_id"]
            unlisted = ids.notna() & ~ids.isin(listed) if listed is not None else pd.Series(False, index=df.index)
            df = df.assign(**{PROVIDER_UNLISTED: ids.where(unlisted, None).astype(object)})
        frames[name] = df
    fin = practice.tables.get("financials")
    if fin is not None and not fin["month"].dropna().empty:
        months = pd.period_range(fin["month"].min(), fin["month"].max(), freq="M")
        cov = pd.DataFrame({"month": pd.Series([str(m) for m in months], dtype="str")})
        period = lambda s: set(s.dropna().dt.to_period("M").astype(str))  # noqa: E731
        cov["in_financials"] = cov["month"].isin(period(fin["month"]))
        for t in ("expenses", "capacity"):
            df = practice.tables.get(t)
            cov[f"in_{t}"] = (cov["month"].isin(period(df["month"])).astype("boolean")
                              if df is not None and len(df) else pd.array([pd.NA] * len(cov), dtype="boolean"))
        cov[ROW_COL] = np.arange(len(cov), dtype="int64")
        frames[COVERAGE] = cov
    return frames


# --- formatting --------------------------------------------------------------------------------------


def fmt_value(v: Any, month: bool = False) -> str:
    """A cell value as a person would type it (dates as YYYY-MM-DD, months as YYYY-MM, 1200.0 as 1200)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return "(blank)"
    if isinstance(v, (pd.Timestamp, dt.datetime, np.datetime64)):
        ts = pd.Timestamp(v)
        return "(blank)" if pd.isna(ts) else ts.strftime("%Y-%m" if month else "%Y-%m-%d")
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "(blank)"
        return str(int(v)) if float(v).is_integer() else f"{float(v):g}"
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


def _is_month(table: str, column: str) -> bool:
    t = TABLES.get(table)
    return bool(t and column in t.column_names and t.column(column).kind == "month")


def plural(problem: str, n: int) -> str:
    one = n == 1
    return problem.format(n=n, s="" if one else "s", are="is" if one else "are", have="has" if one else "have")


def _rows_text(rows: list[int], count: int) -> str:
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows)
    more = f" and {count - len(rows)} more" if count > len(rows) else ""
    return f" — row{'s' if count > 1 else ''} {shown}{more}"


def _message(columns: list[str], problem: str, rows: list[int], count: int, examples: list[str]) -> str:
    head = f"{', '.join(columns)}: " if columns else ""
    ex = ""
    if examples:
        ex = (": " if rows else " — ") + ", ".join(f"'{e}'" for e in examples)
    return f"{head}{problem}{_rows_text(rows, count)}{ex}"


# --- load issues -> failures -------------------------------------------------------------------------


def _load_failure(issue: LoadIssue) -> Failure:
    table = issue.table or (PRACTICE_TABLE if issue.file == "practice.yaml" else issue.file)
    rows = [int(r) for r in (issue.rows or ([issue.row] if issue.row is not None else []))][:MAX_SHOWN]
    values = [str(v) for v in (issue.values or ([issue.value] if issue.value is not None else []))][:MAX_SHOWN]
    problem = issue.message
    columns = [issue.column] if issue.column else []
    hidden = issue.hidden
    if issue.column in PRIVATE_COLUMNS:
        values, hidden = [], 0
    if hidden:
        problem += (f" ({'the value is' if hidden == 1 else f'{hidden} values are'} not shown: "
                    f"{'it looks' if hidden == 1 else 'they look'} like a patient identifier)")
    if values or (issue.column and rows and rows != [1]):
        explanation = ("Values that cannot be read are treated as missing, so every figure built on them "
                       "would be wrong.")
    else:
        explanation = f"{issue.file} cannot be used as it is: {issue.message}."
    fix = f"Correct the file: expected {issue.expected}." if issue.expected else "Correct the file and run again."
    if table == PRACTICE_TABLE and issue.column:
        message = f"practice.yaml {issue.message}"
    else:
        message = _message(columns, problem, rows if rows != [1] else [], issue.count, values)
    return Failure(table=table, file=issue.file, severity=issue.severity, check="readable", columns=columns,
                   unexpected_count=int(issue.count), examples=values, rows=rows, explanation=explanation,
                   fix=fix, message=message, source="load")


# --- GX results -> failures --------------------------------------------------------------------------


def _result_failure(result: Any, frame_name: str, practice: Practice, hides: Any = None) -> Failure | None:
    cfg = result.expectation_config
    meta = cfg.meta or {}
    table = meta.get("table", frame_name)
    src = practice.sources.get(table)
    file = src.file if src else f"{table}.csv"
    severity = meta.get("severity", BLOCKING)
    columns = list(meta.get("columns", []))
    raised = (result.exception_info or {}).get("raised_exception")
    if raised:
        msg = str((result.exception_info or {}).get("exception_message") or "").strip().splitlines()
        return Failure(table=table, file=file, severity=BLOCKING, check=meta.get("check", cfg.type),
                       columns=columns, unexpected_count=0, examples=[], rows=[],
                       explanation=f"This check could not run ({msg[0] if msg else 'error'}).",
                       fix="Check the column's values; if they look right, report this to the dyad maintainers.",
                       message=f"{', '.join(columns) + ': ' if columns else ''}the check '{meta.get('check')}' could not run",
                       expectation=cfg.type)
    if result.success:
        return None
    res = result.result or {}
    index_list = res.get("unexpected_index_list") or []
    count = res.get("unexpected_count")
    count = int(count) if count is not None else max(len(index_list), 1)
    kw = cfg.kwargs
    rows: list[int] = []
    examples: list[str] = []
    if frame_name == COVERAGE:
        examples = [str(e.get("month")) for e in index_list][:MAX_SHOWN]
    else:
        rows = sorted({int(e[ROW_COL]) for e in index_list if e.get(ROW_COL) is not None})[:MAX_SHOWN]
        if cfg.type == "expect_column_pair_values_a_to_be_greater_than_b":
            shown = [c for c in (kw["column_B"], kw["column_A"]) if not c.startswith("_")]
            examples = [", ".join(f"{c}={fmt_value(e.get(c), _is_month(table, c))}" for c in shown)
                        for e in index_list[:MAX_SHOWN]]
        elif cfg.type == "expect_compound_columns_to_be_unique":
            examples = list(dict.fromkeys(" / ".join(fmt_value(e.get(c), _is_month(table, c)) for c in kw["column_list"])
                                          for e in index_list))[:MAX_SHOWN]
        elif cfg.type != "expect_column_values_to_not_be_null" and "column" in kw:
            col = kw["column"]
            examples = list(dict.fromkeys(fmt_value(e.get(col), _is_month(table, col)) for e in index_list))[:MAX_SHOWN]
    if PRIVATE_COLUMNS & set(_kw_columns(kw)):
        examples = []
    problem = plural(meta.get("problem", cfg.type), count)
    if hides is not None and any(hides(e) for e in examples):
        n = sum(1 for e in examples if hides(e))
        examples = [e for e in examples if not hides(e)]
        problem += (f" ({'one example is' if n == 1 else f'{n} examples are'} not shown: "
                    f"{'it looks' if n == 1 else 'they look'} like a patient identifier)")
    return Failure(table=table, file=file, severity=severity, check=meta.get("check", cfg.type), columns=columns,
                   unexpected_count=count, examples=examples, rows=rows, explanation=meta.get("why", ""),
                   fix=meta.get("fix", ""), message=_message(columns, problem, rows, count, examples),
                   expectation=cfg.type)


def _kw_columns(kw: dict[str, Any]) -> list[str]:
    cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B"), *(kw.get("column_list") or [])]
    return [c for c in cols if c]


def _goals_failures(practice: Practice) -> list[Failure]:
    """goals.yaml, when there is one, must be usable by every report that reads its goal lines."""
    try:
        read_goals_file(practice.folder / GOALS_FILE)
    except GoalsFileError as exc:
        problem = str(exc).removeprefix(f"{GOALS_FILE}: ")
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror})"
    else:
        return []
    return [Failure(table=GOALS_TABLE, file=GOALS_FILE, severity=BLOCKING, check="readable", columns=[],
                    unexpected_count=1, examples=[], rows=[],
                    explanation="Every report reads the goals the partners agreed from goals.yaml, so no report "
                                "can be made while it cannot be read.",
                    fix="Correct goals.yaml as the message says, or move it out of the folder and commit the "
                        "goals again with `dyad goals --commit`.",
                    message=problem, source="load")]


def _drop_double_counted(failures: list[Failure], load: list[Failure]) -> list[Failure]:
    """A value the loader could not read is also blank for the not-null rule: say it once."""
    out = []
    for f in failures:
        if f.expectation == "expect_column_values_to_not_be_null" and f.check.endswith(".not_blank"):
            same = [lf for lf in load if lf.table == f.table and lf.columns == f.columns and lf.rows]
            unread = sum(lf.unexpected_count for lf in same)
            if same and f.unexpected_count <= unread:
                continue
            if same:
                known = {r for lf in same for r in lf.rows}
                f.unexpected_count -= unread
                f.rows = [r for r in f.rows if r not in known]
                cols = f.columns
                f.message = _message(cols, plural(suite_problem(f), f.unexpected_count), f.rows,
                                     f.unexpected_count, f.examples)
        out.append(f)
    return out


def suite_problem(f: Failure) -> str:
    for e in suite_specs()[f.table]["expectations"]:
        if e["meta"]["check"] == f.check:
            return e["meta"]["problem"]
    return f.check


def _date_range(table: str, df: pd.DataFrame) -> list[str] | None:
    for col in TABLES[table].columns:
        if col.kind in ("month", "date") and col.required and col.name in df:
            s = df[col.name].dropna()
            if s.empty:
                return None
            fmt = "%Y-%m" if col.kind == "month" else "%Y-%m-%d"
            return [s.min().strftime(fmt), s.max().strftime(fmt)]
    return None


def _sort_key(f: Failure) -> tuple:
    return (0 if f.blocking else 1, _ORDER.get(f.table, 99), 0 if f.source == "load" else 1)


# --- entry points ---------------------------------------------------------------------------------------


def validate(practice: Practice, fingerprint: str = "") -> ValidationReport:
    """Run every suite on a practice loaded with `collect=True` and merge its load issues in."""
    eng = engine()
    hides = private_values(practice.tables)
    load_failures = [_load_failure(i) for i in practice.issues]
    rule_failures: list[Failure] = []
    checks: dict[str, int] = {}
    for name, frame in validation_frames(practice).items():
        for r in _run_suite(eng, name, frame):
            meta = r.expectation_config.meta or {}
            table = meta.get("table", name)
            if table not in practice.tables:
                continue
            checks[table] = checks.get(table, 0) + 1
            f = _result_failure(r, name, practice, hides)
            if f is not None:
                rule_failures.append(f)
    failures = load_failures + _goals_failures(practice) + _drop_double_counted(rule_failures, load_failures)
    failures.sort(key=_sort_key)

    tables: dict[str, TableSummary] = {}
    for name in TABLES:
        df = practice.tables.get(name)
        mine = [f for f in failures if f.table == name]
        if df is None and not mine:
            continue
        src = practice.sources.get(name)
        file = src.file if src else (mine[0].file if mine else f"{name}.csv")
        tables[name] = TableSummary(
            name=name, file=file, rows=len(df) if df is not None else None,
            date_range=_date_range(name, df) if df is not None else None,
            checks=checks.get(name, 0), failed=len(mine), blocking=any(f.blocking for f in mine))
    for pseudo, file in ((GOALS_TABLE, GOALS_FILE), (PRACTICE_TABLE, "practice.yaml")):
        mine = [f for f in failures if f.table == pseudo]
        if mine:
            tables = {pseudo: TableSummary(pseudo, file, None, None, 0, len(mine),
                                           any(f.blocking for f in mine)), **tables}
    missing = [{"table": n, "enables": t.enables, "collects": t.collects}
               for n, t in TABLES.items() if n not in tables]
    cfg = practice.config
    return ValidationReport(
        practice_id=practice.practice_id, practice_name=cfg.name, kind=cfg.kind, fingerprint=fingerprint,
        tables=tables, failures=failures, load_issues=[i.to_dict() for i in practice.issues],
        missing_tables=missing, validated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        gx_version=eng.gx_version, practice=practice)


def validate_practice(practice_id: str, data_dir: str | os.PathLike | None = None) -> ValidationReport:
    """Load (collecting every load issue) and validate one practice folder.

    Raises `PracticeIdError` for an id that is not a slug and `UnknownPracticeError` when the data
    folder has no such practice; every problem *inside* the folder ends up in the report.
    """
    from dyad_lib.data.fingerprint import fingerprint

    folder = practice_dir(practice_id, data_dir)
    if not folder.is_dir():
        raise UnknownPracticeError(f"no practice folder named '{practice_id}' in {folder.parent}")
    practice = load_practice(practice_id, data_dir, collect=True)
    return validate(practice, fingerprint(practice_id, data_dir))
