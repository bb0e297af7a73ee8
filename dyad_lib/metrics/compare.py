"""A metric value against the previous period, the same period a year earlier, a goal, and its
benchmark band (`dyad_lib.metrics.benchmarks`: the practice's own kind, on the value's basis, the
top performers' band where one is published), with a verdict that knows which direction is better.

Verdicts: `good` (on the favourable side of the goal or band, or inside the band), `watch` (on the
unfavourable side but within 10% of the bound, or, without goal or band, worse than the previous
period by more than 5%), `concern` (further on the unfavourable side), `steady` (no goal or band
and no marked change), None when the value is missing. A practice's own goal, when given, decides
before the published band (the goal is what the partners agreed to). Against a typical band (what
practices measure) the reason says "above typical", never "better than the benchmark".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np
import pandas as pd

from dyad_lib import fmt
from dyad_lib.metrics import benchmarks as bm
from dyad_lib.metrics.benchmarks import Benchmark
from dyad_lib.metrics.registry import MetricDef
from dyad_lib.metrics.values import MetricValue

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice
    from dyad_lib.metrics.periods import Period

#: Within this relative distance of a bound on the unfavourable side: "watch", beyond it "concern".
WATCH_MARGIN = 0.10
#: Without goal or band, a change worse than this (relative) is "watch".
TREND_MARGIN = 0.05
VERDICTS = ("good", "steady", "watch", "concern")
COLUMNS = ["id", "label", "value", "unit", "previous", "year_ago", "change", "change_year", "trend", "goal",
           "goal_gap", "band_low", "band_high", "band_kind", "band_tier", "band_applies_to", "band_per",
           "band_describes", "band_text", "band_label", "band_source", "bands", "position", "where", "verdict",
           "reason"]


@dataclass(frozen=True)
class Comparison:
    id: str
    label: str
    value: float | None
    unit: str
    previous: float | None = None
    year_ago: float | None = None
    change: float | None = None  # value − previous
    change_year: float | None = None  # value − year_ago
    trend: str | None = None  # better | worse | same (vs previous, as printed)
    goal: float | None = None
    goal_gap: float | None = None  # value − goal
    band_low: float | None = None  # the reference band, on the value's basis
    band_high: float | None = None
    band_kind: str | None = None  # benchmark | target
    band_tier: str | None = None  # typical | top
    band_applies_to: str | None = None  # dental | medical
    band_per: str | None = None  # the band's published basis (None: a rate)
    band_describes: str | None = None
    band_text: str | None = None  # '60–84 (20–28 per dentist per month × 3 dentists × 1 month)'
    band_label: str | None = None  # '75.0–83.0% (top performers: top decile)'
    band_source: str | None = None
    bands: tuple = ()  # every band of this kind of practice (Benchmark), typical first
    position: str | None = None  # below | within | above (the reference band)
    where: str | None = None  # the position in words, tier and better direction included
    verdict: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict:
        return asdict(self) | {"bands": self.bands}


def position(x: float | None, band) -> str | None:
    """Where x sits against the band: below / within / above (None without value or band)."""
    return bm.position(x, band)


def _better(d: MetricDef, a: float | None, b: float | None) -> str | None:
    """better / worse / same for a − b as printed: a change that prints as no change is 'same'."""
    if a is None or b is None:
        return None
    if fmt.shown_as_zero(a, b, d.unit) or abs(a - b) <= 1e-12 + abs(b) * 1e-9:
        return "same"
    up = a > b
    return "better" if up == (d.better == "up") else "worse"


def _distance(x: float, bound: float) -> float:
    """Relative distance of x from a bound (absolute when the bound is 0)."""
    return abs(x - bound) / abs(bound) if bound else abs(x - bound)


def _verdict_vs(d: MetricDef, x: float, low: float | None, high: float | None, what: str,
                typical: bool = False) -> tuple[str, str]:
    """Verdict of x against a range [low, high] given the better direction."""
    if d.better == "up":
        bad_side = low is not None and x < low
        bound = low
        good_side = high is not None and x > high
    else:
        bad_side = high is not None and x > high
        bound = high
        good_side = low is not None and x < low
    if bad_side:
        dist = _distance(x, bound)
        worse = "below" if d.better == "up" else "above"
        v = "watch" if dist <= WATCH_MARGIN else "concern"
        return v, f"{worse} {what}"
    if good_side:
        side = "above" if d.better == "up" else "below"
        if typical:
            return "good", f"{side} {what}: better than typical, not a target"
        return "good", f"{side} {what}"
    if low is None or high is None:
        return "good", f"meets {what}"
    return "good", f"within {what}"


def band_phrase(b: Benchmark) -> str:
    """'the top performers' band 75.0–83.0% (top decile; Henry Schein One)', 'the typical range …',
    'the target …'."""
    name = {"target": "the target", "top performers": "the top performers' band",
            "typical": "the typical range"}[b.word]
    what = "; ".join(x for x in (b.describes, b.scaling_text, b.source_text) if x)
    return f"{name} {b.range_text} ({what})"


def compare_value(d: MetricDef, kind: str, current: MetricValue, previous: MetricValue | None = None,
                  year_ago: MetricValue | None = None, goal: float | None = None,
                  bands: Iterable[Benchmark] | None = None, label: str | None = None) -> Comparison:
    """Compare one value. `bands` defaults to the bands of a rate or balance metric for this kind
    of practice (`benchmarks.for_kind`); a sum's bands need the period (`compare` passes them)."""
    bands = tuple(bands) if bands is not None else bm.for_kind(d, kind)
    for b in bands:
        if b.applies_to != kind:
            raise bm.BenchmarkError(f"{d.id}: a {b.applies_to} band applied to a {kind} practice")
    band = bm.reference(bands)
    x = current.value
    prev = previous.value if previous is not None else None
    ago = year_ago.value if year_ago is not None else None
    change = None if x is None or prev is None else x - prev
    change_year = None if x is None or ago is None else x - ago
    trend = _better(d, x, prev)
    pos = bm.position(x, band)
    base = dict(id=current.id, label=label or d.label(kind), value=x, unit=current.unit, previous=prev,
                year_ago=ago, change=change, change_year=change_year, trend=trend, goal=goal,
                goal_gap=None if x is None or goal is None else x - goal,
                band_low=band.low if band else None, band_high=band.high if band else None,
                band_kind=band.kind if band else None, band_tier=band.tier if band else None,
                band_applies_to=band.applies_to if band else None, band_per=band.per if band else None,
                band_describes=(band.describes or None) if band else None,
                band_text=band.text if band else None, band_label=band.label if band else None,
                band_source=band.source_text if band else None, bands=bands, position=pos,
                where=bm.where(x, bands, d.better) if band else None)
    if x is None:
        return Comparison(**base, verdict=None, reason=current.reason)
    if goal is not None:
        lo, hi = (goal, None) if d.better == "up" else (None, goal)
        v, why = _verdict_vs(d, x, lo, hi, f"the goal {fmt.number(goal, d.unit)}")
        return Comparison(**base, verdict=v, reason=why)
    if band is not None and pos is not None:
        v, why = _verdict_vs(d, x, band.low, band.high, band_phrase(band), typical=band.tier == "typical")
        if v == "good" and pos == "within" and trend == "worse" and prev and abs(change) / abs(prev) > TREND_MARGIN:
            v, why = "watch", why + f", but worse than the previous period ({fmt.difference(x, prev, d.unit)})"
        return Comparison(**base, verdict=v, reason=why)
    if trend is None:
        return Comparison(**base, verdict="steady", reason="no goal, benchmark or previous period to compare with")
    rel = abs(change) / abs(prev) if prev else (np.inf if change else 0.0)
    if trend == "worse" and rel > TREND_MARGIN:
        return Comparison(**base, verdict="watch", reason=f"worse than the previous period ({fmt.difference(x, prev, d.unit)})")
    if trend == "better" and rel > TREND_MARGIN:
        return Comparison(**base, verdict="good", reason=f"better than the previous period ({fmt.difference(x, prev, d.unit)})")
    return Comparison(**base, verdict="steady", reason="about the same as the previous period")


