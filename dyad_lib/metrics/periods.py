"""Reporting periods: a month (`2025-03`), a calendar quarter (`2025Q3`), a fiscal year (`FY2026`),
the views `ytd` (fiscal year to date) and `t12` (trailing twelve months) anchored at a period, and
a range of whole months (`2026-07..2026-09`, the windows talking points and trends use).

Every period's `label` is what `parse_period` reads back (`FY2026 YTD to 2026-09`, `T12 to
2026-09`, `2026-07..2026-09` included), so a report can name the exact period of each number it
shows and `dyad metrics --period <label>` gives the same figure.

A fiscal year is named for the calendar year it ends in: with `fiscal_year_start_month: 7`,
FY2026 runs 2025-07 … 2026-06. Every period is a closed range of whole months; metrics select
their rows by month (financial tables) or by the calendar days of those months (events).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

ACCEPTED_FORMS = "a month like 2025-03, a quarter like 2025Q3, or a fiscal year like FY2026"
VIEWS = ("period", "ytd", "t12")
#: Years a period may name: a typo like 0000-01 or FY0001 is an error with the accepted forms,
#: not a date-library exception.
MIN_YEAR, MAX_YEAR = 1900, 2199

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
_FY = re.compile(r"^FY\s*(\d{4})$", re.IGNORECASE)
_YTD = re.compile(r"^FY\s*(\d{4})\s+YTD\s+to\s+(\d{4})-(\d{1,2})$", re.IGNORECASE)
_T12 = re.compile(r"^T12\s+to\s+(\d{4})-(\d{1,2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4})-(\d{1,2})\s*\.\.\s*(\d{4})-(\d{1,2})$")


class PeriodError(ValueError):
    """A period text that is not one of the accepted forms."""


def month_start(ts: pd.Timestamp | str) -> pd.Timestamp:
    """The first day of the month containing `ts`."""
    return pd.Timestamp(ts).to_period("M").to_timestamp()


def add_months(ts: pd.Timestamp, n: int) -> pd.Timestamp:
    """`ts` (a month start) moved by n months."""
    return (pd.Timestamp(ts).to_period("M") + n).to_timestamp()


def months_between(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Number of months from start to end inclusive (both month starts)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def fiscal_year_of(ts: pd.Timestamp, fy_start_month: int = 1) -> int:
    """The fiscal year (named for the calendar year it ends in) that contains `ts`."""
    ts = pd.Timestamp(ts)
    if fy_start_month == 1:
        return ts.year
    return ts.year + 1 if ts.month >= fy_start_month else ts.year


def fiscal_year_start(fy: int, fy_start_month: int = 1) -> pd.Timestamp:
    """First month of fiscal year `fy`."""
    year = fy if fy_start_month == 1 else fy - 1
    return pd.Timestamp(year=year, month=fy_start_month, day=1)


@dataclass(frozen=True)
class Period:
    """A closed range of whole months, with the kind it was asked as."""

    kind: str  # month | quarter | fiscal_year | ytd | t12 | range
    start: pd.Timestamp  # first month (a month start)
    end: pd.Timestamp  # last month (a month start)
    fy_start_month: int = 1

    # --- naming -----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """The canonical text, which `parse_period` reads back: 2025-03, 2025Q3, FY2026,
        FY2026 YTD to 2026-03, T12 to 2026-03, 2026-01..2026-03 (a range of months)."""
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "fiscal_year":
            return f"FY{fiscal_year_of(self.end, self.fy_start_month)}"
        if self.kind == "ytd":
            return f"FY{fiscal_year_of(self.end, self.fy_start_month)} YTD to {self.end:%Y-%m}"
        if self.kind == "t12":
            return f"T12 to {self.end:%Y-%m}"
        return f"{self.start:%Y-%m}..{self.end:%Y-%m}"

    @property
    def slug(self) -> str:
        """A file-system-safe name: 2025-03, 2025Q3, FY2026, 2026-03-ytd, 2026-03-t12, 2026-01_2026-03."""
        if self.kind in ("ytd", "t12"):
            return f"{self.end:%Y-%m}-{self.kind}"
        if self.kind == "range":
            return f"{self.start:%Y-%m}_{self.end:%Y-%m}"
        return self.label

    @property
    def description(self) -> str:
        """Spelled out for people: 'March 2025', 'July–September 2025 (2025Q3)'."""
        if self.start == self.end:
            return self.start.strftime("%B %Y")
        span = f"{self.start:%B %Y} – {self.end:%B %Y}"
        return f"{self.label}: {span}" if self.kind != "t12" else f"the twelve months {span}"

    def __str__(self) -> str:
        return self.label

    # --- ranges -----------------------------------------------------------------------------

    @property
    def months(self) -> list[pd.Timestamp]:
        return list(pd.date_range(self.start, self.end, freq="MS"))

    @property
    def month_labels(self) -> list[str]:
        return [m.strftime("%Y-%m") for m in self.months]

    @property
    def n_months(self) -> int:
        return months_between(self.start, self.end)

    @property
    def first_day(self) -> pd.Timestamp:
        return self.start

    @property
    def last_day(self) -> pd.Timestamp:
        """The last calendar day of the last month (dates are compared at day resolution)."""
        return add_months(self.end, 1) - pd.Timedelta(days=1)

    @property
    def days(self) -> int:
        return int((self.last_day - self.first_day).days) + 1

    def contains_month(self, ts: pd.Timestamp) -> bool:
        return self.start <= month_start(ts) <= self.end

    def date_mask(self, dates: pd.Series) -> pd.Series:
        """Rows whose date falls on a day of the period."""
        return (dates >= self.first_day) & (dates < add_months(self.end, 1))

    def month_mask(self, months: pd.Series) -> pd.Series:
        """Rows whose month (a month start) is one of the period's months."""
        return (months >= self.start) & (months <= self.end)

    # --- relatives --------------------------------------------------------------------------

    def shifted(self, n_months: int) -> "Period":
        return replace(self, start=add_months(self.start, n_months), end=add_months(self.end, n_months))

    def previous(self) -> "Period":
        """The period of the same kind just before (for ytd: the same stretch a year earlier)."""
        if self.kind == "ytd":
            return self.year_earlier()
        return self.shifted(-self.n_months)

    def year_earlier(self) -> "Period":
        """The same months one year earlier."""
        return self.shifted(-12)

    def view(self, view: str) -> "Period":
        """The `ytd` or `t12` view anchored at this period's last month (`period` returns self)."""
        view = (view or "period").lower()
        if view == "period":
            return self
        if view == "ytd":
            fy = fiscal_year_of(self.end, self.fy_start_month)
            return Period("ytd", fiscal_year_start(fy, self.fy_start_month), self.end, self.fy_start_month)
        if view == "t12":
            return Period("t12", add_months(self.end, -11), self.end, self.fy_start_month)
        raise PeriodError(f"'{view}' is not a view; use one of {', '.join(VIEWS)}")

    def fiscal_year(self) -> "Period":
        """The whole fiscal year containing this period's last month."""
        fy = fiscal_year_of(self.end, self.fy_start_month)
        return fiscal_year_period(fy, self.fy_start_month)


