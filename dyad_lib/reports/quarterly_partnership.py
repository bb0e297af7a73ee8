"""The quarterly partnership report's numbers, arranged and worded for the notebook (reports.md §3).

The first source article asks the doctor and the manager to step back each quarter — a
"partnership checkpoint" — and assess what is working and what could be improved; the second asks
them to co-develop and review shared metrics, both practice-based and about the dyad itself. So the
report's spine is one **shared scorecard**: every line belongs to both partners, each against its
target (the partners' own KPI target from goals.yaml when they set one, else the registry's
benchmark or target band, else a checkpoint rule for the partnership logs), with the previous
quarter and the last six quarters.

Every number comes from `compute_metrics` / `compare` / `dyad_lib.partnership`; goals come from
goals.yaml via `dyad_lib.goals`. This module only arranges them and words them in the practice's
own vocabulary (dentist / physician, office manager / practice administrator, the partners' names).
Free text (action titles, conflict topics, answers, notes) is returned raw and escaped by the
HTML helpers here or by `dyad_lib.reports.blocks`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from dyad_lib import fmt
from dyad_lib.reports.html import Markup, render
from dyad_lib.reports import palette
from dyad_lib.data.contract import DYAD_AREAS, PARTNER_ROLES
from dyad_lib.metrics.periods import Period, fiscal_year_of

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

# --- the practice's words --------------------------------------------------------------------------

ROLE_WORDS = {
    "dental": {"physician": "dentist", "administrator": "office manager"},
    "medical": {"physician": "physician", "administrator": "practice administrator"},
}
#: Team-survey role groups in the practice's words (plural: a group of respondents).
TEAM_WORDS = {
    "dental": {"physician": "Dentists", "administrator": "Office management", "staff": "Team"},
    "medical": {"physician": "Physicians", "administrator": "Administration", "staff": "Team"},
}
CSS_CLASS = {"physician": "clinical", "administrator": "business"}


def role_word(practice: "Practice", role: str) -> str:
    """'dentist', 'office manager', 'physician', 'practice administrator'."""
    return ROLE_WORDS.get(practice.kind, ROLE_WORDS["dental"])[role]


def partner_name(practice: "Practice", role: str) -> str:
    """The partner's name from practice.yaml ('' when not given)."""
    cfg = practice.config
    return (cfg.clinical_lead if role == "physician" else cfg.business_lead) or ""


def partner_label(practice: "Practice", role: str) -> str:
    """'Dentist (Dr. Ana Rivera)' or 'Dentist' — the legend and column label of one partner."""
    word = role_word(practice, role)
    name = partner_name(practice, role)
    return f"{word[:1].upper()}{word[1:]}" + (f" ({name})" if name else "")


def in_words(text: str, practice: "Practice") -> str:
    """The library's neutral 'clinical lead' / 'business lead' in the practice's own words (the
    numbers of a `fmt.Sentence` keep what they are)."""
    def swap(t: str) -> str:
        for role, lead in (("physician", "clinical lead"), ("administrator", "business lead")):
            word = role_word(practice, role)
            t = t.replace(lead.capitalize(), word[:1].upper() + word[1:]).replace(lead, word)
        return t

    return fmt.map_words(text, swap)


def quarter_period(practice: "Practice", period: str) -> Period:
    """The quarter under review; any other period kind is a clear error."""
    from dyad_lib.metrics.periods import parse_period

    p = parse_period(period, practice.config.fiscal_year_start_month)
    if p.kind != "quarter":
        raise ValueError(f"the quarterly partnership report takes a quarter like 2026Q3, not '{period}'")
    return p


def quarter_name(period: Period) -> str:
    """'Q3 2026 (July – September)'."""
    return f"Q{(period.start.month - 1) // 3 + 1} {period.start.year} ({period.start:%B} – {period.end:%B})"


def fiscal_year_label(period: Period) -> str:
    return f"FY{fiscal_year_of(period.end, period.fy_start_month)}"


# --- targets -------------------------------------------------------------------------------------------

#: Checkpoint rules for the partnership logs (the thresholds `dyad_lib.partnership.checkpoint` uses to put a
#: line under "working" or "could be improved"), used as targets when goals.yaml sets none.
def checkpoint_targets() -> dict[str, float]:
    from dyad_lib.partnership.checkpoint import ADHERENCE_OK, ON_TIME_OK

    return {"meeting_adherence_weekly": ADHERENCE_OK, "meeting_adherence_monthly": ADHERENCE_OK,
            "meeting_adherence_quarterly": ADHERENCE_OK, "meeting_adherence_annual": 1.0,
            "action_items_done_on_time": ON_TIME_OK, "action_items_overdue": 0.0}


def status_rules_text() -> str:
    """How a scorecard status is decided and what the checkpoint rules are, for the glossary."""
    from dyad_lib.partnership.checkpoint import ADHERENCE_OK, ON_TIME_OK
    from dyad_lib.metrics.compare import TREND_MARGIN, WATCH_MARGIN

    return (f"Status: On track = at or better than the target, or inside the benchmark band; Watch = on the wrong "
            f"side by up to {WATCH_MARGIN:.0%} of the target, or inside the band but more than {TREND_MARGIN:.0%} "
            f"worse than the previous quarter; Needs attention = further off. Checkpoint rules, the targets of the "
            f"partnership logs where goals.yaml sets none: each meeting cadence held at least {ADHERENCE_OK:.0%} of "
            f"the times planned, at least {ON_TIME_OK:.0%} of the action items due done on time, and no action "
            f"item overdue. The quarter's goal for production and collections is the sum of its months in the "
            f"goals.yaml phasing.")


def goals_entry(goals: Mapping[str, Any] | None, period: Period) -> Mapping[str, Any] | None:
    """goals.yaml's entry for the fiscal year the quarter ends in (None: no goals set for it)."""
    entry = (goals or {}).get(fiscal_year_label(period))
    return entry if isinstance(entry, Mapping) else None


def quarter_goal(goals: Mapping[str, Any] | None, period: Period, measure: str) -> float | None:
    """The quarter's phased goal for a goal measure (Σ of its months in goals.yaml), None unless
    every month of the quarter has one."""
    from dyad_lib.goals.lines import monthly_goal

    vals = [monthly_goal(goals, m, measure) for m in period.months]
    return None if not vals or any(v is None for v in vals) else round(float(sum(vals)), 2)


def kpi_targets(goals: Mapping[str, Any] | None, period: Period) -> dict[str, float]:
    """The partners' KPI targets for the quarter's fiscal year ({} when none are set)."""
    entry = goals_entry(goals, period) or {}
    out = {}
    for mid, t in (entry.get("kpi_targets") or {}).items():
        v = t.get("target") if isinstance(t, Mapping) else t
        if v is not None:
            out[str(mid)] = float(v)
    return out


# --- the shared scorecard ------------------------------------------------------------------------------

