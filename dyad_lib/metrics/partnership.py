"""The partnership (dyad) metric family: the ids of metrics.md's "Partnership" table.

Which assessment is in force at a date and how aligned the partners are in it; how many meetings
each cadence plans in a period and how many were held; which action items fall due, were done on
time or are overdue; which conflicts are open. These are the primitives the partnership views
(`dyad_lib.partnership`) build on, so the numbers a view shows and the metric ids are one
computation.

Slots of a period (`meeting_adherence_<cadence>`): weekly, the ISO weeks whose Monday is a day of
the period (a meeting belongs to the week of its own Monday); monthly, the period's months;
quarterly and annual, consecutive three- and twelve-month blocks from the period's first month
(a trailing partial block is not planned). A period shorter than the cadence has no slot and the
adherence is not computable; so is a cadence with no row in the log, or a period that ends before
the first logged meeting of that cadence (the practice was not keeping the log yet). A held
meeting fills the slot it falls in, at most once, so an extra meeting never lifts adherence above
100%.

Overdue (a public contract): an item is overdue at the period end when its due_date is before the
period's last day; an item due on that day is not overdue yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dyad_lib.data.contract import DYAD_AREA_CODES, MEETING_CADENCES, PARTNER_ROLES, TABLES
from dyad_lib.metrics.periods import Period
from dyad_lib.metrics.values import MetricValue, missing, ratio, value

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice


# --- assessments ----------------------------------------------------------------------------

def _cutoff(on_or_before) -> pd.Timestamp | None:
    return None if on_or_before is None else pd.Timestamp(on_or_before).normalize()


def assessment_dates(df: pd.DataFrame | None, on_or_before=None) -> list[pd.Timestamp]:
    """Dates of the usable assessments (both partners rated), oldest first, up to `on_or_before`."""
    if df is None or df.empty:
        return []
    d = df[df["rating"].notna() & df["assessment_date"].notna()]
    cut = _cutoff(on_or_before)
    if cut is not None:
        d = d[d["assessment_date"] <= cut]
    dates = d["assessment_date"].to_numpy()
    resp = d["respondent"].to_numpy(dtype=object)
    both = set(dates[resp == "physician"]) & set(dates[resp == "administrator"])
    return [pd.Timestamp(x) for x in sorted(both)]


def latest_assessment_date(df: pd.DataFrame | None, on_or_before=None) -> pd.Timestamp | None:
    """The latest usable assessment dated on or before `on_or_before` (None if there is none)."""
    dates = assessment_dates(df, on_or_before)
    return dates[-1] if dates else None


def alignment_and_health(df: pd.DataFrame | None, on_or_before=None) -> tuple[float | None, float | None, pd.Timestamp | None]:
    """(dyad_alignment, dyad_health, date) of the latest usable assessment on or before the date.

    alignment = 1 − mean over areas both rated of |physician − administrator| ÷ 4;
    health = mean of every rating of that assessment (both partners, every area they rated).
    """
    when = latest_assessment_date(df, on_or_before)
    if when is None:
        return None, None, None
    d = df[(df["assessment_date"] == when) & df["rating"].notna() & df["area"].isin(DYAD_AREA_CODES)]
    d = d.drop_duplicates(subset=["respondent", "area"], keep="last")
    by_role = {role: dict(zip(d.loc[d["respondent"] == role, "area"],
                              d.loc[d["respondent"] == role, "rating"].astype(float)))
               for role in PARTNER_ROLES}
    phys, admin = by_role["physician"], by_role["administrator"]
    common = [a for a in DYAD_AREA_CODES if a in phys and a in admin]
    alignment = 1 - sum(abs(phys[a] - admin[a]) for a in common) / len(common) / 4 if common else None
    ratings = list(phys.values()) + list(admin.values())
    health = sum(ratings) / len(ratings) if ratings else None
    return alignment, health, when


# --- meetings -------------------------------------------------------------------------------

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


# --- action plan and conflicts -----------------------------------------------------------------

def _day(x) -> pd.Timestamp:
    return pd.Timestamp(x).normalize()


def done_by(df: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Items done on or before `as_of` (status done and completed on or before it)."""
    return (df["status"] == "done") & df["completed_date"].notna() & (df["completed_date"] <= as_of)


def overdue_mask(df: pd.DataFrame, as_of) -> pd.Series:
    """Items overdue at `as_of`: created by then, due strictly before it, not done by then,
    not dropped. (An item completed after `as_of` was still overdue at it.)"""
    as_of = _day(as_of)
    created = df["created_date"].isna() | (df["created_date"] <= as_of)
    return (created & df["due_date"].notna() & (df["due_date"] < as_of)
            & (df["status"] != "dropped") & ~done_by(df, as_of)).astype(bool)


def done_on_time_mask(df: pd.DataFrame) -> pd.Series:
    """Items done with completed_date ≤ due_date."""
    return ((df["status"] == "done") & df["completed_date"].notna() & df["due_date"].notna()
            & (df["completed_date"] <= df["due_date"])).astype(bool)


