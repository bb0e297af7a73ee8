"""`dyad record`: append what a meeting captured to the practice's own tables, after checking it.

A capture file is the workbook of `dyad_lib.data.capture` (one sheet per table: decisions,
action_plan, focus_areas, partner_questions) or one CSV named after one of those tables. Its rows
are read with the loader's own rules (any header case, dates as YYYY-MM-DD, the practice's
`date_format` or Excel date cells, codes in any case), what the meeting leaves blank is filled (the
next free id, the meeting date, `open` for a new action), and the practice's tables *with the new
rows added* are checked by the same Great Expectations suites as every delivery: a captured row
that breaks a rule — an unknown code, a metric id the registry does not know, an id already used,
a review before the decision — rejects the whole capture, naming the sheet, the row and the column,
and nothing is written.

Writing never touches a row that is there: new rows are appended to the end of the table's CSV
(in that file's encoding, delimiter, column order and date format) or of its sheet in the
practice's workbook; a table the practice does not have yet becomes a new CSV. Every file changed
is first copied to `backups/<time>/` in the practice folder (a sub-folder, which the loader and the
input fingerprint do not read), the new versions are written beside the old and swapped in one by
one, and if a swap fails the files already swapped are restored from the backup.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import io
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dyad_lib.data.capture import CAPTURE_TABLES, SHEETS
from dyad_lib.data.contract import TABLES
from dyad_lib.data.csvfile import ROW_COL, FileProblem, decode_bytes, detect_delimiter, read_csv
from dyad_lib.data.load import LoadIssue, Practice, _read_sheet, coerce_table, load_practice
from dyad_lib.data.paths import practice_dir

#: A captured row's `_row` in the merged frame: its failures can be told from the old rows'.
OFFSET = 1_000_000
#: Id prefixes for a table with no ids yet.
ID_PREFIX = {"action_plan": ("AP", 2), "decisions": ("D", 2)}
ID_COLUMN = {"action_plan": "item_id", "decisions": "decision_id"}
DATE_DEFAULTS = {"decisions": "date", "action_plan": "created_date", "focus_areas": "chosen_date",
                 "partner_questions": "date"}
BACKUPS = "backups"


class CaptureError(ValueError):
    """The capture file cannot be used at all (missing, not a workbook, no capture sheet)."""


@dataclass
class Added:
    """The rows appended to one table."""

    table: str
    file: str
    rows: int
    ids: list[str] = field(default_factory=list)
    created: bool = False


@dataclass
class RecordReport:
    """What `record` did or would do: the rows per table, or every problem found (nothing written)."""

    practice_id: str
    capture: str
    added: list[Added] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backup: str | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return sum(a.rows for a in self.added)


# --- reading the capture -------------------------------------------------------------------------


def _drop_blank(table: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Rows whose content column is blank are not records (a pre-filled row nobody answered)."""
    content = SHEETS[table].content
    cols = {str(c).strip().lower(): c for c in raw.columns if c != ROW_COL}
    if content not in cols:
        return raw
    filled = raw[cols[content]].map(lambda v: isinstance(v, (dt.date, dt.datetime)) or str(v).strip() not in ("", "nan", "None"))
    return raw[filled.astype(bool)]


def read_capture(path: Path, date_format: str | None) -> tuple[dict[str, pd.DataFrame], list[LoadIssue]]:
    """The capture's rows per table, typed like the loader types a delivery, and the problems."""
    issues: list[LoadIssue] = []
    frames: dict[str, pd.DataFrame] = {}
    if not path.is_file():
        raise CaptureError(f"there is no file {path}")
    raws: list[tuple[str, str, pd.DataFrame]] = []
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise CaptureError(f"{path.name} cannot be opened as a workbook ({type(exc).__name__})") from None
        try:
            for sheet in wb.sheetnames:
                table = sheet.strip().lower()
                if table in CAPTURE_TABLES:
                    try:
                        raws.append((table, f"{path.name} › {sheet}", _read_sheet(wb, sheet)))
                    except FileProblem as exc:
                        raise CaptureError(f"{path.name} › {sheet}: {exc} — expected {exc.expected}") from None
        finally:
            wb.close()
        if not raws:
            raise CaptureError(f"{path.name} has no sheet named {', '.join(CAPTURE_TABLES)}")
    elif path.suffix.lower() == ".csv":
        table = path.stem.strip().lower()
        if table not in CAPTURE_TABLES:
            raise CaptureError(f"a capture CSV is named after the table it adds to ({', '.join(CAPTURE_TABLES)}), "
                               f"not {path.name}")
        try:
            raw, meta = read_csv(path)
        except FileProblem as exc:
            raise CaptureError(f"{path.name}: {exc} — expected {exc.expected}") from None
        if not meta.get("empty"):
            raws.append((table, path.name, raw))
    else:
        raise CaptureError(f"{path.name}: a capture file is the .xlsx capture workbook or a .csv named after a table")
    for table, fname, raw in raws:
        if raw.empty or raw.shape[1] <= 1:
            continue
        raw = _drop_blank(table, raw)
        if raw.empty:
            continue
        have = {str(c).strip().lower() for c in raw.columns}
        for col in SHEETS[table].defaults:  # what record fills in need not be a column of the capture
            if col not in have:
                raw[col] = ""
        typed, _, _ = coerce_table(TABLES[table], raw, fname, date_format, issues)
        if typed is not None and len(typed):
            typed.attrs["file"] = fname
            frames[table] = typed
    return frames, issues


