"""The meeting brief: two printed pages to run one meeting (the monthly review of a month, or the
quarterly checkpoint of a quarter), and a capture page whose rows go back into the data.

The source articles ask for a rhythm of agenda-driven meetings (a monthly review of shared
priorities, a quarterly step back), for numbers presented succinctly and tied to decisions, and
for the partners to agree actions, decide who leads what and come back to it. The dentist of the
demo practice put it plainly: "I want the numbers, just shorter". So the brief holds only what the
meeting acts on:

* a time-boxed agenda, sized from the practice's own meeting log (the median length of the
  meetings of that cadence held in the last year; 60 or 120 minutes when none is logged), each
  item's minutes in proportion to what it has to cover;
* the five to eight numbers that matter — the money every review looks at, the numbers the open
  items are meant to move, then the practice's own clinical-business bridges — each with its goal
  or target and which way it moved since the previous period;
* the talking points, the actions due, the decisions to take;
* the capture page: the same columns as the practice's tables, to fill in by hand or on screen
  (the workbook is embedded), and `dyad record` appends them.

Every number comes from `compute_metrics` (via `compare`), the decisions and actions from
`dyad_lib.partnership`; nothing is computed here.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from dyad_lib import fmt
from dyad_lib.metrics.periods import Period, add_months, fiscal_year_of
from dyad_lib.partnership import choices
from dyad_lib.reports import meeting_loop as loop
from dyad_lib.reports.html import Fragment, render
from dyad_lib.reports.quarterly_partnership import in_words, role_word

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

CADENCE = {"month": "monthly", "quarter": "quarterly"}
MEETING_TITLE = {"monthly": "Monthly review", "quarterly": "Quarterly partnership checkpoint"}
DEFAULT_MINUTES = {"monthly": 60, "quarterly": 120}
#: The money every review looks at, then the bridges between clinical and business numbers.
CORE_IDS = ("collections", "net_production", "collection_ratio", "overhead_ratio")
FILL_IDS = {"monthly": ("case_acceptance_value", "no_show_rate", "chair_utilization", "operating_margin"),
            "quarterly": ("case_acceptance_value", "dyad_alignment", "patient_nps", "no_show_rate",
                          "action_items_overdue")}
MIN_NUMBERS, MAX_NUMBERS = 5, 8
#: Money measures whose goal is phased by month in goals.yaml.
PHASED = ("collections", "net_production", "gross_production")


def brief_period(practice: "Practice", period: str) -> Period:
    """The month or quarter the meeting is about; another kind of period is a clear error."""
    from dyad_lib.metrics.periods import parse_period

    p = parse_period(period, practice.config.fiscal_year_start_month)
    if p.kind not in CADENCE:
        raise ValueError(f"the meeting brief takes a month like 2026-09 (the monthly review) or a quarter like "
                         f"2026Q3 (the quarterly checkpoint), not '{period}'")
    return p


def cadence(period: Period) -> str:
    return CADENCE[period.kind]


def subtitle(practice: "Practice", period: Period) -> str:
    """'Monthly review of September 2026 — to be held in October 2026'."""
    c = cadence(period)
    return f"{MEETING_TITLE[c]} of {loop.period_name(period)} — for the meeting in {loop.meeting_name(period)}"


# --- the agenda ----------------------------------------------------------------------------------


def meeting_minutes(practice: "Practice", period: Period) -> tuple[int, str]:
    """How long the meeting usually runs: the median length of the held meetings of its cadence in
    the twelve months to the period end, rounded to 15 minutes (with where the figure comes from)."""
    c = cadence(period)
    m = practice.tables.get("meetings")
    if m is not None:
        since = period.last_day - pd.DateOffset(months=12)
        d = m[(m["cadence"] == c) & m["held"].fillna(False).astype(bool) & (m["date"] > since)
              & (m["date"] <= period.last_day)]["duration_minutes"].dropna()
        if len(d):
            minutes = int(max(30, 15 * round(float(d.median()) / 15)))
            return minutes, f"the median of the {len(d)} {c} meetings logged in the last 12 months"
    return DEFAULT_MINUTES[c], f"no {c} meeting length is logged: a usual {DEFAULT_MINUTES[c]} minutes"


@dataclass(frozen=True)
class AgendaItem:
    title: str
    lead: str
    detail: str
    weight: float


def _split(total: int, weights: list[float], step: int = 5) -> list[int]:
    """`total` minutes in multiples of `step` in proportion to `weights`, at least one step each,
    summing to `total` (largest remainders get the spare steps)."""
    steps = max(total // step, len(weights))
    raw = [w / sum(weights) * steps for w in weights]
    base = [max(1, int(r)) for r in raw]
    while sum(base) > steps:  # the one-step minimums overshot: take from the most over-served
        i = max((k for k in range(len(base)) if base[k] > 1), key=lambda k: (base[k] - raw[k], base[k]))
        base[i] -= 1
    order = sorted(range(len(raw)), key=lambda k: raw[k] - int(raw[k]), reverse=True)
    k = 0
    while sum(base) < steps:
        base[order[k % len(order)]] += 1
        k += 1
    return [b * step for b in base]


def agenda(practice: "Practice", period: Period, n_points: int, n_actions: int, n_decisions: int,
           n_focus: int) -> tuple[list[dict], int, str]:
    """The time-boxed agenda: (items with start, minutes, title, lead, detail; total minutes; source)."""
    c = cadence(period)
    total, source = meeting_minutes(practice, period)
    cw = role_word(practice, "physician")
    bw = role_word(practice, "administrator")
    items = [AgendaItem("The numbers", f"the {bw}", "what moved, against goal and the previous period", 2.0),
             AgendaItem("Talking points", "both", f"{n_points} point{'s' if n_points != 1 else ''}", 1.0 + 0.5 * n_points)]
    if c == "quarterly":
        items.append(AgendaItem("The partnership: what is working, what could be improved", "both",
                                "the assessment, the scorecard's partnership half", 3.0))
    items += [AgendaItem("Actions due and overdue", "each owner", f"{n_actions} item{'s' if n_actions != 1 else ''}",
                         1.0 + 0.5 * n_actions),
              AgendaItem("Decisions to take", f"the {cw} and the {bw}", f"{n_decisions} decision{'s' if n_decisions != 1 else ''}",
                         1.0 + 1.0 * n_decisions),
              AgendaItem("Focus areas", "both", f"{n_focus} open" if n_focus else "none open", 1.0 + (1.0 if c == "quarterly" else 0))]
    if c == "quarterly":
        items.append(AgendaItem("The five questions", "each partner", "asked of each other, answers noted", 2.0))
    items.append(AgendaItem("Capture: who does what, by when", "both", "fill in the capture page", 1.0))
    minutes = _split(total, [i.weight for i in items])
    out, start = [], 0
    for i, m in zip(items, minutes):
        out.append({"start": f"{start // 60}:{start % 60:02d}", "minutes": m, "title": i.title, "lead": i.lead,
                    "detail": i.detail})
        start += m
    return out, total, source


# --- the numbers that matter ---------------------------------------------------------------------------


def _goal_map(goals: Mapping[str, Any] | None, period: Period, ids: list[str]) -> dict[str, tuple[float, str]]:
    """The practice's own goal per id: phased money goals summed over the period's months, the year's
    KPI targets for the rest (goals.yaml), with the word for it."""
    from dyad_lib.goals.lines import monthly_goal

    fy = f"FY{fiscal_year_of(period.end, period.fy_start_month)}"
    entry = (goals or {}).get(fy) or {}
    kpi = entry.get("kpi_targets") or {}
    out = {}
    for mid in ids:
        if mid in PHASED:
            vals = [monthly_goal(goals, m, mid) for m in period.months]
            if vals and all(v is not None for v in vals):
                out[mid] = (float(sum(vals)), "goal")
        elif mid in kpi:
            t = kpi[mid].get("target") if isinstance(kpi[mid], Mapping) else kpi[mid]
            if t is not None:
                out[mid] = (float(t), f"{fy} target")
    return out


def number_ids(practice: "Practice", period: Period, extra: int = 0) -> list[str]:
    """Five to eight metric ids: the core money, the numbers the live items are meant to move (the
    one that got worse the most first), then the cadence's bridges (`extra` more candidates, for
    the ones the period turns out not to have)."""
    from dyad_lib.metrics.compute import absent_table, metric_def
    from dyad_lib.partnership.links import linked_groups

    def ok(mid: str) -> bool:
        try:
            d = metric_def(practice, mid)
        except KeyError:
            return False
        return d.applies(practice.kind) and absent_table(practice, mid) is None

    ids = [m for m in CORE_IDS if ok(m)]
    for g in linked_groups(practice, period):
        if len(ids) >= MAX_NUMBERS - 1:
            break
        if g.movement.metric_id not in ids and ok(g.movement.metric_id):
            ids.append(g.movement.metric_id)
    for m in FILL_IDS[cadence(period)]:
        if len(ids) >= MAX_NUMBERS + extra:
            break
        if m not in ids and ok(m):
            ids.append(m)
    return ids


def numbers(practice: "Practice", period: Period, goals: Mapping[str, Any] | None) -> list[dict]:
    """Each number: label, value and its period, goal or target (and where it comes from), the
    previous period's value and which way it moved, and a status tone."""
    from dyad_lib.metrics.compare import compare
    from dyad_lib.metrics.compute import metric_def

    ids = number_ids(practice, period, extra=MAX_NUMBERS)
    own = _goal_map(goals, period, ids)
    c = compare(practice, period, ids, goals={k: v for k, (v, _) in own.items()}).set_index("id")
    shown = [m for m in ids if not pd.isna(c.at[m, "value"])]  # a number the period cannot give is not one that matters now
    ids = [m for m in ids if m in CORE_IDS or m in shown[:MAX_NUMBERS]][:MAX_NUMBERS]
    prev = loop.period_name(period.previous())
    out = []
    for mid in ids:
        r = c.loc[mid]
        d = metric_def(practice, mid)
        value = None if pd.isna(r["value"]) else float(r["value"])
        if mid in own:
            target = f"{'≥' if d.better == 'up' and r['unit'] != 'money' else '≤' if r['unit'] != 'money' else ''} " \
                     f"{fmt.number(own[mid][0], r['unit'])}".strip() + f" ({own[mid][1]})"
        elif r["bands"]:
            from dyad_lib.metrics import benchmarks

            ref = benchmarks.reference(r["bands"])
            target = fmt.say("{b} ({w})", b=ref.figure(period, text=ref.range_text), w=ref.word)
        else:
            target = "no target"
        trend = r["trend"] if isinstance(r["trend"], str) else None
        prev_v = None if pd.isna(r["previous"]) else float(r["previous"])
        change = None if pd.isna(r["change"]) else float(r["change"])
        if change is not None and fmt.shown_as_zero(value, prev_v, r["unit"]):
            change, trend = 0.0, "same"  # a change that prints as zero is no change
        arrow = "" if change is None else ("▲" if change > 0 else "▼" if change < 0 else "●")
        moved = (fmt.say("{a} {d} vs {p} ({x}), {t}", a=arrow, d=fmt.difference(value, prev_v, r["unit"]), p=prev,
                         x=fmt.figure(prev_v, r["unit"], mid, period.previous()), t=trend or "same")
                 if change is not None else f"{prev}: not available")
        tone = {"good": "good", "watch": "warn", "concern": "bad"}.get(r["verdict"] if isinstance(r["verdict"], str) else "", "")
        out.append({"id": mid, "label": r["label"], "value": fmt.figure(value, r["unit"], mid, period),
                    "value_repr": repr(value) if value is not None else "", "target": target, "moved": moved,
                    "trend": trend or "", "tone": tone, "better": "higher is better" if d.better == "up" else "lower is better"})
    return out


