"""Benchmarks applied to a practice and a period: the one place a published band meets a value.

A band (registry.yaml) is published for one kind of practice, on one basis and at one tier. Here
it is put on the basis of the value it is compared with, or not used at all:

- **kind**: only bands whose `applies_to` is the practice's kind (a dental source never judges a
  medical practice, and the other way round);
- **basis**: a band on a sum is scaled to the period — × its months (`per: month`), × its months ÷ 12
  (`per: year`), × its dentists or physicians (`per: provider_…`, full-time equivalents where the
  providers table gives them) — and says so ("60–84 for the month: 20–28 per dentist per month ×
  3 dentists"); a twelve-months metric (retention) takes its band per year only over twelve
  months (a month's retention runs near 100% and is not judged by a yearly figure); a rate or a
  balance takes a band without `per`. The registry refuses any other pairing when it loads
  (`registry.band_fits`);
- **tier**: `typical` (what practices measure) or `top` (what the best reach, or a consultant's
  standard; targets count as top). Verdicts, targets and opportunities use the top tier where one
  is published, else the typical one; a value better than a typical band reads "above typical",
  never "better than the benchmark", and no target is set from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from dyad_lib import fmt
from dyad_lib.metrics.registry import TIER_WORDS, Band, MetricDef, get, published

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice
    from dyad_lib.metrics.periods import Period

#: Provider roles that count as the practice's doctors for a band per dentist or per physician.
DOCTOR_ROLES = ("dentist", "physician")
PROVIDER_WORDS = {"dental": ("dentist", "dentists"), "medical": ("physician", "physicians")}


class BenchmarkError(ValueError):
    """A band asked for on a basis it was not published on."""


@dataclass(frozen=True)
class Benchmark:
    """A published band on the basis of one value: `low`/`high` are comparable with the value
    (scaled from the published range by `factor` = months × providers where the band is per
    month or per provider)."""

    band: Band
    metric: str
    unit: str
    low: float | None
    high: float | None
    factor: float = 1.0
    months: int | None = None
    providers: float | None = None

    @property
    def kind(self) -> str:
        return self.band.kind

    @property
    def tier(self) -> str:
        return "top" if self.band.kind == "target" else self.band.tier

    @property
    def applies_to(self) -> str:
        return self.band.applies_to

    @property
    def per(self) -> str | None:
        return self.band.per

    @property
    def source_text(self) -> str:
        return self.band.source_text

    @property
    def describes(self) -> str:
        return self.band.describes

    @property
    def word(self) -> str:
        """'target', 'typical' or 'top performers'."""
        return "target" if self.band.kind == "target" else TIER_WORDS[self.band.tier]

    @property
    def range_text(self) -> str:
        """The range on the value's basis: '55.0–60.0%', '≥ 95.0%', '60–84'."""
        return fmt.band_text(self, self.unit)

    @property
    def scaling_text(self) -> str:
        """How a scaled band was made ('' when it is applied as published): '20–28 per dentist
        per month × 3 dentists × 12 months'."""
        if self.factor == 1.0 and self.band.per in (None, "year"):
            return ""
        who = PROVIDER_WORDS.get(self.band.applies_to, ("provider", "providers"))
        parts = [f"{fmt.band_text(self.band, self.unit)} {self.band.per_text}"]
        if self.providers is not None:
            n = f"{self.providers:g}" if float(self.providers).is_integer() else f"{self.providers:.2f}".rstrip("0")
            parts.append(f"{n} {who[0] if self.providers == 1 else who[1]}"
                         + (" (full-time equivalents)" if not float(self.providers).is_integer() else ""))
        if self.months is not None and self.band.per in ("month", "provider_month"):
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        if self.months is not None and self.band.per in ("year", "provider_year") and self.months != 12:
            parts.append(f"{self.months}/12 of a year")
        return " × ".join(parts)

    @property
    def text(self) -> str:
        """The range with how it was scaled: '60–84 (20–28 per dentist per month × 3 dentists ×
        1 month)', or the range alone."""
        how = self.scaling_text
        return f"{self.range_text} ({how})" if how else self.range_text

    @property
    def label(self) -> str:
        """The range and what it is: '75.0–83.0% (top performers: top decile)'."""
        what = self.word + (f": {self.describes}" if self.describes else "")
        how = self.scaling_text
        return f"{self.range_text} ({what}{'; ' + how if how else ''})"

    @property
    def short(self) -> str:
        """'75.0–83.0% top performers', '≈ 45.0% typical', '60–84 top performers (20–28 per dentist
        per month × 3 dentists × 1 month)'."""
        how = self.scaling_text
        return f"{self.range_text} {self.word}" + (f" ({how})" if how else "")

    def figure(self, period: Any = None, text: str | None = None) -> "fmt.Figure":
        """The band printed (`short`, or `text`), carrying its metric, period, kind of practice,
        basis and tier as data attributes, so a page can be checked for a band applied to the
        other kind of practice or to another basis."""
        return fmt.figure(None, self.unit, self.metric, period, text=self.short if text is None else text,
                          derived="band", attrs={"band-applies-to": self.applies_to, "band-per": self.per or "",
                                                 "band-tier": self.tier, "band-kind": self.kind,
                                                 "band-low": "" if self.low is None else repr(self.low),
                                                 "band-high": "" if self.high is None else repr(self.high),
                                                 "band-factor": repr(self.factor)})

    def to_dict(self) -> dict:
        """The band as `dyad metrics --json` prints it."""
        return {"low": self.low, "high": self.high, "kind": self.kind, "tier": self.tier,
                "applies_to": self.applies_to, "per": self.per, "describes": self.describes or None,
                "published_low": self.band.low, "published_high": self.band.high, "factor": self.factor,
                "text": self.text, "source": self.source_text}


