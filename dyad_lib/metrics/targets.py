"""The target a metric is measured against when the partners set none: the edge of its reference
band (`benchmarks.reference`: the top performers' band where one is published, else the typical
one) on the worse side — the top of the band for a cost, the bottom for a rate that should be
high — so a gap is what it takes to get into the band. Opportunities, levers and talking points all
size their gaps to this one rule."""

from __future__ import annotations

from dataclasses import dataclass

from dyad_lib.metrics import benchmarks, registry

#: metrics.md names 98% for the dental collection ratio (the middle of its 97–99% band).
COLLECTION_TARGET_DENTAL = 0.98


@dataclass(frozen=True)
class Target:
    """A benchmark target: its value, the band it comes from and where that band comes from."""

    value: float
    band: benchmarks.Benchmark

    @property
    def tier(self) -> str:
        return self.band.tier

    @property
    def source(self) -> str:
        """'97.0–99.0%, top performers: well-run practice (Dental Intelligence; Levin Group)'."""
        what = self.band.word + (f": {self.band.describes}" if self.band.describes else "")
        return f"{self.band.text}, {what} ({self.band.source_text})"


def target(metric_id: str, kind: str, months: int | None = None, providers: float | None = None) -> Target | None:
    """The target of a metric for a kind of practice (None when no band applies): the worse edge
    of its top performers' band where one is published, else of its typical band."""
    d = registry.get(metric_id)
    ref = benchmarks.reference(benchmarks.resolve(d, kind, months, providers))
    if ref is None:
        return None
    if metric_id == "collection_ratio" and kind == "dental" and ref.tier == "top":
        return Target(COLLECTION_TARGET_DENTAL, ref)
    edge = benchmarks.worse_edge(ref, d.better)
    return None if edge is None else Target(float(edge), ref)


def target_for(metric_id: str, kind: str) -> tuple[float, str] | None:
    """(target, where it comes from) of a rate, for a kind of practice (see `target`)."""
    t = target(metric_id, kind)
    return None if t is None else (t.value, t.source)