def doctors_in(practice: "Practice", period: "Period") -> float | None:
    """The practice's dentists or physicians in the period (see `benchmarks.doctor_fte`)."""
    return bm.doctor_fte(practice, period)


def year_basis(period: "Period") -> "Period":
    """The period a twelve-months metric (retention) is judged over for `period`: itself when it is
    twelve months long, else the twelve months ending with its last month."""
    return period if period.n_months == 12 else period.view("t12")


def compare(practice: "Practice", period: "Period", ids: Iterable[str] | None = None,
            goals: Mapping[str, float] | None = None, on_year_basis: bool = False) -> pd.DataFrame:
    """One row per metric (columns: COLUMNS + `period`, the label of the period the row's value is
    for) for the period, the previous period and a year earlier. `goals` maps metric ids to the
    practice's own targets (e.g. from goals.yaml).

    `on_year_basis`: a twelve-months metric (retention, whose bands and targets are for a year) is
    shown over the twelve months ending with the period, the previous period and a year earlier
    (`year_basis`) — what a scorecard with targets needs. Without it every value is exactly
    `compute_metrics` over `period` (what `dyad metrics` prints); such a value over a shorter
    period has no band."""
    from dyad_lib.metrics.compute import compute_metrics, metric_def

    now = compute_metrics(practice, period, ids)
    ids = list(now)
    prev = compute_metrics(practice, period.previous(), ids)
    ago = compute_metrics(practice, period.year_earlier(), ids)
    yearly = [i for i in ids if on_year_basis and metric_def(practice, i).basis == "twelve_months"
              and period.n_months != 12]
    shown = {i: period for i in ids}
    if yearly:
        y = year_basis(period)
        now |= compute_metrics(practice, y, yearly)
        prev |= compute_metrics(practice, year_basis(period.previous()), yearly)
        ago |= compute_metrics(practice, year_basis(period.year_earlier()), yearly)
        shown |= {i: y for i in yearly}
    goals = dict(goals or {})
    rows = []
    for mid in ids:
        d = metric_def(practice, mid)
        bands = bm.for_period(practice, shown[mid], d)
        goal = goals.get(mid)
        if goal is None and mid.startswith("quality_"):
            goal = _quality_target(practice, period, mid[len("quality_"):])
        row = compare_value(d, practice.kind, now[mid], prev[mid], ago[mid], goal, bands).to_dict()
        rows.append(row | {"period": shown[mid].label})
    return pd.DataFrame(rows, columns=COLUMNS + ["period"])


def _quality_target(practice: "Practice", period: "Period", measure: str) -> float | None:
    """A quality measure's own target_rate (its last value in the period)."""
    q = practice.tables.get("quality_measures")
    if q is None:
        return None
    q = q[(q["measure_id"] == measure) & period.month_mask(q["month"])].dropna(subset=["target_rate"])
    return float(q.sort_values("month")["target_rate"].iloc[-1]) if len(q) else None
