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
    result.extra["cache_dir"] = cache
    return result, root, data


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    """A private MariaDB server for the database-import tests: its own data folder, unix socket and
    TCP port, a SELECT-only user for the importer; stopped when the session ends. Skips with the
    reason when the server is not installed (`make test` installs it when run as root)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from opendental_helpers import find_mariadb, start_mariadb, stop_mariadb

    if find_mariadb() is None:
        pytest.skip("MariaDB server is not installed (make test installs Debian's mariadb-server when run as root)")
    server = start_mariadb(tmp_path_factory.mktemp("mariadb"))
    yield server
    stop_mariadb(server)