def fiscal_year_period(fy: int, fy_start_month: int = 1) -> Period:
    start = fiscal_year_start(fy, fy_start_month)
    return Period("fiscal_year", start, add_months(start, 11), fy_start_month)


def month_period(ts: pd.Timestamp | str, fy_start_month: int = 1) -> Period:
    m = month_start(ts)
    return Period("month", m, m, fy_start_month)


def month_range_period(start: pd.Timestamp, end: pd.Timestamp, fy_start_month: int = 1) -> Period:
    """The whole months start..end as a period (a month or a calendar quarter when it is one)."""
    start, end = month_start(start), month_start(end)
    if end < start:
        raise PeriodError(f"a range of months must end after it starts ({start:%Y-%m}..{end:%Y-%m})")
    if start == end:
        return month_period(start, fy_start_month)
    if months_between(start, end) == 3 and start.month in (1, 4, 7, 10):
        return Period("quarter", start, end, fy_start_month)
    return Period("range", start, end, fy_start_month)


def _month(year: str, month: str) -> pd.Timestamp | None:
    y, m = int(year), int(month)
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12):
        return None
    return pd.Timestamp(year=y, month=m, day=1)


def _labelled(raw: str, fy_start_month: int) -> Period | None:
    """The periods only a label names: `FY2026 YTD to 2026-03`, `T12 to 2026-03`, `2026-01..2026-03`."""
    if m := _YTD.match(raw):
        end = _month(m.group(2), m.group(3))
        fy = int(m.group(1))
        if end is None or not MIN_YEAR <= fy <= MAX_YEAR or fiscal_year_of(end, fy_start_month) != fy:
            raise PeriodError(f"'{raw}': {m.group(2)}-{int(m.group(3)):02d} is not a month of FY{fy}")
        return Period("ytd", fiscal_year_start(fy, fy_start_month), end, fy_start_month)
    if m := _T12.match(raw):
        end = _month(m.group(1), m.group(2))
        if end is None:
            raise PeriodError(f"'{raw}' is not a period: use {ACCEPTED_FORMS}")
        return Period("t12", add_months(end, -11), end, fy_start_month)
    if m := _RANGE.match(raw):
        a, b = _month(m.group(1), m.group(2)), _month(m.group(3), m.group(4))
        if a is None or b is None:
            raise PeriodError(f"'{raw}' is not a period: use {ACCEPTED_FORMS}")
        return month_range_period(a, b, fy_start_month)
    return None


