"""The consultant's practice assessment, assembled for the notebook (reports.md §5).

A benchmarked verdict with the money at stake: every KPI against its published band (with the
source), the practice's own trends over up to three years, providers side by side, the
opportunities sized in dollars with their formulas, the partnership's state in brief, and the
top opportunities worded as actions. Values come from `compute_metrics` / `compare` /
`breakdown`; opportunities from `dyad_lib.metrics.opportunities`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dyad_lib import fmt
from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.reports.monthly_review import _Band, label, where_text
from dyad_lib.metrics.periods import Period, add_months, parse_period

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice
    from dyad_lib.metrics.opportunities import Opportunities

#: The KPIs the assessment benchmarks, in reading order (those that apply to the practice's kind).
KPI_IDS = ("collection_ratio", "adjustments_rate", "overhead_ratio", "operating_margin",
           *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES), "ar_days", "ar_over_90_share",
           "charge_lag_days", "denial_rate", "patient_collections_share", "collections_per_visit",
           "chair_utilization", "production_per_chair_hour", "hygiene_production_share",
           "production_per_hygiene_hour", "visits_per_physician_day", "no_show_rate", "late_cancellation_rate",
           "pre_appointment_rate", "new_patients", "new_patient_share", "patient_retention", "case_acceptance_count",
           "case_acceptance_value", "patient_nps", "staff_enps", "burnout_rate")
SIZE_IDS = ("gross_production", "net_production", "collections", "overhead", "active_patients", "visits_completed")
#: Trend charts: (title, ids, unit); ratios are trailing-three-month values (ratio of sums).
TREND_GROUPS = (
    ("money", ("net_production", "collections"), "money"),
    ("margins", ("collection_ratio", "overhead_ratio", "operating_margin"), "ratio"),
    ("schedule", ("chair_utilization", "no_show_rate", "case_acceptance_value"), "ratio"),
    ("costs", tuple(f"overhead_ratio_{c}" for c in ("staff_wages", "lab", "facility", "clinical_supplies",
                                                      "payroll_taxes_benefits")), "ratio"),
)
VERDICT_WORDS = {"good": "on track", "steady": "steady", "watch": "watch", "concern": "needs attention"}
PARTNERSHIP_TABLES = ("dyad_assessment", "meetings", "action_plan", "conflicts", "feedback_360", "decision_grid",
                      "partner_questions", "team_survey")


def assessment_period(practice: "Practice", period: str, view: str | None = "t12") -> Period:
    """The period assessed: a month with view t12 (default) or ytd, a quarter, or a fiscal year
    (used as it is; a view other than 'period' applies to months only)."""
    p = parse_period(period, practice.config.fiscal_year_start_month)
    if p.kind == "month" and view and view != "period":
        return p.view(view)
    return p


def _applies(practice: "Practice", mid: str) -> bool:
    from dyad_lib.metrics.compute import metric_def

    return metric_def(practice, mid).applies(practice.kind)


def kpi_ids(practice: "Practice", with_band_only: bool = False) -> list[str]:
    from dyad_lib.metrics.compute import metric_def
    from dyad_lib.metrics.registry import published

    out = [m for m in KPI_IDS if _applies(practice, m)]
    if with_band_only:
        out = [m for m in out if published(metric_def(practice, m), practice.kind)]
    return out


def size_tiles(practice: "Practice", period: Period) -> list[dict[str, str]]:
    """Tiles for the size of the practice over the period, each against the year before."""
    from dyad_lib.metrics.compute import compute_metrics

    ids = [m for m in SIZE_IDS if _applies(practice, m)]
    now = compute_metrics(practice, period, ids)
    ago_p = period.year_earlier()
    ago = compute_metrics(practice, ago_p, ids)
    out = []
    for mid in ids:
        v, y = now[mid].value, ago[mid].value
        if v is None:
            continue
        note = (fmt.say("{c} on the year before ({y})", c=fmt.pct_change_text(v, y),
                        y=fmt.figure(y, now[mid].unit, mid, ago_p)) if y else "no figure for the year before")
        out.append({"label": label(practice, mid), "value": fmt.figure(v, now[mid].unit, mid, period), "note": note,
                    "tone": "business" if mid in ("collections", "overhead") else "clinical"})
    return out


def kpi_table(practice: "Practice", period: Period) -> pd.DataFrame:
    """Every benchmarked KPI: value, the same period a year earlier, every band of this kind of
    practice on the value's basis (typical and top performers), the source, where the value sits
    (tier and better direction spelled out) and the verdict against the top performers' band where
    one is published. Values and bands are `fmt.Figure`s. KPIs whose tables the practice does not
    provide are left out (the report names those tables once)."""
    from dyad_lib.metrics import benchmarks
    from dyad_lib.metrics.compare import compare
    from dyad_lib.metrics.compute import metric_def

    ids = [m for m in kpi_ids(practice) if set(metric_def(practice, m).tables) <= set(practice.tables)]
    c = compare(practice, period, ids)
    ago = period.year_earlier()
    rows = []
    for r in c.itertuples():
        has_band = bool(r.bands)
        sources = "; ".join(dict.fromkeys(b.source_text for b in r.bands)) if has_band else "—"
        rows.append({
            "Measure": r.label,
            "Value": fmt.figure(r.value, r.unit, r.id, period) if not pd.isna(r.value) else "—",
            "A year earlier": fmt.figure(r.year_ago, r.unit, r.id, ago),
            "Benchmark": benchmarks.bands_figure(r.bands, period) if has_band else "—",
            "Source": sources,
            "Where": (r.where if isinstance(r.where, str) else "—") if has_band else "no benchmark",
            "Verdict": VERDICT_WORDS.get(r.verdict, "—") if has_band else "—",
            "_reason": r.reason if pd.isna(r.value) else None,
            "_id": r.id,
            "_has_band": has_band,
        })
    out = pd.DataFrame(rows, dtype=object)  # object columns: each cell keeps its fmt.Figure
    out.attrs["numeric"] = ["Value", "A year earlier"]
    return out


def split_benchmarked(kpis: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measures with a benchmark band, the others as Measure / Value / A year earlier)."""
    has = kpis["_has_band"].astype(bool) if "_has_band" in kpis else kpis["Benchmark"] != "—"
    kpis = kpis.drop(columns=[c for c in ("_has_band",) if c in kpis])
    with_band = kpis[has].reset_index(drop=True)
    with_band.attrs["numeric"] = ["Value", "A year earlier"]
    other = kpis.loc[~has, ["Measure", "Value", "A year earlier"]].reset_index(drop=True)
    other.attrs["numeric"] = ["Value", "A year earlier"]
    return with_band, other


