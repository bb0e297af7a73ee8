"""What the partners chose and decided, carried from one meeting to the next.

The second source article's way to start: list strengths and gaps, pick one or two areas of
weaker overlap, make a plan, "make it part of your meeting agendas, track your progress". The
assessment proposes areas (`dyad_lib.partnership.assessment.focus_areas`); the partners record the
ones they chose in `focus_areas` and what they decided in `decisions`. This module reads both as of
a date:

* the open focus areas with their progress since they were chosen: both partners' ratings in the
  assessment in force when the area was chosen and in the latest one, and any number linked to it
  (a metric named by an action or decision in that area), before and now;
* the decisions of the last meeting, and those up for review around the next one;
* the actions a meeting has to look at: due in the period, overdue at its end, due before the next
  meeting.

The next meeting about a period (the monthly review of September, the checkpoint of a quarter) is
held in the month after it ends; `meeting_window` is that month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from dyad_lib.data.contract import DYAD_AREAS, PARTNER_ROLES
from dyad_lib.metrics.partnership import latest_assessment_date, overdue_mask
from dyad_lib.metrics.periods import Period, add_months
from dyad_lib.partnership.assessment import assessment_view
from dyad_lib.partnership.links import Movement, movement

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice


def _day(x) -> pd.Timestamp:
    return pd.Timestamp(x).normalize()


def meeting_window(period: Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the month after `period`: when the meeting that reviews it is held."""
    start = add_months(period.end, 1)
    return start, add_months(start, 1) - pd.Timedelta(days=1)


# --- focus areas ---------------------------------------------------------------------------------------


