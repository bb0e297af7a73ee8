"""SQL that runs unchanged on MariaDB/MySQL and on SQLite, and reading results into frames.

Practice systems store dates as DATE/DATETIME (MySQL) and our embedded fixtures as ISO text
(SQLite); the few date operations an import needs (calendar month, a date plus N days, a time of
day in seconds) compile to each dialect's own function here, so one query text serves both.
Result columns are left untyped (the drivers' own values) and converted in pandas, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class add_days(FunctionElement):  # noqa: N801  (an SQL function)
    """`date + n days` as a date."""

    inherit_cache = False  # `days` is not part of SQLAlchemy's cache key: never cache a compiled form
    type = sa.Date()

    def __init__(self, expr: Any, days: int):
        self.days = int(days)
        super().__init__(expr)


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    (expr,) = element.clauses
    return f"date({compiler.process(expr, **kw)}, '{element.days:+d} days')"


@compiles(add_days, "mysql")
def _add_days_mysql(element, compiler, **kw):
    (expr,) = element.clauses
    return f"DATE_ADD({compiler.process(expr, **kw)}, INTERVAL {element.days} DAY)"


class day_seconds(FunctionElement):  # noqa: N801
    """A TIME value as seconds since midnight."""

    inherit_cache = True
    type = sa.Integer()


@compiles(day_seconds, "sqlite")
def _secs_sqlite(element, compiler, **kw):
    (expr,) = element.clauses
    return f"CAST(strftime('%s', '1970-01-01 ' || substr({compiler.process(expr, **kw)}, 1, 8)) AS INTEGER)"


@compiles(day_seconds, "mysql")
def _secs_mysql(element, compiler, **kw):
    (expr,) = element.clauses
    return f"TIME_TO_SEC({compiler.process(expr, **kw)})"


class day_of(FunctionElement):  # noqa: N801
    """The date part of a DATE or DATETIME (ISO text on SQLite, a date on MySQL; `to_dates` reads both)."""

    inherit_cache = True
    type = sa.String()


@compiles(day_of, "sqlite")
def _day_sqlite(element, compiler, **kw):
    (expr,) = element.clauses
    return f"substr({compiler.process(expr, **kw)}, 1, 10)"


@compiles(day_of, "mysql")
def _day_mysql(element, compiler, **kw):
    (expr,) = element.clauses
    return f"DATE({compiler.process(expr, **kw)})"


class month_key(FunctionElement):  # noqa: N801
    """year × 100 + month of a date (an integer: 202403), optionally of the date + `days` days —
    one cheap function call per row, grouped on by the database."""

    inherit_cache = False  # `days` is not part of SQLAlchemy's cache key: never cache a compiled form
    type = sa.Integer()

    def __init__(self, expr: Any, days: int = 0):
        self.days = int(days)
        super().__init__(expr)


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw):
    (expr,) = element.clauses
    if element.days:
        return f"CAST(strftime('%Y%m', {compiler.process(expr, **kw)}, '{element.days:+d} days') AS INTEGER)"
    # ISO text (YYYY-MM-DD…, as SQLite stores dates): the year and month digits, without parsing the date
    x = compiler.process(expr, **kw)
    return f"CAST(substr({x}, 1, 4) || substr({x}, 6, 2) AS INTEGER)"


@compiles(month_key, "mysql")
def _month_key_mysql(element, compiler, **kw):
    (expr,) = element.clauses
    inner = compiler.process(expr, **kw)
    if element.days:
        inner = f"DATE_ADD({inner}, INTERVAL {element.days} DAY)"
    return f"EXTRACT(YEAR_MONTH FROM {inner})"


def frame(conn, stmt, columns: list[str] | None = None) -> pd.DataFrame:
    """Run a SELECT and return its rows as a frame (column names from the statement)."""
    result = conn.execute(stmt)
    names = columns or list(result.keys())
    # the driver's plain tuples (the columns are untyped, so SQLAlchemy has nothing to process):
    # building a frame from Row objects costs pandas an attribute probe per row
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)


def to_dates(s: pd.Series) -> pd.Series:
    """Driver values (ISO text, date or datetime objects) as datetime64; Open Dental's
    'no date' (0001-01-01) and unreadable values become missing."""
    if s.empty:
        return pd.to_datetime(s)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.normalize()
        return out.where(out.dt.year >= 1880)
    text = s.astype(str).str.slice(0, 10)
    out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return out.where(out.dt.year >= 1880)


def month_from_key(s: pd.Series) -> pd.Series:
    """202403 → '2024-03'."""
    k = pd.to_numeric(s).astype("int64")
    return (k // 100).astype(str) + "-" + (k % 100).map(lambda m: f"{m:02d}")


@dataclass
class Schema:
    """A source database's tables as it has them (present columns only), with the defaults its
    importer states for columns an older version lacks (`optional`: table -> column -> default)."""

    optional: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, sa.TableClause] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)

    def c(self, table: str, column: str):
        """A column, or its stated default as a literal when this version lacks it."""
        if column in self.present.get(table, set()):
            return self.tables[table].c[column]
        default = self.optional.get(table, {}).get(column)
        return sa.literal(default) if default is not None else sa.null()

    def has(self, table: str, column: str | None = None) -> bool:
        return table in self.present and (column is None or column in self.present[table])

    def t(self, name: str) -> sa.TableClause:
        return self.tables[name]
