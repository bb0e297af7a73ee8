"""The partners' action plan and conflict-resolution log, read as of a date.

Both logs are kept as current state (an item's latest status, a conflict's resolved date), so a
view "as of" a past date reconstructs what was true then from the dates: an item completed after
that date was still open at it, a conflict resolved after it was still open.

Boundary rule (metrics.md, a public contract): an item is overdue at the period end when its
due_date < the period end, the period's last day. An item due on the last day itself is not yet
overdue then (it still has that day); it is overdue from the next day on.
"""

from __future__ import annotations

import pandas as pd

from dyad_lib.data.contract import DYAD_AREAS
from dyad_lib.metrics.partnership import (conflicts_open_mask, done_by, done_on_time_mask, overdue_mask,
                                          resolved_in)
from dyad_lib.metrics.periods import Period


def _day(x) -> pd.Timestamp:
    return pd.Timestamp(x).normalize()


ACTION_COLUMNS = ["item_id", "title", "area", "area_label", "owner", "created_date", "due_date",
                  "status", "completed_date", "status_as_of", "done_on_time", "overdue",
                  "days_overdue", "focus"]


def action_plan_status(df: pd.DataFrame | None, as_of, focus_areas=None) -> pd.DataFrame:
    """Every item created on or before `as_of`, with its status at that date.

    `status_as_of` is ``done`` if completed by then, ``dropped``, ``overdue`` if overdue then,
    else the logged status (``open`` / ``in_progress``; an item completed later shows as
    ``in_progress`` if so logged, else ``open``). `days_overdue` counts days past the due date at
    `as_of`; `focus` flags items whose area is one of `focus_areas` (codes or the frame returned
    by :func:`dyad_lib.partnership.assessment.focus_areas`). Sorted: overdue first (most days
    first), then by due date. attrs["done_on_time_rate"]: of the items due up to `as_of` and
    done or overdue, the share done on time (None when there are none).
    """
    if df is None:
        out = pd.DataFrame(columns=ACTION_COLUMNS)
        out.attrs["done_on_time_rate"] = None
        return out
    as_of = _day(as_of)
    if focus_areas is not None and hasattr(focus_areas, "columns"):
        focus_areas = list(focus_areas["area"]) if len(focus_areas) else []
    focus = set(focus_areas or [])
    d = df[df["created_date"].isna() | (df["created_date"] <= as_of)].copy()
    done = done_by(d, as_of)
    overdue = overdue_mask(d, as_of)
    logged_open = d["status"].where(d["status"].isin(["open", "in_progress"]), "in_progress")
    d["status_as_of"] = logged_open.where(~overdue, "overdue")
    d.loc[d["status"] == "dropped", "status_as_of"] = "dropped"
    d.loc[done, "status_as_of"] = "done"
    d["done_on_time"] = done_on_time_mask(d) & done
    d["overdue"] = overdue
    d["days_overdue"] = ((as_of - d["due_date"]).dt.days).where(overdue).astype("Int64")
    d["area_label"] = d["area"].map(lambda a: DYAD_AREAS[a][1] if isinstance(a, str) and a in DYAD_AREAS else None)
    d["focus"] = d["area"].isin(focus)
    d["_o"] = d["days_overdue"].fillna(-1).astype(int)
    d = d.sort_values(["overdue", "_o", "due_date", "item_id"], ascending=[False, False, True, True])
    due_so_far = d[(d["due_date"] <= as_of) & (d["status"] != "dropped")]
    rate = float(due_so_far["done_on_time"].mean()) if len(due_so_far) else None
    out = d[ACTION_COLUMNS].reset_index(drop=True)
    out.attrs["done_on_time_rate"] = rate
    out.attrs["as_of"] = as_of
    return out