# --- filling what the meeting leaves blank -----------------------------------------------------------


def next_ids(existing: pd.Series, table: str, n: int) -> list[str]:
    """`n` new ids after the highest of the existing ones of the usual shape (AP11 -> AP12, AP13)."""
    found = [m.groups() for m in (re.fullmatch(r"([A-Za-z_-]*)(\d+)", str(v)) for v in existing.dropna()) if m]
    if found:
        prefixes = pd.Series([p for p, _ in found]).value_counts()
        prefix = str(prefixes.index[0])
        nums = [d for p, d in found if p == prefix]
        width, top = max(len(d) for d in nums), max(int(d) for d in nums)
    else:
        (prefix, width), top = ID_PREFIX[table], 0
    return [f"{prefix}{top + k:0{width}d}" for k in range(1, n + 1)]


def fill_defaults(table: str, new: pd.DataFrame, existing: pd.DataFrame | None, meeting_date: pd.Timestamp) -> pd.DataFrame:
    """Blank ids get the next free ones, blank dates the meeting date, a blank action status `open`."""
    new = new.copy()
    date_col = DATE_DEFAULTS[table]
    new[date_col] = new[date_col].fillna(meeting_date)
    if table in ID_COLUMN:
        col = ID_COLUMN[table]
        blank = new[col].isna()
        if blank.any():
            pool = pd.concat([existing[col] if existing is not None else pd.Series(dtype=object), new[col]])
            new.loc[blank, col] = next_ids(pool, table, int(blank.sum()))
    if table == "action_plan":
        new["status"] = new["status"].fillna("open")
    return new


# --- checking --------------------------------------------------------------------------------------------


def _where(capture: str, table: str, rows: list[int]) -> str:
    rows = sorted(set(rows))
    return f"{capture}, row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}" if rows else capture


def _already_there(table: str, new: pd.DataFrame, existing: pd.DataFrame | None) -> list[int]:
    """Captured rows equal to a row the table has in every column but the id (the same capture
    recorded twice: its blank ids would otherwise get fresh ones)."""
    if existing is None or not len(existing):
        return []
    cols = [c for c in TABLES[table].column_names if c != ID_COLUMN.get(table)]
    seen = {tuple(str(v) for v in r) for r in existing[cols].itertuples(index=False, name=None)}
    return [int(r) for r, row in zip(new[ROW_COL], new[cols].itertuples(index=False, name=None))
            if tuple(str(v) for v in row) in seen]


def _subset(practice: Practice, tables: dict[str, pd.DataFrame]) -> Practice:
    keep = {k: v for k, v in practice.tables.items() if k == "quality_measures"}
    return Practice(practice.practice_id, practice.folder, practice.config, {**keep, **tables},
                    {k: v for k, v in practice.sources.items() if k in tables or k in keep}, [])


def check(practice: Practice, new: dict[str, pd.DataFrame], capture_files: dict[str, str],
          unread: set[tuple] = frozenset()) -> tuple[list[str], list[str]]:
    """Problems and warnings the captured rows bring: every rule of the tables' GX suites is run on
    each table with and without them; a check that fails more often with them names their rows.
    `unread` holds (table, column, row) of values the capture's reading already reported: they are
    blank now, and are not reported a second time as missing."""
    from dyad_lib.data.validation import validate

    before = {t: practice.tables[t] for t in new if t in practice.tables}
    after = {}
    for t, df in new.items():
        df = df.assign(**{ROW_COL: df[ROW_COL] + OFFSET})
        old = practice.tables.get(t)
        after[t] = pd.concat([old, df], ignore_index=True) if old is not None else df.reset_index(drop=True)
    base = validate(_subset(practice, before)).failures
    got = validate(_subset(practice, after)).failures
    counts: dict[tuple[str, str], int] = {}
    for f in base:
        counts[(f.table, f.check)] = counts.get((f.table, f.check), 0) + f.unexpected_count
    problems, warnings = [], []
    for f in got:
        if f.table not in new:
            continue
        extra = f.unexpected_count - counts.get((f.table, f.check), 0)
        if extra <= 0:
            continue
        rows = [r - OFFSET for r in f.rows if r >= OFFSET]
        if f.check.endswith(".not_blank") and rows and all((f.table, c, r) in unread for c in f.columns for r in rows):
            continue
        cols = f", column {', '.join(f.columns)}" if f.columns else ""
        shown = f" ({', '.join(repr(e) for e in f.examples)})" if f.examples else ""
        from dyad_lib.data.validation import plural, suite_problem

        text = (f"{_where(capture_files[f.table], f.table, rows)}{cols}: {plural(suite_problem(f), extra)}{shown}. "
                f"{f.fix}")
        (problems if f.blocking else warnings).append(text)
    return problems, warnings


