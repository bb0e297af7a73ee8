"""The monthly financial review's numbers, assembled for the notebook (reports.md §2).

The first source article asks for visual financial summaries of what the doctor cares about,
reviewed monthly and tied to clinical decisions, because the doctor and the manager read the same
numbers differently. So the headline is shown twice: production (the work done, the clinical
lead's view) and cash and costs (what was collected and spent, the business lead's view), each
figure with the month's goal, the same month last year and the year to date against the phased
goal. Every value comes from `compute_metrics` / `monthly_series` / `breakdown`; goals come from
goals.yaml via `dyad_lib.goals`. This module only arranges them and words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from dyad_lib import fmt
from dyad_lib.metrics.periods import Period, add_months, fiscal_year_of

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

#: Headline ids, by the partner whose view they are (production: clinical; cash and costs: business).
PRODUCTION_IDS = ("gross_production", "net_production")
CASH_IDS = ("collections", "collection_ratio", "overhead_ratio", "operating_margin")
HEADLINE_IDS = PRODUCTION_IDS + CASH_IDS
#: goals.yaml phases these three money measures by month; ratios use the year's KPI target.
PHASED = ("collections", "net_production", "gross_production")
CLINICAL_IDS = ("case_acceptance_value", "case_acceptance_count", "chair_utilization", "production_per_chair_hour",
                "hygiene_production_share", "production_per_hygiene_hour", "no_show_rate", "pre_appointment_rate",
                "visits_completed", "new_patients", "visits_per_physician_day", "collections_per_visit",
                "late_cancellation_rate", "new_patient_share")
#: The receivables and, in a medical practice, the billing behind them (charge lag, denials, payer mix).
AR_IDS = ("ar_balance", "ar_over_90_share", "ar_days", "charge_lag_days", "denial_rate", "patient_collections_share")
NO_GOALS = "no goals set"


# --- words that depend on the kind of practice --------------------------------------------------

ROLE_WORDS = {
    "dental": {"clinical": "dentist", "business": "office manager", "chair": "chair", "providers": "dentists and hygienists",
               "production": "Production", "chair_time": "chair time", "is": "is", "does": "does"},
    "medical": {"clinical": "physician", "business": "practice administrator", "chair": "exam room",
                "providers": "physicians", "production": "Charges", "chair_time": "exam-room time", "is": "are",
                "does": "do"},
}


def words(practice: "Practice") -> dict[str, str]:
    return ROLE_WORDS.get(practice.kind, ROLE_WORDS["dental"])


def intro(practice: "Practice") -> str:
    """The 'two views' paragraph in the practice's own words (plain text; escape on output)."""
    w = words(practice)
    cfg = practice.config
    clinical = f"the {w['clinical']}" + (f", {cfg.clinical_lead}," if cfg.clinical_lead else "")
    business = f"the {w['business']}" + (f", {cfg.business_lead}," if cfg.business_lead else "")
    prod = w["production"].lower()
    return (f"The same month read two ways. {w['production']} is the work done in the {w['chair']}, the number "
            f"{clinical} steers; cash and costs are what came in and what went out, the numbers {business} "
            f"manages. Each figure shows the month's goal, the same month last year, and the year to date "
            f"against the goal phased to date. Both views matter: {prod} that {w['is']} not collected "
            f"{w['does']} not pay the bills, and collections follow the {prod} of earlier months.")


def view_title(practice: "Practice", view: str) -> str:
    """The heading of one half of the headline: the clinical lead's production view or the business
    lead's cash-and-costs view, with the partner's name when practice.yaml gives it."""
    w = words(practice)
    if view == "production":
        title, name = f"{w['production']}: the {w['clinical']}'s view", practice.config.clinical_lead
    else:
        title, name = f"Cash and costs: the {w['business']}'s view", practice.config.business_lead
    return f"{title} ({name})" if name else title


def label(practice: "Practice", metric_id: str) -> str:
    from dyad_lib.metrics.compute import metric_def

    return metric_def(practice, metric_id).label(practice.kind)


def month_period(practice: "Practice", period: str) -> Period:
    """The review month; any other period kind is a clear error (the review is monthly)."""
    from dyad_lib.metrics.periods import parse_period

    p = parse_period(period, practice.config.fiscal_year_start_month)
    if p.kind != "month":
        raise ValueError(f"the monthly review takes a month like 2026-09, not '{period}'")
    return p