# --- the practice's doctors -------------------------------------------------------------------------


def doctor_fte(practice: "Practice", period: "Period") -> float | None:
    """The dentists or physicians seeing patients in the period, for a band per provider: the
    providers table's doctors (role dentist or physician) with a completed visit in the period,
    each counted by its FTE where given (1 otherwise); without a providers table, the providers
    whose completed visits are mostly not hygiene. None without appointments in the period."""
    a = practice.tables.get("appointments")
    if a is None:
        return None
    a = a[period.date_mask(a["date"]) & (a["status"] == "completed")]
    if a.empty:
        return None
    seen = set(a["provider_id"].dropna().astype(str))
    prov = practice.tables.get("providers")
    if prov is not None and len(prov) and "role" in prov:
        docs = prov[prov["role"].isin(DOCTOR_ROLES) & prov["provider_id"].astype(str).isin(seen)]
        if len(docs):
            fte = docs["fte"] if "fte" in docs else None
            if fte is None:
                return float(len(docs))
            return float(fte.fillna(1.0).where(fte.fillna(1.0) > 0, 1.0).sum())
    share = (a["visit_type"] == "hygiene").groupby(a["provider_id"]).mean()
    n = int((share < 0.5).sum())
    return float(n) or None


# --- applying bands -----------------------------------------------------------------------------------


def _factor(d: MetricDef, band: Band, months: int | None, providers: float | None) -> float | None:
    """What a published band is multiplied by to sit on the value's basis (None: it cannot)."""
    if d.basis == "twelve_months":  # a year's band judges a value over twelve months only
        return 1.0 if months in (None, 12) else None
    if d.basis != "sum":
        return 1.0
    if months is None:
        return None
    f = {"month": months, "provider_month": months, "year": months / 12, "provider_year": months / 12}[band.per]
    if band.per.startswith("provider"):
        if not providers:
            return None
        f *= providers
    return float(f)