# --- talking points and decisions to take ----------------------------------------------------------------


def talking(practice: "Practice", period: Period, goals: Mapping[str, Any] | None) -> list[str]:
    """Three to five neutral points: the month's largest movements (monthly); for a quarter, the two
    largest movements of its last three months, then what could be improved and what is working in
    the partnership (the checkpoint agenda)."""
    from dyad_lib.reports.talking_points import talking_points

    if period.kind == "month":
        return [p.text for p in talking_points(practice, period, goals)]
    from dyad_lib.metrics.periods import month_period
    from dyad_lib.partnership.checkpoint import checkpoint_agenda

    money = [p.text for p in talking_points(practice, month_period(period.end, period.fy_start_month), goals)][:2]
    a = checkpoint_agenda(practice, period)
    items = a["improve"][:5 - len(money) - 1] + a["working"][:1]
    return money + [in_words(i.text, practice) for i in items]


def decisions_to_take(practice: "Practice", period: Period, goals: Mapping[str, Any] | None,
                      proposed: pd.DataFrame | None = None) -> list[dict]:
    """What the meeting has to decide: decisions up for review by it, open conflicts, overdue
    actions (keep, re-date or drop), the focus (each quarter, or whenever none is open), and next
    year's goals when the fiscal year is about to turn without them. Each: what, why, the number."""
    from dyad_lib.partnership.logs import conflict_summary
    from dyad_lib.partnership.links import movement

    out = []
    _, window_end = choices.meeting_window(period)
    review = choices.up_for_review(practice.tables.get("decisions"), period.first_day, window_end)
    for d in loop.decision_rows(practice, review, period):
        out.append({"what": f"Review: {d['text']}", "why": f"{d['lead']}; decided {d['date']}, review {d['review']}",
                    "number": d["movement"]})
    conflicts = practice.tables.get("conflicts")
    if conflicts is not None:
        s = conflict_summary(conflicts, period)
        for r in s["open_items"].to_dict("records"):
            row = conflicts[conflicts["conflict_id"] == r["conflict_id"]].iloc[0]
            mv = ""
            if "metric_id" in conflicts.columns and isinstance(row.get("metric_id"), str):
                mv = movement(practice, row["metric_id"], row["opened_date"], period).text
            out.append({"what": f"Settle the conflict: {r['topic']}",
                        "why": f"open {r['days_open']} days on {fmt.spell_date(period.last_day)}", "number": mv})
    acts = choices.actions_for_meeting(practice.tables.get("action_plan"), period)
    over = acts[acts["when"] == "overdue"] if len(acts) else acts
    if len(over):
        titles = "; ".join(f"“{t}”" for t in over["title"])
        out.append({"what": f"Overdue actions: keep, re-date or drop — {titles}",
                    "why": f"{len(over)} overdue on {fmt.spell_date(period.last_day)}", "number": ""})
    open_focus = choices.open_focus(practice.tables.get("focus_areas"), period.last_day)
    if (period.kind == "quarter" or open_focus.empty) and proposed is not None and len(proposed):
        now = ", ".join(open_focus["label"]) if len(open_focus) else "none"
        out.append({"what": f"Choose the focus for the next quarter: proposed {' and '.join(proposed['label'])}",
                    "why": f"open now: {now}", "number": ""})
    fy_now = fiscal_year_of(period.end, period.fy_start_month)
    soon = fiscal_year_of(add_months(window_end, 3), period.fy_start_month)
    if soon > fy_now and f"FY{soon}" not in (goals or {}):
        out.append({"what": f"Set the FY{soon} goals (the annual goal-setting worksheet)",
                    "why": f"FY{soon} starts within three months of the meeting and has no goals yet", "number": ""})
    return out


