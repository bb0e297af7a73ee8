"""The period a batch was asked for, mapped to each report by the kind of period it takes.

`dyad batch --period 2026Q3` means "everything about the third quarter": the quarterly report for
it, the monthly review for each of its months, the meeting brief for the quarter, the assessment
and the portfolio over it, the data-quality report on the latest data, and the annual goals of the
fiscal year the quarter belongs to — or of the next one when the quarter closes its fiscal year
(the time the partners set next year's goals). Each mapping is stated in words, and a report that
cannot apply (a month that does not close a quarter, a period the practice's data does not cover)
is "not applicable" with the reason, never a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dyad_lib.metrics.periods import (Period, PeriodError, add_months, fiscal_year_of, fiscal_year_period,
                                      month_period, parse_period)

NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Mapped:
    """What one report runs for: the periods (texts the report's `period` parameter takes), why,
    or the reason it does not apply (`periods` empty)."""

    periods: tuple[str, ...] = ()
    note: str = ""
    reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)  # one per period, when they differ

    @property
    def applies(self) -> bool:
        return bool(self.periods)


def _words(p: Period) -> str:
    return p.start.strftime("%B %Y") if p.kind == "month" else p.label


def _quarters_in(p: Period) -> list[Period]:
    """The calendar quarters wholly inside `p` (a fiscal year not starting in Jan/Apr/Jul/Oct has
    fewer than four)."""
    out = []
    m = p.start
    while m <= p.end:
        if m.month in (1, 4, 7, 10) and add_months(m, 2) <= p.end:
            out.append(parse_period(f"{m.year}Q{(m.month - 1) // 3 + 1}", p.fy_start_month))
            m = add_months(m, 3)
        else:
            m = add_months(m, 1)
    return out


def planning_year(p: Period) -> tuple[Period, str]:
    """The fiscal year the annual goals are set for, seen from period `p`, and why: the fiscal year
    `p` ends in, or the next one when `p` ends in its fiscal year's last quarter."""
    fy = fiscal_year_of(p.end, p.fy_start_month)
    year = fiscal_year_period(fy, p.fy_start_month)
    if p.kind == "fiscal_year":
        return year, f"{year.label} itself"
    if add_months(p.end, 3) > year.end:
        nxt = fiscal_year_period(fy + 1, p.fy_start_month)
        return nxt, (f"{nxt.label}, the fiscal year after {_words(p)} (its fiscal year {year.label} ends with it: "
                     "the time to set next year's goals)")
    return year, f"{year.label}, the fiscal year {_words(p)} belongs to"


def _covered(p: Period, data: tuple[pd.Timestamp, pd.Timestamp] | None) -> str | None:
    """Why the practice's data do not cover `p` (None when they do)."""
    if data is None:
        return None
    first, last = data
    if p.end > last:
        return f"the data end {last:%Y-%m}: {p.label} is not over in them"
    if p.start < first:
        return f"the data start {first:%Y-%m}, after the start of {p.label}"
    return None


def map_period(kinds: tuple[str, ...], text: str, fy_start_month: int = 1,
               data: tuple[pd.Timestamp, pd.Timestamp] | None = None, view: str | None = None) -> Mapped:
    """The periods a report that takes `kinds` (catalog period kinds) runs for when a batch asks
    for `text`, on a practice whose fiscal year starts in `fy_start_month` and whose financial
    data cover the months `data` (first, last). PeriodError for a text that is not a period."""
    raw = str(text).strip()
    if raw.lower() in ("latest", "none"):
        if "latest" in kinds or "any" in kinds:
            return Mapped(("latest",), "the latest data")
        return Mapped(reason=f"it takes {' or '.join(kinds)}, not the latest data")
    p = parse_period(raw, fy_start_month)
    if "any" in kinds:
        return Mapped((raw,), "")
    if "latest" in kinds:  # on the latest data: a month is taken as it is, any other period as its last month
        if p.kind == "month":
            return Mapped((raw,), "")
        return Mapped(("latest",), "the latest data")
    if p.kind in kinds:
        why = _covered(p, data) if p.kind != "fiscal_year" or "fiscal_year" not in kinds else None
        return Mapped((raw,), "") if why is None else Mapped(reason=why)
    if "quarter" in kinds and p.kind == "month":
        if p.end.month % 3:
            q = parse_period(f"{p.end.year}Q{(p.end.month - 1) // 3 + 1}", fy_start_month)
            return Mapped(reason=f"{_words(p)} does not close a quarter ({q.label} ends {q.end:%B %Y})")
        q = parse_period(f"{p.end.year}Q{p.end.month // 3}", fy_start_month)
        why = _covered(q, data)
        return Mapped((q.label,), f"{q.label}, the quarter {_words(p)} closes") if why is None else Mapped(reason=why)
    if "fiscal_year" in kinds:
        year, why = planning_year(p)
        if data is not None and p.end < data[0]:
            return Mapped(reason=f"the data start {data[0]:%Y-%m}, after {p.label}")
        return Mapped((year.label,), why)
    if "quarter" in kinds and p.kind == "fiscal_year":
        qs = [q for q in _quarters_in(p) if _covered(q, data) is None]
        if not qs:
            return Mapped(reason=f"no quarter of {p.label} is wholly in the data"
                          + (f" ({data[0]:%Y-%m} … {data[1]:%Y-%m})" if data else ""))
        return Mapped(tuple(q.label for q in qs), f"each quarter of {p.label} in the data")
    if "month" in kinds and p.kind in ("quarter", "fiscal_year"):
        months = [month_period(m, fy_start_month) for m in p.months]
        ok = [m for m in months if _covered(m, data) is None]
        if not ok:
            return Mapped(reason=f"no month of {p.label} is in the data"
                          + (f" ({data[0]:%Y-%m} … {data[1]:%Y-%m})" if data else ""))
        left = "" if len(ok) == len(months) else f" in the data ({len(ok)} of {len(months)})"
        return Mapped(tuple(m.label for m in ok), f"each month of {p.label}{left}")
    return Mapped(reason=f"it takes {' or '.join(kinds)}; {p.label} has no such period")


def data_months(summary: dict | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last month of a practice's financials, from its validation summary."""
    try:
        first, last = (summary or {})["tables"]["financials"]["date_range"]
        return pd.Timestamp(str(first) + "-01"), pd.Timestamp(str(last) + "-01")
    except (KeyError, TypeError, ValueError):
        return None


__all__ = ["Mapped", "map_period", "planning_year", "data_months", "NOT_APPLICABLE", "PeriodError"]
