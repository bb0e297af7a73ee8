"""Reading one CSV export into all-text columns, whatever shape it arrives in.

A well-formed UTF-8 file takes pyarrow's fast reader; anything else takes the careful reader:
the csv module over the decoded text, every record's shape checked. Encodings: UTF-8 with or
without BOM, Windows cp1252, a file mixing the two (line by line). Line endings: \\n, \\r\\n
and the \\r of old Mac Excel. A file that is not CSV text (UTF-16, a workbook, binary), whose
header is wider than any table, or with an unclosed quote is a `FileProblem` that says so; a row
with more or fewer values than the header has columns is left out and only its row number is
reported, because its values would land in the wrong columns.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The column holding each record's spreadsheet row number (the header is row 1).
ROW_COL = "_row"
#: A table's file may hold a few extra columns; more than this is not a table export (and reading
#: a 100,000-column file would take minutes and gigabytes), so it is refused from its header.
MAX_COLUMNS = 500
#: The header row must end within this many bytes (500 columns of long names fit easily).
MAX_HEADER_BYTES = 1 << 16
CSV_EXPECTED = "a CSV file saved from Excel as 'CSV UTF-8 (Comma delimited)' or 'CSV (Comma delimited)'"


class FileProblem(ValueError):
    """A file that cannot be read as a table at all (the message says why, `expected` what to do)."""

    def __init__(self, message: str, expected: str = CSV_EXPECTED, row: int | None = None):
        self.expected, self.row = expected, row
        super().__init__(message)


def decode_bytes(raw: bytes) -> tuple[str, str, list[int]]:
    """Decode a CSV export: UTF-8 (with or without BOM), else Windows cp1252.

    A file that mixes the two (rows appended by another program; a UTF-8 BOM in front of cp1252
    text) is read line by line, each line in the encoding it is valid in; the third value lists
    the lines read as cp1252 in such a mixed file (empty for a file in one encoding)."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8", []
    except UnicodeDecodeError:
        pass
    lines, cp1252, utf8_text = [], [], bom
    for i, part in enumerate(body.split(b"\n"), start=1):
        try:
            lines.append(part.decode("utf-8"))
            utf8_text = utf8_text or not part.isascii()
        except UnicodeDecodeError:
            lines.append(part.decode("cp1252", errors="replace"))
            cp1252.append(i)
    return "\n".join(lines), "utf-8 and cp1252" if utf8_text else "cp1252", cp1252 if utf8_text else []


def _first_line(text: str) -> str:
    """The header line, whatever the line endings (CR-only files come from old Mac Excel)."""
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def detect_delimiter(text: str) -> str:
    """Pick `,`, `;` or tab from the header line (the most frequent outside quotes wins)."""
    header = _first_line(text)
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        return max(counts, key=counts.get) if max(counts.values()) else ","