# --- the capture page ---------------------------------------------------------------------------------------


def capture_html(practice: "Practice", period: Period) -> Fragment:
    """The capture page: blank rows under the columns of the practice's tables (with the codes to
    write), the workbook with the same sheets to download and fill on screen, and the command that
    records it (`dyad_lib.reports.forms.capture_context`)."""
    from dyad_lib.data.capture import capture_filename, capture_workbook
    from dyad_lib.reports.forms import capture_context

    c = cadence(period)
    words = {"physician": role_word(practice, "physician"), "administrator": role_word(practice, "administrator")}
    data = capture_workbook(practice_name=practice.config.name, cadence=c, role_words=words, questions=True)
    href = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64," + base64.b64encode(data).decode()
    ctx = capture_context(practice.practice_id, words, quarterly=c == "quarterly",
                          meeting_title=f"{MEETING_TITLE[c].lower()} of {loop.period_name(period)} "
                                        f"(the {loop.meeting_name(period)} meeting)")
    return render("brief/capture", href=href, filename=capture_filename(practice.practice_id, period.slug), **ctx)


def agenda_html(items: list[dict], total: int, source: str) -> Fragment:
    return render("brief/agenda", items=items, total=total, source=source)


def numbers_html(rows: list[dict], period: Period) -> Fragment:
    return render("brief/numbers", rows=rows, period=loop.period_name(period))


def actions_html(practice: "Practice", period: Period) -> Fragment:
    return render("brief/actions", actions=loop.action_rows(practice, period), counts=loop.action_counts(practice, period),
                  recorded="action_plan" in practice.tables, meeting=loop.meeting_name(period))


def decisions_html(items: list[dict], last_title: str, last: list[dict]) -> Fragment:
    return render("brief/decisions", items=items, last_title=last_title, last=last)


def focus_html(practice: "Practice", period: Period) -> Fragment:
    return render("brief/focus", focus=loop.focus_rows(practice, period), recorded="focus_areas" in practice.tables)

