"""Every metric of the registry for a practice and a period, and monthly series for trend charts.

`compute_metrics` returns one `MetricValue` per id: a number, or None with a reason a person can
act on (table absent, period outside the data, not enough history, empty denominator) — never a
zero for those, never an exception. Formulas live in small modules (financial, schedule and
surveys, patients) and work on monthly sums (components), so a period's ratio is the ratio of
its sums and `monthly_series` is the same formula applied to each month at once.
Partnership ids come from `dyad_lib.metrics.partnership`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np
import pandas as pd

from dyad_lib.metrics import financial as metrics_financial
from dyad_lib.metrics import medical as metrics_medical
from dyad_lib.metrics import patients as metrics_patients
from dyad_lib.metrics import schedule as metrics_schedule
from dyad_lib.data.contract import TABLES
from dyad_lib.metrics.components import MONTHLY_TABLES, Components, components, month_index
from dyad_lib.metrics.partnership import partnership_metrics, partnership_series
from dyad_lib.metrics.periods import Period, month_range
from dyad_lib.metrics.registry import PARTNERSHIP_IDS, QUALITY_PREFIX, REGISTRY, MetricDef, get
from dyad_lib.metrics.values import MetricValue, missing, value

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

__all__ = ["compute_metrics", "monthly_series", "practice_metric_ids", "metric_def"]


def metric_def(practice: "Practice", metric_id: str) -> MetricDef:
    """The registry entry, with quality measure names taken from the practice's data."""
    return get(metric_id, components(practice).measure_names)


def absent_table(practice: "Practice", metric_id: str) -> str | None:
    """The first table the metric needs that the practice does not deliver (None: all there) —
    what a report or a plan names instead of showing the metric as not computable."""
    return next((t for t in metric_def(practice, metric_id).tables if t not in practice.tables), None)


def practice_metric_ids(practice: "Practice") -> list[str]:
    """Every id that applies to this kind of practice, in registry order (quality ids from the
    data after the satisfaction ones), whether or not its tables are present."""
    comp = components(practice)
    ids = [k for k, d in REGISTRY.items() if d.applies(practice.kind)]
    q = [QUALITY_PREFIX + m for m in sorted(comp.measure_names)]
    cut = ids.index("patient_nps") if "patient_nps" in ids else len(ids)
    return ids[:cut] + q + ids[cut:]


# --- guards shared by a period and a series -----------------------------------------------------


def _no_table_reason(table: str) -> str:
    t = TABLES[table]
    return f"no {table} table ({t.collects or t.enables})"


def _window_reason(comp: Components, start: pd.Timestamp, end: pd.Timestamp) -> str | None:
    if comp.fin_start is None:
        return "no financials"
    if start < comp.fin_start or end > comp.fin_end:
        return (f"the data cover {comp.fin_start:%Y-%m} … {comp.fin_end:%Y-%m}; "
                f"{{period}} runs {start:%Y-%m} … {end:%Y-%m}")
    return None


def _static_guard(d: MetricDef, practice: "Practice", comp: Components) -> str | None:
    if not d.applies(practice.kind):
        return f"not a measure for a {practice.kind} practice"
    for t in d.tables:
        if t not in comp.tables:
            return _no_table_reason(t)
    if d.id.startswith(QUALITY_PREFIX) and d.id[len(QUALITY_PREFIX):] not in comp.measure_names:
        return f"no quality measure '{d.id[len(QUALITY_PREFIX):]}' in the quality_measures table"
    return None


def _coverage_reason(d: MetricDef, frame: dict[str, np.ndarray], months: list[pd.Timestamp]) -> str | None:
    """A monthly table (financials, expenses, capacity) must have a row for every month."""
    for t in d.tables:
        if t in MONTHLY_TABLES:
            col = f"has_{t}"
            gaps = [m for m, h in zip(months, frame[col]) if h == 0] if col in frame else months
            if len(gaps):
                shown = ", ".join(f"{m:%Y-%m}" for m in gaps[:3]) + (" …" if len(gaps) > 3 else "")
                return f"no {t} rows for {shown}"
    return None


def _fmt(reason: str | None, period: Period) -> str:
    reason = reason or "not computable"
    return reason.replace("{period}", period.label).replace("{last}", f"{period.end:%Y-%m}")


def _partnership(practice: "Practice", period: Period) -> dict[str, MetricValue]:
    """The partnership ids (the partnership family), in the registry's order."""
    got = partnership_metrics(practice, period)
    return {k: got.get(k) or missing(k, REGISTRY[k].unit, "not computable") for k in PARTNERSHIP_IDS}


