"""Writing a practice system's tables into any SQLAlchemy engine (SQLite or MariaDB) from frames.

The fixture generators (`opendental_schema`, `openemr_schema`) declare each system's tables with
its own names and types; this module creates them and bulk-inserts the rows, filling every
column a frame leaves out with the value the system itself would store: the column's declared
default when it has one, NULL when the column is nullable, else the type's empty value (0, '',
and for NOT NULL dates the system's 'no date', `no_date`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa


def default_value(col: sa.Column, no_date: str = "0001-01-01"):
    """What the system stores in a column nobody set."""
    if col.default is not None and getattr(col.default, "is_scalar", False):
        return col.default.arg
    if col.nullable and not col.primary_key:
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        return f"{no_date} 00:00:00"
    if isinstance(t, sa.Date):
        return no_date
    if isinstance(t, sa.Time):
        return "00:00:00"
    if isinstance(t, (sa.String, sa.Text)):
        return ""
    if isinstance(t, (sa.Double, sa.Numeric)):
        return 0.0
    return 0


def column_values(col: sa.Column, s: pd.Series, no_date: str = "0001-01-01") -> list:
    """A frame column as plain Python values the DBAPI drivers accept (dates as ISO text); a
    missing value becomes the column's default (`default_value`)."""
    t = col.type
    fill = default_value(col, no_date)
    if isinstance(t, sa.DateTime):
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s.dt.strftime("%Y-%m-%d %H:%M:%S")
            return [fill if v is None or v != v else v for v in out.tolist()]
        return [fill if v is None or v != v else str(v) for v in s.tolist()]
    if isinstance(t, sa.Date):
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s.dt.strftime("%Y-%m-%d")
            return [fill if v is None or v != v else v for v in out.tolist()]
        return [fill if v is None or v != v else str(v)[:10] for v in s.tolist()]
    if isinstance(t, (sa.String, sa.Text, sa.Time)):
        return [fill if v is None or v != v else str(v) for v in s.tolist()]
    if isinstance(t, (sa.Double, sa.Numeric)):
        v = s.astype("float64")
        if fill is None:
            return [None if np.isnan(x) else float(x) for x in v.to_numpy()]
        return v.fillna(float(fill)).tolist()
    if fill is None:
        return [None if v is None or v != v else int(v) for v in s.tolist()]
    return s.fillna(fill).astype("int64").tolist()


def rows_for(table: sa.Table, df: pd.DataFrame, no_date: str = "0001-01-01") -> tuple[list[str], list[tuple]]:
    """Column names and row tuples for `table`, every unset column at the system's default."""
    unknown = set(df.columns) - set(table.c.keys())
    if unknown:
        raise KeyError(f"{table.name} has no column(s) {sorted(unknown)}")
    n = len(df)
    names = list(table.c.keys())
    cols = [column_values(table.c[c], df[c], no_date) if c in df.columns else [default_value(table.c[c], no_date)] * n
            for c in names]
    return names, list(zip(*cols)) if n else []


def write(engine: sa.engine.Engine, metadata: sa.MetaData, frames: Mapping[str, pd.DataFrame], *,
          chunk: int = 20_000, no_date: str = "0001-01-01") -> dict[str, int]:
    """Create every table of `metadata` (dropping old ones) and insert the frames; rows per table.

    Rows go through the DBAPI's executemany in chunks (converted chunk by chunk, so a two-million
    row table never exists twice as Python tuples)."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        quote = engine.dialect.identifier_preparer.quote
        for name, table in metadata.tables.items():
            df = frames.get(name)
            if df is None or df.empty:
                counts[name] = 0
                continue
            names = list(table.c.keys())
            sql = (f"INSERT INTO {quote(name)} ({', '.join(quote(c) for c in names)}) "
                   f"VALUES ({', '.join([mark] * len(names))})")
            for i in range(0, len(df), chunk):
                _, rows = rows_for(table, df.iloc[i:i + chunk], no_date)
                cur.executemany(sql, rows)
            counts[name] = len(df)
        raw.commit()
    finally:
        raw.close()
    return counts
