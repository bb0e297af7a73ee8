"""The rhythm of collaboration: planned against held meetings, per cadence.

The second source article's rhythm is a weekly touch point, a monthly review, a quarterly strategy
session and an annual retreat. The plan is therefore implicit (one slot per week, month, quarter,
year) and the `meetings` log says which slots were held. A held meeting fills the slot it falls
in, and a slot is filled at most once, so an extra meeting never lifts adherence above 100%.

Slots of a period (metrics.md `meeting_adherence_<cadence>`):
- weekly: the ISO weeks whose Monday is a day of the period (a meeting belongs to the week of its
  own Monday, so a Wednesday 1 July meeting belongs to the week of Monday 29 June);
- monthly: the period's months;
- quarterly: consecutive three-month blocks from the period's first month (a calendar quarter is
  one block, a fiscal year four); a trailing partial block is not planned;
- annual: consecutive twelve-month blocks from the period's first month (a fiscal year is one).
A period shorter than the cadence (a month for the quarterly cadence, anything under twelve months
for the annual one) has no slot, and the adherence is then not computable; so is a cadence with no
row at all in the log, or a period that ends before the first logged meeting of that cadence (the
practice was not keeping the log yet, which is not the same as holding no meeting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dyad_lib.contract import MEETING_CADENCES
from dyad_lib.periods import Period

#: Months in one slot of each cadence (weekly is handled by ISO weeks).
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}
CADENCE_LABELS = {
    "weekly": "Weekly touch point",
    "monthly": "Monthly review",
    "quarterly": "Quarterly strategy session",
    "annual": "Annual retreat",
}


def planned_slots(period: Period, cadence: str) -> list[pd.Timestamp]:
    """The start of every planned slot of `cadence` in `period` (empty when the period is too short)."""
    if cadence == "weekly":
        first, last = period.first_day, period.last_day
        first_monday = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
        if first_monday > last:
            return []
        return list(pd.date_range(first_monday, last, freq="7D"))
    size = CADENCE_MONTHS[cadence]
    n_blocks = period.n_months // size
    y, m = period.start.year, period.start.month - 1
    return [pd.Timestamp(year=y + (m + size * i) // 12, month=(m + size * i) % 12 + 1, day=1) for i in range(n_blocks)]


def slot_index(dates, period: Period, cadence: str) -> np.ndarray:
    """For each date, the index of the planned slot it falls in, or -1 (vectorised: the metrics
    helper evaluates every month of a long history)."""
    slots = planned_slots(period, cadence)
    d = np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]"))
    out = np.full(len(d), -1, dtype=np.int64)
    if not slots or not len(d):
        return out
    valid = ~np.isnat(d)
    if cadence == "weekly":
        days = d.astype("int64")
        monday = days - (days + 3) % 7  # 1970-01-01 was a Thursday
        first = np.datetime64(slots[0].date(), "D").astype("int64")
        idx = (monday - first) // 7
    else:
        months = d.astype("datetime64[M]").astype("int64")
        first = np.datetime64(period.start.date(), "M").astype("int64")
        offset = months - first
        idx = np.where(offset >= 0, offset // CADENCE_MONTHS[cadence], -1)
    ok = valid & (idx >= 0) & (idx < len(slots))
    out[ok] = idx[ok]
    return out


def slot_of(dates: pd.Series, period: Period, cadence: str) -> pd.Series:
    """For each date, the start of the slot it falls in (NaT when it is outside every planned slot)."""
    dates = pd.Series(dates)
    idx = slot_index(dates, period, cadence)
    starts = np.array([np.datetime64(s, "ns") for s in planned_slots(period, cadence)] + [np.datetime64("NaT", "ns")])
    return pd.Series(starts[idx], index=dates.index, dtype="datetime64[ns]")


@dataclass(frozen=True)
class CadenceRhythm:
    """Planned against held meetings of one cadence in one period."""

    cadence: str
    label: str
    planned: int
    held: int  # slots with at least one held meeting
    missed: int  # slots logged only as not held
    not_logged: int  # slots with no row at all
    extra: int  # held meetings beyond the first in a slot
    adherence: float | None  # held / planned; None when nothing is planned
    avg_duration_minutes: float | None  # over held meetings with a duration
    reason: str | None = None  # why adherence is None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def cadence_rhythm(meetings: pd.DataFrame | None, period: Period, cadence: str) -> CadenceRhythm:
    """Planned, held, missed and not-logged slots of one cadence in the period."""
    label = CADENCE_LABELS[cadence]
    slots = planned_slots(period, cadence)
    if not slots:
        return CadenceRhythm(cadence, label, 0, 0, 0, 0, 0, None, None,
                             f"{period.label} is shorter than the {cadence} cadence")
    if meetings is None:
        return CadenceRhythm(cadence, label, len(slots), 0, 0, len(slots), 0, None, None,
                             "no meetings log (meetings table)")
    df = meetings[meetings["cadence"] == cadence]
    if df.empty:
        return CadenceRhythm(cadence, label, len(slots), 0, 0, len(slots), 0, None, None,
                             f"no {cadence} meetings are logged at all")
    log_start = df["date"].min()
    if log_start > period.last_day:
        return CadenceRhythm(cadence, label, len(slots), 0, 0, len(slots), 0, None, None,
                             f"the {cadence} meeting log starts on {log_start:%Y-%m-%d}, after {period.label}")
    slot = slot_index(df["date"], period, cadence)
    in_slot = slot >= 0
    held_mask = df["held"].fillna(False).to_numpy(dtype=bool) & in_slot
    held_slots = np.unique(slot[held_mask])
    logged_slots = np.unique(slot[in_slot])
    planned = len(slots)
    held = len(held_slots)
    missed = len(logged_slots) - held
    not_logged = planned - len(logged_slots)
    extra = int(held_mask.sum()) - held
    dur = df["duration_minutes"].to_numpy(dtype="float64", na_value=np.nan)[held_mask]
    dur = dur[~np.isnan(dur)]
    avg = float(dur.mean()) if len(dur) else None
    return CadenceRhythm(cadence, label, planned, held, missed, not_logged, extra, held / planned, avg, None)


def meeting_rhythm(meetings: pd.DataFrame | None, period: Period, fy_start_month: int | None = None) -> pd.DataFrame:
    """One row per cadence: planned, held, missed, not logged, extra, adherence, average duration.

    `fy_start_month` is accepted for symmetry with the other views; the slots follow `period`,
    which already carries its fiscal-year start.
    """
    if fy_start_month is not None and fy_start_month != period.fy_start_month:
        period = Period(period.kind, period.start, period.end, fy_start_month)
    rows = [cadence_rhythm(meetings, period, c).to_dict() for c in MEETING_CADENCES]
    return pd.DataFrame(rows)
