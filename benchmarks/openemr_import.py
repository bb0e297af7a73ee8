"""Import a ten-year, forty-provider OpenEMR database (about two million billing lines) against pandas.read_sql
of the same rows: time and peak memory (a figure, not a test).

    .venv/bin/python benchmarks/openemr_import.py [--quick]

The database is the project's own fixture generator (`dyad_lib.demo.openemr_fixture.BENCHMARK`)
written to SQLite. The baseline reads, with `pandas.read_sql`, every row of every table the import
reads, with the columns it reads (`openemr_source.REQUIRED`, the optional columns and tables present): what
a script that pulled the tables into pandas to compute the same figures would have to read before
computing anything. Each side runs in a fresh interpreter; peak memory is the growth of the
process's maximum resident set size over its size after the imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODE = r"""
import json, os, resource, sys, time, datetime as dt
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
def hwm():  # the peak resident size of this process image (ru_maxrss would include the parent's at fork)
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
mode, db, data = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas as pd, sqlalchemy as sa
from dyad_lib.importers import openemr_source as src
if mode == "read_sql":
    before = rss(); t = time.perf_counter()
    eng = sa.create_engine(f"sqlite:///{db}")
    rows = 0
    with eng.connect() as c:
        names = set(sa.inspect(c).get_table_names())
        wanted = {t: list(cols) + list(src.OPTIONAL.get(t, {})) for t, cols in src.REQUIRED.items()}
        wanted.update({t: list(cols) for t, cols in src.OPTIONAL_TABLES.items() if t in names})
        frames = {}
        for table, cols in wanted.items():
            have = {col["name"] for col in sa.inspect(c).get_columns(table)}
            cols = [k for k in cols if k in have]
            frames[table] = pd.read_sql(f"SELECT {', '.join(chr(34) + k + chr(34) for k in cols)} FROM {table}", c)
            rows += len(frames[table])
    took = time.perf_counter() - t
    print(json.dumps({"seconds": took, "rows": rows, "rss_before": before,
                      "peak": hwm()}))
else:
    from dyad_lib.importers.openemr import import_openemr
    from dyad_lib.data.validation import engine, validate_practice
    before = rss(); t = time.perf_counter()
    r = import_openemr(f"sqlite:///{db}", "bench-oe", data_dir=data, today=dt.date(2026, 1, 1))
    took = time.perf_counter() - t
    peak = hwm()
    steps = []
    engine(); t = time.perf_counter()
    ok = validate_practice("bench-oe", data).ok
    val = time.perf_counter() - t
    print(json.dumps({"seconds": took, "rss_before": before, "peak": peak, "validate": val, "ok": ok,
                      "written": r.tables, "read": r.report.rows_read, "delta": r.report.max_delta,
                      "months": len(r.report.reconciliation)}))
"""


def build(db: Path, quick: bool) -> dict:
    """Write the benchmark database; returns its row counts and the seconds it took."""
    import datetime as dt

    import sqlalchemy as sa

    from dyad_lib.demo import openemr_fixture as fx
    from dyad_lib.demo import openemr_schema as schema

    spec = fx.BENCHMARK if not quick else fx.FixtureSpec(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30),
                                                         physicians=3, nurse_practitioners=1, former_physician=False)
    t = time.perf_counter()
    engine = sa.create_engine(f"sqlite:///{db}")
    counts = schema.write(engine, fx.generate(spec))
    engine.dispose()
    return {"seconds": time.perf_counter() - t, "billing_lines": counts["billing"], "encounters": counts["form_encounter"],
            "calendar_events": counts["openemr_postcalendar_events"], "ar_activity": counts["ar_activity"],
            "providers": spec.physicians + spec.nurse_practitioners,
            "years": round((spec.end - spec.start).days / 365.25, 1)}


def measure(mode: str, db: Path, data: Path, python: str = sys.executable, cwd: Path | None = None,
            env: dict | None = None) -> dict:
    p = subprocess.run([python, "-c", CODE, mode, str(db), str(data)], capture_output=True, text=True, cwd=cwd,
                       env=env)
    if p.returncode != 0:
        raise RuntimeError(f"openemr benchmark ({mode}) failed:\n{p.stderr[-4000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory(prefix="dyad-oe-bench-") as tmp:
        db = Path(tmp) / "openemr.db"
        made = build(db, quick)
        base = measure("read_sql", db, Path(tmp) / "data")
        ours = measure("import", db, Path(tmp) / "data")
    print(json.dumps({"database": made, "read_sql": base, "import": ours,
                      "time_ratio": ours["seconds"] / base["seconds"],
                      "memory_ratio": (ours["peak"] - ours["rss_before"]) / (base["peak"] - base["rss_before"])},
                     indent=2))


if __name__ == "__main__":
    main()
