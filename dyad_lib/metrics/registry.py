"""The metric registry: one definition per metric id, read from registry.yaml (documented in
docs/metrics.md, generated from it by `dyad docs`).

Every report's glossary prints these definitions, so the numbers a practice sees always carry
their formula, date basis and benchmark source. Expanded ids (`overhead_ratio_<category>`,
`meeting_adherence_<cadence>`, `team_satisfaction_<role>`, `burnout_rate_<role>`) are listed in
`REGISTRY`; `quality_<measure_id>` ids come from the data, so `get()` makes them on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from dyad_lib.data.contract import QUALITY_PREFIX, REGISTRY_ITEM_LISTS

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")
UNITS = ("money", "ratio", "days", "count", "money_per_hour", "score_nps", "score_1_5")
KINDS = ("dental", "medical")



@dataclass(frozen=True)
class Band:
    """A benchmark or target range. low/high may be None (at most / at least); low == high is 'about'."""

    low: float | None
    high: float | None
    kind: str  # benchmark | target
    tier: str
    applies_to: str  # both | dental | medical
    source: str
    year: int | None = None
    per: str | None = None  # "doctor_month": the band is per dentist per month and is scaled
    note: str | None = None

    def applies(self, kind: str) -> bool:
        return self.applies_to in ("both", kind)

    @property
    def source_text(self) -> str:
        return f"{self.source} ({self.year})" if self.year else self.source

    def scaled(self, factor: float) -> "Band":
        """The band multiplied by `factor` (for per-doctor-per-month bands)."""
        from dataclasses import replace

        return replace(self, low=None if self.low is None else self.low * factor,
                       high=None if self.high is None else self.high * factor, per=None)


@dataclass(frozen=True)
class MetricDef:
    id: str
    section: str
    label_dental: str
    label_medical: str
    formula: str
    unit: str
    better: str  # up | down
    date_basis: str
    tables: tuple[str, ...]
    applies_to: str = "both"
    bands: tuple[Band, ...] = field(default_factory=tuple)

    def label(self, kind: str = "dental") -> str:
        return self.label_medical if kind == "medical" else self.label_dental

    def applies(self, kind: str) -> bool:
        return self.applies_to in ("both", kind)

    def bands_for(self, kind: str) -> tuple[Band, ...]:
        return tuple(b for b in self.bands if b.applies(kind))

    def band(self, kind: str) -> Band | None:
        """The band comparisons use: the first that applies to this kind of practice."""
        bands = self.bands_for(kind)
        return bands[0] if bands else None

    @property
    def source(self) -> str:
        """Every band's source, for the glossary ('' when the metric has no band)."""
        seen: list[str] = []
        for b in self.bands:
            if b.source_text not in seen:
                seen.append(b.source_text)
        return "; ".join(seen)


def _band(d: dict[str, Any]) -> Band:
    low, high = d.get("low"), d.get("high")
    return Band(None if low is None else float(low), None if high is None else float(high),
                d["kind"], d.get("tier", ""), d.get("applies_to", "both"), d["source"],
                d.get("year"), d.get("per"), d.get("note"))


def _def(d: dict[str, Any]) -> MetricDef:
    assert d["unit"] in UNITS, d
    assert d["better"] in ("up", "down"), d
    label = d.get("label")
    return MetricDef(
        id=d["id"], section=d["section"],
        label_dental=d.get("label_dental", label), label_medical=d.get("label_medical", label),
        formula=d["formula"], unit=d["unit"], better=d["better"], date_basis=d["date_basis"],
        tables=tuple(d["tables"]), applies_to=d.get("applies_to", "both"),
        bands=tuple(_band(b) for b in d.get("bands", ()) or ()),
    )


def _fill(template: dict[str, Any], item: str, labels: dict[str, str]) -> dict[str, Any]:
    out = {}
    for k, v in template.items():
        if isinstance(v, str):
            v = v.format(item=item, **labels)
        out[k] = v
    return out


