"""Shared pieces of the report-pipeline tests: fake validation, chromium, the demo run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from dyad_lib.data.snapshot import Prepared

TEST_NOTEBOOKS = Path(__file__).parent / "notebooks"


def fake_prepared(practice_id: str, ok: bool = True, warnings: int = 0) -> Prepared:
    """What prepare_practice returns, without running Great Expectations."""
    return Prepared(practice_id, ok, "f" * 64, None, {"ok": ok, "warning_count": warnings, "failures": []}, True)


def chromium_or_skip() -> str:
    from dyad_lib.pipeline.pdf import find_chromium

    exe = find_chromium()
    if exe is None:
        pytest.skip("headless Chromium is not installed and could not be installed (make test installs it "
                    "with apt-get when run as root)")
    return exe


def dump_dom(html_path: Path, budget_ms: int = 15000) -> str:
    """The DOM after scripts ran, with every network request refused."""
    from dyad_lib.pipeline.pdf import run_chromium

    proc = run_chromium(html_path.resolve().as_uri(), "--dump-dom", budget_ms=budget_ms, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def chart_containers(dom: str) -> dict[str, str]:
    """Each `dyad-chart-*` container's inner HTML (up to its closing script)."""
    out = {}
    for m in re.finditer(r'<div id="(dyad-chart-[0-9a-f]{16}(?:-\d+)?)"[^>]*>(.*?)</div>\s*<script', dom, re.S):
        out[m.group(1)] = m.group(2)
    return out


def demo_patient_ids(data_dir: Path) -> set[str]:
    import csv

    ids: set[str] = set()
    for table in ("appointments.csv", "treatment_plans.csv"):
        for path in data_dir.glob(f"*/{table}"):
            with open(path, newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    v = (row.get("patient_id") or "").strip()
                    if v:
                        ids.add(v)
    return ids