def not_computable(kpis: pd.DataFrame) -> list[str]:
    """'Label, label: reason' for the KPIs without a value, one line per distinct reason."""
    by: dict[str, list[str]] = {}
    for m, r in zip(kpis["Measure"], kpis["_reason"]):
        if isinstance(r, str):
            by.setdefault(r, []).append(m)
    return [f"{', '.join(ms)}: {r}" for r, ms in by.items()]


def verdict_counts(kpis: pd.DataFrame) -> dict[str, int]:
    """How many benchmarked measures with a value are on track / to watch / need attention; the
    three add up to `with_band`, the set the headline sentence names."""
    v = kpis.loc[kpis["Verdict"].isin(list(VERDICT_WORDS.values())), "Verdict"]
    out = {w: int((v == w).sum()) for w in ("on track", "watch", "needs attention")}
    out["with_band"] = sum(out.values())
    return out


# --- trends ----------------------------------------------------------------------------------------


def trend_months(practice: "Practice", period: Period, months: int = 36) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Up to `months` months ending with the period, starting no earlier than the data (+2 months
    so the first three-month window is whole)."""
    from dyad_lib.metrics.components import components

    comp = components(practice)
    start = add_months(period.end, -(months - 1))
    if comp.fin_start is not None and start < add_months(comp.fin_start, 2):
        start = add_months(comp.fin_start, 2)
    return start, period.end


def trend_frame(practice: "Practice", period: Period, ids, months: int = 36, window: int = 3) -> pd.DataFrame:
    """Long frame (month, series, value): money ids month by month, ratio ids as the ratio over the
    `window` months ending with each month (a ratio of sums, smoother than one month's)."""
    from dyad_lib.metrics.compute import compute_metrics, metric_def, monthly_series
    from dyad_lib.reports.talking_points import window as months_ending

    ids = [m for m in ids if _applies(practice, m)]
    start, end = trend_months(practice, period, months)
    money = [m for m in ids if metric_def(practice, m).unit == "money"]
    ratios = [m for m in ids if m not in money]
    fy = practice.config.fiscal_year_start_month
    parts = []
    if money:
        s = monthly_series(practice, money, start, end)
        long = s.reset_index().melt(id_vars="month", var_name="metric", value_name="value")
        long["period"] = long["month"].dt.strftime("%Y-%m")
        parts.append(long)
    if ratios:
        rows = []
        for m in pd.date_range(start, end, freq="MS"):
            p = months_ending(m, window, fy)
            for k, v in compute_metrics(practice, p, ratios).items():
                rows.append({"month": m, "metric": k, "value": v.value, "period": p.label})
        parts.append(pd.DataFrame(rows))
    if not parts:
        return pd.DataFrame(columns=["month", "series", "value", "metric", "period"])
    out = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    out["value"] = out["value"].astype("float64")
    out["series"] = out["metric"].map(lambda m: label(practice, m))
    order = {m: i for i, m in enumerate(ids)}
    out = out.sort_values(["metric", "month"], key=lambda c: c.map(order) if c.name == "metric" else c, kind="stable")
    return out[["month", "series", "value", "metric", "period"]].reset_index(drop=True)


# --- opportunities and recommendations ----------------------------------------------------------------


def opportunities_table(opps: "Opportunities", period: Period | None = None) -> pd.DataFrame:
    """One row per sized lever: now (the metric over the twelve months, a `fmt.Figure`), target,
    the formula, and the dollars (unrounded, printed once; tagged with what they size)."""
    t12 = period.view("t12") if period is not None else None
    out = pd.DataFrame({
        "Lever": [o.label for o in opps.items],
        "Now": [fmt.figure(o.current, "ratio", o.metric_id, t12) for o in opps.items],
        "Target": [fmt.percent(o.target) for o in opps.items],
        "How it is sized": [o.formula for o in opps.items],
        "Dollars": [fmt.figure(o.dollars, "money", derived=f"opportunity.{o.lever}", period=t12,
                               text=f"{fmt.money(o.dollars, compact=False)} {'a year' if o.recurring else 'once'}")
                    for o in opps.items],
    }, dtype=object)
    out.attrs["numeric"] = ["Now", "Target", "Dollars"]
    return out


def opportunities_sources(opps: "Opportunities") -> list[str]:
    return [f"{o.label}: target {fmt.percent(o.target)} from {o.source}" for o in opps.items]


def opportunities_chart_frame(opps: "Opportunities", period: Period | None = None) -> pd.DataFrame:
    t12 = period.view("t12").label if period is not None else None
    return pd.DataFrame({"lever": [o.label for o in opps.items], "dollars": [o.dollars for o in opps.items],
                         "derived": [f"opportunity.{o.lever}" for o in opps.items],
                         "period": [t12] * len(opps.items)})


# --- partnership in brief ---------------------------------------------------------------------------


def has_partnership(practice: "Practice") -> bool:
    return any(t in practice.tables for t in PARTNERSHIP_TABLES)


def partnership_brief(practice: "Practice", period: Period) -> dict[str, Any]:
    """The partnership's state at the period end: key metrics (formatted), shared strengths,
    shared gaps, perception gaps and the proposed focus areas (labels), the assessment date."""
    from dyad_lib.metrics.compute import compute_metrics, metric_def
    from dyad_lib.partnership.assessment import areas_in, assessment_view, focus_areas

    ids = ["dyad_alignment", "dyad_health", "meeting_adherence_monthly", "meeting_adherence_quarterly",
           "action_items_done_on_time", "action_items_overdue", "conflicts_open", "staff_enps", "burnout_rate"]
    vals = compute_metrics(practice, period, ids)
    when = period.description[:1].upper() + period.description[1:]  # every rate names its period
    rows = [{"Measure": metric_def(practice, m).label(practice.kind), when: fmt.figure(v.value, v.unit, m, period)}
            for m, v in vals.items() if v.value is not None]
    view = assessment_view(practice.tables.get("dyad_assessment"), period.last_day)
    labels = dict(zip(view["area"], view["label"])) if len(view) else {}

    def names(cls: str) -> list[str]:
        return [labels[a] for a in areas_in(view, cls)] if len(view) else []

    focus = focus_areas(view) if len(view) else pd.DataFrame()
    table = pd.DataFrame(rows, columns=["Measure", when], dtype=object)
    table.attrs["numeric"] = [when]
    from dyad_lib.partnership.choices import open_focus

    chosen = open_focus(practice.tables.get("focus_areas"), period.last_day)
    return {
        "metrics": table,
        "assessment_date": view.attrs.get("assessment_date") if len(view) else None,
        "shared_strengths": names("shared_strength"),
        "shared_gaps": names("shared_gap"),
        "perception_gaps": names("perception_gap"),
        "focus": list(focus["label"]) if len(focus) else [],
        "chosen": list(chosen["label"]),
    }


def partnership_sentences(brief: dict[str, Any]) -> list[str]:
    from dyad_lib.fmt import spell_date

    out = []
    if brief["assessment_date"] is not None:
        out.append(f"Latest partnership assessment: {spell_date(brief['assessment_date'])}.")

    def join(xs: list[str]) -> str:
        return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]

    def kind(xs: list[str], one: str, many: str) -> str:
        return one if len(xs) == 1 else many

    if brief["shared_strengths"]:
        xs = brief["shared_strengths"]
        out.append(f"Both partners rate {join(xs)} 4 or higher: {kind(xs, 'a shared strength', 'shared strengths')}.")
    if brief["shared_gaps"]:
        xs = brief["shared_gaps"]
        out.append(f"Both rate {join(xs)} 2 or lower: {kind(xs, 'a shared gap', 'shared gaps')}, where early wins are.")
    if brief["perception_gaps"]:
        xs = brief["perception_gaps"]
        out.append(f"They rate {join(xs)} two or more points apart: {kind(xs, 'a perception gap', 'perception gaps')}.")
    if brief.get("chosen"):
        out.append(f"The partners chose to work on {join(brief['chosen'])}.")
    if brief["focus"]:
        out.append(f"Proposed focus for the action plan: {join(brief['focus'])}.")
    return out
