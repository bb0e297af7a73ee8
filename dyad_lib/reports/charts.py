"""One look for every chart, rendered interactive and offline, with deterministic output.

Call `setup()` at the top of every notebook. It registers the `dyad` Altair theme and the
`dyad_html` renderer: Altair's own HTML output, but with a div id derived from a hash of the spec
(so reruns give identical HTML) and no action menu. The page template (dyad_lib.pipeline.render) inlines
the vega libraries once and presets `VEGA_DEBUG`, so the loader never fetches from a CDN. Never
enable the `mimetype` renderer: Altair 6's mime type (`application/vnd.vegalite.v6.json`) fails
nbformat's schema, so papermill aborts the run.

Colours mean one thing each, in every report and in the stylesheet (dyad.css uses the same values):
- **partners** — the clinical lead (dentist / physician) is always CLINICAL (blue), the business
  lead (office manager / administrator) always BUSINESS (purple); never a series or a status;
- **status** — GOOD (green), WARN (amber, "watch"), BAD (red, "needs attention"); only verdicts;
- **series** — one colour per metric (`SERIES`: collections are teal in every chart, net production
  navy …) and a neutral palette (`CATEGORY`) for anything else drawn side by side (providers,
  categories, scenarios, the age of receivables), with no partner or status hue in it;
- **reference marks** — the goal line is dashed ink, a benchmark band is shaded slate; each has its
  own legend entry, like every line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

import altair as alt
import pandas as pd

from dyad_lib.reports.palette import (  # noqa: E402,F401  (the one palette; see its docstring)
    BAD, BAND, BUSINESS, CATEGORY, CLINICAL, GOAL, GOOD, GRID, INK, MUTED, SERIES, WARN)

#: Legend words of the reference marks.
GOAL_LABEL = "Goal"
BAND_LABEL = "Benchmark band"


def series_colors(names: dict[str, str]) -> dict[str, str]:
    """{series label: colour} for series named by metric id ({metric id: label}): the metric's own
    colour, the neutral palette for the rest (never two series alike in one chart)."""
    out: dict[str, str] = {}
    spare = [c for c in CATEGORY if c not in {SERIES.get(m) for m in names}]
    for mid, lab in names.items():
        c = SERIES.get(mid)
        if c is None or c in out.values():
            c = spare.pop(0) if spare else CATEGORY[len(out) % len(CATEGORY)]
        out[lab] = c
    return out


FONT = "Inter, Segoe UI, Helvetica Neue, Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif"
WIDTH = 700
HEIGHT = 260
RENDERER = "dyad_html"
THEME = "dyad"
MAX_ROWS = 5000

_seen: Counter[str] = Counter()


def theme_config() -> dict[str, Any]:
    """The shared Altair config (a plain dict so tests and other tools can read it)."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {"fontSize": 15, "fontWeight": 600, "color": INK, "anchor": "start", "offset": 10,
                      "subtitleColor": MUTED, "subtitleFontSize": 12},
            "axis": {"labelColor": MUTED, "titleColor": MUTED, "labelFontSize": 11.5, "titleFontSize": 12,
                     "titleFontWeight": 500, "gridColor": GRID, "domainColor": "#c4ccd6", "tickColor": "#c4ccd6"},
            "axisX": {"grid": False},
            "legend": {"labelColor": INK, "titleColor": MUTED, "labelFontSize": 12, "titleFontSize": 12,
                       "orient": "bottom", "symbolType": "circle"},
            "header": {"labelColor": INK, "titleColor": MUTED, "labelFontSize": 12},
            "range": {"category": CATEGORY},
            "line": {"strokeWidth": 2.5, "point": False},
            "point": {"size": 60, "filled": True},
            "bar": {"color": CATEGORY[0], "cornerRadiusEnd": 2},
            "area": {"color": CATEGORY[1], "opacity": 0.25},
            "rule": {"color": GOAL},
            "text": {"color": INK, "fontSize": 11.5},
        }
    }