_OVER = REGISTRY_ITEM_LISTS  # the same lists the contract expands metric ids over


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    with open(REGISTRY_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _item_labels(raw: dict[str, Any], item: str) -> dict[str, str]:
    base = raw.get("item_labels", {}).get(item, item.replace("_", " "))
    roles = raw.get("role_labels", {})
    return {"item_label": base,
            "item_label_dental": roles.get("dental", {}).get(item, base),
            "item_label_medical": roles.get("medical", {}).get(item, base)}


def _build() -> dict[str, MetricDef]:
    raw = _raw()
    out: dict[str, MetricDef] = {}
    for d in raw["metrics"]:
        out[d["id"]] = _def(d)
    for t in raw.get("templates", []):
        bands_by_item = t.get("bands_by_item", {}) or {}
        made = {}
        for item in _OVER[t["over"]]:
            d = _fill({k: v for k, v in t.items() if k not in ("over", "after", "bands_by_item")}, item,
                      _item_labels(raw, item))
            d["bands"] = bands_by_item.get(item, [])
            made[d["id"]] = _def(d)
        keys = list(out)
        cut = keys.index(t["after"]) + 1 if t.get("after") in out else len(keys)
        out = {**{k: out[k] for k in keys[:cut]}, **made, **{k: out[k] for k in keys[cut:]}}
    return out


#: Every static metric id (quality_<measure> ids come from the data; see `get`).
REGISTRY: dict[str, MetricDef] = _build()

#: The ids `dyad_lib.metrics.partnership.partnership_metrics` computes.
PARTNERSHIP_IDS: tuple[str, ...] = tuple(k for k, v in REGISTRY.items() if v.section == "partnership")


def quality_def(measure_id: str, measure_name: str | None = None) -> MetricDef:
    """The definition of `quality_<measure_id>` (its label uses the measure's name when known)."""
    raw = _raw()
    d = _fill(raw["quality"], measure_id, {"item_label": measure_name or measure_id.replace("_", " ")})
    return _def(d)


def get(metric_id: str, measure_names: dict[str, str] | None = None) -> MetricDef:
    """The definition of `metric_id`; `quality_<x>` ids are made on demand. KeyError if unknown."""
    if metric_id in REGISTRY:
        return REGISTRY[metric_id]
    if metric_id.startswith(QUALITY_PREFIX) and len(metric_id) > len(QUALITY_PREFIX):
        mid = metric_id[len(QUALITY_PREFIX):]
        return quality_def(mid, (measure_names or {}).get(mid))
    raise KeyError(f"unknown metric id '{metric_id}'")


def label(metric_id: str, kind: str = "dental", measure_names: dict[str, str] | None = None) -> str:
    """The label in the practice's vocabulary (production/charges, chair/exam room, ...)."""
    return get(metric_id, measure_names).label(kind)


def ids_for(kind: str, tables: Iterable[str], measure_ids: Iterable[str] = ()) -> list[str]:
    """The ids computable for a practice of `kind` providing `tables` (registry order), plus
    `quality_<m>` for each measure id given."""
    have = set(tables)
    out = [k for k, v in REGISTRY.items() if v.applies(kind) and set(v.tables) <= have]
    if "quality_measures" in have:
        out += [QUALITY_PREFIX + m for m in measure_ids]
    return out


def glossary(metric_ids: Iterable[str], kind: str = "dental",
             measure_names: dict[str, str] | None = None):
    """One row per metric for a report's glossary: label, formula, unit, better, date basis, the
    benchmark or target ranges that apply to this kind of practice and their sources."""
    import pandas as pd

    from dyad_lib.fmt import band_text

    rows = []
    for mid in metric_ids:
        d = get(mid, measure_names)
        bands = d.bands_for(kind)
        rows.append({
            "id": mid, "label": d.label(kind), "formula": d.formula, "unit": d.unit,
            "better": "higher" if d.better == "up" else "lower", "date_basis": d.date_basis,
            "benchmark": "; ".join(f"{band_text(b, d.unit)} ({b.kind}, {b.tier})" for b in bands),
            "source": "; ".join(dict.fromkeys(b.source_text for b in bands)),
        })
    return pd.DataFrame(rows, columns=["id", "label", "formula", "unit", "better", "date_basis",
                                       "benchmark", "source"])