def conflict_summary(df: pd.DataFrame | None, period: Period) -> dict:
    """The conflict log at the end of the period.

    Keys: available, opened_in_period, open (count at the period end), resolved_in_period,
    median_days_to_resolve (None when nothing was resolved in the period), mediated_share (of the
    conflicts opened on or before the period end with `mediated` recorded, the share mediated;
    None when none is recorded), longest_running (the open conflict with the most days open at
    the period end: conflict_id, topic, opened_date, days_open, mediated — or None),
    open_items (frame of the open conflicts, longest first), longest_in_log (the conflict of the
    whole log to the period end that ran longest, resolved or not: conflict_id, topic,
    opened_date, resolved_date, days, mediated, open), history (every conflict opened by the
    period end with its days — to resolution, or to the period end while open — newest first).
    """
    if df is None:
        return {"available": False, "opened_in_period": None, "open": None, "resolved_in_period": None,
                "median_days_to_resolve": None, "mediated_share": None, "longest_running": None,
                "open_items": pd.DataFrame(), "longest_in_log": None, "history": pd.DataFrame()}
    end = period.last_day
    opened = df[df["opened_date"] <= end]
    open_ = df[conflicts_open_mask(df, end)].copy()
    open_["days_open"] = (end - open_["opened_date"]).dt.days
    open_ = open_.sort_values(["days_open", "conflict_id"], ascending=[False, True])
    resolved = resolved_in(df, period)
    med = opened["mediated"].dropna()
    longest = None
    if len(open_):
        top = open_.iloc[0]
        longest = {"conflict_id": top["conflict_id"], "topic": top["topic"],
                   "opened_date": top["opened_date"], "days_open": int(top["days_open"]),
                   "mediated": None if pd.isna(top["mediated"]) else bool(top["mediated"])}
    hist = opened.dropna(subset=["opened_date"]).copy()
    hist["open"] = hist["resolved_date"].isna() | (hist["resolved_date"] > end)
    hist["days"] = (hist["resolved_date"].where(~hist["open"], end) - hist["opened_date"]).dt.days
    hist = hist.sort_values(["opened_date", "conflict_id"], ascending=[False, True])
    hist = hist[["conflict_id", "topic", "opened_date", "resolved_date", "days", "open", "mediated"]]
    hist.loc[hist["open"], "resolved_date"] = pd.NaT
    longest_ever = None
    if len(hist):
        top = hist.sort_values(["days", "opened_date"], ascending=[False, True]).iloc[0]
        longest_ever = {"conflict_id": top["conflict_id"], "topic": top["topic"],
                        "opened_date": top["opened_date"],
                        "resolved_date": None if pd.isna(top["resolved_date"]) else top["resolved_date"],
                        "days": int(top["days"]), "open": bool(top["open"]),
                        "mediated": None if pd.isna(top["mediated"]) else bool(top["mediated"])}
    return {
        "available": True,
        "longest_in_log": longest_ever,
        "history": hist.reset_index(drop=True),
        "opened_in_period": int(period.date_mask(df["opened_date"]).fillna(False).sum()),
        "open": int(len(open_)),
        "resolved_in_period": int(len(resolved)),
        "median_days_to_resolve": float(resolved["days_to_resolve"].median()) if len(resolved) else None,
        "mediated_share": float(med.astype(bool).mean()) if len(med) else None,
        "longest_running": longest,
        "open_items": open_[["conflict_id", "topic", "opened_date", "days_open", "mediated"]].reset_index(drop=True),
    }


LEAD_LABELS = {"physician": "Clinical lead", "administrator": "Business lead", "joint": "Joint"}


def decision_grid_view(df: pd.DataFrame | None) -> pd.DataFrame:
    """The decision grid ordered clinical lead, business lead, joint (then by area), with a readable
    lead label. attrs["counts"]: decisions per lead. Free text (consulted, notes) stays raw."""
    cols = ["decision_area", "lead", "lead_label", "consulted", "notes"]
    if df is None:
        out = pd.DataFrame(columns=cols)
        out.attrs["counts"] = {}
        return out
    order = {k: i for i, k in enumerate(LEAD_LABELS)}
    d = df.assign(lead_label=df["lead"].map(LEAD_LABELS), _o=df["lead"].map(order).fillna(len(order)))
    d = d.sort_values(["_o", "decision_area"])[cols].reset_index(drop=True)
    d.attrs["counts"] = {k: int((df["lead"] == k).sum()) for k in LEAD_LABELS}
    return d
