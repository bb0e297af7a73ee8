"""Session fixtures of the report-pipeline tests (the demo run is shared by several modules)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """Every available report for both demo practices, run once per session into a temp folder
    (validation included). Skips when the demo data is not in data/."""
    from dyad_lib.pipeline.batch import DEMO_PRACTICES, demo_jobs, run_batch
    from dyad_lib.data.paths import data_dir

    data = data_dir()
    if not all((data / p / "practice.yaml").is_file() for p in DEMO_PRACTICES):
        pytest.skip("the demo data is not in data/ (run `dyad demo --data-only`)")
    root = tmp_path_factory.mktemp("demo-reports")
    cache = tmp_path_factory.mktemp("demo-cache")
    result = run_batch(demo_jobs(), data_dir=data, reports_dir=root, cache_dir=cache, workers=2)
    return result, root, data