def _div_id(spec: dict[str, Any]) -> str:
    """`dyad-chart-<hash>`; the n-th identical chart in one kernel gets a `-n` suffix."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]
    _seen[digest] += 1
    n = _seen[digest]
    return f"dyad-chart-{digest}" if n == 1 else f"dyad-chart-{digest}-{n}"


class ScriptSafeEncoder(json.JSONEncoder):
    """JSON that is inert inside an inline `<script>` and an HTML page.

    A chart's spec carries the practice's own text (provider ids, partners' names, competencies);
    Altair writes it raw into a `<script>`, where `</script>` or `<!--` in a value would end or
    derail the script and run whatever follows. `<`, `>` and `&` (and the JavaScript line
    separators U+2028/U+2029) are written as `\\u003c`-style escapes instead: the same string to
    JSON and JavaScript, never markup to the HTML parser. JSON puts these characters only inside
    strings, so escaping them everywhere in the output is exact."""

    _UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                             "\u2028": "\\u2028", "\u2029": "\\u2029"})

    def iterencode(self, o: Any, _one_shot: bool = False):
        for chunk in super().iterencode(o, _one_shot):
            yield chunk.translate(self._UNSAFE)


def script_json(obj: Any) -> str:
    """`obj` as JSON safe to place inside an inline `<script>` (see ScriptSafeEncoder)."""
    return json.dumps(obj, cls=ScriptSafeEncoder)


def dyad_html_renderer(spec: dict[str, Any], **meta: Any) -> dict[str, str]:
    """Altair's HTML output with a deterministic div id, no actions menu and a script-safe spec.
    The `universal` template loads vega only when `VEGA_DEBUG` does not say it is already on the
    page (it is, in our reports); the `standard` one would add `<script src=cdn…>` tags."""
    from altair.utils.html import spec_to_html
    from altair.vegalite.v6 import display as d6

    html = spec_to_html(spec, mode="vega-lite", vega_version=d6.VEGA_VERSION,
                        vegaembed_version=d6.VEGAEMBED_VERSION, vegalite_version=d6.VEGALITE_VERSION,
                        output_div=_div_id(spec), embed_options={"actions": False, "mode": "vega-lite"},
                        json_kwds={"cls": ScriptSafeEncoder}, template="universal", fullhtml=False)
    return {"text/html": html}


def setup(*, allow_large_data: bool = False) -> None:
    """Enable the dyad theme and renderer. Keep Altair's 5000-row guard unless the caller says the
    data is already aggregated (`allow_large_data=True`): row-level data must never be embedded."""
    _seen.clear()
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(lambda: alt.theme.ThemeConfig(theme_config()))
    alt.theme.enable(THEME)
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, dyad_html_renderer)
    alt.renderers.enable(RENDERER)
    if allow_large_data:
        alt.data_transformers.disable_max_rows()
    else:
        alt.data_transformers.enable("default", max_rows=MAX_ROWS)


def partner_scale(clinical_label: str = "Clinical lead", business_label: str = "Business lead") -> alt.Scale:
    """A colour scale that maps the two partners' labels to their fixed colours."""
    return alt.Scale(domain=[clinical_label, business_label], range=[CLINICAL, BUSINESS])


def _fmt(kind: str) -> str:
    return {"money": "$,.0f", "ratio": ".1%", "percent": ".1%", "count": ",.0f", "days": ",.1f"}.get(kind, ",.2f")


def _axis_fmt(kind: str) -> str:
    return {"money": "$,.2s", "ratio": ".0%", "percent": ".0%", "count": ",.0f", "days": ",.0f"}.get(kind, "~s")


def trend(df: pd.DataFrame, *, x: str = "month", y: str = "value", series: str | None = None,
          goal: str | None = None, title: str = "", kind: str = "money", y_title: str = "",
          colors: dict[str, str] | None = None, goal_label: str = GOAL_LABEL) -> alt.LayerChart:
    """Monthly line(s) with an optional dashed goal line from column `goal` (same frame), which
    has its own legend entry (`goal_label`).

    `series` splits lines (e.g. production / collections); `colors` pins a colour per series
    value (`series_colors`: each metric its own colour)."""
    base = alt.Chart(df).encode(x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0,
                                                                             tickCount="month")))
    tip = [alt.Tooltip(f"{x}:T", title="Month", format="%B %Y"), alt.Tooltip(f"{y}:Q", title=y_title or "Value",
                                                                            format=_fmt(kind))]
    enc: dict[str, Any] = {"y": alt.Y(f"{y}:Q", title=y_title or None, axis=alt.Axis(format=_axis_fmt(kind)))}
    if series:
        scale = alt.Scale(domain=list(colors), range=list(colors.values())) if colors else alt.Undefined
        enc["color"] = alt.Color(f"{series}:N", title=None, scale=scale, legend=alt.Legend(symbolType="stroke"))
        tip.insert(1, alt.Tooltip(f"{series}:N", title="Series"))
    lines = base.mark_line(point=alt.OverlayMarkDef(size=36)).encode(**enc, tooltip=tip)
    layers: list[Any] = [lines]
    if goal:
        g = df[[x, goal]].drop_duplicates().dropna().assign(_mark=goal_label)
        layers.append(alt.Chart(g).mark_line(color=GOAL, strokeWidth=1.6).encode(
            x=f"{x}:T", y=f"{goal}:Q",
            strokeDash=alt.StrokeDash("_mark:N", title=None, scale=alt.Scale(domain=[goal_label], range=[[6, 4]]),
                                      legend=alt.Legend(symbolType="stroke", symbolStrokeColor=GOAL)),
            tooltip=[alt.Tooltip(f"{x}:T", title="Month", format="%B %Y"),
                     alt.Tooltip(f"{goal}:Q", title=goal_label, format=_fmt(kind))]))
    return alt.layer(*layers).properties(title=title, width=WIDTH, height=HEIGHT)