# --- writing ----------------------------------------------------------------------------------------------


def _text(v: Any, kind: str, date_format: str | None) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v) or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if kind in ("date", "month"):
        ts = pd.Timestamp(v)
        return ts.strftime(date_format or "%Y-%m-%d") if kind == "date" else ts.strftime("%Y-%m")
    if kind == "bool":
        return "true" if bool(v) else "false"
    if kind in ("money", "number"):
        return f"{float(v):g}"
    if kind == "integer":
        return str(int(v))
    return str(v)


def _excel(v: Any, kind: str) -> Any:
    if v is None or v is pd.NaT or (not isinstance(v, str) and pd.isna(v)):
        return None
    if kind in ("date", "month"):
        return pd.Timestamp(v).to_pydatetime()
    if kind == "integer":
        return int(v)
    if kind in ("money", "number"):
        return float(v)
    if kind == "bool":
        return bool(v)
    return str(v)


def _blank_columns(df: pd.DataFrame) -> set[str]:
    return {c for c in df.columns if c != ROW_COL and df[c].isna().all()}


def _csv_bytes(path: Path, table: str, new: pd.DataFrame, date_format: str | None) -> tuple[bytes, str | None]:
    """The file's bytes with the new rows appended (existing bytes unchanged), or a problem."""
    raw = path.read_bytes()
    text, encoding, mixed = decode_bytes(raw)
    if mixed:
        return b"", (f"{path.name} mixes two encodings (UTF-8 and Windows cp1252): save it again as 'CSV UTF-8' "
                     "before recording into it")
    delim = detect_delimiter(text)
    header = next(csv.reader([text.split("\n", 1)[0].rstrip("\r")], delimiter=delim), [])
    names = [h.strip().lower() for h in header]
    needed = [c for c in TABLES[table].column_names if c not in _blank_columns(new)]
    missing = [c for c in needed if c not in names]
    if missing:
        return b"", (f"{path.name} has no column {', '.join(missing)}: add {'it' if len(missing) == 1 else 'them'} "
                     f"to its header row (the column is optional), or leave {', '.join(missing)} blank in the capture")
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator=newline)
    for rec in new.to_dict("records"):
        w.writerow([_text(rec.get(n), kinds[n], date_format) if n in kinds else "" for n in names])
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        added = buf.getvalue().encode(enc)
    except UnicodeEncodeError as exc:
        return b"", f"{path.name} is saved as {encoding}, which cannot hold '{exc.object[exc.start:exc.end]}'"
    sep = b"" if not raw or raw.endswith(b"\n") else newline.encode()
    return raw + sep + added, None


def _new_csv_bytes(table: str, new: pd.DataFrame) -> bytes:
    cols = TABLES[table].column_names
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for rec in new.to_dict("records"):
        w.writerow([_text(rec.get(c), kinds[c], None) for c in cols])
    return buf.getvalue().encode("utf-8")


