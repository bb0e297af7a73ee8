"""Phase timings: the kernel's timer splits each cell's time into imports, snapshot and computation
and lists its cells; the runner's timeline folds that in and writes one line per report."""

from __future__ import annotations

import json
import sys
import types

from dyad_lib.pipeline import phases


def _cell(timer: phases._KernelTimer, source: str, body) -> None:
    timer.pre(types.SimpleNamespace(raw_cell=source, store_history=True))
    body()
    timer.post(None)


def test_a_cell_is_split_into_its_phases_and_listed(tmp_path, monkeypatch):
    log = tmp_path / "phases.jsonl"
    monkeypatch.setenv(phases.ENV, str(log))
    out = phases.kernel_file(4242)
    timer = phases._KernelTimer(out)
    imp = timer.timed("imports", lambda: sum(range(200_000)))
    timer.pre(types.SimpleNamespace(raw_cell="import x", store_history=False))  # the warm-up: not a cell
    imp()
    timer.post(None)
    _cell(timer, "# a comment\n\nrows = work()\nmore()", lambda: (imp(), sum(range(400_000))))
    _cell(timer, "x = 1", lambda: None)
    k = json.loads(out.read_text())
    assert [c[2] for c in k["cells"]] == ["rows = work()", "x = 1"]  # the warm-up is no cell
    assert k["wall"]["imports"] > 0 and k["wall"]["computation"] > 0
    assert abs(k["cells_wall"] - sum(c[0] for c in k["cells"])) < 1e-3
    # the runner's side: one line with the kernel's phases, the kernel's file removed
    tl = phases.Timeline()
    tl.marks["kernel_launch"] = (timer.loaded - 0.5, 0.0)
    tl.marks["execute_start"] = (timer.loaded, 0.0)
    tl.marks["execute_end"] = (timer.loaded + k["cells_wall"] + 0.25, 0.0)
    tl.merge_kernel(4242)
    line = tl.record(report="r", status="ok")
    assert not out.exists()
    assert abs(line["wall"]["kernel_start"] - 0.5) < 1e-6
    assert line["wall"]["imports"] == round(k["wall"]["imports"], 4)
    assert [c[2] for c in line["cells"]] == ["rows = work()", "x = 1"]
    assert json.loads(log.read_text().splitlines()[-1]) == json.loads(json.dumps(line))


def test_cell_label_skips_comments_and_blank_lines():
    assert phases.cell_label("\n# heading\n  \n  chart = monthly(p)  \n") == "chart = monthly(p)"
    assert phases.cell_label("# only a comment") == ""
    assert len(phases.cell_label("x = " + "1" * 200)) == 60


def test_nothing_is_loaded_without_the_variable(monkeypatch):
    monkeypatch.delenv(phases.ENV, raising=False)
    assert not phases.enabled() and phases.kernel_file(1) is None
    ip = types.SimpleNamespace(events=types.SimpleNamespace(register=lambda *a: (_ for _ in ()).throw(AssertionError)))
    before = sys.modules["builtins"].__import__
    phases.load_ipython_extension(ip)
    assert sys.modules["builtins"].__import__ is before
