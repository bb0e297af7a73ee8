"""Charts of the annual goal: the ledger as a waterfall and the monthly phasing with working days.

The frames are built from the GoalPlan (no arithmetic beyond stacking the ledger's own amounts);
the look comes from dyad_lib.charts (call `charts.setup()` first).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dyad_lib.reports.charts import CATEGORY, GOAL, HEIGHT, SERIES, WIDTH
from dyad_lib.goals.inputs import CATEGORY_LABELS
from dyad_lib.goals.realism import Check
from dyad_lib.goals.ledger import Ledger
from dyad_lib.goals.plan import words

_KIND_COLORS = {"Overhead": CATEGORY[1], "Owners, debt, profit": CATEGORY[3], "Goal": CATEGORY[0],
                "Ratio and adjustments": CATEGORY[5]}


def waterfall_frame(ledger: Ledger, kind: str = "dental") -> pd.DataFrame:
    """One bar per ledger step: each cost stacks on the previous ones up to the collection goal,
    then the collection ratio and the adjustments lift it to the net and gross production goals.
    Columns: order, label, start, end, amount, kind."""
    rows = []
    steps = ledger.rows.set_index("step")
    cum = 0.0

    def add(label: str, amount: float, kind: str, total: bool = False) -> None:
        nonlocal cum
        start = 0.0 if total else cum
        end = amount if total else cum + amount
        rows.append({"order": len(rows), "label": label, "start": start, "end": end, "amount": amount, "kind": kind})
        cum = end

    for step, r in steps.iterrows():
        if step.startswith("overhead.") and r["amount"]:
            add(r["label"], float(r["amount"]), "Overhead")
    for step in ("owner_compensation", "debt_service", "profit_target"):
        amount = float(steps.loc[step, "amount"])
        if amount:
            add(steps.loc[step, "label"].lstrip("+ "), amount, "Owners, debt, profit")
    add("Collection goal", ledger.collection_goal, "Goal", total=True)
    add("Not collected (ratio)", ledger.net_production_goal - ledger.collection_goal,
        "Ratio and adjustments")
    add("Net production goal", ledger.net_production_goal, "Goal", total=True)
    add("Adjustments", ledger.gross_production_goal - ledger.net_production_goal, "Ratio and adjustments")
    add("Gross production goal", ledger.gross_production_goal, "Goal", total=True)
    df = pd.DataFrame(rows)
    df["label"] = [words(x, kind) for x in df["label"]]
    return df


def waterfall(ledger: Ledger, title: str = "How the goal is built", kind: str = "dental") -> alt.Chart:
    df = waterfall_frame(ledger, kind)
    order = list(df["label"])
    scale = alt.Scale(domain=list(_KIND_COLORS), range=list(_KIND_COLORS.values()))
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-35, labelLimit=160)),
        y=alt.Y("start:Q", title=None, axis=alt.Axis(format="$,.2s")),
        y2="end:Q",
        color=alt.Color("kind:N", title=None, scale=scale),
        tooltip=[alt.Tooltip("label:N", title="Step"), alt.Tooltip("amount:Q", title="Amount", format="$,.0f"),
                 alt.Tooltip("end:Q", title="Running total", format="$,.0f")],
    ).properties(title=title, width=WIDTH, height=HEIGHT + 60)


def phasing_chart(phasing: pd.DataFrame, measure: str = "collections",
                  title: str = "Monthly goal: working days × seasonality") -> alt.LayerChart:
    """Bars of the monthly goal, each labelled with its planned working days."""
    df = phasing[["month", measure, "working_days"]].rename(columns={measure: "goal"}).copy()
    df["days_label"] = df["working_days"].map(lambda d: f"{d:g} d")
    x = alt.X("month:O", title=None, timeUnit="yearmonth", axis=alt.Axis(format="%b %Y", labelAngle=0))
    bars = alt.Chart(df).mark_bar(color=SERIES.get(measure, CATEGORY[0])).encode(  # the measure's own colour
        x=x, y=alt.Y("goal:Q", title=None, axis=alt.Axis(format="$,.2s")),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("goal:Q", title="Goal", format="$,.0f"),
                 alt.Tooltip("working_days:Q", title="Working days")])
    text = alt.Chart(df).mark_text(dy=-7, color=GOAL, fontSize=11).encode(x=x, y="goal:Q", text="days_label:N")
    return alt.layer(bars, text).properties(title=title, width=WIDTH, height=HEIGHT)


def seasonality_chart(index: pd.Series, fy_start_month: int = 1,
                      title: str = "Seasonality: production per working day by month") -> alt.Chart:
    """The practice's seasonal index by calendar month in fiscal-year order (1.0 = an average day)."""
    order = [(fy_start_month - 1 + k) % 12 + 1 for k in range(12)]
    df = pd.DataFrame({"month": [pd.Timestamp(2000, m, 1).strftime("%b") for m in order],
                       "index": [float(index.get(m, 1.0)) for m in order]})
    return alt.Chart(df).mark_bar(color=SERIES["net_production"]).encode(  # the index is of net production
        x=alt.X("month:N", sort=list(df["month"]), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("index:Q", title="× an average day", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("month:N"), alt.Tooltip("index:Q", format=".3f")],
    ).properties(title=title, width=WIDTH, height=HEIGHT - 60)


def category_label(category: str) -> str:
    """'Staff wages' for staff_wages (owner_compensation and debt_service too)."""
    return CATEGORY_LABELS.get(category) or category.replace("_", " ").capitalize()


#: The history chart's series, by metric id.
HISTORY_SERIES = {"gross_production": "Gross production", "net_production": "Net production",
                  "collections": "Collections"}


def history_trend(monthly: pd.DataFrame | None, months: int = 24) -> pd.DataFrame:
    """Long frame (month, series, value, metric, period) of gross and net production and
    collections over the last `months` months of the history, for charts.trend."""
    if monthly is None or monthly.empty:
        return pd.DataFrame(columns=["month", "series", "value", "metric", "period"])
    names = HISTORY_SERIES
    tail = monthly.sort_values("month").tail(months)
    long = tail.melt(id_vars=["month"], value_vars=list(names), var_name="metric", value_name="value")
    long["series"] = long["metric"].map(names)
    long["period"] = pd.to_datetime(long["month"]).dt.strftime("%Y-%m")
    return long.dropna(subset=["value"])


def checks_frame(checks: list[Check] | list[dict]) -> pd.DataFrame:
    """The realism checks (Check objects, or their goals.yaml dicts) as a table (check, result, why)."""
    word = {"pass": "pass", "warn": "warning", "fail": "fail", "n/a": "not checked"}
    rows = [c.to_dict() if isinstance(c, Check) else dict(c) for c in checks]
    return pd.DataFrame([{"check": c.get("label"), "result": word.get(c.get("status"), c.get("status")),
                          "why": c.get("reason")} for c in rows])


def band_text(low: float | None, high: float | None, unit: str) -> str:
    """'97.0%–99.0%', '≈ 45.0%', '≤ 2.5%', '≥ 85.0%' or '' without a band."""
    from dyad_lib import fmt

    lo = None if low is None or pd.isna(low) else float(low)
    hi = None if high is None or pd.isna(high) else float(high)
    if lo is None and hi is None:
        return ""
    if lo is not None and hi is not None:
        return f"≈ {fmt.number(lo, unit)}" if lo == hi else f"{fmt.number(lo, unit)}–{fmt.number(hi, unit)}"
    return f"≤ {fmt.number(hi, unit)}" if lo is None else f"≥ {fmt.number(lo, unit)}"


def targets_frame(targets: pd.DataFrame, period: str | None = None, heading: str = "today (T12)") -> pd.DataFrame:
    """KPI targets for people: metric, the value they start from (the twelve months `period`, a
    `fmt.Figure` of that metric and period), target, the reference band (top performers where
    published, on a year's basis), how it was set."""
    from dyad_lib import fmt
    from dyad_lib.metrics import registry

    rows = []
    for r in targets.itertuples():
        try:
            unit = registry.get(r.metric).unit
        except KeyError:
            unit = "ratio"
        band = getattr(r, "band_text", "") or band_text(r.band_low, r.band_high, unit)
        rows.append({"metric": r.label, heading: fmt.figure(r.current, unit, r.metric, period),
                     "target": fmt.number(r.target, unit), "band": band, "how": r.how, "source": r.source})
    return pd.DataFrame(rows, dtype=object)


def whatif_chart(plan, title: str = "Monthly collection goal: the plan and the what-if") -> dict:
    """The what-if's phasing chart as a Vega-Lite spec (a dict) whose inline data is named
    'whatif': bars for the what-if, ticks for the plan. The page replaces the data in place."""
    rows = []
    for i, (m, x) in enumerate(zip(plan.phasing["month"], plan.phasing["collections"])):
        rows += [{"order": i, "month": f"{m:%b %Y}", "series": "What-if", "goal": float(x)},
                 {"order": i, "month": f"{m:%b %Y}", "series": "The plan", "goal": float(x)}]
    data = alt.InlineData(values=rows, name="whatif")
    order = [f"{m:%b %Y}" for m in plan.phasing["month"]]
    x = alt.X("month:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("goal:Q", title=None, axis=alt.Axis(format="$,.2s"))
    tip = [alt.Tooltip("month:N", title="Month"), alt.Tooltip("series:N", title=""),
           alt.Tooltip("goal:Q", title="Goal", format="$,.2f")]
    bars = alt.Chart(data).mark_bar(color=SERIES["collections"]).encode(x=x, y=y, tooltip=tip).transform_filter(
        alt.datum.series == "What-if")
    ticks = alt.Chart(data).mark_tick(color=GOAL, thickness=2, size=26).encode(x=x, y=y, tooltip=tip).transform_filter(
        alt.datum.series == "The plan")
    return alt.layer(bars, ticks).properties(title=alt.TitleParams(title, subtitle="bars: what-if · marks: the plan"),
                                             width=WIDTH - 80, height=HEIGHT - 40).to_dict()


def scenario_phasing_chart(plans: dict, title: str = "Monthly collection goal by scenario") -> alt.Chart:
    """Grouped bars: each scenario's monthly collection goal."""
    rows = []
    for name, plan in plans.items():
        for m, x in zip(plan.phasing["month"], plan.phasing["collections"]):
            rows.append({"month": f"{m:%b %Y}", "scenario": name, "goal": float(x)})
    df = pd.DataFrame(rows)
    order = list(dict.fromkeys(df["month"]))
    names = list(plans)
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("month:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("scenario:N", sort=names),
        y=alt.Y("goal:Q", title=None, axis=alt.Axis(format="$,.2s")),
        color=alt.Color("scenario:N", sort=names, title=None, scale=alt.Scale(domain=names, range=CATEGORY[:len(names)])),
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("goal:Q", title="Goal", format="$,.0f")],
    ).properties(title=title, width=WIDTH, height=HEIGHT)