def open_focus(df: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """Focus areas chosen on or before `as_of` and not closed by then, oldest first; when an area was
    chosen again, only its latest choice. Adds `label`."""
    cols = ["chosen_date", "area", "label", "note", "closed_date"]
    if df is None or df.empty:
        return pd.DataFrame(columns=cols)
    as_of = _day(as_of)
    d = df[(df["chosen_date"] <= as_of) & (df["closed_date"].isna() | (df["closed_date"] > as_of))]
    d = d.sort_values(["chosen_date", "area"]).drop_duplicates("area", keep="last")
    d = d.assign(label=d["area"].map(lambda a: DYAD_AREAS[a][1] if a in DYAD_AREAS else a))
    return d[cols].reset_index(drop=True)


def focus_history(df: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """Every focus area chosen on or before `as_of`, newest first, with whether it is still open then."""
    cols = ["chosen_date", "area", "label", "note", "closed_date", "open"]
    if df is None or df.empty:
        return pd.DataFrame(columns=cols)
    as_of = _day(as_of)
    d = df[df["chosen_date"] <= as_of].copy()
    d["closed_date"] = d["closed_date"].where(d["closed_date"] <= as_of)
    d["open"] = d["closed_date"].isna()
    d["label"] = d["area"].map(lambda a: DYAD_AREAS[a][1] if a in DYAD_AREAS else a)
    return d.sort_values(["chosen_date", "area"], ascending=[False, True])[cols].reset_index(drop=True)


def area_metrics(practice: "Practice", area: str, as_of) -> list[str]:
    """Metric ids named by actions and decisions of one partnership area (up to `as_of`), in the
    order they first appear."""
    found: list[tuple[pd.Timestamp, str]] = []
    for table, col in (("action_plan", "created_date"), ("decisions", "date")):
        df = practice.tables.get(table)
        if df is None or "metric_id" not in df.columns or "area" not in df.columns:
            continue
        d = df[(df["area"] == area) & df["metric_id"].notna() & (df[col] <= _day(as_of))]
        found += list(zip(d[col], d["metric_id"]))
    return list(dict.fromkeys(m for _, m in sorted(found, key=lambda x: (x[0], x[1]))))


def focus_progress(practice: "Practice", period: Period) -> pd.DataFrame:
    """Each focus area open at the period end with its progress since it was chosen.

    Columns: area, label, chosen_date, note, before_date (the assessment in force when the area was
    chosen, NaT when none), now_date (the latest assessment up to the period end), physician_before,
    physician_now, administrator_before, administrator_now, mean_change (None when there is no
    later assessment to compare), movements (a list of `Movement`: each number linked to the area,
    over the whole period before it was chosen and over `period`).
    """
    cols = ["area", "label", "chosen_date", "note", "before_date", "now_date", "physician_before",
            "physician_now", "administrator_before", "administrator_now", "mean_change", "movements"]
    chosen = open_focus(practice.tables.get("focus_areas"), period.last_day)
    assess = practice.tables.get("dyad_assessment")
    now_date = latest_assessment_date(assess, period.last_day)
    now = assessment_view(assess, date=now_date).set_index("area") if now_date is not None else None
    rows = []
    for r in chosen.to_dict("records"):
        before_date = latest_assessment_date(assess, r["chosen_date"])
        before = assessment_view(assess, date=before_date).set_index("area") if before_date is not None else None
        row = {"area": r["area"], "label": r["label"], "chosen_date": r["chosen_date"], "note": r["note"],
               "before_date": before_date, "now_date": now_date}
        for role in PARTNER_ROLES:
            row[f"{role}_before"] = float(before.at[r["area"], f"{role}_rating"]) if before is not None else None
            row[f"{role}_now"] = float(now.at[r["area"], f"{role}_rating"]) if now is not None else None
        compared = before is not None and now is not None and before_date != now_date
        row["mean_change"] = (float(now.at[r["area"], "mean_rating"] - before.at[r["area"], "mean_rating"])
                              if compared else None)
        row["movements"] = [movement(practice, m, r["chosen_date"], period)
                            for m in area_metrics(practice, r["area"], period.last_day)]
        rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    for c in cols[6:10]:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


# --- decisions -------------------------------------------------------------------------------------------


DECISION_COLUMNS = ["decision_id", "date", "cadence", "decision", "lead", "metric_id", "area", "review_date"]


def decisions_to(df: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """Every decision taken on or before `as_of`, newest first."""
    if df is None or df.empty:
        return pd.DataFrame(columns=DECISION_COLUMNS)
    d = df[df["date"] <= _day(as_of)]
    return d.sort_values(["date", "decision_id"], ascending=[False, True])[DECISION_COLUMNS].reset_index(drop=True)


def last_meeting_decisions(df: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """The decisions of the latest meeting on or before `as_of` that took any (attrs: date, cadence)."""
    d = decisions_to(df, as_of)
    if d.empty:
        d.attrs.update(date=None, cadence=None)
        return d
    last = d["date"].max()
    out = d[d["date"] == last].sort_values("decision_id").reset_index(drop=True)
    out.attrs.update(date=last, cadence=str(out["cadence"].iloc[0]))
    return out


def up_for_review(df: pd.DataFrame | None, start, end) -> pd.DataFrame:
    """Decisions taken before `end` whose review date falls between `start` and `end` (inclusive),
    soonest first: what the partners said they would look at again in that stretch."""
    if df is None or df.empty:
        return pd.DataFrame(columns=DECISION_COLUMNS)
    s, e = _day(start), _day(end)
    d = df[df["review_date"].notna() & (df["review_date"] >= s) & (df["review_date"] <= e) & (df["date"] <= e)]
    return d.sort_values(["review_date", "decision_id"])[DECISION_COLUMNS].reset_index(drop=True)


# --- actions for a meeting -----------------------------------------------------------------------------------


ACTION_COLUMNS = ["item_id", "title", "area", "owner", "created_date", "due_date", "status", "completed_date", "metric_id",
                  "when", "days_overdue"]


def actions_for_meeting(df: pd.DataFrame | None, period: Period) -> pd.DataFrame:
    """The actions the meeting about `period` looks at, as of the period end: `when` is ``overdue``
    (due before the period's last day and not done then), ``due`` (due in the period: done or not)
    or ``next`` (due in the month of the meeting, `meeting_window`). Dropped items are left out.
    Sorted: overdue (longest first), due, next."""
    if df is None or df.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    end = period.last_day
    _, window_end = meeting_window(period)
    d = df[(df["status"] != "dropped") & (df["created_date"].isna() | (df["created_date"] <= end))].copy()
    over = overdue_mask(d, end)
    in_period = period.date_mask(d["due_date"]).fillna(False).astype(bool)
    upcoming = ((d["due_date"] > end) & (d["due_date"] <= window_end)).fillna(False).astype(bool)
    d["when"] = None
    d.loc[upcoming, "when"] = "next"
    d.loc[in_period, "when"] = "due"
    d.loc[over, "when"] = "overdue"
    d = d[d["when"].notna()].copy()
    # what was logged after the period end is not known at it: a later completion shows as not done yet
    late = d["completed_date"].notna() & (d["completed_date"] > end)
    d.loc[late, "completed_date"] = pd.NaT
    d.loc[late, "status"] = "in_progress"
    d["days_overdue"] = pd.array([(end - due).days if w == "overdue" else None
                                  for w, due in zip(d["when"], d["due_date"])], dtype="Int64")
    d["_o"] = d["when"].map({"overdue": 0, "due": 1, "next": 2})
    d["_d"] = -d["days_overdue"].fillna(0).astype(float)
    d = d.sort_values(["_o", "_d", "due_date", "item_id"])
    if "metric_id" not in d.columns:
        d["metric_id"] = None
    return d[ACTION_COLUMNS].reset_index(drop=True)


def movements_for(practice: "Practice", items: pd.DataFrame, date_col: str, period: Period) -> list[Movement | None]:
    """For each row of `items` (with `metric_id` and a start date in `date_col`), the movement of its
    metric from the whole period before that date to `period` (None for rows naming no metric)."""
    out: list[Movement | None] = []
    for mid, since in zip(items.get("metric_id", pd.Series([None] * len(items))), items[date_col]):
        ok = isinstance(mid, str) and pd.notna(since)
        out.append(movement(practice, mid, since, period) if ok else None)
    return out
