"""What every database import shares around its own rules: the command's options checked before
anything is read, the months to import, the progress callback and the result.

Kept apart from the source modules so Open Dental, OpenEMR and the next system word a bad
`--from`, `--kind` or an empty range the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dyad_lib.importers.delivery import Written
from dyad_lib.importers.problems import SourceProblem, UsageProblem
from dyad_lib.importers.report import ImportReport

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

#: (step, rows read or None): how an import reports its progress.
Progress = Callable[[str, int | None], None]


@dataclass
class ImportResult:
    practice_id: str
    folder: Path
    report: ImportReport
    written: Written
    tables: dict[str, int] = field(default_factory=dict)


def month_option(text: str | None, option: str) -> pd.Period | None:
    """`--from` / `--to` as a month, or None when not given."""
    if text is None:
        return None
    m = MONTH_RE.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageProblem(f"{option} must be a month written YYYY-MM (for example 2025-03), not '{text}'")
    return pd.Period(text.strip(), freq="M")


def check_options(start: str | None, end: str | None, kind: str, fiscal_year_start: int | None
                  ) -> tuple[pd.Period | None, pd.Period | None]:
    """The options an import takes, checked before anything is read: (--from, --to) as months."""
    if fiscal_year_start is not None and not 1 <= int(fiscal_year_start) <= 12:
        raise UsageProblem(f"--fiscal-year-start must be a month number 1-12, not {fiscal_year_start}")
    if kind not in ("dental", "medical"):
        raise UsageProblem(f"--kind must be dental or medical, not '{kind}'")
    m_from, m_to = month_option(start, "--from"), month_option(end, "--to")
    if m_from is not None and m_to is not None and m_from > m_to:
        raise UsageProblem(f"the range is empty: --from {m_from} is after --to {m_to}")
    return m_from, m_to


def month_range(start: pd.Period | None, end: pd.Period | None, first: dt.date | None, last: dt.date | None,
                today: dt.date, what: str) -> tuple[pd.Period, pd.Period]:
    """The months to import: the options where given, else the source's first and last month with
    `what` (a completed procedure, an active charge), never the current month, which is not over."""
    if start is None:
        if first is None:
            raise SourceProblem(f"the database has no {what}, so there is no month to import; give --from and --to")
        start = pd.Period(first, freq="M")
    if end is None:
        if last is None:
            raise SourceProblem(f"the database has no {what}; give --to")
        end = pd.Period(last, freq="M")
        current = pd.Period(today, freq="M")
        if end >= current:  # the current month is not over: stop at the last complete one
            end = current - 1
    if start > end:
        raise UsageProblem(f"the range is empty: --from {start} is after --to {end}")
    return start, end