def _partnership_series(practice: "Practice", months: pd.DatetimeIndex) -> pd.DataFrame:
    """The partnership ids month by month (computed once for all of them)."""
    return partnership_series(practice, months).reindex(columns=list(PARTNERSHIP_IDS))


def _evaluate(rows: pd.DataFrame, comp: Components) -> dict:
    out = metrics_financial.evaluate(rows, comp)
    out.update(metrics_schedule.evaluate(rows, comp))
    out.update(metrics_medical.evaluate(rows, comp))
    return out


# --- one period -------------------------------------------------------------------------------


def compute_metrics(practice: "Practice", period: Period,
                    ids: Iterable[str] | None = None) -> dict[str, MetricValue]:
    """Every requested metric (default: every id that applies to the practice's kind) for `period`."""
    comp = components(practice)
    wanted = list(ids) if ids is not None else practice_metric_ids(practice)
    defs = {mid: get(mid, comp.measure_names) for mid in wanted}  # KeyError for an unknown id
    out: dict[str, MetricValue] = {}
    if any(mid in PARTNERSHIP_IDS for mid in wanted):
        part = _partnership(practice, period)
    months = period.months
    window = _window_reason(comp, period.start, period.end)
    frame = comp.frame(months)
    rows = comp.period_row(months)
    formulas = _evaluate(rows, comp)
    patients = None
    for mid, d in defs.items():
        if mid in PARTNERSHIP_IDS:
            out[mid] = part[mid]
            continue
        reason = _static_guard(d, practice, comp) or window or _coverage_reason(d, frame, months)
        if reason is None:
            if mid in metrics_patients.IDS:
                if patients is None:
                    s, e = month_index([period.start, period.end])
                    patients = metrics_patients.evaluate(comp, int(s), int(e))
                v, reason = patients[mid]
                if v is not None:
                    out[mid] = value(mid, v, d.unit)
                    continue
            elif mid in formulas:
                vals, why = formulas[mid]
                v = vals[0]
                if not np.isnan(v):
                    out[mid] = value(mid, float(v), d.unit)
                    continue
                reason = why if isinstance(why, str) else why[0]
            else:
                reason = "not computable from these tables"
        out[mid] = missing(mid, d.unit, _fmt(reason, period))
    return out


# --- monthly series -----------------------------------------------------------------------------


def monthly_series(practice: "Practice", ids: Iterable[str], start: str | pd.Timestamp,
                   end: str | pd.Timestamp) -> pd.DataFrame:
    """One row per month start..end (index: month starts), one column per id; NaN where the
    metric is not computable. Grouped by month once; equal to `compute_metrics` per month."""
    comp = components(practice)
    ids = list(ids)
    months = month_range(pd.Timestamp(start), pd.Timestamp(end))
    idx = pd.DatetimeIndex(months, name="month")
    frame = comp.frame(months)
    formulas = _evaluate(frame, comp)
    out = pd.DataFrame(index=idx)
    in_window = pd.Series([_window_reason(comp, m, m) is None for m in months], index=idx)
    pat_cache: dict[int, dict] = {}
    part: pd.DataFrame | None = None  # every partnership id, computed once for all months
    for mid in ids:
        d = get(mid, comp.measure_names)
        if mid in PARTNERSHIP_IDS:
            if part is None:
                part = _partnership_series(practice, idx)
            out[mid] = part[mid].to_numpy(dtype=float)
            continue
        if _static_guard(d, practice, comp) is not None:
            out[mid] = np.nan
            continue
        ok = in_window.to_numpy().copy()
        for t in d.tables:
            if t in MONTHLY_TABLES:
                col = f"has_{t}"
                ok &= (frame[col] > 0) if col in frame else False
        if mid in metrics_patients.IDS:
            vals = []
            for m in months:
                i = int(month_index([m])[0])
                if i not in pat_cache:
                    pat_cache[i] = metrics_patients.evaluate(comp, i, i)
                v = pat_cache[i][mid][0]
                vals.append(np.nan if v is None else v)
            series = pd.Series(vals, index=idx, dtype=float)
        elif mid in formulas:
            series = pd.Series(formulas[mid][0], index=idx, dtype=float)
        else:
            series = pd.Series(np.nan, index=idx)
        out[mid] = series.where(ok)
    return out


