"""Partnership (dyad) analytics: the metric ids of metrics.md "Partnership" and the views behind
the quarterly partnership checkpoint.

`partnership_metrics` is what `dyad_lib.metrics.compute_metrics` merges; the views live in small
modules re-exported here so a notebook needs one import:

- :mod:`dyad_lib.partnership_assessment` — the 14-area needs assessment, classifications, focus areas;
- :mod:`dyad_lib.feedback360` — 360 feedback with the anonymity rule;
- :mod:`dyad_lib.rhythm` — meetings planned against held, per cadence;
- :mod:`dyad_lib.partnership_logs` — action plan and conflict log as of a date;
- :mod:`dyad_lib.partnership_surveys` — team survey by role and patient feedback (minimum responses);
- :mod:`dyad_lib.checkpoint` — what is working / what to improve, the partners' latest answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from dyad_lib.contract import MEETING_CADENCES, TABLES
from dyad_lib.periods import Period
from dyad_lib.values import MetricValue, missing, ratio, value

from dyad_lib.partnership_assessment import (  # noqa: F401  (re-exported)
    CLASSES, alignment_and_health, areas_in, assessment_change, assessment_view, classify,
    focus_areas, latest_assessment_date, list_assessments,
)
from dyad_lib.partnership_logs import (  # noqa: F401
    action_plan_status, conflict_summary, conflicts_open_mask, decision_grid_view, done_on_time_mask,
    due_in, overdue_mask, resolved_in,
)
from dyad_lib.rhythm import cadence_rhythm, meeting_rhythm, planned_slots  # noqa: F401
from dyad_lib.feedback360 import blind_spots, feedback_summary, hidden_strengths  # noqa: F401
from dyad_lib.partnership_surveys import nps, patient_feedback, team_survey_by_role  # noqa: F401
from dyad_lib.checkpoint import (  # noqa: F401
    AgendaItem, checkpoint_agenda, latest_answers, what_is_working, what_to_improve,
)

if TYPE_CHECKING:
    from dyad_lib.io import Practice

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


#: The partnership instruments, in the order the quarterly report shows them.
INSTRUMENT_TABLES = ("dyad_assessment", "feedback_360", "meetings", "decision_grid", "action_plan",
                     "conflicts", "partner_questions", "team_survey", "patient_survey")
#: Tables with a printable form from `dyad forms`; the others have a CSV template from `dyad new`.
FORM_TABLES = {"dyad_assessment": "the printed assessment forms and dyad_assessment_template.csv from "
                                  "`dyad forms`",
               "partner_questions": "the printed question forms and partner_questions_template.csv from "
                                    "`dyad forms`"}


def missing_instruments(practice: "Practice") -> list[dict[str, str]]:
    """Each partnership instrument the practice has not provided: the table, what it collects,
    what it switches on, and where the template that collects it comes from."""
    out = []
    for name in INSTRUMENT_TABLES:
        if name in practice.tables:
            continue
        t = TABLES[name]
        out.append({
            "table": name,
            "collects": t.collects or t.description,
            "enables": t.enables,
            "template": FORM_TABLES.get(name, f"{name}.csv (an empty template is created by `dyad new`; "
                                              f"columns: {', '.join(t.column_names)})"),
        })
    return out


def partnership_series(practice: "Practice", months) -> pd.DataFrame:
    """Every partnership id for each month (index: month starts), NaN where not computable.

    One `partnership_metrics` call per month for all ids together — cheaper than one call per id
    and month when a chart needs a long monthly history.
    """
    from dyad_lib.periods import month_period

    idx = pd.DatetimeIndex([pd.Timestamp(m) for m in months], name="month")
    rows = []
    for m in idx:
        got = partnership_metrics(practice, month_period(m, practice.config.fiscal_year_start_month))
        rows.append({k: (float("nan") if v.value is None else v.value) for k, v in got.items()})
    return pd.DataFrame(rows, index=idx, columns=list(PARTNERSHIP_METRICS), dtype=float)
