"""From one meeting to the next, worded for the reports: the actions a meeting looks at, the
decisions of the last meeting and those up for review, the focus areas the partners chose with
their progress, and the numbers the items are meant to move.

The numbers and the rows come from `dyad_lib.partnership.choices` and `.links`; this module words
them in the practice's vocabulary (dentist / office manager, the partners' names) and renders them
from templates (`templates/fragments/loop/`). Every rate and every number names the period it
covers. The monthly review shows `loop_section` as one short section; the meeting brief and the
quarterly report use the same pieces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from dyad_lib import fmt
from dyad_lib.metrics.periods import Period
from dyad_lib.partnership import choices
from dyad_lib.partnership.links import Movement, linked_groups, period_words
from dyad_lib.reports.html import Fragment, render
from dyad_lib.reports.quarterly_partnership import lead_word, role_word

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

CADENCE_WORDS = {"weekly": "weekly touch point", "monthly": "monthly review", "quarterly": "quarterly checkpoint",
                 "annual": "annual retreat"}
#: The tables the loop reads; a practice with none of them gets one line saying how to start.
LOOP_TABLES = ("action_plan", "decisions", "focus_areas")


def _day(x) -> str:
    return fmt.DASH if x is None or pd.isna(x) else f"{pd.Timestamp(x):%b} {pd.Timestamp(x).day}, {pd.Timestamp(x).year}"


def period_name(period: Period) -> str:
    """'September 2026' or '2026Q3': how a sentence names the period under review."""
    return period_words(period)


def meeting_name(period: Period) -> str:
    """'October 2026': the month the meeting about `period` is held in."""
    start, _ = choices.meeting_window(period)
    return f"{start:%B %Y}"


# --- actions ------------------------------------------------------------------------------------------


def action_rows(practice: "Practice", period: Period, with_movement: bool = True) -> list[dict]:
    """The actions the meeting looks at (overdue, due in the period, due by the meeting), worded:
    action, owner, due, status, and the movement of the number it names (its two periods named)."""
    acts = choices.actions_for_meeting(practice.tables.get("action_plan"), period)
    moves = choices.movements_for(practice, acts, "created_date", period) if with_movement else [None] * len(acts)
    rows = []
    for r, mv in zip(acts.to_dict("records"), moves):
        if r["when"] == "overdue":
            status, tone = f"{int(r['days_overdue'])} days overdue", "bad"
        elif r["status"] == "done":
            on_time = r["completed_date"] <= r["due_date"]
            status, tone = f"done {_day(r['completed_date'])}" + ("" if on_time else " (late)"), "good" if on_time else "warn"
        elif r["when"] == "next":
            status, tone = f"due by the {meeting_name(period)} meeting", ""
        else:
            status, tone = {"in_progress": "in progress", "open": "open"}.get(r["status"], r["status"]), ""
        rows.append({"id": r["item_id"], "title": r["title"], "owner": lead_word(practice, r["owner"]),
                     "due": _day(r["due_date"]), "status": status, "tone": tone, "when": r["when"],
                     "movement": mv.text if isinstance(mv, Movement) else ""})
    return rows


def action_counts(practice: "Practice", period: Period) -> str:
    """'3 actions overdue on September 30, 2026; 2 were due in September 2026, 1 of them done on time.'
    (the done-on-time count names its period; nothing due -> says so)."""
    from dyad_lib.metrics.partnership import done_on_time_mask, due_in, overdue_mask

    df = practice.tables.get("action_plan")
    if df is None:
        return ""
    over = int(overdue_mask(df, period.last_day).sum())
    due = due_in(df, period)
    done = int(done_on_time_mask(due[due["completed_date"].isna() | (due["completed_date"] <= period.last_day)]).sum())
    when = fmt.spell_date(period.last_day)
    head = f"{over} action{'s' if over != 1 else ''} overdue on {when}"
    if len(due):
        tail = f"{len(due)} {'was' if len(due) == 1 else 'were'} due in {period_name(period)}, {done} of them done on time"
    else:
        tail = f"none was due in {period_name(period)}"
    return f"{head}; {tail}."


# --- decisions ----------------------------------------------------------------------------------------------


def decision_rows(practice: "Practice", decisions: pd.DataFrame, period: Period | None = None) -> list[dict]:
    """Decisions worded: text, who carries it out, when it is reviewed, the number it names (with its
    movement from the period before the decision to `period` when a period is given)."""
    rows = []
    for r in decisions.to_dict("records"):
        mv = ""
        if period is not None and isinstance(r.get("metric_id"), str):
            from dyad_lib.partnership.links import movement

            mv = movement(practice, r["metric_id"], r["date"], period).text
        lead = "both partners" if r["lead"] == "joint" else lead_word(practice, r["lead"])
        rows.append({"id": r["decision_id"], "text": r["decision"], "lead": lead,
                     "date": _day(r["date"]), "cadence": CADENCE_WORDS.get(r["cadence"], r["cadence"]),
                     "review": _day(r["review_date"]) if pd.notna(r["review_date"]) else "",
                     "movement": mv})
    return rows


def last_decisions(practice: "Practice", period: Period) -> tuple[str, list[dict]]:
    """('Decided at the quarterly checkpoint of Sep 24, 2026', rows) — or ('', []) when none."""
    d = choices.last_meeting_decisions(practice.tables.get("decisions"), period.last_day)
    if d.empty:
        return "", []
    title = f"Decided at the last meeting: the {CADENCE_WORDS.get(d.attrs['cadence'], 'meeting')} of {_day(d.attrs['date'])}"
    return title, decision_rows(practice, d)


def review_decisions(practice: "Practice", period: Period) -> list[dict]:
    """Decisions whose review date falls in the month of the next meeting (or in the period itself)."""
    _, end = choices.meeting_window(period)
    d = choices.up_for_review(practice.tables.get("decisions"), period.first_day, end)
    last = choices.last_meeting_decisions(practice.tables.get("decisions"), period.last_day)
    d = d[~d["decision_id"].isin(set(last["decision_id"]))]  # already listed with the last meeting
    return decision_rows(practice, d, period)


# --- focus areas ---------------------------------------------------------------------------------------------


def _rating_move(before, now) -> str:
    def n(x):
        return fmt.DASH if x is None or pd.isna(x) else f"{x:g}"

    if before is None or now is None:
        return n(now)
    return f"{n(now)} (same)" if before == now else f"{n(before)} → {n(now)}"


def focus_rows(practice: "Practice", period: Period) -> list[dict]:
    """Each open focus area: since when, the note, both partners' ratings then and now (the two
    assessments named), and each linked number with its movement."""
    prog = choices.focus_progress(practice, period)
    cw, bw = role_word(practice, "physician"), role_word(practice, "administrator")
    rows = []
    for r in prog.to_dict("records"):
        if r["before_date"] is None or pd.isna(r["before_date"]):
            ratings = "no assessment before it was chosen"
        elif r["mean_change"] is None:
            ratings = (f"{cw} {_rating_move(None, r['physician_now'])}, {bw} {_rating_move(None, r['administrator_now'])} "
                       f"(assessment of {_day(r['now_date'])}; none since it was chosen)")
        else:
            ratings = (f"{cw} {_rating_move(r['physician_before'], r['physician_now'])}, {bw} "
                       f"{_rating_move(r['administrator_before'], r['administrator_now'])} "
                       f"(assessments of {_day(r['before_date'])} and {_day(r['now_date'])})")
        rows.append({"area": r["area"], "label": r["label"], "since": _day(r["chosen_date"]),
                     "note": r["note"] if isinstance(r["note"], str) else "", "ratings": ratings,
                     "change": r["mean_change"], "movements": [m.text for m in r["movements"]]})
    return rows


# --- the section ----------------------------------------------------------------------------------------------


@dataclass
class Loop:
    """Everything the section shows, worded; empty lists when a table is absent."""

    counts: str = ""
    actions: list[dict] = field(default_factory=list)
    last_title: str = ""
    last: list[dict] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)
    focus: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def meeting_loop(practice: "Practice", period: Period) -> Loop:
    loop = Loop(missing=[t for t in LOOP_TABLES if t not in practice.tables])
    if "action_plan" in practice.tables:
        loop.counts = action_counts(practice, period)
        loop.actions = action_rows(practice, period)
    if "decisions" in practice.tables:
        loop.last_title, loop.last = last_decisions(practice, period)
        loop.review = review_decisions(practice, period)
    if "focus_areas" in practice.tables:
        loop.focus = focus_rows(practice, period)
    return loop


def loop_section(practice: "Practice", period: Period) -> Fragment:
    """The monthly review's section: actions due and overdue, the last meeting's decisions, the
    decisions up for review at the next meeting, the focus areas and their progress."""
    loop = meeting_loop(practice, period)
    return render("loop/section", loop=loop, period=period_name(period), meeting=meeting_name(period),
                  practice_id=practice.practice_id, none=len(loop.missing) == len(LOOP_TABLES))


def link_rows(practice: "Practice", period: Period) -> list[dict]:
    """Each number named by the partnership logs, its movement, and the items beside it (worded)."""
    out = []
    for g in linked_groups(practice, period):
        items = []
        for r in g.items.to_dict("records"):
            state = r["state"] or (f"led by the {role_word(practice, r['lead'])}" if r["lead"] in ("physician", "administrator")
                                   else "decided jointly" if r["lead"] == "joint" else "")
            items.append({"kind": r["kind"], "text": r["text"], "state": state})
        out.append({"label": g.movement.label, "numbers": g.movement.values_text, "direction": g.movement.direction or "",
                    "since": _day(g.since), "entries": items})
    return out


def links_html(practice: "Practice", period: Period) -> Fragment:
    """Money and partnership side by side: each number with the items meant to move it."""
    return render("loop/links", groups=link_rows(practice, period))


# --- the quarterly report's pieces ------------------------------------------------------------------------


def focus_html(practice: "Practice", period: Period, proposed: pd.DataFrame) -> Fragment:
    """The focus areas the partners chose (with progress) and the assessment's proposal; a proposed
    area the partners already chose says so."""
    from dyad_lib.reports.quarterly_partnership import in_words, lines_html

    chosen = focus_rows(practice, period)
    since = {f["area"]: f["since"] for f in chosen}
    lines = [in_words(str(r["reason"]), practice) + (f" Chosen by the partners on {since[r['area']]}."
                                                     if r["area"] in since else "")
             for r in proposed.to_dict("records")] if len(proposed) else []
    return render("quarterly/focus", chosen=chosen, recorded="focus_areas" in practice.tables,
                  when=fmt.spell_date(period.last_day), lines=lines_html(lines, "qp-focus"))


def decisions_html(practice: "Practice", period: Period) -> Fragment:
    """The decisions taken during `period` (newest meeting first) and those up for review by the
    next meeting, each with who carries it out and the number it names, measured."""
    df = practice.tables.get("decisions")
    taken = choices.decisions_to(df, period.last_day)
    taken = taken[period.date_mask(taken["date"]).fillna(False).astype(bool)] if len(taken) else taken
    _, end = choices.meeting_window(period)
    review = choices.up_for_review(df, period.last_day + pd.Timedelta(days=1), end)
    review = review[~review["decision_id"].isin(set(taken["decision_id"]))]  # listed above with their review date
    # the numbers they name are measured once, in "money and partnership, linked"
    return render("loop/decisions", taken=decision_rows(practice, taken), period=period_name(period),
                  review=decision_rows(practice, review), meeting=meeting_name(period),
                  recorded=df is not None)


def action_rates(practice: "Practice", period: Period) -> str:
    """Done on time in the period and over the last 12 months, each naming its months, and the
    count overdue at the period end — the same metric the scorecard shows."""
    from dyad_lib.metrics.compute import compute_metrics

    t12 = period.view("t12")
    now = compute_metrics(practice, period, ["action_items_done_on_time", "action_items_overdue"])
    year = compute_metrics(practice, t12, ["action_items_done_on_time"])["action_items_done_on_time"]
    df = practice.tables["action_plan"]
    from dyad_lib.metrics.partnership import done_on_time_mask, due_in

    def part(p: Period, v, words: str) -> str:
        due = due_in(df, p)
        if not len(due):
            return f"no action item was due {words}"
        k = int(done_on_time_mask(due).sum())
        return f"{k} of the {len(due)} action items due {words} {'was' if k == 1 else 'were'} done on time ({fmt.percent(v.value, 0)})"

    over = int(now["action_items_overdue"].value or 0)
    span = f"{t12.start:%B %Y} – {t12.end:%B %Y}"
    first = part(period, now["action_items_done_on_time"], "in " + period_name(period))
    return (f"{first[:1].upper()}{first[1:]}; "
            f"{part(t12, year, f'over the last 12 months ({span})')}. "
            f"{over} {'was' if over == 1 else 'were'} overdue on {fmt.spell_date(period.last_day)}.")