def _not_text(head: bytes) -> str | None:
    """Why the start of a file says it is not CSV text, or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "is saved as UTF-16 text (Excel's 'Unicode Text'), which dyad does not read"
    if head.startswith(b"PK\x03\x04"):
        return "is an Excel workbook or a zip file with a .csv name, not CSV text"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "is an old Excel .xls workbook (or an encrypted file) with a .csv name, not CSV text"
    if b"\x00" in head:
        return ("holds NUL bytes, so it is not CSV text (it may be UTF-16 text without a byte-order mark, "
                "or not a table at all)")
    return None


def _check_header(head: bytes, complete: bool) -> tuple[str, int]:
    """The delimiter and column count of the header row; `FileProblem` for a header no table has."""
    text = head.decode("utf-8", errors="replace")
    if not re.search(r"[\r\n]", text) and not complete:
        delim = detect_delimiter(text)
        raise FileProblem(f"its header row is longer than {MAX_HEADER_BYTES // 1024} KB (at least "
                          f"{text.count(delim) + 1:,} columns); a table has at most {MAX_COLUMNS} columns",
                          f"a header row with the table's columns (at most {MAX_COLUMNS})", row=1)
    delim = detect_delimiter(text)
    n = len(next(csv.reader([_first_line(text)], delimiter=delim), []))
    if n > MAX_COLUMNS:
        raise FileProblem(f"its header row has {n:,} columns; a table has at most {MAX_COLUMNS}",
                          f"a header row with the table's columns (at most {MAX_COLUMNS})", row=1)
    return delim, n


def _header_names(head: bytes, delim: str) -> list[str] | None:
    """The header's column names as csv.reader sees them (None when the header is not plain UTF-8)."""
    try:
        line = _first_line(head.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return next(csv.reader([line], delimiter=delim), None)


def _odd_quotes(path: Path, chunk: int = 1 << 24) -> bool:
    """True when the file holds an odd number of `"` (an unclosed quote), read in chunks."""
    n = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            n += block.count(b'"')
    return bool(n % 2)


#: The contract's column kinds that pyarrow's reader may type as it reads (`kinds` of read_csv).
TYPED_KINDS = ("money", "number", "integer", "date", "bool")
#: The spellings of yes and no the reader types as it reads (dyad_lib.data.load reads any case of
#: true/false, yes/no, y/n, t/f, 1/0; a column with another spelling is read as text and typed there).
_TRUE = ("true", "yes", "y", "t", "1")
_FALSE = ("false", "no", "n", "f", "0")


def _spellings(words: tuple[str, ...]) -> list[str]:
    return sorted({v for w in words for v in (w, w.upper(), w.capitalize())})


def _typed_columns(names: list[str], kinds: dict[str, str] | None) -> dict[str, Any]:
    """pyarrow types for the header's columns: the contract's numbers as float64, dates as date32,
    yes/no as bool, everything else text. A header that repeats a name (after trimming and lower
    case) is typed as text throughout: the loader reports it."""
    import pyarrow as pa

    keys = [n.strip().lower() for n in names]
    types: dict[str, Any] = {n: pa.large_string() for n in names}
    if not kinds or len(set(keys)) != len(keys):
        return types
    for n, k in zip(names, keys):
        kind = kinds.get(k)
        if kind in ("money", "number", "integer"):
            types[n] = pa.float64()
        elif kind == "date":
            types[n] = pa.date32()
        elif kind == "bool":
            types[n] = pa.bool_()
    return types


def _typed_ok(tbl: Any, names: list[str], kinds: dict[str, str]) -> bool:
    """True when every typed value is what the loader's own parsing would make of its text: a
    finite number (a whole one within 2**53 for an integer), a date pandas' nanoseconds can hold.
    Otherwise the file is read again as text and every cell gets the loader's closer look."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    for n in names:
        col = tbl.column(n)
        kind = kinds.get(n.strip().lower())
        if pa.types.is_floating(col.type) and col.null_count < len(col):
            if not pc.all(pc.is_finite(col)).as_py():
                return False
            if kind == "integer" and not pc.all(pc.and_(pc.equal(pc.floor(col), col),
                                                        pc.less_equal(pc.abs(col), 2.0 ** 53))).as_py():
                return False
        elif pa.types.is_date32(col.type) and col.null_count < len(col):
            lo, hi = pc.min_max(col).values()
            if lo.as_py() < dt.date(1677, 9, 22) or hi.as_py() > dt.date(2262, 4, 11):
                return False
    return True


def _read_csv_arrow(source: bytes | Path, delim: str, head: bytes | None = None,
                    kinds: dict[str, str] | None = None) -> pd.DataFrame | None:
    """Fast path for the common, well-formed UTF-8 file: pyarrow's multi-threaded CSV reader reads
    the file itself (no copy of it in Python) straight into arrow-backed columns (no per-cell
    Python objects). `kinds` (trimmed lower-case column name -> the contract's kind) lets it type
    numbers, dates and yes/no values as it reads, so their text is never held in memory; a file
    where one such value is not in the plain form (`$1,200`, `03/15/2025`, `YES `, an impossible
    date) is read again as text, for the loader's closer look. Blank typed cells are missing.

    Returns None whenever the file needs the careful reader instead: not UTF-8, ragged rows, an
    unclosed quote, duplicate or blank headers, one column. A blank line stays a blank record, as
    in that reader, so `_row` keeps matching the spreadsheet. Both paths give the same frame for
    files both can read (tests/test_performance.py)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if isinstance(source, Path):
        if head is None:
            with open(source, "rb") as fh:
                head = fh.read(MAX_HEADER_BYTES)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]  # pyarrow skips the BOM itself
        if _odd_quotes(source):
            return None
        src: Any = str(source)
    else:
        head = source[:MAX_HEADER_BYTES]
        if source.count(b'"') % 2:  # an unclosed quote: the careful reader finds its row
            return None
        src = pa.py_buffer(source)
    names = _header_names(head, delim)
    if not names or len(set(names)) != len(names) or any(not n for n in names):
        return None
    typed = _typed_columns(names, kinds)
    tbl = None
    for types in ([typed] if all(t == pa.large_string() for t in typed.values()) else
                  [typed, {n: pa.large_string() for n in names}]):
        try:
            tbl = pacsv.read_csv(
                src,
                parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                                 ignore_empty_lines=False),
                # text as large_string: what pandas keeps (a plain string column would be converted,
                # a copy); a blank cell stays "" in text and is missing in a typed column
                convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                     quoted_strings_can_be_null=False, null_values=[""],
                                                     true_values=_spellings(_TRUE), false_values=_spellings(_FALSE),
                                                     check_utf8=True),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, OSError):
            tbl = None
            continue
        if types is typed and types != {n: pa.large_string() for n in names} and not _typed_ok(tbl, names, kinds):
            tbl = None
            continue
        break
    if tbl is None:
        return None
    if tbl.column_names != names or tbl.num_columns == 1:
        return None  # one-column files: let the careful reader keep its blank-line semantics
    # one contiguous array per column (the reader makes one chunk per block: hundreds on a big
    # file, which makes every later operation, hashing ids for instance, about twice as slow),
    # a column at a time so that only one column is ever held twice
    arrays = []
    for _ in range(tbl.num_columns):
        col = tbl.column(0).combine_chunks()
        if pa.types.is_date32(col.type):  # as the loader types dates: datetime64[ns]
            col = col.cast(pa.timestamp("ns"))
        arrays.append(col)
        tbl = tbl.remove_column(0)
    tbl = pa.table(arrays, names=names)
    del arrays
    df = tbl.to_pandas(self_destruct=True, split_blocks=True, types_mapper={pa.bool_(): pd.BooleanDtype()}.get,
                       coerce_temporal_nanoseconds=True)
    del tbl
    text = [c for c in df.columns if df[c].dtype == object]
    if text:  # pandas 2 without the string default
        df = df.astype({c: str for c in text})
    return df