def load_goals(practice: "Practice", data_dir: Any = None) -> dict[str, Any]:
    """goals.yaml of the practice ({} when there is none: the report says "no goals set")."""
    from dyad_lib.goals.store import load_goals as _load

    return _load(practice.practice_id, data_dir)


def fiscal_year_label(month: Period) -> str:
    return f"FY{fiscal_year_of(month.end, month.fy_start_month)}"


def kpi_target(goals: Mapping[str, Any] | None, month: Period, metric_id: str) -> float | None:
    """The year's KPI target for a ratio (goals.yaml kpi_targets of the month's fiscal year)."""
    entry = (goals or {}).get(fiscal_year_label(month)) or {}
    t = (entry.get("kpi_targets") or {}).get(metric_id) or {}
    v = t.get("target")
    return None if v is None else float(v)


def has_goals_for(goals: Mapping[str, Any] | None, month: Period) -> bool:
    from dyad_lib.goals.lines import monthly_goal

    return monthly_goal(goals, month.end) is not None


# --- headline ------------------------------------------------------------------------------------


def headline(practice: "Practice", month: Period, goals: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per headline metric: the month's value, its goal, the same month last year, the
    year to date and the phased goal to date (columns named so; NaN where there is none)."""
    from dyad_lib.goals.lines import monthly_goal, ytd_goal
    from dyad_lib.metrics.compute import compute_metrics

    ids = list(HEADLINE_IDS)
    now = compute_metrics(practice, month, ids)
    ago = compute_metrics(practice, month.year_earlier(), ids)
    ytd_p = month.view("ytd")
    ytd = compute_metrics(practice, ytd_p, ids)
    ytd_ago = compute_metrics(practice, ytd_p.year_earlier(), ids)
    rows = []
    for mid in ids:
        if mid in PHASED:
            g_month, g_ytd = monthly_goal(goals, month.end, mid), ytd_goal(goals, month.end, mid)
        else:
            g_month = g_ytd = kpi_target(goals, month, mid)
        rows.append({
            "id": mid, "label": label(practice, mid), "unit": now[mid].unit,
            "view": "production" if mid in PRODUCTION_IDS else "cash",
            "value": now[mid].value, "reason": now[mid].reason, "goal": g_month,
            "last_year": ago[mid].value, "ytd": ytd[mid].value, "ytd_goal": g_ytd, "ytd_last_year": ytd_ago[mid].value,
        })
    df = pd.DataFrame(rows)
    for c in ("value", "goal", "last_year", "ytd", "ytd_goal", "ytd_last_year"):
        df[c] = df[c].astype("float64")
    df.attrs["ytd_label"] = ytd_p.label
    df.attrs["ytd_months"] = ytd_p.n_months
    return df


def _vs(x: float, ref: float, unit: str) -> str:
    """'−9.7%' for money (relative), '−1.2 pts' for ratios, consistent with the printed values."""
    return fmt.versus(x, ref, unit)


def headline_tiles(practice: "Practice", month: Period, df: pd.DataFrame, view: str,
                   goals: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Tiles (label, value, note, tone) for one view ('production' or 'cash'); the note's lines name
    the goal, the same month last year and the year to date against its phased goal. Each value
    is a `fmt.Figure` (metric id, period, unrounded value). Tiles take the colour of the partner
    whose view they are."""
    ago_p, ytd_p = month.year_earlier(), month.view("ytd")
    ly = f"{ago_p.start:%b %Y}"
    goals_set = has_goals_for(goals, month)
    tone = "clinical" if view == "production" else "business"
    out = []
    for r in df[df["view"] == view].itertuples():
        if np.isnan(r.value):
            out.append({"label": r.label, "value": fmt.DASH, "note": r.reason or "not available", "tone": ""})
            continue
        lines: list[Any] = []
        goal_word = "Target" if r.unit == "ratio" else "Goal"
        if not np.isnan(r.goal):
            lines.append(f"{goal_word} {fmt.number(r.goal, r.unit)} ({_vs(r.value, r.goal, r.unit)})")
        else:
            lines.append(f"{goal_word}: {NO_GOALS if not goals_set else 'none set for this measure'}")
        if not np.isnan(r.last_year):
            lines.append(fmt.say("{when}: {x} ({vs})", when=ly, x=fmt.figure(r.last_year, r.unit, r.id, ago_p),
                                 vs=_vs(r.value, r.last_year, r.unit)))
        if not np.isnan(r.ytd):
            ytd = fmt.say("Year to date {x}", x=fmt.figure(r.ytd, r.unit, r.id, ytd_p))
            if not np.isnan(r.ytd_goal):
                word = "phased goal" if r.unit != "ratio" else "target"
                ytd += f" vs {word} {fmt.number(r.ytd_goal, r.unit)} ({_vs(r.ytd, r.ytd_goal, r.unit)})"
            lines.append(ytd)
        out.append({"label": r.label, "value": fmt.figure(r.value, r.unit, r.id, month),
                    "note": fmt.joined("\n", lines), "tone": tone})
    return out


# --- progress to the annual collection goal ------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    fiscal_year: str
    annual_goal: float
    ytd_actual: float
    ytd_goal: float
    remaining: float
    months_left: int
    pace_needed: float | None  # per remaining month
    pace_so_far: float  # average per month so far
    working_days_left: float
    ytd_period: Period | None = None

    @property
    def gap(self) -> float:
        return self.ytd_actual - self.ytd_goal

    def text(self):
        side = "ahead of" if self.gap >= 0 else "behind"
        actual = fmt.figure(self.ytd_actual, "money", "collections", self.ytd_period) if self.ytd_period else \
            fmt.money(self.ytd_actual)
        s = fmt.say("{fy} collection goal {goal}: {x} collected so far, {gap} {side} the phased goal of {ytd} "
                    "({share} of the year's goal).", fy=self.fiscal_year, goal=fmt.money(self.annual_goal), x=actual,
                    gap=fmt.money(abs(self.gap)), side=side, ytd=fmt.money(self.ytd_goal),
                    share=fmt.percent(self.ytd_actual / self.annual_goal))
        if self.months_left and self.pace_needed is not None:
            change = self.pace_needed / self.pace_so_far - 1 if self.pace_so_far else None
            s += (f" The remaining {fmt.money(self.remaining)} over {self.months_left} month"
                  f"{'s' if self.months_left != 1 else ''} needs {fmt.money(self.pace_needed)} a month")
            if change is not None:
                s += f", {fmt.percent(abs(change))} {'more' if change > 0 else 'less'} than the "
                s += f"{fmt.money(self.pace_so_far)} a month collected so far this year"
            s += "."
        else:
            s += " This is the last month of the fiscal year."
        return s


def goal_progress(practice: "Practice", month: Period, goals: Mapping[str, Any] | None) -> GoalProgress | None:
    """YTD collections against the phased goal and the monthly pace now needed; None without goals."""
    from dyad_lib.goals.lines import pace_needed, ytd_goal
    from dyad_lib.metrics.compute import compute_metrics

    ytd_p = month.view("ytd")
    actual = compute_metrics(practice, ytd_p, ["collections"])["collections"].value
    goal = ytd_goal(goals, month.end)
    if actual is None or goal is None:
        return None
    pace = pace_needed(goals, month.end, actual)
    if pace is None:
        return None
    months_left = int(pace["months_left"])
    return GoalProgress(fiscal_year_label(month), pace["annual_goal"], actual, goal, pace["remaining"], months_left,
                        pace["per_month"] if months_left else None, actual / ytd_p.n_months,
                        float(pace["working_days_left"]), ytd_p)


def goal_progress_frame(progress: GoalProgress) -> pd.DataFrame:
    """Bars for the progress chart: collected so far, phased goal to date, the whole year's goal."""
    ytd = progress.ytd_period.label if progress.ytd_period is not None else None
    return pd.DataFrame({
        "item": ["Collected so far", "Phased goal to date", f"{progress.fiscal_year} goal"],
        "value": [progress.ytd_actual, progress.ytd_goal, progress.annual_goal],
        "metric": ["collections", None, None], "period": [ytd, None, None],
    })


# --- trends ----------------------------------------------------------------------------------------


def trend_frame(practice: "Practice", month: Period, goals: Mapping[str, Any] | None = None,
                months: int = 13) -> pd.DataFrame:
    """Long frame (month, series, value, goal) of net production and collections for the
    `months` months ending with the review month; `goal` is the phased collection goal (NaN where
    none is set). Months before the data starts are left out."""
    from dyad_lib.goals.lines import goal_line
    from dyad_lib.metrics.compute import monthly_series

    start = add_months(month.end, -(months - 1))
    s = monthly_series(practice, ["gross_production", "net_production", "collections"], start, month.end)
    s = s.dropna(how="all")
    names = {mid: label(practice, mid) for mid in ("gross_production", "net_production", "collections")}
    long = (s.reset_index().melt(id_vars="month", var_name="metric", value_name="value").dropna(subset=["value"]))
    long["series"] = long["metric"].map(names)
    long["period"] = long["month"].dt.strftime("%Y-%m")
    g = goal_line(goals, start, month.end)
    long["goal"] = long["month"].map(g).astype("float64")
    long.attrs["has_goal"] = bool(g.notna().any())
    return long.reset_index(drop=True)


# --- overhead ---------------------------------------------------------------------------------------


def overhead_frame(practice: "Practice", period: Period) -> pd.DataFrame:
    """Overhead categories as a share of collections with their bands (highest share first)."""
    from dyad_lib.metrics.breakdown import breakdown

    b = breakdown(practice, period, "category")
    b = b[b["overhead"].astype(bool)].copy()
    b["name"] = b["label"].str.replace("Overhead: ", "", regex=False).str.capitalize()
    b = b.dropna(subset=["share_of_collections"])
    b["metric"] = "overhead_ratio_" + b["category"]
    b["period"] = period.label
    b["value"] = b["share_of_collections"]
    return b.sort_values("share_of_collections", ascending=False).reset_index(drop=True)


def overhead_table(practice: "Practice", month: Period) -> pd.DataFrame:
    """The month and the year to date per category: amount, share of collections (each share a
    `fmt.Figure` of its `overhead_ratio_<category>` metric), band, position."""
    from dyad_lib.metrics import benchmarks

    m = overhead_frame(practice, month)
    ytd_p = month.view("ytd")
    y = overhead_frame(practice, ytd_p).set_index("category")
    bands = [benchmarks.bands_figure(benchmarks.for_period(practice, month, f"overhead_ratio_{c}"), month)
             for c in m["category"]]
    out = pd.DataFrame({  # object columns: each cell keeps its fmt.Figure
        "Category": m["name"].astype(object),
        "This month": [fmt.money(x) for x in m["amount"]],
        "Share of collections": [fmt.figure(x, "ratio", f"overhead_ratio_{c}", month)
                                 for x, c in zip(m["share_of_collections"], m["category"])],
        "Year to date share": [fmt.figure(y["share_of_collections"].get(c), "ratio", f"overhead_ratio_{c}", ytd_p)
                               for c in m["category"]],
        "Band": bands,
        "Where": [w if isinstance(w, str) else
                  ("no band published for medical practices" if practice.kind == "medical" else "no band")
                  for w in m["where"]],
    }, dtype=object)
    out.attrs["numeric"] = ["This month", "Share of collections", "Year to date share"]
    return out


@dataclass(frozen=True)
class _Band:
    low: float | None
    high: float | None

    def __post_init__(self):
        object.__setattr__(self, "low", None if self.low is None or pd.isna(self.low) else float(self.low))
        object.__setattr__(self, "high", None if self.high is None or pd.isna(self.high) else float(self.high))


# --- the clinical side of the money ----------------------------------------------------------------


def metric_rows(practice: "Practice", period: Period, ids: tuple[str, ...] | list[str],
                goals: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """A small table: metric, this period, the same period last year, every benchmark band of this
    kind of practice on the value's basis (typical and top performers) and where the value sits —
    for metrics that apply to this kind of practice; missing values show their reason. Values and
    bands are `fmt.Figure`s (metric id, period, unrounded value; the band's kind and basis)."""
    from dyad_lib.metrics import benchmarks
    from dyad_lib.metrics.compare import compare

    ids = [i for i in ids if _applies(practice, i)]
    c = compare(practice, period, ids)
    ago = period.year_earlier()
    rows = []
    for r in c.itertuples():
        value = (fmt.figure(r.value, r.unit, r.id, period) if not pd.isna(r.value)
                 else fmt.figure(None, r.unit, r.id, period, text=f"— ({r.reason})"))
        rows.append({"Measure": r.label, "This period": value,
                     "Same period last year": fmt.figure(r.year_ago, r.unit, r.id, ago),
                     "Benchmark": benchmarks.bands_figure(r.bands, period),
                     "Where": r.where if isinstance(r.where, str) else "—"})
    out = pd.DataFrame(rows, columns=["Measure", "This period", "Same period last year", "Benchmark", "Where"],
                       dtype=object)
    out.attrs["numeric"] = ["This period", "Same period last year"]
    return out


def where_text(position: str | None, metric_id: str, practice: "Practice") -> str:
    """Where a value sits against its band, with the direction that is better spelled out (a
    band without tier: for callers that have only a position; `compare` gives `where`)."""
    from dyad_lib.metrics.compute import metric_def

    if position not in ("above", "below", "within"):
        return "—"
    if position == "within":
        return "within the band"
    better = metric_def(practice, metric_id).better
    favourable = (position == "above") == (better == "up")
    if favourable:
        return f"{position} the band (better)"
    return f"{position} the band ({'higher' if better == 'up' else 'lower'} is better)"


def _applies(practice: "Practice", metric_id: str) -> bool:
    from dyad_lib.metrics.compute import metric_def

    return metric_def(practice, metric_id).applies(practice.kind)


ROLE_NAMES = {"dentist": "Dentist", "hygienist": "Hygienist", "physician": "Physician",
              "nurse_practitioner": "Nurse practitioner", "physician_assistant": "Physician assistant",
              "other": "Other"}


def provider_table(practice: "Practice", period: Period) -> pd.DataFrame:
    """Production, production per hour in the chair, visits, no-shows and case acceptance per
    provider (when treatment plans are delivered), by name (the providers table) and role,
    hygienists after the dentists; providers with nothing in the period are left out."""
    from dyad_lib.metrics.breakdown import breakdown

    b = breakdown(practice, period, "provider")
    b = b[b["production"].notna() | b["visits_completed"].notna()]
    b = b[~((b["role"] == "other") & b["production"].fillna(0).eq(0) & b["visits_completed"].isna())]
    total = b["production"].sum()
    w = words(practice)
    from_financials = (b["production_source"] == "financials (net production)").any()
    prod = production_label(practice, from_financials)
    cols = {
        "Provider": b["name"],
        prod: [fmt.money(x) for x in b["production"]],
        "Share": [fmt.percent(x / total) if total and not pd.isna(x) else fmt.DASH for x in b["production"]],
        f"Visit fees per {w['chair']} hour": [fmt.money_per_hour(x) for x in b["production_per_hour"]],
        "Visits": [fmt.count(x) for x in b["visits_completed"]],
        "No-shows": [fmt.percent(x) for x in b["no_show_rate"]],
        fmt.vocabulary("Case acceptance", practice.kind): [fmt.percent(x) for x in b["case_acceptance_value"]],
    }
    if "treatment_plans" not in practice.tables:  # a column of dashes: the section says the table is missing
        cols.pop(fmt.vocabulary("Case acceptance", practice.kind))
    if b["role"].notna().any():
        cols = {"Provider": cols.pop("Provider"), "Role": [ROLE_NAMES.get(r, fmt.DASH) for r in b["role"]], **cols}
    out = pd.DataFrame(cols).reset_index(drop=True)
    out.attrs["numeric"] = [c for c in out.columns if c not in ("Provider", "Role")]
    return out


def production_label(practice: "Practice", from_financials: bool) -> str:
    """One name per basis: net production (financials, after adjustments) or the gross fees of the
    completed visits (appointments) — never plain "Production" for both in one section."""
    w = words(practice)
    if from_financials:
        return f"Net {w['production'].lower()}"
    return "Visit fees (gross)"


def provider_note(practice: "Practice", period: Period) -> str | None:
    """A sentence for providers with completed visits but no production of their own in per-provider
    financials: their work is billed under another provider's number (often a hygienist under the
    dentist), so the table's hourly figure comes from their visits."""
    from dyad_lib.metrics.breakdown import breakdown

    b = breakdown(practice, period, "provider")
    if not (b["production_source"] == "financials (net production)").any():
        return None
    odd = b[(b["visits_completed"].fillna(0) > 0) & b["production"].fillna(0).eq(0)]
    if odd.empty:
        return None
    names = ", ".join(odd["name"].astype(str))
    usual = ("hygiene is often billed under the dentist's" if practice.kind == "dental" else
             "a nurse practitioner's visits are often billed under the supervising physician's")
    return fmt.vocabulary(f"{names}: completed visits but no production of their own in the financials — the practice "
                          f"system books this work under another provider's number ({usual}); the per-hour figure "
                          "comes from the visits' production.", practice.kind)


def provider_production_frame(practice: "Practice", period: Period) -> pd.DataFrame:
    """Production per provider for the bar chart, labelled by name (never a bare code when the
    practice names its providers)."""
    from dyad_lib.metrics.breakdown import breakdown

    b = breakdown(practice, period, "provider").dropna(subset=["production"])
    b = b[~((b["role"] == "other") & b["production"].eq(0))]
    out = b[["name", "production"]].rename(columns={"name": "provider"}).reset_index(drop=True)
    out.attrs["label"] = production_label(practice, (b["production_source"] == "financials (net production)").any())
    return out


VISIT_TYPE_NAMES = {"hygiene": "Hygiene", "exam": "Exam", "restorative": "Restorative", "new_patient": "New patient",
                    "procedure": "Procedure", "other": "Other"}


def visit_type_table(practice: "Practice", period: Period) -> pd.DataFrame:
    from dyad_lib.metrics.breakdown import breakdown

    b = breakdown(practice, period, "visit_type")
    b = b[b["visits_completed"].notna() & (b["visits_completed"] > 0)]
    total = b["production"].sum()
    w = words(practice)
    out = pd.DataFrame({
        "Visit type": [VISIT_TYPE_NAMES.get(v, v) for v in b["visit_type"]],
        "Visits completed": [fmt.count(x) for x in b["visits_completed"]],
        production_label(practice, False): [fmt.money(x) for x in b["production"]],
        "Share of visit fees": [fmt.percent(x / total) if total and not pd.isna(x) else fmt.DASH
                                for x in b["production"]],
        f"Share of {w['chair_time']}": [fmt.percent(x) for x in b["chair_minutes_share"]],
        "No-show rate": [fmt.percent(x) for x in b["no_show_rate"]],
    }).reset_index(drop=True)
    out.attrs["numeric"] = list(out.columns[1:])
    return out


# --- A/R ----------------------------------------------------------------------------------------------


def ar_frame(practice: "Practice", month: Period, months: int = 13) -> pd.DataFrame:
    """A/R at each month end split into up to 90 days and over 90 days (long: month, age, value)."""
    from dyad_lib.metrics.compute import monthly_series

    start = add_months(month.end, -(months - 1))
    s = monthly_series(practice, ["ar_balance", "ar_over_90_share"], start, month.end).dropna(subset=["ar_balance"])
    over = s["ar_balance"] * s["ar_over_90_share"]
    df = pd.DataFrame({"Up to 90 days": s["ar_balance"] - over, "Over 90 days": over}, index=s.index)
    df = df.dropna()
    return df.reset_index().melt(id_vars="month", var_name="age", value_name="value")


def has_ar(practice: "Practice", month: Period) -> bool:
    from dyad_lib.metrics.compute import compute_metrics

    return compute_metrics(practice, month, ["ar_balance"])["ar_balance"].value is not None


def table(df: pd.DataFrame, caption: str | None = None):
    """`report.html_table` with the frame's formatted number columns right-aligned."""
    from dyad_lib.reports.blocks import html_table

    return html_table(df, numeric=df.attrs.get("numeric", []), caption=caption)


# --- the numbers a report shows, for tests and the `dyad metrics` cross-check ------------------------

METRICS_MIME = "application/vnd.dyad.metrics+json"


def metrics_bundle(practice: "Practice", period: Period, ids) -> dict[str, Any]:
    """The `dyad metrics --json` document restricted to `ids` (same function, same format), to be
    displayed as a `application/vnd.dyad.metrics+json` output the tests compare with the CLI."""
    from dyad_lib.metrics.payload import metrics_payload
    from dyad_lib.metrics.compute import compute_metrics

    wanted = [i for i in dict.fromkeys(ids) if _applies(practice, i)]
    return metrics_payload(practice, period, compute_metrics(practice, period, wanted))


def emit_metrics(practice: "Practice", period: Period, ids) -> None:
    """Display the metrics bundle as a machine-readable output (hidden in the HTML report)."""
    from IPython.display import display

    display({METRICS_MIME: metrics_bundle(practice, period, ids)}, raw=True)
