"""The quarterly partnership checkpoint agenda: what is working, what could be improved, and the
partners' latest answers to the recurring questions.

The first source article asks the partners, each quarter, to "assess what's working well and what
could be improved". Here both lists are derived from the numbers, never typed in, so the agenda is
the same whoever prints it: each item is one short, neutral sentence that names its evidence (the
number, and the period or assessment date it comes from). Free text quoted in an item (an action
title, a conflict topic) is raw: the report escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from dyad_lib.data.contract import DYAD_AREAS, PARTNER_QUESTIONS, PARTNER_ROLES, QUESTION_TEXT
from dyad_lib.partnership.feedback360 import feedback_summary
from dyad_lib.fmt import spell_date
from dyad_lib.partnership.assessment import ROLE_LABELS, assessment_change, assessment_view
from dyad_lib.partnership.logs import action_plan_status, conflict_summary
from dyad_lib.metrics.partnership import done_on_time_mask, due_in
from dyad_lib.partnership.surveys import patient_feedback, team_survey_by_role
from dyad_lib.metrics.periods import Period
from dyad_lib.metrics.partnership import CADENCE_LABELS, cadence_rhythm

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

#: Thresholds that put a number on one list or the other.
ADHERENCE_OK = 0.90
ON_TIME_OK = 0.75
RATING_CHANGE = 1.0  # points of the mean of both ratings between two assessments
NPS_CHANGE = 5.0  # NPS / eNPS points between two periods
BURNOUT_CHANGE = 0.05  # share of responses between two periods
SATISFACTION_CHANGE = 0.3  # points on the 1–5 scale


@dataclass(frozen=True)
class AgendaItem:
    """One line of the checkpoint agenda."""

    topic: str  # assessment | actions | meetings | conflicts | patients | team | feedback_360
    text: str  # one neutral sentence naming its evidence

    def __str__(self) -> str:
        return self.text


def _n(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.1f}"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _labels(areas: list[str]) -> str:
    return _join([DYAD_AREAS[a][1] for a in areas])


def _table(practice: "Practice", name: str) -> pd.DataFrame | None:
    return practice.tables.get(name)


# --- evidence, each source yields (working, improve) ------------------------------------------


def _assessment_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    view = assessment_view(df, period.last_day)
    if view.empty:
        return good, bad
    when = f"assessment of {spell_date(view.attrs['assessment_date'])}"
    strengths = view[view["classification"] == "shared_strength"]
    if len(strengths):
        good.append(AgendaItem("assessment", f"Both partners rate {_labels(list(strengths['area']))} 4 or "
                                             f"higher ({when})."))
    for _, r in view[view["classification"] == "shared_gap"].iterrows():
        bad.append(AgendaItem("assessment", f"{r['label']}: both partners rate it 2 or lower "
                                            f"({_n(r['physician_rating'])} and {_n(r['administrator_rating'])}; {when})."))
    for _, r in view[view["classification"] == "perception_gap"].iterrows():
        bad.append(AgendaItem("assessment", f"{r['label']}: the {ROLE_LABELS[r['deliverer']]} rates it "
                                            f"{_n(r['self_view'])} and the {ROLE_LABELS[r['receiver']]} "
                                            f"{_n(r['partner_view'])}, a perception gap ({when})."))
    change = assessment_change(df, period.last_day)
    if not change.empty:
        span = (f"between the assessments of {spell_date(change.attrs['previous_date'])} and "
                f"{spell_date(change.attrs['assessment_date'])}")
        c = change.dropna(subset=["mean_change"])
        before = (c["physician_before"] + c["administrator_before"]) / 2
        now = (c["physician_now"] + c["administrator_now"]) / 2
        moves = [f"{label} ({_n(b)} → {_n(n)})" for label, b, n in zip(c["label"], before, now)]
        up = [m for m, x in zip(moves, c["mean_change"]) if x >= RATING_CHANGE]
        down = [m for m, x in zip(moves, c["mean_change"]) if x <= -RATING_CHANGE]
        if up:
            good.append(AgendaItem("assessment", f"The mean of both ratings rose by a point or more {span} for "
                                                 f"{_join(up)}."))
        if down:
            bad.append(AgendaItem("assessment", f"The mean of both ratings fell by a point or more {span} for "
                                                f"{_join(down)}."))
    return good, bad


def _action_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    if df is None:
        return good, bad
    due = due_in(df, period)
    if len(due):
        k, n = int(done_on_time_mask(due).sum()), len(due)
        text = (f"{k} of {n} action item{'s' if n != 1 else ''} due in {period.label} "
                f"{'were' if n != 1 else 'was'} done on time ({_pct(k / n)}).")
        (good if k / n >= ON_TIME_OK else bad).append(AgendaItem("actions", text))
    status = action_plan_status(df, period.last_day)
    overdue = status[status["overdue"]]
    if len(overdue):
        top = overdue.iloc[0]
        bad.append(AgendaItem("actions", f"{len(overdue)} action item{'s were' if len(overdue) != 1 else ' was'} "
                                         f"overdue on {spell_date(period.last_day)}; the longest, "
                                         f"“{top['title']}”, by {int(top['days_overdue'])} days."))
    elif len(status):
        good.append(AgendaItem("actions", f"No action item was overdue on {spell_date(period.last_day)}."))
    return good, bad


def _meeting_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    if df is None:
        return good, bad
    for cadence in CADENCE_LABELS:
        r = cadence_rhythm(df, period, cadence)
        if r.adherence is None:
            continue
        text = f"{r.label}s: {r.held} of {r.planned} held in {period.label} ({_pct(r.adherence)})"
        if r.adherence >= ADHERENCE_OK:
            good.append(AgendaItem("meetings", text + "."))
        else:
            bad.append(AgendaItem("meetings", f"{text}; {r.missed} logged as not held, {r.not_logged} not logged."))
    return good, bad


def _conflict_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    s = conflict_summary(df, period)
    if not s["available"]:
        return good, bad
    resolved = ""
    if s["resolved_in_period"]:
        resolved = (f"; {s['resolved_in_period']} resolved during {period.label} (median "
                    f"{_n(s['median_days_to_resolve'])} days)")
    if s["open"] == 0:
        good.append(AgendaItem("conflicts", f"No conflict was open on {spell_date(period.last_day)}{resolved}."))
        return good, bad
    top = s["longest_running"]
    mediated = ", with a mediator" if top["mediated"] else ""
    bad.append(AgendaItem("conflicts", f"{s['open']} conflict{'s were' if s['open'] != 1 else ' was'} open on "
                                       f"{spell_date(period.last_day)}; the longest-running, “{top['topic']}”, "
                                       f"for {top['days_open']} days{mediated}{resolved}."))
    return good, bad


def _patient_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    if df is None:
        return good, bad
    now, before = patient_feedback(df, period), patient_feedback(df, period.previous())
    if now["nps"] is None or before["nps"] is None:
        return good, bad
    diff = now["nps"] - before["nps"]
    text = (f"Patient NPS {{}} from {before['nps']:.0f} in {period.previous().label} to {now['nps']:.0f} in "
            f"{period.label} ({now['responses']} responses).")
    if diff >= NPS_CHANGE:
        good.append(AgendaItem("patients", text.format("rose")))
    elif diff <= -NPS_CHANGE:
        bad.append(AgendaItem("patients", text.format("fell")))
    return good, bad


def _team_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    if df is None:
        return good, bad
    now, before = team_survey_by_role(df, period), team_survey_by_role(df, period.previous())
    if now.empty or before.empty:
        return good, bad
    n, b = now.iloc[-1], before.iloc[-1]  # the overall rows
    prev = period.previous().label
    if n["burnout_share"] is not None and b["burnout_share"] is not None:
        diff = n["burnout_share"] - b["burnout_share"]
        text = (f"Burnout: {_pct(n['burnout_share'])} of {n['responses']} team survey responses in {period.label}, "
                f"{{}} from {_pct(b['burnout_share'])} in {prev}.")
        if diff >= BURNOUT_CHANGE:
            bad.append(AgendaItem("team", text.format("up")))
        elif diff <= -BURNOUT_CHANGE:
            good.append(AgendaItem("team", text.format("down")))
    if n["satisfaction_mean"] is not None and b["satisfaction_mean"] is not None:
        diff = n["satisfaction_mean"] - b["satisfaction_mean"]
        text = (f"Team satisfaction {{}} from {b['satisfaction_mean']:.1f} in {prev} to "
                f"{n['satisfaction_mean']:.1f} of 5 in {period.label}.")
        if diff >= SATISFACTION_CHANGE:
            good.append(AgendaItem("team", text.format("rose")))
        elif diff <= -SATISFACTION_CHANGE:
            bad.append(AgendaItem("team", text.format("fell")))
    if n["enps"] is not None and b["enps"] is not None:
        diff = n["enps"] - b["enps"]
        text = f"Team eNPS {{}} from {b['enps']:.0f} in {prev} to {n['enps']:.0f} in {period.label}."
        if diff >= NPS_CHANGE:
            good.append(AgendaItem("team", text.format("rose")))
        elif diff <= -NPS_CHANGE:
            bad.append(AgendaItem("team", text.format("fell")))
    return good, bad


def _feedback_items(df, period: Period) -> tuple[list[AgendaItem], list[AgendaItem]]:
    good, bad = [], []
    if df is None:
        return good, bad
    for subject in PARTNER_ROLES:
        s = feedback_summary(df, subject, period.last_day)
        if s.empty:
            continue
        when = f"360 feedback collected up to {spell_date(s.attrs['round_end'])}"
        who = ROLE_LABELS[subject]
        for _, r in s.iterrows():
            nums = f"self {r['self']:.1f}, others {r['others_mean']:.1f}; {when}"
            if r["self_vs_others"] == "hidden_strength":
                what = r["competency_label"].lower()
                good.append(AgendaItem("feedback_360", f"Others rate the {who} higher on {what} than "
                                                       f"the {who} does ({nums})."))
            elif r["self_vs_others"] == "blind_spot":
                what = r["competency_label"].lower()
                bad.append(AgendaItem("feedback_360", f"The {who} rates their {what} higher than others do "
                                                      f"({nums})."))
    return good, bad


_SOURCES = (
    ("dyad_assessment", _assessment_items),
    ("action_plan", _action_items),
    ("meetings", _meeting_items),
    ("conflicts", _conflict_items),
    ("patient_survey", _patient_items),
    ("team_survey", _team_items),
    ("feedback_360", _feedback_items),
)


def checkpoint_agenda(practice: "Practice", period: Period) -> dict[str, list[AgendaItem]]:
    """{"working": [...], "improve": [...]} for the checkpoint at the end of `period`."""
    working: list[AgendaItem] = []
    improve: list[AgendaItem] = []
    for table, build in _SOURCES:
        df = _table(practice, table)
        if df is None:
            continue
        good, bad = build(df, period)
        working += good
        improve += bad
    return {"working": working, "improve": improve}


def what_is_working(practice: "Practice", period: Period) -> list[AgendaItem]:
    """Shared strengths, improved areas, on-time actions, meetings held ≥ 90%, no open conflict,
    patient NPS or team numbers moving the right way, 360 hidden strengths."""
    return checkpoint_agenda(practice, period)["working"]


def what_to_improve(practice: "Practice", period: Period) -> list[AgendaItem]:
    """Shared gaps, perception gaps, areas that fell, overdue or late actions, meetings under 90%,
    open conflicts, patient NPS or team numbers moving the wrong way (burnout rising), 360 blind spots."""
    return checkpoint_agenda(practice, period)["improve"]


def latest_answers(df: pd.DataFrame | None, on_or_before=None) -> pd.DataFrame:
    """The latest answer of each partner to each recurring question, side by side.

    Columns: question, question_text, physician_answer, physician_date, administrator_answer,
    administrator_date (None where a partner has not answered). Answers are raw text: escape them
    when rendering. One row per question in the contract's order.
    """
    rows = []
    d = df if df is not None else pd.DataFrame(columns=["date", "respondent", "question", "answer"])
    if on_or_before is not None and len(d):
        d = d[d["date"] <= pd.Timestamp(on_or_before).normalize()]
    d = d.dropna(subset=["answer"]) if len(d) else d
    for q in PARTNER_QUESTIONS:
        row = {"question": q, "question_text": QUESTION_TEXT[q]}
        for role in PARTNER_ROLES:
            a = d[(d["question"] == q) & (d["respondent"] == role)] if len(d) else d
            if len(a):
                last = a.sort_values(["date"] + (["_row"] if "_row" in a else [])).iloc[-1]
                row[f"{role}_answer"], row[f"{role}_date"] = str(last["answer"]), last["date"]
            else:
                row[f"{role}_answer"], row[f"{role}_date"] = None, None
        rows.append(row)
    return pd.DataFrame(rows, columns=["question", "question_text", "physician_answer", "physician_date",
                                       "administrator_answer", "administrator_date"])


def answers_over_quarters(df: pd.DataFrame | None, period: Period, n: int = 4) -> pd.DataFrame:
    """Each partner's answer to each recurring question in each of the `n` quarters (or periods of
    `period`'s length) ending with `period`, oldest first: how the answers moved, not only the latest.

    Columns: question, question_text, period (its label), start, end, physician_answer,
    administrator_answer, physician_date, administrator_date — one row per question and period
    (None where a partner gave no answer in it; a partner's latest answer in the period counts).
    """
    cols = ["question", "question_text", "period", "start", "end", "physician_answer", "administrator_answer",
            "physician_date", "administrator_date"]
    periods = [period]
    for _ in range(n - 1):
        periods.insert(0, periods[0].previous())
    d = df.dropna(subset=["answer"]) if df is not None and len(df) else None
    rows = []
    for q in PARTNER_QUESTIONS:
        for p in periods:
            row = {"question": q, "question_text": QUESTION_TEXT[q], "period": p.label, "start": p.first_day,
                   "end": p.last_day}
            for role in PARTNER_ROLES:
                a = None if d is None else d[(d["question"] == q) & (d["respondent"] == role)
                                             & p.date_mask(d["date"]).fillna(False).astype(bool)]
                if a is not None and len(a):
                    last = a.sort_values(["date"] + (["_row"] if "_row" in a else [])).iloc[-1]
                    row[f"{role}_answer"], row[f"{role}_date"] = str(last["answer"]), last["date"]
                else:
                    row[f"{role}_answer"], row[f"{role}_date"] = None, None
            rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    for c in cols[5:]:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out
