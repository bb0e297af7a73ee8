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



#: How a metric's value relates to its period (registry.yaml `basis`).
BASES = ("rate", "sum", "balance", "twelve_months")
#: Tiers of a band: what practices measure, or what the best reach (targets count as top).
TIERS = ("typical", "top")
#: The basis of a band on a sum, or `year` for a twelve-months metric (None: a rate or balance).
#: A `twelve_months` metric is a rate whose value over any period follows its formula, but whose
#: bands and targets are for a year: they judge it only over twelve months.
BAND_PER = (None, "month", "year", "provider_month", "provider_year")


class RegistryError(ValueError):
    """registry.yaml holds a definition the suite cannot use (named with the metric and band)."""


@dataclass(frozen=True)
class Band:
    """A published benchmark or target range, as its source states it. low/high may be None (at
    most / at least); low == high is 'about'. `dyad_lib.metrics.benchmarks` applies it to a
    practice and a period: the only place a band meets a value."""

    low: float | None
    high: float | None
    kind: str  # benchmark | target
    tier: str  # typical | top
    applies_to: str  # dental | medical
    source: str
    year: int | None = None
    per: str | None = None  # None | month | year | provider_month | provider_year (see BAND_PER)
    note: str | None = None
    describes: str = ""

    def applies(self, kind: str) -> bool:
        return self.applies_to == kind

    @property
    def source_text(self) -> str:
        return f"{self.source} ({self.year})" if self.year else self.source

    @property
    def per_text(self) -> str:
        """'per dentist per month' style words for the band's basis ('' for a rate)."""
        who = {"dental": "dentist", "medical": "physician"}.get(self.applies_to, "provider")
        return {None: "", "month": "per month", "year": "per year", "provider_month": f"per {who} per month",
                "provider_year": f"per {who} per year"}[self.per]

    def scaled(self, factor: float) -> "Band":
        """The band multiplied by `factor` (a band per month or per provider, applied to a period)."""
        from dataclasses import replace

        return replace(self, low=None if self.low is None else self.low * factor,
                       high=None if self.high is None else self.high * factor)


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
    basis: str = "rate"  # see BASES

    def label(self, kind: str = "dental") -> str:
        return self.label_medical if kind == "medical" else self.label_dental

    def applies(self, kind: str) -> bool:
        return self.applies_to in ("both", kind)

    @property
    def source(self) -> str:
        """Every band's source, for the glossary ('' when the metric has no band)."""
        seen: list[str] = []
        for b in self.bands:
            if b.source_text not in seen:
                seen.append(b.source_text)
        return "; ".join(seen)


def _band(d: dict[str, Any], metric: str) -> Band:
    low, high = d.get("low"), d.get("high")
    band = Band(None if low is None else float(low), None if high is None else float(high),
                d.get("kind", ""), d.get("tier", ""), d.get("applies_to", ""), d.get("source", ""),
                d.get("year"), d.get("per"), d.get("note"), d.get("describes", ""))
    where = f"registry.yaml, {metric}, band {band.low}–{band.high} ({band.source})"
    if band.kind not in ("benchmark", "target"):
        raise RegistryError(f"{where}: kind must be benchmark or target, not '{band.kind}'")
    if band.tier not in TIERS:
        raise RegistryError(f"{where}: tier must be one of {', '.join(TIERS)}, not '{band.tier}'")
    if band.applies_to not in KINDS:
        raise RegistryError(f"{where}: applies_to must name the kind of practice the source measured "
                            f"({' or '.join(KINDS)}), not '{band.applies_to}'")
    if band.per not in BAND_PER:
        raise RegistryError(f"{where}: per must be one of {', '.join(p for p in BAND_PER if p)} or absent")
    if not band.source:
        raise RegistryError(f"{where}: a band needs its source")
    return band


def default_basis(unit: str) -> str:
    """A metric's basis when registry.yaml does not state one: money and counts add up over the
    months, everything else is a rate."""
    return "sum" if unit in ("money", "count") else "rate"


def band_fits(band: Band, basis: str) -> bool:
    """Whether a band's basis can be applied to a metric of this basis: a sum takes a band per
    month or per year (scaled to the period), a twelve-months metric a band per year, a rate or a
    balance a band without a `per`."""
    if basis == "sum":
        return band.per not in (None,)
    if basis == "twelve_months":
        return band.per == "year"
    return band.per is None


def _def(d: dict[str, Any]) -> MetricDef:
    if d["unit"] not in UNITS or d["better"] not in ("up", "down"):
        raise RegistryError(f"registry.yaml, {d['id']}: unit must be one of {', '.join(UNITS)} and better up or down")
    basis = d.get("basis") or default_basis(d["unit"])
    if basis not in BASES:
        raise RegistryError(f"registry.yaml, {d['id']}: basis must be one of {', '.join(BASES)}, not '{basis}'")
    bands = tuple(_band(b, d["id"]) for b in d.get("bands", ()) or ())
    for b in bands:
        if not band_fits(b, basis):
            raise RegistryError(f"registry.yaml, {d['id']}: a band per '{b.per or 'period'}' does not fit a metric "
                                f"whose value is a {basis} ({b.source})")
    label = d.get("label")
    return MetricDef(
        id=d["id"], section=d["section"],
        label_dental=d.get("label_dental", label), label_medical=d.get("label_medical", label),
        formula=d["formula"], unit=d["unit"], better=d["better"], date_basis=d["date_basis"],
        tables=tuple(d["tables"]), applies_to=d.get("applies_to", "both"), bands=bands, basis=basis,
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


TIER_WORDS = {"typical": "typical", "top": "top performers"}


def published(d: MetricDef, kind: str) -> tuple[Band, ...]:
    """The bands published for this kind of practice, as their sources state them (typical
    first). For the glossary and documents; comparisons go through `dyad_lib.metrics.benchmarks`,
    which puts a band on the value's basis."""
    return tuple(sorted((b for b in d.bands if b.applies(kind)), key=lambda b: TIERS.index(b.tier)))


def band_words(b: Band, unit: str) -> str:
    """'≈ 45.0% (typical: average)', '75.0–83.0% (top performers: top decile)', '20–28 per dentist
    per month (top performers: a healthy general practice)', '75.0–85.0% (target: …)'."""
    from dyad_lib.fmt import band_text

    per = f" {b.per_text}" if b.per_text and b.per != "year" else ""
    what = "target" if b.kind == "target" else TIER_WORDS[b.tier]
    return f"{band_text(b, unit)}{per} ({what}{': ' + b.describes if b.describes else ''})"


def glossary(metric_ids: Iterable[str], kind: str = "dental",
             measure_names: dict[str, str] | None = None):
    """One row per metric for a report's glossary: label, formula, unit, better, date basis, the
    benchmark or target ranges that apply to this kind of practice and their sources."""
    import pandas as pd

    from dyad_lib.fmt import band_text

    rows = []
    for mid in metric_ids:
        d = get(mid, measure_names)
        bands = published(d, kind)
        rows.append({
            "id": mid, "label": d.label(kind), "formula": d.formula, "unit": d.unit,
            "better": "higher" if d.better == "up" else "lower", "date_basis": d.date_basis,
            "benchmark": "; ".join(band_words(b, d.unit) for b in bands),
            "source": "; ".join(dict.fromkeys(b.source_text for b in bands)),
        })
    return pd.DataFrame(rows, columns=["id", "label", "formula", "unit", "better", "date_basis",
                                       "benchmark", "source"])