def _sheet_bytes(path: Path, sheet: str, table: str, new: pd.DataFrame) -> tuple[bytes, str | None]:
    """The practice workbook with the new rows added at the end of the table's sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [str(c.value or "").strip().lower() for c in ws[1]]
    missing = [c for c in TABLES[table].column_names if c not in _blank_columns(new) and c not in header]
    if missing:
        return b"", (f"the sheet '{sheet}' of {path.name} has no column {', '.join(missing)}: add it to the header "
                     f"row, or leave it blank in the capture")
    last = ws.max_row
    while last > 1 and all(c.value in (None, "") for c in ws[last]):
        last -= 1
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    for k, rec in enumerate(new.to_dict("records"), start=1):
        for j, name in enumerate(header, start=1):
            if name in kinds:
                value = _excel(rec.get(name), kinds[name])
                cell = ws.cell(row=last + k, column=j, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), None


def _swap(folder: Path, writes: dict[Path, bytes], stamp: str) -> Path | None:
    """Back up every existing file in `writes`, then replace them one by one (restoring on failure)."""
    backup = None
    existing = [p for p in writes if p.exists()]
    if existing:
        backup = folder / BACKUPS / stamp
        n = 1
        while backup.exists():
            backup = folder / BACKUPS / f"{stamp}-{n}"
            n += 1
        backup.mkdir(parents=True)
        for p in existing:
            shutil.copy2(p, backup / p.name)
    temps = {}
    try:
        for p, data in writes.items():
            tmp = p.with_name(f".{p.name}.{os.getpid()}.record.tmp")
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            temps[p] = tmp
        done = []
        try:
            for p, tmp in temps.items():
                os.replace(tmp, p)
                done.append(p)
        except OSError:
            for p in done:
                if backup is not None and (backup / p.name).exists():
                    shutil.copy2(backup / p.name, p)
                else:
                    p.unlink(missing_ok=True)
            raise
    finally:
        for tmp in temps.values():
            if tmp.exists():
                tmp.unlink()
    return backup


# --- the command ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the practice folder (on the folder itself: no lock file is left), so two
    records — or a record and a goals commit — never interleave; released however the process ends."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class RecordWriteError(OSError):
    """The checked rows could not be written (a read-only folder, a full disk); nothing was changed."""


def record(practice_id: str, capture: str | os.PathLike, data_dir: str | os.PathLike | None = None, *,
           meeting_date: dt.date | str | None = None, dry_run: bool = False) -> RecordReport:
    """Check the capture file's rows against the contract and, if every one passes, append them to
    the practice's tables (see the module docstring). `meeting_date` fills blank dates (default:
    today). With `dry_run` nothing is written. The practice folder is locked from reading the
    tables to writing them, so a capture recorded twice at once is added once."""
    folder = practice_dir(practice_id, data_dir)
    with _folder_lock(folder):
        return _record(practice_id, Path(capture), data_dir, folder, meeting_date, dry_run)


def _record(practice_id: str, path: Path, data_dir, folder: Path, meeting_date, dry_run: bool) -> RecordReport:
    report = RecordReport(practice_id, path.name, dry_run=dry_run)
    practice = load_practice(practice_id, data_dir, collect=True)
    when = pd.Timestamp(meeting_date or dt.date.today()).normalize()
    frames, issues = read_capture(path, practice.config.date_format)
    report.problems += [str(i) for i in issues]
    unreadable = sorted({i.file for i in practice.issues if i.table in frames and i.severity == "blocking"})
    for f in unreadable:
        report.problems.append(f"the practice's {f} has problems of its own: fix them first (dyad validate "
                               f"{practice_id}), then record")
    if not frames and not report.problems:
        report.problems.append(f"{path.name} holds no filled-in row (a row needs its "
                               + ", ".join(f"{t}.{s.content}" for t, s in SHEETS.items()) + ")")
    if unreadable or not frames:
        return report
    new = {t: fill_defaults(t, df, practice.tables.get(t), when) for t, df in frames.items()}
    files = {t: df.attrs.get("file", path.name) for t, df in frames.items()}
    for t, df in list(new.items()):
        again = _already_there(t, df, practice.tables.get(t))
        if again:
            report.problems.append(f"{_where(files[t], t, again)}: already in the practice's {t} (recorded before?)")
            new[t] = df[~df[ROW_COL].isin(again)]
    new = {t: df for t, df in new.items() if len(df)}
    unread = {(i.table, i.column, r) for i in issues for r in (i.rows or ([i.row] if i.row else []))}
    problems, warnings = check(practice, new, files, unread) if new else ([], [])
    report.problems += problems
    report.warnings += warnings
    if report.problems:
        return report
    writes: dict[Path, bytes] = {}
    date_format = practice.config.date_format
    for t, df in new.items():
        src = practice.sources.get(t)
        rows = df.drop(columns=[ROW_COL])
        if src is None:
            target, data, problem, created = folder / f"{t}.csv", _new_csv_bytes(t, rows), None, True
        elif src.sheet is not None:
            target, created = folder / src.path, False
            data, problem = _sheet_bytes(target, src.sheet, t, rows)
            if target in writes:  # two tables in the same workbook: add to the version already made
                problem = problem or "two tables of the practice workbook in one capture: record them one at a time"
        else:
            target, created = folder / src.path, False
            data, problem = _csv_bytes(target, t, rows, date_format)
        if problem:
            report.problems.append(problem)
            continue
        writes[target] = data
        ids = [str(x) for x in rows[ID_COLUMN[t]]] if t in ID_COLUMN else []
        report.added.append(Added(t, target.name if src is None or src.sheet is None else f"{target.name} › {src.sheet}",
                                  len(rows), ids, created))
    if report.problems or dry_run:
        if report.problems:
            report.added = []
        return report
    stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    try:
        backup = _swap(folder, writes, stamp)
    except OSError as exc:
        raise RecordWriteError(f"the rows were checked but could not be written into {folder.name}/ "
                               f"({exc.strerror or type(exc).__name__}); nothing was changed") from None
    report.backup = str(backup.relative_to(folder)) if backup else None
    return report
