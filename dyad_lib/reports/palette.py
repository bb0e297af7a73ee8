"""The colours of every report, each with one meaning (charts and the stylesheet, dyad.css, use
these values): the two partners, the three statuses, one colour per metric series, a neutral
palette for other series, and the reference marks (goal line, benchmark band). No colour is used
for two meanings: orange is not a partner, a status and an age of receivables at once."""

from __future__ import annotations

CLINICAL = "#1f77b4"  # clinical lead: dentist / physician
BUSINESS = "#7b4fa6"  # business lead: office manager / administrator
INK = "#1d2733"
MUTED = "#5b6b7c"
GRID = "#e6eaef"
GOAL = "#1d2733"  # the goal line (dashed)
BAND = "#8796a8"  # a benchmark band (shaded)
GOOD, WARN, BAD = "#2e7d4f", "#b7791f", "#b42318"  # status only: on track, watch, needs attention
#: Nominal series that are not a metric (providers, categories, scenarios, ages): no partner or
#: status hue (blue, purple, green, amber, red) in it.
CATEGORY = ["#1f3a5f", "#5b8db8", "#2a9d8f", "#8c6d46", "#6f7f8f", "#a3b5c9", "#24635c", "#b3a58a"]
#: One colour per metric, the same in every chart of every report.
SERIES = {"gross_production": "#a3b5c9", "net_production": "#1f3a5f", "collections": "#2a9d8f",
          "overhead": "#8c6d46", "collection_ratio": "#2a9d8f", "overhead_ratio": "#8c6d46",
          "operating_margin": "#1f3a5f", "chair_utilization": "#1f3a5f", "no_show_rate": "#8c6d46",
          "case_acceptance_value": "#2a9d8f"}