def parse_period(text: str, fy_start_month: int = 1, view: str | None = None, *,
                 any_fiscal_year: bool = False) -> Period:
    """Parse `2025-03`, `2025Q3` or `FY2026` (and optionally apply the `ytd`/`t12` view); also every
    label a period prints (`FY2026 YTD to 2026-03`, `T12 to 2026-03`, `2026-01..2026-03`).
    `any_fiscal_year`: check the text before the practice's fiscal year is known (a year-to-date
    label is accepted if it fits some fiscal-year start)."""
    if any_fiscal_year and _YTD.match(str(text).strip()):
        for m in range(1, 13):
            try:
                return parse_period(text, m, view)
            except PeriodError:
                continue
    if not 1 <= int(fy_start_month) <= 12:
        raise PeriodError(f"fiscal_year_start_month must be 1-12, not {fy_start_month}")
    raw = str(text).strip()
    p: Period | None = _labelled(raw, fy_start_month)
    if p is not None:
        return p.view(view) if view else p
    year_text = re.search(r"\d{4}", raw)
    if year_text and not MIN_YEAR <= int(year_text.group(0)) <= MAX_YEAR and (
            _MONTH.match(raw) or _QUARTER.match(raw) or _FY.match(raw)):
        raise PeriodError(f"'{text}' is not a period: the year must be between {MIN_YEAR} and {MAX_YEAR}; "
                          f"use {ACCEPTED_FORMS}")
    if m := _MONTH.match(raw):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            p = month_period(pd.Timestamp(year=year, month=month, day=1), fy_start_month)
    elif m := _QUARTER.match(raw):
        year, q = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(year=year, month=3 * (q - 1) + 1, day=1)
        p = Period("quarter", start, add_months(start, 2), fy_start_month)
    elif m := _FY.match(raw):
        p = fiscal_year_period(int(m.group(1)), fy_start_month)
    if p is None:
        raise PeriodError(f"'{text}' is not a period: use {ACCEPTED_FORMS}")
    return p.view(view) if view else p


def month_range(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """Every month start from start to end inclusive."""
    return list(pd.date_range(month_start(start), month_start(end), freq="MS"))