@dataclass
class _Parsed:
    """A CSV text split into records by the careful reader, with what was wrong in its shape."""

    frame: pd.DataFrame
    ragged: list[int] = field(default_factory=list)  # spreadsheet rows left out: wrong number of values
    width: int = 0


def _unclosed_quote(text: str, delim: str) -> tuple[int, int] | None:
    """(spreadsheet row, line) where a quote opens and never closes, or None."""
    if text.count('"') % 2 == 0:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    records, line = 0, 0
    try:
        for _ in reader:
            records, line = records + 1, reader.line_num
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return records + 1, line + 1
    return None


def parse_csv_text(text: str, delim: str) -> _Parsed:
    """Split CSV text into records with the csv module and check every record's shape.

    Trailing blank header cells (Excel writes them) are not columns. A record with more values
    than the header has columns (other than trailing blanks) or fewer is *ragged*: its values
    would land in the wrong columns (the value of one column showing up as another's), so it is
    left out whole and only its row number is reported, never its values. A blank line stays a
    blank record so the rows after it keep their spreadsheet numbers. Exact duplicate header
    names are kept as they are, for the caller to report."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = next(reader, [])
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    if not width:
        raise FileProblem("its first row, the header, is blank", "the column names in the first row", row=1)
    names = [h if h.strip() else f"(unnamed column {i + 1})" for i, h in enumerate(header)]
    rows: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[int] = []
    blank = [""] * width
    for row, rec in enumerate(reader, start=2):
        n = len(rec)
        if n == width:
            pass
        elif n == 0 or (n == 1 and not rec[0].strip()):
            rec = blank
        elif n > width and not any(v.strip() for v in rec[width:]):
            rec = rec[:width]
        else:
            ragged.append(row)
            continue
        rows.append(rec)
        numbers.append(row)
    frame = pd.DataFrame(rows, columns=names, dtype="str")
    frame.insert(0, ROW_COL, np.asarray(numbers, dtype="int64"))
    return _Parsed(frame, ragged, width)


def read_csv(path: Path, kinds: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read one CSV as columns plus `_row`; `FileProblem` when it cannot be a table. Columns are
    text, except that a well-formed file's numbers, dates and yes/no values may come typed when
    `kinds` names their kinds (see `_read_csv_arrow`).

    `meta` holds the encoding and delimiter, `ragged` (rows left out) and `cp1252_lines` (lines of
    a mixed-encoding file read as cp1252)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(MAX_HEADER_BYTES)
    why = _not_text(head)
    if why:
        raise FileProblem(why)
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    body = head[3:] if encoding == "utf-8-sig" else head
    if not body.strip() and size <= len(head):
        return pd.DataFrame(), {"encoding": encoding, "delimiter": None, "empty": True}
    delim, _ = _check_header(body, complete=size <= len(head))
    df = _read_csv_arrow(path, delim, head, kinds)
    meta: dict[str, Any] = {"encoding": encoding, "delimiter": delim, "empty": False, "ragged": [],
                            "cp1252_lines": []}
    if df is not None:
        df.insert(0, ROW_COL, np.arange(2, len(df) + 2, dtype="int64"))
        return df, meta
    text, encoding, cp_lines = decode_bytes(path.read_bytes())
    if not text.strip():
        return pd.DataFrame(), {"encoding": encoding, "delimiter": None, "empty": True}
    delim = detect_delimiter(text)
    where = _unclosed_quote(text, delim)
    if where is not None:
        row, line = where
        raise FileProblem(f"a quote (\") opens in row {row} (line {line} of the file) and is never closed, so "
                          "everything after it would be read as one value",
                          "every quote closed: a value that holds a quote is written with two (\"\")", row=row)
    parsed = parse_csv_text(text, delim)
    meta.update(encoding=encoding, delimiter=delim, ragged=parsed.ragged, cp1252_lines=cp_lines,
                width=parsed.width)
    return parsed.frame, meta
