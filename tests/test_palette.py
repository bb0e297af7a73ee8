"""One meaning per colour: partners, statuses, metric series and reference marks never share a hue,
every chart module takes its colours from the palette, and goal lines and bands have legend entries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from dyad_lib.reports import charts, palette

ROOT = Path(__file__).resolve().parents[1]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def _grey(c: str) -> bool:
    r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) <= 30


def test_partners_statuses_and_series_never_share_a_colour():
    partners = {palette.CLINICAL, palette.BUSINESS}
    statuses = {palette.GOOD, palette.WARN, palette.BAD}
    series = set(palette.CATEGORY) | set(palette.SERIES.values())
    assert len(partners) == 2 and len(statuses) == 3
    assert not partners & statuses and not partners & series and not statuses & series
    assert palette.BAND not in partners | statuses | series
    # orange means nothing else than "watch": no partner and no series is orange
    assert palette.BUSINESS.lower() != "#d9822b"


def test_one_colour_per_metric_series_in_a_chart():
    colours = charts.series_colors({"collections": "Collections", "net_production": "Net production",
                                    "gross_production": "Gross production"})
    assert colours["Collections"] == palette.SERIES["collections"]
    assert colours["Net production"] == palette.SERIES["net_production"]
    assert len(set(colours.values())) == 3
    # a series without its own colour takes a neutral one not already in the chart
    more = charts.series_colors({"collections": "Collections", "x": "Provider A", "y": "Provider B"})
    assert len(set(more.values())) == 3 and not set(more.values()) & {palette.CLINICAL, palette.BUSINESS}


def test_report_modules_take_colours_from_the_palette():
    allowed = {c.lower() for c in (palette.CLINICAL, palette.BUSINESS, palette.INK, palette.MUTED, palette.GRID,
                                   palette.GOAL, palette.BAND, palette.GOOD, palette.WARN, palette.BAD,
                                   *palette.CATEGORY, *palette.SERIES.values())}
    files = [p for p in (ROOT / "dyad_lib" / "reports").glob("*.py") if p.name != "palette.py"]
    files += list((ROOT / "notebooks").glob("*.ipynb"))
    stray = [(p.name, c) for p in files for c in HEX.findall(p.read_text(encoding="utf-8"))
             if c.lower() not in allowed and not _grey(c)]
    assert stray == []


def _legend_titles(spec: dict) -> list:
    """Every legend domain value of a Vega-Lite spec (the labels a reader sees)."""
    out = []
    for layer in spec.get("layer", [spec]):
        for ch in layer.get("encoding", {}).values():
            if isinstance(ch, dict) and ch.get("legend") is not None and "scale" in ch:
                out += list(ch["scale"].get("domain", []))
    return out


def test_goal_line_and_benchmark_band_have_legend_entries():
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    df = pd.DataFrame({"month": months, "value": [1.0, 2.0, 3.0], "goal": [2.0, 2.0, 2.0]})
    spec = json.loads(charts.trend(df, goal="goal").to_json())
    assert charts.GOAL_LABEL in _legend_titles(spec)
    bars = pd.DataFrame({"cat": ["Supplies", "Lab"], "v": [0.07, 0.1], "lo": [0.05, 0.08], "hi": [0.06, 0.1]})
    spec = json.loads(charts.bar_vs_band(bars, category="cat", value="v", low="lo", high="hi").to_json())
    assert charts.BAND_LABEL in _legend_titles(spec)


def test_goal_charts_draw_a_metric_in_its_own_colour():
    from dyad_lib.reports import goal_charts

    months = pd.date_range("2026-01-01", periods=2, freq="MS")
    phasing = pd.DataFrame({"month": months, "collections": [1.0, 2.0], "working_days": [20, 21]})
    spec = json.loads(goal_charts.phasing_chart(phasing).to_json())
    assert spec["layer"][0]["mark"]["color"] == palette.SERIES["collections"]
    spec = json.loads(goal_charts.seasonality_chart(pd.Series({1: 1.1, 2: 0.9})).to_json())
    assert spec["mark"]["color"] == palette.SERIES["net_production"]