#: Practice half of the scorecard: (group, ids). Quality ids are added from the data.
PRACTICE_GROUPS = (
    ("Money", ("net_production", "collections", "collection_ratio", "overhead_ratio")),
    ("Patients and the schedule", ("case_acceptance_value", "case_acceptance_count", "patient_retention",
                                   "chair_utilization", "pre_appointment_rate", "no_show_rate",
                                   "documentation_timeliness")),
    ("Quality and patient experience", ("patient_nps",)),
)
#: Partnership half: (group, ids).
PARTNERSHIP_GROUPS = (
    ("The team", ("team_satisfaction", "burnout_rate", "staff_enps")),
    ("The partnership", ("dyad_alignment", "dyad_health")),
    ("Rhythm and follow-through", ("meeting_adherence_weekly", "meeting_adherence_monthly",
                                   "meeting_adherence_quarterly", "action_items_done_on_time",
                                   "action_items_overdue", "conflicts_open", "conflict_days_to_resolve")),
)
#: Why a measure belongs to both partners (the first source article's "metrics that matter to both roles").
BRIDGES = {
    "case_acceptance_value": "reflects treatment planning and the financial presentation",
    "case_acceptance_count": "reflects treatment planning and the financial presentation",
    "patient_retention": "reflects clinical satisfaction and administrative efficiency",
    "chair_utilization": "balances clinical thoroughness with business efficiency",
    "pre_appointment_rate": "reflects clear clinical recommendations and effective scheduling",
    "collection_ratio": "follows from the work done and how it is billed and followed up",
    "no_show_rate": "reflects patients' commitment to the plan and the reminder and scheduling system",
    "documentation_timeliness": "clinical notes completed promptly keep billing and follow-up moving",
}
STATUS = {"good": ("On track", "good"), "watch": ("Watch", "warn"), "concern": ("Needs attention", "bad"),
          "steady": ("No target", "none"), None: ("Not available", "none")}
N_QUARTERS = 6


def scorecard_ids(practice: "Practice") -> list[tuple[str, str, str]]:
    """(half, group, id) for every scorecard line that applies to this kind of practice."""
    from dyad_lib.metrics.compute import absent_table, metric_def
    from dyad_lib.metrics.components import components

    out = []
    for group, ids in PRACTICE_GROUPS:
        if group.startswith("Quality"):
            ids = tuple(f"quality_{m}" for m in sorted(components(practice).measure_names)) + ids
        out += [("practice", group, i) for i in ids
                if metric_def(practice, i).applies(practice.kind) and not absent_table(practice, i)]
    out += [("partnership", group, i) for group, ids in PARTNERSHIP_GROUPS for i in ids]
    return out


def left_out(practice: "Practice") -> list[tuple[str, str]]:
    """(label, table) of each practice measure left off the scorecard because the practice does not
    deliver its table — said once under the table rather than as rows of dashes."""
    from dyad_lib.metrics.compute import absent_table, metric_def

    out = []
    for _, ids in PRACTICE_GROUPS:
        for i in ids:
            d = metric_def(practice, i)
            table = absent_table(practice, i) if d.applies(practice.kind) else None
            if table:
                out.append((d.label(practice.kind), table))
    return out


def _quarters(period: Period, n: int) -> list[Period]:
    """The `n` quarters ending with `period`, oldest first."""
    quarters = [period]
    for _ in range(n - 1):
        quarters.insert(0, quarters[0].previous())
    return quarters


def quarter_series(practice: "Practice", period: Period, ids: list[str], n: int = N_QUARTERS) -> pd.DataFrame:
    """One row per quarter (the `n` quarters ending with `period`, oldest first; index: labels),
    one column per id, NaN where not computable — the same `compute_metrics` as the scorecard (a
    twelve-months metric over the twelve months ending with each quarter)."""
    from dyad_lib.metrics.compare import year_basis
    from dyad_lib.metrics.compute import compute_metrics, metric_def

    quarters = _quarters(period, n)
    yearly = [i for i in ids if metric_def(practice, i).basis == "twelve_months"]  # as the scorecard shows them
    rows = {}
    for q in quarters:
        got = compute_metrics(practice, q, [i for i in ids if i not in yearly])
        if yearly:
            got |= compute_metrics(practice, year_basis(q), yearly)
        rows[q.label] = {k: (np.nan if v.value is None else float(v.value)) for k, v in got.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=ids).astype(float)


def _target_text(unit: str, goal: float | None, source: str | None, bands, better: str, period: Period
                 ) -> tuple[Any, str]:
    """(target, where it comes from) for people: the partners' goal, else the reference band
    (the top performers' where one is published; a band on the quarter's basis, tagged)."""
    from dyad_lib.metrics import benchmarks

    if goal is not None and unit == "money":
        return fmt.number(goal, unit), source or ""
    if goal is not None:
        sign = "≥" if better == "up" else "≤"
        return f"{sign} {fmt.number(goal, unit)}", source or ""
    ref = benchmarks.reference(bands or ())
    if ref is None:
        return fmt.DASH, "no target set"
    what = ref.word + (f": {ref.describes}" if ref.describes else "")
    return ref.figure(period, text=ref.range_text), f"{what} ({ref.source_text})"


