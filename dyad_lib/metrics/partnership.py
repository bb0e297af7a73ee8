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
from dyad_lib.metrics.memo import PracticeMemo, source_digest
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
    computed (table absent, nothing due, period shorter than the cadence), never zero for that.

    Computed from the practice's partnership history (`partnership_history`: kept in the snapshot
    by the orchestrator, so a report only looks the period up); `direct_partnership_metrics` is the
    same from the tables, one period at a time (tested equal)."""
    return partnership_history(practice).metrics(period)


def direct_partnership_metrics(practice: "Practice", period: Period) -> dict[str, MetricValue]:
    """`partnership_metrics` computed from the tables with the views' own helpers."""
    t = practice.tables
    out: dict[str, MetricValue] = {}
    out.update(_assessment_metrics(t.get("dyad_assessment"), period))
    out.update(_meeting_metrics(t.get("meetings"), period))
    out.update(_action_metrics(t.get("action_plan"), period))
    out.update(_conflict_metrics(t.get("conflicts"), period))
    return {mid: out[mid] for mid in PARTNERSHIP_METRICS}


# --- the partnership history: computed once per practice, then any period in microseconds ------

PARTNERSHIP_TABLES = ("dyad_assessment", "meetings", "action_plan", "conflicts")
#: The history kept in a snapshot folder (dyad_lib.metrics.derived).
STORED_HISTORY = "partnership.json"
_NAT = np.datetime64("NaT", "D")


def _days(values) -> np.ndarray:
    """Dates as datetime64[D] (NaT kept)."""
    return np.asarray(pd.Series(values, dtype="datetime64[ns]").to_numpy(dtype="datetime64[D]"))


def _day64(ts: pd.Timestamp) -> np.datetime64:
    return np.datetime64(pd.Timestamp(ts).date(), "D")


