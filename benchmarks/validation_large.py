"""Load and validate a 1,000,000-row appointments table: time and peak memory (a figure, not a test).

    .venv/bin/python benchmarks/validation_large.py [ROWS [BAD_FRACTION]]

`run(rows)` returns the figures as a dict so the performance benchmark can call it. The practice is
written to a temporary folder (CSV, as a practice-management export would be), then loaded with
`load_practice` and validated with the GX suites exactly as `dyad validate` does. Peak memory is the
process's maximum resident set size (`resource.getrusage`), which includes the GX import.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PID = "bench-dental"
YAML = """practice_id: bench-dental
name: Benchmark Dental
kind: dental
fiscal_year_start_month: 1
currency: USD
active_patient_months: 18
partners:
  clinical_lead: Dr. A
  business_lead: B
"""


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_practice(root: Path, rows: int, seed: int = 7, bad_fraction: float = 0.0) -> Path:
    """45 months of financials and `rows` appointments spread over them; `bad_fraction` of the
    appointments get chair_minutes out of range (to measure the cost of reporting many failures)."""
    rng = np.random.default_rng(seed)
    folder = root / PID
    folder.mkdir(parents=True)
    (folder / "practice.yaml").write_text(YAML)
    months = pd.period_range("2023-01", "2026-09", freq="M")
    gross = rng.uniform(150_000, 250_000, len(months)).round(2)
    pd.DataFrame({"month": months.astype(str), "gross_production": gross,
                  "adjustments": (gross * 0.2).round(2), "collections": (gross * 0.78).round(2)}
                 ).to_csv(folder / "financials.csv", index=False)
    start = pd.Timestamp("2023-01-02").value // 86_400_000_000_000
    days = rng.integers(0, (pd.Timestamp("2026-09-30") - pd.Timestamp("2023-01-02")).days + 1, rows)
    date = pd.to_datetime((start + days) * 86_400, unit="s")
    status = rng.choice(["completed", "no_show", "cancelled"], rows, p=[0.85, 0.05, 0.10])
    completed = status == "completed"
    doc = date + pd.to_timedelta(rng.integers(0, 4, rows), unit="D")
    df = pd.DataFrame({
        "appointment_id": np.char.add("A", np.arange(rows).astype(str)),
        "date": date.strftime("%Y-%m-%d"),
        "provider_id": rng.choice(["d1", "d2", "d3", "h1", "h2"], rows),
        "patient_id": np.char.add("P", rng.integers(0, rows // 8 + 1, rows).astype(str)),
        "chair_minutes": rng.choice([30, 45, 60, 90], rows),
        "status": status,
        "visit_type": rng.choice(["hygiene", "exam", "restorative", "new_patient", "procedure", "other"], rows),
        "production": np.where(completed, rng.uniform(50, 1500, rows).round(2), np.nan),
        "next_visit_booked": np.where(completed, np.where(rng.random(rows) < 0.8, "yes", "no"), ""),
        "documented_date": np.where(completed, doc.strftime("%Y-%m-%d"), ""),
    })
    if bad_fraction:
        bad = rng.random(rows) < bad_fraction
        df.loc[bad, "chair_minutes"] = 900
    df.to_csv(folder / "appointments.csv", index=False)
    return folder


def run(rows: int = 1_000_000, bad_fraction: float = 0.0) -> dict[str, float]:
    """Write, load and validate; returns seconds and MB (peak RSS)."""
    from dyad_lib.data.load import load_practice
    from dyad_lib.data.validation import engine, validate

    with tempfile.TemporaryDirectory() as tmp:
        # Write in a child process so the parent's peak RSS measures only load + validation.
        t0 = time.perf_counter()
        ctx = multiprocessing.get_context("fork")
        child = ctx.Process(target=write_practice, args=(Path(tmp), rows, 7, bad_fraction))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError("writing the benchmark practice failed")
        folder = Path(tmp) / PID
        t_write = time.perf_counter() - t0
        size_mb = (folder / "appointments.csv").stat().st_size / 1e6
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        engine()
        t_gx = time.perf_counter() - t0
        rss_gx = _rss_mb()
        t0 = time.perf_counter()
        practice = load_practice(PID, tmp, collect=True)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = validate(practice)
        t_validate = time.perf_counter() - t0
        return {
            "rows": rows,
            "bad_fraction": bad_fraction,
            "csv_mb": round(size_mb, 1),
            "write_s": round(t_write, 2),
            "gx_import_and_setup_s": round(t_gx, 2),
            "load_s": round(t_load, 2),
            "validate_s": round(t_validate, 2),
            "load_plus_validate_s": round(t_load + t_validate, 2),
            "peak_rss_mb": round(_rss_mb(), 0),
            "rss_after_gx_setup_mb": round(rss_gx, 0),
            "rss_before_gx_mb": round(rss0, 0),
            "ok": report.ok,
            "failures": len(report.failures),
        }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    frac = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    print(json.dumps(run(n, frac), indent=2))
