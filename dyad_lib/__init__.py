"""dyad: analytics and reports for the doctor–manager partnership of a practice.

The pipeline, one sub-package per stage (a stage imports only the stages before it):

    fmt  →  data  →  importers  →  metrics  →  partnership  →  goals  →  reports  →  demo  →  pipeline  →  cli

The public API, for a notebook author or a script (imported on first use, so `import dyad_lib`
stays cheap inside a report kernel):

    practice = load_practice("harbor-dental")                # typed tables, every export quirk read
    report = validate("harbor-dental")                       # Great Expectations: what blocks, what warns
    practice = load_snapshot("harbor-dental")                # the validated tables (what reports read)
    values = compute_metrics(practice, parse_period("2026Q3"))   # {metric id: MetricValue}
    plan = plan_goals(practice, "FY2027")                    # the annual goal, step by step
    result = run_report("monthly_review", "harbor-dental", "2026-09")   # HTML in reports/
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> (module, attribute).
_API = {
    "load_practice": ("dyad_lib.data.load", "load_practice"),
    "validate": ("dyad_lib.data.validation", "validate_practice"),
    "load_snapshot": ("dyad_lib.data.snapshot", "load_snapshot"),
    "parse_period": ("dyad_lib.metrics.periods", "parse_period"),
    "compute_metrics": ("dyad_lib.metrics.compute", "compute_metrics"),
    "monthly_series": ("dyad_lib.metrics.compute", "monthly_series"),
    "plan_goals": ("dyad_lib.goals.history", "plan_for_practice"),
    "run_report": ("dyad_lib.pipeline.runner", "run_report"),
    "run_batch": ("dyad_lib.pipeline.batch", "run_batch"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'dyad_lib' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