def due_in(df: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Items due in the period, dropped ones excluded (the denominator of done-on-time)."""
    return df[period.date_mask(df["due_date"]).fillna(False).astype(bool) & (df["status"] != "dropped")]


def conflicts_open_mask(df: pd.DataFrame, as_of) -> pd.Series:
    """Conflicts opened on or before `as_of` and not resolved by then."""
    as_of = _day(as_of)
    return ((df["opened_date"] <= as_of) & (df["resolved_date"].isna() | (df["resolved_date"] > as_of))).astype(bool)


def resolved_in(df: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Conflicts resolved on a day of the period (and with a known opened date), with `days_to_resolve`."""
    r = df[df["resolved_date"].notna() & df["opened_date"].notna()
           & period.date_mask(df["resolved_date"]).fillna(False).astype(bool)].copy()
    r["days_to_resolve"] = (r["resolved_date"] - r["opened_date"]).dt.days
    return r


# --- the metric ids ---------------------------------------------------------------------------

#: The metric ids this module computes, with their units (the public contract of metrics.md).
PARTNERSHIP_METRICS: dict[str, str] = {
    "dyad_alignment": "ratio",
    "dyad_health": "score_1_5",
    **{f"meeting_adherence_{c}": "ratio" for c in MEETING_CADENCES},
    "action_items_done_on_time": "ratio",
    "action_items_overdue": "count",
    "conflicts_open": "count",
    "conflict_days_to_resolve": "days",
}


def _no_table(metric_id: str, table: str) -> MetricValue:
    what = TABLES[table].collects or TABLES[table].description
    return missing(metric_id, PARTNERSHIP_METRICS[metric_id], f"no {table} table ({what})")


def _assessment_metrics(assess: pd.DataFrame | None, period: Period) -> dict[str, MetricValue]:
    if assess is None:
        return {m: _no_table(m, "dyad_assessment") for m in ("dyad_alignment", "dyad_health")}
    alignment, health, when = alignment_and_health(assess, period.last_day)
    if when is None:
        why = f"no assessment rated by both partners on or before {period.last_day:%Y-%m-%d}"
        return {m: missing(m, PARTNERSHIP_METRICS[m], why) for m in ("dyad_alignment", "dyad_health")}
    return {
        "dyad_alignment": value("dyad_alignment", alignment, "ratio",
                                f"no area rated by both partners on {when:%Y-%m-%d}"),
        "dyad_health": value("dyad_health", health, "score_1_5", f"no ratings on {when:%Y-%m-%d}"),
    }


def _meeting_metrics(meetings: pd.DataFrame | None, period: Period) -> dict[str, MetricValue]:
    out = {}
    for cadence in MEETING_CADENCES:
        mid = f"meeting_adherence_{cadence}"
        if meetings is None:
            out[mid] = _no_table(mid, "meetings")
            continue
        r = cadence_rhythm(meetings, period, cadence)
        out[mid] = (value(mid, r.adherence, "ratio") if r.adherence is not None
                    else missing(mid, "ratio", r.reason or "not computable"))
    return out


def _action_metrics(actions: pd.DataFrame | None, period: Period) -> dict[str, MetricValue]:
    if actions is None:
        return {m: _no_table(m, "action_plan") for m in ("action_items_done_on_time", "action_items_overdue")}
    due = due_in(actions, period)
    on_time = int(done_on_time_mask(due).sum())
    return {
        "action_items_done_on_time": ratio("action_items_done_on_time", on_time, len(due),
                                           empty_reason=f"no action item (not dropped) was due in {period.label}"),
        "action_items_overdue": value("action_items_overdue", int(overdue_mask(actions, period.last_day).sum()),
                                      "count"),
    }


def _conflict_metrics(conflicts: pd.DataFrame | None, period: Period) -> dict[str, MetricValue]:
    if conflicts is None:
        return {m: _no_table(m, "conflicts") for m in ("conflicts_open", "conflict_days_to_resolve")}
    resolved = resolved_in(conflicts, period)
    days = float(resolved["days_to_resolve"].median()) if len(resolved) else None
    return {
        "conflicts_open": value("conflicts_open", int(conflicts_open_mask(conflicts, period.last_day).sum()), "count"),
        "conflict_days_to_resolve": value("conflict_days_to_resolve", days, "days",
                                          f"no conflict was resolved in {period.label}"),
    }


def partnership_metrics(practice: "Practice", period: Period) -> dict[str, MetricValue]:
    """Every partnership metric id of metrics.md for `period`, missing-with-reason when it cannot be
    computed (table absent, nothing due, period shorter than the cadence), never zero for that."""
    t = practice.tables
    out: dict[str, MetricValue] = {}
    out.update(_assessment_metrics(t.get("dyad_assessment"), period))
    out.update(_meeting_metrics(t.get("meetings"), period))
    out.update(_action_metrics(t.get("action_plan"), period))
    out.update(_conflict_metrics(t.get("conflicts"), period))
    return {mid: out[mid] for mid in PARTNERSHIP_METRICS}


def partnership_series(practice: "Practice", months) -> pd.DataFrame:
    """Every partnership id for each month (index: month starts), NaN where not computable.

    One `partnership_metrics` call per month for all ids together — cheaper than one call per id
    and month when a chart needs a long monthly history.
    """
    from dyad_lib.metrics.periods import month_period

    idx = pd.DatetimeIndex([pd.Timestamp(m) for m in months], name="month")
    rows = []
    for m in idx:
        got = partnership_metrics(practice, month_period(m, practice.config.fiscal_year_start_month))
        rows.append({k: (float("nan") if v.value is None else v.value) for k, v in got.items()})
    return pd.DataFrame(rows, index=idx, columns=list(PARTNERSHIP_METRICS), dtype=float)
