"""The target a metric is measured against when the partners set none: the edge of its registry
band on the worse side (the top of the band for a cost, the bottom for a rate that should be
high), so a gap is what it takes to get into the band. Opportunities, levers and talking points
all size their gaps to this one rule."""

from __future__ import annotations

from dyad_lib.fmt import band_text
from dyad_lib.metrics import registry

#: metrics.md names 98% for the dental collection ratio (the middle of its 97–99% band).
COLLECTION_TARGET_DENTAL = 0.98


def target_for(metric_id: str, kind: str) -> tuple[float, str] | None:
    """The target a lever is sized to, and its source: the edge of the metric's band on the side
    of "worse" (the top of the band for a cost, the bottom for a rate that should be high), so
    the gap is what it takes to get *into* the band. None when no band applies to this kind."""
    d = registry.get(metric_id)
    band = d.band(kind)
    if band is None:
        return None
    source = f"{band_text(band, d.unit)}, {band.tier} ({band.source_text})"
    if metric_id == "collection_ratio" and kind == "dental":
        return COLLECTION_TARGET_DENTAL, source
    edge = band.high if d.better == "down" else band.low
    if edge is None:  # an open band on the worse side: its only bound
        edge = band.low if band.high is None else band.high
    return float(edge), source