@dataclass
class PartnershipHistory:
    """What the partnership metrics of any period are computed from.

    assessments: every usable assessment (both partners rated), oldest first, with its alignment
    and health; meetings: per cadence, each logged meeting's date and whether it was held;
    action_plan and conflicts: their dates and states. Dates are days (datetime64[D], NaT for a
    missing one); `tables` lists the partnership tables the practice has."""

    tables: frozenset[str]
    assess_dates: np.ndarray
    assess_alignment: list[float | None]
    assess_health: list[float | None]
    meetings: dict[str, tuple[np.ndarray, np.ndarray]]
    action_due: np.ndarray
    action_created: np.ndarray
    action_completed: np.ndarray
    action_done: np.ndarray
    action_dropped: np.ndarray
    conflict_opened: np.ndarray
    conflict_resolved: np.ndarray

    # -- the metrics of one period ------------------------------------------------------------

    def metrics(self, period: Period) -> dict[str, MetricValue]:
        first = _day64(period.first_day)
        last = _day64(period.last_day)
        end = last + np.timedelta64(1, "D")  # the day after the period (date_mask's bound)
        out: dict[str, MetricValue] = {}
        out.update(self._assessment(last))
        out.update(self._meetings(period, first, last))
        out.update(self._actions(period, first, end, last))
        out.update(self._conflicts(period, first, end, last))
        return {mid: out[mid] for mid in PARTNERSHIP_METRICS}

    def _assessment(self, last: np.datetime64) -> dict[str, MetricValue]:
        if "dyad_assessment" not in self.tables:
            return {m: _no_table(m, "dyad_assessment") for m in ("dyad_alignment", "dyad_health")}
        i = int(np.searchsorted(self.assess_dates, last, side="right")) - 1
        if i < 0:
            why = f"no assessment rated by both partners on or before {pd.Timestamp(last):%Y-%m-%d}"
            return {m: missing(m, PARTNERSHIP_METRICS[m], why) for m in ("dyad_alignment", "dyad_health")}
        when = pd.Timestamp(self.assess_dates[i])
        return {
            "dyad_alignment": value("dyad_alignment", self.assess_alignment[i], "ratio",
                                    f"no area rated by both partners on {when:%Y-%m-%d}"),
            "dyad_health": value("dyad_health", self.assess_health[i], "score_1_5", f"no ratings on {when:%Y-%m-%d}"),
        }

    def _meetings(self, period: Period, first: np.datetime64, last: np.datetime64) -> dict[str, MetricValue]:
        out = {}
        for cadence in MEETING_CADENCES:
            mid = f"meeting_adherence_{cadence}"
            if "meetings" not in self.tables:
                out[mid] = _no_table(mid, "meetings")
                continue
            adherence, reason = self._rhythm(period, cadence, first, last)
            out[mid] = value(mid, adherence, "ratio") if adherence is not None else missing(mid, "ratio", reason)
        return out

    def _rhythm(self, period: Period, cadence: str, first: np.datetime64,
                last: np.datetime64) -> tuple[float | None, str]:
        """cadence_rhythm's adherence (or its reason), on arrays."""
        if cadence == "weekly":
            f = first.astype("int64")
            first_monday = f + (7 - (f + 3) % 7) % 7  # 1970-01-01 was a Thursday
            n = 0 if first_monday > last.astype("int64") else (last.astype("int64") - first_monday) // 7 + 1
        else:
            size = CADENCE_MONTHS[cadence]
            n = period.n_months // size
        if not n:
            return None, f"{period.label} is shorter than the {cadence} cadence"
        dates, held = self.meetings.get(cadence, (np.empty(0, "datetime64[D]"), np.empty(0, bool)))
        if not len(dates):
            return None, f"no {cadence} meetings are logged at all"
        known = dates[~np.isnat(dates)]
        if len(known) and known.min() > last:
            return None, f"the {cadence} meeting log starts on {pd.Timestamp(known.min()):%Y-%m-%d}, after {period.label}"
        valid = ~np.isnat(dates)
        if cadence == "weekly":
            days = dates.astype("int64")
            idx = (days - (days + 3) % 7 - first_monday) // 7
        else:
            months = dates.astype("datetime64[M]").astype("int64")
            offset = months - np.datetime64(period.start.date(), "M").astype("int64")
            idx = np.where(offset >= 0, offset // CADENCE_MONTHS[cadence], -1)
        in_slot = valid & (idx >= 0) & (idx < n)
        n_held = len(np.unique(idx[in_slot & held]))
        return n_held / n, ""

    def _actions(self, period: Period, first, end, last) -> dict[str, MetricValue]:
        if "action_plan" not in self.tables:
            return {m: _no_table(m, "action_plan") for m in ("action_items_done_on_time", "action_items_overdue")}
        due, done, completed = self.action_due, self.action_done, self.action_completed
        due_in = (due >= first) & (due < end) & ~self.action_dropped
        on_time = due_in & done & ~np.isnat(completed) & ~np.isnat(due) & (completed <= due)
        created_by = np.isnat(self.action_created) | (self.action_created <= last)
        done_by = done & ~np.isnat(completed) & (completed <= last)
        overdue = created_by & ~np.isnat(due) & (due < last) & ~self.action_dropped & ~done_by
        return {
            "action_items_done_on_time": ratio("action_items_done_on_time", int(on_time.sum()), int(due_in.sum()),
                                               empty_reason=f"no action item (not dropped) was due in {period.label}"),
            "action_items_overdue": value("action_items_overdue", int(overdue.sum()), "count"),
        }

    def _conflicts(self, period: Period, first, end, last) -> dict[str, MetricValue]:
        if "conflicts" not in self.tables:
            return {m: _no_table(m, "conflicts") for m in ("conflicts_open", "conflict_days_to_resolve")}
        opened, resolved = self.conflict_opened, self.conflict_resolved
        sel = ~np.isnat(resolved) & ~np.isnat(opened) & (resolved >= first) & (resolved < end)
        spans = (resolved[sel] - opened[sel]).astype("int64").astype("float64")
        days = float(np.median(spans)) if len(spans) else None
        open_ = (opened <= last) & (np.isnat(resolved) | (resolved > last))
        return {
            "conflicts_open": value("conflicts_open", int(open_.sum()), "count"),
            "conflict_days_to_resolve": value("conflict_days_to_resolve", days, "days",
                                              f"no conflict was resolved in {period.label}"),
        }

    # -- kept in the snapshot -----------------------------------------------------------------

    def to_json(self) -> dict:
        days = lambda a: [None if np.isnat(x) else str(x) for x in a]  # noqa: E731
        return {
            "version": code_version(), "tables": sorted(self.tables),
            "assessments": {"dates": days(self.assess_dates), "alignment": self.assess_alignment,
                            "health": self.assess_health},
            "meetings": {c: {"dates": days(d), "held": h.tolist()} for c, (d, h) in self.meetings.items()},
            "action_plan": {"due": days(self.action_due), "created": days(self.action_created),
                            "completed": days(self.action_completed), "done": self.action_done.tolist(),
                            "dropped": self.action_dropped.tolist()},
            "conflicts": {"opened": days(self.conflict_opened), "resolved": days(self.conflict_resolved)},
        }

    @classmethod
    def from_json(cls, d: dict) -> "PartnershipHistory":
        days = lambda a: np.array([_NAT if x is None else np.datetime64(x, "D") for x in a],  # noqa: E731
                                  dtype="datetime64[D]")
        a, m, c = d["action_plan"], d["meetings"], d["conflicts"]
        return cls(frozenset(d["tables"]), days(d["assessments"]["dates"]), list(d["assessments"]["alignment"]),
                   list(d["assessments"]["health"]),
                   {k: (days(v["dates"]), np.array(v["held"], dtype=bool)) for k, v in m.items()},
                   days(a["due"]), days(a["created"]), days(a["completed"]), np.array(a["done"], dtype=bool),
                   np.array(a["dropped"], dtype=bool), days(c["opened"]), days(c["resolved"]))


def build_history(practice: "Practice") -> PartnershipHistory:
    """The partnership history of a practice from its tables (each assessment's alignment and
    health by `alignment_and_health` itself, so both ways agree)."""
    t = practice.tables
    assess = t.get("dyad_assessment")
    dates = assessment_dates(assess)
    scores = [alignment_and_health(assess, when)[:2] for when in dates]
    meetings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    mt = t.get("meetings")
    if mt is not None:
        for cadence in MEETING_CADENCES:
            df = mt[mt["cadence"] == cadence]
            meetings[cadence] = (_days(df["date"]), df["held"].fillna(False).to_numpy(dtype=bool))
    ap = t.get("action_plan")
    empty = np.empty(0, dtype="datetime64[D]")
    if ap is not None:
        status = ap["status"]
        action = (_days(ap["due_date"]), _days(ap["created_date"]), _days(ap["completed_date"]),
                  (status == "done").to_numpy(dtype=bool, na_value=False),
                  (status == "dropped").to_numpy(dtype=bool, na_value=False))
    else:
        action = (empty, empty, empty, np.empty(0, bool), np.empty(0, bool))
    cf = t.get("conflicts")
    conflict = (_days(cf["opened_date"]), _days(cf["resolved_date"])) if cf is not None else (empty, empty)
    return PartnershipHistory(frozenset(n for n in PARTNERSHIP_TABLES if n in t),
                              np.array([_day64(x) for x in dates], dtype="datetime64[D]"),
                              [None if a is None else float(a) for a, _ in scores],
                              [None if h is None else float(h) for _, h in scores],
                              meetings, *action, *conflict)


def code_version() -> str:
    """A digest of this module's source: a stored history from other code is rebuilt."""
    return source_digest(__file__)


def store_history(history: PartnershipHistory, folder) -> None:
    """Keep the history in a snapshot folder (written to a temporary file, then renamed)."""
    import json
    import os
    import tempfile
    from pathlib import Path

    fd, tmp = tempfile.mkstemp(prefix=f".{STORED_HISTORY}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(history.to_json(), fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, Path(folder) / STORED_HISTORY)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def stored_history(folder, practice: "Practice | None" = None) -> PartnershipHistory | None:
    """The history kept in a snapshot folder, or None (none kept, or from other code)."""
    import json
    from pathlib import Path

    if folder is None:
        return None
    try:
        d = json.loads((Path(folder) / STORED_HISTORY).read_text(encoding="utf-8"))
        if d.get("version") != code_version():
            return None
        h = PartnershipHistory.from_json(d)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if practice is not None and h.tables != frozenset(n for n in PARTNERSHIP_TABLES if n in practice.tables):
        return None
    return h


_MEMO = PracticeMemo(PARTNERSHIP_TABLES)


def partnership_history(practice: "Practice") -> PartnershipHistory:
    """The practice's partnership history: kept in its snapshot folder when read from one (the
    orchestrator computes it once), else built; kept per practice object while its partnership
    tables are unchanged."""
    def build() -> PartnershipHistory:
        folder = practice.from_snapshot() if hasattr(practice, "from_snapshot") else None
        return stored_history(folder, practice) or build_history(practice)

    return _MEMO.get(practice, "history", build)


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
