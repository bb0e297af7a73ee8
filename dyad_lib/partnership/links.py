"""Money and partnership, linked: the number an action, conflict, decision or decision-grid row is
meant to move, and how that number moved since.

The first source article's complaint is that the two partners read the same numbers differently
and that financial data is rarely connected to the decisions behind it. A row of the partnership
logs may name a metric id (`metric_id`); this module measures that metric over the period of the
report and over the last whole period of the same length *before* the item started, so "the
supply-ordering action" is shown beside "clinical supplies: 6.8% of collections in 2025Q4 → 8.6% in
2026Q3". Every value comes from `compute_metrics`: the same number the scorecard shows.

Both periods are named in every sentence: a rate never appears without the months it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from dyad_lib import fmt
from dyad_lib.data.contract import known_metric_id
from dyad_lib.metrics.compute import compute_metrics, metric_def
from dyad_lib.metrics.periods import Period

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

#: The partnership logs that may name a metric, and the column holding each row's start date.
LINKED_TABLES = {"action_plan": "created_date", "conflicts": "opened_date", "decisions": "date",
                 "decision_grid": None}
#: A change smaller than this share of the earlier value reads as "about the same".
SAME_SHARE = 0.01


def _idx(ts: pd.Timestamp) -> int:
    return ts.year * 12 + ts.month - 1


def period_before(date, like: Period) -> Period:
    """The last whole period of `like`'s length (and alignment) that ends before `date`.

    For a quarterly report, an item started on 2026-03-26 is measured against 2025Q4 (2026Q1 was
    not over yet); for a monthly one, against February 2026."""
    d = pd.Timestamp(date)
    n = like.n_months
    k = (_idx(d) - _idx(like.start)) // n  # whole periods from `like` to the one holding `date`
    return like.shifted(k * n - n)


def period_words(p: Period) -> str:
    """'2026Q3', 'September 2026', 'FY2026': how a period is named beside a number."""
    return p.start.strftime("%B %Y") if p.kind == "month" else p.label


@dataclass(frozen=True)
class Movement:
    """One metric before an item and now, with which way it went."""

    metric_id: str
    label: str
    unit: str
    better: str
    before: float | None
    before_period: str
    now: float | None
    now_period: str
    reason: str | None = None  # why a value is missing
    before_label: str | None = None  # the periods as `dyad metrics --period` spells them
    now_label: str | None = None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.now is None else self.now - self.before

    @property
    def direction(self) -> str | None:
        """'better', 'worse' or 'same' (a change under 1% of the earlier value), None if unknown."""
        c = self.change
        if c is None:
            return None
        if abs(c) <= SAME_SHARE * abs(self.before or 0) or c == 0:
            return "same"
        return "better" if (c > 0) == (self.better == "up") else "worse"

    @property
    def text(self) -> fmt.Sentence:
        """'Overhead: clinical supplies — 6.8% in 2025Q4 → 8.6% in 2026Q3 (+1.8 pts, worse)'."""
        return fmt.say("{label} — {values}", label=self.label, values=self.values_text)

    @property
    def values_text(self) -> fmt.Sentence:
        """'6.8% in 2025Q4 → 8.6% in 2026Q3 (+1.8 pts, worse)': both numbers with their periods (each
        a `fmt.Figure` of its metric and period; the change as the two printed values differ)."""
        before = fmt.say("{x} in {p}", x=fmt.figure(self.before, self.unit, self.metric_id, self.before_label),
                         p=self.before_period)
        now = fmt.say("{x} in {p}", x=fmt.figure(self.now, self.unit, self.metric_id, self.now_label),
                      p=self.now_period)
        if self.change is None:
            return fmt.say("{b} → {n} ({why})", b=before, n=now, why=self.reason or "not available")
        word = {"same": "about the same"}.get(self.direction or "", self.direction or "")
        return fmt.say("{b} → {n} ({d}, {w})", b=before, n=now, d=fmt.difference(self.now, self.before, self.unit),
                       w=word)


def movement(practice: "Practice", metric_id: str, since, period: Period) -> Movement:
    """`metric_id` over the whole period before `since` and over `period` (see `period_before`)."""
    d = metric_def(practice, metric_id)
    before_p = period_before(since, period)
    got = {p.label: compute_metrics(practice, p, [metric_id])[metric_id] for p in (before_p, period)}
    b, n = got[before_p.label], got[period.label]
    reason = b.reason if b.value is None else n.reason if n.value is None else None
    return Movement(metric_id, d.label(practice.kind), d.unit, d.better, b.value, period_words(before_p),
                    n.value, period_words(period), reason, before_p.label, period.label)


def _known(practice: "Practice", metric_id) -> bool:
    q = practice.tables.get("quality_measures")
    measures = set(q["measure_id"].dropna().astype(str)) if q is not None else set()
    return isinstance(metric_id, str) and known_metric_id(metric_id, measures)


def _day(x) -> str:
    return fmt.DASH if x is None or pd.isna(x) else fmt.spell_date(x)


def _action_row(r, as_of: pd.Timestamp) -> dict | None:
    done = r["status"] == "done" and pd.notna(r["completed_date"]) and r["completed_date"] <= as_of
    if r["status"] == "dropped" or (done and r["completed_date"] < as_of - pd.Timedelta(days=365)):
        return None
    if done:
        state = f"done {_day(r['completed_date'])}"
    elif pd.notna(r["due_date"]) and r["due_date"] < as_of:
        state = f"overdue since {_day(r['due_date'])} ({(as_of - r['due_date']).days} days)"
    else:
        state = f"due {_day(r['due_date'])}"
    return {"kind": "Action", "ref": r["item_id"], "text": r["title"], "state": state, "since": r["created_date"],
            "lead": r["owner"]}


def _conflict_row(r, as_of: pd.Timestamp) -> dict | None:
    open_ = pd.isna(r["resolved_date"]) or r["resolved_date"] > as_of
    if not open_ and r["resolved_date"] < as_of - pd.Timedelta(days=365):
        return None
    state = (f"open since {_day(r['opened_date'])} ({(as_of - r['opened_date']).days} days)" if open_
             else f"resolved {_day(r['resolved_date'])}")
    return {"kind": "Conflict", "ref": r["conflict_id"], "text": r["topic"], "state": state,
            "since": r["opened_date"], "lead": None}


def _decision_row(r, as_of: pd.Timestamp) -> dict | None:
    if r["date"] < as_of - pd.Timedelta(days=365):
        return None
    review = r.get("review_date")
    state = f"decided {_day(r['date'])}" + (f", review {_day(review)}" if pd.notna(review) else "")
    return {"kind": "Decision", "ref": r["decision_id"], "text": r["decision"], "state": state, "since": r["date"],
            "lead": r["lead"]}


def _grid_row(r, as_of: pd.Timestamp) -> dict:
    return {"kind": "Decision grid", "ref": None, "text": r["decision_area"], "state": "", "since": pd.NaT,
            "lead": r["lead"]}


_ROWS = {"action_plan": _action_row, "conflicts": _conflict_row, "decisions": _decision_row,
         "decision_grid": _grid_row}
ITEM_COLUMNS = ["metric_id", "kind", "ref", "text", "state", "since", "lead"]


def linked_items(practice: "Practice", period: Period) -> pd.DataFrame:
    """Every row of the partnership logs that names a known metric and is live around the period:
    actions not dropped (done ones for a year), conflicts open at the period end or resolved in the
    last year, decisions of the last year, every decision-grid row. Rows dated after the period
    are left out. Columns: metric_id, kind, ref, text (raw: escape on output), state, since, lead."""
    as_of = period.last_day
    rows = []
    for table, date_col in LINKED_TABLES.items():
        df = practice.tables.get(table)
        if df is None or "metric_id" not in df.columns:
            continue
        for r in df[df["metric_id"].notna()].to_dict("records"):
            if not _known(practice, r["metric_id"]):
                continue
            if date_col and (pd.isna(r[date_col]) or r[date_col] > as_of):
                continue
            row = _ROWS[table](r, as_of)
            if row is not None:
                rows.append({"metric_id": r["metric_id"], **row})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


@dataclass(frozen=True)
class LinkGroup:
    """One metric, how it moved since the first of its live items, and the items."""

    movement: Movement
    since: pd.Timestamp
    items: pd.DataFrame


def linked_groups(practice: "Practice", period: Period) -> list[LinkGroup]:
    """`linked_items` grouped by metric, each with the metric's movement from the whole period before
    its earliest dated item to `period`; the metric that got worse by the most comes first, then
    the others by how many items name them. A metric named only by the decision grid (who leads
    it, no event to measure from) is not a group of its own."""
    items = linked_items(practice, period)
    out = []
    for mid, g in items.groupby("metric_id", sort=False):
        dated = g["since"].dropna()
        if dated.empty:
            continue
        since = pd.Timestamp(dated.min())
        mv = movement(practice, str(mid), since, period)
        order = {"Decision": 0, "Action": 1, "Conflict": 2, "Decision grid": 3}
        g = g.assign(_o=g["kind"].map(order)).sort_values(["_o", "since"]).drop(columns="_o").reset_index(drop=True)
        out.append(LinkGroup(mv, since, g))

    def key(grp: LinkGroup):
        mv = grp.movement
        worse = mv.direction == "worse"
        size = abs(mv.change / mv.before) if worse and mv.before else 0.0
        return (not worse, -size, -len(grp.items), mv.label)

    return sorted(out, key=key)