def scorecard(practice: "Practice", period: Period, goals: Mapping[str, Any] | None = None,
              n_quarters: int = N_QUARTERS) -> pd.DataFrame:
    """Every scorecard line: value, target and its source, status, previous quarter, change and the
    last `n_quarters` quarters.

    Targets, first that exists: the partners' KPI target for the quarter's fiscal year
    (goals.yaml), a quality measure's own target rate, the registry's benchmark or target band for
    this kind of practice, the checkpoint rule for the partnership logs. Values are exactly
    `compute_metrics(practice, period)` (via `compare`) — retention, whose targets and bands are for
    a year, over the twelve months ending with the quarter (the row's `period`).
    """
    from dyad_lib.metrics.compare import compare
    from dyad_lib.metrics.compute import metric_def

    lines = scorecard_ids(practice)
    ids = [i for _, _, i in lines]
    fy = fiscal_year_label(period)
    kpi = kpi_targets(goals, period)
    rules = checkpoint_targets()
    goal_map: dict[str, float] = {}
    goal_source: dict[str, str] = {}
    for mid in ids:
        qg = quarter_goal(goals, period, mid) if mid in GOAL_MEASURES else None
        if qg is not None:
            goal_map[mid], goal_source[mid] = qg, f"the quarter's share of the {fy} goal (goals.yaml)"
        elif mid in kpi:
            goal_map[mid], goal_source[mid] = kpi[mid], f"the partners' {fy} target (goals.yaml)"
        elif mid in rules:
            goal_map[mid], goal_source[mid] = rules[mid], "checkpoint rule"
    c = compare(practice, period, ids, goals=goal_map, on_year_basis=True).set_index("id")
    series = quarter_series(practice, period, ids, n_quarters)
    rows = []
    for half, group, mid in lines:
        r = c.loc[mid]
        d = metric_def(practice, mid)
        goal = None if pd.isna(r["goal"]) else float(r["goal"])
        source = goal_source.get(mid)
        if goal is not None and source is None:  # a quality measure's own target rate
            source = "the measure's own target"
        target, target_source = _target_text(r["unit"], goal, source, r["bands"], d.better, period)
        has_target = target != fmt.DASH
        typical_only = goal is None and has_target and r["band_tier"] == "typical"
        verdict = r["verdict"] if isinstance(r["verdict"], str) else None
        status, tone = STATUS["steady"] if (verdict is not None and not has_target) else STATUS[verdict]
        if typical_only and verdict == "good":  # past what practices measure: not a target met
            status = "Better than typical"
        value = None if pd.isna(r["value"]) else float(r["value"])
        prev = None if pd.isna(r["previous"]) else float(r["previous"])
        rows.append({
            "half": half, "group": group, "id": mid, "unit": r["unit"], "better": d.better,
            "label": r["label"] if r["period"] == period.label else f"{r['label']} (12 months)",
            "period": r["period"],
            "value": value, "reason": r["reason"] if value is None else None,
            "target_value": goal, "target": target, "target_source": target_source, "has_target": has_target,
            "verdict": verdict if has_target else None, "status": status, "tone": tone,
            "typical_only": typical_only,
            "status_reason": r["reason"] if value is not None else None,
            "previous": prev, "change": None if pd.isna(r["change"]) else float(r["change"]),
            "year_ago": None if pd.isna(r["year_ago"]) else float(r["year_ago"]),
            "trend": r["trend"] if isinstance(r["trend"], str) else None,
            "series": [None if pd.isna(x) else float(x) for x in series[mid]],
            "bridge": BRIDGES.get(mid),
        })
    out = pd.DataFrame(rows)
    for col in ("value", "target_value", "previous", "change", "year_ago"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out.attrs.update(quarters=list(series.index), previous_label=period.previous().label,
                     year_ago_label=period.year_earlier().label, period=period,
                     fiscal_year=fy, kpi_targets_set=bool(kpi))
    return out


def verdict_counts(card: pd.DataFrame) -> dict[str, int]:
    """Over one set — the lines with a target and a value — how many are on track / to watch /
    need attention, and, of the same lines, how many moved the better or the worse way since the
    previous quarter, held, or have no previous figure (each group adds up to `with_target`)."""
    t = card[card["has_target"] & card["value"].notna()]
    trend = t["trend"].where(t["previous"].notna(), None)
    return {"with_target": int(len(t)), "good": int((t["verdict"] == "good").sum()),
            "watch": int((t["verdict"] == "watch").sum()), "concern": int((t["verdict"] == "concern").sum()),
            "better": int((trend == "better").sum()), "worse": int((trend == "worse").sum()),
            "same": int((trend == "same").sum()), "no_previous": int(trend.isna().sum())}


# --- small inline charts (static SVG: no script, nothing fetched) ---------------------------------------

SPARK_W, SPARK_H, SPARK_PAD = 112, 26, 3
TONE_COLOURS = {"good": palette.GOOD, "warn": palette.WARN, "bad": palette.BAD, "none": palette.MUTED}


def sparkline_svg(values: list[float | None], labels: list[str], unit: str, target: float | None = None,
                  tone: str = "none", metric: str | None = None, periods: list[str] | None = None) -> str:
    """A tiny line of the last quarters (gaps where not computable), the target dashed when it is
    a single number, the latest point coloured by the status. Tooltip: every quarter's value.
    `periods`: the period each value is for, as tagged in the page (default: `labels`)."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    if len(pts) < 2:
        return render("sparkline", segments=[], singles=[])
    ys = [v for _, v in pts] + ([target] if target is not None else [])
    lo, hi = min(ys), max(ys)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = SPARK_PAD + i * (SPARK_W - 2 * SPARK_PAD) / n
        y = SPARK_H - SPARK_PAD - (v - lo) * (SPARK_H - 2 * SPARK_PAD) / (hi - lo)
        return round(x, 1), round(y, 1)

    segs, cur = [], []
    for k, (i, v) in enumerate(pts):
        if cur and i != pts[k - 1][0] + 1:
            segs.append(cur)
            cur = []
        cur.append(xy(i, v))
    segs.append(cur)
    tip = "; ".join(f"{lab}: {fmt.metric(v, unit)}" for lab, v in zip(labels, values))
    import json

    series = json.dumps([[lab, v] for lab, v in zip(periods or labels, values)]) if metric else ""
    return render("sparkline", w=SPARK_W, h=SPARK_H, pad=SPARK_PAD, tip=tip, metric=metric or "", series=series,
                  segments=[" ".join(f"{x},{y}" for x, y in s) for s in segs if len(s) > 1],
                  singles=[s[0] for s in segs if len(s) == 1],
                  goal_y=xy(0, target)[1] if target is not None else None,
                  last=xy(*pts[-1]), last_colour=TONE_COLOURS.get(tone, TONE_COLOURS["none"]))


def _text(x: Any) -> str:
    return x if isinstance(x, str) else ""


def _change(row: Mapping[str, Any]) -> dict[str, str] | None:
    """The change against the previous quarter: arrow, tone, word and the change printed — the
    difference of the two printed values (`fmt.difference`), 'same' when they print alike."""
    if row["change"] is None or row["previous"] is None:
        return None
    trend = "same" if fmt.shown_as_zero(row["value"], row["previous"], row["unit"]) else row["trend"]
    arrow = {"better": ("▲" if row["change"] > 0 else "▼", "good"), "worse": ("▲" if row["change"] > 0 else "▼", "bad"),
             "same": ("●", "none")}.get(trend or "", ("", "none"))
    word = {"better": "better", "worse": "worse", "same": "same"}.get(trend or "", "")
    return {"arrow": arrow[0], "tone": arrow[1], "word": word,
            "text": fmt.difference(row["value"], row["previous"], row["unit"])}


def _on_year_basis(row: Mapping[str, Any], period: Period | None) -> bool:
    """Whether a scorecard row shows its metric over the twelve months ending with the quarter
    (retention, whose targets and bands are for a year) rather than over the quarter."""
    return period is not None and row.get("period") not in (None, period.label)


def scorecard_html(card: pd.DataFrame, half: str, practice: "Practice") -> Markup:
    """One half of the scorecard as a table. Each row carries `data-metric` and `data-value` (the
    unrounded value) so a reader's tool — and the tests — can check it against `dyad metrics`."""
    from dyad_lib.metrics.compare import year_basis

    quarters = card.attrs.get("quarters", [])
    period = card.attrs.get("period")
    groups = []
    for group, g in card[card["half"] == half].groupby("group", sort=False):
        rows = []
        for r in g.to_dict("records"):
            has_value = r["value"] is not None
            p, prev_p, ago_p = ((period, period.previous(), period.year_earlier()) if period is not None
                                else (None, None, None))
            spark_periods = None
            if _on_year_basis(r, period):
                p, prev_p, ago_p = year_basis(p), year_basis(prev_p), year_basis(ago_p)
                spark_periods = [year_basis(q).label for q in _quarters(period, len(quarters))]
            rows.append({
                "id": r["id"], "label": r["label"], "bridge": r["bridge"] if isinstance(r["bridge"], str) else "",
                "period": p.label if p is not None else "",
                "value": r["value"], "value_repr": repr(r["value"]) if has_value else "",
                "value_text": fmt.figure(r["value"], r["unit"], r["id"], p) if has_value else "",
                "reason": in_words(_text(r["reason"]) or "not available", practice),
                "tone": r["tone"], "status": r["status"], "why": in_words(_text(r["status_reason"]), practice),
                "target": r["target"], "target_source": r["target_source"] if r["has_target"] else "",
                "previous_text": fmt.figure(r["previous"], r["unit"], r["id"], prev_p),
                "change": _change(r) if has_value else None,
                "year_ago_text": fmt.figure(r["year_ago"], r["unit"], r["id"], ago_p),
                "spark": sparkline_svg(r["series"], quarters, r["unit"], r["target_value"], r["tone"], r["id"],
                                       spark_periods),
            })
        groups.append({"name": group, "rows": rows})
    return render("scorecard", groups=groups, dash=fmt.DASH, n_quarters=len(quarters),
                  left_out=left_out(practice) if half == "practice" else [],
                  now=quarters[-1] if quarters else "This quarter",
                  prev=card.attrs.get("previous_label", "previous quarter"),
                  ago=card.attrs.get("year_ago_label", "a year earlier"))


# --- team survey by role (anonymity folded) -------------------------------------------------------------


def team_table(practice: "Practice", period: Period) -> pd.DataFrame:
    """Satisfaction, burnout and eNPS per role group for the quarter and the previous one, with
    small groups folded (the team survey's minimum-responses rule) — never a single person."""
    from dyad_lib.partnership.surveys import team_survey_by_role

    df = practice.tables.get("team_survey")
    now, before = team_survey_by_role(df, period), team_survey_by_role(df, period.previous())
    names = TEAM_WORDS.get(practice.kind, TEAM_WORDS["dental"])
    prev = before.set_index("group") if len(before) else pd.DataFrame()
    rows = []
    for r in now.itertuples():
        label = "Everyone" if r.group == "overall" else " + ".join(names[x] for x in r.roles)
        p = prev.loc[r.group] if r.group in prev.index else None
        rows.append({
            "Group": label, "Responses": fmt.count(r.responses),
            "Satisfaction (1–5)": fmt.score(r.satisfaction_mean),
            f"Satisfaction {period.previous().label}": fmt.score(p["satisfaction_mean"]) if p is not None else fmt.DASH,
            "Burnout (share ≥ 3)": fmt.percent(r.burnout_share, 0),
            f"Burnout {period.previous().label}": fmt.percent(p["burnout_share"], 0) if p is not None else fmt.DASH,
            "eNPS": fmt.nps(r.enps),
        })
    out = pd.DataFrame(rows)
    out.attrs["numeric"] = list(out.columns[1:]) if len(out) else []
    notes = [n for n in now["note"] if n] if len(now) else []
    out.attrs["note"] = now.attrs.get("note") or ""
    out.attrs["fold_notes"] = [_fold_note(n, practice) for n in notes]
    return out


def _fold_note(note: str, practice: "Practice") -> str:
    names = TEAM_WORDS.get(practice.kind, TEAM_WORDS["dental"])
    for src, dst in (("Clinicians", names["physician"]), ("Administration", names["administrator"])):
        note = note.replace(src, dst)
    return note


# --- goals: the year to date and where it is heading -----------------------------------------------------

GOAL_MEASURES = ("collections", "net_production", "gross_production")


def goal_progress(practice: "Practice", period: Period, goals: Mapping[str, Any] | None) -> pd.DataFrame | None:
    """Year to date against the phased goal and the run-rate projection, per goal measure.

    Projection = the year's goal × (actual to date ÷ phased goal to date): the rest of the year is
    assumed to run at the same share of its phased goal as the months so far, so the practice's
    own seasonality (in the phasing) is kept — never the year-to-date ÷ months × 12.
    None when goals.yaml has no goal for the quarter's fiscal year ("no goals set").
    """
    from dyad_lib.goals.lines import pace_needed, ytd_goal
    from dyad_lib.metrics.compute import compute_metrics, metric_def

    ytd_p = period.view("ytd")
    actual = compute_metrics(practice, ytd_p, list(GOAL_MEASURES))
    rows = []
    for mid in GOAL_MEASURES:
        goal_ytd = ytd_goal(goals, period.end, mid)
        a = actual[mid].value
        if goal_ytd is None or a is None:
            continue
        pace = pace_needed(goals, period.end, a, mid)
        if pace is None or not goal_ytd:
            continue
        annual = pace["annual_goal"]
        projection = annual * a / goal_ytd
        months_left = int(pace["months_left"])
        rows.append({
            "id": mid, "label": metric_def(practice, mid).label(practice.kind), "annual_goal": annual,
            "ytd_goal": goal_ytd, "ytd_actual": a, "share_of_phased": a / goal_ytd,
            "gap_to_date": a - goal_ytd, "projection": projection, "projected_gap": projection - annual,
            "months_left": months_left, "remaining": pace["remaining"],
            "pace_needed": pace["per_month"] if months_left else None,
            "pace_so_far": a / ytd_p.n_months,
        })
    if not rows:
        return None
    out = pd.DataFrame(rows)
    out.attrs.update(fiscal_year=fiscal_year_label(period), ytd_label=ytd_p.label, ytd_months=ytd_p.n_months,
                     through=f"{period.end:%B %Y}",
                     span=f"{fiscal_year_label(period)} so far: {ytd_p.start:%B %Y} – {period.end:%B %Y}")
    return out


def last_year_result(practice: "Practice", period: Period, goals: Mapping[str, Any] | None) -> str | None:
    """When the quarter's fiscal year has no goals yet: how the previous fiscal year, if it had a
    collection goal and has ended, closed against it (one sentence), else None."""
    from dyad_lib.goals.lines import annual_goal
    from dyad_lib.metrics.compute import compute_metrics
    from dyad_lib.metrics.periods import parse_period

    fy = fiscal_year_of(period.end, period.fy_start_month) - 1
    goal = annual_goal(goals, f"FY{fy}")
    if goal is None:
        return None
    year = parse_period(f"FY{fy}", period.fy_start_month)
    if year.end > period.end:
        return None
    got = compute_metrics(practice, year, ["collections"])["collections"].value
    if got is None:
        return None
    side = "above" if got >= goal else "below"
    return (f"FY{fy} ({year.start:%B %Y} – {year.end:%B %Y}) closed with collections of {fmt.money(got)} against its "
            f"goal of {fmt.money(goal)}: {fmt.money(abs(got - goal))} {side} it ({fmt.percent(got / goal)} of the goal).")


def goal_sentences(progress: pd.DataFrame) -> list[str]:
    """One neutral sentence per goal measure, each naming its numbers."""
    out = []
    fy, through = progress.attrs["fiscal_year"], progress.attrs["through"]
    for r in progress.to_dict("records"):
        side = "ahead of" if r["gap_to_date"] >= 0 else "behind"
        s = fmt.say("{label}: {x} to the end of {through}, {gap} {side} the phased goal of {goal} ({share} of it). "
                    "At that pace {fy} ends near {proj} against the goal of {annual} ({pgap}).",
                    label=r["label"], x=fmt.figure(r["ytd_actual"], "money", r["id"], progress.attrs["ytd_label"]),
                    through=through, gap=fmt.money(abs(r["gap_to_date"])), side=side, goal=fmt.money(r["ytd_goal"]),
                    share=fmt.percent(r["share_of_phased"]), fy=fy, proj=fmt.money(r["projection"]),
                    annual=fmt.money(r["annual_goal"]), pgap=fmt.change(r["projected_gap"], "money"))
        if r["months_left"] and r["pace_needed"] is not None:
            change = r["pace_needed"] / r["pace_so_far"] - 1 if r["pace_so_far"] else None
            s += (f" Reaching the goal needs {fmt.money(r['pace_needed'])} a month for the remaining "
                  f"{r['months_left']} month{'s' if r['months_left'] != 1 else ''}")
            if change is not None and abs(change) < 0.005:
                s += ", about the same as the average so far"
            elif change is not None:
                s += f" ({fmt.percent(abs(change), 0)} {'more' if change > 0 else 'less'} than the average so far)"
            s += "."
        out.append(s)
    return out


def goal_chart_frame(progress: pd.DataFrame, measure: str = "collections") -> pd.DataFrame:
    """Bars: so far, phased goal to date, projected year end, the year's goal."""
    r = progress.set_index("id").loc[measure]
    fy = progress.attrs["fiscal_year"]
    return pd.DataFrame({"item": ["So far this year", "Phased goal to date", f"Projected {fy}", f"{fy} goal"],
                         "value": [r["ytd_actual"], r["ytd_goal"], r["projection"], r["annual_goal"]],
                         "metric": [measure, None, None, None],
                         "period": [progress.attrs["ytd_label"], None, None, None]})


def goal_table(progress: pd.DataFrame) -> pd.DataFrame:
    ytd = progress.attrs.get("ytd_label")
    out = pd.DataFrame({
        "Measure": progress["label"].astype(object),
        "So far": [fmt.figure(x, "money", m, ytd) for x, m in zip(progress["ytd_actual"], progress["id"])],
        "Phased goal to date": [fmt.money(x) for x in progress["ytd_goal"]],
        "Difference": [fmt.change(x, "money") for x in progress["gap_to_date"]],
        "Projected year end": [fmt.money(x) for x in progress["projection"]],
        f"{progress.attrs['fiscal_year']} goal": [fmt.money(x) for x in progress["annual_goal"]],
        "Needed a month from here": [fmt.money(x) if x is not None and not pd.isna(x) else fmt.DASH
                                     for x in progress["pace_needed"]],
    }, dtype=object)
    out.attrs["numeric"] = list(out.columns[1:])
    return out


# --- the partnership assessment -------------------------------------------------------------------------

CLASS_WORDS = {"shared_strength": "shared strength", "shared_gap": "shared gap",
               "perception_gap": "seen differently", "neither": "", "incomplete": "one rating only"}


def group_title(practice: "Practice", deliverer: str) -> str:
    """'What the office manager needs from the dentist' for the areas the dentist delivers."""
    receiver = "administrator" if deliverer == "physician" else "physician"
    return f"What the {role_word(practice, receiver)} needs from the {role_word(practice, deliverer)}"


def assessment_chart_frame(view: pd.DataFrame, deliverer: str) -> pd.DataFrame:
    """Areas one partner delivers: label (with its classification), both partners' ratings."""
    v = view[view["deliverer"] == deliverer]
    labels = [f"{lab} — {CLASS_WORDS[c]}" if CLASS_WORDS.get(c) else lab for lab, c in zip(v["label"], v["classification"])]
    return pd.DataFrame({"area": labels, "clinical": v["physician_rating"].astype(float).to_numpy(),
                         "business": v["administrator_rating"].astype(float).to_numpy()})


def _n(x: float) -> str:
    return fmt.DASH if x is None or pd.isna(x) else (str(int(x)) if float(x).is_integer() else f"{x:.1f}")


def assessment_lists(view: pd.DataFrame, practice: "Practice") -> dict[str, list[str]]:
    """Shared strengths, shared gaps and perception gaps as short neutral lines naming both ratings."""
    cw, bw = role_word(practice, "physician"), role_word(practice, "administrator")
    out: dict[str, list[str]] = {"shared_strength": [], "shared_gap": [], "perception_gap": []}
    for r in view.to_dict("records"):
        c = r["classification"]
        if c not in out:
            continue
        whose = f"the {role_word(practice, r['deliverer'])}'s to deliver"
        ratings = f"{cw} {_n(r['physician_rating'])}, {bw} {_n(r['administrator_rating'])}"
        if c == "perception_gap":
            out[c].append(f"{r['label']} ({whose}): the {role_word(practice, r['deliverer'])} rates it "
                          f"{_n(r['self_view'])}, the {role_word(practice, r['receiver'])} {_n(r['partner_view'])}.")
        else:
            out[c].append(f"{r['label']} ({whose}): {ratings}.")
    return out


def focus_lines(focus: pd.DataFrame, practice: "Practice") -> list[str]:
    return [in_words(str(r), practice) for r in focus["reason"]] if len(focus) else []


def change_table(change: pd.DataFrame, practice: "Practice") -> pd.DataFrame:
    """Areas where either partner's rating moved since the previous assessment."""
    cw = role_word(practice, "physician").capitalize()
    bw = role_word(practice, "administrator").capitalize()
    if change.empty:
        return pd.DataFrame()
    c = change[(change["physician_change"].fillna(0) != 0) | (change["administrator_change"].fillna(0) != 0)]

    def move(b, n):
        return f"{_n(b)} → {_n(n)}" + ("" if pd.isna(b) or pd.isna(n) or b == n else f" ({fmt.change(n - b, 'score_1_5')})")

    out = pd.DataFrame({
        "Area": c["label"],
        f"{cw}'s rating": [move(b, n) for b, n in zip(c["physician_before"], c["physician_now"])],
        f"{bw}'s rating": [move(b, n) for b, n in zip(c["administrator_before"], c["administrator_now"])],
        "Was": [CLASS_WORDS.get(x, "") or "—" for x in c["classification_before"]],
        "Now": [CLASS_WORDS.get(x, "") or "—" for x in c["classification_now"]],
    }).reset_index(drop=True)
    return out


# --- 360 feedback ----------------------------------------------------------------------------------------


def feedback_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per competency: self, partner, each group shown, others (small groups combined), the mean of
    everyone but self, and the note of the anonymity rule."""
    if summary.empty:
        return pd.DataFrame()

    def sc(x):
        return fmt.DASH if x is None or pd.isna(x) else f"{x:.1f}"

    def grp(m, n):
        return fmt.DASH if m is None or pd.isna(m) else f"{m:.1f} ({int(n)})"

    out = pd.DataFrame({
        "Competency": summary["competency_label"],
        "Self": [sc(x) for x in summary["self"]],
        "Partner": [sc(x) for x in summary["partner"]],
        "Peers (n)": [grp(m, n) for m, n in zip(summary["peer"], summary["peer_n"])],
        "Staff (n)": [grp(m, n) for m, n in zip(summary["staff"], summary["staff_n"])],
        "Patients (n)": [grp(m, n) for m, n in zip(summary["patient"], summary["patient_n"])],
        "Others combined (n)": [grp(m, n) for m, n in zip(summary["others"], summary["others_n"])],
        "Everyone but self": [sc(x) for x in summary["others_mean"]],
        "Self − others": [fmt.change(x, "score_1_5") if not pd.isna(x) else fmt.DASH for x in summary["self_minus_others"]],
        "Anonymity": [n or "" for n in summary["note"]],
    })
    for col, src in (("Peers (n)", "peer"), ("Staff (n)", "staff"), ("Patients (n)", "patient"),
                     ("Others combined (n)", "others")):
        if summary[src].isna().all():
            out = out.drop(columns=[col])
    out.attrs["numeric"] = [c for c in out.columns if c not in ("Competency", "Anonymity")]
    return out


GROUP_SINGULAR = {"peers": "peer", "staff": "staff", "patients": "patient"}


def anonymity_lines(summary: pd.DataFrame) -> list[str]:
    """The fold and suppression notes, one line per rater group and outcome, naming the
    competencies ("Patient ratings folded into 'others': fewer than 3 …")."""
    from dyad_lib.data.contract import MIN_GROUP_RATINGS

    found: dict[tuple[str, bool], list[tuple[str, int]]] = {}
    for r in summary.to_dict("records"):
        groups = r["others_groups"]
        if not groups:
            continue
        key = (groups, bool(r["others_n"]))
        found.setdefault(key, []).append((r["competency_label"].lower(), int(r["suppressed_n"] or 0)))
    out = []
    for (groups, shown), items in found.items():
        who = " and ".join(GROUP_SINGULAR.get(g.strip(), g.strip()) for g in groups.split(","))
        comps = ", ".join(c for c, _ in items)
        text = f"{who[:1].upper()}{who[1:]} ratings folded into 'others': fewer than {MIN_GROUP_RATINGS} ({comps})"
        if shown:
            text += "; the combined ratings are shown as 'others combined'."
        else:
            n = sorted({k for _, k in items})
            text += (f"; even combined they are fewer than {MIN_GROUP_RATINGS}, so they are not shown and not "
                     f"counted in any mean ({' or '.join(map(str, n))} rating{'s' if n != [1] else ''} withheld each).")
        out.append(text)
    return out


def feedback_chart(summary: pd.DataFrame, role: str, practice: "Practice", title: str = ""):
    """Self (in the partner's colour) against everyone else's mean (grey), per competency."""
    import altair as alt

    from dyad_lib.reports import charts

    colour = charts.CLINICAL if role == "physician" else charts.BUSINESS
    self_label = f"{partner_label(practice, role)}: self"
    others = "Everyone else (mean)"
    df = summary[["competency_label", "self", "others_mean"]].rename(columns={"competency_label": "competency"})
    long = df.melt(id_vars="competency", var_name="view", value_name="rating").dropna()
    long["view"] = long["view"].map({"self": self_label, "others_mean": others})
    y = alt.Y("competency:N", title=None, sort=list(df["competency"]))
    x = alt.X("rating:Q", title="rating (1–5)", scale=alt.Scale(domain=[1, 5]),
              axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"))
    rule = alt.Chart(df.dropna()).mark_rule(color="#9aa7b5", strokeWidth=2).encode(
        y=y, x=alt.X("self:Q", scale=alt.Scale(domain=[1, 5]), title=None), x2="others_mean:Q")
    pts = alt.Chart(long).mark_point(filled=True, size=110, opacity=1).encode(
        y=y, x=x, color=alt.Color("view:N", title=None, scale=alt.Scale(domain=[self_label, others],
                                                                        range=[colour, "#8a96a3"])),
        tooltip=[alt.Tooltip("competency:N", title="Competency"), alt.Tooltip("view:N", title="View"),
                 alt.Tooltip("rating:Q", title="Rating", format=".1f")])
    return (alt.layer(rule, pts).properties(title=title, width=charts.WIDTH, height=max(60, 30 * len(df)))
            .configure_legend(labelLimit=400).configure_axisY(labelLimit=320))


def assessment_chart(frame: pd.DataFrame, practice: "Practice", title: str = ""):
    """Both partners' rating of each area on one line: the clinical lead a filled dot, the business
    lead a ring around it (so equal ratings stay visible), in the partners' fixed colours."""
    import altair as alt

    from dyad_lib.reports import charts

    clinical, business = partner_label(practice, "physician"), partner_label(practice, "administrator")
    order = list(frame["area"])
    y = alt.Y("area:N", title=None, sort=order)
    scale = alt.Scale(domain=[1, 5])
    axis = alt.Axis(values=[1, 2, 3, 4, 5], format="d", title="1 = not at all · 3 = sometimes · 5 = fully")
    long = frame.melt(id_vars="area", value_vars=["clinical", "business"], var_name="who", value_name="rating")
    long["who"] = long["who"].map({"clinical": clinical, "business": business})
    long = long.dropna(subset=["rating"])
    colour = alt.Color("who:N", title=None, scale=charts.partner_scale(clinical, business))
    tip = [alt.Tooltip("area:N", title="Area"), alt.Tooltip("who:N", title="Rated by"),
           alt.Tooltip("rating:Q", title="Rating", format=".0f")]
    rule = alt.Chart(frame.dropna(subset=["clinical", "business"])).mark_rule(color="#9aa7b5", strokeWidth=2).encode(
        y=y, x=alt.X("clinical:Q", scale=scale, axis=axis), x2="business:Q")
    ring = alt.Chart(long[long["who"] == business]).mark_point(filled=False, size=260, strokeWidth=3, opacity=1).encode(
        y=y, x=alt.X("rating:Q", scale=scale, axis=axis), color=colour, tooltip=tip)
    dot = alt.Chart(long[long["who"] == clinical]).mark_point(filled=True, size=90, opacity=1).encode(
        y=y, x=alt.X("rating:Q", scale=scale, axis=axis), color=colour, tooltip=tip)
    cw, bw = role_word(practice, "physician"), role_word(practice, "administrator")
    sub = f"Filled dot: the {cw}'s rating · ring: the {bw}'s rating · a dot inside a ring: both gave the same rating"
    return (alt.layer(rule, ring, dot).properties(title=alt.TitleParams(title, subtitle=sub), width=560,
                                                  height=max(60, 30 * len(frame)))
            .configure_legend(labelLimit=400).configure_axisY(labelLimit=340))


# --- decision grid, meetings, action plan, conflicts --------------------------------------------------------


def lead_word(practice: "Practice", lead: Any) -> str:
    if lead in PARTNER_ROLES:
        w = role_word(practice, lead)
        return w[:1].upper() + w[1:]
    return {"joint": "Joint", "both": "Both"}.get(str(lead), str(lead) if isinstance(lead, str) else fmt.DASH)


def decision_table(grid: pd.DataFrame, practice: "Practice") -> pd.DataFrame:
    import re

    def roles(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return re.sub(r"\b(physician|administrator)\b", lambda m: role_word(practice, m.group(1)), text)

    return pd.DataFrame({"Decision": grid["decision_area"], "Who leads": [lead_word(practice, x) for x in grid["lead"]],
                         "Consulted": [roles(x) for x in grid["consulted"]], "Notes": grid["notes"]})


def decision_counts(grid: pd.DataFrame, practice: "Practice") -> str:
    """'11 decision areas are written down: 2 led by the dentist, 5 by the office manager and 4 decided jointly.'"""
    counts = grid.attrs.get("counts", {})
    parts = []
    for k in ("physician", "administrator", "joint"):
        n = counts.get(k, 0)
        if not n:
            continue
        parts.append(f"{n} decided jointly" if k == "joint" else
                     (f"{n} led by the {role_word(practice, k)}" if not parts else f"{n} by the {role_word(practice, k)}"))
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{len(grid)} decision area{'s are' if len(grid) != 1 else ' is'} written down: {listed}."


def rhythm_table(rhythm: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "Meeting": rhythm["label"],
        "Planned": [fmt.count(x) if p else fmt.DASH for x, p in zip(rhythm["planned"], rhythm["planned"])],
        "Held": [fmt.count(x) if p else fmt.DASH for x, p in zip(rhythm["held"], rhythm["planned"])],
        "Logged as not held": [fmt.count(x) if p else fmt.DASH for x, p in zip(rhythm["missed"], rhythm["planned"])],
        "Not logged": [fmt.count(x) if p else fmt.DASH for x, p in zip(rhythm["not_logged"], rhythm["planned"])],
        "Held share": [fmt.percent(a, 0) if a is not None and not pd.isna(a) else fmt.DASH for a in rhythm["adherence"]],
        "Average length": [f"{x:.0f} min" if x is not None and not pd.isna(x) else fmt.DASH
                           for x in rhythm["avg_duration_minutes"]],
    })
    out.attrs["numeric"] = ["Planned", "Held", "Logged as not held", "Not logged", "Average length"]
    return out


def rhythm_notes(rhythm: pd.DataFrame, meetings: pd.DataFrame | None, period: Period) -> list[str]:
    """Why a cadence has no share this quarter, and when the last meeting of a longer cadence
    (the annual retreat) was held."""
    out = []
    for r in rhythm.to_dict("records"):
        if r["adherence"] is not None and not pd.isna(r["adherence"]):
            continue
        why = "not due within a single quarter" if not r["planned"] else (r["reason"] or "not computable")
        line = f"{r['label']}: {why}"
        logged = meetings[meetings["cadence"] == r["cadence"]] if meetings is not None else None
        if logged is not None and len(logged):
            held = logged[logged["held"].fillna(False).astype(bool) & (logged["date"] <= period.last_day)]
            if len(held):
                d = pd.Timestamp(held["date"].max())
                line += f"; the last one was held on {d:%B} {d.day}, {d.year}"
            else:
                line += "; none is logged as held yet"
        out.append(line + ".")
    return out


def rhythm_chart_frame(rhythm: pd.DataFrame) -> pd.DataFrame:
    r = rhythm[rhythm["planned"] > 0]
    return pd.concat([pd.DataFrame({"meeting": r["label"], "what": "Planned", "n": r["planned"]}),
                      pd.DataFrame({"meeting": r["label"], "what": "Held", "n": r["held"]})], ignore_index=True)


STATUS_WORDS = {"done": "Done", "overdue": "Overdue", "open": "Open", "in_progress": "In progress", "dropped": "Dropped"}


def action_table(status: pd.DataFrame, practice: "Practice") -> pd.DataFrame:
    def day(x):
        return fmt.DASH if x is None or pd.isna(x) else f"{pd.Timestamp(x):%b} {pd.Timestamp(x).day}, {pd.Timestamp(x).year}"

    out = pd.DataFrame({
        "Action": status["title"],
        "Area": [(f"★ {a}" if f else a) if isinstance(a, str) else fmt.DASH
                 for a, f in zip(status["area_label"], status["focus"])],
        "Owner": [lead_word(practice, o) for o in status["owner"]],
        "Due": [day(x) for x in status["due_date"]],
        "Status": [STATUS_WORDS.get(s, s) for s in status["status_as_of"]],
        "Days overdue": ["" if pd.isna(x) else fmt.count(x) for x in status["days_overdue"]],
        "Done": [day(x) if s == "done" else "" for x, s in zip(status["completed_date"], status["status_as_of"])],
    })
    out.attrs["numeric"] = ["Days overdue"]
    return out


def focus_followup(status: pd.DataFrame, focus: pd.DataFrame) -> list[str]:
    """For each proposed focus area: its items in the plan and their status, or that it has none open."""
    out = []
    for r in focus.to_dict("records"):
        items = status[status["area"] == r["area"]]
        live = items[items["status_as_of"].isin(["open", "in_progress", "overdue"])]
        if items.empty:
            out.append(f"{r['label']}: no action item in the plan yet.")
            continue
        parts = [f"“{t}” (" + (f"{int(d)} days overdue)" if s == "overdue" else f"{STATUS_WORDS.get(s, s).lower()})")
                 for t, s, d in zip(items["title"], items["status_as_of"], items["days_overdue"])]
        tail = "" if len(live) else " No item is open for it now."
        out.append(f"{r['label']}: " + "; ".join(parts) + "." + tail)
    return out


def conflict_tiles(s: Mapping[str, Any], period: Period) -> list[dict[str, str]]:
    med = s["median_days_to_resolve"]
    tiles = [
        {"label": f"Open on {period.last_day:%b} {period.last_day.day}", "value": fmt.count(s["open"]),
         "note": f"{s['opened_in_period']} opened during {period.label}"},
        {"label": f"Resolved in {period.label}", "value": fmt.count(s["resolved_in_period"]),
         "note": f"median {fmt.days(med, 0)} to resolve" if med is not None else "none resolved this quarter"},
        {"label": "Mediated", "value": fmt.percent(s["mediated_share"], 0),
         "note": "of every conflict in the log, with a third party"},
    ]
    top = s["longest_in_log"]
    if top:
        end = ("still open" if top["open"] else f"resolved {top['resolved_date']:%b} {top['resolved_date'].day}, "
               f"{top['resolved_date'].year}")
        tiles.append({"label": "Longest in the log", "value": f"{top['days']} days",
                      "note": f"“{top['topic']}”, opened {top['opened_date']:%b %Y}, {end}"
                              + (", with a mediator" if top["mediated"] else "")})
    return tiles


def conflict_table(s: Mapping[str, Any]) -> pd.DataFrame:
    h = s["history"]
    if h is None or len(h) == 0:
        return pd.DataFrame()

    def day(x):
        return "" if x is None or pd.isna(x) else f"{pd.Timestamp(x):%b} {pd.Timestamp(x).day}, {pd.Timestamp(x).year}"

    out = pd.DataFrame({
        "Topic": h["topic"], "Opened": [day(x) for x in h["opened_date"]],
        "Resolved": [day(x) if not o else "open" for x, o in zip(h["resolved_date"], h["open"])],
        "Days": [fmt.count(x) for x in h["days"]],
        "Mediated": ["yes" if m is True or m == 1 else ("no" if m is False or m == 0 else fmt.DASH) for m in h["mediated"]],
    })
    out.attrs["numeric"] = ["Days"]
    return out


# --- the checkpoint agenda -------------------------------------------------------------------------------

TOPIC_WORDS = {"scorecard": "Scorecard", "assessment": "Assessment", "actions": "Action plan", "meetings": "Meetings", "conflicts": "Conflicts",
               "patients": "Patients", "team": "Team", "feedback_360": "360 feedback"}


def scorecard_agenda(card: pd.DataFrame, practice: "Practice") -> dict[str, list]:
    """Agenda lines from the practice half of the scorecard (the partnership half and patient NPS are
    already covered by `dyad_lib.partnership.checkpoint`): measures on track are working, measures that need
    attention could be improved; each names the value, the target and its source."""
    from dyad_lib.metrics.compare import year_basis
    from dyad_lib.partnership.checkpoint import AgendaItem

    out: dict[str, list] = {"working": [], "improve": []}
    rows = card[(card["half"] == "practice") & (card["id"] != "patient_nps") & card["has_target"]]
    for r in rows.to_dict("records"):
        if r["value"] is None or r["verdict"] not in ("good", "concern"):
            continue
        src = r["target_source"].replace("(goals.yaml)", "").strip()
        p, q = card.attrs.get("period"), card.attrs["quarters"][-1]
        if _on_year_basis(r, p):  # retention: the twelve months ending with the quarter
            p = year_basis(p)
            q = f"the twelve months to {p.end:%B %Y}"
        text = fmt.say("{label}: {x} in {q} against {t} ({src}).", label=r["label"],
                       x=fmt.figure(r["value"], r["unit"], r["id"], p), q=q, t=r["target"], src=src)
        out["working" if r["verdict"] == "good" else "improve"].append(AgendaItem("scorecard", text))
    return out


def merge_agenda(first: Mapping[str, list], then: Mapping[str, list]) -> dict[str, list]:
    return {k: list(first.get(k, [])) + list(then.get(k, [])) for k in ("working", "improve")}


def agenda_html(agenda: Mapping[str, list], practice: "Practice") -> Markup:
    """'What is working' and 'What could be improved' side by side, each item naming its evidence."""
    columns = [{"tone": tone, "title": title,
                "entries": [(TOPIC_WORDS.get(i.topic, i.topic), in_words(i.text, practice)) for i in agenda.get(key) or []]}
               for key, title, tone in (("working", "What is working", "good"),
                                        ("improve", "What could be improved", "warn"))]
    return render("agenda", columns=columns)


def answers_html(latest: pd.DataFrame, practice: "Practice") -> Markup:
    """The recurring questions with the two partners' latest answers side by side."""
    rows = []
    for r in latest.to_dict("records"):
        answers = []
        for role in PARTNER_ROLES:
            a, d = r[f"{role}_answer"], r[f"{role}_date"]
            missing = a is None or (isinstance(a, float) and pd.isna(a))
            answers.append({"text": None if missing else str(a), "css": CSS_CLASS[role],
                            "when": "" if missing else fmt.spell_date(d)})
        rows.append({"question": in_words(r["question_text"], practice), "answers": answers})
    partners = [{"css": CSS_CLASS[r], "label": partner_label(practice, r)} for r in PARTNER_ROLES]
    return render("answers", partners=partners, rows=rows)


def lines_html(lines: list[str], cls: str = "") -> Markup:
    """A plain list (nothing when there are no lines)."""
    return render("lines", lines=lines, cls=cls)


# --- missing instruments ---------------------------------------------------------------------------------


def missing_lines(practice: "Practice") -> list[str]:
    """One line per partnership instrument not provided: what it collects, what it turns on, and the
    template that collects it (`dyad forms <practice>` for the printable ones)."""
    from dyad_lib.partnership.instruments import missing_instruments

    pid = practice.practice_id
    out = []
    for m in missing_instruments(practice):
        template = m["template"].replace("`dyad forms`", f"`dyad forms {pid}`")
        out.append(f"{m['table']} — {m['collects']}; turns on {m['enables']}. Template: {template}.")
    return out


def missing_html(practice: "Practice") -> Markup:
    """The missing-instrument lines, with `code` spans shown as code."""
    import re

    lines = [[(p, bool(i % 2)) for i, p in enumerate(re.split(r"`([^`]*)`", line))] for line in missing_lines(practice)]
    return render("lines", lines=lines, cls="qp-missing")


# --- the headline ------------------------------------------------------------------------------------------

HEADLINE_IDS = ("net_production", "collections", "collection_ratio", "overhead_ratio", "case_acceptance_value",
                "patient_nps", "dyad_alignment", "action_items_overdue")


def headline_tiles(card: pd.DataFrame, progress: pd.DataFrame | None) -> list[dict[str, str]]:
    """Up to eight tiles: the measure, its value, its target and the previous quarter."""
    c = card.set_index("id")
    tiles = []
    for mid in HEADLINE_IDS:
        if mid not in c.index or c.at[mid, "value"] is None or pd.isna(c.at[mid, "value"]):
            continue
        r = c.loc[mid]
        lines: list[Any] = []
        period = card.attrs.get("period")
        if r["has_target"]:
            word = "Goal" if mid in GOAL_MEASURES else ("Typical" if r.get("typical_only") else "Target")
            lines.append(fmt.say("{w} {t}", w=word, t=r["target"]))
        if mid in GOAL_MEASURES and progress is not None and mid in set(progress["id"]):
            p = progress.set_index("id").loc[mid]
            lines.append(fmt.say("Year to date {x}, {s} of the phased goal",
                                 x=fmt.figure(p["ytd_actual"], "money", mid, progress.attrs.get("ytd_label")),
                                 s=fmt.percent(p["share_of_phased"])))
        if r["previous"] is not None and not pd.isna(r["previous"]):
            prev = period.previous() if period is not None else card.attrs["previous_label"]
            lines.append(fmt.say("{when}: {x} ({d})", when=card.attrs["previous_label"],
                                 x=fmt.figure(r["previous"], r["unit"], mid, prev),
                                 d=fmt.difference(r["value"], r["previous"], r["unit"])))
        tone = {"good": "good", "watch": "warn", "concern": "bad"}.get(r["verdict"] or "", "")
        now = (card.attrs.get("quarters") or [""])[-1]  # every figure names its period
        tiles.append({"label": f"{r['label']} · {now}" if now else r["label"],
                      "value": fmt.figure(r["value"], r["unit"], mid, period),
                      "note": fmt.joined("\n", lines),
                      "tone": tone})
    return tiles


def headline_sentences(card: pd.DataFrame, agenda: Mapping[str, list], focus: pd.DataFrame | None,
                       practice: "Practice") -> list[str]:
    """Three or four lines a reader takes in within a minute."""
    k = verdict_counts(card)
    out = []
    if k["with_target"]:
        moved = [f"{k['better']} moved the better way", f"{k['worse']} the worse way"]
        if k["same"]:
            moved.append(f"{k['same']} held")
        if k["no_previous"]:
            moved.append(f"{k['no_previous']} {'has' if k['no_previous'] == 1 else 'have'} no figure for it")
        are, needs = ("is" if k["good"] == 1 else "are"), ("needs" if k["concern"] == 1 else "need")
        out.append(f"Of the {k['with_target']} scorecard measures with a target, {k['good']} {are} on track, "
                   f"{k['watch']} to watch and {k['concern']} {needs} attention; of the same "
                   f"{k['with_target']}, compared with {card.attrs['previous_label']}, "
                   + ", ".join(moved[:-1]) + " and " + moved[-1] + ".")
    if focus is not None and len(focus):
        names = " and ".join(focus["label"])
        out.append(f"Proposed focus for the next quarter, from the partnership assessment: {names}.")
    working, improve = agenda.get("working") or [], agenda.get("improve") or []
    if working:
        out.append("Working: " + in_words(working[0].text, practice))
    if improve:
        out.append("To talk about first: " + in_words(improve[0].text, practice))
    return out


def shown_ids(card: pd.DataFrame) -> list[str]:
    """The metric ids the report shows (for the glossary and the machine-readable bundle)."""
    return list(dict.fromkeys(card["id"]))


def area_label(code: str) -> str:
    return DYAD_AREAS[code][1] if code in DYAD_AREAS else code