def bar_vs_band(df: pd.DataFrame, *, category: str, value: str, low: str | None = None,
                high: str | None = None, title: str = "", kind: str = "ratio", x_title: str = "",
                band_label: str = BAND_LABEL, color: str | None = None) -> alt.LayerChart:
    """Horizontal bars, one per category, over a shaded benchmark band (columns `low`/`high`),
    which has its own legend entry (`band_label`)."""
    order = list(df[category])
    y = alt.Y(f"{category}:N", title=None, sort=order)
    layers: list[Any] = []
    if low and high:
        bands = df.dropna(subset=[low, high]).assign(_mark=band_label)
        layers.append(alt.Chart(bands).mark_bar(opacity=0.3, height=alt.RelativeBandSize(0.9)).encode(
            y=y, x=alt.X(f"{low}:Q"), x2=f"{high}:Q",
            color=alt.Color("_mark:N", title=None, scale=alt.Scale(domain=[band_label], range=[BAND]),
                            legend=alt.Legend(symbolType="square", symbolOpacity=0.4)),
            tooltip=[alt.Tooltip(f"{category}:N", title="Item"), alt.Tooltip(f"{low}:Q", title="Band from", format=_fmt(kind)),
                     alt.Tooltip(f"{high}:Q", title="Band to", format=_fmt(kind))]))
    layers.append(alt.Chart(df).mark_bar(height=alt.RelativeBandSize(0.5), color=color or CATEGORY[0]).encode(
        y=y, x=alt.X(f"{value}:Q", title=x_title or None, axis=alt.Axis(format=_axis_fmt(kind))),
        tooltip=[alt.Tooltip(f"{category}:N", title="Item"), alt.Tooltip(f"{value}:Q", title=x_title or "Value",
                                                                        format=_fmt(kind))]))
    return alt.layer(*layers).properties(title=title, width=WIDTH, height=max(60, 28 * len(order)))


def dumbbell(df: pd.DataFrame, *, item: str, left: str, right: str, left_label: str = "Clinical lead",
             right_label: str = "Business lead", title: str = "", kind: str = "score",
             domain: tuple[float, float] | None = None) -> alt.LayerChart:
    """Two views of each item (e.g. self vs partner, or the two partners' ratings) joined by a line;
    the gap is the story. Points use the partner colours."""
    order = list(df[item])
    long = df.melt(id_vars=[item], value_vars=[left, right], var_name="_view", value_name="_v")
    long["_view"] = long["_view"].map({left: left_label, right: right_label})
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    fmt = ".1f" if kind == "score" else _fmt(kind)
    y = alt.Y(f"{item}:N", title=None, sort=order)
    rule = alt.Chart(df).mark_rule(color="#9aa7b5", strokeWidth=2).encode(
        y=y, x=alt.X(f"{left}:Q", scale=scale, title=None), x2=f"{right}:Q")
    pts = alt.Chart(long).mark_point(filled=True, size=110, opacity=1).encode(
        y=y, x=alt.X("_v:Q", scale=scale, title=None),
        color=alt.Color("_view:N", title=None, scale=partner_scale(left_label, right_label)),
        tooltip=[alt.Tooltip(f"{item}:N", title="Item"), alt.Tooltip("_view:N", title="View"),
                 alt.Tooltip("_v:Q", title="Value", format=fmt)])
    return alt.layer(rule, pts).properties(title=title, width=WIDTH, height=max(60, 30 * len(order)))
