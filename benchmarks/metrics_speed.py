"""How long the metric library takes on three years of a practice, after loading (a figure, not a test).

    .venv/bin/python benchmarks/metrics_speed.py [PRACTICE_ID] [--data-dir DIR]

`run(practice_id, data_dir)` returns the timings as a dict so the performance benchmark can call it:
- `load`: reading the practice (validated snapshot when there is one), for scale;
- `components`: grouping every table by month once (what every later call reuses);
- `fiscal_years`: `compute_metrics` for the last three fiscal years, every id but the partnership ones;
- `months`: `compute_metrics` for each of the last 36 months, same ids;
- `series`: `monthly_series` over those 36 months, same ids (one grouped pass);
- `partnership_per_period`: one call of `dyad_lib.metrics.partnership.partnership_metrics` (another module;
  `compute_metrics` with every id adds this per period, `monthly_series` once per month).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any


def run(practice_id: str = "harbor-dental", data_dir: str | None = None) -> dict[str, Any]:
    from dyad_lib.metrics.compute import compute_metrics, monthly_series, practice_metric_ids
    from dyad_lib.metrics.components import build_components, components
    from dyad_lib.metrics.periods import fiscal_year_of, fiscal_year_period, month_period
    from dyad_lib.metrics.registry import PARTNERSHIP_IDS

    try:
        from dyad_lib.data.snapshot import load_snapshot as load
    except ImportError:  # pragma: no cover
        from dyad_lib.data.load import load_practice as load

    t = time.perf_counter()
    practice = load(practice_id, data_dir)
    out: dict[str, Any] = {"practice_id": practice_id, "load": time.perf_counter() - t}
    fy_start = practice.config.fiscal_year_start_month

    t = time.perf_counter()
    build_components(practice)
    out["components"] = time.perf_counter() - t
    components(practice)  # warm the cache the calls below share

    ids = [i for i in practice_metric_ids(practice) if i not in PARTNERSHIP_IDS]
    last = practice.tables["financials"]["month"].max()
    last_full_fy = fiscal_year_of(last, fy_start) - (0 if fiscal_year_period(fiscal_year_of(last, fy_start),
                                                                             fy_start).end == last else 1)
    fys = [fiscal_year_period(last_full_fy - k, fy_start) for k in (2, 1, 0)]
    t = time.perf_counter()
    for p in fys:
        compute_metrics(practice, p, ids)
    out["fiscal_years"] = time.perf_counter() - t

    months = sorted(practice.tables["financials"]["month"].dropna().unique())[-36:]
    t = time.perf_counter()
    for m in months:
        compute_metrics(practice, month_period(m, fy_start), ids)
    out["months"] = time.perf_counter() - t

    t = time.perf_counter()
    s = monthly_series(practice, ids, months[0], months[-1])
    out["series"] = time.perf_counter() - t
    out["series_shape"] = list(s.shape)
    out["ids"] = len(ids)
    out["after_load_total"] = out["components"] + out["fiscal_years"] + out["months"] + out["series"]

    try:
        from dyad_lib.metrics.partnership import partnership_metrics

        t = time.perf_counter()
        partnership_metrics(practice, fys[-1])
        out["partnership_per_period"] = time.perf_counter() - t
    except ImportError:  # pragma: no cover
        out["partnership_per_period"] = None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("practice_id", nargs="?", default="harbor-dental")
    ap.add_argument("--data-dir", default=None)
    r = run(ap.parse_args().practice_id, ap.parse_args().data_dir)
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}, indent=2))


if __name__ == "__main__":
    main()