def resolve(d: MetricDef, kind: str, months: int | None = None, providers: float | None = None
            ) -> tuple[Benchmark, ...]:
    """The bands published for this kind of practice, each on the basis of a value of `d` over
    `months` months with `providers` doctors (typical first). A band that needs a number of
    months or of providers that is not given is left out."""
    out = []
    for b in published(d, kind):
        if b.applies_to != kind:  # published() filters; a second guard, this is the rule
            raise BenchmarkError(f"{d.id}: a {b.applies_to} band applied to a {kind} practice")
        f = _factor(d, b, months, providers)
        if f is None:
            continue
        scaled = b.scaled(f) if f != 1.0 else b
        out.append(Benchmark(b, d.id, d.unit, scaled.low, scaled.high, f,
                             months if b.per else None,
                             providers if (b.per or "").startswith("provider") else None))
    return tuple(out)


def for_period(practice: "Practice", period: "Period", metric: str | MetricDef) -> tuple[Benchmark, ...]:
    """The bands for one value of the practice over the period (see `resolve`)."""
    d = metric if isinstance(metric, MetricDef) else get(metric)
    providers = None
    if d.basis == "sum" and any((b.per or "").startswith("provider") for b in d.bands if b.applies(practice.kind)):
        providers = doctor_fte(practice, period)
    return resolve(d, practice.kind, period.n_months, providers)


def for_kind(metric: str | MetricDef, kind: str) -> tuple[Benchmark, ...]:
    """The bands of a rate or balance metric for a kind of practice, where no period is involved
    (a budget share, a goal's ratio). A band per month or per provider is left out."""
    d = metric if isinstance(metric, MetricDef) else get(metric)
    return resolve(d, kind)


def reference(benchmarks: Iterable[Benchmark]) -> Benchmark | None:
    """The band a value is judged against: the top tier (or a target) where one is published,
    else the typical one."""
    bs = list(benchmarks)
    top = [b for b in bs if b.tier == "top"]
    return (top or bs or [None])[0]


def bands_figure(bands: Iterable[Benchmark], period: Any = None) -> Any:
    """Every band of a value, printed together ('≈ 45.0% typical; 75.0–83.0% top performers'),
    each carrying its data attributes; '—' without a band."""
    bs = list(bands)
    if not bs:
        return fmt.DASH
    return fmt.joined("; ", [b.figure(period) for b in bs])


def typical(benchmarks: Iterable[Benchmark]) -> Benchmark | None:
    return next((b for b in benchmarks if b.tier == "typical"), None)


def worse_edge(b: Benchmark, better: str) -> float | None:
    """The edge of the band on the side of 'worse' (the top for a cost, the bottom for a rate that
    should be high; an open band's only bound): the least a value must reach to be in it."""
    edge = b.high if better == "down" else b.low
    if edge is None:
        edge = b.low if b.high is None else b.high
    return edge


def position(x: float | None, b: Benchmark | None) -> str | None:
    """below / within / above the band (None without value or band)."""
    if x is None or b is None or (b.low is None and b.high is None):
        return None
    if b.low is not None and x < b.low:
        return "below"
    if b.high is not None and x > b.high:
        return "above"
    return "within"


def where(x: float | None, benchmarks: Iterable[Benchmark], better: str) -> str:
    """Where a value sits, in words that know the tier and which direction is better: 'within
    the top performers' band', 'above typical (what practices measure)', 'above typical, below the
    top performers (higher is better)'."""
    bs = list(benchmarks)
    ref = reference(bs)
    pos = position(x, ref)
    if pos is None:
        return "—"
    good_side = "above" if better == "up" else "below"
    hint = f" ({'higher' if better == 'up' else 'lower'} is better)"
    name = {"top": "the top performers' band", "typical": "the typical range"}[ref.tier]
    if ref.kind == "target":
        name = "the target"
    if pos == "within":
        return f"within {name}"
    if ref.tier == "typical":
        return (f"{pos} typical (what practices measure; no top-performer figure)" if pos == good_side
                else f"{pos} typical{hint}")
    if pos == good_side:
        return f"{pos} {name} (better)"
    low = typical(bs)
    if low is not None and low is not ref and position(x, low) in (good_side, "within"):
        side = "within typical" if position(x, low) == "within" else f"{good_side} typical"
        return f"{side}, {pos} {name}{hint}"
    return f"{pos} {name}{hint}"
